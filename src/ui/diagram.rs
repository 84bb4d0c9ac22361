//! The SVG diagram: client → ALB security group → listener → rule → target group (with its
//! targets' state pills) → task security group → tasks → container port mapping → app.
//!
//! Geometry comes from [`crate::diagram::Layout`] (pure, tested natively); this file only turns
//! the sim's state into shapes. Every element a learner can change is a focusable button that
//! selects it, and its settings open in the inspector.

use super::{use_sim, Selected, Token};
use crate::diagram::{point_along, Layout};
use crate::sim::scenario::{Action, NetworkMode};
use crate::sim::{Hop, Sim, TargetState, TaskState};
use leptos::prelude::*;

/// The tasks the diagram draws, one row each, in launch order: the newest
/// [`crate::diagram::MAX_ROWS`], leaving out stopped ones first when there are more.
pub fn task_rows(sim: &Sim) -> Vec<u32> {
    let mut rows: Vec<_> = sim.tasks().collect();
    if rows.len() > crate::diagram::MAX_ROWS {
        rows.retain(|t| t.state != TaskState::Stopped);
    }
    let skip = rows.len().saturating_sub(crate::diagram::MAX_ROWS);
    rows.iter().skip(skip).map(|t| t.seq).collect()
}

/// A direct curl skips the load balancer: from the client straight to the task's row.
pub fn curl_points(layout: &Layout, stop: Hop, row: usize) -> Vec<(f64, f64)> {
    let mut pts = vec![layout.point(Hop::Client, None)];
    for hop in [Hop::TaskSecurityGroup, Hop::Task, Hop::PortMapping, Hop::App] {
        if hop > stop && stop != Hop::Client {
            break;
        }
        pts.push(layout.point(hop, Some(row)));
        if stop == Hop::Client {
            break;
        }
    }
    pts
}

#[derive(Clone, PartialEq)]
struct Row {
    seq: u32,
    short_id: String,
    ip: String,
    state: TaskState,
    target_state: Option<TargetState>,
    target_text: String,
    is_gate_open: bool,
    mapping: String,
    app_text: String,
    health_path: String,
    is_app_match: bool,
    public_ip: Option<String>,
    selected_target: Option<crate::sim::TargetId>,
}

#[derive(Clone, PartialEq)]
struct Model {
    layout: Layout,
    client_text: String,
    is_alb_gate_open: bool,
    alb_sg: String,
    listener_text: String,
    has_listener: bool,
    rule_text: String,
    tg_name: String,
    tg_text: String,
    tg_counts: String,
    task_sg: String,
    rows: Vec<Row>,
    service_text: String,
    zones_text: String,
}

fn model(sim: &Sim, narrow: bool) -> Model {
    let s = sim.scenario();
    let rows_seq = task_rows(sim);
    let layout = Layout::new(rows_seq.len(), narrow);
    let listener = s.load_balancer.listeners.iter().find(|l| l.port == s.client.port);
    let rule_text = match listener.map(|l| &l.default_action) {
        Some(Action::Forward { target_group }) => format!("default → {target_group}"),
        Some(Action::FixedResponse { status_code, .. }) => format!("default → fixed {status_code}"),
        None => "no rule".into(),
    };
    let tg = s.target_groups.first();
    let (healthy, unhealthy) = sim.host_counts();
    let task_sg = match s.task_definition.network_mode {
        NetworkMode::Awsvpc => {
            s.service.as_ref().and_then(|svc| svc.network_configuration.as_ref()).map(|n| n.security_groups.join(", ")).unwrap_or_default()
        }
        NetworkMode::Bridge => s.container_instances.first().map(|c| c.security_groups.join(", ")).unwrap_or_default(),
    };
    let rows = rows_seq
        .iter()
        .filter_map(|seq| sim.task(*seq))
        .map(|t| {
            let target = sim.target_of_task(t.seq);
            let lb_port = t.load_balancer.as_ref().map(|l| l.container_port);
            let container_port = lb_port.or(t.port_mappings.first().map(|m| m.container_port)).unwrap_or(0);
            let mapping = match (t.network_mode, t.host_port) {
                (NetworkMode::Bridge, Some(h)) => format!("{h}→{container_port}"),
                _ => format!("{container_port}→{container_port}"),
            };
            Row {
                seq: t.seq,
                short_id: t.short_id().to_string(),
                ip: t.private_ip.to_string(),
                state: t.state,
                target_state: target.map(|x| x.state),
                target_text: target.map(|x| format!("{} {}", x.endpoint, x.state)).unwrap_or_else(|| {
                    if t.load_balancer.is_some() {
                        "not registered yet".into()
                    } else {
                        "not registered".into()
                    }
                }),
                is_gate_open: sim.task_gate_open(t.seq),
                mapping,
                app_text: format!("app :{}", t.app.listen_port),
                health_path: t.app.health_path.clone(),
                is_app_match: t.app.listen_port == container_port,
                public_ip: t.public_ip.map(|p| p.to_string()),
                selected_target: target.map(|x| x.id),
            }
        })
        .collect();
    let service_text = match (&s.service, sim.service_runtime()) {
        (None, _) => "no ECS service".into(),
        (Some(_), rt) if rt.create_error.is_some() => "ECS refused the service".into(),
        (Some(svc), _) => format!(
            "service {}: desired {}, {}",
            svc.name,
            svc.desired_count,
            if svc.load_balancer.is_some() { "attached" } else { "not attached to a target group" }
        ),
    };
    let zones = s.enabled_zones();
    let zones_text = match zones.len() {
        0 => "VPC".to_string(),
        1 => format!("VPC · subnets in {}", zones[0]),
        n => format!("VPC · subnets in {} and {}", zones[..n - 1].join(", "), zones[n - 1]),
    };
    Model {
        zones_text,
        layout,
        client_text: format!("{} → :{}", s.client.ip, s.client.port),
        is_alb_gate_open: sim.alb_gate_open(),
        alb_sg: s.load_balancer.security_groups.join(", "),
        listener_text: listener.map(|l| format!("HTTP:{}", l.port)).unwrap_or_else(|| format!("no listener :{}", s.client.port)),
        has_listener: listener.is_some(),
        rule_text,
        tg_name: tg.map(|t| t.name.clone()).unwrap_or_default(),
        tg_text: tg.map(|t| format!("{} · HTTP:{} · {}", t.target_type, t.port, t.health_check.path)).unwrap_or_default(),
        tg_counts: format!("{healthy} healthy / {unhealthy} unhealthy"),
        task_sg,
        rows,
        service_text,
    }
}

/// A focusable, clickable diagram element that selects something.
fn select_on(
    handle: super::SimHandle,
    what: Selected,
) -> (impl Fn(leptos::ev::MouseEvent) + Clone, impl Fn(leptos::ev::KeyboardEvent) + Clone) {
    let click = move |_| handle.selected.set(what);
    let key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            handle.selected.set(what);
        }
    };
    (click, key)
}

#[component]
pub fn Diagram() -> impl IntoView {
    let handle = use_sim();
    let m = Memo::new(move |_| {
        let narrow = handle.is_narrow.get();
        handle.with(|s| model(s, narrow))
    });
    let is_sel = move |what: Selected| move || handle.selected.get() == what;

    let element = move |focus_key: String,
                        what: Selected,
                        label: String,
                        x: f64,
                        y: f64,
                        w: f64,
                        h: f64,
                        title: String,
                        sub: String,
                        extra: &'static str| {
        // Packed rows on a phone: drop the second line and shorten the first to fit.
        let compact = w < 70.0;
        let title = if compact { title.chars().take((w / 7.0) as usize).collect::<String>() } else { title };
        let sub = if compact { String::new() } else { sub };
        let (click, key) = select_on(handle, what);
        // The visible words come first in the accessible name, so speech and sight agree.
        let label = format!("{} {}: {label}", title, sub).replace("  ", " ");
        view! {
            <g
                class=format!("diagram-node {extra}")
                class:diagram-node--selected=is_sel(what)
                data-focus-key=focus_key
                role="button"
                tabindex="0"
                aria-label=label
                on:click=click
                on:keydown=key
                on:focus=move |_| handle.selected.set(what)
            >
                <rect x=x - w / 2.0 y=y - h / 2.0 width=w height=h rx="6"></rect>
                <text x=x y=y - 3.0 text-anchor="middle">
                    <tspan class="diagram-node__title">{format!("{title} ")}</tspan>
                    <tspan class="diagram-node__sub" x=x dy="14">{sub}</tspan>
                </text>
            </g>
        }
    };

    view! {
        <div class="diagram">
            {move || {
                let m = m.get();
                let l = m.layout;
                let (vx, vy, vw, vh) = l.vpc_box();
                let (tx, ty, tw, th) = l.target_group_box();
                let (cx, cy) = l.point(Hop::Client, None);
                let (gx, gy) = l.point(Hop::AlbSecurityGroup, None);
                let (lx, ly) = l.point(Hop::Listener, None);
                let (rx, ry) = l.point(Hop::ListenerRule, None);
                let vertical = l.is_vertical;
                let lanes: Vec<String> = if m.rows.is_empty() {
                    vec![l.token_path(Hop::TargetGroup, None)]
                } else {
                    (0..m.rows.len()).map(|r| l.token_path(Hop::App, Some(r))).collect()
                };
                let gate = move |open: bool, x: f64, y: f64, span: f64| {
                    let (w, h) = if vertical { (span, 8.0) } else { (8.0, span) };
                    let half = span / 2.0;
                    let bar = span * 14.0 / 44.0;
                    view! {
                        <g class="diagram-gate" class:diagram-gate--open=open class:diagram-gate--closed=!open>
                            {if open {
                                let (a, b) = if vertical {
                                    ((x - half - 4.0, y - 4.0, bar, 8.0), (x + half + 4.0 - bar, y - 4.0, bar, 8.0))
                                } else {
                                    ((x - 4.0, y - half - 4.0, 8.0, bar), (x - 4.0, y + half + 4.0 - bar, 8.0, bar))
                                };
                                view! {
                                    <rect x=a.0 y=a.1 width=a.2 height=a.3 rx="2"></rect>
                                    <rect x=b.0 y=b.1 width=b.2 height=b.3 rx="2"></rect>
                                }.into_any()
                            } else {
                                view! { <rect x=x - w / 2.0 y=y - h / 2.0 width=w height=h rx="2"></rect> }.into_any()
                            }}
                        </g>
                    }
                };
                let rows = m.rows.clone();
                let (first_task_x, first_task_y) = l.point(Hop::Task, Some(0));
                let (service_x, service_y) = if vertical { (20.0, first_task_y - 34.0) } else { (first_task_x - 46.0, 24.0) };
                view! {
                    <svg
                        class="diagram__svg"
                        viewBox=format!("0 0 {} {}", l.width, l.height)
                        role="group"
                        aria-label="Diagram of the request path from the client through the load balancer to the tasks"
                    >
                        <rect class="diagram-vpc" x=vx y=vy width=vw height=vh rx="12"></rect>
                        <text class="diagram-vpc__label" x=vx + 8.0 y=vy + 14.0>{m.zones_text.clone()}</text>
                        {lanes.into_iter().map(|d| view! { <path class="diagram-lane" d=d></path> }).collect_view()}
                        {element("client".into(), Selected::Client, "open client settings".into(), cx, cy, 96.0, 40.0, "Client".into(), m.client_text.clone(), "diagram-node--client")}
                        <g
                            class="diagram-node diagram-node--gate"
                            data-focus-key="alb-sg"
                            role="button"
                            tabindex="0"
                            aria-label=format!("ALB security group {} ({}): open its rules", m.alb_sg, if m.is_alb_gate_open { "admits the client" } else { "blocks the client" })
                            class:diagram-node--selected=is_sel(Selected::AlbSecurityGroup)
                            on:click=move |_| handle.selected.set(Selected::AlbSecurityGroup)
                            on:focus=move |_| handle.selected.set(Selected::AlbSecurityGroup)
                        >
                            <rect class="diagram-hit" x=gx - 30.0 y=gy - 40.0 width="60" height="80"></rect>
                            {gate(m.is_alb_gate_open, gx, gy, 44.0)}
                            <text x=gx y=gy + (if vertical { 20.0 } else { 42.0 }) text-anchor="middle" class="diagram-node__sub">{m.alb_sg.clone()}</text>
                        </g>
                        {element("listener".into(), Selected::Listener, "open listener settings".into(), lx, ly, 80.0, 40.0, "Listener".into(), m.listener_text.clone(), if m.has_listener { "" } else { "diagram-node--broken" })}
                        {element("rule".into(), Selected::Listener, "listener rule, open listener settings".into(), rx, ry, 84.0, 40.0, "Rule".into(), m.rule_text.clone(), "")}
                        <g
                            class="diagram-node diagram-node--tg"
                            data-focus-key="tg"
                            role="button"
                            tabindex="0"
                            aria-label=format!("Target group {} {}: open target group settings", m.tg_name, m.tg_counts)
                            class:diagram-node--selected=is_sel(Selected::TargetGroup)
                            on:click=move |_| handle.selected.set(Selected::TargetGroup)
                            on:focus=move |_| handle.selected.set(Selected::TargetGroup)
                        >
                            <rect x=tx y=ty width=tw height=th rx="8"></rect>
                            <text x=tx + tw / 2.0 y=ty + 14.0 text-anchor="middle">
                                <tspan class="diagram-node__title diagram-node__title--small">{format!("Target group {} ", m.tg_name)}</tspan>
                                <tspan class="diagram-node__sub" x=tx + tw / 2.0 y=ty + th - 8.0>{m.tg_counts.clone()}</tspan>
                            </text>
                        </g>
                        {rows.into_iter().enumerate().map(|(i, r)| {
                            let (px, py) = l.target_pill(i);
                            let (sx, sy) = l.point(Hop::TaskSecurityGroup, Some(i));
                            let (kx, ky) = l.point(Hop::Task, Some(i));
                            let (mx, my) = l.point(Hop::PortMapping, Some(i));
                            let (ax, ay) = l.point(Hop::App, Some(i));
                            let state_key = r.target_state.map(|s| s.key()).unwrap_or("none");
                            let target_sel = r.selected_target.map(Selected::Target).unwrap_or(Selected::TargetGroup);
                            let seq = r.seq;
                            let cell = l.cell_width(92.0);
                            let pill_w = l.cell_width(80.0);
                            let compact = cell < 70.0;
                            let pill_label = r.target_state.map(|s| s.key().to_string()).unwrap_or_else(|| "—".into());
                            let pill_label = if compact { pill_label.chars().take(1).collect::<String>() } else { pill_label };
                            view! {
                                <g
                                    class=format!("diagram-pill diagram-pill--{state_key}")
                                    data-focus-key=format!("pill-{seq}")
                                    role="button"
                                    tabindex="0"
                                    aria-label=format!("Target {}: show why", r.target_text)
                                    on:click=move |_| handle.selected.set(target_sel)
                                    on:focus=move |_| handle.selected.set(target_sel)
                                >
                                    <rect x=px - pill_w / 2.0 y=py - 10.0 width=pill_w height="20" rx="10"></rect>
                                    <text x=px y=py + 4.0 text-anchor="middle">{pill_label}</text>
                                </g>
                                <g
                                    class="diagram-node diagram-node--gate"
                                    data-focus-key=format!("tsg-{seq}")
                                    role="button"
                                    tabindex="0"
                                    aria-label=format!("Task security group {} ({}): open its rules", m.task_sg, if r.is_gate_open { "admits the load balancer" } else { "blocks the load balancer" })
                                    on:click=move |_| handle.selected.set(Selected::TaskSecurityGroup)
                                    on:focus=move |_| handle.selected.set(Selected::TaskSecurityGroup)
                                >
                                    <rect class="diagram-hit" x=sx - 24.0 y=sy - 30.0 width="48" height="60"></rect>
                                    {gate(r.is_gate_open, sx, sy, l.cell_width(44.0).min(44.0) - 8.0)}
                                </g>
                                <g
                                    class=format!("diagram-node diagram-task diagram-task--{}", r.state.key().to_lowercase())
                                    class:diagram-node--selected=move || handle.selected.get() == Selected::Task(seq)
                                    data-focus-key=format!("task-{seq}")
                                    role="button"
                                    tabindex="0"
                                    aria-label=format!("Task {} {} {}: open task settings", r.ip, r.state, match &r.public_ip { Some(p) => format!("public {p}"), None => r.short_id.clone() })
                                    on:click=move |_| handle.selected.set(Selected::Task(seq))
                                    on:focus=move |_| handle.selected.set(Selected::Task(seq))
                                >
                                    <rect x=kx - cell / 2.0 y=ky - 22.0 width=cell height="44" rx="6"></rect>
                                    {if compact {
                                        view! { <text x=kx y=ky + 4.0 text-anchor="middle" class="diagram-node__sub">{r.state.key().chars().take(3).collect::<String>()}</text> }.into_any()
                                    } else {
                                        view! {
                                            <text x=kx y=ky - 8.0 text-anchor="middle">
                                                <tspan class="diagram-node__title">{format!("{} ", r.ip)}</tspan>
                                                <tspan class="diagram-node__sub" x=kx dy="13">{format!("{} ", r.state.key())}</tspan>
                                                <tspan class="diagram-node__sub" x=kx dy="12">{match &r.public_ip { Some(p) => format!("public {p}"), None => r.short_id.clone() }}</tspan>
                                            </text>
                                        }.into_any()
                                    }}
                                </g>
                                {element(format!("map-{seq}"), Selected::TaskDefinition, "container port mapping, open the task definition".into(), mx, my, l.cell_width(82.0), 34.0, "port map".into(), r.mapping.clone(), "")}
                                {element(format!("app-{seq}"), Selected::TaskDefinition, "the app, open its settings".into(), ax, ay, l.cell_width(76.0), 34.0, r.app_text.clone(), r.health_path.clone(), if r.is_app_match { "" } else { "diagram-node--broken" })}
                            }
                        }).collect_view()}
                        <g
                            class="diagram-service"
                            data-focus-key="service"
                            role="button"
                            tabindex="0"
                            aria-label=format!("ECS {}: open service settings", m.service_text)
                            on:click=move |_| handle.selected.set(Selected::Service)
                            on:focus=move |_| handle.selected.set(Selected::Service)
                        >
                            <text x=service_x y=service_y class="diagram-service__label">{format!("ECS {}", m.service_text)}</text>
                        </g>
                        <Tokens/>
                    </svg>
                }
            }}
        </div>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let handle = use_sim();
    view! {
        <g class="diagram-tokens" aria-hidden="true">
            <For each=move || handle.tokens.get() key=|t: &Token| t.id let:token>
                <TokenShape token=token/>
            </For>
        </g>
    }
}

#[component]
fn TokenShape(token: Token) -> impl IntoView {
    let handle = use_sim();
    let points = token.points.clone();
    let born = token.born_ms;
    let end = points.last().copied().unwrap_or((0.0, 0.0));
    let transform = move || {
        let (x, y) = if handle.is_reduced_motion.get() {
            end
        } else {
            let age = handle.frame_ms.get() - born;
            point_along(&points, (age / 900.0).clamp(0.0, 1.0))
        };
        format!("translate({x:.1} {y:.1})")
    };
    let class = format!("token token--{}", token.class);
    let shape = if token.is_probe {
        view! { <rect x="-4" y="-4" width="8" height="8" transform="rotate(45)"></rect> }.into_any()
    } else {
        match token.class {
            "ok" => view! { <circle r="6"></circle> }.into_any(),
            "timeout" | "refused" => view! { <path d="M-6 -6 L6 6 M6 -6 L-6 6"></path> }.into_any(),
            _ => view! { <rect x="-6" y="-6" width="12" height="12" rx="2"></rect> }.into_any(),
        }
    };
    view! {
        <g class=class transform=transform>
            {shape}
            <title>{token.label.clone()}</title>
        </g>
    }
}
