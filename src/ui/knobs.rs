//! The inspector: every knob of the setup, with its AWS name, default and allowed range.
//!
//! Labels, help texts and ranges come from the core's knob table (`sim::knobs`), so the form, the
//! validator and the scenario defaults cannot drift apart. Each form keeps its own text fields;
//! "Apply" turns them into one command and sends only what changed. A value that is not even a
//! number is refused here, in the knob's words; everything else goes to the core, which validates
//! a copy and changes nothing on error. Errors stay typed until here: each shows under the field
//! it is about, in the form's words with AWS's name.

use super::{use_sim, Selected};
use crate::sim::command::DEFAULT_NETWORK_ACL;
use crate::sim::knobs::{self, Knob};
use crate::sim::scenario::{HealthCheck, HealthResponse, LoadBalancingAlgorithm, NaclAction, NetworkAcl, NetworkMode, TargetType};
use crate::sim::{Command, CommandError, TaskDefinitionChanges};
use leptos::prelude::*;

/// A form's errors: each under the field it is about (by knob key, or by the field's path for
/// text fields), the rest for the form as a whole.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormErrors {
    fields: Vec<(&'static str, String)>,
    rest: Vec<String>,
}

impl FormErrors {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.rest.is_empty()
    }

    fn field(&self, key: &str) -> Option<String> {
        let lines: Vec<&str> = self.fields.iter().filter(|(k, _)| *k == key).map(|(_, t)| t.as_str()).collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// A refused command's errors, sorted under the form's fields. `text_fields` are the form's
    /// non-numeric fields: (the end of their path in a scenario file, their label).
    fn from_command(error: &CommandError, text_fields: &[(&'static str, &'static str)]) -> FormErrors {
        let mut out = FormErrors::default();
        match error {
            CommandError::Invalid(errors) => {
                for e in &errors.0 {
                    if let Some(knob) = e.knob {
                        out.fields.push((knob.key, e.in_words()));
                    } else if let Some((key, label)) = text_fields.iter().find(|(key, _)| e.field.ends_with(key)) {
                        out.fields.push((key, format!("{label} {}.", e.message)));
                    } else {
                        out.rest.push(e.in_words());
                    }
                }
            }
            other => out.rest.push(other.to_string()),
        }
        out
    }
}

/// Read a knob's field: its number, or its message under the field.
fn read(knob: &'static Knob, text: &RwSignal<String>, errors: &mut FormErrors) -> Option<f64> {
    read_as(knob, knob.key, text, errors)
}

/// [`read`] for a field keyed otherwise (one whose validation errors carry no knob).
fn read_as(knob: &'static Knob, key: &'static str, text: &RwSignal<String>, errors: &mut FormErrors) -> Option<f64> {
    match knob.parse(&text.get_untracked()) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.fields.push((key, message));
            None
        }
    }
}

/// One labelled text field; its error (from the form's errors, by `key`) shows beneath it.
#[component]
fn TextField(
    label: String,
    help: String,
    key: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<FormErrors>,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let mine = move || errors.with(|e| e.field(key));
    let id = format!("field-{}", key.replace('.', "-"));
    let help_id = format!("{id}-help");
    view! {
        <div class="field">
            <label class="field__label" for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                inputmode=numeric.then_some("numeric")
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

/// A knob's field: label, help and range from the knob table.
#[component]
fn KnobField(knob: &'static Knob, value: RwSignal<String>, errors: RwSignal<FormErrors>) -> impl IntoView {
    view! { <TextField label=knob.label_text() help=knob.help() key=knob.key value=value errors=errors numeric=true/> }
}

/// What the form says as a whole: errors no field claimed.
fn form_errors(errors: RwSignal<FormErrors>) -> impl IntoView {
    move || errors.with(|e| (!e.rest.is_empty()).then(|| view! { <p class="field-error" role="alert">{e.rest.join("\n")}</p> }))
}

/// A refused toggle goes back to what the sim still has.
fn revert_checkbox(ev: &leptos::ev::Event, checked: bool) {
    event_target::<web_sys::HtmlInputElement>(ev).set_checked(checked);
}

/// Send a form's command, or show why not. `None`: nothing changed, so nothing is sent.
fn submit(errors: RwSignal<FormErrors>, text_fields: &[(&'static str, &'static str)], parsed: FormErrors, commands: Vec<Command>) {
    if !parsed.is_empty() {
        errors.set(parsed);
        return;
    }
    let handle = use_sim();
    for command in commands {
        if let Err(e) = handle.dispatch(command) {
            // The form shows the error next to its field; the panel-wide notice would repeat it.
            handle.notice.set(None);
            errors.set(FormErrors::from_command(&e, text_fields));
            return;
        }
    }
    errors.set(FormErrors::default());
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
    // The section, not the selection: choosing another task in the same section (or sending a
    // request, which selects it) keeps the form and what was typed in it.
    let section = Memo::new(move |_| handle.selected.get().section_key());
    let forms = expect_context::<Forms>().0;
    // A task's facts and its crash and hang buttons load when a task is first selected.
    let is_task_selected =
        Memo::new(move |_| matches!(handle.selected.get(), Selected::Task(_) | Selected::App(_) | Selected::PortMapping(_)));
    let task_facts = super::OnDemand::default();
    view! {
        <section class="panel inspector" id="inspector" aria-labelledby="inspector-heading">
            <h2 id="inspector-heading">"Settings"</h2>
            {move || handle.is_narrow.get().then(|| view! {
                <a class="inspector__back" href="#diagram-heading">"Back to the diagram"</a>
            })}
            <label class="field">
                <span class="field__label">"Settings for"</span>
                <select
                    id="inspector-section"
                    prop:value=move || section.get()
                    on:change=move |ev| handle.selected.set(Selected::from_section_key(&event_target_value(&ev)))
                >
                    {knobs::GROUPS.iter().map(|(key, label)| option(key, label)).collect_view()}
                </select>
            </label>
            // Errors are alerts here; other notices are announced once by panels::LiveRegion.
            {move || handle.notice.get().map(|(is_error, text)| view! {
                <p class=if is_error { "notice notice--error" } else { "notice" } role=is_error.then_some("alert")>{text}</p>
            })}
            // A selected task's own state and its crash and hang buttons: they change no
            // setting, so no exercise lock hides them.
            {move || is_task_selected.get().then(|| task_facts.view(load_selected_task))}
            {move || {
                // A form shows the setup as it is: when anything changes it (a fix applied from
                // Why?, an exercise step, a loaded link), the form is built again.
                handle.config_version.track();
                match section.get() {
                locked if is_locked(locked) => view! {
                    <p class="notice">"This setting is locked in this exercise. Pick an unlocked one under \"Settings for\"."</p>
                }.into_any(),
                // The client's form is the first screen's; the others load when chosen.
                "client" => view! { <ClientKnobs/> }.into_any(),
                section => forms.get(section_forms).map(|form| form(section)).into_any(),
                }
            }}
        </section>
    }
}

/// The settings forms of the sections other than the client's, once loaded (in context from the
/// app's start, so the diagram can wait for them before it moves focus into one).
#[derive(Clone, Copy)]
pub struct Forms(super::OnDemand<fn(&'static str) -> AnyView>);

impl Forms {
    pub fn provide() {
        provide_context(Forms(super::OnDemand::default()));
    }

    /// Run `then` once the section's form can be drawn: at once for the client's, else when the
    /// forms have loaded.
    pub fn when_ready(section: &'static str, then: impl FnOnce() + 'static) {
        match use_context::<Forms>() {
            Some(forms) if section != "client" => forms.0.with(section_forms, move |_| then()),
            _ => then(),
        }
    }
}

/// The settings forms of the sections other than the client's, loaded on demand: most readers
/// open one or two of them, and together they are the page's largest views.
#[cfg_attr(alb_split, leptos::lazy)]
async fn section_forms() -> fn(&'static str) -> AnyView {
    section_form as fn(&'static str) -> AnyView
}

fn section_form(section: &'static str) -> AnyView {
    match section {
        "network" => view! { <NetworkKnobs/> }.into_any(),
        "alb-sg" => view! { <SecurityGroupKnobs alb=true/> }.into_any(),
        "task-sg" => view! { <SecurityGroupKnobs alb=false/> }.into_any(),
        "listener" => view! { <ListenerKnobs/> }.into_any(),
        "target-group" => view! { <TargetGroupKnobs/> }.into_any(),
        "task-definition" => view! { <TaskDefinitionKnobs/> }.into_any(),
        "service" => view! { <ServiceKnobs/> }.into_any(),
        _ => view! { <ClientKnobs/> }.into_any(),
    }
}

const CLIENT_FIELDS: [(&str, &str); 1] = [("client.path", "Request path")];

#[component]
fn ClientKnobs() -> impl IntoView {
    let handle = use_sim();
    let (port0, path0) = handle.peek(|s| (s.scenario().client.port, s.scenario().client.path.clone()));
    let port = RwSignal::new(port0.to_string());
    let path = RwSignal::new(path0);
    let errors = RwSignal::new(FormErrors::default());
    view! {
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let p = read(&knobs::CLIENT_PORT, &port, &mut parsed);
            let command = p.map(|p| Command::SetClientTarget { port: p as u16, path: path.get_untracked().trim().to_string() });
            submit(errors, &CLIENT_FIELDS, parsed, command.into_iter().collect());
        }>
            <h3>"Client"</h3>
            <KnobField knob=&knobs::CLIENT_PORT value=port errors=errors/>
            <TextField label="Request path".into() help="Starts with /. The app answers / with 200 and any other path except its health endpoint with 404.".into() key="client.path" value=path errors=errors/>
            {form_errors(errors)}
            <button class="button button--primary" type="submit">"Apply client settings"</button>
        </form>
    }
}

/// The rules of one security group in one direction, each with a button that removes it.
fn rule_list(group: &crate::sim::scenario::SecurityGroup, outbound: bool) -> impl IntoView {
    let handle = use_sim();
    let rules = if outbound { group.egress.clone() } else { group.ingress.clone() };
    let gid = group.id.clone();
    let (prep, empty) = if outbound {
        ("to", "No outbound rules: this group's interfaces can open no connection.")
    } else {
        ("from", "No inbound rules: all inbound traffic is dropped.")
    };
    view! {
        <ul class="rules" aria-label=format!("{} rules of {gid}", if outbound { "Outbound" } else { "Inbound" })>
            {rules.is_empty().then(|| view! { <li>{empty}</li> })}
            {rules.into_iter().map(|r| {
                let text = format!("TCP {} {prep} {}", r.ports_text(), r.source);
                let (group_id, from_port, to_port, peer) = (gid.clone(), r.from_port, r.to_port, r.source.clone());
                let cmd = if outbound {
                    Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination: peer }
                } else {
                    Command::RevokeSecurityGroupIngress { group_id, from_port, to_port, source: peer }
                };
                view! {
                    <li class="rules__item">
                        <span>{text.clone()}</span>
                        <button class="button button--small" aria-label=format!("Remove rule {text} from {gid}") on:click=move |_| { let _ = handle.dispatch(cmd.clone()); }>"Remove"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The "Direction" choice of a security-group rule or a network ACL entry: inbound by default;
/// `outbound` follows the selection.
fn direction_field(outbound: RwSignal<bool>, inbound_text: &'static str, outbound_text: &'static str) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field__label">"Direction"</span>
            <select on:change=move |ev| outbound.set(event_target_value(&ev) == "out")>
                <option value="in" selected=true>{inbound_text}</option>
                <option value="out">{outbound_text}</option>
            </select>
        </label>
    }
}

const RULE_FIELDS: [(&str, &str); 1] = [("source", "Source")];

#[component]
fn SecurityGroupKnobs(alb: bool) -> impl IntoView {
    let handle = use_sim();
    let groups = Memo::new(move |_| {
        handle.with_settled(|s| {
            let sc = s.scenario();
            // The same groups the data plane asks (Scenario::task_security_groups).
            let ids: Vec<String> = if alb { sc.load_balancer.security_groups.clone() } else { sc.task_security_groups() };
            ids.iter().filter_map(|id| sc.find_security_group(id)).cloned().collect::<Vec<_>>()
        })
    });
    let (alb_sg, task_sg, default_port) = handle.peek(|s| {
        let sc = s.scenario();
        let alb_sg = sc.load_balancer.security_groups.first().cloned().unwrap_or_default();
        let task_sg = sc.task_security_groups().first().cloned().unwrap_or_default();
        let port = if alb {
            sc.client.port
        } else {
            sc.service.as_ref().and_then(|v| v.load_balancer.as_ref()).map(|l| l.container_port).unwrap_or(sc.target_groups[0].port)
        };
        (alb_sg, task_sg, port)
    });
    let from = RwSignal::new(default_port.to_string());
    let to = RwSignal::new(default_port.to_string());
    let outbound = RwSignal::new(false);
    let source = RwSignal::new(if alb { "0.0.0.0/0".to_string() } else { alb_sg.clone() });
    let errors = RwSignal::new(FormErrors::default());
    let title = if alb { "ALB security group" } else { "Task security group" };
    let hint = if alb {
        "Inbound rules on the load balancer. An internet-facing ALB needs the listener port open to 0.0.0.0/0; without it the client's SYN is dropped and it times out. Its outbound rules must let it reach the tasks."
    } else {
        "Inbound rules on the tasks' network interfaces (for bridge: the container instances). Recommended: the app port from the ALB's security group only."
    };
    let peer_hint = if alb { task_sg.clone() } else { alb_sg.clone() };
    view! {
        <div class="knobs">
            <h3>{title}</h3>
            <p class="panel__hint">{hint}</p>
            {move || groups.get().into_iter().map(|g| view! {
                <h4>{format!("{} ({})", g.id, g.name)}</h4>
                <p class="rules__heading">"Inbound"</p>
                {rule_list(&g, false)}
                <p class="rules__heading">"Outbound"</p>
                {rule_list(&g, true)}
            }).collect_view()}
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                let group = groups.get_untracked().first().map(|g| g.id.clone()).unwrap_or_default();
                let mut parsed = FormErrors::default();
                let f = read(&knobs::RULE_FROM_PORT, &from, &mut parsed);
                let t = read(&knobs::RULE_TO_PORT, &to, &mut parsed);
                let peer = source.get_untracked().trim().to_string();
                let command = f.zip(t).map(|(f, t)| {
                    let (from_port, to_port) = (f as u16, t as u16);
                    if outbound.get_untracked() {
                        Command::AuthorizeSecurityGroupEgress { group_id: group, from_port, to_port, destination: peer }
                    } else {
                        Command::AuthorizeSecurityGroupIngress { group_id: group, from_port, to_port, source: peer }
                    }
                });
                submit(errors, &RULE_FIELDS, parsed, command.into_iter().collect());
            }>
                <h4>"Add a rule"</h4>
                {direction_field(outbound, "Inbound (who may connect to it)", "Outbound (where it may connect)")}
                <KnobField knob=&knobs::RULE_FROM_PORT value=from errors=errors/>
                <KnobField knob=&knobs::RULE_TO_PORT value=to errors=errors/>
                <div class="field">
                    <label class="field__label" for=format!("source-{alb}")>{move || if outbound.get() { "Destination" } else { "Source" }}</label>
                    <input id=format!("source-{alb}") type="text" list=format!("sources-{alb}") prop:value=move || source.get() on:input=move |ev| source.set(event_target_value(&ev)) aria-invalid=move || errors.with(|e| e.field("source").is_some()).to_string()/>
                    <datalist id=format!("sources-{alb}")>
                        <option value="0.0.0.0/0"></option>
                        <option value=alb_sg.clone()></option>
                        <option value=task_sg.clone()></option>
                        <option value="10.0.0.0/16"></option>
                    </datalist>
                    <span class="field__help">"A CIDR block (0.0.0.0/0 is the whole internet) or a security group id such as " {peer_hint}</span>
                    {move || errors.with(|e| e.field("source")).map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </div>
                {form_errors(errors)}
                <button class="button button--primary" type="submit">"Add rule"</button>
            </form>
        </div>
    }
}

#[component]
fn ListenerKnobs() -> impl IntoView {
    let handle = use_sim();
    let (port0, idle0, others) = handle.peek(|s| {
        let lb = &s.scenario().load_balancer;
        (lb.listeners.first().map(|l| l.port).unwrap_or(80), lb.idle_timeout_seconds, lb.listeners.len())
    });
    let port = RwSignal::new(port0.to_string());
    let idle = RwSignal::new(idle0.to_string());
    let errors = RwSignal::new(FormErrors::default());
    view! {
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let p = read(&knobs::LISTENER_PORT, &port, &mut parsed);
            let i = read(&knobs::IDLE_TIMEOUT, &idle, &mut parsed);
            // Only what changed: moving the listener must not also log an idle timeout change.
            let mut commands = Vec::new();
            if let Some(p) = p.map(|p| p as u16).filter(|p| *p != port0) {
                commands.push(Command::ModifyListener { port: port0, new_port: p });
            }
            if let Some(i) = i.map(|i| i as u32).filter(|i| *i != idle0) {
                commands.push(Command::ModifyLoadBalancerAttributes { idle_timeout_seconds: i });
            }
            submit(errors, &[], parsed, commands);
        }>
            <h3>"Listener and load balancer"</h3>
            <p class="panel__hint">{format!("HTTP listener{}; its default action forwards to the target group.", if others > 1 { format!(" (the first of {others})") } else { String::new() })}</p>
            <KnobField knob=&knobs::LISTENER_PORT value=port errors=errors/>
            <KnobField knob=&knobs::IDLE_TIMEOUT value=idle errors=errors/>
            {form_errors(errors)}
            <button class="button button--primary" type="submit">"Apply listener settings"</button>
        </form>
    }
}

const HEALTH_CHECK_FIELDS: [(&str, &str); 3] =
    [("health_check.port", "Health check port"), ("health_check.path", "Health check path"), ("health_check.matcher", "Success codes")];

#[component]
fn TargetGroupKnobs() -> impl IntoView {
    let handle = use_sim();
    let (tg, startup) =
        handle.peek(|s| (s.scenario().target_groups[0].clone(), s.scenario().task_definition.container.app.startup_seconds));
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
    let errors = RwSignal::new(FormErrors::default());
    let attr_errors = RwSignal::new(FormErrors::default());
    let type_errors = RwSignal::new(FormErrors::default());
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    view! {
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let i = read(&knobs::HEALTH_CHECK_INTERVAL, &interval, &mut parsed);
            let t = read(&knobs::HEALTH_CHECK_TIMEOUT, &timeout, &mut parsed);
            let h = read(&knobs::HEALTHY_THRESHOLD, &healthy, &mut parsed);
            let u = read(&knobs::UNHEALTHY_THRESHOLD, &unhealthy, &mut parsed);
            let command = match (i, t, h, u) {
                (Some(i), Some(t), Some(h), Some(u)) => Some(Command::ModifyTargetGroup {
                    target_group: n1.clone(),
                    health_check: HealthCheck {
                        protocol: "HTTP".into(),
                        port: hc_port.get_untracked().trim().to_string(),
                        path: hc_path.get_untracked().trim().to_string(),
                        interval_seconds: i as u32,
                        timeout_seconds: t as u32,
                        healthy_threshold_count: h as u32,
                        unhealthy_threshold_count: u as u32,
                        matcher: matcher.get_untracked().trim().to_string(),
                    },
                }),
                _ => None,
            };
            submit(errors, &HEALTH_CHECK_FIELDS, parsed, command.into_iter().collect());
        }>
            <h3>{format!("Target group {name}: health check")}</h3>
            // The form is rebuilt when the setup changes, so this is the clock of what is applied.
            <p class="panel__hint health-clock">
                <strong>"Clock: "</strong>
                {crate::sim::health::HealthClock::of(&hc, tg.deregistration_delay_seconds, startup).in_words()}
            </p>
            <TextField label="Health check port (HealthCheckPort)".into() help="traffic-port (default: each target's own port) or 1-65535".into() key="health_check.port" value=hc_port errors=errors/>
            <TextField label="Health check path (HealthCheckPath)".into() help="Default /. The app's health endpoint is set in the task definition.".into() key="health_check.path" value=hc_path errors=errors/>
            <KnobField knob=&knobs::HEALTH_CHECK_INTERVAL value=interval errors=errors/>
            <KnobField knob=&knobs::HEALTH_CHECK_TIMEOUT value=timeout errors=errors/>
            <KnobField knob=&knobs::HEALTHY_THRESHOLD value=healthy errors=errors/>
            <KnobField knob=&knobs::UNHEALTHY_THRESHOLD value=unhealthy errors=errors/>
            <TextField label="Success codes (Matcher)".into() help="200-499: 200, 200,202 or 200-299. Default 200".into() key="health_check.matcher" value=matcher errors=errors/>
            {form_errors(errors)}
            <button class="button button--primary" type="submit">"Apply health check"</button>
        </form>
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let d = read(&knobs::DEREGISTRATION_DELAY, &dereg, &mut parsed);
            let m = read(&knobs::FAIL_OPEN_THRESHOLD, &min_healthy, &mut parsed);
            let command = d.zip(m).map(|(d, m)| Command::ModifyTargetGroupAttributes {
                target_group: n2.clone(),
                deregistration_delay_seconds: Some(d as u32),
                unhealthy_state_routing_minimum_healthy_targets_count: Some(m as u32),
                load_balancing_algorithm: Some(algorithm.get_untracked()),
            });
            submit(attr_errors, &[], parsed, command.into_iter().collect());
        }>
            <h3>"Target group attributes"</h3>
            <KnobField knob=&knobs::DEREGISTRATION_DELAY value=dereg errors=attr_errors/>
            <KnobField knob=&knobs::FAIL_OPEN_THRESHOLD value=min_healthy errors=attr_errors/>
            <label class="field">
                <span class="field__label">"Routing algorithm (load_balancing.algorithm.type)"</span>
                <select on:change=move |ev| algorithm.set(if event_target_value(&ev) == "lor" { LoadBalancingAlgorithm::LeastOutstandingRequests } else { LoadBalancingAlgorithm::RoundRobin })>
                    <option value="rr" selected=tg.load_balancing_algorithm == LoadBalancingAlgorithm::RoundRobin>"round_robin (default)"</option>
                    <option value="lor" selected=tg.load_balancing_algorithm == LoadBalancingAlgorithm::LeastOutstandingRequests>"least_outstanding_requests"</option>
                </select>
            </label>
            {form_errors(attr_errors)}
            <button class="button button--primary" type="submit">"Apply attributes"</button>
        </form>
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let p = read(&knobs::TARGET_GROUP_PORT, &tg_port, &mut parsed);
            let command = p.map(|p| Command::RecreateTargetGroup { target_group: n3.clone(), target_type: target_type.get_untracked(), port: p as u16 });
            submit(type_errors, &[], parsed, command.into_iter().collect());
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
            <KnobField knob=&knobs::TARGET_GROUP_PORT value=tg_port errors=type_errors/>
            {form_errors(type_errors)}
            <button class="button" type="submit">"Recreate target group"</button>
        </form>
    }
}

const TASK_FIELDS: [(&str, &str); 2] = [("app.health_path", "App health endpoint path"), ("host_port", "Host port")];

/// What one selected task is doing and, once stopped, why ECS stopped it (its `stopCode`,
/// `stoppedReason` and exit code); while its app is up, buttons that make it crash or hang, so a
/// learner can fail one task of several and watch the load balancer and ECS react.
#[cfg_attr(alb_split, leptos::lazy)]
async fn load_selected_task() -> fn() -> AnyView {
    (|| view! { <SelectedTask/> }.into_any()) as fn() -> AnyView
}

#[component]
fn SelectedTask() -> impl IntoView {
    let handle = use_sim();
    let facts = Memo::new(move |_| {
        let seq = match handle.selected.get() {
            Selected::Task(seq) | Selected::App(seq) | Selected::PortMapping(seq) => seq,
            _ => return None,
        };
        handle.with_settled(|s| {
            let Some(t) = s.task(seq) else {
                // Gone from the diagram: ECS's record of it.
                let t = s.stopped_tasks().find(|t| t.seq == seq)?;
                let short: String = t.id.chars().take(8).collect();
                let exit = t.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "none (it never started)".into());
                let stop = Some((t.stop_code.as_str(), t.stopped_reason.clone(), exit));
                return Some((t.id.to_string(), short, t.private_ip.to_string(), "STOPPED".to_string(), stop, false, false));
            };
            let now = s.now_ms();
            let status = if t.is_hung && !t.is_stop_requested {
                format!("{} · app hung", t.state)
            } else if t.has_crashed && t.state != crate::sim::TaskState::Stopped {
                format!("{} · container exited", t.state)
            } else {
                t.state.to_string()
            };
            let stop = t.stop_code.map(|code| {
                let exit = t.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "not yet".into());
                (code.as_str(), t.stopped_reason.clone().unwrap_or_default(), exit)
            });
            let can_fail = t.is_app_serving(now) && !t.is_stop_requested;
            Some((t.id.to_string(), t.short_id().to_string(), t.private_ip.to_string(), status, stop, can_fail, !t.is_hung))
        })
    });
    let counts = Memo::new(move |_| handle.with_settled(|s| s.stop_counts().into_iter().map(|(k, n)| k.in_words(n)).collect::<Vec<_>>()));
    move || {
        let (id, short, ip, status, stop, can_fail, can_hang) = facts.get()?;
        let fail = move |failure| {
            let id = id.clone();
            move |_| {
                let _ = use_sim().dispatch(Command::FailTask { task: id.clone(), failure });
            }
        };
        Some(view! {
            <section class="task-facts" aria-label=format!("Task {short}")>
                <h3>{format!("Task {short}")}</h3>
                <dl class="facts">
                    <dt>"Status"</dt><dd>{status}</dd>
                    <dt>"Private IP"</dt><dd>{ip}</dd>
                    {stop.map(|(code, reason, exit)| view! {
                        <dt>"stopCode"</dt><dd>{code}</dd>
                        <dt>"stoppedReason"</dt><dd class="facts__long">{reason}</dd>
                        <dt>"Exit code"</dt><dd>{exit}</dd>
                    })}
                </dl>
                {can_fail.then(|| view! {
                    <p class="panel__hint">"Fail this task's app as production apps fail, and watch the load balancer and ECS react."</p>
                    <div class="button-row">
                        <button class="button" disabled=!can_hang on:click=fail(crate::sim::TaskFailure::Hang)>"Make the app hang"</button>
                        <button class="button" on:click=fail(crate::sim::TaskFailure::Crash)>"Crash the app"</button>
                    </div>
                })}
                {move || {
                    let lines = counts.get();
                    (!lines.is_empty()).then(|| view! {
                        <ul class="stop-counts" aria-label="Stopped tasks">
                            {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    })
                }}
            </section>
        })
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
    let root = RwSignal::new(app.response);
    let mode = RwSignal::new(td.network_mode);
    let current_host_port = td.container.port_mappings.first().and_then(|m| m.host_port);
    let host_port = RwSignal::new(current_host_port.map(|p| p.to_string()).unwrap_or_default());
    let errors = RwSignal::new(FormErrors::default());
    let port_errors = RwSignal::new(FormErrors::default());
    view! {
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let mut parsed = FormErrors::default();
            let p = read(&knobs::CONTAINER_PORT, &container_port, &mut parsed);
            let command = p.map(|p| Command::SetContainerPort { container_port: p as u16 });
            submit(port_errors, &[], parsed, command.into_iter().collect());
        }>
            <h3>{format!("Task definition {}:{}", td.family, td.revision)}</h3>
            <KnobField knob=&knobs::CONTAINER_PORT value=container_port errors=port_errors/>
            <p class="panel__hint">"Changing it sets the port mapping and the service's load-balancer container port, registers a new revision and deploys it."</p>
            {form_errors(port_errors)}
            <button class="button button--primary" type="submit">"Change container port and deploy"</button>
        </form>
        <form class="knobs" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let current = use_sim().peek(|s| s.scenario().task_definition.clone());
            let app = &current.container.app;
            let mut parsed = FormErrors::default();
            let listen_port = read(&knobs::LISTEN_PORT, &listen, &mut parsed).map(|v| v as u16);
            let startup_seconds = read(&knobs::STARTUP, &startup, &mut parsed).map(|v| v as u32);
            let host_text = host_port.get_untracked();
            let new_host_port = if host_text.trim().is_empty() { None } else { read_as(&knobs::HOST_PORT, "host_port", &host_port, &mut parsed).map(|v| v as u16) };
            let path = health_path.get_untracked().trim().to_string();
            // Send only what changed: switching network mode resets host ports, so an unchanged
            // mode must not be sent.
            let command = Command::RegisterTaskDefinition {
                changes: TaskDefinitionChanges {
                    network_mode: (mode.get_untracked() != current.network_mode).then(|| mode.get_untracked()),
                    listen_port: listen_port.filter(|p| *p != app.listen_port),
                    startup_seconds: startup_seconds.filter(|s| *s != app.startup_seconds),
                    health_path: (path != app.health_path).then_some(path),
                    health_response: (health.get_untracked() != app.health_response).then(|| health.get_untracked()),
                    response: (root.get_untracked() != app.response).then(|| root.get_untracked()),
                    host_port: new_host_port.filter(|p| Some(*p) != current_host_port),
                    ..Default::default()
                },
                deploy: true,
            };
            submit(errors, &TASK_FIELDS, parsed, vec![command]);
        }>
            <h3>"The app and its network mode"</h3>
            <KnobField knob=&knobs::LISTEN_PORT value=listen errors=errors/>
            <KnobField knob=&knobs::STARTUP value=startup errors=errors/>
            <TextField label="App health endpoint path".into() help="Where the app serves its health check, e.g. /health.".into() key="app.health_path" value=health_path errors=errors/>
            <label class="field">
                <span class="field__label">"Health endpoint answers"</span>
                <select on:change=move |ev| health.set(HealthResponse::from_key(&event_target_value(&ev)).unwrap_or(HealthResponse::Ok))>
                    {HealthResponse::ALL.iter().map(|h| view! { <option value=h.key() selected=*h == app.health_response>{h.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">"App answers / with"</span>
                <select on:change=move |ev| root.set(HealthResponse::from_key(&event_target_value(&ev)).unwrap_or(HealthResponse::Ok))>
                    {HealthResponse::ALL.iter().filter(|h| h.answers_root()).map(|h| view! { <option value=h.key() selected=*h == app.response>{h.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">"Network mode"</span>
                <select on:change=move |ev| mode.set(if event_target_value(&ev) == "bridge" { NetworkMode::Bridge } else { NetworkMode::Awsvpc })>
                    <option value="awsvpc" selected=td.network_mode == NetworkMode::Awsvpc>"awsvpc (own ENI per task; Fargate)"</option>
                    <option value="bridge" selected=td.network_mode == NetworkMode::Bridge>"bridge (dynamic host ports on EC2)"</option>
                </select>
            </label>
            <TextField label=knobs::HOST_PORT.label_text() help=knobs::HOST_PORT.about.to_string() key="host_port" value=host_port errors=errors numeric=true/>
            {form_errors(errors)}
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
    let create_error = Memo::new(move |_| handle.with_settled(|s| s.service_runtime().create_error.as_ref().map(|e| e.to_string())));
    let desired = RwSignal::new(svc.desired_count.to_string());
    let grace = RwSignal::new(svc.health_check_grace_period_seconds.to_string());
    let min = RwSignal::new(svc.deployment_configuration.minimum_healthy_percent.to_string());
    let max = RwSignal::new(svc.deployment_configuration.maximum_percent.to_string());
    let public_ip = RwSignal::new(svc.network_configuration.as_ref().is_some_and(|n| n.assign_public_ip));
    let initial_fail_open = RwSignal::new(handle.peek(|s| s.scenario().options.initial_targets_fail_open));
    let errors = RwSignal::new(FormErrors::default());
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
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                let mut parsed = FormErrors::default();
                let d = read(&knobs::DESIRED_COUNT, &desired, &mut parsed);
                let g = read(&knobs::GRACE_PERIOD, &grace, &mut parsed);
                let lo = read(&knobs::MINIMUM_HEALTHY_PERCENT, &min, &mut parsed);
                let hi = read(&knobs::MAXIMUM_PERCENT, &max, &mut parsed);
                let command = match (d, g, lo, hi) {
                    (Some(d), Some(g), Some(lo), Some(hi)) => Some(Command::update_service(Some(d as u32), Some(g as u32), Some((lo as u32, hi as u32)))),
                    _ => None,
                };
                submit(errors, &[], parsed, command.into_iter().collect());
            }>
                <KnobField knob=&knobs::DESIRED_COUNT value=desired errors=errors/>
                <KnobField knob=&knobs::GRACE_PERIOD value=grace errors=errors/>
                <KnobField knob=&knobs::MINIMUM_HEALTHY_PERCENT value=min errors=errors/>
                <KnobField knob=&knobs::MAXIMUM_PERCENT value=max errors=errors/>
                {form_errors(errors)}
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
    let (vpc, lb_subnets, task_subnets) = handle.peek(|s| {
        let sc = s.scenario();
        let task = sc.service.as_ref().and_then(|v| v.network_configuration.as_ref()).map(|n| n.subnets.clone());
        (sc.vpc.clone(), sc.load_balancer.subnets.clone(), task)
    });
    let lb_chosen = RwSignal::new(lb_subnets);
    let task_chosen = RwSignal::new(task_subnets.clone().unwrap_or_default());
    let lb_errors = RwSignal::new(FormErrors::default());
    let task_errors = RwSignal::new(FormErrors::default());
    let subnet_ids: Vec<(String, String)> = vpc.subnets.iter().map(|s| (s.id.clone(), s.availability_zone.clone())).collect();
    // The chosen subnets in the VPC's order.
    let ordered = {
        let ids = subnet_ids.clone();
        move |list: RwSignal<Vec<String>>| {
            let chosen = list.get_untracked();
            ids.iter().filter(|(id, _)| chosen.contains(id)).map(|(id, _)| id.clone()).collect::<Vec<_>>()
        }
    };
    let choices = move |list: RwSignal<Vec<String>>, name: &'static str| {
        subnet_ids
            .iter()
            .map(|(id, zone)| {
                let (id1, id2) = (id.clone(), id.clone());
                view! {
                    <label class="field--check">
                        <input type="checkbox" prop:checked=move || list.with(|v| v.contains(&id1)) on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            list.update(|v| { v.retain(|x| *x != id2); if on { v.push(id2.clone()); } });
                        }/>
                        {format!(" {id} ({zone})")}
                        <span class="sr-only">{format!(" for the {name}")}</span>
                    </label>
                }
            })
            .collect_view()
    };
    let choices2 = choices.clone();
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
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                submit(lb_errors, &[], FormErrors::default(), vec![Command::SetSubnets { subnets: ordered(lb_chosen) }]);
            }>
                <h4>"Load balancer subnets (SetSubnets)"</h4>
                <p class="panel__hint">"An Application Load Balancer needs subnets in at least two availability zones, one subnet per zone. Its nodes take addresses in these subnets."</p>
                {choices(lb_chosen, "load balancer")}
                {form_errors(lb_errors)}
                <button class="button button--primary" type="submit">"Apply load balancer subnets"</button>
            </form>
            {task_subnets.is_some().then(|| view! {
                <form novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    submit(task_errors, &[], FormErrors::default(), vec![Command::SetServiceSubnets { subnets: ordered2(task_chosen) }]);
                }>
                    <h4>"Task subnets (networkConfiguration.awsvpcConfiguration.subnets)"</h4>
                    <p class="panel__hint">"Where the service places new tasks, spread over these subnets. Changing them starts a deployment."</p>
                    {choices2(task_chosen, "tasks")}
                    {form_errors(task_errors)}
                    <button class="button button--primary" type="submit">"Apply task subnets and deploy"</button>
                </form>
            })}
            <NetworkAclKnobs/>
        </div>
    }
}

/// The entries of one network ACL in one direction, lowest number first, each with a button that
/// deletes it.
fn acl_entry_list(acl: &NetworkAcl, egress: bool) -> impl IntoView {
    let handle = use_sim();
    // In the order the ACL keeps them: rule-number order, as commands insert them and AWS lists
    // them (a scenario file may list them otherwise; evaluation does not depend on it).
    let entries = if egress { acl.outbound.clone() } else { acl.inbound.clone() };
    let id = acl.id.clone();
    let dir = if egress { "Outbound" } else { "Inbound" };
    view! {
        <ul class="rules" aria-label=format!("{dir} entries of {id}")>
            {entries.into_iter().map(|e| {
                let text = e.text(!egress);
                let cmd = Command::DeleteNetworkAclEntry { network_acl_id: id.clone(), egress, rule_number: e.rule_number };
                view! {
                    <li class="rules__item">
                        <span>{text.clone()}</span>
                        <button class="button button--small" aria-label=format!("Delete entry {text} from {id}") on:click=move |_| { let _ = handle.dispatch(cmd.clone()); }>"Delete"</button>
                    </li>
                }
            }).collect_view()}
            <li>{format!("* deny all traffic {} (every packet no entry above matched)", if egress { "to 0.0.0.0/0" } else { "from 0.0.0.0/0" })}</li>
        </ul>
    }
}

const ACL_FIELDS: [(&str, &str); 2] = [("cidr", "CIDR block"), ("id", "Network ACL id")];

/// Network ACLs: which one each subnet uses, their entries, and forms to add entries and ACLs.
#[component]
fn NetworkAclKnobs() -> impl IntoView {
    let handle = use_sim();
    let (acls, subnets, vpc_cidr) = handle.peek(|s| {
        let sc = s.scenario();
        let subnets: Vec<(String, String)> = sc
            .vpc
            .subnets
            .iter()
            .map(|sub| {
                (sub.id.clone(), sc.network_acl_of(&sub.id).map(|a| a.id.clone()).unwrap_or_else(|| DEFAULT_NETWORK_ACL.to_string()))
            })
            .collect();
        (sc.network_acls.clone(), subnets, sc.vpc.cidr.clone())
    });
    let assoc_errors = RwSignal::new(FormErrors::default());
    let entry_errors = RwSignal::new(FormErrors::default());
    let create_errors = RwSignal::new(FormErrors::default());
    let acl_ids: Vec<String> = acls.iter().map(|a| a.id.clone()).collect();
    let chosen_acl = RwSignal::new(acl_ids.first().cloned().unwrap_or_default());
    let egress = RwSignal::new(false);
    let rule_number = RwSignal::new("100".to_string());
    let from = RwSignal::new("8000".to_string());
    let to = RwSignal::new("8000".to_string());
    let cidr = RwSignal::new(vpc_cidr.clone());
    let allow = RwSignal::new(true);
    let new_id = RwSignal::new("acl-new".to_string());
    let ids_for_select = acl_ids.clone();
    view! {
        <h4>"Network ACLs"</h4>
        <p class="panel__hint">"A network ACL checks every packet that enters or leaves a subnet, by numbered allow and deny entries, lowest first. It is stateless: a reply is checked as a packet of its own, on the opener's ephemeral port (1024-65535), so a subnet that admits the app port must also let the replies out. A subnet without a custom ACL uses the VPC's default, which allows everything. Traffic within one subnet crosses no ACL."</p>
        <table class="subnets">
            <caption class="sr-only">"The network ACL each subnet uses"</caption>
            <thead><tr><th scope="col">"Subnet"</th><th scope="col">"Network ACL"</th></tr></thead>
            <tbody>
                {subnets.into_iter().map(|(subnet, current)| {
                    let options: Vec<String> = std::iter::once(DEFAULT_NETWORK_ACL.to_string()).chain(acl_ids.iter().cloned()).collect();
                    let label = format!("Network ACL of {subnet}");
                    view! {
                        <tr>
                            <th scope="row">{subnet.clone()}</th>
                            <td>
                                <select aria-label=label on:change=move |ev| {
                                    let network_acl_id = event_target_value(&ev);
                                    submit(assoc_errors, &[], FormErrors::default(), vec![Command::ReplaceNetworkAclAssociation { subnet_id: subnet.clone(), network_acl_id }]);
                                }>
                                    {options.into_iter().map(|o| {
                                        let text = if o == DEFAULT_NETWORK_ACL { "default (allows all)".to_string() } else { o.clone() };
                                        view! { <option value=o.clone() selected=o == current>{text}</option> }
                                    }).collect_view()}
                                </select>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {form_errors(assoc_errors)}
        {acls.iter().map(|a| view! {
            <h4>{format!("{} ({})", a.id, if a.subnets.is_empty() { "no subnets".to_string() } else { a.subnets.join(", ") })}</h4>
            <p class="rules__heading">"Inbound"</p>
            {acl_entry_list(a, false)}
            <p class="rules__heading">"Outbound"</p>
            {acl_entry_list(a, true)}
        }).collect_view()}
        {(!acls.is_empty()).then(|| view! {
            <form novalidate on:submit=move |ev| {
                ev.prevent_default();
                let mut parsed = FormErrors::default();
                let n = read(&knobs::NACL_RULE_NUMBER, &rule_number, &mut parsed);
                let f = read(&knobs::RULE_FROM_PORT, &from, &mut parsed);
                let t = read(&knobs::RULE_TO_PORT, &to, &mut parsed);
                let command = n.zip(f).zip(t).map(|((n, f), t)| Command::CreateNetworkAclEntry {
                    network_acl_id: chosen_acl.get_untracked(),
                    egress: egress.get_untracked(),
                    rule_number: n as u16,
                    protocol: "tcp".into(),
                    from_port: f as u16,
                    to_port: t as u16,
                    cidr_block: cidr.get_untracked().trim().to_string(),
                    rule_action: if allow.get_untracked() { NaclAction::Allow } else { NaclAction::Deny },
                });
                submit(entry_errors, &ACL_FIELDS, parsed, command.into_iter().collect());
            }>
                <h4>"Add an entry (CreateNetworkAclEntry)"</h4>
                <label class="field">
                    <span class="field__label">"Network ACL"</span>
                    <select on:change=move |ev| chosen_acl.set(event_target_value(&ev))>
                        {ids_for_select.iter().map(|id| view! { <option value=id.clone()>{id.clone()}</option> }).collect_view()}
                    </select>
                </label>
                {direction_field(egress, "Inbound (packets entering the subnet)", "Outbound (packets leaving the subnet, replies too)")}
                <KnobField knob=&knobs::NACL_RULE_NUMBER value=rule_number errors=entry_errors/>
                <KnobField knob=&knobs::RULE_FROM_PORT value=from errors=entry_errors/>
                <KnobField knob=&knobs::RULE_TO_PORT value=to errors=entry_errors/>
                <TextField label="CIDR block".into() help=format!("The peer: where packets come from (inbound) or go to (outbound). 0.0.0.0/0 is everywhere; {vpc_cidr} is the VPC.") key="cidr" value=cidr errors=entry_errors/>
                <label class="field">
                    <span class="field__label">"Action"</span>
                    <select on:change=move |ev| allow.set(event_target_value(&ev) == "allow")>
                        <option value="allow" selected=true>"Allow"</option>
                        <option value="deny">"Deny"</option>
                    </select>
                </label>
                {form_errors(entry_errors)}
                <button class="button button--primary" type="submit">"Add entry"</button>
            </form>
        })}
        <form novalidate on:submit=move |ev| {
            ev.prevent_default();
            submit(create_errors, &ACL_FIELDS, FormErrors::default(), vec![Command::CreateNetworkAcl { network_acl_id: new_id.get_untracked().trim().to_string() }]);
        }>
            <h4>"Create a network ACL (CreateNetworkAcl)"</h4>
            <p class="panel__hint">"A new network ACL has no entries: it denies everything until you add some. Associate it with a subnet in the table above."</p>
            <TextField label="Network ACL id".into() help="1-64 letters, digits, '-', '_' or '.', such as acl-private.".into() key="id" value=new_id errors=create_errors/>
            {form_errors(create_errors)}
            <button class="button button--primary" type="submit">"Create network ACL"</button>
        </form>
    }
}
