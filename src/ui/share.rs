//! Sharing and embedding: the state in the URL fragment, the share dialog (link, iframe
//! snippet, SVG and PNG pictures of the diagram), embed options from the query string, and the
//! postMessage protocol with the embedding page.
//!
//! Messages out (to `window.parent`, plain objects): `{source: "alb-lab", type: "ready"}`,
//! `{…, type: "stateChanged", state: "#v1.…"}`, `{…, type: "exerciseSolved", id}`.
//! Messages in (only from `window.parent`): `{type: "load", state: "#v1.…"}`, `{type: "play"}`,
//! `{type: "pause"}`, `{type: "step"}`, `{type: "seek", at: "00:02:41"}` (or `at` in sim seconds:
//! shows that moment of the run, paused). Anything else is ignored; nothing received is evaluated.

use super::exercises::{use_exercises, Exercises};
use super::{post_to_parent, query_param, use_sim, Selected, SimHandle};
use crate::diagram::{self, plan, still};
use crate::picture;
use crate::share::{self, SharedState};
use crate::sim::timeline::Timeline;
use crate::sim::Sim;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Options of an embedded page, from its query string (`?embed=1&readonly=1&panels=…`).
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedOptions {
    pub is_embed: bool,
    pub is_readonly: bool,
    /// Which panels show: client, why, settings, log, metrics, table.
    pub panels: Vec<String>,
    pub show_controls: bool,
    pub autoplay: bool,
    /// `light`, `dark` or `auto`.
    pub theme: Option<String>,
    pub speed: Option<f64>,
}

pub const PANELS: [&str; 6] = ["client", "why", "settings", "log", "metrics", "table"];

impl EmbedOptions {
    pub fn from_query() -> EmbedOptions {
        let flag = |name: &str, default: bool| query_param(name).map(|v| v == "1" || v == "true").unwrap_or(default);
        let is_embed = flag("embed", false);
        let panels = query_param("panels")
            .map(|p| p.split(',').map(|s| s.trim().to_string()).filter(|s| PANELS.contains(&s.as_str())).collect())
            .unwrap_or_else(|| {
                if is_embed {
                    vec!["client".to_string(), "why".to_string()]
                } else {
                    PANELS.iter().map(|s| s.to_string()).collect()
                }
            });
        EmbedOptions {
            is_embed,
            is_readonly: is_embed && flag("readonly", false),
            panels,
            show_controls: flag("controls", true),
            autoplay: flag("autoplay", true),
            theme: query_param("theme").filter(|t| ["light", "dark", "auto"].contains(&t.as_str())),
            speed: query_param("speed").and_then(|s| s.parse::<f64>().ok()).filter(|s| s.is_finite() && (0.1..=60.0).contains(s)),
        }
    }

    pub fn shows(&self, panel: &str) -> bool {
        self.panels.iter().any(|p| p == panel) && !(panel == "settings" && self.is_readonly)
    }
}

pub fn use_embed() -> EmbedOptions {
    expect_context::<EmbedOptions>()
}

/// The state the page shows now, as a link would carry it.
pub fn current_state(handle: SimHandle, ex: Exercises) -> SharedState {
    let (scenario, seed) = handle.peek(|s| (s.scenario().clone(), s.seed()));
    let active = ex.active.get_untracked();
    SharedState {
        scenario: Some(scenario),
        seed: Some(seed),
        speed: Some(handle.speed.get_untracked()),
        selected: Some(handle.selected.get_untracked().section_key().to_string()),
        exercise: active.as_ref().map(|a| a.exercise.id.clone()),
        is_sandbox: active.as_ref().is_some_and(|a| a.is_sandbox),
        is_paused: !handle.is_playing.get_untracked(),
        ..Default::default()
    }
}

/// A link to the moment shown: the setup the run began with, its changes up to the moment, and
/// the moment, opening paused. Or why the run cannot be linked that way.
pub fn moment_state(handle: SimHandle, ex: Exercises) -> Result<SharedState, String> {
    let (initial, at_ms, history) = handle.peek(|s| {
        let history = handle.timeline.with_value(|t| t.link_history(s));
        (s.initial_scenario().get().clone(), s.now_ms(), history)
    });
    Ok(SharedState { scenario: Some(initial), history: history?, at_ms: Some(at_ms), is_paused: true, ..current_state(handle, ex) })
}

/// The link codec: the state to `#v1.…`, and opening a link, a picture or a parent page's
/// message. Loaded on demand (with the scenario reader and the deflate code it needs): a page
/// opened without a link needs it only after the first change, to keep the address bar up to
/// date.
#[derive(Clone, Copy)]
pub struct Codec {
    pub encode: fn(&SharedState) -> String,
    /// A message from the parent page, from the parent and an object (see the module docs).
    pub on_message: fn(SimHandle, Exercises, JsValue),
    /// Reopen the state inside a picture file.
    pub open_picture: fn(SimHandle, Exercises, web_sys::File),
    /// Open the page's own fragment at start-up.
    pub open_fragment: fn(SimHandle, Exercises, String),
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_codec() -> Codec {
    Codec { encode: share::encode, on_message, open_picture, open_fragment: open_fragment_now }
}

/// The state saved in an SVG or PNG ALB Lab exported, or why there is none.
fn decode_picture(bytes: &[u8]) -> Result<share::Decoded, String> {
    picture::state_in_picture(bytes)
        .map_err(|e| e.to_string())
        .and_then(|link| share::decode(picture::fragment_of(&link)).map_err(|e| format!("its state {e}")))
}

thread_local! {
    /// Not in Leptos context: pictures dropped on the page and messages from a parent page
    /// arrive in browser listeners outside any reactive owner.
    static CODECS: std::cell::OnceCell<super::OnDemand<Codec>> = const { std::cell::OnceCell::new() };
}

/// The codec, loaded at most once for the page.
pub struct Codecs;

impl Codecs {
    /// Made at the app's start, in the app's scope, so it lives as long as the page.
    pub fn provide() {
        Self::get_or_make();
    }

    fn get_or_make() -> super::OnDemand<Codec> {
        CODECS.with(|c| *c.get_or_init(super::OnDemand::default))
    }

    /// The codec, or `None` while it loads (tracked: asking again when it arrives).
    pub fn get() -> Option<Codec> {
        Self::get_or_make().get(load_codec)
    }

    /// Run `then` with the codec, now or when it arrives, in the order asked.
    pub fn with(then: impl FnOnce(Codec) + 'static) {
        Self::get_or_make().with(load_codec, then)
    }
}

/// The page's address without query or fragment.
fn base_url() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return String::new() };
    format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default())
}

/// The link to the state the page shows now. Only the share dialog and its pictures call it:
/// they are loaded on demand themselves, so the encoder comes with them.
pub fn current_link(handle: SimHandle, ex: Exercises) -> String {
    format!("{}#{}", base_url(), share::encode(&current_state(handle, ex)))
}

/// The link to the state the page shows now once the codec is here, else the page's address
/// (tracked: it becomes the full link when the codec arrives).
pub fn link_when_loaded(handle: SimHandle, ex: Exercises) -> String {
    match Codecs::get() {
        Some(codec) => format!("{}#{}", base_url(), (codec.encode)(&current_state(handle, ex))),
        None => base_url(),
    }
}

/// Open a decoded state: its exercise, its scenario and seed, its moment, speed, selection (in
/// the codec's module).
fn apply_state(handle: SimHandle, ex: Exercises, decoded: share::Decoded) {
    // The exercise first (it loads its own scenario), then what the link saved on top of it; a
    // link without one needs no exercise code.
    match decoded.state.exercise.clone() {
        Some(id) => ex.with_library(move |library| {
            match (library.find)(&id) {
                Some((e, s)) => ex.start(e, s, decoded.state.is_sandbox),
                None => handle.banner.set(Some(format!("The link names an exercise this ALB Lab does not have ({id:?})."))),
            }
            apply_saved(handle, decoded)
        }),
        None => apply_saved(handle, decoded),
    }
}

fn apply_saved(handle: SimHandle, decoded: share::Decoded) {
    let state = decoded.state;
    match (decoded.scenario, state.at_ms) {
        // A moment: the run replayed from its start, with its changes, to that time.
        (Some(scenario), Some(at_ms)) => match Timeline::replay_from_start(Sim::new(scenario, state.seed), state.history.clone(), at_ms) {
            Ok((timeline, sim)) => handle.install(sim, timeline),
            Err(e) => handle.banner.set(Some(share::sentences(&[&format!("The link's moment could not be replayed: {e}")]))),
        },
        (Some(scenario), None) => handle.load_with_seed(scenario, state.seed),
        (None, _) => {}
    }
    if let Some(speed) = state.speed {
        handle.speed.set(speed);
    }
    if let Some(sel) = &state.selected {
        handle.selected.set(Selected::from_section_key(sel));
    }
    handle.is_playing.set(!state.is_paused);
}

/// Read the fragment at start-up. A bad one gets a message and the default scenario.
pub fn open_fragment(handle: SimHandle, ex: Exercises) {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let hash = js_sys::decode_uri_component(&hash).ok().and_then(|v| v.as_string()).unwrap_or(hash);
    // In-page anchors (the skip link) are not states.
    if hash.is_empty() || hash == "#" || hash == "#path-table" {
        return;
    }
    Codecs::with(move |codec| (codec.open_fragment)(handle, ex, hash));
}

/// Open the page's fragment, or say why not (in the codec's module, with the error's words).
fn open_fragment_now(handle: SimHandle, ex: Exercises, hash: String) {
    match share::decode(&hash) {
        Ok(decoded) => apply_state(handle, ex, decoded),
        Err(e) => handle
            .banner
            .set(Some(share::sentences(&[&format!("This link could not be opened: {e}"), "Showing the default scenario instead."]))),
    }
}

/// Keep the address bar (or, embedded, the parent page) up to date with the state.
pub fn sync_state(handle: SimHandle, ex: Exercises, embed: &EmbedOptions) {
    let is_embed = embed.is_embed;
    // Nothing has been sent yet, not even an empty link: a private state opened from a link
    // clears that link on the first run.
    let last_sent = StoredValue::new(String::from("\u{0}"));
    Effect::new(move |previous: Option<()>| {
        handle.config_version.track();
        handle.speed.track();
        handle.selected.track();
        ex.active.track();
        handle.is_playing.track();
        if previous.is_none() {
            return;
        }
        // Tracked: when the codec arrives, this runs again and reports the state.
        let Some(codec) = Codecs::get() else { return };
        // A setup imported from someone's own account (not yet redacted) carries their ids and
        // addresses: it stays out of the address bar, the history and the parent page, which
        // only get a link when the share dialog is asked for one.
        // Not tracked: a load or a redaction bumps `config_version`, which this already follows;
        // the run's own ticks must not re-encode the link five times a second.
        let is_private = handle.peek(|s| crate::import::is_unredacted(&s.scenario().name));
        let fragment = if is_private { String::new() } else { (codec.encode)(&current_state(handle, ex)) };
        // Several signals move together on a load; report each distinct state once.
        if last_sent.with_value(|last| *last == fragment) {
            return;
        }
        last_sent.set_value(fragment.clone());
        if is_embed {
            if !is_private {
                post_to_parent("stateChanged", Some(("state", &format!("#{fragment}"))));
            }
        } else if let Some(window) = web_sys::window() {
            if let Ok(history) = window.history() {
                let search = window.location().search().unwrap_or_default();
                let hash = if is_private { String::new() } else { format!("#{fragment}") };
                let url = format!("{}{search}{hash}", window.location().pathname().unwrap_or_default());
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        }
    });
}

/// Listen to the embedding page. Only well-formed messages from the parent are acted on.
pub fn listen_to_parent(handle: SimHandle, ex: Exercises) {
    let Some(window) = web_sys::window() else { return };
    let parent = window.parent().ok().flatten();
    // Raw listeners run outside Leptos's owner tree; run the handler inside the app's owner so
    // anything it touches that needs context finds it.
    let owner = Owner::current();
    let closure = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| match &owner {
        Some(owner) => owner.with(|| on_parent_message(handle, ex, &parent, event)),
        None => on_parent_message(handle, ex, &parent, event),
    });
    let _ = window.add_event_listener_with_callback("message", closure.as_ref().unchecked_ref());
    closure.forget();
}

fn on_parent_message(handle: SimHandle, ex: Exercises, parent: &Option<web_sys::Window>, event: web_sys::MessageEvent) {
    {
        let from_parent = match (parent, event.source()) {
            (Some(p), Some(src)) => {
                let p: &JsValue = p.as_ref();
                p == &JsValue::from(src)
            }
            _ => false,
        };
        if !from_parent {
            return;
        }
        let data = event.data();
        if !data.is_object() {
            return;
        }
        // Every message waits for the codec (which reads them) if a `load` before it does, so
        // they apply in the order sent.
        Codecs::with(move |codec| (codec.on_message)(handle, ex, data));
    }
}

/// A well-formed message from the parent page, read in the codec's module.
fn on_message(handle: SimHandle, ex: Exercises, data: JsValue) {
    let kind = js_sys::Reflect::get(&data, &"type".into()).ok().and_then(|v| v.as_string());
    match kind.as_deref() {
        Some("play") => handle.is_playing.set(true),
        Some("pause") => handle.is_playing.set(false),
        Some("step") => {
            handle.is_playing.set(false);
            handle.step();
        }
        Some("seek") => {
            let at = js_sys::Reflect::get(&data, &"at".into()).ok();
            let at_ms = at.as_ref().and_then(|v| match v.as_f64() {
                Some(seconds) if seconds.is_finite() && (0.0..=360_000.0).contains(&seconds) => Some((seconds * 1000.0) as u64),
                Some(_) => None,
                None => v.as_string().and_then(|t| crate::sim::timeline::parse_clock(&t)),
            });
            match at_ms {
                Some(at_ms) => handle.seek(at_ms),
                None => handle.banner.set(Some(
                    "The embedding page asked for a moment this page cannot read: `at` must be hh:mm:ss, mm:ss or a number of sim seconds. Nothing was changed.".into(),
                )),
            }
        }
        Some("load") => {
            let Some(state) = js_sys::Reflect::get(&data, &"state".into()).ok().and_then(|v| v.as_string()) else { return };
            match share::decode(&state) {
                Ok(decoded) => apply_state(handle, ex, decoded),
                Err(e) => handle.banner.set(Some(share::sentences(&[
                    &format!("The embedding page sent a state that could not be opened: {e}"),
                    "Nothing was changed.",
                ]))),
            }
        }
        _ => {}
    }
}

pub(crate) fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// The words a panel's tab shows.
pub fn panel_label(panel: &str) -> &'static str {
    match panel {
        "client" => "Client",
        "why" => "Why?",
        "settings" => "Settings",
        "log" => "Event log",
        "metrics" => "Metrics",
        _ => "Path as text",
    }
}

/// The theme a picture is drawn in: the page's, with "auto" resolved as the browser does.
fn picture_theme() -> still::Theme {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    match root.and_then(|r| r.get_attribute("data-theme")).as_deref() {
        Some("dark") => still::Theme::Dark,
        Some("light") => still::Theme::Light,
        _ => {
            let dark =
                web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches());
            if dark {
                still::Theme::Dark
            } else {
                still::Theme::Light
            }
        }
    }
}

/// The diagram as a still picture: the state now, drawn at a fixed width, with outcomes as
/// counts and the state's link inside. Returns (svg, width, height).
fn still_svg(handle: SimHandle, link: &str) -> (String, f64, f64) {
    handle.peek(|s| {
        let sc = diagram::scene(s, diagram::Viewport::wide(1000.0, 0.0));
        let counts = s.flows().window(s.now_ms(), plan::FLOW_WINDOW_SECONDS);
        let (bands, badges) = plan::plan_flows(&counts, plan::FLOW_WINDOW_SECONDS as f64, &sc);
        let caption = format!(
            "Sim time {} · seed {} · counts: the last {} s of sim time · reopen: drop this picture on ALB Lab",
            super::panels::clock_text(s.now_ms()),
            s.seed(),
            plan::FLOW_WINDOW_SECONDS
        );
        let picture =
            still::Still { scene: &sc, bands: &bands, badges: &badges, theme: picture_theme(), state_link: Some(link), caption: &caption };
        (picture.render(), picture.width(), picture.height())
    })
}

fn export_svg(handle: SimHandle, ex: Exercises) {
    let (text, _, _) = still_svg(handle, &current_link(handle, ex));
    super::exercises::download("alb-lab-diagram.svg", &text, "image/svg+xml");
}

fn bytes_of(buffer: JsValue) -> Vec<u8> {
    js_sys::Uint8Array::new(&buffer).to_vec()
}

/// The PNG: the still SVG drawn on a canvas at twice its size, with the state link added as a
/// `tEXt` chunk.
fn export_png(handle: SimHandle, ex: Exercises) {
    let link = current_link(handle, ex);
    let (text, w, h) = still_svg(handle, &link);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(image) = web_sys::HtmlImageElement::new() else { return };
    let scale = 2.0;
    let img = image.clone();
    let onload = Closure::once(move || {
        let Ok(canvas) = document.create_element("canvas") else { return };
        let canvas: web_sys::HtmlCanvasElement = canvas.unchecked_into();
        canvas.set_width((w * scale) as u32);
        canvas.set_height((h * scale) as u32);
        let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()) else {
            return;
        };
        let _ = ctx.scale(scale, scale);
        let _ = ctx.draw_image_with_html_image_element(&img, 0.0, 0.0);
        let done = Closure::once(move |blob: Option<web_sys::Blob>| {
            let Some(blob) = blob else { return };
            leptos::task::spawn_local(async move {
                let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await else { return };
                let png = bytes_of(buffer);
                let Ok(tagged) = picture::png_with_text(&png, picture::KEYWORD, &link) else { return };
                let array = js_sys::Uint8Array::from(tagged.as_slice());
                let parts = js_sys::Array::of1(&array);
                let options = web_sys::BlobPropertyBag::new();
                options.set_type("image/png");
                if let Ok(out) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) {
                    super::exercises::download_blob("alb-lab-diagram.png", &out);
                }
            });
        });
        let _ = canvas.to_blob(done.as_ref().unchecked_ref());
        done.forget();
    });
    image.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    let encoded = js_sys::encode_uri_component(&text);
    image.set_src(&format!("data:image/svg+xml;charset=utf-8,{}", String::from(encoded)));
}

/// Reopen the state inside a picture ALB Lab exported. A file without one gets a message that
/// says so, and nothing changes.
pub fn open_picture(handle: SimHandle, ex: Exercises, file: web_sys::File) {
    let name = file.name();
    if file.size() > picture::MAX_PICTURE_BYTES as f64 {
        handle.banner.set(Some(share::sentences(&[&format!("{name} could not be opened: {}", picture::PictureError::TooLarge)])));
        return;
    }
    leptos::task::spawn_local(async move {
        let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else {
            handle.banner.set(Some(format!("{name} could not be read.")));
            return;
        };
        let bytes = bytes_of(buffer);
        match decode_picture(&bytes) {
            Ok(decoded) => {
                apply_state(handle, ex, decoded);
                handle.notice.set(Some((false, format!("Opened the state saved in {name}."))));
            }
            Err(e) => handle.banner.set(Some(share::sentences(&[&format!("{name} could not be opened: {e}"), "Nothing was changed."]))),
        }
    });
}

/// Pictures dropped anywhere on the page reopen their state. Only picture files are taken, and
/// never a drop onto a file field (the exercise picker's progress import keeps its own).
pub fn accept_dropped_pictures(handle: SimHandle, ex: Exercises) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let on_a_file_field = |ev: &web_sys::DragEvent| {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.closest("input[type=file]").ok().flatten().is_some())
    };
    let over = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |ev: web_sys::DragEvent| {
        let has_files = ev.data_transfer().is_some_and(|d| d.types().includes(&"Files".into(), 0));
        if has_files && !on_a_file_field(&ev) {
            ev.prevent_default();
        }
    });
    let drop = Closure::<dyn FnMut(web_sys::DragEvent)>::new(move |ev: web_sys::DragEvent| {
        if on_a_file_field(&ev) {
            return;
        }
        let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) else { return };
        ev.prevent_default();
        // File extensions are ASCII: no Unicode case tables for this.
        let name = file.name().to_ascii_lowercase();
        if file.type_().starts_with("image/") || name.ends_with(".svg") || name.ends_with(".png") {
            Codecs::with(move |codec| (codec.open_picture)(handle, ex, file));
        } else {
            handle
                .banner
                .set(Some(format!("{} is not a picture: drop an SVG or PNG exported by ALB Lab to reopen its state.", file.name())));
        }
    });
    let _ = document.add_event_listener_with_callback("dragover", over.as_ref().unchecked_ref());
    let _ = document.add_event_listener_with_callback("drop", drop.as_ref().unchecked_ref());
    over.forget();
    drop.forget();
}

/// The embed options chosen in the share dialog, kept while it is closed.
#[derive(Clone, Copy)]
struct EmbedChoices {
    readonly: RwSignal<bool>,
    autoplay: RwSignal<bool>,
    theme: RwSignal<String>,
    panels: RwSignal<Vec<String>>,
}

#[component]
pub fn SharePanel(is_open: RwSignal<bool>) -> impl IntoView {
    let choices = EmbedChoices {
        readonly: RwSignal::new(false),
        autoplay: RwSignal::new(true),
        theme: RwSignal::new("auto".to_string()),
        panels: RwSignal::new(vec!["client".to_string(), "why".to_string()]),
    };
    let contents = super::OnDemand::default();
    view! {
        <super::dialog::Modal is_open=is_open labelled_by="share-heading">
            {move || contents.get(share_view).map(|build: fn(RwSignal<bool>, EmbedChoices) -> AnyView| build(is_open, choices))}
        </super::dialog::Modal>
    }
}

/// The share dialog's contents (link, embed snippet, pictures): loaded when it first opens.
#[cfg_attr(alb_split, leptos::lazy)]
async fn share_view() -> fn(RwSignal<bool>, EmbedChoices) -> AnyView {
    share_contents as fn(RwSignal<bool>, EmbedChoices) -> AnyView
}

fn share_contents(is_open: RwSignal<bool>, choices: EmbedChoices) -> AnyView {
    let handle = use_sim();
    let ex = use_exercises();
    let EmbedChoices { readonly, autoplay, theme, panels } = choices;
    // Looking at the past, the link points at that moment unless asked otherwise.
    let is_moment = RwSignal::new(handle.past.get_untracked().is_some());
    // Made again when the moment shown changes (a seek, a change, pausing), not every frame of a
    // running clock: a link of a thousand changes is not re-encoded five times a second.
    let moment = Memo::new(move |_| {
        handle.config_version.track();
        handle.past.track();
        handle.is_playing.track();
        is_moment.get().then(|| moment_state(handle, ex))
    });
    let link = Memo::new(move |_| {
        handle.config_version.track();
        handle.speed.track();
        handle.selected.track();
        ex.active.track();
        match moment.get() {
            Some(Ok(state)) => format!("{}#{}", base_url(), share::encode(&state)),
            _ => current_link(handle, ex),
        }
    });
    let snippet = Memo::new(move |_| {
        let l = link.get();
        let (base, fragment) = l.split_once('#').unwrap_or((&l, ""));
        let mut query = format!("?embed=1&theme={}&autoplay={}", theme.get(), if autoplay.get() { 1 } else { 0 });
        if readonly.get() {
            query.push_str("&readonly=1");
        }
        query.push_str(&format!("&panels={}", panels.get().join(",")));
        let speed = handle.speed.get();
        if speed != 1.0 {
            query.push_str(&format!("&speed={speed}"));
        }
        format!(
            "<iframe src=\"{base}{query}#{fragment}\" title=\"ALB Lab: how a request reaches a container behind an AWS load balancer\" width=\"100%\" height=\"560\" style=\"border:0\" loading=\"lazy\"></iframe>"
        )
    });
    let picture_input = NodeRef::<leptos::html::Input>::new();
    let on_picture = move |_| {
        let Some(input) = picture_input.get() else { return };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            open_picture(handle, ex, file);
            is_open.set(false);
        }
        input.set_value("");
    };
    let import_dialog = use_context::<super::import::ImportDialog>();
    // Asked again when a setup is loaded, not on every tick of a running clock: the note (and
    // the focus on its button) stays put while the dialog is open.
    let is_private = Memo::new(move |_| {
        handle.config_version.track();
        handle.peek(|s| crate::import::is_unredacted(&s.scenario().name))
    });
    view! {
            <section class="share" aria-labelledby="share-heading">
                <h2 id="share-heading">"Share"</h2>
                {move || is_private.get().then(|| view! {
                    <div class="share__private" role="note">
                        <p>"This setup was imported from your own account: a link, an embed or a picture of it carries its names, resource ids, account id and addresses."</p>
                        <button class="button" on:click=move |_| {
                            is_open.set(false);
                            if let Some(d) = import_dialog { d.0.set(true); }
                        }>"Redact it first"</button>
                    </div>
                })}
                <label class="field--check">
                    <input type="checkbox" prop:checked=move || is_moment.get() on:change=move |ev| is_moment.set(event_target_checked(&ev))/>
                    {move || match moment.get() {
                        Some(Ok(state)) => format!(" Link to this moment ({}), with the changes made since the run began", crate::sim::timeline::clock(state.at_ms.unwrap_or_default())),
                        _ => " Link to this moment, with the changes made since the run began".to_string(),
                    }}
                </label>
                {move || match moment.get() {
                    Some(Err(e)) => Some(view! { <p class="field-error" role="alert">{format!("This link opens the setup as it is now instead: {e}.")}</p> }.into_any()),
                    Some(Ok(_)) => Some(view! { <p class="panel__hint">"The link replays the run from its start to this moment and opens it paused."</p> }.into_any()),
                    None => None,
                }}
                <div class="field">
                    <label class="field__label" for="share-link">"Link to exactly this state"</label>
                    <input id="share-link" type="text" readonly prop:value=move || link.get()/>
                    <button class="button" on:click=move |_| copy_to_clipboard(&link.get_untracked())>"Copy link"</button>
                </div>
                <fieldset class="share__options">
                    <legend>"Embed options"</legend>
                    <label class="field--check"><input type="checkbox" prop:checked=move || readonly.get() on:change=move |ev| readonly.set(event_target_checked(&ev))/>" Read-only (no settings)"</label>
                    <label class="field--check"><input type="checkbox" prop:checked=move || autoplay.get() on:change=move |ev| autoplay.set(event_target_checked(&ev))/>" Autoplay"</label>
                    <label>"Theme "
                        <select prop:value=move || theme.get() on:change=move |ev| theme.set(event_target_value(&ev))>
                            <option value="auto">"Auto"</option>
                            <option value="light">"Light"</option>
                            <option value="dark">"Dark"</option>
                        </select>
                    </label>
                    <span class="share__panels">
                        "Panels: "
                        {PANELS.iter().map(|p| {
                            let p = p.to_string();
                            let p2 = p.clone();
                            let p3 = p.clone();
                            view! {
                                <label class="field--check">
                                    <input type="checkbox"
                                        prop:checked=move || panels.with(|v| v.contains(&p2))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let p = p3.clone();
                                            panels.update(|v| { v.retain(|x| *x != p); if on { v.push(p); } });
                                        }/>
                                    {format!(" {p}")}
                                </label>
                            }
                        }).collect_view()}
                    </span>
                </fieldset>
                <div class="field">
                    <label class="field__label" for="share-snippet">"Embed snippet"</label>
                    <textarea id="share-snippet" readonly rows="4" prop:value=move || snippet.get()></textarea>
                    <button class="button" on:click=move |_| copy_to_clipboard(&snippet.get_untracked())>"Copy snippet"</button>
                </div>
                <h3>"Pictures"</h3>
                <p class="panel__hint">"A still of the diagram: outcomes as counts at the hop that decided them. The picture keeps this state: drop it on ALB Lab (or open it below) to carry on from here."</p>
                <div class="share__pictures">
                    <button class="button" on:click=move |_| export_svg(handle, ex)>"Download diagram as SVG"</button>
                    <button class="button" on:click=move |_| export_png(handle, ex)>"Download diagram as PNG"</button>
                </div>
                <label class="field">
                    <span class="field__label">"Open a picture exported by ALB Lab"</span>
                    <input type="file" accept=".svg,.png,image/svg+xml,image/png" node_ref=picture_input on:change=on_picture/>
                </label>
            </section>
    }
    .into_any()
}
