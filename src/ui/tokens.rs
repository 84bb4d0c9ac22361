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

/// The shapes a slot can show; CSS shows the one its class names.
fn shape(token: &TokenPlan) -> &'static str {
    if token.is_probe {
        return "diamond";
    }
    match token.class_key {
        "ok" => "circle",
        "timeout" | "refused" => "cross",
        _ => "square",
    }
}

struct Live {
    plan: TokenPlan,
    key: FlowKey,
    born_ms: f64,
}

/// The token pool's state. One per page.
#[derive(Default)]
pub struct Engine {
    live: Vec<Option<Live>>,
    /// What each slot's element shows now (class, transform, token id), so unchanged attributes
    /// are not written again.
    written: Vec<(String, String, u64)>,
    layer: Option<web_sys::Element>,
    flows_layer: Option<web_sys::Element>,
    badges_layer: Option<web_sys::Element>,
    slots: Vec<web_sys::Element>,
    last_request_id: u64,
    last_check_ms: u64,
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
        let (last_id, last_check) = handle.peek(|s| {
            let id = s.in_flight_requests().chain(s.recent_requests()).map(|r| r.id).max().unwrap_or(0);
            let check = s.pending_checks().map(|c| c.sent_at_ms).max().unwrap_or(0).max(s.now_ms());
            (id, check)
        });
        self.last_request_id = last_id;
        self.last_check_ms = last_check;
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
        self.written = vec![(String::new(), String::new(), 0); self.slots.len()];
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
            for slot in self.live.iter_mut() {
                let rerouted = slot.as_ref().and_then(|l| plan::route(&l.key, scene));
                match (slot.as_mut(), rerouted) {
                    (Some(l), Some((points, row))) => {
                        l.plan.points = points;
                        l.plan.row = row;
                    }
                    _ => *slot = None,
                }
            }
        }
        let playing = handle.is_playing.get_untracked();
        let speed = if playing { handle.speed.get_untracked() } else { 0.0 };
        let reduced = handle.is_reduced_motion.get_untracked();
        let selected = match handle.selected.get_untracked() {
            super::Selected::Request(id) => Some(id),
            _ => None,
        };

        // What arrived since the last frame, and how fast traffic moves in wall-clock terms.
        let (candidates, counts, request_rate, probe_rate) = handle.peek(|s| {
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
            let recent = s.flows().window(s.now_ms(), 5);
            let per_sim_second = |kind: TraceKind| recent.iter().filter(|(k, _)| k.kind == kind).map(|(_, n)| *n as f64).sum::<f64>() / 5.0;
            let requests = per_sim_second(TraceKind::Request) * speed;
            let probes = per_sim_second(TraceKind::HealthCheck) * speed;
            (out, s.flows().window(s.now_ms(), plan::FLOW_WINDOW_SECONDS), requests, probes)
        });
        self.request_flows = plan::shows_flows(request_rate, self.request_flows);
        self.probe_flows = plan::shows_flows(probe_rate, self.probe_flows);

        // Room for new tokens: single tokens while traffic is slow; a steady sample on top of
        // the flows when it is fast. A token is never dropped before it arrives.
        let free = self.live.iter().filter(|l| l.is_none()).count();
        if self.request_flows || self.probe_flows {
            self.sample_credit = (self.sample_credit + dt_s * plan::SAMPLED_TOKENS_PER_SECOND).min(3.0);
        }
        let in_flows = |k: &FlowKey| if k.kind == TraceKind::HealthCheck { self.probe_flows } else { self.request_flows };
        let (sampled, single): (Vec<Candidate>, Vec<Candidate>) = candidates.into_iter().partition(|c| in_flows(&c.key) && !c.is_priority);
        let mut planned = plan::plan_tokens(&single, scene, free);
        let room = (free - planned.len()).min(self.sample_credit.floor() as usize);
        let extra = plan::plan_tokens(&sampled, scene, room);
        self.sample_credit -= extra.len() as f64;
        planned.extend(extra);
        for mut p in planned {
            if reduced {
                p.travel_ms = 0.0;
            }
            let Some(key) = single.iter().chain(sampled.iter()).find(|c| c.id == p.id).map(|c| c.key) else { continue };
            if let Some(slot) = self.live.iter_mut().find(|l| l.is_none()) {
                *slot = Some(Live { plan: p, key, born_ms: wall_ms });
            }
        }

        // Move, expire and write the pool.
        for (i, slot) in self.live.iter_mut().enumerate() {
            let expired = slot.as_ref().is_some_and(|l| wall_ms - l.born_ms > l.plan.life_ms());
            if expired {
                *slot = None;
            }
            let Some(el) = self.slots.get(i) else { continue };
            let (class, transform) = match slot {
                Some(l) => {
                    let age = wall_ms - l.born_ms;
                    let (x, y) = l.plan.position(age);
                    let arrived = l.plan.has_arrived(age);
                    let class = format!(
                        "token token--{} token--shape-{}{}",
                        l.plan.class_key,
                        shape(&l.plan),
                        if arrived { " token--arrived" } else { "" }
                    );
                    // A slot holds a new token, or its token was routed to another row.
                    let row = l.plan.row.map(|r| r.to_string()).unwrap_or_default();
                    if self.written[i].2 != l.plan.id || el.get_attribute("data-row").as_deref() != Some(row.as_str()) {
                        let _ = el.set_attribute("data-hop", l.plan.hop.key());
                        let _ = el.set_attribute("data-row", &row);
                        let _ = el.set_attribute("data-id", &l.plan.id.to_string());
                        self.written[i].2 = l.plan.id;
                    }
                    (class, format!("translate({x:.1} {y:.1})"))
                }
                None => ("token token--idle".to_string(), String::new()),
            };
            if self.written[i].0 != class {
                let _ = el.set_attribute("class", &class);
                self.written[i].0 = class;
            }
            if self.written[i].1 != transform {
                let _ = el.set_attribute("transform", &transform);
                self.written[i].1 = transform;
            }
        }

        // Flows and badges change with the counts, a few times a second at most.
        let showing = self.request_flows || self.probe_flows;
        if wall_ms - self.last_flows_ms >= 250.0 || (!showing && !self.flows_text.0.is_empty()) {
            self.last_flows_ms = wall_ms;
            let (bands, badges) =
                if showing { flows_svg(scene, &counts, self.request_flows, self.probe_flows) } else { Default::default() };
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

    /// Tokens on the diagram now (for the tests' bounds).
    pub fn live_count(&self) -> usize {
        self.live.iter().filter(|l| l.is_some()).count()
    }
}

/// The flows and the badges of the kinds drawn as flows, as SVG markup: the same markup the
/// still pictures use.
fn flows_svg(scene: &Scene, counts: &[(FlowKey, u32)], requests: bool, probes: bool) -> (String, String) {
    let shown: Vec<(FlowKey, u32)> =
        counts.iter().filter(|(k, _)| if k.kind == TraceKind::HealthCheck { probes } else { requests }).copied().collect();
    let (bands, badges) = plan::plan_flows(&shown, plan::FLOW_WINDOW_SECONDS as f64, scene);
    (bands.iter().map(still::band_svg).collect(), badges.iter().map(still::badge_svg).collect())
}

/// Attach a listener that JavaScript tests can read: the pool's size and how many tokens live.
pub fn expose_counts(engine: leptos::prelude::StoredValue<Engine, leptos::prelude::LocalStorage>) {
    use leptos::prelude::*;
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
