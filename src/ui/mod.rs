//! The page: a Leptos (client-side rendered) app that draws the simulation and sends it commands.
//!
//! One [`SimHandle`] in context owns the [`Sim`] in a `StoredValue` and publishes a version
//! signal that moves whenever the sim changes; components read the sim through the handle and
//! call [`SimHandle::dispatch`] directly (not through a signal and an effect, which could merge
//! two quick clicks). The animation loop (`requestAnimationFrame`) advances sim time by wall
//! time × speed in fixed ticks, bounded per frame, and spawns the request tokens the diagram
//! animates. The sim never sees the clock: the page turns wall time into ticks.

mod diagram;
mod exercises;
mod knobs;
mod panels;
mod share;

use crate::scenarios;
use crate::sim::{Applied, Command, Sim, TargetId, ValidScenario, TICK_MS};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What the learner has selected: its settings open in the inspector, its trace in Why?.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selected {
    Client,
    AlbSecurityGroup,
    Listener,
    TargetGroup,
    Target(TargetId),
    TaskSecurityGroup,
    Task(u32),
    TaskDefinition,
    Service,
    Request(u64),
}

impl Selected {
    /// The settings section that opens for this selection (also the knob group an exercise
    /// unlocks, and the `selected` of a share link).
    pub fn section_key(self) -> &'static str {
        match self {
            Selected::Client | Selected::Request(_) => "client",
            Selected::AlbSecurityGroup => "alb-sg",
            Selected::Listener => "listener",
            Selected::TargetGroup | Selected::Target(_) => "target-group",
            Selected::TaskSecurityGroup => "task-sg",
            Selected::Task(_) | Selected::TaskDefinition => "task-definition",
            Selected::Service => "service",
        }
    }

    pub fn from_section_key(key: &str) -> Selected {
        match key {
            "alb-sg" => Selected::AlbSecurityGroup,
            "listener" => Selected::Listener,
            "target-group" => Selected::TargetGroup,
            "task-sg" => Selected::TaskSecurityGroup,
            "task-definition" => Selected::TaskDefinition,
            "service" => Selected::Service,
            _ => Selected::Client,
        }
    }
}

/// A request or health-check token on its way across the diagram (page state, not sim state).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub id: u64,
    pub points: Vec<(f64, f64)>,
    pub class: &'static str,
    pub is_probe: bool,
    pub label: String,
    pub born_ms: f64,
}

/// Oldest tokens are dropped beyond this many, so a high load cannot flood the SVG.
const MAX_TOKENS: usize = 40;
const TOKEN_LIFE_MS: f64 = 1600.0;
/// At most this much sim time per animation frame (60× speed at 10 fps).
const MAX_TICKS_PER_FRAME: u64 = 60;

#[derive(Clone, Copy)]
pub struct SimHandle {
    sim: StoredValue<Sim>,
    pub version: RwSignal<u64>,
    pub is_playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub selected: RwSignal<Selected>,
    /// The result of the last command: (is_error, text).
    pub notice: RwSignal<Option<(bool, String)>>,
    pub tokens: RwSignal<Vec<Token>>,
    /// Moves when the setup changes (not on ticks): share links and the parent page follow it.
    pub config_version: RwSignal<u64>,
    pub is_narrow: RwSignal<bool>,
    /// Wall time of the current animation frame, for token positions.
    pub frame_ms: RwSignal<f64>,
    /// `prefers-reduced-motion: reduce`: tokens appear where they stopped, without moving.
    pub is_reduced_motion: RwSignal<bool>,
    last_token_request: StoredValue<u64>,
    last_token_check: StoredValue<u64>,
}

impl SimHandle {
    fn new(sim: Sim) -> Self {
        SimHandle {
            sim: StoredValue::new(sim),
            version: RwSignal::new(0),
            is_playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
            selected: RwSignal::new(Selected::Client),
            notice: RwSignal::new(None),
            tokens: RwSignal::new(Vec::new()),
            config_version: RwSignal::new(0),
            is_narrow: RwSignal::new(false),
            frame_ms: RwSignal::new(0.0),
            is_reduced_motion: RwSignal::new(prefers_reduced_motion()),
            last_token_request: StoredValue::new(0),
            last_token_check: StoredValue::new(0),
        }
    }

    /// Read the sim, subscribing the caller to every change.
    pub fn with<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.version.track();
        self.sim.with_value(f)
    }

    /// Read the sim without subscribing (event handlers).
    pub fn peek<R>(&self, f: impl FnOnce(&Sim) -> R) -> R {
        self.sim.with_value(f)
    }

    fn bump(&self) {
        self.version.update(|v| *v += 1);
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
        self.spawn_tokens(now_ms());
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
        self.tokens.set(Vec::new());
        self.last_token_request.set_value(0);
        self.last_token_check.set_value(0);
        self.notice.set(Some((false, "Reset: the scenario starts again from the beginning.".into())));
        self.selected.set(Selected::Client);
        self.bump();
    }

    pub fn step(&self) {
        self.sim.update_value(|s| {
            s.step_to_next_event(600_000);
        });
        self.bump();
        self.spawn_tokens(now_ms());
    }

    /// Advance by `ticks` and draw.
    fn advance(&self, ticks: u64, wall_ms: f64) {
        if ticks == 0 {
            return;
        }
        self.sim.update_value(|s| {
            for _ in 0..ticks {
                s.tick();
            }
        });
        self.bump();
        self.spawn_tokens(wall_ms);
    }

    /// Turn requests and health checks the sim started since the last frame into tokens.
    fn spawn_tokens(&self, wall_ms: f64) {
        let narrow = self.is_narrow.get_untracked();
        let last_req = self.last_token_request.get_value();
        let last_check = self.last_token_check.get_value();
        let (new_tokens, max_req, max_check) = self.sim.with_value(|s| {
            let rows = diagram::task_rows(s);
            let layout = crate::diagram::Layout::new(rows.len(), narrow);
            let row_of = |task: Option<u32>| task.and_then(|t| rows.iter().position(|r| *r == t));
            let mut out = Vec::new();
            let mut max_req = last_req;
            let fresh: Vec<_> = s.in_flight_requests().chain(s.recent_requests()).filter(|r| r.id > last_req).collect();
            for r in fresh.iter().rev().take(6) {
                max_req = max_req.max(r.id);
                let stop = r.trace.deciding_hop().map(|h| h.hop).unwrap_or(crate::sim::Hop::Client);
                let row = row_of(r.task);
                let points = if r.kind == crate::sim::trace::TraceKind::DirectCurl {
                    diagram::curl_points(&layout, stop, row.unwrap_or(0))
                } else {
                    layout.token_points(stop, row)
                };
                out.push(Token {
                    id: r.id,
                    points,
                    class: r.outcome.class().key(),
                    is_probe: false,
                    label: r.outcome.label(),
                    born_ms: wall_ms,
                });
            }
            for r in &fresh {
                max_req = max_req.max(r.id);
            }
            let mut max_check = last_check;
            for c in s.pending_checks().filter(|c| c.sent_at_ms > last_check) {
                max_check = max_check.max(c.sent_at_ms);
                let Some(target) = s.target(c.target) else { continue };
                let Some(row) = row_of(Some(target.task)) else { continue };
                let stop = c.trace.deciding_hop().map(|h| h.hop).unwrap_or(crate::sim::Hop::App);
                let class = if c.result.passed() { "probe-ok" } else { "probe-fail" };
                out.push(Token {
                    id: (1u64 << 40) + c.sent_at_ms * 64 + c.target.0 as u64 % 64,
                    points: layout.probe_points(row, stop),
                    class,
                    is_probe: true,
                    label: format!("health check {}", c.result),
                    born_ms: wall_ms,
                });
            }
            (out, max_req, max_check)
        });
        self.last_token_request.set_value(max_req);
        self.last_token_check.set_value(max_check);
        if !new_tokens.is_empty() || !self.tokens.with_untracked(|t| t.is_empty()) {
            self.tokens.update(|tokens| {
                tokens.retain(|t| wall_ms - t.born_ms < TOKEN_LIFE_MS);
                tokens.extend(new_tokens);
                let excess = tokens.len().saturating_sub(MAX_TOKENS);
                tokens.drain(..excess);
            });
        }
    }
}

pub fn use_sim() -> SimHandle {
    expect_context::<SimHandle>()
}

fn prefers_reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|m| m.matches())
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
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
        if !handle.tokens.with_untracked(|t| t.is_empty()) {
            handle.frame_ms.set(wall_ms);
        }
        // Expire tokens even while paused.
        if handle.tokens.with_untracked(|t| t.iter().any(|t| wall_ms - t.born_ms >= TOKEN_LIFE_MS)) {
            handle.tokens.update(|t| t.retain(|t| wall_ms - t.born_ms < TOKEN_LIFE_MS));
        }
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
            handle.tokens.set(Vec::new());
        }
    };
    update();
    let closure = Closure::<dyn FnMut()>::new(update);
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
    }
    closure.forget();
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

/// The compact view for iframes: the diagram, the chosen panels, and a way out to the full app.
fn embedded_view(embed: share::EmbedOptions) -> impl IntoView {
    let handle = use_sim();
    let ex = exercises::use_exercises();
    let open_link = move || {
        handle.config_version.track();
        handle.speed.track();
        handle.selected.track();
        share::current_link(handle, ex)
    };
    post_to_parent("ready", None);
    view! {
        <header class="embed-header">
            <h1 class="embed-header__title">"ALB Lab"<span class="embed-header__scenario">" · "{move || handle.with(|s| s.scenario().name.clone())}</span></h1>
            <a class="embed-header__open" href=open_link target="_blank" rel="noopener">"Open in ALB Lab"</a>
        </header>
        {embed.show_controls.then(|| view! { <panels::TimeControls/> })}
        {move || handle.notice.get().filter(|(is_error, _)| *is_error).map(|(_, text)| view! {
            <p class="notice notice--error embed-notice" role="alert">{text}</p>
        })}
        <panels::LiveRegion/>
        <main class="layout layout--embed">
            <exercises::ExercisePanel/>
            <section class="layout__diagram panel" aria-labelledby="diagram-heading">
                <h2 id="diagram-heading" class="sr-only">"Request path"</h2>
                <diagram::Diagram/>
            </section>
            {embed.shows("client").then(|| view! { <panels::ClientPanel/> })}
            {embed.shows("why").then(|| view! { <panels::WhyPanel/> })}
            {embed.shows("settings").then(|| view! { <knobs::Inspector/> })}
            {embed.shows("table").then(|| view! { <panels::PathTable/> })}
            {embed.shows("metrics").then(|| view! { <panels::MetricsPanel/> })}
            {embed.shows("log").then(|| view! { <panels::EventLogPanel/> })}
        </main>
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
                <p class="app-header__scenario">{move || handle.with(|s| s.scenario().name.clone())}</p>
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
        <exercises::ExercisePanel/>
        <panels::TimeControls/>
        <panels::LiveRegion/>
        <main class="layout">
            <div class="layout__main">
            <section class="layout__diagram panel" aria-labelledby="diagram-heading">
                <h2 id="diagram-heading">"Request path"</h2>
                <diagram::Diagram/>
            </section>
            <section class="layout__why">
                <panels::WhyPanel/>
            </section>
            <section class="layout__table">
                <panels::PathTable/>
            </section>
            </div>
            <aside class="layout__side">
                <panels::ClientPanel/>
                <knobs::Inspector/>
            </aside>
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
