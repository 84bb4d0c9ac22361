//! The page: a Leptos (client-side rendered) app that draws the simulation and sends it commands.
//!
//! One [`SimHandle`] in context owns the [`Sim`] in a `StoredValue` and publishes a version
//! signal that moves whenever the sim changes; components read the sim through the handle and
//! call [`SimHandle::dispatch`] directly (not through a signal and an effect, which could merge
//! two quick clicks). The animation loop (`requestAnimationFrame`) advances sim time by wall
//! time × speed in fixed ticks, bounded per frame, and spawns the request tokens the diagram
//! animates. The sim never sees the clock: the page turns wall time into ticks.

mod diagram;
mod dialog;
mod exercises;
mod knobs;
mod panels;
mod share;
mod tokens;

use crate::diagram::{Scene, Viewport};
use crate::scenarios;
use crate::sim::{Applied, Command, Sim, ValidScenario, TICK_MS};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use crate::diagram::Selected;

/// At most this much sim time per animation frame (60× speed at 10 fps).
const MAX_TICKS_PER_FRAME: u64 = 60;

#[derive(Clone, Copy)]
pub struct SimHandle {
    sim: StoredValue<Sim>,
    pub version: RwSignal<u64>,
    /// Moves with the sim too, but at most five times a second while it plays (and at once on a
    /// command, a step or a reset): the panels that are read, not watched, follow this one, so
    /// they do not redo their work every animation frame.
    pub settled: RwSignal<u64>,
    last_settled_ms: StoredValue<f64>,
    pub is_playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub selected: RwSignal<Selected>,
    /// The result of the last command: (is_error, text).
    pub notice: RwSignal<Option<(bool, String)>>,
    /// Moves when the setup changes (not on ticks): share links and the parent page follow it.
    pub config_version: RwSignal<u64>,
    pub is_narrow: RwSignal<bool>,
    /// `prefers-reduced-motion: reduce`: tokens appear where they stopped, without moving.
    pub is_reduced_motion: RwSignal<bool>,
    /// The space the diagram has, measured by the diagram itself.
    pub viewport: RwSignal<Viewport>,
    /// The diagram as it is now: every node, its box and its text.
    pub scene: Memo<Scene>,
    /// Tokens, flows and badges, drawn each frame outside the reactive system.
    tokens: StoredValue<tokens::Engine, LocalStorage>,
}

impl SimHandle {
    fn new(sim: Sim) -> Self {
        let sim = StoredValue::new(sim);
        let version = RwSignal::new(0u64);
        let viewport = RwSignal::new(Viewport::wide(1000.0, 360.0));
        let config_version = RwSignal::new(0u64);
        // The scene is rebuilt only when what it shows can have changed: the setup, the size, or
        // the tasks and their states (not on every tick).
        let key = Memo::new(move |_| {
            version.track();
            sim.with_value(crate::diagram::scene_key)
        });
        let scene = Memo::new(move |_| {
            // Read, not only tracked: a memo runs (and subscribes to the sim) when it is read.
            key.with(|_| ());
            config_version.track();
            let v = viewport.get();
            sim.with_value(|s| crate::diagram::scene(s, v))
        });
        SimHandle {
            sim,
            version,
            settled: RwSignal::new(0),
            last_settled_ms: StoredValue::new(f64::NEG_INFINITY),
            is_playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
            selected: RwSignal::new(Selected::Client),
            notice: RwSignal::new(None),
            config_version,
            is_narrow: RwSignal::new(false),
            is_reduced_motion: RwSignal::new(prefers_reduced_motion()),
            viewport,
            scene,
            tokens: StoredValue::new_local(tokens::Engine::default()),
        }
    }

    /// Read the sim, subscribing the caller to every change.
    pub fn with<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.version.track();
        self.sim.with_value(f)
    }

    /// Read the sim, following it at most five times a second while it plays.
    pub fn with_settled<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.settled.track();
        self.sim.with_value(f)
    }

    /// Read the sim without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    fn bump(&self) {
        self.version.update(|v| *v += 1);
        self.settled.update(|v| *v += 1);
    }

    /// After ticks: the diagram follows every frame, the panels a few times a second.
    fn bump_ticks(&self, wall_ms: f64) {
        self.version.update(|v| *v += 1);
        if wall_ms - self.last_settled_ms.get_value() >= 200.0 {
            self.last_settled_ms.set_value(wall_ms);
            self.settled.update(|v| *v += 1);
        }
    }

    /// Apply a command now. On error nothing changed, and the error is returned for the field
    /// that asked.
    pub fn dispatch(&self, command: Command) -> Result<Applied, String> {
        let result = self
            .sim
            .try_update_value(|s| s.apply(command))
            .unwrap_or_else(|| Err(crate::sim::CommandError("the page is shutting down".into())));
        match &result {
            Ok(Applied::Changed(text)) => {
                self.notice.set(Some((false, text.clone())));
                self.config_version.update(|v| *v += 1);
            }
            Ok(Applied::Sent(id)) => self.selected.set(Selected::Request(*id)),
            Err(e) => self.notice.set(Some((true, e.0.clone()))),
        }
        self.bump();
        result.map_err(|e| e.0)
    }

    /// Replace the whole run with a new scenario (an exercise, a shared link).
    pub fn load(&self, scenario: ValidScenario) {
        self.load_with_seed(scenario, None);
    }

    pub fn load_with_seed(&self, scenario: ValidScenario, seed: Option<u64>) {
        self.sim.set_value(Sim::new(scenario, seed));
        self.after_restart();
        self.notice.set(None);
    }

    pub fn reset(&self) {
        self.sim.update_value(|s| s.reset());
        self.after_restart();
    }

    pub fn reseed(&self, seed: u64) {
        self.sim.update_value(|s| s.reseed(seed));
        self.after_restart();
    }

    fn after_restart(&self) {
        self.config_version.update(|v| *v += 1);
        let handle = *self;
        self.tokens.update_value(|t| t.clear(&handle));
        self.notice.set(Some((false, "Reset: the scenario starts again from the beginning.".into())));
        self.selected.set(Selected::Client);
        self.bump();
    }

    pub fn step(&self) {
        self.sim.update_value(|s| {
            s.step_to_next_event(600_000);
        });
        self.bump();
    }

    /// Advance by `ticks`.
    fn advance(&self, ticks: u64, wall_ms: f64) {
        if ticks == 0 {
            return;
        }
        self.sim.update_value(|s| {
            for _ in 0..ticks {
                s.tick();
            }
        });
        self.bump_ticks(wall_ms);
    }

    /// Move the tokens and redraw the flows for this frame.
    fn draw_traffic(&self, wall_ms: f64) {
        let handle = *self;
        self.tokens.update_value(|t| t.frame(&handle, wall_ms));
    }
}

pub fn use_sim() -> SimHandle {
    expect_context::<SimHandle>()
}

fn prefers_reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|m| m.matches())
}

/// Mount the app. A panic shows a message with a reload button instead of a blank page.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal_error(&info.to_string());
    }));
    leptos::mount::mount_to_body(App);
}

/// Written with plain DOM calls: once wasm has panicked nothing in it can run again, so the
/// reload button is an ordinary link.
fn show_fatal_error(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(div) = document.create_element("div") else { return };
    div.set_class_name("fatal");
    div.set_attribute("role", "alert").ok();
    let p = document.create_element("p").ok();
    let pre = document.create_element("pre").ok();
    let a = document.create_element("a").ok();
    if let (Some(p), Some(pre), Some(a)) = (p, pre, a) {
        p.set_text_content(Some(
            "ALB Lab hit an internal error and stopped. Nothing you did should cause this; please report it with the text below.",
        ));
        pre.set_text_content(Some(message));
        a.set_text_content(Some("Reload and reset"));
        a.set_attribute("href", "./").ok();
        a.set_class_name("button");
        div.append_child(&p).ok();
        div.append_child(&pre).ok();
        div.append_child(&a).ok();
    }
    if let Some(body) = document.body() {
        body.append_child(&div).ok();
    }
}

/// The frame callback keeps a handle to itself so it can ask for the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

fn start_animation_loop(handle: SimHandle) {
    let callback: FrameCallback = Rc::new(RefCell::new(None));
    let next = callback.clone();
    let last = Cell::new(None::<f64>);
    let carry = Cell::new(0.0f64);
    *callback.borrow_mut() = Some(Closure::new(move |wall_ms: f64| {
        let dt = last.get().map(|l| (wall_ms - l).clamp(0.0, 250.0)).unwrap_or(0.0);
        last.set(Some(wall_ms));
        if handle.is_playing.get_untracked() {
            let sim_ms = carry.get() + dt * handle.speed.get_untracked();
            let ticks = ((sim_ms / TICK_MS as f64).floor() as u64).min(MAX_TICKS_PER_FRAME);
            carry.set((sim_ms - (ticks * TICK_MS) as f64).clamp(0.0, TICK_MS as f64));
            handle.advance(ticks, wall_ms);
        } else {
            carry.set(0.0);
        }
        // Tokens keep moving (and expire) while paused.
        handle.draw_traffic(wall_ms);
        if let (Some(window), Some(cb)) = (web_sys::window(), next.borrow().as_ref()) {
            let _ = window.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(window), Some(cb)) = (web_sys::window(), callback.borrow().as_ref()) {
        let _ = window.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    // The closure lives as long as the page.
    std::mem::forget(callback);
}

/// Parts of the page are rebuilt when the sim changes (the diagram when a target changes state,
/// the exercise panel when a hint opens). Elements that can take focus carry a
/// `data-focus-key`; when a rebuild takes the focused element away, focus returns to its
/// successor instead of falling to the page.
fn keep_focus(handle: SimHandle, ex: exercises::Exercises) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let last_key: Rc<RefCell<Option<String>>> = Rc::new(RefCell::new(None));
    let record = last_key.clone();
    let on_focus = Closure::<dyn FnMut(web_sys::FocusEvent)>::new(move |ev: web_sys::FocusEvent| {
        let key = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.get_attribute("data-focus-key"));
        *record.borrow_mut() = key;
    });
    let _ = document.add_event_listener_with_callback("focusin", on_focus.as_ref().unchecked_ref());
    on_focus.forget();
    Effect::new(move |_| {
        handle.version.track();
        ex.active.track();
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        let lost = match document.active_element() {
            None => true,
            Some(el) => document.body().is_some_and(|b| el == *b.as_ref()),
        };
        let key = last_key.borrow().clone();
        if let (true, Some(key)) = (lost, key) {
            let selector = format!("[data-focus-key=\"{key}\"]");
            // SVG nodes are not HtmlElements; call focus() on whatever the element is.
            if let Some(el) = document.query_selector(&selector).ok().flatten() {
                let el: &web_sys::HtmlElement = el.unchecked_ref();
                let _ = el.focus();
            }
        }
    });
}

fn watch_width(handle: SimHandle) {
    let update = move || {
        let narrow = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_some_and(|w| w < 720.0);
        if handle.is_narrow.get_untracked() != narrow {
            handle.is_narrow.set(narrow);
        }
    };
    update();
    let closure = Closure::<dyn FnMut()>::new(update);
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
    }
    closure.forget();
}

/// The width of an element, kept up to date as it is resized.
pub(crate) fn observe_width<E>(host: NodeRef<E>, initial: f64) -> RwSignal<f64>
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let width = RwSignal::new(initial);
    let measure = move || {
        if let Some(el) = host.get_untracked() {
            let el: &web_sys::Element = el.unchecked_ref();
            let w = el.client_width() as f64;
            if w > 0.0 && (w - width.get_untracked()).abs() >= 1.0 {
                width.set(w);
            }
        }
    };
    let cb = Closure::<dyn FnMut()>::new(measure);
    let observer = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()).ok();
    cb.forget();
    Effect::new(move |_| {
        if let (Some(el), Some(o)) = (host.get(), observer.as_ref()) {
            o.observe(el.unchecked_ref());
        }
        measure();
    });
    width
}

/// Light, dark, or follow the system; remembered in the browser.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    fn from_key(k: &str) -> Theme {
        match k {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn apply_theme(theme: Theme, remember: bool) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.key());
    }
    if remember {
        if let Some(s) = storage() {
            let _ = s.set_item("alb-lab-theme", theme.key());
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

fn window_size() -> (f64, f64) {
    let w = web_sys::window();
    let get = |v: Option<Result<JsValue, JsValue>>| v.and_then(|v| v.ok()).and_then(|v| v.as_f64()).unwrap_or(0.0);
    (get(w.as_ref().map(|w| w.inner_width())), get(w.as_ref().map(|w| w.inner_height())))
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
        share::current_link(handle, ex)
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
            {move || handle.notice.get().filter(|(is_error, _)| *is_error).map(|(_, text)| view! {
                <p class="notice notice--error embed-notice" role="alert">{text}</p>
            })}
            <panels::LiveRegion/>
            <main class="embed__main">
                <section class="embed__diagram" aria-labelledby="diagram-heading">
                    <h2 id="diagram-heading" class="sr-only">"Request path"</h2>
                    <diagram::Diagram/>
                </section>
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

/// Tell the page that embeds ALB Lab (if any) what happened. Only plain data is sent.
pub(crate) fn post_to_parent(kind: &str, field: Option<(&str, &str)>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"source".into(), &"alb-lab".into());
    let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
    if let Some((k, v)) = field {
        let _ = js_sys::Reflect::set(&message, &k.into(), &v.into());
    }
    let _ = parent.post_message(&message, "*");
}

/// A query parameter of the page's URL.
pub(crate) fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

#[component]
pub fn App() -> impl IntoView {
    let embed = share::EmbedOptions::from_query();
    provide_context(embed.clone());
    let handle = SimHandle::new(Sim::new(scenarios::default_scenario(), None));
    provide_context(handle);
    let ex = exercises::Exercises::new(!embed.is_embed, handle);
    provide_context(ex);
    ex.watch_goal();
    keep_focus(handle, ex);
    if let Some(id) = query_param("exercise") {
        match exercises::Exercises::find(&id) {
            Some((e, s)) => ex.start(e, s, query_param("sandbox").as_deref() == Some("1")),
            None => handle.notice.set(Some((true, format!("There is no exercise {id:?}; showing the default scenario instead.")))),
        }
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
    watch_width(handle);
    start_animation_loop(handle);
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
        <share::SharePanel is_open=is_share_open/>
        <exercises::ExercisePicker/>
        <panels::TimeControls compact=false/>
        <panels::LiveRegion/>
        <main class="layout">
            <section class="layout__diagram panel" aria-labelledby="diagram-heading">
                <h2 id="diagram-heading">"Request path"</h2>
                <diagram::Diagram/>
                <diagram::Legend/>
            </section>
            <aside class="layout__side">
                <exercises::ExercisePanel/>
                <panels::ClientPanel/>
                <knobs::Inspector/>
            </aside>
            <section class="layout__why">
                <panels::WhyPanel/>
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
