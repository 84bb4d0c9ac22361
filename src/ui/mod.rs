//! The page: a Leptos (client-side rendered) app that draws the simulation and sends it commands.
//!
//! By concern: [`handle`] owns the sim ([`SimHandle`], in context), [`clock`] turns wall time
//! into ticks, [`tokens`] draws what moves, [`app`] is the page and the embed view, [`browser`]
//! the glue to the browser, [`theme`] light and dark; the panels, the diagram, the settings
//! forms, the exercises and sharing have a file each.

mod app;
mod browser;
mod clock;
mod diagram;
mod dialog;
mod exercises;
mod handle;
mod knobs;
mod panels;
mod share;
mod theme;
mod tokens;

pub use crate::diagram::Selected;
pub use app::App;
pub(crate) use browser::{observe_width, post_to_parent, query_param, storage};
pub use handle::SimHandle;
use leptos::prelude::*;

pub fn use_sim() -> SimHandle {
    expect_context::<SimHandle>()
}

/// Mount the app. A panic shows a message with a reload button instead of a blank page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        browser::show_fatal_error(&info.to_string());
    }));
    leptos::mount::mount_to_body(App);
    // The first paint (index.html's static diagram) gives way in the same task as the mount, so
    // no frame shows both or neither.
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("first-paint")) {
        el.remove();
    }
}
