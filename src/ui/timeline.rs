//! The timeline under the diagram: the run so far in sim time, markers for what happened, a
//! playhead to drag (or move with the keys) that shows the whole page as it was, "Step back",
//! the question asked when play is pressed in the past, and the branches left behind. The
//! history and the seeking are the core's ([`crate::sim::timeline`]); this is the panel. Loaded
//! just after start, like the console.

use super::handle::TravelHooks;
use super::{exercises, use_sim, OnDemand, SimHandle};
use crate::sim::timeline::{clock, Marker, MarkerKind};
use crate::sim::Sim;
use leptos::prelude::*;

#[component]
pub fn TimelinePanel() -> impl IntoView {
    let panel = OnDemand::default();
    move || panel.view(load_timeline_panel)
}

/// Loaded just after start. Building the panel hands the handle its time-travel hooks, so the
/// first load carries none of this code.
#[cfg_attr(alb_split, leptos::lazy)]
async fn load_timeline_panel() -> fn() -> AnyView {
    (|| {
        super::browser::add_style_once("timeline-style", include_str!("../../style/timeline.css"));
        install_hooks(use_sim());
        timeline_panel().into_any()
    }) as fn() -> AnyView
}

/// Hand the hooks to the handle, start the timeline of the run shown, and show a moment a
/// parent page asked for before the code arrived.
fn install_hooks(handle: SimHandle) {
    if handle.travel.get_value().is_some() {
        return;
    }
    let hooks = TravelHooks {
        start: |noted, live| noted.start(Sim::new(live.initial_scenario().clone(), Some(live.seed())), live),
        after_ticks: |t, s| t.after_tick(s),
        apply: |t, s, command| t.apply_in_past(s, command),
        step_in_past: |t, s| t.step_forward(s),
        seek,
        step_back,
    };
    handle.travel.set_value(Some(hooks));
    let noted = handle.timeline.try_update_value(std::mem::take).unwrap_or_default();
    let started = handle.sim.with_value(|s| (hooks.start)(noted, s));
    handle.timeline.set_value(started);
    if let Some(at_ms) = handle.pending_seek.try_update_value(Option::take).flatten() {
        seek(handle, at_ms);
    }
}

fn seek(handle: SimHandle, at_ms: u64) {
    let timeline = handle.timeline;
    handle.is_playing.set(false);
    handle.is_asking_resume.set(false);
    handle.sim.update_value(|s| timeline.update_value(|t| t.view(s, at_ms)));
    handle.after_jump();
}

fn step_back(handle: SimHandle) {
    let timeline = handle.timeline;
    let previous = handle.sim.with_value(|s| timeline.with_value(|t| t.previous_event_ms(s)));
    match previous {
        Some(at_ms) => seek(handle, at_ms),
        None => handle.notice.set(Some((false, "This is the earliest moment the timeline keeps.".into()))),
    }
}

fn back_to_now(handle: SimHandle) {
    let timeline = handle.timeline;
    handle.is_asking_resume.set(false);
    handle.sim.update_value(|s| timeline.update_value(|t| t.back_to_now(s)));
    handle.after_jump();
}

/// Go on from the past moment shown; the later history is kept as a branch or dropped.
fn resume(handle: SimHandle, ex: exercises::Exercises, keep_branch: bool) {
    let timeline = handle.timeline;
    handle.sim.with_value(|s| timeline.update_value(|t| t.resume_here(s, keep_branch)));
    // The goal is judged again from here: what the dropped future held no longer counts.
    ex.restart_goal_tracking();
    handle.is_asking_resume.set(false);
    handle.after_jump();
    handle.notice.set(Some((
        false,
        if keep_branch {
            "Going on from here; the history you left is kept as a branch below the timeline.".into()
        } else {
            "Going on from here; the later history was discarded.".into()
        },
    )));
    handle.is_playing.set(true);
}

fn switch_branch(handle: SimHandle, ex: exercises::Exercises, index: usize) {
    let timeline = handle.timeline;
    handle.is_asking_resume.set(false);
    handle.sim.update_value(|s| timeline.update_value(|t| t.switch_to_branch(s, index)));
    ex.restart_goal_tracking();
    handle.after_jump();
    handle.notice.set(Some((false, "Back on the branch you left; the one you came from is kept in its place.".into())));
}

/// Markers closer than this share a button (as a share of the track).
const BINS: u64 = 60;

/// Markers that fall in one bin of the track: one button.
#[derive(Clone, Debug, PartialEq)]
struct Group {
    bin: u64,
    /// The one that matters most: its moment (a click goes there), kind (the colour) and words
    /// (the button's name).
    at_ms: u64,
    kind: MarkerKind,
    lead: String,
    /// All of them, oldest first, for the tooltip.
    texts: Vec<String>,
    count: usize,
    left_percent: f64,
}

/// The kind a group shows: errors first, then what explains them.
fn weight(kind: MarkerKind) -> u8 {
    match kind {
        MarkerKind::Errors => 6,
        MarkerKind::Goal => 5,
        MarkerKind::Target => 4,
        MarkerKind::Change => 3,
        MarkerKind::Deployment => 2,
        MarkerKind::Task => 1,
    }
}

fn group(markers: Vec<Marker>, from_ms: u64, to_ms: u64) -> Vec<Group> {
    let span = to_ms.saturating_sub(from_ms).max(1);
    let mut groups: Vec<Group> = Vec::new();
    for m in markers.into_iter().filter(|m| m.at_ms >= from_ms && m.at_ms <= to_ms) {
        let bin = ((m.at_ms - from_ms) * BINS / span).min(BINS - 1);
        match groups.last_mut().filter(|g| g.bin == bin) {
            Some(g) => {
                g.count += 1;
                let text = format!("{} {}", clock(m.at_ms), m.text);
                if weight(m.kind) > weight(g.kind) {
                    g.kind = m.kind;
                    g.at_ms = m.at_ms;
                    g.lead = text.clone();
                }
                if g.texts.len() < 6 {
                    g.texts.push(text);
                }
            }
            None => groups.push(Group {
                bin,
                at_ms: m.at_ms,
                kind: m.kind,
                lead: format!("{} {}", clock(m.at_ms), m.text),
                texts: vec![format!("{} {}", clock(m.at_ms), m.text)],
                count: 1,
                left_percent: (m.at_ms - from_ms) as f64 * 100.0 / span as f64,
            }),
        }
    }
    groups
}

fn group_label(g: &Group) -> String {
    match g.count {
        1 => g.lead.clone(),
        // The button shows the count: its name starts with it (what a screen reader says is
        // what is seen).
        n => format!("{} events: {} (and {} more)", n.min(99), g.lead, n - 1),
    }
}

fn timeline_panel() -> impl IntoView {
    let handle = use_sim();
    let ex = exercises::use_exercises();
    // Play pressed (by a button, a key or a parent page) while the past is shown: ask first. An
    // embed has no room for the question; it keeps the later history as a branch and goes on.
    let is_embed = super::share::use_embed().is_embed;
    Effect::new(move |_| {
        if handle.is_playing.get() && handle.past.get_untracked().is_some() {
            if is_embed {
                resume(handle, ex, true);
            } else {
                handle.is_playing.set(false);
                handle.is_asking_resume.set(true);
            }
        }
    });
    // The span shown: what the timeline keeps, up to the live run's present.
    let span = Memo::new(move |_| {
        handle.settled.track();
        handle.past.track();
        handle.timeline.with_value(|t| (t.earliest_ms(), t.head_ms().max(t.earliest_ms())))
    });
    let shown_ms = Memo::new(move |_| {
        handle.settled.track();
        handle.past.get().unwrap_or_else(|| span.get().1)
    });
    let groups = Memo::new(move |_| {
        handle.settled.track();
        handle.past.track();
        let (from, to) = span.get();
        let mut markers = handle.sim.with_value(|s| handle.timeline.with_value(|t| t.markers(s)));
        let goal = ex.active.with(|a| a.as_ref().and_then(|a| a.tracker.reached_at_ms.map(|at| (at, a.exercise.title.clone()))));
        if let Some((at_ms, title)) = goal {
            markers.push(Marker { at_ms, kind: MarkerKind::Goal, text: format!("Goal met: {title}") });
            markers.sort_by_key(|m| m.at_ms);
        }
        group(markers, from, to)
    });
    let branches = Memo::new(move |_| {
        handle.past.track();
        handle.config_version.track();
        handle.timeline.with_value(|t| t.branches().iter().map(|b| (b.parted_at_ms, b.end_ms, b.own_commands().len())).collect::<Vec<_>>())
    });
    let percent = move |at_ms: u64| {
        let (from, to) = span.get();
        if to <= from {
            100.0
        } else {
            (at_ms.saturating_sub(from)) as f64 * 100.0 / (to - from) as f64
        }
    };
    let track = NodeRef::<leptos::html::Div>::new();
    let at_pointer = move |client_x: i32| -> Option<u64> {
        let el = track.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return None;
        }
        let fraction = ((client_x as f64 - rect.left()) / rect.width()).clamp(0.0, 1.0);
        let (from, to) = span.get_untracked();
        Some(from + ((to - from) as f64 * fraction) as u64)
    };
    let is_dragging = StoredValue::new(false);
    let last_asked = StoredValue::new(u64::MAX);
    let seek_to = move |at_ms: u64| {
        // One seek per tenth of a sim second the pointer crosses.
        let tick = at_ms / 100;
        if last_asked.get_value() == tick {
            return;
        }
        last_asked.set_value(tick);
        seek(handle, at_ms);
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let (from, to) = span.get_untracked();
        let now = shown_ms.get_untracked();
        let step = if ev.shift_key() { 10_000 } else { 1_000 };
        let target = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => now.saturating_sub(step).max(from),
            "ArrowRight" | "ArrowUp" => (now + step).min(to),
            "PageDown" => now.saturating_sub(60_000).max(from),
            "PageUp" => (now + 60_000).min(to),
            "Home" => from,
            "End" => to,
            _ => return,
        };
        ev.prevent_default();
        last_asked.set_value(u64::MAX);
        seek_to(target);
    };
    let live_text = move || {
        let (_, to) = span.get();
        match handle.past.get() {
            Some(at) => format!("{}, {} before now", clock(at), clock(to.saturating_sub(at))),
            None => format!("{} (now)", clock(to)),
        }
    };
    let resume_first = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if handle.is_asking_resume.get() {
            if let Some(b) = resume_first.get() {
                let _ = b.focus();
            }
        }
    });
    view! {
        <section class="timeline" aria-labelledby="timeline-heading">
            <div class="timeline__bar">
                <h3 id="timeline-heading" class="timeline__heading">"Timeline"</h3>
                <span class="timeline__state" aria-live="polite">
                    {move || match handle.past.get() {
                        Some(at) => format!("Showing {} · time is stopped in the past", clock(at)),
                        None => "Live".to_string(),
                    }}
                </span>
                <span class="timeline__ends">{move || { let (from, to) = span.get(); format!("{} – {}", clock(from), clock(to)) }}</span>
                {move || handle.past.get().is_some().then(|| view! {
                    <button class="button" on:click=move |_| back_to_now(handle)>"Back to now"</button>
                })}
            </div>
            <div
                class="timeline__track"
                node_ref=track
                on:pointerdown=move |ev| {
                    if ev.button() != 0 {
                        return;
                    }
                    is_dragging.set_value(true);
                    last_asked.set_value(u64::MAX);
                    if let Some(el) = track.get_untracked() {
                        let _ = el.set_pointer_capture(ev.pointer_id());
                    }
                    if let Some(at) = at_pointer(ev.client_x()) {
                        seek_to(at);
                    }
                }
                on:pointermove=move |ev| {
                    if is_dragging.get_value() {
                        if let Some(at) = at_pointer(ev.client_x()) {
                            seek_to(at);
                        }
                    }
                }
                on:pointerup=move |_| is_dragging.set_value(false)
                on:pointercancel=move |_| is_dragging.set_value(false)
            >
                <div class="timeline__rail" aria-hidden="true"></div>
                <div
                    class="timeline__played"
                    aria-hidden="true"
                    style:width=move || format!("{:.3}%", percent(shown_ms.get()))
                ></div>
                <ul class="timeline__markers" aria-label="What happened">
                    <For
                        each=move || groups.get()
                        key=|g| (g.bin, g.at_ms, g.count, g.kind.key())
                        children=move |g: Group| {
                            let at_ms = g.at_ms;
                            let label = group_label(&g);
                            // Its words open towards the middle of the track, so they stay on screen.
                            let item_class = if g.left_percent > 50.0 { "timeline__marker-item timeline__marker-item--end" } else { "timeline__marker-item" };
                            let mut lines = g.texts.clone();
                            if !lines.contains(&g.lead) {
                                lines.insert(0, g.lead.clone());
                            }
                            let more = g.count.saturating_sub(lines.len());
                            let title = lines.join("\n") + &if more > 0 { format!("\n… {more} more") } else { String::new() };
                            view! {
                                <li class=item_class style:left=format!("{:.3}%", g.left_percent)>
                                    <button
                                        class=format!("timeline__marker timeline__marker--{}", g.kind.key())
                                        aria-label=label
                                        title=title
                                        on:pointerdown=|ev| ev.stop_propagation()
                                        on:click=move |_| seek(handle, at_ms)
                                    >
                                        {(g.count > 1).then(|| g.count.min(99).to_string())}
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
                <div
                    class="timeline__playhead"
                    role="slider"
                    tabindex="0"
                    aria-label="Moment shown"
                    aria-orientation="horizontal"
                    aria-valuemin=move || (span.get().0 / 1000).to_string()
                    aria-valuemax=move || (span.get().1 / 1000).to_string()
                    aria-valuenow=move || (shown_ms.get() / 1000).to_string()
                    aria-valuetext=live_text
                    aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown Home End"
                    style:left=move || format!("{:.3}%", percent(shown_ms.get()))
                    on:keydown=on_key
                ></div>
            </div>
            {move || handle.is_asking_resume.get().then(|| {
                let at = handle.past.get_untracked().unwrap_or_default();
                let head = span.get_untracked().1;
                view! {
                    <div class="timeline__ask" role="group" aria-labelledby="timeline-ask">
                        <p id="timeline-ask">{format!("Go on from {}? The run had gone on to {}.", clock(at), clock(head))}</p>
                        <button class="button button--primary" node_ref=resume_first on:click=move |_| resume(handle, ex, true)>"Keep the later history as a branch"</button>
                        <button class="button" on:click=move |_| resume(handle, ex, false)>"Discard the later history"</button>
                        <button class="button" on:click=move |_| handle.is_asking_resume.set(false)>"Stay here"</button>
                    </div>
                }
            })}
            {move || {
                let list = branches.get();
                (!list.is_empty()).then(|| view! {
                    <div class="timeline__branches">
                        <span>"Branches you left: "</span>
                        {list.into_iter().enumerate().map(|(i, (parted, end, own))| view! {
                            <button class="button" on:click=move |_| switch_branch(handle, ex, i)>
                                {format!("From {} to {}, {} change{}", clock(parted), clock(end), own, if own == 1 { "" } else { "s" })}
                            </button>
                        }).collect_view()}
                    </div>
                })
            }}
            <p class="panel__hint timeline__hint">
                "Drag the playhead or use the arrow keys on it to see the whole page as it was. The timeline keeps the last sim hour."
            </p>
        </section>
    }
}
