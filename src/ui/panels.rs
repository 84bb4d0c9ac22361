//! The panels around the diagram: time controls, the client, Why?, the text path table, metrics,
//! the event log, and the live region that announces outcome changes.

use super::{use_sim, Selected};
use crate::diagram::chart;
use crate::diagram::text::Piece;
use crate::sim::diagnosis::Severity;
use crate::sim::trace::TraceKind;
use crate::sim::{Command, Hop, OutcomeClass, Sim};
use leptos::prelude::*;

pub use crate::diagram::text::clock_text;

use crate::share::SPEEDS;

#[component]
pub fn TimeControls(
    /// The embed's toolbar: no seed form.
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let handle = use_sim();
    let ex = super::exercises::use_exercises();
    let seed_text = RwSignal::new(String::new());
    let seed_error = RwSignal::new(None::<String>);
    view! {
        <section class="controls panel" class:controls--compact=compact aria-label="Time controls">
            <button
                class="button button--primary"
                on:click=move |_| handle.is_playing.update(|p| *p = !*p)
                aria-pressed=move || handle.is_playing.get().to_string()
            >
                {move || if handle.is_playing.get() { "Pause" } else { "Play" }}
            </button>
            <button
                class="button controls__back"
                on:click=move |_| handle.step_back()
                title="Go back to the previous event"
            >
                "Step back"
            </button>
            <button class="button" on:click=move |_| handle.step() title="Advance to the next event">
                "Step"
            </button>
            <label class="controls__speed">
                <span class="controls__label">"Speed "</span>
                <select
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            handle.speed.set(v.clamp(0.1, 60.0));
                        }
                    }
                    prop:value=move || handle.speed.get().to_string()
                >
                    {SPEEDS.iter().map(|s| view! { <option value=s.to_string()>{format!("{s}×")}</option> }).collect_view()}
                </select>
            </label>
            <button
                class="button"
                on:click=move |_| {
                    handle.reset();
                    ex.restart_attempt();
                }
            >
                "Reset"
            </button>
            <span class="controls__clock" aria-label="Sim clock">
                <span class="controls__label">"Sim time "</span> <output>{move || handle.with(|s| clock_text(s.now_ms()))}</output>
            </span>
            {(!compact).then(|| view! {
            <form
                class="controls__seed"
                on:submit=move |ev| {
                    ev.prevent_default();
                    match seed_text.get_untracked().trim().parse::<u64>() {
                        Ok(seed) => {
                            seed_error.set(None);
                            seed_text.set(String::new());
                            handle.reseed(seed);
                            ex.restart_attempt();
                        }
                        Err(_) => seed_error.set(Some("Seed must be a whole number from 0 to 18446744073709551615.".into())),
                    }
                }
            >
                <label>
                    "Seed "
                    <input
                        type="text"
                        inputmode="numeric"
                        size="8"
                        prop:value=move || if seed_text.get().is_empty() { handle.with_settled(|s| s.seed().to_string()) } else { seed_text.get() }
                        on:input=move |ev| seed_text.set(event_target_value(&ev))
                        aria-invalid=move || seed_error.get().is_some().to_string()
                    />
                </label>
                <button class="button" type="submit">"Restart with seed"</button>
                {move || seed_error.get().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </form>
            })}
        </section>
    }
}

/// Announces when the dominant outcome changes ("requests now fail with 503: …"), or when the
/// same outcome comes from another cause (503 for draining targets, then for an empty group).
#[component]
pub fn LiveRegion() -> impl IntoView {
    let handle = use_sim();
    let summary = Memo::new(move |_| {
        handle.with_settled(|s| {
            let w = s.metrics().window(s.now_ms(), 5);
            // Announce only a clear change: one outcome class in at least 60 % of the requests,
            // so a near tie (round robin over a good and a bad target) does not flap.
            let total = w.total_outcomes();
            let top =
                OutcomeClass::ALL.iter().copied().max_by_key(|c| w.outcome(*c)).filter(|c| w.outcome(*c) * 10 >= total * 6 && total > 0)?;
            let decided = s
                .recent_requests()
                .rev()
                .find(|r| r.kind == TraceKind::Request && r.outcome.class() == top)
                .and_then(|r| r.trace.deciding_hop().cloned());
            Some((top, decided))
        })
    });
    // What the announcement is about: the outcome, and the hop and rule that decided it (not the
    // counts in its words, which change every second).
    let announced =
        Memo::new(move |_| summary.with(|s| s.as_ref().map(|(c, h)| (*c, h.as_ref().map(|h| (h.hop, std::mem::discriminant(&h.detail)))))));
    let text = move || {
        let _ = announced.get();
        match summary.get_untracked() {
            None => String::new(),
            Some((OutcomeClass::Success, _)) => "Requests now succeed: the app answers.".to_string(),
            Some((class, why)) => format!("Requests now end with {}: {}", class.label(), why.map(|h| h.setting()).unwrap_or_default()),
        }
    };
    // Errors are announced where they are shown (role="alert"); this region takes the rest.
    let notice = move || handle.notice.get().filter(|(is_error, _)| !is_error).map(|(_, t)| t).unwrap_or_default();
    view! {
        <div class="sr-only" role="status" aria-live="polite">{text}</div>
        <div class="sr-only" aria-live="polite">{notice}</div>
    }
}

#[component]
pub fn ClientPanel() -> impl IntoView {
    let readonly = super::share::use_embed().is_readonly;
    let handle = use_sim();
    let rate = Memo::new(move |_| handle.with_settled(|s| s.scenario().client.requests_per_second));
    // While dragging, only the label follows; the load changes once, when the slider is let go.
    let dragging = RwSignal::new(None::<f64>);
    let tally = Memo::new(move |_| {
        handle.with_settled(|s| {
            let w = s.metrics().window(s.now_ms(), 30);
            OutcomeClass::ALL.iter().map(|c| (*c, w.outcome(*c))).collect::<Vec<_>>()
        })
    });
    let tasks = Memo::new(move |_| {
        handle.with_settled(|s| {
            s.tasks()
                .filter(|t| t.state != crate::sim::TaskState::Stopped)
                .map(|t| (t.id.to_string(), format!("{} {}", t.state, t.private_ip), t.public_ip.map(|p| p.to_string())))
                .collect::<Vec<_>>()
        })
    });
    let curl_task = RwSignal::new(String::new());
    // A chosen task that has gone away falls back to "first running task".
    Effect::new(move |_| {
        let chosen = curl_task.get();
        if !chosen.is_empty() && !tasks.with(|t| t.iter().any(|(id, _, _)| *id == chosen)) {
            curl_task.set(String::new());
        }
    });
    let curl_port = RwSignal::new(String::new());
    let curl_error = RwSignal::new(None::<String>);
    let last_curl = RwSignal::new(None::<u64>);
    let curl_result = Memo::new(move |_| {
        let id = last_curl.get()?;
        handle.with_settled(|s| {
            s.request(id).map(|r| {
                let done = r.done_at_ms <= s.now_ms();
                if done {
                    format!("curl: {}", r.outcome)
                } else {
                    "curl: waiting…".to_string()
                }
            })
        })
    });
    let on_curl = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let port = curl_port.get_untracked();
        let port = if port.trim().is_empty() {
            None
        } else {
            match port.trim().parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => {
                    curl_error.set(Some("Port must be a number from 1 to 65535.".into()));
                    return;
                }
            }
        };
        let task = curl_task.get_untracked();
        let task = if task.is_empty() { None } else { Some(task) };
        match handle.dispatch(Command::CurlTask { task, port }) {
            Ok(crate::sim::Applied::Sent(id)) => {
                curl_error.set(None);
                last_curl.set(Some(id));
            }
            Ok(_) => {}
            Err(e) => curl_error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="panel client-panel" aria-labelledby="client-heading">
            <h2 id="client-heading">"Client"</h2>
            <p class="panel__hint">"Outcomes over the last 30 s of sim time"</p>
            <ul class="tally" aria-label="Status tally">
                {move || tally.get().into_iter().filter(|(c, n)| *n > 0 || matches!(c, OutcomeClass::Success | OutcomeClass::Elb503)).map(|(c, n)| view! {
                    <li class=format!("tally__item tally__item--{}", c.key())>
                        <span class="tally__label">{c.label()}</span>
                        <span class="tally__count">{n}</span>
                    </li>
                }).collect_view()}
            </ul>
            <label class="field" class:sr-only=readonly>
                <span class="field__label">{move || format!("Load: {} requests per second", dragging.get().unwrap_or_else(|| rate.get()))}</span>
                <input
                    type="range"
                    min="0"
                    max="200"
                    step="1"
                    disabled=readonly
                    prop:value=move || rate.get().to_string()
                    on:input=move |ev| dragging.set(event_target_value(&ev).parse::<f64>().ok())
                    on:change=move |ev| {
                        dragging.set(None);
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            let _ = handle.dispatch(Command::SetRequestRate { requests_per_second: v });
                        }
                    }
                />
            </label>
            <button class="button button--primary" on:click=move |_| { let _ = handle.dispatch(Command::SendRequest); }>
                "Send one request"
            </button>
            <form class="curl" on:submit=on_curl>
                <h3>"curl a task's IP directly"</h3>
                <div class="field">
                    <label class="field__label" for="curl-task">"Task"</label>
                    <select id="curl-task" prop:value=move || curl_task.get() on:change=move |ev| curl_task.set(event_target_value(&ev))>
                        <option value="">"first running task"</option>
                        {move || tasks.get().into_iter().map(|(id, ip, public)| {
                            let short: String = id.chars().take(8).collect();
                            let label = match public { Some(p) => format!("{short} ({ip}, public {p})"), None => format!("{short} ({ip}, no public IP)") };
                            view! { <option value=id>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="curl-port">"Port (blank: container port)"</label>
                    <input id="curl-port" type="text" inputmode="numeric" size="6" on:input=move |ev| curl_port.set(event_target_value(&ev)) aria-invalid=move || curl_error.get().is_some().to_string()/>
                </div>
                <button class="button" type="submit">"curl the task"</button>
                {move || curl_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <p class="curl__result" aria-live="polite">{move || curl_result.get().unwrap_or_default()}</p>
            </form>
        </section>
    }
}

#[derive(Clone, PartialEq)]
struct HopRow {
    hop: Hop,
    passed: bool,
    setting: String,
    term: Option<&'static str>,
    fix: Option<String>,
}

fn hop_rows(trace: &crate::sim::Trace) -> Vec<HopRow> {
    trace
        .hops
        .iter()
        .map(|h| HopRow { hop: h.hop, passed: h.passed, setting: h.setting(), term: h.aws_term(trace.kind), fix: h.fix() })
        .collect()
}

#[derive(Clone, PartialEq)]
struct WhyModel {
    title: String,
    outcome: String,
    hops: Vec<HopRow>,
}

fn why_model(s: &Sim, selected: Selected) -> WhyModel {
    match selected {
        Selected::Target(id) => match s.target(id) {
            Some(t) => {
                let state = match &t.reason {
                    Some(r) => format!("{} — {} ({})", t.state, r.code(), r.description()),
                    None => t.state.to_string(),
                };
                // The core's clock: when this target's next state change would come.
                let mut next = t.next_change(s.target_unhealthy_by_ms(id)).map(|n| format!(" {n}")).unwrap_or_default();
                if let Some(end) = s.grace_period_ends_at_ms(t.task) {
                    next.push_str(&format!(" ECS ignores its health until {} (the service's health-check grace period).", clock_text(end)));
                }
                match &t.last_check {
                    Some(check) => WhyModel {
                        title: format!("Target {} · last health check at {}", t.endpoint, clock_text(check.at_ms)),
                        outcome: format!("{state}; last check {}.{next}", check.result),
                        hops: hop_rows(&check.trace),
                    },
                    None => WhyModel {
                        title: format!("Target {}", t.endpoint),
                        outcome: format!("{state}; no health check has finished yet.{next}"),
                        hops: vec![],
                    },
                }
            }
            // ECS replaced its task: say so, and show what requests get now.
            None => latest_request(s, "The target you selected has left the target group (its task stopped). Latest request"),
        },
        Selected::Request(id) => match s.request(id) {
            Some(r) => WhyModel {
                title: format!(
                    "{} #{} sent at {}",
                    if r.kind == TraceKind::DirectCurl { "Direct curl" } else { "Request" },
                    r.id,
                    clock_text(r.sent_at_ms)
                ),
                outcome: if r.done_at_ms <= s.now_ms() { r.outcome.to_string() } else { format!("in flight; will end: {}", r.outcome) },
                hops: hop_rows(&r.trace),
            },
            None => latest_request(s, "That request is no longer kept (only the latest are). Latest request"),
        },
        _ => latest_request(s, "Latest request"),
    }
}

/// The newest finished client request, titled `title`.
fn latest_request(s: &Sim, title: &str) -> WhyModel {
    match s.recent_requests().rev().find(|r| r.kind == TraceKind::Request) {
        Some(r) => WhyModel {
            title: format!("{title} #{} at {}", r.id, clock_text(r.sent_at_ms)),
            outcome: r.outcome.to_string(),
            hops: hop_rows(&r.trace),
        },
        None => WhyModel { title: "No request has finished yet.".into(), outcome: String::new(), hops: vec![] },
    }
}

#[component]
pub fn WhyPanel() -> impl IntoView {
    let readonly = super::share::use_embed().is_readonly;
    let handle = use_sim();
    let ex = super::exercises::use_exercises();
    let why = Memo::new(move |_| {
        let sel = handle.selected.get();
        handle.with_settled(|s| why_model(s, sel))
    });
    let diagnosis = super::OnDemand::default();
    view! {
        <section class="panel why-panel" aria-labelledby="why-heading">
            <h2 id="why-heading">"Why?"</h2>
            <p class="why__title">{move || why.get().title}</p>
            <p class="why__outcome"><strong>{move || why.get().outcome}</strong></p>
            <ol class="why__hops">
                {move || why.get().hops.into_iter().map(|h| view! {
                    <li class="why__hop" class:why__hop--fail=!h.passed>
                        <span class="why__mark" aria-hidden="true">{if h.passed { "✓" } else { "✗" }}</span>
                        <span class="sr-only">{if h.passed { "passed: " } else { "failed: " }}</span>
                        <strong>{h.hop.label()}</strong>
                        " — " {h.setting}
                        {h.term.map(|t| view! { <code class="why__term">{t}</code> })}
                        {h.fix.filter(|_| !ex.hides_answers()).map(|f| view! { <p class="why__fix">"Fix: " {f}</p> })}
                    </li>
                }).collect_view()}
            </ol>
            // The diagnosis comes after the trace, below the first screen: its engine and words
            // load as soon as the page is up.
            {move || diagnosis.get(load_diagnosis).map(|build: fn(bool) -> AnyView| build(readonly))}
        </section>
    }
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_diagnosis() -> fn(bool) -> AnyView {
    diagnosis_section as fn(bool) -> AnyView
}

/// What the setup settles to and the findings with their fixes (hidden during an exercise).
fn diagnosis_section(readonly: bool) -> AnyView {
    let handle = use_sim();
    let ex = super::exercises::use_exercises();
    let diagnosis = Memo::new(move |_| {
        handle.with_settled(|s| {
            let d = s.diagnose();
            (
                d.client_sees.clone(),
                d.findings
                    .iter()
                    .map(|f| (f.severity, f.hop, f.cause.clone(), f.aws_shows.clone(), f.fix.clone(), f.fix_command.clone()))
                    .collect::<Vec<_>>(),
            )
        })
    });
    view! {
        <h3>"Diagnosis"</h3>
        <p>{move || diagnosis.get().0}</p>
        {move || ex.hides_answers().then(|| view! {
            <p class="panel__hint">"Root causes and fixes are hidden while you work on an exercise: use its hints, or read the trace above."</p>
        })}
        <ul class="findings">
            {move || {
                if ex.hides_answers() {
                    return ().into_any();
                }
                let items = diagnosis.get().1;
                if items.is_empty() {
                    return view! { <li class="finding finding--ok">"Nothing on the path is broken: requests reach the app."</li> }.into_any();
                }
                items.into_iter().map(|(sev, hop, cause, shows, fix, cmd)| {
                    let sev_key = match sev { Severity::Broken => "broken", Severity::Warning => "warning", Severity::Info => "info" };
                    view! {
                        <li class=format!("finding finding--{sev_key}")>
                            <p><strong>{format!("{} · {}", match sev { Severity::Broken => "Broken", Severity::Warning => "Warning", Severity::Info => "Note" }, hop.label())}</strong>": " {cause}</p>
                            <p class="finding__aws">"AWS shows: " {shows}</p>
                            <p class="finding__fix">"Fix: " {fix}</p>
                            {cmd.filter(|_| !readonly).map(|c| view! {
                                <button class="button" on:click=move |_| { let _ = handle.dispatch(c.clone()); }>"Apply this fix"</button>
                            })}
                        </li>
                    }
                }).collect_view().into_any()
            }}
        </ul>
    }
    .into_any()
}

/// Text that wraps only between words: identifiers such as `web-tg` or `10.0.1.23:8000` never
/// break at a hyphen or mid-word on a narrow screen.
fn unbroken_words(text: &str) -> impl IntoView {
    let words: Vec<String> = text.split(' ').map(str::to_string).collect();
    let last = words.len().saturating_sub(1);
    words.into_iter().enumerate().map(|(i, w)| view! { <span class="nowrap">{w}</span>{(i < last).then_some(" ")} }).collect_view()
}

/// The text alternative to the diagram: the configured path and the latest request's verdicts.
/// Below the first screen, so not in the first load: fetched as soon as the page is up.
#[component]
pub fn PathTable() -> impl IntoView {
    let panel = super::OnDemand::default();
    move || panel.view(load_path_table)
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_path_table() -> fn() -> AnyView {
    (|| path_table().into_any()) as fn() -> AnyView
}

/// The text view of the path.
fn path_table() -> impl IntoView {
    let handle = use_sim();
    let rows = Memo::new(move |_| {
        handle.with_settled(|s| {
            let latest = s.recent_requests().rev().find(|r| r.kind == TraceKind::Request).cloned();
            Hop::ALL
                .iter()
                .map(|hop| {
                    let record = latest.as_ref().and_then(|r| r.trace.hops.iter().rev().find(|h| h.hop == *hop));
                    let (verdict, detail) = match record {
                        Some(h) => (if h.passed { "passed" } else { "failed" }, h.setting()),
                        None => ("not reached", String::new()),
                    };
                    (hop.label(), verdict, detail)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="panel" aria-labelledby="path-table-heading" id="path-table">
            <h2 id="path-table-heading">"Request path as text"</h2>
            <div class="path-table-wrap">
            // Explicit roles: on a phone the rows are laid out as blocks, and the table must stay
            // a table to a screen reader.
            <table class="path-table path-table--stacking" role="table">
                <caption class="sr-only">"Each hop of the latest client request, whether it passed, and what decided it"</caption>
                <thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">"Hop"</th><th scope="col" role="columnheader">"Latest request"</th><th scope="col" role="columnheader">"Decided by"</th></tr></thead>
                <tbody role="rowgroup">
                    {move || rows.get().into_iter().map(|(hop, verdict, detail)| view! {
                        <tr role="row" class=format!("path-table__row path-table__row--{}", verdict.replace(' ', "-"))>
                            <th scope="row" role="rowheader">{hop}</th>
                            <td role="cell">{verdict}</td>
                            <td role="cell">{unbroken_words(&detail)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

/// One chart of the metrics panel: lines with axes, a cursor that reads values under the pointer
/// or from the arrow keys, and series that can be hidden from the legend.
#[component]
fn MetricsChart(
    title: &'static str,
    unit: &'static str,
    height: f64,
    data: Memo<(Vec<u64>, Vec<chart::Series>)>,
    hidden: RwSignal<Vec<&'static str>>,
) -> impl IntoView {
    let cursor = RwSignal::new(None::<usize>);
    // The readout is announced when the arrow keys move the cursor, not at every pointer move.
    let by_keyboard = RwSignal::new(false);
    let host = NodeRef::<leptos::html::Div>::new();
    // Drawn at the width it is shown at, so its text keeps its size on a phone.
    let width = super::observe_width(host, 600.0);
    let laid = Memo::new(move |_| {
        let w = width.get().max(280.0);
        data.with(|(times, series)| hidden.with(|h| chart::chart(times, series, h, w, height, unit)))
    });
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some(el) = host.get_untracked() else { return };
        // Measured from the chart itself, whatever child the pointer is over.
        let rect = el.get_bounding_client_rect();
        let x = (ev.client_x() as f64 - rect.left()) * laid.with_untracked(|c| c.width) / rect.width().max(1.0);
        by_keyboard.set(false);
        cursor.set(laid.with_untracked(|c| chart::nearest(&c.xs, x)));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = laid.with_untracked(|c| c.xs.len());
        if n == 0 {
            return;
        }
        let now = cursor.get_untracked().unwrap_or(n - 1).min(n - 1);
        let next = match ev.key().as_str() {
            "ArrowLeft" => now.saturating_sub(1),
            "ArrowRight" => (now + 1).min(n - 1),
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        by_keyboard.set(true);
        cursor.set(Some(next));
    };
    let readout = move || {
        let i = cursor.get()?;
        data.with(|(times, series)| {
            let t = *times.get(i)?;
            let values: Vec<String> = series
                .iter()
                .filter(|s| hidden.with(|h| !h.contains(&s.key)))
                .map(|s| {
                    format!(
                        "{} {}",
                        s.label,
                        s.values
                            .get(i)
                            .map(|v| if unit.is_empty() { format!("{v:.0}") } else { format!("{v:.1}{unit}") })
                            .unwrap_or_default()
                    )
                })
                .collect();
            Some(format!("{}: {}", clock_text(t), values.join(" · ")))
        })
    };
    view! {
        <div
            class="chart"
            node_ref=host
            tabindex="0"
            role="group"
            aria-label=format!("{title}: use the left and right arrow keys to read the values")
            on:pointermove=on_move
            on:pointerleave=move |_| cursor.set(None)
            on:keydown=on_key
            on:blur=move |_| cursor.set(None)
        >
            <svg class="chart__svg" viewBox=move || laid.with(|c| format!("0 0 {:.0} {height}", c.width)) aria-hidden="true">
                {move || laid.with(|c| {
                    let p = c.plot;
                    view! {
                        <rect class="chart__bg" x=p.x y=p.y width=p.w height=p.h></rect>
                        {c.y_ticks.iter().map(|t| view! {
                            <line class="chart__grid" x1=p.x x2=p.x + p.w y1=t.at y2=t.at></line>
                            <text class="chart__tick" x=p.x - 4.0 y=t.at + 4.0 text-anchor="end">{t.label.clone()}</text>
                        }).collect_view()}
                        {c.x_ticks.iter().map(|t| view! {
                            <text class="chart__tick" x=t.at y=p.y + p.h + 16.0 text-anchor="middle">{t.label.clone()}</text>
                        }).collect_view()}
                        {c.lines.iter().map(|(key, d)| view! { <path class=format!("chart__line chart__line--{key}") d=d.clone()></path> }).collect_view()}
                    }
                })}
                {move || cursor.get().and_then(|i| laid.with(|c| c.xs.get(i).map(|x| {
                    let p = c.plot;
                    view! { <line class="chart__cursor" x1=*x x2=*x y1=p.y y2=p.y + p.h></line> }
                })))}
            </svg>
            <p class="chart__readout" aria-live=move || if by_keyboard.get() { "polite" } else { "off" }>{move || readout().unwrap_or_else(|| format!("{title}: point at the chart, or focus it and use the arrow keys, to read values."))}</p>
        </div>
    }
}

/// Below the first screen, so not in the first load: fetched as soon as the page is up.
#[component]
pub fn MetricsPanel() -> impl IntoView {
    let panel = super::OnDemand::default();
    move || panel.view(load_metrics_panel)
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_metrics_panel() -> fn() -> AnyView {
    (|| metrics_panel().into_any()) as fn() -> AnyView
}

/// The metrics charts.
fn metrics_panel() -> impl IntoView {
    let handle = use_sim();
    const STEP_S: u64 = 10;
    let buckets = Memo::new(move |_| handle.with_settled(|s| s.metrics().series(s.now_ms(), 600, (600 / STEP_S) as usize)));
    let times = move || buckets.with(|b| b.iter().map(|b| b.second * 1000).collect::<Vec<u64>>());
    let rate =
        |b: &[crate::sim::Bucket], f: fn(&crate::sim::Counters) -> u32| b.iter().map(|x| f(&x.counters) as f64 / STEP_S as f64).collect();
    let requests = Memo::new(move |_| {
        buckets.with(|b| {
            (
                times(),
                vec![
                    chart::Series { key: "target-2xx", label: "Target 2XX", values: rate(b, |c| c.target_2xx) },
                    chart::Series { key: "elb-502", label: "ELB 502", values: rate(b, |c| c.elb_502) },
                    chart::Series { key: "elb-503", label: "ELB 503", values: rate(b, |c| c.elb_503) },
                    chart::Series { key: "elb-504", label: "ELB 504", values: rate(b, |c| c.elb_504) },
                    chart::Series { key: "timeouts", label: "Client timeouts", values: rate(b, |c| c.client_timeouts) },
                ],
            )
        })
    });
    let hosts = Memo::new(move |_| {
        buckets.with(|b| {
            (
                times(),
                vec![
                    chart::Series { key: "healthy", label: "HealthyHostCount", values: b.iter().map(|x| x.healthy_hosts as f64).collect() },
                    chart::Series {
                        key: "unhealthy",
                        label: "UnHealthyHostCount",
                        values: b.iter().map(|x| x.unhealthy_hosts as f64).collect(),
                    },
                ],
            )
        })
    });
    let hidden = RwSignal::new(Vec::<&'static str>::new());
    let totals = Memo::new(move |_| {
        handle.with_settled(|s| {
            let t = s.metrics().totals;
            format!(
                "Totals: RequestCount {}, Target 2XX {}, ELB 502 {}, 503 {}, 504 {}, client timeouts {}, UnhealthyRoutingRequestCount {}, TargetResponseTime {}",
                t.request_count,
                t.target_2xx,
                t.elb_502,
                t.elb_503,
                t.elb_504,
                t.client_timeouts,
                t.unhealthy_routing,
                t.target_response_time_ms().map(|ms| format!("{:.0} ms", ms)).unwrap_or_else(|| "—".into())
            )
        })
    });
    let legend = move |data: Memo<(Vec<u64>, Vec<chart::Series>)>| {
        let keys: Vec<(&'static str, &'static str)> = data.with_untracked(|(_, s)| s.iter().map(|x| (x.key, x.label)).collect());
        keys.into_iter()
            .map(|(key, label)| {
                let shown = move || hidden.with(|h| !h.contains(&key));
                view! {
                    <li>
                        <button
                            class=format!("chart__key chart__key--{key}")
                            aria-pressed=move || shown().to_string()
                            title=move || if shown() { format!("Hide {label}") } else { format!("Show {label}") }
                            on:click=move |_| hidden.update(|h| if h.contains(&key) { h.retain(|k| *k != key) } else { h.push(key) })
                        >
                            <svg class="chart__sample" viewBox="0 0 24 6" aria-hidden="true"><line class=format!("chart__line chart__line--{key}") x1="0" y1="3" x2="24" y2="3"></line></svg>
                            {label}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // The text alternative: one row per minute.
    let table = move || {
        requests.with(|(times, series)| {
            hosts.with(|(_, host_series)| {
                let per_row = (60 / STEP_S) as usize;
                let rows = times.len().div_ceil(per_row);
                (0..rows)
                    .map(|r| {
                        let from = r * per_row;
                        let to = (from + per_row).min(times.len());
                        let sum = |s: &chart::Series| s.values[from..to].iter().sum::<f64>() * STEP_S as f64;
                        let last = |s: &chart::Series| s.values.get(to - 1).copied().unwrap_or(0.0);
                        view! {
                            <tr>
                                <th scope="row">{format!("{} – {}", clock_text(times[from]), clock_text(times[to - 1] + STEP_S * 1000))}</th>
                                {series.iter().map(|s| view! { <td>{format!("{:.0}", sum(s))}</td> }).collect_view()}
                                {host_series.iter().map(|s| view! { <td>{format!("{:.0}", last(s))}</td> }).collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <section class="panel" aria-labelledby="metrics-heading">
            <h2 id="metrics-heading">"Metrics (last 10 min of sim time)"</h2>
            <h3 class="chart__title">"Requests per second, by outcome"</h3>
            <MetricsChart title="Requests per second" unit="/s" height=170.0 data=requests hidden=hidden/>
            <ul class="chart__legend" aria-label="Request series: press to hide or show">{legend(requests)}</ul>
            <h3 class="chart__title">"Targets"</h3>
            <MetricsChart title="Healthy and unhealthy targets" unit="" height=110.0 data=hosts hidden=hidden/>
            <ul class="chart__legend" aria-label="Target series: press to hide or show">{legend(hosts)}</ul>
            <details class="chart__table">
                <summary>"The metrics as a table"</summary>
                <div class="path-table-wrap">
                <table class="path-table">
                    <caption class="sr-only">"Requests per minute by outcome, and target counts at the end of each minute"</caption>
                    <thead><tr><th scope="col">"Sim time"</th><th scope="col">"Target 2XX"</th><th scope="col">"ELB 502"</th><th scope="col">"ELB 503"</th><th scope="col">"ELB 504"</th><th scope="col">"Client timeouts"</th><th scope="col">"Healthy"</th><th scope="col">"Unhealthy"</th></tr></thead>
                    <tbody>{table}</tbody>
                </table>
                </div>
            </details>
            <p class="panel__hint">{move || totals.get()}</p>
        </section>
    }
}

/// A log message with each ARN shortened in the middle; the full text stays in the DOM (so it
/// is copied whole) and in the tooltip.
fn message_view(message: &str) -> impl IntoView {
    crate::diagram::text::split_arns(message)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => view! { <span>{t.to_string()}</span> }.into_any(),
            Piece::Arn { head, middle, tail } => view! {
                <span class="arn" title=format!("{head}{middle}{tail}")>
                    {head.to_string()}<span class="arn__mid">{middle.to_string()}</span>{tail.to_string()}
                </span>
            }
            .into_any(),
        })
        .collect_view()
}

/// Below the first screen, so not in the first load: fetched as soon as the page is up.
#[component]
pub fn EventLogPanel() -> impl IntoView {
    let panel = super::OnDemand::default();
    move || panel.view(load_event_log_panel)
}

#[cfg_attr(alb_split, leptos::lazy)]
async fn load_event_log_panel() -> fn() -> AnyView {
    (|| event_log_panel().into_any()) as fn() -> AnyView
}

/// The event log.
fn event_log_panel() -> impl IntoView {
    let handle = use_sim();
    // A change carries the aws command that makes it in a real account. Each is written once
    // and kept while its entry is shown, not rewritten five times a second.
    // Keyed by number and time: a reset starts numbering again, and a new run's entry must not
    // show an old run's command.
    let commands = StoredValue::new(std::collections::BTreeMap::<(u64, u64), Option<String>>::new());
    let events = Memo::new(move |_| {
        handle.with_settled(|s| {
            let shown: Vec<_> = s.events().iter().rev().take(80).collect();
            let oldest = shown.last().map(|e| e.seq).unwrap_or(0);
            commands.update_value(|c| {
                c.retain(|(seq, _), _| *seq >= oldest);
                for e in shown.iter().filter(|e| e.source == crate::sim::EventSource::Change) {
                    c.entry((e.seq, e.at_ms))
                        .or_insert_with(|| s.change_of_event(e.seq).and_then(|ch| crate::sim::cli::to_cli(&ch.command, &ch.before)));
                }
            });
            shown
                .into_iter()
                .map(|e| {
                    let cli = commands.with_value(|c| c.get(&(e.seq, e.at_ms)).cloned().flatten());
                    (e.seq, e.at_ms, e.source.key(), e.message.clone(), cli)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="panel" aria-labelledby="log-heading">
            <h2 id="log-heading">"Event log"</h2>
            <p class="panel__hint">"ECS service events, target health changes and your changes (each with its aws command), newest first"</p>
            <ol class="log" aria-label="Events, newest first" tabindex="0">
                <For each=move || events.get() key=|e| (e.0, e.1) let:e>
                    <li class=format!("log__item log__item--{}", e.2)>
                        <time>{clock_text(e.1)}</time>
                        <span class="log__source">{e.2}</span>
                        <span class="log__message">
                            {message_view(&e.3)}
                            {e.4.clone().map(|cli| {
                                let copy = cli.clone();
                                view! {
                                    <span class="log__cli">
                                        <code>{cli}</code>
                                        <button class="button button--small log__copy" type="button" aria-label=format!("Copy the aws command of {}", clock_text(e.1))
                                            on:click=move |_| {
                                                super::share::copy_to_clipboard(&copy);
                                                handle.notice.set(Some((false, "Copied the aws command.".into())));
                                            }>"Copy"</button>
                                    </span>
                                }
                            })}
                        </span>
                    </li>
                </For>
            </ol>
        </section>
    }
}
