//! The app: the full page, and the compact view for iframes.

use super::browser::{keep_focus, post_to_parent, query_param, storage, watch_width, window_size};
use super::theme::{apply_theme, Theme};
use super::{clock, console, diagram, exercises, import, knobs, panels, share, timeline, tokens, use_sim, SimHandle};
use crate::scenarios;
use crate::sim::Sim;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the page says about what it was asked to open (a link, a picture, an exercise), at the
/// top where it is seen, in a live region, until it is dismissed.
#[component]
fn Banner() -> impl IntoView {
    let handle = use_sim();
    view! {
        <div class="banner-region" role="alert">
            {move || handle.banner.get().map(|text| view! {
                <div class="banner">
                    <p class="banner__text">{text}</p>
                    <button class="button button--small" on:click=move |_| handle.banner.set(None)>"Dismiss"</button>
                </div>
            })}
        </div>
    }
}

/// The embed's tabs, so choosing a node with the keyboard can open the panel its settings (or
/// its Why?) are in.
#[derive(Clone, Copy)]
pub(crate) struct EmbedTabs {
    tab: RwSignal<Option<&'static str>>,
    panels: StoredValue<Vec<&'static str>>,
}

impl EmbedTabs {
    pub(crate) fn open_for(&self, what: crate::diagram::Selected) {
        let wanted: &[&str] = if matches!(what, crate::diagram::Selected::Target(_)) { &["why", "settings"] } else { &["settings", "why"] };
        let found = self.panels.with_value(|p| wanted.iter().find(|w| p.contains(w)).copied());
        if let Some(p) = found {
            self.tab.set(Some(p));
        }
    }
}

/// How the compact view for iframes arranges itself, chosen from the iframe's own size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedLayout {
    /// Small (a 400×300 docs embed): the diagram fills the frame; panels open over it from tabs.
    Stage,
    /// A docs column (700×560): the diagram above one panel.
    Stacked,
    /// Wide enough for both side by side (1000×600).
    Split,
}

impl EmbedLayout {
    pub fn for_size(width: f64, height: f64) -> EmbedLayout {
        if height < 440.0 || width < 480.0 {
            EmbedLayout::Stage
        } else if width < 900.0 {
            EmbedLayout::Stacked
        } else {
            EmbedLayout::Split
        }
    }
    fn key(self) -> &'static str {
        match self {
            EmbedLayout::Stage => "stage",
            EmbedLayout::Stacked => "stacked",
            EmbedLayout::Split => "split",
        }
    }
}

/// The compact view for iframes: the diagram always whole and in view, the chosen panels behind
/// tabs, and a way out to the full app.
fn embedded_view(embed: share::EmbedOptions) -> impl IntoView {
    let handle = use_sim();
    let ex = exercises::use_exercises();
    let open_link = move || {
        handle.config_version.track();
        handle.speed.track();
        handle.selected.track();
        share::link_when_loaded(handle, ex)
    };
    let (w, h) = window_size();
    let layout = RwSignal::new(EmbedLayout::for_size(w, h));
    let resize = Closure::<dyn FnMut()>::new(move || {
        let (w, h) = window_size();
        let next = EmbedLayout::for_size(w, h);
        if layout.get_untracked() != next {
            layout.set(next);
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref());
    }
    resize.forget();
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.class_list().add_1("embed-page");
    }
    // Tabs in the order the embed snippet lists its panels.
    let panels: Vec<&'static str> =
        embed.panels.iter().filter_map(|p| share::PANELS.iter().copied().find(|k| k == p)).filter(|p| embed.shows(p)).collect();
    let has_panels = !panels.is_empty();
    // Small frames open with the diagram alone; bigger ones show the first panel under it.
    let panels_for_tabs = panels.clone();
    let tab = RwSignal::new(if layout.get_untracked() == EmbedLayout::Stage { None } else { panels.first().copied() });
    provide_context(EmbedTabs { tab, panels: StoredValue::new(panels.clone()) });
    Effect::new(move |previous: Option<EmbedLayout>| {
        let now = layout.get();
        if previous.is_some_and(|p| p != now) {
            tab.set(if now == EmbedLayout::Stage { None } else { tab.get_untracked().or(panels.first().copied()) });
        }
        now
    });

    post_to_parent("ready", None);
    view! {
        <div class=move || format!("embed embed--{}", layout.get().key())>
            <header class="embed-header">
                <h1 class="embed-header__title">"ALB Lab"<span class="embed-header__scenario">" · "{move || handle.with_settled(|s| s.scenario().name.clone())}</span></h1>
                <a class="embed-header__open" href=open_link target="_blank" rel="noopener">"Open in ALB Lab"</a>
            </header>
            {embed.show_controls.then(|| view! { <panels::TimeControls compact=true/> })}
            <Banner/>
            {move || handle.notice.get().filter(|(is_error, _)| *is_error).map(|(_, text)| view! {
                <p class="notice notice--error embed-notice" role="alert">{text}</p>
            })}
            <panels::LiveRegion/>
            <main class="embed__main">
                <section class="embed__diagram" aria-labelledby="diagram-heading">
                    <h2 id="diagram-heading" class="sr-only">"Request path"</h2>
                    <diagram::Diagram/>
                </section>
                // No room for the timeline's bar in a docs page's frame, but its code runs: Step
                // back, a link to a moment and a parent page's `seek` work here too.
                <div class="embed__timeline" hidden>
                    <timeline::TimelinePanel/>
                </div>
                {has_panels.then(|| view! {
                    <div class="embed__panels">
                        <div class="tabs" role="tablist" aria-label="Panels">
                            {panels_for_tabs.iter().map(|p| {
                                let p = *p;
                                view! {
                                    <button
                                        class="tabs__tab"
                                        role="tab"
                                        id=format!("tab-{p}")
                                        aria-controls="embed-panel"
                                        aria-selected=move || (tab.get() == Some(p)).to_string()
                                        on:click=move |_| tab.update(|t| *t = if *t == Some(p) && layout.get_untracked() == EmbedLayout::Stage { None } else { Some(p) })
                                    >
                                        {share::panel_label(p)}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                        {move || tab.get().map(|p| view! {
                            <div class="embed__panel" id="embed-panel" role="tabpanel" aria-labelledby=format!("tab-{p}")>
                                {(layout.get() == EmbedLayout::Stage).then(|| view! {
                                    <button class="button button--small embed__close" on:click=move |_| tab.set(None)>"Back to the diagram"</button>
                                })}
                                {match p {
                                    "client" => view! { <panels::ClientPanel/> }.into_any(),
                                    "why" => view! { <panels::WhyPanel/> }.into_any(),
                                    "settings" => view! { <knobs::Inspector/> }.into_any(),
                                    "table" => view! { <panels::PathTable/> }.into_any(),
                                    "metrics" => view! { <panels::MetricsPanel/> }.into_any(),
                                    _ => view! { <panels::EventLogPanel/> }.into_any(),
                                }}
                            </div>
                        })}
                    </div>
                })}
            </main>
            <exercises::ExercisePanel/>
        </div>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let embed = share::EmbedOptions::from_query();
    provide_context(embed.clone());
    share::Codecs::provide();
    knobs::Forms::provide();
    let handle = SimHandle::new(Sim::new(scenarios::default_scenario(), None));
    provide_context(handle);
    let ex = exercises::Exercises::new(!embed.is_embed, handle);
    provide_context(ex);
    ex.watch_goal();
    keep_focus(handle, ex);
    if let Some(id) = query_param("exercise") {
        ex.with_library(move |library| match (library.find)(&id) {
            Some((e, s)) => ex.start(e, s, query_param("sandbox").as_deref() == Some("1")),
            None => handle.banner.set(Some(format!("There is no exercise {id:?}; showing the default scenario instead."))),
        });
    }
    share::open_fragment(handle, ex);
    tokens::expose_counts(handle.tokens);
    if !embed.is_embed {
        share::accept_dropped_pictures(handle, ex);
    }
    if embed.is_embed {
        handle.is_playing.set(embed.autoplay);
        if let Some(speed) = embed.speed {
            handle.speed.set(speed);
        }
        share::listen_to_parent(handle, ex);
    }
    share::sync_state(handle, ex, &embed);
    let is_share_open = RwSignal::new(false);
    let is_import_open = RwSignal::new(false);
    provide_context(import::ImportDialog(is_import_open));
    watch_width(handle);
    clock::start_animation_loop(handle);
    let saved = storage().and_then(|s| s.get_item("alb-lab-theme").ok().flatten()).map(|k| Theme::from_key(&k)).unwrap_or(Theme::Auto);
    let theme = RwSignal::new(embed.theme.as_deref().map(Theme::from_key).unwrap_or(saved));
    let remember_theme = !embed.is_embed;
    Effect::new(move |_| apply_theme(theme.get(), remember_theme));
    if embed.is_embed {
        return embedded_view(embed).into_any();
    }
    // Tell a parent page (if any) that the app is up.
    post_to_parent("ready", None);

    view! {
        <a class="skip-link" href="#path-table">"Skip to the text view of the request path"</a>
        <header class="app-header">
            <div class="app-header__title">
                <h1>"ALB Lab"</h1>
                <p class="app-header__scenario">{move || handle.with_settled(|s| s.scenario().name.clone())}</p>
            </div>
            <div class="app-header__actions">
            <button
                class="button"
                aria-expanded=move || is_share_open.get().to_string()
                on:click=move |_| is_share_open.update(|o| *o = !*o)
            >
                "Share"
            </button>
            <button
                class="button"
                aria-expanded=move || is_import_open.get().to_string()
                on:click=move |_| is_import_open.update(|o| *o = !*o)
            >
                "Import your setup"
            </button>
            <button
                class="button"
                aria-expanded=move || ex.is_picker_open.get().to_string()
                on:click=move |_| ex.is_picker_open.update(|o| *o = !*o)
            >
                "Exercises"
            </button>
            <label class="app-header__theme">
                "Theme "
                <select
                    aria-label="Colour theme"
                    on:change=move |ev| theme.set(Theme::from_key(&event_target_value(&ev)))
                    prop:value=move || theme.get().key()
                >
                    <option value="auto">"Auto"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
            </div>
        </header>
        <Banner/>
        <share::SharePanel is_open=is_share_open/>
        <import::ImportPanel is_open=is_import_open/>
        <exercises::ExercisePicker/>
        <panels::TimeControls compact=false/>
        <panels::LiveRegion/>
        <main class="layout">
            <section class="layout__diagram panel" aria-labelledby="diagram-heading">
                <h2 id="diagram-heading">"Request path"</h2>
                <diagram::Diagram/>
                <diagram::Legend/>
                <div class="timeline-slot"><timeline::TimelinePanel/></div>
            </section>
            <aside class="layout__side">
                <exercises::ExercisePanel/>
                <panels::ClientPanel/>
                <knobs::Inspector/>
            </aside>
            <section class="layout__why">
                <panels::WhyPanel/>
            </section>
            <section class="layout__console">
                <console::ConsolePanel/>
            </section>
            <section class="layout__table">
                <panels::PathTable/>
            </section>
            <section class="layout__metrics">
                <panels::MetricsPanel/>
            </section>
            <section class="layout__log">
                <panels::EventLogPanel/>
            </section>
        </main>
        <footer class="app-footer">
            <p>
                "ALB Lab simulates AWS; it follows real AWS behaviour where tutorials simplify (for example, unhealthy targets do not give 503: the ALB fails open). "
                "Nothing here talks to AWS."
            </p>
        </footer>
    }
    .into_any()
}
