//! The inspector: every knob of the setup, with its AWS name, default and allowed range.
//!
//! Each form keeps its own text fields; "Apply" turns them into one command. A value that is not
//! even a number is refused here; everything else goes to the core, which validates a copy and
//! changes nothing on error. The error shows next to the field it names.

use super::{use_sim, Selected};
use crate::sim::scenario::{HealthCheck, HealthResponse, LoadBalancingAlgorithm, NetworkMode, TargetType};
use crate::sim::{Command, TaskDefinitionChanges};
use leptos::prelude::*;

/// The lines of an error that name `key` as their field (`…key: message`).
fn lines_for(error: &str, key: &str) -> Option<String> {
    let needle = format!("{key}:");
    let lines: Vec<&str> = error.lines().filter(|l| l.contains(&needle)).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// One labelled text field whose error shows beneath it when the error names `key`.
#[component]
fn Field(
    label: &'static str,
    help: String,
    key: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let mine = move || error.get().and_then(|e| lines_for(&e, key));
    let id = format!("field-{key}");
    let help_id = format!("{id}-help");
    view! {
        <div class="field" class:field--wide=wide>
            <label class="field__label" for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-describedby=help_id.clone()
                aria-invalid=move || mine().is_some().to_string()
            />
            <span class="field__help" id=help_id>{help}</span>
            {move || mine().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
        </div>
    }
}

fn parse<T: std::str::FromStr>(text: &str, key: &str, what: &str) -> Result<T, String> {
    text.trim().parse::<T>().map_err(|_| format!("{key}: {what}, got {:?}", text.trim()))
}

/// Show a form-level error only when no field claimed it.
fn form_error(error: RwSignal<Option<String>>, keys: &'static [&'static str]) -> impl IntoView {
    move || {
        error.get().and_then(|e| {
            let rest: Vec<&str> = e.lines().filter(|l| !keys.iter().any(|k| l.contains(&format!("{k}:")))).collect();
            (!rest.is_empty()).then(|| view! { <p class="field-error" role="alert">{rest.join("\n")}</p> })
        })
    }
}

/// A refused toggle goes back to what the sim still has.
fn revert_checkbox(ev: &leptos::ev::Event, checked: bool) {
    event_target::<web_sys::HtmlInputElement>(ev).set_checked(checked);
}

fn submit(error: RwSignal<Option<String>>, result: Result<Command, String>) {
    let handle = use_sim();
    match result.and_then(|c| handle.dispatch(c)) {
        Ok(_) => error.set(None),
        Err(e) => {
            // The form shows the error next to its field; the panel-wide notice would repeat it.
            handle.notice.set(None);
            error.set(Some(e));
        }
    }
}

#[component]
pub fn Inspector() -> impl IntoView {
    let handle = use_sim();
    let ex = super::exercises::use_exercises();
    // Only a different exercise (or sandbox) changes the locks: a hint must not rebuild a form
    // and throw away what the learner typed.
    let unlocked = Memo::new(move |_| ex.active.with(|a| a.as_ref().filter(|a| !a.is_sandbox).map(|a| a.exercise.unlocked.clone())));
    let is_locked = move |key: &str| unlocked.with(|u| u.as_ref().is_some_and(|u| !u.iter().any(|x| x == key)));
    let option = move |value: &'static str, label: &'static str| {
        view! {
            <option value=value disabled=move || is_locked(value)>
                {move || if is_locked(value) { format!("{label} (locked)") } else { label.to_string() }}
            </option>
        }
    };
    let section = move || handle.selected.get().section_key();
    view! {
        <section class="panel inspector" id="inspector" aria-labelledby="inspector-heading">
            <h2 id="inspector-heading">"Settings"</h2>
            <label class="field">
                <span class="field__label">"Settings for"</span>
                <select
                    id="inspector-section"
                    prop:value=section
                    on:change=move |ev| handle.selected.set(Selected::from_section_key(&event_target_value(&ev)))
                >
                    {crate::diagram::SECTIONS.iter().map(|(key, label)| option(key, label)).collect_view()}
                </select>
            </label>
            // Errors are alerts here; other notices are announced once by panels::LiveRegion.
            {move || handle.notice.get().map(|(is_error, text)| view! {
                <p class=if is_error { "notice notice--error" } else { "notice" } role=is_error.then_some("alert")>{text}</p>
            })}
            {move || {
                // A form shows the setup as it is: when anything changes it (a fix applied from
                // Why?, an exercise step, a loaded link), the form is built again.
                handle.config_version.track();
                match section() {
                locked if is_locked(locked) => view! {
                    <p class="notice">"This setting is locked in this exercise. Pick an unlocked one under \"Settings for\"."</p>
                }.into_any(),
                "network" => view! { <NetworkKnobs/> }.into_any(),
                "alb-sg" => view! { <SecurityGroupKnobs alb=true/> }.into_any(),
                "task-sg" => view! { <SecurityGroupKnobs alb=false/> }.into_any(),
                "listener" => view! { <ListenerKnobs/> }.into_any(),
                "target-group" => view! { <TargetGroupKnobs/> }.into_any(),
                "task-definition" => view! { <TaskDefinitionKnobs/> }.into_any(),
                "service" => view! { <ServiceKnobs/> }.into_any(),
                _ => view! { <ClientKnobs/> }.into_any(),
                }
            }}
        </section>
    }
}

#[component]
fn ClientKnobs() -> impl IntoView {
    let handle = use_sim();
    let (port0, path0) = handle.peek(|s| (s.scenario().client.port, s.scenario().client.path.clone()));
    let port = RwSignal::new(port0.to_string());
    let path = RwSignal::new(path0);
    let error = RwSignal::new(None);
    view! {
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            submit(error, parse::<u16>(&port.get_untracked(), "client.port", "a port from 1 to 65535").map(|p| Command::SetClientTarget { port: p, path: path.get_untracked() }));
        }>
            <h3>"Client"</h3>
            <Field label="Port the client connects to" help="The ALB's DNS name on this port. Default 80.".into() key="client.port" value=port error=error/>
            <Field label="Request path" help="Starts with /. The app answers / with 200 and any other path except its health endpoint with 404.".into() key="client.path" value=path error=error/>
            {form_error(error, &["client.port", "client.path"])}
            <button class="button button--primary" type="submit">"Apply client settings"</button>
        </form>
    }
}

#[component]
fn SecurityGroupKnobs(alb: bool) -> impl IntoView {
    let handle = use_sim();
    let groups = Memo::new(move |_| {
        handle.with_settled(|s| {
            let sc = s.scenario();
            let ids: Vec<String> = if alb {
                sc.load_balancer.security_groups.clone()
            } else {
                match sc.task_definition.network_mode {
                    NetworkMode::Awsvpc => sc
                        .service
                        .as_ref()
                        .and_then(|v| v.network_configuration.as_ref())
                        .map(|n| n.security_groups.clone())
                        .unwrap_or_default(),
                    NetworkMode::Bridge => sc.container_instances.first().map(|c| c.security_groups.clone()).unwrap_or_default(),
                }
            };
            ids.iter().filter_map(|id| sc.find_security_group(id)).cloned().collect::<Vec<_>>()
        })
    });
    let alb_sg = handle.peek(|s| s.scenario().load_balancer.security_groups.first().cloned().unwrap_or_default());
    let default_port = handle.peek(|s| {
        if alb {
            s.scenario().client.port
        } else {
            s.scenario()
                .service
                .as_ref()
                .and_then(|v| v.load_balancer.as_ref())
                .map(|l| l.container_port)
                .unwrap_or(s.scenario().target_groups[0].port)
        }
    });
    let from = RwSignal::new(default_port.to_string());
    let to = RwSignal::new(default_port.to_string());
    let source = RwSignal::new(if alb { "0.0.0.0/0".to_string() } else { alb_sg.clone() });
    let error = RwSignal::new(None::<String>);
    let title = if alb { "ALB security group" } else { "Task security group" };
    let hint = if alb {
        "Inbound rules on the load balancer. An internet-facing ALB needs the listener port open to 0.0.0.0/0; without it the client's SYN is dropped and it times out."
    } else {
        "Inbound rules on the tasks' network interfaces (for bridge: the container instances). Recommended: the app port from the ALB's security group only."
    };
    view! {
        <div class="knobs">
            <h3>{title}</h3>
            <p class="panel__hint">{hint}</p>
            {move || groups.get().into_iter().map(|g| {
                let gid = g.id.clone();
                view! {
                    <h4>{format!("{} ({})", g.id, g.name)}</h4>
                    <ul class="rules">
                        {if g.ingress.is_empty() { Some(view! { <li>"No inbound rules: all inbound traffic is dropped."</li> }) } else { None }}
                        {g.ingress.into_iter().map(|r| {
                            let gid = gid.clone();
                            let text = format!("TCP {} from {}", r.ports_text(), r.source);
                            let cmd = Command::RevokeSecurityGroupIngress { group_id: gid.clone(), from_port: r.from_port, to_port: r.to_port, source: r.source.clone() };
                            view! {
                                <li class="rules__item">
                                    <span>{text.clone()}</span>
                                    <button class="button button--small" aria-label=format!("Remove rule {text} from {gid}") on:click=move |_| { let _ = handle.dispatch(cmd.clone()); }>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }).collect_view()}
            <form on:submit=move |ev| {
                ev.prevent_default();
                let group = groups.get_untracked().first().map(|g| g.id.clone()).unwrap_or_default();
                let result = parse::<u16>(&from.get_untracked(), "from_port", "a port from 0 to 65535").and_then(|f| {
                    parse::<u16>(&to.get_untracked(), "to_port", "a port from 0 to 65535").map(|t| Command::AuthorizeSecurityGroupIngress { group_id: group, from_port: f, to_port: t, source: source.get_untracked().trim().to_string() })
                });
                submit(error, result);
            }>
                <h4>"Add an inbound rule"</h4>
                <Field label="From port" help="TCP, 0-65535".into() key="from_port" value=from error=error/>
                <Field label="To port" help="Same as from port for a single port".into() key="to_port" value=to error=error/>
                <div class="field">
                    <label class="field__label" for=format!("source-{alb}")>"Source"</label>
                    <input id=format!("source-{alb}") type="text" list=format!("sources-{alb}") prop:value=move || source.get() on:input=move |ev| source.set(event_target_value(&ev)) aria-invalid=move || error.get().is_some_and(|e| lines_for(&e, "source").is_some()).to_string()/>
                    <datalist id=format!("sources-{alb}")>
                        <option value="0.0.0.0/0"></option>
                        <option value=alb_sg.clone()></option>
                        <option value="10.0.0.0/16"></option>
                    </datalist>
                    <span class="field__help">"A CIDR block (0.0.0.0/0 is the whole internet) or a security group id such as " {alb_sg.clone()}</span>
                    {move || error.get().and_then(|e| lines_for(&e, "source")).map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </div>
                {form_error(error, &["from_port", "to_port", "source"])}
                <button class="button button--primary" type="submit">"Add rule"</button>
            </form>
        </div>
    }
}

#[component]
fn ListenerKnobs() -> impl IntoView {
    let handle = use_sim();
    let (port0, idle0) = handle.peek(|s| {
        (s.scenario().load_balancer.listeners.first().map(|l| l.port).unwrap_or(80), s.scenario().load_balancer.idle_timeout_seconds)
    });
    let current = RwSignal::new(port0);
    let port = RwSignal::new(port0.to_string());
    let idle = RwSignal::new(idle0.to_string());
    let error = RwSignal::new(None);
    view! {
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            error.set(None);
            let result = parse::<u16>(&port.get_untracked(), "listeners[0].port", "a port from 1 to 65535");
            match result {
                Ok(p) if p != current.get_untracked() => {
                    submit(error, Ok(Command::ModifyListener { port: current.get_untracked(), new_port: p }));
                    if error.get_untracked().is_none() {
                        current.set(p);
                    }
                }
                Ok(_) => {}
                Err(e) => error.set(Some(e)),
            }
            if error.get_untracked().is_none() {
                let r = parse::<u32>(&idle.get_untracked(), "idle_timeout_seconds", "whole seconds from 1 to 4000").map(|s| Command::ModifyLoadBalancerAttributes { idle_timeout_seconds: s });
                submit(error, r);
            }
        }>
            <h3>"Listener and load balancer"</h3>
            <p class="panel__hint">"HTTP listener; its default action forwards to the target group."</p>
            <Field label="Listener port" help="1-65535. Default 80. The client must send to this port and the ALB security group must admit it.".into() key="listeners[0].port" value=port error=error/>
            <Field label="Idle timeout (idle_timeout.timeout_seconds)" help="1-4000 s, default 60. A target slower than this gets a 504.".into() key="idle_timeout_seconds" value=idle error=error/>
            {form_error(error, &["listeners[0].port", "idle_timeout_seconds"])}
            <button class="button button--primary" type="submit">"Apply listener settings"</button>
        </form>
    }
}

#[component]
fn TargetGroupKnobs() -> impl IntoView {
    let handle = use_sim();
    let tg = handle.peek(|s| s.scenario().target_groups[0].clone());
    let name = tg.name.clone();
    let hc = tg.health_check.clone();
    let hc_port = RwSignal::new(hc.port.clone());
    let hc_path = RwSignal::new(hc.path.clone());
    let interval = RwSignal::new(hc.interval_seconds.to_string());
    let timeout = RwSignal::new(hc.timeout_seconds.to_string());
    let healthy = RwSignal::new(hc.healthy_threshold_count.to_string());
    let unhealthy = RwSignal::new(hc.unhealthy_threshold_count.to_string());
    let matcher = RwSignal::new(hc.matcher.clone());
    let dereg = RwSignal::new(tg.deregistration_delay_seconds.to_string());
    let min_healthy = RwSignal::new(tg.unhealthy_state_routing_minimum_healthy_targets_count.to_string());
    let algorithm = RwSignal::new(tg.load_balancing_algorithm);
    let target_type = RwSignal::new(tg.target_type);
    let tg_port = RwSignal::new(tg.port.to_string());
    let error = RwSignal::new(None);
    let attr_error = RwSignal::new(None);
    let type_error = RwSignal::new(None);
    let n1 = name.clone();
    let n2 = name.clone();
    let n3 = name.clone();
    view! {
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            let result = (|| {
                Ok(Command::ModifyTargetGroup {
                    target_group: n1.clone(),
                    health_check: HealthCheck {
                        protocol: "HTTP".into(),
                        port: hc_port.get_untracked().trim().to_string(),
                        path: hc_path.get_untracked().trim().to_string(),
                        interval_seconds: parse(&interval.get_untracked(), "interval_seconds", "whole seconds from 5 to 300")?,
                        timeout_seconds: parse(&timeout.get_untracked(), "timeout_seconds", "whole seconds from 2 to 120")?,
                        healthy_threshold_count: parse(&healthy.get_untracked(), "healthy_threshold_count", "a count from 2 to 10")?,
                        unhealthy_threshold_count: parse(&unhealthy.get_untracked(), "unhealthy_threshold_count", "a count from 2 to 10")?,
                        matcher: matcher.get_untracked().trim().to_string(),
                    },
                })
            })();
            submit(error, result);
        }>
            <h3>{format!("Target group {name}: health check")}</h3>
            <Field label="Health check port (HealthCheckPort)" help="traffic-port (default: each target's own port) or 1-65535".into() key="health_check.port" value=hc_port error=error/>
            <Field label="Health check path (HealthCheckPath)" help="Default /. The app's health endpoint is set in the task definition.".into() key="health_check.path" value=hc_path error=error/>
            <Field label="Interval (HealthCheckIntervalSeconds)" help="5-300 s, default 30".into() key="interval_seconds" value=interval error=error/>
            <Field label="Timeout (HealthCheckTimeoutSeconds)" help="2-120 s, default 5 (the API reference says 6 for HTTP); below the interval".into() key="timeout_seconds" value=timeout error=error/>
            <Field label="Healthy threshold (HealthyThresholdCount)" help="2-10, default 5; a new target needs only one pass".into() key="healthy_threshold_count" value=healthy error=error/>
            <Field label="Unhealthy threshold (UnhealthyThresholdCount)" help="2-10, default 2".into() key="unhealthy_threshold_count" value=unhealthy error=error/>
            <Field label="Success codes (Matcher)" help="200-499: 200, 200,202 or 200-299. Default 200".into() key="matcher" value=matcher error=error/>
            {form_error(error, &["health_check.port", "health_check.path", "interval_seconds", "timeout_seconds", "healthy_threshold_count", "unhealthy_threshold_count", "matcher"])}
            <button class="button button--primary" type="submit">"Apply health check"</button>
        </form>
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            let result = (|| {
                Ok(Command::ModifyTargetGroupAttributes {
                    target_group: n2.clone(),
                    deregistration_delay_seconds: Some(parse(&dereg.get_untracked(), "deregistration_delay_seconds", "whole seconds from 0 to 3600")?),
                    unhealthy_state_routing_minimum_healthy_targets_count: Some(parse(&min_healthy.get_untracked(), "minimum_healthy_targets_count", "a count of 1 or more")?),
                    load_balancing_algorithm: Some(algorithm.get_untracked()),
                })
            })();
            submit(attr_error, result);
        }>
            <h3>"Target group attributes"</h3>
            <Field label="Deregistration delay (deregistration_delay.timeout_seconds)" help="0-3600 s, default 300: how long a target drains".into() key="deregistration_delay_seconds" value=dereg error=attr_error/>
            <Field label="Fail-open threshold (minimum_healthy_targets.count)" help="Default 1: with fewer healthy targets than this, the ALB routes to all targets".into() key="minimum_healthy_targets_count" value=min_healthy error=attr_error/>
            <label class="field">
                <span class="field__label">"Routing algorithm (load_balancing.algorithm.type)"</span>
                <select on:change=move |ev| algorithm.set(if event_target_value(&ev) == "lor" { LoadBalancingAlgorithm::LeastOutstandingRequests } else { LoadBalancingAlgorithm::RoundRobin })>
                    <option value="rr" selected=tg.load_balancing_algorithm == LoadBalancingAlgorithm::RoundRobin>"round_robin (default)"</option>
                    <option value="lor" selected=tg.load_balancing_algorithm == LoadBalancingAlgorithm::LeastOutstandingRequests>"least_outstanding_requests"</option>
                </select>
            </label>
            {form_error(attr_error, &["deregistration_delay_seconds", "minimum_healthy_targets_count"])}
            <button class="button button--primary" type="submit">"Apply attributes"</button>
        </form>
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            let result = parse::<u16>(&tg_port.get_untracked(), "target_groups[0].port", "a port from 1 to 65535")
                .map(|p| Command::RecreateTargetGroup { target_group: n3.clone(), target_type: target_type.get_untracked(), port: p });
            submit(type_error, result);
        }>
            <h3>"Target type and port"</h3>
            <p class="panel__hint">"AWS cannot change these in place: this creates the target group again (allowed only while no targets are registered). ECS registers each task with its own port, which overrides the target group's port."</p>
            <label class="field">
                <span class="field__label">"Target type"</span>
                <select on:change=move |ev| target_type.set(if event_target_value(&ev) == "instance" { TargetType::Instance } else { TargetType::Ip })>
                    <option value="ip" selected=tg.target_type == TargetType::Ip>"ip (awsvpc / Fargate tasks)"</option>
                    <option value="instance" selected=tg.target_type == TargetType::Instance>"instance (bridge tasks on EC2)"</option>
                </select>
            </label>
            <Field label="Target group port" help="1-65535; the default port for registered targets".into() key="target_groups[0].port" value=tg_port error=type_error/>
            {form_error(type_error, &["target_groups[0].port"])}
            <button class="button" type="submit">"Recreate target group"</button>
        </form>
    }
}

#[component]
fn TaskDefinitionKnobs() -> impl IntoView {
    let handle = use_sim();
    let td = handle.peek(|s| s.scenario().task_definition.clone());
    let app = td.container.app.clone();
    let container_port = RwSignal::new(td.container.port_mappings.first().map(|m| m.container_port).unwrap_or(app.listen_port).to_string());
    let listen = RwSignal::new(app.listen_port.to_string());
    let startup = RwSignal::new(app.startup_seconds.to_string());
    let health_path = RwSignal::new(app.health_path.clone());
    let health = RwSignal::new(app.health_response);
    let mode = RwSignal::new(td.network_mode);
    let current_host_port = td.container.port_mappings.first().and_then(|m| m.host_port);
    let host_port = RwSignal::new(current_host_port.map(|p| p.to_string()).unwrap_or_default());
    let error = RwSignal::new(None);
    let port_error = RwSignal::new(None);
    view! {
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            let result = parse::<u16>(&container_port.get_untracked(), "container_port", "a port from 1 to 65535").map(|p| Command::SetContainerPort { container_port: p });
            submit(port_error, result);
        }>
            <h3>{format!("Task definition {}:{}", td.family, td.revision)}</h3>
            <Field label="Container port mapping (containerPort)" help="Sets the port mapping and the service's load-balancer container port, registers a new revision and deploys it.".into() key="container_port" value=container_port error=port_error/>
            {form_error(port_error, &["container_port"])}
            <button class="button button--primary" type="submit">"Change container port and deploy"</button>
        </form>
        <form class="knobs" on:submit=move |ev| {
            ev.prevent_default();
            let current = use_sim().peek(|s| s.scenario().task_definition.clone());
            let app = &current.container.app;
            // Send only what changed: switching network mode resets host ports, so an unchanged
            // mode must not be sent.
            let changed = |new, old| (new != old).then_some(new);
            let result = (|| {
                let listen_port: u16 = parse(&listen.get_untracked(), "listen_port", "a port from 1 to 65535")?;
                let startup_seconds: u32 = parse(&startup.get_untracked(), "startup_seconds", "whole seconds from 0 to 3600")?;
                let path = health_path.get_untracked().trim().to_string();
                let host_text = host_port.get_untracked();
                let new_host_port: Option<u16> =
                    if host_text.trim().is_empty() { None } else { Some(parse(&host_text, "host_port", "a port from 0 to 65535 (0: dynamic)")?) };
                Ok(Command::RegisterTaskDefinition {
                    changes: TaskDefinitionChanges {
                        network_mode: (mode.get_untracked() != current.network_mode).then(|| mode.get_untracked()),
                        listen_port: changed(listen_port, app.listen_port),
                        startup_seconds: (startup_seconds != app.startup_seconds).then_some(startup_seconds),
                        health_path: (path != app.health_path).then_some(path),
                        health_response: (health.get_untracked() != app.health_response).then(|| health.get_untracked()),
                        host_port: new_host_port.filter(|p| Some(*p) != current_host_port),
                        ..Default::default()
                    },
                    deploy: true,
                })
            })();
            submit(error, result);
        }>
            <h3>"The app and its network mode"</h3>
            <Field label="App listen port" help="The port the process binds inside the container. Must match the container port.".into() key="listen_port" value=listen error=error/>
            <Field label="App start-up time (seconds)" help="0-3600. Until then it refuses connections.".into() key="startup_seconds" value=startup error=error/>
            <Field label="App health endpoint path" help="Where the app serves its health check, e.g. /health.".into() key="health_path" value=health_path error=error/>
            <label class="field">
                <span class="field__label">"Health endpoint answers"</span>
                <select on:change=move |ev| health.set(HealthResponse::from_key(&event_target_value(&ev)).unwrap_or(HealthResponse::Ok))>
                    {HealthResponse::ALL.iter().map(|h| view! { <option value=h.key() selected=*h == app.health_response>{h.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">"Network mode"</span>
                <select on:change=move |ev| mode.set(if event_target_value(&ev) == "bridge" { NetworkMode::Bridge } else { NetworkMode::Awsvpc })>
                    <option value="awsvpc" selected=td.network_mode == NetworkMode::Awsvpc>"awsvpc (own ENI per task; Fargate)"</option>
                    <option value="bridge" selected=td.network_mode == NetworkMode::Bridge>"bridge (dynamic host ports on EC2)"</option>
                </select>
            </label>
            <Field label="Host port (hostPort)" help="awsvpc: leave empty (it equals the container port). bridge: 0 or empty for a dynamic port from 32768-61000, or a fixed port (one task per instance).".into() key="host_port" value=host_port error=error/>
            {form_error(error, &["listen_port", "startup_seconds", "health_path", "host_port"])}
            <button class="button button--primary" type="submit">"Register new revision and deploy"</button>
        </form>
    }
}

#[component]
fn ServiceKnobs() -> impl IntoView {
    let handle = use_sim();
    let info =
        handle.peek(|s| (s.scenario().service.clone(), s.scenario().target_groups[0].name.clone(), s.scenario().task_definition.clone()));
    let (Some(svc), tg_name, td) = info else {
        return view! { <p>"This scenario has no ECS service."</p> }.into_any();
    };
    let is_attached = Memo::new(move |_| handle.with_settled(|s| s.scenario().service.as_ref().is_some_and(|v| v.load_balancer.is_some())));
    let create_error = Memo::new(move |_| handle.with_settled(|s| s.service_runtime().create_error.clone()));
    let desired = RwSignal::new(svc.desired_count.to_string());
    let grace = RwSignal::new(svc.health_check_grace_period_seconds.to_string());
    let min = RwSignal::new(svc.deployment_configuration.minimum_healthy_percent.to_string());
    let max = RwSignal::new(svc.deployment_configuration.maximum_percent.to_string());
    let public_ip = RwSignal::new(svc.network_configuration.as_ref().is_some_and(|n| n.assign_public_ip));
    let initial_fail_open = RwSignal::new(handle.peek(|s| s.scenario().options.initial_targets_fail_open));
    let error = RwSignal::new(None);
    let container = td.container.name.clone();
    let container_port = td.container.port_mappings.first().map(|m| m.container_port).unwrap_or(80);
    let has_network = svc.network_configuration.is_some();
    view! {
        <div class="knobs">
            <h3>{format!("ECS service {}", svc.name)}</h3>
            {move || create_error.get().map(|e| view! {
                <div class="notice notice--error">
                    <p>"ECS refused to create the service:"</p>
                    <p><code>{e}</code></p>
                    <button class="button" on:click=move |_| { let _ = handle.dispatch(Command::CreateService); }>"Create service again"</button>
                </div>
            })}
            <label class="field field--check">
                <input
                    type="checkbox"
                    prop:checked=move || is_attached.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let cmd = if on {
                            Command::AttachLoadBalancer { target_group: tg_name.clone(), container_name: container.clone(), container_port }
                        } else {
                            Command::DetachLoadBalancer
                        };
                        if handle.dispatch(cmd).is_err() {
                            revert_checkbox(&ev, !on);
                        }
                    }
                />
                <span>"Attached to the load balancer (loadBalancers: target group, container, port). Changing it starts a deployment."</span>
            </label>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let result = (|| {
                    Ok(Command::update_service(Some(parse(&desired.get_untracked(), "desired_count", "a whole number of tasks from 0 to 10")?), Some(parse(&grace.get_untracked(), "health_check_grace_period_seconds", "whole seconds, 0 or more")?), Some((parse(&min.get_untracked(), "minimum_healthy_percent", "a percentage from 0 to 100")?, parse(&max.get_untracked(), "maximum_percent", "a percentage from 100 to 200")?))))
                })();
                submit(error, result);
            }>
                <Field label="Desired count (desiredCount)" help="0-10 tasks in this lab".into() key="desired_count" value=desired error=error/>
                <Field label="Health check grace period (healthCheckGracePeriodSeconds)" help="Default 0. Only the ECS scheduler waits; the ALB checks and routes as usual.".into() key="health_check_grace_period_seconds" value=grace error=error/>
                <Field label="Minimum healthy percent (minimumHealthyPercent)" help="0-100, default 100 (rounded up)".into() key="minimum_healthy_percent" value=min error=error/>
                <Field label="Maximum percent (maximumPercent)" help="100-200 here, default 200 (rounded down)".into() key="maximum_percent" value=max error=error/>
                {form_error(error, &["desired_count", "health_check_grace_period_seconds", "minimum_healthy_percent", "maximum_percent"])}
                <button class="button button--primary" type="submit">"Update service"</button>
            </form>
            {has_network.then(|| view! {
                <label class="field field--check">
                    <input type="checkbox" prop:checked=move || public_ip.get() on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        if handle.dispatch(Command::assign_public_ip(on)).is_ok() {
                            public_ip.set(on);
                        } else {
                            revert_checkbox(&ev, !on);
                        }
                    }/>
                    <span>"Assign a public IP to each task (assignPublicIp; new deployment)"</span>
                </label>
            })}
            <button class="button" on:click=move |_| {
                let _ = handle.dispatch(Command::RegisterTaskDefinition { changes: TaskDefinitionChanges::default(), deploy: true });
            }>"Deploy a new revision"</button>
            <label class="field field--check">
                <input type="checkbox" prop:checked=move || initial_fail_open.get() on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    if handle.dispatch(Command::SetOptions { initial_targets_fail_open: on }).is_ok() {
                        initial_fail_open.set(on);
                    } else {
                        revert_checkbox(&ev, !on);
                    }
                }/>
                <span>"Simulator option: targets still in initial also fail open (AWS's documents leave this open; default off: 503)"</span>
            </label>
        </div>
    }
    .into_any()
}

/// The VPC and its subnets: which the load balancer has nodes in (its availability zones) and
/// which the service places its tasks in.
#[component]
fn NetworkKnobs() -> impl IntoView {
    let handle = use_sim();
    let (vpc, subnets, lb_subnets, task_subnets) = handle.peek(|s| {
        let sc = s.scenario();
        let task = sc.service.as_ref().and_then(|v| v.network_configuration.as_ref()).map(|n| n.subnets.clone());
        (sc.vpc.clone(), sc.vpc.subnets.clone(), sc.load_balancer.subnets.clone(), task)
    });
    let lb_chosen = RwSignal::new(lb_subnets);
    let task_chosen = RwSignal::new(task_subnets.clone().unwrap_or_default());
    let lb_error = RwSignal::new(None::<String>);
    let task_error = RwSignal::new(None::<String>);
    let toggle = |list: RwSignal<Vec<String>>, id: String, on: bool| {
        list.update(|v| {
            v.retain(|x| *x != id);
            if on {
                v.push(id);
            }
        })
    };
    let rows = subnets.clone();
    let choices = move |list: RwSignal<Vec<String>>, name: &'static str| {
        subnets
            .iter()
            .map(|sub| {
                let id = sub.id.clone();
                let id2 = id.clone();
                view! {
                    <label class="field--check">
                        <input type="checkbox" prop:checked=move || list.with(|v| v.contains(&id)) on:change=move |ev| toggle(list, id2.clone(), event_target_checked(&ev))/>
                        {format!(" {} ({})", sub.id, sub.availability_zone)}
                        <span class="sr-only">{format!(" for the {name}")}</span>
                    </label>
                }
            })
            .collect_view()
    };
    let ordered = move |list: RwSignal<Vec<String>>| {
        let chosen = list.get_untracked();
        rows.iter().filter(|s| chosen.contains(&s.id)).map(|s| s.id.clone()).collect::<Vec<_>>()
    };
    let ordered2 = ordered.clone();
    view! {
        <div class="knobs">
            <h3>{format!("VPC {} ({})", vpc.id, vpc.cidr)}</h3>
            <table class="subnets">
                <caption class="sr-only">"Subnets of the VPC"</caption>
                <thead><tr><th scope="col">"Subnet"</th><th scope="col">"Zone"</th><th scope="col">"CIDR"</th><th scope="col">"Route"</th></tr></thead>
                <tbody>
                    {vpc.subnets.iter().map(|s| view! {
                        <tr><th scope="row">{s.id.clone()}</th><td>{s.availability_zone.clone()}</td><td>{s.cidr.clone()}</td><td>{if s.is_public { "public (internet gateway)" } else { "private" }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <form on:submit=move |ev| {
                ev.prevent_default();
                submit(lb_error, Ok(Command::SetSubnets { subnets: ordered(lb_chosen) }));
            }>
                <h4>"Load balancer subnets (SetSubnets)"</h4>
                <p class="panel__hint">"An Application Load Balancer needs subnets in at least two availability zones, one subnet per zone. Its nodes take addresses in these subnets."</p>
                {choices(lb_chosen, "load balancer")}
                {form_error(lb_error, &[])}
                <button class="button button--primary" type="submit">"Apply load balancer subnets"</button>
            </form>
            {task_subnets.is_some().then(|| view! {
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    submit(task_error, Ok(Command::SetServiceSubnets { subnets: ordered2(task_chosen) }));
                }>
                    <h4>"Task subnets (networkConfiguration.awsvpcConfiguration.subnets)"</h4>
                    <p class="panel__hint">"Where the service places new tasks, spread over these subnets. Changing them starts a deployment."</p>
                    {choices(task_chosen, "tasks")}
                    {form_error(task_error, &[])}
                    <button class="button button--primary" type="submit">"Apply task subnets and deploy"</button>
                </form>
            })}
        </div>
    }
}
