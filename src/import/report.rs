//! The diagnosis of an imported setup: the simulation's own findings (the same rules the page
//! shows for every scenario), the cross-resource checks only the documents can answer, and AWS's
//! observed target states next to what the simulation predicts.

use super::{Imported, ObservedTarget};
use crate::sim::cli::to_cli;
use crate::sim::diagnosis::Severity;
use crate::sim::scenario::{NetworkMode, TargetType};
use crate::sim::{Command, Scenario, Sim};
use serde::Serialize;

/// How long the simulation runs an imported setup before it is read: long enough for the
/// default health check (5 passes 30 s apart) to decide, and for ECS to replace a failing task.
pub const SETTLE_MS: u64 = 300_000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportFinding {
    /// Stable: the diagnosis rule's id (`task-security-group`), or the import check's.
    pub id: String,
    /// The matching rule of an established linter, where one exists (`cfn-lint E3049`).
    pub linter: Option<&'static str>,
    /// `broken`, `warning` or `info`.
    pub severity: &'static str,
    /// The hop it is at, as the diagram names it.
    pub hop: &'static str,
    pub cause: String,
    pub aws_shows: String,
    pub fix: String,
    /// The fix as an `aws` CLI command with the setup's real ids.
    pub aws_cli: Option<String>,
}

/// One target: what AWS observed, what the simulation predicts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub target: String,
    pub target_group: String,
    /// `unhealthy (Target.Timeout)`.
    pub observed: String,
    pub simulated: String,
    /// `agree`, `disagree`, or `undecided` when AWS had not decided yet (`initial`, `draining`).
    pub verdict: &'static str,
    /// Where they disagree: where to look.
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub client_sees: String,
    /// No finding breaks the path: a request gets through to the app.
    pub gets_through: bool,
    pub findings: Vec<ImportFinding>,
    pub comparisons: Vec<Comparison>,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Broken => "broken",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Run the imported setup and diagnose it. `None` when no scenario could be built.
pub fn report(imported: &Imported) -> Option<Report> {
    let valid = imported.scenario.as_ref().ok()?.clone();
    let mut sim = Sim::new(valid, None);
    // AWS's observation is of the tasks as they were; ECS may replace an unhealthy one later,
    // so each observed target is compared with its first decided state in the run.
    let mut first = FirstStates::default();
    for _ in 0..SETTLE_MS / STEP_MS {
        sim.run_for(STEP_MS);
        first.record(&sim, &imported.inventory.observed);
    }
    Some(report_of(&sim, imported, &first))
}

const STEP_MS: u64 = 5_000;

/// The first state other than `initial` each observed target took in the run (or its last
/// `initial` one), keyed by the observed target's id and port.
#[derive(Default)]
pub struct FirstStates {
    states: std::collections::BTreeMap<(String, Option<u16>), (String, String)>,
}

impl FirstStates {
    pub fn record(&mut self, sim: &Sim, observed: &[ObservedTarget]) {
        for o in observed {
            let key = (o.id.clone(), o.port);
            if self.states.get(&key).is_some_and(|(state, _)| state != "initial") {
                continue;
            }
            let Some(t) = sim.targets().find(|t| matches(t, o)) else { continue };
            let reason = t.reason.as_ref().map(|r| r.code()).unwrap_or("").to_string();
            self.states.insert(key, (t.state.key().to_string(), reason));
        }
    }
    fn get(&self, o: &ObservedTarget) -> Option<(&str, &str)> {
        self.states.get(&(o.id.clone(), o.port)).map(|(s, r)| (s.as_str(), r.as_str()))
    }
}

fn matches(t: &crate::sim::health::Target, o: &ObservedTarget) -> bool {
    // An instance target's dynamic port is drawn anew in the run: the instance decides.
    t.endpoint.ip.to_string() == o.id || t.endpoint.instance_id.as_deref() == Some(o.id.as_str())
}

/// The report for a simulation already run on the imported setup.
pub fn report_of(sim: &Sim, imported: &Imported, first: &FirstStates) -> Report {
    let s = sim.scenario();
    let d = sim.diagnose();
    let ids = &imported.ids;
    let mut findings: Vec<ImportFinding> = d
        .findings
        .iter()
        .map(|f| ImportFinding {
            id: f.id.to_string(),
            linter: linter_for(f.id, s),
            severity: severity(f.severity),
            hop: f.hop.label(),
            cause: ids.real(&f.cause),
            aws_shows: ids.real(&f.aws_shows),
            fix: ids.real(&f.fix),
            // A new task definition revision written by the lab would carry the lab's stand-in
            // container, not the user's image: say the fix in words only.
            aws_cli: f
                .fix_command
                .as_ref()
                .filter(|c| !matches!(c, Command::RegisterTaskDefinition { .. }))
                .and_then(|c| to_cli(c, s))
                .map(|c| ids.real(&c)),
        })
        .collect();
    let covered: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    findings.extend(
        static_checks(imported, s).into_iter().filter(|f| !f.covered_by.iter().any(|c| covered.iter().any(|x| x == c))).map(|f| f.finding),
    );
    let comparisons = compare(sim, &imported.inventory.observed, first);
    for c in comparisons.iter().filter(|c| c.verdict == "disagree") {
        findings.push(ImportFinding {
            id: "observed-disagrees".into(),
            linter: None,
            severity: "warning",
            hop: "Target group",
            cause: format!("AWS and the simulation disagree about {}: AWS says {}, the simulation {}.", c.target, c.observed, c.simulated),
            aws_shows: c.observed.clone(),
            fix: c.note.clone(),
            aws_cli: None,
        });
    }
    let gets_through = !findings.iter().any(|f| f.severity == "broken");
    Report { client_sees: d.client_sees, gets_through, findings, comparisons }
}

/// The linter rule that finds the same thing, where the setup is the case that rule checks.
fn linter_for(id: &str, s: &Scenario) -> Option<&'static str> {
    let td = &s.task_definition;
    let dynamic = td.network_mode == NetworkMode::Bridge && td.container.port_mappings.iter().any(|m| m.host_port.unwrap_or(0) == 0);
    let fixed_check = s.target_groups.iter().any(|t| t.health_check.explicit_port().is_some());
    match id {
        "health-check-port" if dynamic && fixed_check => Some("cfn-lint E3049"),
        _ => None,
    }
}

/// A check of the documents, and the diagnosis rules that already report the same thing when
/// they fire (then the check's finding would only repeat it).
struct Static {
    finding: ImportFinding,
    covered_by: &'static [&'static str],
}

/// What only the documents can tell: checks of how resources refer to each other that the
/// running lab, which always holds a consistent setup, cannot see.
fn static_checks(imported: &Imported, s: &Scenario) -> Vec<Static> {
    let mut out = Vec::new();
    // The chain listener → rule → target group → service: a service registering in a group no
    // listener forwards to serves nobody (AWS shows its targets `unused`, Target.NotInUse).
    if let Some(lb) = s.service.as_ref().and_then(|x| x.load_balancer.as_ref()) {
        let forwarded = s.load_balancer.listeners.iter().any(|l| {
            crate::sim::scenario::action_forwards_to(&l.default_action, &lb.target_group)
                || l.rules.iter().any(|r| crate::sim::scenario::action_forwards_to(&r.action, &lb.target_group))
        });
        if let (false, Some(listener)) =
            (forwarded, s.load_balancer.listeners.iter().find(|l| l.port == s.client.port).or(s.load_balancer.listeners.first()))
        {
            let tg = s.find_target_group(&lb.target_group);
            let tg_arn = tg.map(|t| imported.ids.real(&crate::sim::scenario::target_group_arn(t))).unwrap_or_default();
            let listener_arn = imported.ids.real(&crate::sim::cli::listener_arn(s, listener.port));
            let now = match &listener.default_action {
                crate::sim::scenario::Action::Forward { target_group } => format!("forwards to {target_group}"),
                crate::sim::scenario::Action::FixedResponse { status_code, .. } => format!("answers a fixed {status_code}"),
            };
            out.push(Static {
                finding: ImportFinding {
                    id: "listener-skips-service-target-group".into(),
                    linter: None,
                    severity: "broken",
                    hop: "Listener rule",
                    cause: format!(
                        "The service registers its tasks in {}, but no listener rule forwards there: the listener on port {} {now}.",
                        lb.target_group, listener.port
                    ),
                    aws_shows: "describe-target-health: the service's targets are unused (Target.NotInUse, \"Target group is not configured to receive traffic from the load balancer\")".into(),
                    fix: format!("Forward the listener on port {} (or a rule) to {}.", listener.port, lb.target_group),
                    aws_cli: Some(format!("aws elbv2 modify-listener --listener-arn {listener_arn} --default-actions Type=forward,TargetGroupArn={tg_arn}")),
                },
                covered_by: &[],
            });
        }
    }
    let inv = &imported.inventory;
    let td = &s.task_definition;
    // Dynamic host ports with a fixed health-check port: the check goes to a port nothing on
    // the instance listens on (cfn-lint E3049).
    if td.network_mode == NetworkMode::Bridge && td.container.port_mappings.iter().any(|m| m.host_port.unwrap_or(0) == 0) {
        for tg in s.target_groups.iter().filter(|t| t.target_type == TargetType::Instance) {
            if let Some(port) = tg.health_check.explicit_port() {
                let arn = imported.ids.real(&crate::sim::scenario::target_group_arn(tg));
                out.push(Static { covered_by: &["health-check-port"], finding: ImportFinding {
                    id: "dynamic-ports-fixed-health-check".into(),
                    linter: Some("cfn-lint E3049"),
                    severity: "broken",
                    hop: "Target group",
                    cause: format!(
                        "The task definition maps a dynamic host port (hostPort 0), but target group {} checks a fixed port, {port}: each task listens on its own ephemeral port, so the check reaches nothing.",
                        tg.name
                    ),
                    aws_shows: "Target.Timeout or Target.FailedHealthChecks on every target".into(),
                    fix: "Set the health check port to traffic-port, so each target is checked on its own port.".into(),
                    aws_cli: Some(format!("aws elbv2 modify-target-group --target-group-arn {arn} --health-check-port traffic-port")),
                }});
            }
        }
    }
    // An awsvpc task definition needs the service's awsvpcConfiguration (cfn-lint E3052).
    let runs = s.service.as_ref().map(|x| x.name.clone()).unwrap_or_default();
    for svc in inv
        .services
        .iter()
        .filter(|x| !x.name.is_empty() && x.name.replace(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)), "-") == runs)
    {
        if td.network_mode == NetworkMode::Awsvpc && svc.subnets.is_none() {
            out.push(Static { covered_by: &[], finding: ImportFinding {
                id: "awsvpc-without-network-configuration".into(),
                linter: Some("cfn-lint E3052"),
                severity: "broken",
                hop: "Task",
                cause: format!("Service {} runs an awsvpc task definition but has no network configuration (subnets and security groups).", svc.name),
                aws_shows: "InvalidParameterException: Network Configuration must be provided when networkMode 'awsvpc' is specified.".into(),
                fix: "Give the service an awsvpcConfiguration with the task subnets and the task security group.".into(),
                aws_cli: Some(format!(
                    "aws ecs update-service --cluster {} --service {} --network-configuration 'awsvpcConfiguration={{subnets=[<subnet-id>],securityGroups=[<sg-id>]}}'",
                    last(&svc.cluster),
                    svc.name
                )),
            }});
        }
    }
    out
}

fn last(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// AWS's observed states next to the simulation's, target by target.
fn compare(sim: &Sim, observed: &[ObservedTarget], first: &FirstStates) -> Vec<Comparison> {
    let s = sim.scenario();
    let mut out = Vec::new();
    for o in observed {
        let tg_name = s
            .target_groups
            .iter()
            .find(|t| !o.target_group.is_empty() && o.target_group.contains(&format!("targetgroup/{}/", t.name)))
            .map(|t| t.name.clone());
        // A dump tied to no group is compared with the group the service registers in.
        let tg_name = tg_name.or_else(|| s.service.as_ref().and_then(|x| x.load_balancer.as_ref()).map(|l| l.target_group.clone()));
        let mine = first.get(o);
        let observed = words(&o.state, &o.reason);
        let (simulated, sim_state) = match mine {
            Some((state, reason)) => (words(state, reason), state.to_string()),
            None => ("has no such target".to_string(), String::new()),
        };
        // `unused` and no target at all both mean the service's group gets no traffic.
        let agree = o.state == sim_state || (mine.is_none() && (o.state.is_empty() || o.state == "unused"));
        let port = o.port.map(|p| p.to_string()).unwrap_or_else(|| "its port".into());
        let undecided = matches!(o.state.as_str(), "initial" | "draining" | "unavailable");
        let verdict = if agree {
            "agree"
        } else if undecided {
            "undecided"
        } else {
            "disagree"
        };
        let note = if agree && o.state == "unused" {
            "No listener rule forwards to this group: AWS leaves its targets unused, and the simulation, where ECS would refuse to attach a service to a group no listener uses, registers none. Either way the service gets no traffic.".into()
        } else if agree {
            String::new()
        } else if undecided {
            format!("AWS had not decided yet ({observed}) when the output was taken; the simulation predicts {simulated}.")
        } else if o.state == "unused" {
            "AWS says unused (Target.NotInUse): no listener rule forwards to this target's group, or its zone is not enabled on the load balancer; the simulation routes to it, so a listener or rule document is probably older than the setup.".into()
        } else if mine.is_none() {
            format!(
                "The simulation registers no target {}: the pasted documents are from different moments (describe-tasks and describe-target-health taken at once agree), or the task was replaced since.",
                o.id
            )
        } else if o.reason == "Target.Timeout" && sim_state == "healthy" {
            format!(
                "AWS says Target.Timeout; with the groups you pasted the simulation admits the check: look for a network ACL (paste describe-network-acls), a route, or an app that does not listen on port {port}."
            )
        } else if o.state == "healthy" {
            "AWS says healthy where the simulation predicts otherwise: a document is probably older than the running setup, or a rule was not pasted (describe-security-group-rules lists them all).".into()
        } else {
            format!("AWS says {observed}; the simulation predicts {simulated}. The app inside the container, which no document shows, is the usual difference: check it answers on port {port}.")
        };
        out.push(Comparison {
            target: format!("{}:{port}", o.id),
            target_group: tg_name.unwrap_or_default(),
            observed,
            simulated,
            verdict,
            note,
        });
    }
    out
}

fn words(state: &str, reason: &str) -> String {
    if reason.is_empty() {
        state.to_string()
    } else {
        format!("{state} ({reason})")
    }
}
