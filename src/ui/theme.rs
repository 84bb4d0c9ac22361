//! Light, dark, or follow the system; remembered in the browser.

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub(crate) fn from_key(k: &str) -> Theme {
        match k {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }
}

pub(crate) fn apply_theme(theme: Theme, remember: bool) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.key());
    }
    if remember {
        if let Some(s) = super::browser::storage() {
            let _ = s.set_item("alb-lab-theme", theme.key());
        }
    }
}
