//! What moves on the diagram, drawn each animation frame without the reactive system: request
//! tokens, health-check probes, flows and count badges.
//!
//! What to draw is decided by the pure planner ([`crate::diagram::plan`]); this file only keeps
//! the tokens that are on their way and writes them into a fixed pool of SVG elements the
//! diagram created once. Nothing here allocates per request that outlives a frame, and nothing
//! subscribes to anything: the number of elements and reactive nodes stays the same however
//! long the page runs (the memory leak of the old token components, which were created and
//! disposed per token, cannot come back).

use super::SimHandle;
use crate::diagram::plan::{self, Candidate, TokenPlan};
use crate::diagram::{still, Scene};
use crate::sim::flows::FlowKey;
use crate::sim::trace::TraceKind;
use leptos::prelude::{GetUntracked, WithUntracked};
use wasm_bindgen::JsCast;

/// The learner's own requests waiting for a free slot, at most.
const MAX_WAITING: usize = 8;

struct Live {
    plan: TokenPlan,
    born_ms: f64,
}

/// What a slot's element shows now, so unchanged attributes are not written again.
#[derive(Clone, Default, PartialEq)]
struct Written {
    class: String,
    transform: String,
    id: u64,
    row: Option<usize>,
}

/// The token pool's state. One per page.
#[derive(Default)]
pub struct Engine {
    live: Vec<Option<Live>>,
    written: Vec<Written>,
    layer: Option<web_sys::Element>,
    flows_layer: Option<web_sys::Element>,
    badges_layer: Option<web_sys::Element>,
    slots: Vec<web_sys::Element>,
    last_request_id: u64,
    last_check_ms: u64,
    /// Requests finished up to here have been compared with their tokens.
    last_done_ms: u64,
    /// The learner's own requests and curls that found no free slot yet.
    waiting: Vec<Candidate>,
    /// The scene's size and task rows the tokens were planned for: when rows move (a task came
    /// or went) or the size changes, tokens on their way are routed again in the new layout.
    planned_for: (f64, f64, bool),
    planned_rows: Vec<u32>,
    request_flows: bool,
    probe_flows: bool,
    /// Sampled tokens allowed while flows are drawn (a token bucket).
    sample_credit: f64,
    last_frame_ms: f64,
    last_flows_ms: f64,
    flows_text: (String, String),
}

impl Engine {
    /// Forget every token (after a reset or a new scenario).
    pub fn clear(&mut self, handle: &SimHandle) {
        for slot in self.live.iter_mut() {
            *slot = None;
        }
        for w in self.written.iter_mut() {
            *w = Written::default();
        }
        self.waiting.clear();
        let (last_id, last_check, now) = handle.peek(|s| {
            let id = s.in_flight_requests().chain(s.recent_requests()).map(|r| r.id).max().unwrap_or(0);
            let check = s.pending_checks().map(|c| c.sent_at_ms).max().unwrap_or(0).max(s.now_ms());
            (id, check, s.now_ms())
        });
        self.last_request_id = last_id;
        self.last_check_ms = last_check;
        self.last_done_ms = now;
        self.flows_text = Default::default();
        for layer in [&self.flows_layer, &self.badges_layer].into_iter().flatten() {
            layer.set_inner_html("");
        }
    }

    /// Find the diagram's token layer (again, if the diagram was drawn anew).
    fn attach(&mut self) -> bool {
        if self.layer.as_ref().is_some_and(|l| l.is_connected()) {
            return true;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
        let Some(layer) = document.query_selector(".diagram-tokens").ok().flatten() else { return false };
        let children = layer.children();
        self.slots = (0..children.length()).filter_map(|i| children.item(i)).collect();
        self.live = (0..self.slots.len()).map(|_| None).collect();
        self.written = vec![Written::default(); self.slots.len()];
        self.flows_layer = document.query_selector(".diagram-flows").ok().flatten();
        self.badges_layer = document.query_selector(".diagram-badges").ok().flatten();
        self.flows_text = Default::default();
        self.layer = Some(layer);
        true
    }

    /// Advance one animation frame: take in what the sim sent, decide tokens or flows, move the
    /// tokens and write the pool.
    pub fn frame(&mut self, handle: &SimHandle, wall_ms: f64) {
        if !self.attach() {
            return;
        }
        handle.scene.with_untracked(|scene| self.frame_in(handle, scene, wall_ms));
    }

    fn frame_in(&mut self, handle: &SimHandle, scene: &Scene, wall_ms: f64) {
        let dt_s = ((wall_ms - self.last_frame_ms) / 1000.0).clamp(0.0, 0.25);
        self.last_frame_ms = wall_ms;
        let size = (scene.layout.width, scene.layout.height, scene.layout.is_vertical);
        if size != self.planned_for || scene.rows != self.planned_rows {
            self.planned_for = size;
            self.planned_rows.clone_from(&scene.rows);
            self.reroute(scene);
        }
        let playing = handle.is_playing.get_untracked();
        let speed = handle.speed.get_untracked();
        let reduced = handle.is_reduced_motion.get_untracked();
        let selected = match handle.selected.get_untracked() {
            super::Selected::Request(id) => Some(id),
            _ => None,
        };

        // What arrived since the last frame, what finished (a request's outcome can still change
        // when it completes: its task stopped meanwhile), and how fast traffic moves in
        // wall-clock terms.
        let (candidates, finished, rates) = handle.peek(|s| {
            let mut out: Vec<Candidate> = Vec::new();
            let mut last_id = self.last_request_id;
            for r in s.in_flight_requests().chain(s.recent_requests()).filter(|r| r.id > self.last_request_id) {
                last_id = last_id.max(r.id);
                out.push(Candidate::of_request(r, Some(r.id) == selected || r.kind == TraceKind::DirectCurl));
            }
            self.last_request_id = last_id;
            let mut last_check = self.last_check_ms;
            for c in s.pending_checks().filter(|c| c.sent_at_ms > self.last_check_ms) {
                last_check = last_check.max(c.sent_at_ms);
                if let Some(t) = s.target(c.target) {
                    out.push(Candidate::of_check(c, t.task));
                }
            }
            self.last_check_ms = last_check;
            out.sort_by_key(|c| c.id);
            let finished: Vec<Candidate> = s
                .recent_requests()
                .rev()
                .take_while(|r| r.done_at_ms > self.last_done_ms)
                .map(|r| Candidate::of_request(r, false))
                .collect();
            self.last_done_ms = s.now_ms();
            // Paused, the rate is the one time was running at: flows and badges stay while the
            // learner reads them.
            let rates = playing.then(|| {
                let recent = s.flows().window(s.now_ms(), 5);
                let per_sim_second =
                    |kind: TraceKind| recent.iter().filter(|(k, _)| k.kind == kind).map(|(_, n)| *n as f64).sum::<f64>() / 5.0;
                (per_sim_second(TraceKind::Request) * speed, per_sim_second(TraceKind::HealthCheck) * speed)
            });
            (out, finished, rates)
        });
        if let Some((request_rate, probe_rate)) = rates {
            self.request_flows = plan::shows_flows(request_rate, self.request_flows);
            self.probe_flows = plan::shows_flows(probe_rate, self.probe_flows);
        }
        self.reclass(&finished, scene);

        // Room for new tokens: single tokens while traffic is slow; a steady sample on top of
        // the flows when it is fast. A token is never dropped before it arrives, and the
        // learner's own request waits for room rather than being skipped.
        let (mine, rest): (Vec<Candidate>, Vec<Candidate>) = candidates.into_iter().partition(|c| c.is_priority);
        self.waiting.extend(mine);
        let excess = self.waiting.len().saturating_sub(MAX_WAITING);
        self.waiting.drain(..excess);
        if self.request_flows || self.probe_flows {
            self.sample_credit = (self.sample_credit + dt_s * plan::SAMPLED_TOKENS_PER_SECOND).min(3.0);
        }
        let in_flows = |k: &FlowKey| if k.kind == TraceKind::HealthCheck { self.probe_flows } else { self.request_flows };
        let (sampled, single): (Vec<Candidate>, Vec<Candidate>) = rest.into_iter().partition(|c| in_flows(&c.key));
        let mut free = self.live.iter().filter(|l| l.is_none()).count();
        let waiting = std::mem::take(&mut self.waiting);
        let mut planned = plan::plan_tokens(&waiting, scene, free);
        self.waiting = waiting.into_iter().filter(|c| !planned.iter().any(|p| p.id == c.id)).collect();
        free -= planned.len();
        let singles = plan::plan_tokens(&single, scene, free);
        free -= singles.len();
        planned.extend(singles);
        let room = free.min(self.sample_credit.floor() as usize);
        let extra = plan::plan_tokens(&sampled, scene, room);
        self.sample_credit -= extra.len() as f64;
        planned.extend(extra);
        for mut p in planned {
            if reduced {
                p.travel_ms = 0.0;
            }
            if let Some(slot) = self.live.iter_mut().find(|l| l.is_none()) {
                *slot = Some(Live { plan: p, born_ms: wall_ms });
            }
        }
        self.write(wall_ms);

        // Flows and badges change with the counts, a few times a second at most.
        let showing = self.request_flows || self.probe_flows;
        if wall_ms - self.last_flows_ms >= 250.0 || (!showing && !self.flows_text.0.is_empty()) {
            self.last_flows_ms = wall_ms;
            let (bands, badges) = if showing {
                handle.peek(|s| {
                    let now = s.now_ms();
                    // Bands show the rate now (the last few seconds); badges count the tally's
                    // window, so a fix shows in the bands at once.
                    let rate = s.flows().window(now, plan::BAND_WINDOW_SECONDS);
                    let counts = s.flows().window(now, plan::FLOW_WINDOW_SECONDS);
                    flows_svg(scene, &rate, &counts, self.request_flows, self.probe_flows)
                })
            } else {
                Default::default()
            };
            if bands != self.flows_text.0 {
                if let Some(f) = &self.flows_layer {
                    f.set_inner_html(&bands);
                }
                self.flows_text.0 = bands;
            }
            if badges != self.flows_text.1 {
                if let Some(f) = &self.badges_layer {
                    f.set_inner_html(&badges);
                }
                self.flows_text.1 = badges;
            }
        }
    }

    /// Route every token on its way again in a new layout (a row came or went).
    fn reroute(&mut self, scene: &Scene) {
        for slot in self.live.iter_mut() {
            let rerouted = slot.as_ref().and_then(|l| plan::route(&l.plan.key, scene));
            match (slot.as_mut(), rerouted) {
                (Some(l), Some((points, row))) => {
                    l.plan.points = points;
                    l.plan.row = row;
                }
                _ => *slot = None,
            }
        }
    }

    /// A request whose outcome changed when it completed (502: its task stopped, or its target
    /// drained, while it was in flight) ends where and as the core recorded it.
    fn reclass(&mut self, finished: &[Candidate], scene: &Scene) {
        for c in finished {
            let Some(l) = self.live.iter_mut().flatten().find(|l| l.plan.id == c.id) else { continue };
            if l.plan.key == c.key {
                continue;
            }
            if let Some(t) = plan::plan_tokens(std::slice::from_ref(c), scene, 1).pop() {
                l.plan = TokenPlan { travel_ms: l.plan.travel_ms, ..t };
            }
        }
    }

    /// Write the pool: each slot's token where it is now, or hidden.
    fn write(&mut self, wall_ms: f64) {
        for (i, slot) in self.live.iter_mut().enumerate() {
            if slot.as_ref().is_some_and(|l| wall_ms - l.born_ms > l.plan.life_ms()) {
                *slot = None;
            }
            let (Some(el), Some(written)) = (self.slots.get(i), self.written.get_mut(i)) else { continue };
            let now = match slot {
                Some(l) => {
                    let age = wall_ms - l.born_ms;
                    let (x, y) = l.plan.position(age);
                    let shape = if l.plan.is_probe {
                        "diamond"
                    } else {
                        match l.plan.class_key {
                            "ok" => "circle",
                            "timeout" | "refused" => "cross",
                            _ => "square",
                        }
                    };
                    let arrived = if l.plan.has_arrived(age) { " token--arrived" } else { "" };
                    Written {
                        class: format!("token token--{} token--shape-{shape}{arrived}", l.plan.class_key),
                        transform: format!("translate({x:.1} {y:.1})"),
                        id: l.plan.id,
                        row: l.plan.row,
                    }
                }
                None => Written { class: "token token--idle".into(), ..Written::default() },
            };
            if now.id != written.id || now.row != written.row {
                if let Some(l) = slot {
                    let _ = el.set_attribute("data-hop", l.plan.hop.key());
                    let _ = el.set_attribute("data-row", &l.plan.row.map(|r| r.to_string()).unwrap_or_default());
                    let _ = el.set_attribute("data-id", &l.plan.id.to_string());
                }
            }
            if now.class != written.class {
                let _ = el.set_attribute("class", &now.class);
            }
            if now.transform != written.transform {
                let _ = el.set_attribute("transform", &now.transform);
            }
            *written = now;
        }
    }

    /// Tokens on the diagram now (for the tests' bounds).
    pub fn live_count(&self) -> usize {
        self.live.iter().filter(|l| l.is_some()).count()
    }
}

/// The flows (at their current rate) and the badges (counted over the tally's window) of the
/// kinds drawn as flows, as SVG markup: the same markup the still pictures use.
fn flows_svg(scene: &Scene, rate: &[(FlowKey, u32)], counts: &[(FlowKey, u32)], requests: bool, probes: bool) -> (String, String) {
    let shown = |all: &[(FlowKey, u32)]| -> Vec<(FlowKey, u32)> {
        all.iter().filter(|(k, _)| if k.kind == TraceKind::HealthCheck { probes } else { requests }).copied().collect()
    };
    let (bands, _) = plan::plan_flows(&shown(rate), plan::BAND_WINDOW_SECONDS as f64, scene);
    let (_, badges) = plan::plan_flows(&shown(counts), plan::FLOW_WINDOW_SECONDS as f64, scene);
    (bands.iter().map(still::band_svg).collect(), badges.iter().map(still::badge_svg).collect())
}

/// Attach a function that JavaScript tests and the page benchmark can read: the pool's size,
/// how many tokens live, and the wasm module's memory in bytes.
pub fn expose_counts(engine: leptos::prelude::StoredValue<Engine, leptos::prelude::LocalStorage>) {
    use leptos::prelude::WithValue;
    let Some(window) = web_sys::window() else { return };
    let f = wasm_bindgen::closure::Closure::<dyn Fn() -> js_sys::Array>::new(move || {
        let out = js_sys::Array::new();
        engine.with_value(|e| {
            out.push(&(e.slots.len() as u32).into());
            out.push(&(e.live_count() as u32).into());
        });
        // The wasm module's memory, in bytes: it only ever grows, so a leak shows here.
        let memory = wasm_bindgen::memory();
        let bytes = js_sys::Reflect::get(&memory, &"buffer".into())
            .ok()
            .and_then(|b| js_sys::Reflect::get(&b, &"byteLength".into()).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        out.push(&bytes.into());
        out
    });
    let _ = js_sys::Reflect::set(&window, &"__albLabTokens".into(), f.as_ref().unchecked_ref());
    f.forget();
}
