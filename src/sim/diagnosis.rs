//! Diagnosis: what the client sees now, the root causes behind it, and the change that fixes
//! each one, in the order a request meets them.
//!
//! The diagnosis is a table of small rules ([`RULES`]) over one context, in the order a request
//! meets the hops. Each reads the setup the way an engineer debugging a real account would
//! (docs/model.md §Failure table), and asks the data plane's own decisions (the security groups,
//! the listener's route, the app's answer), never a copy of them: the first broken hop on the
//! path is what the client sees; later broken hops are listed too, because fixing the first one
//! only reveals them.

use super::ecs::Task;
use super::health::{clock, CheckResult, HealthClock, Reason};
use super::nacl::NaclRefusal;
use super::net::{Cidr, Ipv4};
use super::scenario::{
    Action, AppAnswer, EcsRefusal, EcsService, HealthResponse, NaclAction, NetworkMode, Scenario, ServiceLoadBalancer, TargetGroup,
    TargetType,
};
use super::state::{TargetState, TaskState};
use super::trace::{Detail, Hop, Outcome, OutcomeClass, StatusSource};
use super::traffic::Source;
use super::{Command, Sim, TaskDefinitionChanges};
use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// Breaks the path: clients do not get the app's answer because of it.
    Broken,
    /// Works, but is a lesson: exposure, a 503 window waiting to happen, fail-open.
    Warning,
    Info,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The stable id of the rule that found it (`task-security-group`): what a CI job or an
    /// import report keys on; it never changes when the words do.
    pub id: &'static str,
    pub severity: Severity,
    pub hop: Hop,
    /// The root cause, in a sentence.
    pub cause: String,
    /// What AWS shows for it: a reason code, an error, a metric.
    pub aws_shows: String,
    /// The change that fixes it, in words.
    pub fix: String,
    /// The same change as a command, when one command does it.
    #[serde(skip)]
    pub fix_command: Option<Command>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnosis {
    /// One line: what the client has seen over the last 30 s of sim time.
    pub client_sees: String,
    pub findings: Vec<Finding>,
    /// What this setup settles to once tasks run and their checks have decided, when the
    /// diagnosis can say: `None` while a finding makes the run churn (a crashing app, a grace
    /// period too short, tasks in zones the load balancer has not enabled).
    #[serde(skip)]
    pub settles_to: Option<Settled>,
}

/// A setup's steady state, as the data plane decides it for the task the setup would start.
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    pub targets: SettledTargets,
    /// What every client request then gets.
    pub client: Outcome,
}

/// What the target group's targets turn into.
#[derive(Clone, Debug, PartialEq)]
pub enum SettledTargets {
    /// Nothing registers a target.
    Empty,
    /// Each target's health checks end like this: a pass makes it healthy, a failure unhealthy
    /// with that reason.
    Checked(CheckResult),
    /// The diagnosis stopped before the targets (the client never gets past the load balancer).
    NotDiagnosed,
}

impl SettledTargets {
    /// The reason the targets end with, when their checks fail.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            SettledTargets::Checked(check) => check.reason(),
            _ => None,
        }
    }
}

impl Settled {
    /// In AWS's words: the targets' state and reason, then what clients get.
    pub fn in_words(&self) -> String {
        let client = match self.client {
            Outcome::Http { source: StatusSource::Target, .. } => format!("clients get the app's answer, {}", self.client),
            Outcome::Http { status, source: StatusSource::Elb } => {
                format!("clients get {} (HTTPCode_ELB_{status}_Count)", self.client)
            }
            _ => format!("clients get {}", self.client),
        };
        match &self.targets {
            SettledTargets::NotDiagnosed => client,
            SettledTargets::Empty => format!("TG 0 healthy / 0 unhealthy; {client}"),
            SettledTargets::Checked(check) => match check.reason() {
                None => format!("targets healthy; {client}"),
                Some(reason) => format!(
                    "{} ({}); clients get 503 while targets are initial, then every target is unhealthy, the load balancer fails open and {client}",
                    reason.code(),
                    reason.description()
                ),
            },
        }
    }
}

impl Diagnosis {
    pub fn broken(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Broken)
    }
}

/// Sum up the client outcomes of the last `seconds`.
pub fn client_summary(sim: &Sim, seconds: u64) -> String {
    let w = sim.metrics().window(sim.now_ms(), seconds);
    let total = w.total_outcomes();
    if total == 0 {
        return format!("No client requests finished in the last {seconds} s.");
    }
    let mut parts: Vec<(u32, &str)> = OutcomeClass::ALL.iter().map(|c| (w.outcome(*c), c.label())).filter(|(n, _)| *n > 0).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    let text: Vec<String> = parts.iter().map(|(n, label)| format!("{}% {label}", (*n as u64 * 100 / total as u64))).collect();
    format!("Last {seconds} s: {total} requests: {}", text.join(", "))
}

/// What every rule of the diagnosis reads: the sim and its setup, the findings so far, and what
/// the rules before it established on the way down the path (the target group the client's path
/// reaches, the service attached to it, the task that setup would start).
struct Context<'a> {
    sim: &'a Sim,
    s: &'a Scenario,
    findings: Vec<Finding>,
    tg: Option<&'a TargetGroup>,
    svc: Option<&'a EcsService>,
    lb: Option<&'a ServiceLoadBalancer>,
    task: Option<TaskFacts>,
    /// A hop from the load balancer to the app is broken, so the health endpoint's own answer
    /// is not what decides the target's health.
    path_broken: bool,
    /// A finding keeps the run from settling: tasks crash, are replaced before they turn healthy,
    /// or run where the load balancer cannot route.
    churns: bool,
    /// The id of the rule running now, given to the findings it pushes.
    rule: &'static str,
}

/// The task a setup would start, as the rules about the path from the load balancer see it.
struct TaskFacts {
    groups: Vec<String>,
    groups_arc: Vec<Arc<str>>,
    /// The port its target is registered on (a bridge task's dynamic host port: one the path
    /// drops, if it drops any).
    port: u16,
    /// Its host port is drawn from the dynamic range: a fix opens the whole range.
    is_dynamic: bool,
    /// An address it would get, and the load balancer node that would reach it.
    ip: Ipv4,
    node_ip: Ipv4,
    /// What a running task of this setup settles to, as the data plane decides it: its health
    /// check's result and the answer a client's request routed to it gets.
    settles: Option<(CheckResult, Outcome)>,
}

impl Context<'_> {
    fn push(
        &mut self,
        severity: Severity,
        hop: Hop,
        cause: String,
        aws_shows: impl Into<String>,
        fix: String,
        fix_command: Option<Command>,
    ) {
        self.findings.push(Finding { id: self.rule, severity, hop, cause, aws_shows: aws_shows.into(), fix, fix_command });
    }
    fn tg_name(&self) -> String {
        self.tg.map(|t| t.name.clone()).unwrap_or_default()
    }
    /// What AWS shows once the task this setup starts has settled, as the data plane decides it;
    /// `fallback` where no task can be probed.
    fn settled_words(&self, fallback: &str) -> String {
        match self.task.as_ref().and_then(|t| t.settles.clone()) {
            Some((check, client)) => Settled { targets: SettledTargets::Checked(check), client }.in_words(),
            None => fallback.to_string(),
        }
    }
}

/// Go on to the next rule, or stop: a broken hop that hides everything after it (no listener,
/// no service) ends the diagnosis.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Continue,
    Stop,
}

type Rule = fn(&mut Context) -> Next;

/// The rules, in the order a request meets the hops (docs/model.md §Failure table). Each is a
/// small function over the context; the first broken hop is what the client sees, and later ones
/// are listed too, because fixing the first only reveals them.
/// Each rule: its stable id (kept in [`Finding::id`]), what it checks, and the check.
const RULES: [(&str, &str, Rule); 19] = [
    ("alb-network-acl", "the load balancer's subnets' network ACLs admit the client", alb_network_acl),
    ("alb-security-group", "the ALB security group admits the client", alb_security_group),
    ("listener", "a listener on the client's port", listener),
    ("rule-action", "the rule forwards to a target group", rule_action),
    ("service-exists", "an ECS service exists", service_exists),
    ("service-accepted", "ECS accepted the service", service_accepted),
    ("service-attached", "the service is attached to the target group", service_attached),
    ("service-wants-tasks", "the service wants tasks", service_wants_tasks),
    ("task-network-acl", "the network ACLs let the load balancer's connections through", network_acls),
    ("task-security-group", "the security groups let the load balancer in", security_groups),
    ("health-check-port", "the health check reaches the app", health_check_port),
    ("ports-agree", "the app, its mapping and the service agree on a port", ports_agree),
    ("health-endpoint", "the health endpoint passes", health_endpoint),
    ("zones", "tasks run in the load balancer's zones", zones),
    ("still-starting", "tasks are still starting", still_starting),
    ("hung-apps", "every running app answers", hung_apps),
    ("fail-open", "every target is unhealthy: fail-open", fail_open),
    ("direct-reach", "tasks are reachable without the load balancer", direct_reach),
    ("deployment", "a deployment keeps serving", deployment_configuration),
];

pub fn diagnose(sim: &Sim) -> Diagnosis {
    let mut ctx = Context {
        sim,
        s: sim.scenario(),
        findings: Vec::new(),
        tg: None,
        svc: None,
        lb: None,
        task: None,
        path_broken: false,
        churns: false,
        rule: "",
    };
    for (id, _, rule) in RULES {
        ctx.rule = id;
        if rule(&mut ctx) == Next::Stop {
            break;
        }
    }
    let settles_to = settles_to(&ctx);
    let mut d = finish(sim, ctx.findings);
    d.settles_to = settles_to;
    d
}

/// The steady state the findings describe: the client's connection dies at the load balancer's
/// security group or a missing listener; a fixed response answers itself; a target group nothing
/// registers in gives 503; otherwise the targets and clients get what the data plane decides
/// for the task this setup starts.
fn settles_to(c: &Context) -> Option<Settled> {
    if c.churns {
        return None;
    }
    let broken_at = |hop| c.findings.iter().any(|f| f.severity == Severity::Broken && f.hop == hop);
    let probed = c.task.as_ref().and_then(|t| t.settles.clone());
    let targets = match &probed {
        Some((check, _)) => SettledTargets::Checked(check.clone()),
        None => SettledTargets::NotDiagnosed,
    };
    if broken_at(Hop::AlbSubnetNacl) || broken_at(Hop::AlbSecurityGroup) || broken_at(Hop::Listener) {
        return Some(Settled { targets, client: Outcome::ClientTimeout });
    }
    if let Some(status) = c.s.route(c.s.client.port, &c.s.client.path).and_then(|r| match r.action {
        Action::FixedResponse { status_code, .. } => Some(*status_code),
        Action::Forward { .. } => None,
    }) {
        return Some(Settled { targets, client: Outcome::Http { status, source: StatusSource::FixedResponse } });
    }
    if c.lb.is_none() || c.svc.is_some_and(|s| s.desired_count == 0) || c.sim.service_runtime().create_error.is_some() {
        return Some(Settled { targets: SettledTargets::Empty, client: Outcome::Http { status: 503, source: StatusSource::Elb } });
    }
    // An app that is not up before its target turns unhealthy shows startup's reason first, and
    // may be replaced before it ever answers; and while a deployment rolls out (or is stuck, its
    // new tasks never healthy), old and new tasks serve side by side: no one steady state.
    if seconds_until_healthy(c.sim).is_some() || c.sim.service_runtime().deployments.len() > 1 {
        return None;
    }
    let (check, client) = probed?;
    Some(Settled { targets: SettledTargets::Checked(check), client })
}

/// The entry that lets a refused packet through, as a command: allow the refused ports to or from
/// the VPC (the internet for a client), numbered below every deny entry that matches the peer on
/// any of those ports (or in the next hundred above the ACL's entries when none does). Offered
/// only when adding it really admits the whole range, checked by the same evaluation the data
/// plane uses, and when the ACL has room (20 entries per direction).
fn nacl_fix(s: &Scenario, r: &NaclRefusal) -> Option<Command> {
    let acl = s.network_acls.iter().find(|a| *a.id == *r.acl)?;
    let entries = if r.leg.is_outbound() { &acl.outbound } else { &acl.inbound };
    if entries.len() >= 20 {
        return None;
    }
    let free = |n: &u16| !entries.iter().any(|e| e.rule_number == *n);
    let blocks = |e: &&super::scenario::NetworkAclEntry| {
        e.action == NaclAction::Deny
            && (e.protocol == "all" || (e.from_port <= r.to_port && r.from_port <= e.to_port))
            && Cidr::parse(&e.cidr).is_some_and(|c| c.contains(r.peer))
    };
    let rule_number = match entries.iter().filter(blocks).map(|e| e.rule_number).min() {
        Some(deny) => (1..deny).rev().find(free)?,
        None => {
            let top = entries.iter().map(|e| e.rule_number).max().unwrap_or(0);
            ((top / 100 + 1) * 100..=32766).find(free)?
        }
    };
    // A peer inside the VPC (the load balancer's nodes, one per zone, or the tasks) by the
    // VPC's block, so one entry covers every zone; a client on the internet by 0.0.0.0/0.
    let cidr_block = Cidr::parse(&s.vpc.cidr).filter(|c| c.contains(r.peer)).map(|c| c.to_string()).unwrap_or_else(|| "0.0.0.0/0".into());
    let entry = super::scenario::NetworkAclEntry {
        rule_number,
        protocol: "tcp".into(),
        from_port: r.from_port,
        to_port: r.to_port,
        cidr: cidr_block.clone(),
        action: NaclAction::Allow,
    };
    let mut patched = acl.clone();
    if r.leg.is_outbound() {
        patched.outbound.push(entry)
    } else {
        patched.inbound.push(entry)
    }
    super::nacl::CompiledAcl::new(&patched).decide_range(r.leg.is_outbound(), r.peer, r.from_port, r.to_port).ok()?;
    Some(Command::CreateNetworkAclEntry {
        network_acl_id: r.acl.to_string(),
        egress: r.leg.is_outbound(),
        rule_number,
        protocol: "tcp".into(),
        from_port: r.from_port,
        to_port: r.to_port,
        cidr_block,
        rule_action: NaclAction::Allow,
    })
}

/// A fix command's entry in words.
fn nacl_fix_text(r: &NaclRefusal, command: &Option<Command>) -> String {
    match command {
        Some(Command::CreateNetworkAclEntry { network_acl_id, egress, rule_number, from_port, to_port, cidr_block, .. }) => {
            let ports = if from_port == to_port { from_port.to_string() } else { format!("{from_port}-{to_port}") };
            format!(
                "Add an {} entry to {network_acl_id}: rule {rule_number}, allow TCP {ports} {} {cidr_block}.",
                if *egress { "outbound" } else { "inbound" },
                if *egress { "to" } else { "from" }
            )
        }
        _ => crate::sim::trace::nacl_fix_words(r),
    }
}

fn alb_network_acl(c: &mut Context) -> Next {
    // As the data plane decides it.
    if let Err(Detail::NaclDenies(r)) = c.sim.admit_client_to_alb_subnets() {
        let command = nacl_fix(c.s, &r);
        let what = if r.leg.is_reply() { "the replies to clients are dropped on their way out" } else { "the client's SYN is dropped" };
        c.push(
            Severity::Broken,
            Hop::AlbSubnetNacl,
            format!(
                "The network ACL {} on the load balancer's subnet {}: {}, so {what}.",
                r.acl,
                r.subnet,
                crate::sim::trace::nacl_refusal_words(&r)
            ),
            "client: connection timed out, no HTTP status; nothing in the ALB's metrics",
            nacl_fix_text(&r, &command),
            command,
        );
    }
    Next::Continue
}

/// Stateless network ACLs between the load balancer's nodes and the tasks, both subnets, both
/// ways, for every subnet the service places tasks in (each may have its own ACL): the classic
/// trap is an ACL that admits the app port but not the replies on the ephemeral ports.
fn network_acls(c: &mut Context) -> Next {
    c.task = task_facts(c);
    let (Some(t), Some(tg)) = (&c.task, c.tg) else { return Next::Continue };
    let hc_port = tg.health_check.explicit_port().unwrap_or(t.port);
    let src = Source::Alb { node_ip: t.node_ip };
    let refused = |subnet: &str, ip: Ipv4, port: u16| match c.sim.admit_through_nacls(subnet, ip, port, src) {
        Err(Detail::NaclDenies(r)) => Some(r),
        _ => None,
    };
    // (refusal on the traffic port, on the health-check port) for each subnet tasks run in.
    let verdicts: Vec<(Option<NaclRefusal>, Option<NaclRefusal>)> =
        task_subnets(c.s).iter().map(|(subnet, ip)| (refused(subnet, *ip, t.port), refused(subnet, *ip, hc_port))).collect();
    let Some((traffic, checks)) = verdicts.iter().find(|(a, b)| a.is_some() || b.is_some()).cloned() else { return Next::Continue };
    let Some(r) = traffic.clone().or(checks.clone()) else { return Next::Continue };
    let what = match (traffic.is_some(), checks.is_some()) {
        (true, false) => "requests never connect (health checks on their own port do)",
        (false, true) => "health checks never connect (requests on the traffic port do)",
        _ => "health checks and requests never connect",
    };
    // Tasks in one subnet fail while those in another serve: no one steady state.
    let some_pass = verdicts.iter().any(|(a, b)| a.is_none() && b.is_none());
    if some_pass {
        c.churns = true;
    }
    // A refusal of a dynamic host port is one of the range: the entry opens all of it.
    let r = if t.is_dynamic && r.from_port == t.port && r.to_port == t.port {
        NaclRefusal { from_port: 32768, to_port: 65535, ..r }
    } else {
        r
    };
    // A refusal of a dynamic host port is one of the range: the entry opens all of it.
    let r = if t.is_dynamic && r.from_port == t.port && r.to_port == t.port {
        NaclRefusal { from_port: 32768, to_port: 65535, ..r }
    } else {
        r
    };
    let command = nacl_fix(c.s, &r);
    let shows = if some_pass {
        "Target.Timeout (Request timed out) for the tasks in that subnet; the others stay healthy and take the traffic".to_string()
    } else {
        c.settled_words("Target.Timeout (Request timed out)")
    };
    c.path_broken = !some_pass;
    let sgs_fine =
        if c.sim.admit_to(&t.groups_arc, t.ip, t.port, src).is_ok() { " even though the security groups admit them" } else { "" };
    c.push(
        Severity::Broken,
        Hop::TaskSubnetNacl,
        format!("The {}: {what}{sgs_fine}.", crate::sim::trace::nacl_refusal_words(&r)),
        shows,
        nacl_fix_text(&r, &command),
        command,
    );
    Next::Continue
}

/// Every subnet the service's tasks run in, with an address a task there would get: the
/// service's subnets (awsvpc), or the container instances' (bridge).
fn task_subnets(s: &Scenario) -> Vec<(String, Ipv4)> {
    match s.task_definition.network_mode {
        NetworkMode::Awsvpc => s
            .service
            .as_ref()
            .and_then(|svc| svc.network_configuration.as_ref())
            .map(|nc| {
                nc.subnets
                    .iter()
                    .filter_map(|id| s.find_subnet(id))
                    .filter_map(|sub| Cidr::parse(&sub.cidr).map(|c| (sub.id.clone(), Ipv4(c.base.0 + 4))))
                    .collect()
            })
            .unwrap_or_default(),
        NetworkMode::Bridge => {
            s.container_instances.iter().filter_map(|ci| Some((ci.subnet.clone(), Ipv4::parse(&ci.private_ip)?))).collect()
        }
    }
}

fn alb_security_group(c: &mut Context) -> Next {
    // As the data plane decides it.
    if c.sim.admit_client_to_alb().is_err() {
        let port = c.s.client.port;
        let sg = c.s.load_balancer.security_groups.first().cloned().unwrap_or_default();
        c.push(
            Severity::Broken,
            Hop::AlbSecurityGroup,
            format!("The ALB security group {sg} has no inbound rule for port {port} from the internet, so the client's SYN is dropped."),
            "client: connection timed out, no HTTP status; nothing in the ALB's metrics",
            format!("Add an inbound rule to {sg}: TCP {port} from 0.0.0.0/0."),
            Some(Command::AuthorizeSecurityGroupIngress {
                group_id: sg.clone(),
                from_port: port,
                to_port: port,
                source: "0.0.0.0/0".into(),
            }),
        );
    }
    Next::Continue
}

fn listener(c: &mut Context) -> Next {
    let s = c.s;
    let port = s.client.port;
    if s.route(port, &s.client.path).is_some() {
        return Next::Continue;
    }
    let fix_command = s.load_balancer.listeners.first().map(|l| Command::ModifyListener { port: l.port, new_port: port });
    c.push(
        Severity::Broken,
        Hop::Listener,
        format!("The load balancer has no listener on port {port}."),
        "client: connection timed out, no HTTP status",
        match s.load_balancer.listeners.first() {
            Some(l) => format!("Move the listener from port {} to {port} (or send to port {}).", l.port, l.port),
            None => format!("Create a listener on port {port} forwarding to the target group."),
        },
        fix_command,
    );
    Next::Stop
}

fn rule_action(c: &mut Context) -> Next {
    let s = c.s;
    let Some(route) = s.route(s.client.port, &s.client.path) else { return Next::Stop };
    match route.action {
        Action::FixedResponse { .. } => {
            c.push(
                Severity::Info,
                Hop::ListenerRule,
                format!("The listener answers {} itself with a fixed response: no target is involved.", s.client.path),
                "HTTP_Fixed_Response_Count",
                "Change the rule (or default action) to forward to the target group if the app should answer.".into(),
                None,
            );
            Next::Stop
        }
        Action::Forward { target_group } => {
            c.tg = s.find_target_group(target_group);
            if c.tg.is_some() {
                Next::Continue
            } else {
                Next::Stop
            }
        }
    }
}

fn service_exists(c: &mut Context) -> Next {
    c.svc = c.s.service.as_ref();
    if c.svc.is_some() {
        return Next::Continue;
    }
    let tg_name = c.tg_name();
    c.push(
        Severity::Broken,
        Hop::TargetGroup,
        format!("No ECS service exists, so nothing registers targets in {tg_name}."),
        "TG 0 healthy / 0 unhealthy; HTTPCode_ELB_503_Count",
        "Create an ECS service attached to the target group.".into(),
        None,
    );
    Next::Stop
}

fn service_accepted(c: &mut Context) -> Next {
    let Some(error) = c.sim.service_runtime().create_error.clone() else { return Next::Continue };
    let tg_name = c.tg_name();
    let tg_port = c.tg.map(|t| t.port).unwrap_or(80);
    let (fix, fix_command) = match &error {
        EcsRefusal::InstanceTargetWithAwsvpc { .. } => (
            format!("A target group's type cannot change: create {tg_name} again with target type ip (awsvpc tasks are addressed by IP), then create the service."),
            Some(Command::RecreateTargetGroup { target_group: tg_name.clone(), target_type: TargetType::Ip, port: tg_port }),
        ),
        EcsRefusal::IpTargetWithBridge { .. } => (
            format!("bridge tasks are addressed as instance:port: create {tg_name} again with target type instance, then create the service."),
            Some(Command::RecreateTargetGroup { target_group: tg_name.clone(), target_type: TargetType::Instance, port: tg_port }),
        ),
        EcsRefusal::NoContainerPort { .. } => ("Use a container port that the task definition's port mappings define.".into(), None),
        EcsRefusal::NoSuchContainer { .. } => ("Name the container the task definition defines.".into(), None),
        EcsRefusal::TargetGroupWithoutLoadBalancer { .. } => (format!("Point a listener rule at {tg_name} before attaching the service."), None),
        EcsRefusal::FargateNeedsAwsvpc => ("Use the awsvpc network mode: Fargate tasks each get their own network interface.".into(), None),
        EcsRefusal::NoContainerInstance { .. } => ("Register a container instance in the cluster, or run the service on Fargate.".into(), None),
    };
    c.push(
        Severity::Broken,
        Hop::TargetGroup,
        format!("ECS refused to create the service: {error}"),
        "CreateService error; TG 0 healthy / 0 unhealthy; 503",
        fix,
        fix_command,
    );
    Next::Stop
}

fn service_attached(c: &mut Context) -> Next {
    let (Some(svc), Some(tg)) = (c.svc, c.tg) else { return Next::Stop };
    c.lb = svc.load_balancer.as_ref().filter(|lb| lb.target_group == tg.name);
    if c.lb.is_some() {
        return Next::Continue;
    }
    let s = c.s;
    let container_port = s.task_definition.container.port_mappings.first().map(|m| m.container_port).unwrap_or(tg.port);
    c.push(
        Severity::Broken,
        Hop::TargetGroup,
        format!("The ECS service {} is not attached to {}, so it never registers its tasks there.", svc.name, tg.name),
        "TG 0 healthy / 0 unhealthy; clients get 503 from the load balancer (HTTPCode_ELB_503_Count)",
        format!(
            "Attach the service: load balancer target group {}, container {}, port {container_port}.",
            tg.name, s.task_definition.container.name
        ),
        Some(Command::AttachLoadBalancer {
            target_group: tg.name.clone(),
            container_name: s.task_definition.container.name.clone(),
            container_port,
        }),
    );
    Next::Stop
}

fn service_wants_tasks(c: &mut Context) -> Next {
    let Some(svc) = c.svc else { return Next::Stop };
    if svc.desired_count > 0 {
        return Next::Continue;
    }
    c.push(
        Severity::Broken,
        Hop::TargetGroup,
        format!("The service {} wants 0 tasks, so the target group is empty.", svc.name),
        "TG 0 healthy / 0 unhealthy; 503",
        "Set the desired count to 1 or more.".into(),
        Some(Command::update_service(Some(1), None, None)),
    );
    Next::Stop
}

/// The task this setup would start: its security groups, the port its target gets, an address
/// in the service's first subnet (awsvpc) or its container instance (bridge), and the load
/// balancer node in its zone.
fn task_facts(c: &Context) -> Option<TaskFacts> {
    let (s, svc, lb) = (c.s, c.svc?, c.lb?);
    let td = &s.task_definition;
    let groups = s.task_security_groups();
    let groups_arc: Vec<Arc<str>> = groups.iter().map(|g| Arc::from(g.as_str())).collect();
    let fixed_host_port = td.container.mapping_for(lb.container_port).and_then(|m| m.host_port).filter(|p| *p != 0);
    let subnet = match td.network_mode {
        NetworkMode::Awsvpc => svc.network_configuration.as_ref().and_then(|nc| nc.subnets.first()).and_then(|id| s.find_subnet(id)),
        NetworkMode::Bridge => s.container_instances.first().and_then(|ci| s.find_subnet(&ci.subnet)),
    };
    let subnet_id = subnet.map(|sub| sub.id.clone()).unwrap_or_default();
    let zone = subnet.map(|sub| sub.availability_zone.clone()).unwrap_or_default();
    let ip = match td.network_mode {
        NetworkMode::Awsvpc => subnet.and_then(|sub| Cidr::parse(&sub.cidr)).map(|c| Ipv4(c.base.0 + 4)),
        NetworkMode::Bridge => s.container_instances.first().and_then(|ci| Ipv4::parse(&ci.private_ip)),
    }
    .unwrap_or(Ipv4(0));
    let node_ip = c.sim.alb_node_for(&zone).map(|n| n.ip).unwrap_or(Ipv4(0));
    let port = match td.network_mode {
        NetworkMode::Awsvpc => lb.container_port,
        NetworkMode::Bridge => fixed_host_port.unwrap_or_else(|| dynamic_port_to_probe(c, &groups_arc)),
    };
    // The same task as the data plane sees one: running, its app up, so probing it asks the
    // data plane's own decisions.
    let bridge = td.network_mode == NetworkMode::Bridge;
    let running = Task {
        seq: u32::MAX,
        id: Arc::from("imagined"),
        deployment: 0,
        revision: 0,
        state: TaskState::Running,
        state_since_ms: 0,
        created_at_ms: 0,
        is_stop_requested: false,
        stopped_reason: None,
        stop_code: None,
        exit_code: None,
        is_hung: false,
        running_since_ms: Some(0),
        app_ready_at_ms: Some(0),
        has_crashed: false,
        unhealthy_since_ms: None,
        network_mode: td.network_mode,
        private_ip: ip,
        public_ip: None,
        subnet: Arc::from(subnet_id.as_str()),
        availability_zone: zone.as_str().into(),
        instance: if bridge { s.container_instances.first().map(|ci| Arc::from(ci.id.as_str())) } else { None },
        host_port: bridge.then_some(port),
        security_groups: groups_arc.clone(),
        port_mappings: td.container.port_mappings.clone(),
        app: td.container.app.clone(),
        load_balancer: Some(lb.clone()),
        target: None,
    };
    let settles = s.target_group_index(&lb.target_group).and_then(|i| c.sim.probe_running_task(&running, i));
    let is_dynamic = td.network_mode == NetworkMode::Bridge && fixed_host_port.is_none();
    Some(TaskFacts { groups, groups_arc, port, is_dynamic, ip, node_ip, settles })
}

/// ECS gives a bridge task a dynamic host port anywhere in its range, so the task to imagine
/// is one on a port the path drops, if the rules drop any (an outbound rule to 32768 alone
/// admits almost no task). Rules and entries change what they admit only at their edges, so
/// the edges inside the range are the only ports worth asking about.
fn dynamic_port_to_probe(c: &Context, groups: &[Arc<str>]) -> u16 {
    let range = super::ecs::DYNAMIC_HOST_PORTS;
    let s = c.s;
    let sg_edges = s.security_groups.iter().flat_map(|g| g.ingress.iter().chain(&g.egress)).map(|r| (r.from_port, r.to_port));
    let acl_edges = s.network_acls.iter().flat_map(|a| a.inbound.iter().chain(&a.outbound)).map(|e| (e.from_port, e.to_port));
    let mut ports: Vec<u16> = sg_edges
        .chain(acl_edges)
        .flat_map(|(from, to)| [from, to, from.saturating_sub(1), to.saturating_add(1)])
        .chain([*range.start(), *range.end()])
        .filter(|p| range.contains(p))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    // Every instance a task may be placed on, reached from the load balancer node in its zone.
    let places: Vec<(String, Ipv4, Source)> = task_subnets(s)
        .into_iter()
        .map(|(subnet, ip)| {
            let zone = s.find_subnet(&subnet).map(|x| x.availability_zone.clone()).unwrap_or_default();
            let node_ip = c.sim.alb_node_for(&zone).map(|n| n.ip).unwrap_or(Ipv4(0));
            (subnet, ip, Source::Alb { node_ip })
        })
        .collect();
    ports
        .into_iter()
        .find(|&p| {
            places.iter().any(|(subnet, ip, src)| {
                c.sim.admit_to(groups, *ip, p, *src).is_err() || c.sim.admit_through_nacls(subnet, *ip, p, *src).is_err()
            })
        })
        .unwrap_or(*range.start())
}

fn security_groups(c: &mut Context) -> Next {
    if c.task.is_none() {
        c.task = task_facts(c);
    }
    let (Some(t), Some(tg)) = (&c.task, c.tg) else { return Next::Stop };
    let s = c.s;
    let hc_port = tg.health_check.explicit_port().unwrap_or(t.port);
    // Asked exactly as the data plane asks it for a real task: the ALB's outbound rules, then the
    // task's inbound rules.
    let admits = |port: u16| c.sim.admit_to(&t.groups_arc, t.ip, port, Source::Alb { node_ip: t.node_ip });
    let Some((blocked, denial)) = admits(t.port).err().map(|d| (t.port, d)).or_else(|| admits(hc_port).err().map(|d| (hc_port, d))) else {
        return Next::Continue;
    };
    let first_alb_sg = s.load_balancer.security_groups.first().cloned().unwrap_or_default();
    let first_task_sg = t.groups.first().cloned().unwrap_or_default();
    // A dynamic host port is any of the range: open all of it, as AWS's guides do.
    let (from, to) = if t.is_dynamic && blocked == t.port { (32768, 65535) } else { (blocked, blocked) };
    let ports = if from == to { from.to_string() } else { format!("{from}-{to}") };
    // Which of the two are dropped: with an explicit health-check port, only one may be.
    let (traffic_dropped, checks_dropped) = (admits(t.port).is_err(), admits(hc_port).is_err());
    let what = match (traffic_dropped, checks_dropped) {
        (true, false) => "requests are (health checks on their own port get through)",
        (false, true) => "health checks are (requests on the traffic port get through)",
        _ => "health checks and requests are",
    };
    let shows = c.settled_words("Target.Timeout (Request timed out)");
    c.path_broken = true;
    if matches!(denial, Detail::EgressDenies { .. }) {
        c.push(
            Severity::Broken,
            Hop::TaskSecurityGroup,
            format!("The load balancer's security group {first_alb_sg} has no outbound rule to the tasks on port {blocked}: it cannot open connections there, so {what} dropped."),
            shows,
            format!("Add an outbound rule to {first_alb_sg}: TCP {ports} to the task security group {first_task_sg}."),
            Some(Command::AuthorizeSecurityGroupEgress { group_id: first_alb_sg.clone(), from_port: from, to_port: to, destination: first_task_sg }),
        );
    } else {
        c.push(
            Severity::Broken,
            Hop::TaskSecurityGroup,
            format!("The task security group {first_task_sg} does not admit the load balancer on port {blocked}: {what} dropped."),
            shows,
            format!("Add an inbound rule to {first_task_sg}: TCP {ports} from the ALB security group {first_alb_sg}."),
            Some(Command::AuthorizeSecurityGroupIngress { group_id: first_task_sg, from_port: from, to_port: to, source: first_alb_sg }),
        );
    }
    Next::Continue
}

fn health_check_port(c: &mut Context) -> Next {
    let (Some(tg), Some(t)) = (c.tg, &c.task) else { return Next::Continue };
    let hc = &tg.health_check;
    let Some(explicit) = hc.explicit_port() else { return Next::Continue };
    let td = &c.s.task_definition;
    let reaches_app = match td.network_mode {
        NetworkMode::Awsvpc => explicit == td.container.app.listen_port,
        NetworkMode::Bridge => false,
    };
    let sample_port = t.port;
    if explicit == sample_port || reaches_app {
        return Next::Continue;
    }
    c.path_broken = true;
    let mut fixed = hc.clone();
    fixed.port = "traffic-port".into();
    c.push(
        Severity::Broken,
        Hop::TargetGroup,
        format!("The health check goes to port {explicit}, but each target receives traffic on port {sample_port}, and nothing listens on {explicit}."),
        c.settled_words("Target.FailedHealthChecks (Health checks failed)"),
        "Set the health check port to traffic-port.".into(),
        Some(Command::ModifyTargetGroup { target_group: tg.name.clone(), health_check: fixed }),
    );
    Next::Continue
}

fn ports_agree(c: &mut Context) -> Next {
    let Some(lb) = c.lb else { return Next::Continue };
    let app = &c.s.task_definition.container.app;
    if app.listen_port == lb.container_port {
        return Next::Continue;
    }
    c.path_broken = true;
    c.push(
        Severity::Broken,
        Hop::App,
        format!(
            "The app listens on port {}, but the task definition maps container port {} and the service registers that port in the target group.",
            app.listen_port, lb.container_port
        ),
        c.settled_words("Target.FailedHealthChecks (Health checks failed); fail-open clients get 502"),
        format!("Make the three layers agree: the app, the container port mapping and the service's container port all on one port (for example the app on {}).", lb.container_port),
        Some(Command::RegisterTaskDefinition {
            changes: TaskDefinitionChanges { listen_port: Some(lb.container_port), ..Default::default() },
            deploy: true,
        }),
    );
    Next::Continue
}

fn health_endpoint(c: &mut Context) -> Next {
    let (Some(tg), Some(svc)) = (c.tg, c.svc) else { return Next::Continue };
    if c.path_broken {
        return Next::Continue;
    }
    let hc = &tg.health_check;
    let app = &c.s.task_definition.container.app;
    let deploy_ok = || Command::RegisterTaskDefinition {
        changes: TaskDefinitionChanges { health_response: Some(HealthResponse::Ok), ..Default::default() },
        deploy: true,
    };
    // The health check's answer, as the data plane would get it.
    match app.answer(&hc.path, 0) {
        AppAnswer::Crash => {
            c.churns = true;
            c.push(
                Severity::Broken,
                Hop::App,
                format!("The app crashes when {} is requested; its essential container exits.", app.health_path),
                "Target.FailedHealthChecks; stoppedReason \"Essential container in task exited\"; ECS starts a new task each time",
                "Fix the app's health endpoint (deploy a revision where it answers 200).".into(),
                Some(deploy_ok()),
            )
        }
        AppAnswer::Status { needed_ms, .. } if needed_ms as u64 >= hc.timeout_seconds as u64 * 1000 => c.push(
            Severity::Broken,
            Hop::App,
            format!("The health endpoint needs {} s, longer than the health check timeout of {} s.", needed_ms / 1000, hc.timeout_seconds),
            c.settled_words("Target.Timeout (Request timed out)"),
            "Make the endpoint faster, or raise HealthCheckTimeoutSeconds above its answer time (it must stay below the interval).".into(),
            Some(deploy_ok()),
        ),
        AppAnswer::Status { status: code, .. } if !hc.matches(code) => {
            let (cause, fix, cmd) = if hc.path != app.health_path && hc.path != "/" {
                let mut fixed = hc.clone();
                fixed.path = app.health_path.clone();
                (
                    format!(
                        "The health check asks for {}, which the app does not serve (its health endpoint is {}).",
                        hc.path, app.health_path
                    ),
                    format!("Set the health check path to {}.", app.health_path),
                    Some(Command::ModifyTargetGroup { target_group: tg.name.clone(), health_check: fixed }),
                )
            } else if (300..400).contains(&code) {
                // The load balancer never follows a redirect: the 3xx itself is the answer.
                let mut fixed = hc.clone();
                fixed.matcher = "200-399".into();
                (
                    format!(
                        "The app's health endpoint {} answers {code}, a redirect; the load balancer does not follow redirects, and the success codes ({}) do not include {code}.",
                        hc.path, hc.matcher
                    ),
                    "Accept redirects as healthy: set the success codes (matcher) to 200-399. Better still, serve the health endpoint without the redirect.".into(),
                    Some(Command::ModifyTargetGroup { target_group: tg.name.clone(), health_check: fixed }),
                )
            } else if matches!(code, 400 | 403) {
                (
                    format!(
                        "The app's health endpoint {} answers {code}: the health checker sends no cookies or credentials, and its Host header is the target's IP, which an allow-list or authentication in front of the path refuses.",
                        hc.path
                    ),
                    "Exempt the health endpoint from authentication and host checks (deploy a revision where it answers 200).".into(),
                    Some(deploy_ok()),
                )
            } else {
                (
                    format!("The app's health endpoint {} answers {code}.", hc.path),
                    "Fix what the endpoint reports (deploy a revision where it answers 200).".into(),
                    Some(deploy_ok()),
                )
            };
            c.push(
                Severity::Broken,
                Hop::App,
                cause,
                c.settled_words(&format!("Target.ResponseCodeMismatch (Health checks failed with these codes: [{code}])")),
                fix,
                cmd,
            );
        }
        AppAnswer::Status { .. } => {
            // Healthy in the end, but does the grace period let the task live that long?
            let grace = svc.health_check_grace_period_seconds as u64;
            if let Some((unhealthy_at, healthy_at)) = seconds_until_healthy(c.sim) {
                if healthy_at > unhealthy_at && grace < healthy_at {
                    c.churns = true;
                    c.push(
                        Severity::Broken,
                        Hop::Task,
                        format!(
                            "The app takes {} s to start; its target turns unhealthy after about {unhealthy_at} s and ECS stops the task before it can recover (grace period {grace} s).",
                            app.startup_seconds
                        ),
                        "(service …) (task …) is unhealthy in (target-group …); the task is replaced again and again",
                        format!("Raise the service's health check grace period to at least {healthy_at} s (or make the app start faster)."),
                        Some(Command::update_service(None, Some(healthy_at.div_ceil(30) as u32 * 30), None)),
                    );
                }
            }
        }
    }
    Next::Continue
}

fn zones(c: &mut Context) -> Next {
    let Some(svc) = c.svc else { return Next::Continue };
    let s = c.s;
    let zones = s.enabled_zones();
    if s.task_definition.network_mode == NetworkMode::Bridge {
        // bridge tasks run on the container instances: one in a zone the load balancer does not
        // use registers unused and is replaced, as an awsvpc task would be.
        for ci in s.container_instances.iter() {
            let Some(sub) = s.find_subnet(&ci.subnet) else { continue };
            if !zones.contains(&sub.availability_zone) {
                c.churns = true;
                c.push(
                    Severity::Broken,
                    Hop::TargetGroup,
                    format!("Container instance {} is in {} ({}), an availability zone the load balancer is not enabled in.", ci.id, sub.id, sub.availability_zone),
                    "tasks placed on it: unused / Target.NotInUse (Target is in an Availability Zone that is not enabled for the load balancer); ECS sees them never pass a health check and replaces them",
                    format!("Enable {} on the load balancer, or run the container instances in its zones.", sub.availability_zone),
                    None,
                );
            }
        }
        return Next::Continue;
    }
    let Some(nc) = &svc.network_configuration else { return Next::Continue };
    // The service's subnets that are in the load balancer's zones: the fix keeps those.
    let usable: Vec<String> =
        nc.subnets.iter().filter(|id| s.find_subnet(id).is_some_and(|sub| zones.contains(&sub.availability_zone))).cloned().collect();
    let fix_command = (!usable.is_empty()).then(|| Command::SetServiceSubnets { subnets: usable.clone() });
    for sub in nc.subnets.iter().filter_map(|id| s.find_subnet(id)) {
        if !zones.contains(&sub.availability_zone) {
            c.churns = true;
            let clients = if usable.is_empty() {
                "every target is unused, so clients get 503 (HTTPCode_ELB_503_Count)"
            } else {
                "they get no traffic; clients are served by the tasks in the enabled zones"
            };
            c.push(
                Severity::Broken,
                Hop::TargetGroup,
                format!("Tasks in {} ({}) are in an availability zone the load balancer is not enabled in.", sub.id, sub.availability_zone),
                format!("unused / Target.NotInUse (Target is in an Availability Zone that is not enabled for the load balancer); {clients}; ECS sees them never pass a health check and replaces them"),
                match &fix_command {
                    Some(_) => format!("Run the tasks only in the load balancer's zones (subnets {}), or enable {} on the load balancer.", usable.join(", "), sub.availability_zone),
                    None => format!("Enable {} on the load balancer, or run the tasks in its zones.", sub.availability_zone),
                },
                fix_command.clone(),
            );
        }
    }
    Next::Continue
}

/// A hung app (made so from the task's settings) is a run-time failure, not a setup one: the
/// setup is fine, ECS heals it, and the clock says when.
fn hung_apps(c: &mut Context) -> Next {
    let sim = c.sim;
    let Some(tg) = c.tg else { return Next::Continue };
    let hc = &tg.health_check;
    let idle = c.s.load_balancer.idle_timeout_seconds;
    let hung: Vec<(String, Option<u64>)> = sim
        .tasks()
        .filter(|t| t.is_hung && !t.is_stop_requested)
        .map(|t| {
            let by = t.target.and_then(|id| sim.target_unhealthy_by_ms(id));
            (t.short_id().to_string(), by)
        })
        .collect();
    for (id, by) in hung {
        c.churns = true;
        let when = match by {
            Some(at) => format!(
                "its target turns unhealthy at {} (in {} s: UnhealthyThresholdCount {} checks in a row, {} s apart, each failing after the {} s timeout)",
                clock(at),
                at.saturating_sub(sim.now_ms()).div_ceil(1000),
                hc.unhealthy_threshold_count,
                hc.interval_seconds,
                hc.timeout_seconds
            ),
            None => "its target is unhealthy".into(),
        };
        c.push(
            Severity::Broken,
            Hop::App,
            format!("The app in task {id} is hung: the task is RUNNING and accepts connections, but answers nothing."),
            format!(
                "requests routed to it get 504 after the {idle} s idle timeout (HTTPCode_ELB_504_Count); its health checks fail with Target.Timeout; {when}; then the load balancer routes only to healthy targets and ECS replaces the task (stopCode ServiceSchedulerInitiated, \"Task failed ELB health checks\"; a hung process ignores SIGTERM, so exit code 137 after the 30 s stop timeout)"
            ),
            "Nothing in the setup to change: ECS replaces the task once its target is unhealthy. A shorter health check interval or a lower UnhealthyThresholdCount finds it sooner; in the app, put timeouts on what it waits for.".into(),
            None,
        );
    }
    Next::Continue
}

fn still_starting(c: &mut Context) -> Next {
    let sim = c.sim;
    let (healthy, _) = sim.host_counts();
    let starting = sim.tasks().filter(|t| t.is_active() && t.state != TaskState::Running).count();
    let initial = sim.targets().filter(|t| t.state == TargetState::Initial).count();
    if healthy == 0 && (starting > 0 || initial > 0) {
        c.push(
            Severity::Info,
            Hop::TargetGroup,
            format!(
                "Tasks are still starting ({starting} not yet RUNNING, {initial} targets waiting for their first health check): until a target passes one check, requests get 503."
            ),
            "TG targets in initial (Elb.RegistrationInProgress / Elb.InitialHealthChecking); HTTPCode_ELB_503_Count",
            "Wait: a task registers its target when it is RUNNING, and one passing health check makes a new target healthy.".into(),
            None,
        );
    }
    Next::Continue
}

fn fail_open(c: &mut Context) -> Next {
    let (healthy, unhealthy) = c.sim.host_counts();
    if healthy == 0 && unhealthy > 0 {
        let tg_name = c.tg_name();
        c.push(
            Severity::Warning,
            Hop::TargetGroup,
            format!("Every target in {tg_name} is unhealthy, so the load balancer fails open: it routes to them anyway and clients get whatever the task does."),
            "UnhealthyRoutingRequestCount; clients see the app's answer, 502 (refused) or 504 (dropped)",
            "Fix the health checks; fail-open is AWS keeping traffic flowing, not a fix.".into(),
            None,
        );
    }
    Next::Continue
}

fn direct_reach(c: &mut Context) -> Next {
    let (Some(svc), Some(lb), Some(t)) = (c.svc, c.lb, &c.task) else { return Next::Continue };
    let s = c.s;
    let Some(nc) = &svc.network_configuration else { return Next::Continue };
    let public_subnet = nc.subnets.iter().filter_map(|id| s.find_subnet(id)).any(|sub| sub.is_public);
    // Would the client's own connection get in? The data plane's decision; then the rule that
    // lets it, for the fix.
    if !(nc.assign_public_ip && public_subnet) || c.sim.admit_to(&t.groups_arc, t.ip, lb.container_port, Source::Client).is_err() {
        return Next::Continue;
    }
    // And a public subnet's network ACL lets the client in and the answer out.
    let through_acl = task_subnets(s)
        .iter()
        .filter(|(id, _)| s.find_subnet(id).is_some_and(|sub| sub.is_public))
        .any(|(id, ip)| c.sim.admit_through_nacls(id, *ip, lb.container_port, Source::Client).is_ok());
    if !through_acl {
        return Next::Continue;
    }
    let client_ip = Ipv4::parse(&s.client.ip).unwrap_or(Ipv4(0));
    let open_rule = t.groups.iter().filter_map(|g| s.find_security_group(g)).find_map(|g| {
        g.ingress
            .iter()
            .find(|r| {
                (r.from_port..=r.to_port).contains(&lb.container_port) && Cidr::parse(&r.source).is_some_and(|c| c.contains(client_ip))
            })
            .map(|r| (g.id.clone(), r.clone()))
    });
    if let Some((gid, rule)) = open_rule {
        c.push(
            Severity::Warning,
            Hop::TaskSecurityGroup,
            format!(
                "Tasks have public IPs and {gid} admits {} on port {}: anyone can reach a task directly, bypassing the load balancer.",
                rule.source, lb.container_port
            ),
            "a direct curl to the task's public IP gets the app's answer",
            format!("Remove the rule from {} and admit only the ALB security group (and turn off the public IP).", rule.source),
            Some(Command::RevokeSecurityGroupIngress {
                group_id: gid,
                from_port: rule.from_port,
                to_port: rule.to_port,
                source: rule.source,
            }),
        );
    }
    Next::Continue
}

fn deployment_configuration(c: &mut Context) -> Next {
    let Some(svc) = c.svc else { return Next::Continue };
    let dc = svc.deployment_configuration;
    let floor = dc.floor(svc.desired_count);
    let cap = dc.cap(svc.desired_count);
    if floor == 0 {
        c.push(
            Severity::Warning,
            Hop::Task,
            format!(
                "minimumHealthyPercent {} lets a deployment stop every running task before new ones are healthy.",
                dc.minimum_healthy_percent
            ),
            "a deployment opens a window of 503s (empty or draining-only target group)",
            "Use minimumHealthyPercent 100 and maximumPercent 200: new tasks turn healthy before old ones drain.".into(),
            Some(Command::update_service(None, None, Some((100, 200)))),
        );
    } else if cap <= svc.desired_count && floor >= svc.desired_count {
        c.push(
            Severity::Warning,
            Hop::Task,
            format!(
                "minimumHealthyPercent {} and maximumPercent {} leave no room to start or stop a task during a deployment.",
                dc.minimum_healthy_percent, dc.maximum_percent
            ),
            "(service …) was unable to stop or start tasks during a deployment because of the service deployment configuration.",
            "Raise maximumPercent (200) or lower minimumHealthyPercent.".into(),
            None,
        );
    }
    Next::Continue
}

/// Seconds after a task starts running until (a) its target turns unhealthy while the app is
/// still starting and (b) it would be healthy again, by the target group's clock. `None` if the
/// target turns healthy first.
pub fn seconds_until_healthy(sim: &Sim) -> Option<(u64, u64)> {
    let s = sim.scenario();
    let lb = s.service.as_ref()?.load_balancer.as_ref()?;
    let tg = s.find_target_group(&lb.target_group)?;
    let clock = HealthClock::of(&tg.health_check, tg.deregistration_delay_seconds, s.task_definition.container.app.startup_seconds);
    let unhealthy_at = clock.unhealthy_while_starting_ms?;
    Some((unhealthy_at.div_ceil(1000), clock.healthy_after_ms.div_ceil(1000)))
}

fn finish(sim: &Sim, mut findings: Vec<Finding>) -> Diagnosis {
    findings.sort_by_key(|f| (f.severity, f.hop));
    Diagnosis { client_sees: client_summary(sim, 30), findings, settles_to: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_tasks_are_explained_then_the_note_goes_away() {
        let mut scenario = crate::scenarios::default_scenario().into_inner();
        scenario.options.warm_up_seconds = 0;
        let mut sim = Sim::new(scenario.validate().expect("valid"), None);
        sim.run_for(3_000);
        let d = sim.diagnose();
        let note = d.findings.iter().find(|f| f.severity == Severity::Info && f.hop == Hop::TargetGroup);
        assert!(note.is_some_and(|f| f.cause.contains("still starting")), "{d:#?}");
        assert_eq!(d.broken().count(), 0);
        sim.run_for(60_000);
        assert!(sim.diagnose().findings.is_empty(), "{:#?}", sim.diagnose());
    }

    /// ECS picks a bridge task's host port anywhere in 32768-65535: an outbound rule to 32768
    /// alone lets almost no task be reached, and the diagnosis says so with the whole range.
    #[test]
    fn an_outbound_rule_to_one_dynamic_port_is_broken_for_the_rest_of_the_range() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/bridge-dynamic-ports.json")).expect("scenario");
        let mut scenario = Scenario::from_json(&text).expect("valid").into_inner();
        let alb = scenario.security_groups.iter_mut().find(|g| g.id == "sg-alb").expect("the ALB's group");
        alb.egress = vec![crate::sim::scenario::SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: 32768,
            to_port: 32768,
            source: "0.0.0.0/0".into(),
            description: String::new(),
        }];
        let sim = Sim::new(scenario.validate().expect("valid"), Some(7));
        let d = sim.diagnose();
        let broken = d.broken().find(|f| f.hop == Hop::TaskSecurityGroup).unwrap_or_else(|| panic!("{d:#?}"));
        assert!(broken.cause.contains("no outbound rule to the tasks on port 32769"), "{}", broken.cause);
        assert!(broken.fix.contains("TCP 32768-65535"), "{}", broken.fix);
        // The range the tasks' ports come from, and no more, is enough.
        let mut scenario = Scenario::from_json(&text).expect("valid").into_inner();
        let alb = scenario.security_groups.iter_mut().find(|g| g.id == "sg-alb").expect("the ALB's group");
        alb.egress = vec![crate::sim::scenario::SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: *crate::sim::ecs::DYNAMIC_HOST_PORTS.start(),
            to_port: *crate::sim::ecs::DYNAMIC_HOST_PORTS.end(),
            source: "0.0.0.0/0".into(),
            description: String::new(),
        }];
        let d = Sim::new(scenario.validate().expect("valid"), Some(7)).diagnose();
        assert_eq!(d.broken().count(), 0, "{d:#?}");

        // A network ACL on the instances' subnet that admits only part of the range: its fix
        // opens the range in one entry, not the one port probed.
        let mut scenario = Scenario::from_json(&text).expect("valid").into_inner();
        let subnet = scenario.container_instances[0].subnet.clone();
        let entry = |rule_number, protocol: &str, from_port, to_port| crate::sim::scenario::NetworkAclEntry {
            rule_number,
            protocol: protocol.into(),
            from_port,
            to_port,
            cidr: "0.0.0.0/0".into(),
            action: NaclAction::Allow,
        };
        scenario.network_acls.push(crate::sim::scenario::NetworkAcl {
            id: "acl-instances".into(),
            subnets: vec![subnet],
            inbound: vec![entry(100, "tcp", 1024, 40000)],
            outbound: vec![entry(100, "all", 0, 65535)],
        });
        let d = Sim::new(scenario.validate().expect("valid"), Some(7)).diagnose();
        let broken = d.broken().find(|f| f.hop == Hop::TaskSubnetNacl).unwrap_or_else(|| panic!("{d:#?}"));
        let range = crate::sim::ecs::DYNAMIC_HOST_PORTS;
        assert!(
            matches!(broken.fix_command, Some(Command::CreateNetworkAclEntry { from_port, to_port, .. }) if from_port <= *range.start() && to_port >= *range.end()),
            "{}",
            broken.fix
        );
    }
}
