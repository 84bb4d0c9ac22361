//! The data plane: client requests through the ALB, health checks, and direct curls to a task.
//!
//! A request is decided hop by hop at the moment it is sent, in the order of docs/model.md
//! §How a request is decided: ALB security group → listener → rule → target group (round robin
//! over healthy targets, fail-open when too few are healthy, 503 when none is registered) →
//! ALB egress and the task's security group (a drop means a 10 s connect timeout: 504) → the task
//! (nothing listening: 502) → port mapping → the app (its answer, or 504 past the idle timeout).
//! The outcome lands when its time comes; a target that drained or a task that stopped meanwhile
//! turns it into a 502.
//!
//! Left out: TCP connection reuse and keep-alive races, HTTP/2, TLS, request bodies, WAF and
//! authentication actions, cross-zone settings per target group (cross-zone is always on).

use super::ecs::Task;
use super::health::{CheckResult, LastCheck, Target, TargetId, TargetState};
use super::nacl::{self, CompiledAcl, End};
use super::net::{Cidr, Ipv4};
use super::scenario::{Action, AppAnswer, HealthCheck, LoadBalancingAlgorithm, NetworkMode, Scenario};
use super::trace::{Detail, Hop, Outcome, SlowLimit, StatusSource, Trace, TraceKind};
use super::Sim;
use std::sync::Arc;

/// The ALB's connection timeout to a target (docs/model.md §Timings).
pub const TARGET_CONNECT_TIMEOUT_MS: u64 = 10_000;
/// How long a direct curl waits for an answer once connected.
pub const CURL_MAX_TIME_MS: u64 = 60_000;

/// One finished or in-flight request, with its trace.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    pub id: u64,
    pub kind: TraceKind,
    pub sent_at_ms: u64,
    pub done_at_ms: u64,
    pub outcome: Outcome,
    pub trace: Trace,
    pub target: Option<TargetId>,
    pub task: Option<u32>,
    /// The target's state when the ALB picked it (for the invariants and the Why? panel).
    pub target_state: Option<TargetState>,
    pub is_fail_open: bool,
    pub latency_ms: u32,
}

/// A health check whose answer is still on its way.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCheck {
    pub target: TargetId,
    pub sent_at_ms: u64,
    pub done_at_ms: u64,
    pub result: CheckResult,
    pub trace: Trace,
}

/// An ALB node: one per enabled subnet, with an address from that subnet.
#[derive(Clone, Debug, PartialEq)]
pub struct AlbNode {
    pub subnet: Arc<str>,
    pub availability_zone: Arc<str>,
    pub ip: Ipv4,
}

#[derive(Clone, Debug)]
enum RuleSource {
    Cidr(Cidr),
    Group(Arc<str>),
}

#[derive(Clone, Debug)]
struct CompiledRule {
    from_port: u16,
    to_port: u16,
    source: RuleSource,
    text: Arc<str>,
}

#[derive(Clone, Debug)]
struct CompiledGroup {
    id: Arc<str>,
    ingress: Vec<CompiledRule>,
    egress: Vec<CompiledRule>,
}

#[derive(Clone, Debug)]
enum CompiledAction {
    Forward { target_group: usize, name: Arc<str> },
    Fixed { status: u16 },
}

#[derive(Clone, Debug)]
struct CompiledListener {
    port: u16,
    /// The rule the client's path matches (priority, pattern; `None` for the default action)
    /// and its action, worked out once per setup: the client always sends the same path.
    client_match: (Option<u32>, Arc<str>, CompiledAction),
}

/// The scenario's network settings in a form that is cheap to evaluate per packet. Rebuilt
/// whenever the scenario changes; never edited in place.
#[derive(Clone, Debug, Default)]
pub(crate) struct Compiled {
    groups: Vec<CompiledGroup>,
    listeners: Vec<CompiledListener>,
    alb_groups: Vec<Arc<str>>,
    alb_groups_text: Arc<str>,
    client_ip: Option<Ipv4>,
    client_ip_text: Arc<str>,
    client_path: Arc<str>,
    /// The words for "no custom network ACL on the way", made once: most setups have none, and
    /// every request and health check records it.
    no_acls: Arc<str>,
    health_paths: Vec<Arc<str>>,
    instance_groups: Vec<(Arc<str>, Vec<Arc<str>>)>,
    /// The custom network ACLs, and each associated subnet with its ACL's index.
    acls: Vec<CompiledAcl>,
    acl_of_subnet: Vec<(Arc<str>, usize)>,
}

fn compile_rules(rules: &[super::scenario::SecurityGroupRule], inbound: bool) -> Vec<CompiledRule> {
    rules
        .iter()
        .map(|r| {
            let source = match Cidr::parse(&r.source) {
                Some(c) => RuleSource::Cidr(c),
                None => RuleSource::Group(r.source.as_str().into()),
            };
            let dir = if inbound { "from" } else { "to" };
            CompiledRule {
                from_port: r.from_port,
                to_port: r.to_port,
                source,
                text: format!("TCP {} {dir} {}", r.ports_text(), r.source).into(),
            }
        })
        .collect()
}

fn compile_action(s: &Scenario, a: &Action) -> CompiledAction {
    match a {
        Action::Forward { target_group } => {
            CompiledAction::Forward { target_group: s.target_group_index(target_group).unwrap_or(0), name: target_group.as_str().into() }
        }
        Action::FixedResponse { status_code, .. } => CompiledAction::Fixed { status: *status_code },
    }
}

impl Compiled {
    pub(crate) fn new(s: &Scenario) -> Compiled {
        let groups = s
            .security_groups
            .iter()
            .map(|g| CompiledGroup {
                id: g.id.as_str().into(),
                ingress: compile_rules(&g.ingress, true),
                egress: compile_rules(&g.egress, false),
            })
            .collect();
        let listeners = s
            .load_balancer
            .listeners
            .iter()
            .filter_map(|l| {
                let route = s.route(l.port, &s.client.path)?;
                let client_match = match route.rule {
                    Some(r) => (Some(r.priority), Arc::from(r.path_pattern.as_str()), compile_action(s, route.action)),
                    None => (None, Arc::from("*"), compile_action(s, route.action)),
                };
                Some(CompiledListener { port: l.port, client_match })
            })
            .collect();
        let alb_groups: Vec<Arc<str>> = s.load_balancer.security_groups.iter().map(|g| Arc::from(g.as_str())).collect();
        let alb_groups_text = s.load_balancer.security_groups.join(", ").into();
        Compiled {
            groups,
            listeners,
            alb_groups,
            alb_groups_text,
            client_ip: Ipv4::parse(&s.client.ip),
            client_ip_text: s.client.ip.as_str().into(),
            client_path: s.client.path.as_str().into(),
            no_acls: Arc::from(""),
            health_paths: s.target_groups.iter().map(|t| Arc::from(t.health_check.path.as_str())).collect(),
            instance_groups: s
                .container_instances
                .iter()
                .map(|c| (Arc::from(c.id.as_str()), c.security_groups.iter().map(|g| Arc::from(g.as_str())).collect()))
                .collect(),
            acls: s.network_acls.iter().map(CompiledAcl::new).collect(),
            acl_of_subnet: s
                .network_acls
                .iter()
                .enumerate()
                .flat_map(|(i, a)| a.subnets.iter().map(move |sub| (Arc::from(sub.as_str()), i)))
                .collect(),
        }
    }

    /// A subnet's custom network ACL; `None`: the VPC's default, which allows everything.
    pub(crate) fn acl_of(&self, subnet: &str) -> Option<&CompiledAcl> {
        self.acl_of_subnet.iter().find(|(s, _)| &**s == subnet).and_then(|(_, i)| self.acls.get(*i))
    }

    fn group(&self, id: &str) -> Option<&CompiledGroup> {
        self.groups.iter().find(|g| &*g.id == id)
    }

    /// Which inbound rule of `groups` admits a packet from `src_ip` (sent by an interface in
    /// `src_groups`) on `port`? `None` means the packet is dropped.
    pub(crate) fn ingress_admits(
        &self,
        groups: &[Arc<str>],
        src_ip: Ipv4,
        src_groups: &[Arc<str>],
        port: u16,
    ) -> Option<(Arc<str>, Arc<str>)> {
        for gid in groups {
            let Some(g) = self.group(gid) else { continue };
            for r in &g.ingress {
                if port < r.from_port || port > r.to_port {
                    continue;
                }
                let hit = match &r.source {
                    RuleSource::Cidr(c) => c.contains(src_ip),
                    // A security-group source admits the private addresses of interfaces that
                    // carry that group (docs/model.md §Security groups).
                    RuleSource::Group(sg) => src_ip.is_private() && src_groups.iter().any(|s| s == sg),
                };
                if hit {
                    return Some((g.id.clone(), r.text.clone()));
                }
            }
        }
        None
    }

    fn egress_admits(&self, groups: &[Arc<str>], dst_ip: Ipv4, dst_groups: &[Arc<str>], port: u16) -> bool {
        groups.iter().filter_map(|g| self.group(g)).any(|g| {
            g.egress.iter().any(|r| {
                (r.from_port..=r.to_port).contains(&port)
                    && match &r.source {
                        RuleSource::Cidr(c) => c.contains(dst_ip),
                        RuleSource::Group(sg) => dst_groups.iter().any(|d| d == sg),
                    }
            })
        })
    }

    /// The custom ACLs a connection crossed, in words; none (the common case) allocates nothing.
    fn acls_text(&self, acls: &[Arc<str>]) -> Arc<str> {
        match acls {
            [] => self.no_acls.clone(),
            [one] => one.clone(),
            _ => Compiled::groups_text(acls),
        }
    }

    pub(crate) fn groups_text(groups: &[Arc<str>]) -> Arc<str> {
        let names: Vec<&str> = groups.iter().map(|g| &**g).collect();
        names.join(", ").into()
    }
}

/// Where the listener on the client's port sends the client's request: the rule its path
/// matches (or the default action) and what that action does, as the data plane decides it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRoute {
    pub listener_port: u16,
    /// The matching rule's priority; `None` for the default action.
    pub priority: Option<u32>,
    /// The matching rule's path pattern (`*` for the default action).
    pub pattern: Arc<str>,
    pub forward_to: Option<Arc<str>>,
    pub fixed_status: Option<u16>,
}

/// A request's fate, decided: its record (without an id yet), which target group's round-robin
/// cursor it used, and whether the app crashed answering it.
pub(crate) struct RequestDecision {
    record: RequestRecord,
    used_cursor: Option<(usize, LoadBalancingAlgorithm)>,
    crashed: bool,
}

/// A health check's fate, decided when it is sent.
struct CheckDecision {
    trace: Trace,
    result: CheckResult,
    latency_ms: u64,
    crashed: bool,
    interval_ms: u64,
    task: u32,
}

/// A decision the client's connection must pass at the load balancer: `Ok` the detail that
/// admitted it, `Err` why it was dropped.
type Admit = fn(&Sim) -> Result<Detail, Detail>;

/// Who opens a connection to a task: the load balancer (a node's address, its security
/// groups, and its own outbound rules apply) or the client on the internet (a direct curl).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source {
    Alb { node_ip: Ipv4 },
    Client,
}

/// What happened when a packet tried to reach the app.
enum Reach {
    Answered {
        status: u16,
        latency_ms: u32,
    },
    /// Dropped by a security group: the connect never completes.
    Dropped,
    /// Connected, but the answer took longer than the limit.
    TooSlow,
    Refused,
    Crashed,
}

impl Sim {
    /// The listener and rule the client's requests meet now; `None` when no listener is on the
    /// client's port.
    pub fn client_route(&self) -> Option<ClientRoute> {
        let port = self.scenario.client.port;
        let listener = self.compiled.listeners.iter().find(|l| l.port == port)?;
        let (priority, pattern, action) = listener.client_match.clone();
        let (forward_to, fixed_status) = match action {
            CompiledAction::Forward { name, .. } => (Some(name), None),
            CompiledAction::Fixed { status } => (None, Some(status)),
        };
        Some(ClientRoute { listener_port: port, priority, pattern, forward_to, fixed_status })
    }

    pub(crate) fn alb_node_for(&self, zone: &str) -> Option<&AlbNode> {
        self.alb_nodes.iter().find(|n| &*n.availability_zone == zone).or(self.alb_nodes.first())
    }

    /// The security groups on the interface that receives traffic for this task: its ENI's
    /// (awsvpc), or its container instance's (bridge).
    pub(crate) fn task_groups<'a>(&'a self, task: &'a Task) -> &'a [Arc<str>] {
        match task.network_mode {
            NetworkMode::Awsvpc => &task.security_groups,
            NetworkMode::Bridge => task
                .instance
                .as_ref()
                .and_then(|id| self.compiled.instance_groups.iter().find(|(i, _)| i == id))
                .map(|(_, g)| g.as_slice())
                .unwrap_or(&[]),
        }
    }

    /// Does the load balancer's security group admit the client on the port it sends to? The one
    /// decision requests and the diagram's gate share.
    pub(crate) fn admit_client_to_alb(&self) -> Result<Detail, Detail> {
        let c = &self.compiled;
        let port = self.scenario.client.port;
        match c.ingress_admits(&c.alb_groups, c.client_ip.unwrap_or(Ipv4(0)), &[], port) {
            Some((group, rule)) => Ok(Detail::SgAllows { group, rule, port }),
            None => Err(Detail::SgDenies { groups: c.alb_groups_text.clone(), source: c.client_ip_text.clone(), port }),
        }
    }

    /// Does the client's connection get into the load balancer's subnets through their network
    /// ACLs, both ways? DNS spreads clients over every node, so every enabled subnet's ACL must
    /// admit them; the refusal names the first that does not. The one decision requests, the
    /// diagram's gate and the diagnosis share.
    pub(crate) fn admit_client_to_alb_subnets(&self) -> Result<Detail, Detail> {
        let c = &self.compiled;
        let client = End { subnet: None, ip: c.client_ip.unwrap_or(Ipv4(0)) };
        let mut crossed: Vec<Arc<str>> = Vec::new();
        for node in self.alb_nodes.iter() {
            let node_end = End { subnet: Some(&node.subnet), ip: node.ip };
            match nacl::crossing(|s| c.acl_of(s), client, node_end, self.scenario.client.port) {
                Ok(acls) => crossed.extend(acls.into_iter().filter(|a| !crossed.contains(a)).collect::<Vec<_>>()),
                Err(refusal) => return Err(Detail::NaclDenies(refusal)),
            }
        }
        Ok(Detail::NaclAllows { acls: c.acls_text(&crossed) })
    }

    /// Does a connection from `src` to `dst_ip` in `dst_subnet` on `port` get through the
    /// network ACLs of the subnets it crosses, both ways (they are stateless: the reply is
    /// checked too)? From the load balancer, every node counts: cross-zone load balancing sends
    /// each node's share of requests to every target and every node health-checks every target,
    /// so an ACL that refuses one node's subnet refuses part of the traffic; the refusal names the
    /// first node's. The one decision requests, health checks, direct curls, the diagram's gates
    /// and the diagnosis share.
    pub(crate) fn admit_through_nacls(&self, dst_subnet: &str, dst_ip: Ipv4, port: u16, src: Source) -> Result<Detail, Detail> {
        let c = &self.compiled;
        let dest = End { subnet: Some(dst_subnet), ip: dst_ip };
        let mut crossed: Vec<Arc<str>> = Vec::new();
        let mut cross = |opener: End| match nacl::crossing(|s| c.acl_of(s), opener, dest, port) {
            Ok(acls) => {
                for a in acls {
                    if !crossed.contains(&a) {
                        crossed.push(a);
                    }
                }
                Ok(())
            }
            Err(refusal) => Err(Detail::NaclDenies(refusal)),
        };
        match src {
            Source::Alb { .. } => {
                for node in self.alb_nodes.iter() {
                    cross(End { subnet: Some(&node.subnet), ip: node.ip })?;
                }
            }
            Source::Client => cross(End { subnet: None, ip: c.client_ip.unwrap_or(Ipv4(0)) })?,
        }
        Ok(Detail::NaclAllows { acls: c.acls_text(&crossed) })
    }

    /// Does a connection from `src` reach the task on `port` through the security groups? For
    /// the load balancer, its own outbound rules first, then the task's inbound rules (stateful:
    /// the answer always returns). The one decision requests, health checks, direct curls and the
    /// diagram's gates share; `Ok` carries the admitting group and rule, `Err` why it was dropped.
    pub(crate) fn admit_to_task(&self, task: &Task, port: u16, src: Source) -> Result<Detail, Detail> {
        self.admit_to(self.task_groups(task), task.private_ip, port, src)
    }

    /// [`Sim::admit_to_task`] for any interface: its security groups `groups` and address
    /// `dst_ip`. The diagnosis asks it for the tasks a setup would start.
    pub(crate) fn admit_to(&self, groups: &[Arc<str>], dst_ip: Ipv4, port: u16, src: Source) -> Result<Detail, Detail> {
        let c = &self.compiled;
        let (src_ip, src_groups, src_text): (Ipv4, &[Arc<str>], Arc<str>) = match src {
            Source::Alb { node_ip } => {
                if !c.egress_admits(&c.alb_groups, dst_ip, groups, port) {
                    return Err(Detail::EgressDenies { groups: c.alb_groups_text.clone(), port });
                }
                (node_ip, &c.alb_groups, format!("the ALB ({node_ip})").into())
            }
            Source::Client => (c.client_ip.unwrap_or(Ipv4(0)), &[], c.client_ip_text.clone()),
        };
        match c.ingress_admits(groups, src_ip, src_groups, port) {
            Some((group, rule)) => Ok(Detail::SgAllows { group, rule, port }),
            None => Err(Detail::SgDenies { groups: Compiled::groups_text(groups), source: src_text, port }),
        }
    }

    /// From the task's security group to the app's answer: the hops every path shares.
    #[allow(clippy::too_many_arguments)]
    fn reach_app(
        &self,
        trace: &mut Trace,
        task: &Task,
        port: u16,
        src: Source,
        path: &Arc<str>,
        limit_ms: u64,
        limit: SlowLimit,
        jitter_ms: u32,
    ) -> Reach {
        match self.admit_through_nacls(&task.subnet, task.private_ip, port, src) {
            Ok(detail) => trace.pass(Hop::TaskSubnetNacl, detail),
            Err(detail) => {
                trace.fail(Hop::TaskSubnetNacl, detail);
                return Reach::Dropped;
            }
        }
        match self.admit_to_task(task, port, src) {
            Ok(detail) => trace.pass(Hop::TaskSecurityGroup, detail),
            Err(detail) => {
                trace.fail(Hop::TaskSecurityGroup, detail);
                return Reach::Dropped;
            }
        }
        if !task.is_app_serving(self.now_ms) {
            let serving_state = matches!(task.state, super::ecs::TaskState::Running | super::ecs::TaskState::Deactivating);
            if serving_state && !task.has_crashed {
                trace.fail(Hop::Task, Detail::AppStarting);
            } else {
                trace.fail(Hop::Task, Detail::TaskNotServing { state: task.state });
            }
            return Reach::Refused;
        }
        trace.pass(Hop::Task, Detail::TaskNotServing { state: task.state });
        let container_port = match task.network_mode {
            NetworkMode::Awsvpc => {
                trace.pass(Hop::PortMapping, Detail::PortDirect { port });
                port
            }
            NetworkMode::Bridge => {
                if task.host_port == Some(port) {
                    let container_port = task
                        .load_balancer
                        .as_ref()
                        .map(|l| l.container_port)
                        .or(task.port_mappings.first().map(|m| m.container_port))
                        .unwrap_or(port);
                    trace.pass(Hop::PortMapping, Detail::PortMapped { host_port: port, container_port });
                    container_port
                } else {
                    trace.fail(Hop::PortMapping, Detail::NoHostPortListener { port });
                    return Reach::Refused;
                }
            }
        };
        let app = &task.app;
        if app.listen_port != container_port {
            trace.fail(Hop::App, Detail::NotListening { port: container_port, listen_port: app.listen_port });
            return Reach::Refused;
        }
        if task.is_hung {
            trace.fail(Hop::App, Detail::AppHung { path: path.clone(), waited_ms: limit_ms as u32, limit });
            return Reach::TooSlow;
        }
        let (status, needed_ms) = match app.answer(path, jitter_ms) {
            AppAnswer::Status { status, needed_ms } => (status, needed_ms),
            AppAnswer::Crash => {
                trace.fail(Hop::App, Detail::AppCrashed { path: path.clone() });
                return Reach::Crashed;
            }
        };
        if needed_ms as u64 >= limit_ms {
            trace.fail(Hop::App, Detail::AppTooSlow { path: path.clone(), needed_ms, waited_ms: limit_ms as u32, limit });
            return Reach::TooSlow;
        }
        trace.pass(Hop::App, Detail::AppAnswered { status, path: path.clone(), latency_ms: needed_ms });
        Reach::Answered { status, latency_ms: needed_ms }
    }

    /// Send one client request to the ALB: decide its fate now, and record it.
    pub(crate) fn send_request(&mut self) -> u64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        let jitter = self.rng.range_u64(0, 20) as u32;
        let decided = self.decide_request(jitter);
        if let Some((tg_index, algorithm)) = decided.used_cursor {
            if algorithm == LoadBalancingAlgorithm::RoundRobin {
                let cursor = self.round_robin.entry(tg_index).or_insert(0);
                *cursor = cursor.wrapping_add(1);
            }
        }
        let mut record = decided.record;
        record.id = id;
        if let Some(tid) = record.target {
            if let Some(t) = self.targets.get_mut(&tid) {
                t.in_flight = t.in_flight.saturating_add(1);
            }
        }
        if decided.crashed {
            if let Some(t) = record.task.and_then(|seq| self.tasks.get_mut(&seq)) {
                t.crash();
            }
        }
        self.finish_request(record)
    }

    /// What a client request sent now would get, hop by hop, without sending it: the same
    /// decision [`Sim::send_request`] makes (it picks the target the load balancer would pick
    /// next, with no latency jitter).
    pub fn predict_request(&self) -> RequestRecord {
        self.decide_request(0).record
    }

    /// The hop-by-hop decision for one client request: ALB security group, listener, rule,
    /// target group (round robin or least outstanding requests, fail-open, 503), the security
    /// groups to the task, the task, its port mapping and the app. Pure: sending and predicting
    /// are this same code.
    fn decide_request(&self, jitter: u32) -> RequestDecision {
        let now = self.now_ms;
        let port = self.scenario.client.port;
        let connect_timeout_ms = self.scenario.client.connect_timeout_seconds as u64 * 1000;
        let idle_timeout_ms = self.scenario.load_balancer.idle_timeout_seconds as u64 * 1000;
        let c = &self.compiled;
        let path = c.client_path.clone();
        let client_ip = c.client_ip.unwrap_or(Ipv4(0));
        let mut trace = Trace::new(TraceKind::Request);
        trace.pass(Hop::Client, Detail::ClientSends { ip: client_ip, port, path: path.clone() });
        let mut record = RequestRecord {
            id: 0,
            kind: TraceKind::Request,
            sent_at_ms: now,
            done_at_ms: now,
            outcome: Outcome::ClientTimeout,
            trace: Trace::new(TraceKind::Request),
            target: None,
            task: None,
            target_state: None,
            is_fail_open: false,
            latency_ms: 0,
        };
        let mut used_cursor = None;
        let elb = |status| Outcome::Http { status, source: StatusSource::Elb };
        let done = |mut record: RequestRecord, trace: Trace, used_cursor, crashed| {
            record.trace = trace;
            RequestDecision { record, used_cursor, crashed }
        };

        // 1. The SYN enters the load balancer's subnet through its network ACL (and the reply
        // must leave through it), then meets the ALB security group. A drop at either: the
        // client waits out its connect timeout.
        let front_door: [(Hop, Admit); 2] =
            [(Hop::AlbSubnetNacl, Sim::admit_client_to_alb_subnets), (Hop::AlbSecurityGroup, Sim::admit_client_to_alb)];
        for (hop, admit) in front_door {
            match admit(self) {
                Ok(detail) => trace.pass(hop, detail),
                Err(detail) => {
                    trace.fail(hop, detail);
                    record.done_at_ms = now + connect_timeout_ms;
                    return done(record, trace, None, false);
                }
            }
        }
        // 2. A listener on the port.
        let Some(listener) = c.listeners.iter().find(|l| l.port == port) else {
            trace.fail(Hop::Listener, Detail::NoListener { port });
            record.done_at_ms = now + connect_timeout_ms;
            return done(record, trace, None, false);
        };
        trace.pass(Hop::Listener, Detail::ListenerFound { port });
        // 3. Rules by priority, then the default action.
        let (priority, pattern, action) = listener.client_match.clone();
        let (tg_index, tg_name) = match action {
            CompiledAction::Fixed { status } => {
                trace.pass(Hop::ListenerRule, Detail::RuleMatched { priority, pattern, forward_to: None });
                trace.pass(Hop::ListenerRule, Detail::FixedResponse { status });
                record.outcome = Outcome::Http { status, source: StatusSource::FixedResponse };
                record.done_at_ms = now + 1;
                return done(record, trace, None, false);
            }
            CompiledAction::Forward { target_group, name } => {
                trace.pass(Hop::ListenerRule, Detail::RuleMatched { priority, pattern, forward_to: Some(name.clone()) });
                (target_group, name)
            }
        };
        // 4. Pick a target.
        let cursor = self.round_robin.get(&tg_index).copied().unwrap_or(0);
        let Some((tid, fail_open)) = self.choose_target(tg_index, &tg_name, &mut trace, cursor) else {
            record.outcome = elb(503);
            record.done_at_ms = now + 1;
            return done(record, trace, None, false);
        };
        used_cursor = self.scenario.target_groups.get(tg_index).map(|tg| (tg_index, tg.load_balancing_algorithm)).or(used_cursor);
        let Some(target) = self.targets.get(&tid) else {
            record.outcome = elb(503);
            return done(record, trace, used_cursor, false);
        };
        record.target = Some(tid);
        record.task = Some(target.task);
        record.target_state = Some(target.state);
        record.is_fail_open = fail_open;
        let target_port = target.endpoint.port;
        let Some(task) = self.tasks.get(&target.task) else {
            trace.fail(Hop::Task, Detail::TaskStoppedInFlight);
            record.outcome = elb(502);
            record.done_at_ms = now + 1;
            return done(record, trace, used_cursor, false);
        };
        let node_ip = self.alb_node_for(&target.availability_zone).map(|n| n.ip).unwrap_or(Ipv4(0));
        // 5. The ALB's own outbound rules, the task's inbound rules, the task, the app.
        let reach =
            self.reach_app(&mut trace, task, target_port, Source::Alb { node_ip }, &path, idle_timeout_ms, SlowLimit::IdleTimeout, jitter);
        let (outcome, delay_ms, latency_ms, crashed) = request_outcome(reach, idle_timeout_ms);
        record.outcome = outcome;
        record.latency_ms = latency_ms;
        record.done_at_ms = now + delay_ms;
        done(record, trace, used_cursor, crashed)
    }

    /// Choose a target in the target group: healthy ones by the algorithm, or fail open. Pure:
    /// round robin takes the `cursor`'s turn, and the sender advances the cursor.
    fn choose_target(&self, tg_index: usize, tg_name: &Arc<str>, trace: &mut Trace, cursor: u64) -> Option<(TargetId, bool)> {
        let tg = self.scenario.target_groups.get(tg_index)?;
        let min_healthy = tg.unhealthy_state_routing_minimum_healthy_targets_count as usize;
        let initial_fail_open = self.scenario.options.initial_targets_fail_open;
        let (mut healthy, mut unhealthy, mut initial, mut draining, mut unused) = (0usize, 0usize, 0u32, 0u32, 0u32);
        for t in self.targets.values().filter(|t| t.target_group == tg_index) {
            match t.state {
                TargetState::Healthy => healthy += 1,
                TargetState::Unhealthy => unhealthy += 1,
                TargetState::Initial => initial += 1,
                TargetState::Draining => draining += 1,
                TargetState::Unused => unused += 1,
            }
        }
        if healthy + unhealthy + initial as usize + draining as usize == 0 {
            if unused == 0 {
                trace.fail(Hop::TargetGroup, Detail::NoRegisteredTargets { target_group: tg_name.clone() });
            } else {
                trace.fail(Hop::TargetGroup, Detail::NoRoutableTargets { target_group: tg_name.clone(), initial, draining, unused });
            }
            return None;
        }
        // Below the threshold of healthy targets the ALB fails open: every target that is
        // healthy or unhealthy gets traffic (initial ones only if the option says so). Draining
        // targets never get new requests (docs/model.md §Fail open).
        let fail_open = healthy < min_healthy;
        let eligible = |t: &&Target| {
            t.target_group == tg_index
                && match t.state {
                    TargetState::Healthy => true,
                    TargetState::Unhealthy => fail_open,
                    TargetState::Initial => fail_open && initial_fail_open,
                    TargetState::Draining | TargetState::Unused => false,
                }
        };
        let count = self.targets.values().filter(eligible).count();
        if count == 0 {
            trace.fail(Hop::TargetGroup, Detail::NoRoutableTargets { target_group: tg_name.clone(), initial, draining, unused });
            return None;
        }
        let target = match tg.load_balancing_algorithm {
            LoadBalancingAlgorithm::RoundRobin => self.targets.values().filter(eligible).nth((cursor % count as u64) as usize)?,
            LoadBalancingAlgorithm::LeastOutstandingRequests => {
                self.targets.values().filter(eligible).min_by_key(|t| (t.in_flight, t.id))?
            }
        };
        trace.pass(
            Hop::TargetGroup,
            Detail::Routed { target_group: tg_name.clone(), target: target.endpoint.clone(), state: target.state, fail_open },
        );
        Some((target.id, fail_open))
    }

    /// curl a task's IP directly from the client, bypassing the load balancer.
    pub(crate) fn curl_task(&mut self, task_seq: u32, port: u16) -> u64 {
        let id = self.next_request_id;
        self.next_request_id += 1;
        let now = self.now_ms;
        let (trace, outcome, delay_ms, latency_ms) = self.decide_curl(task_seq, port);
        let record = RequestRecord {
            id,
            kind: TraceKind::DirectCurl,
            sent_at_ms: now,
            done_at_ms: now + delay_ms,
            outcome,
            trace,
            target: None,
            task: Some(task_seq),
            target_state: None,
            is_fail_open: false,
            latency_ms,
        };
        self.finish_request(record)
    }

    /// What a direct curl to this task would get now, without sending it (for goal checks).
    /// `port`: the task's container port when `None`.
    pub fn curl_outcome(&self, task_seq: u32, port: Option<u16>) -> Outcome {
        let Some(task) = self.tasks.get(&task_seq) else { return Outcome::ClientTimeout };
        let port = port.unwrap_or_else(|| task.load_balancer.as_ref().map(|l| l.container_port).unwrap_or(task.app.listen_port));
        self.decide_curl(task_seq, port).1
    }

    /// The hops of a direct curl: the task's public IP, its security group, the app.
    fn decide_curl(&self, task_seq: u32, port: u16) -> (Trace, Outcome, u64, u32) {
        let connect_timeout_ms = self.scenario.client.connect_timeout_seconds as u64 * 1000;
        let path = self.compiled.client_path.clone();
        let mut trace = Trace::new(TraceKind::DirectCurl);
        let Some(task) = self.tasks.get(&task_seq) else {
            trace.fail(Hop::Client, Detail::TaskStoppedInFlight);
            return (trace, Outcome::ClientTimeout, connect_timeout_ms, 0);
        };
        let public_subnet = self.scenario.find_subnet(&task.subnet).is_some_and(|s| s.is_public);
        let Some(public_ip) = task.public_ip.filter(|_| public_subnet) else {
            trace.fail(Hop::Client, Detail::NoPublicIp { private_ip: task.private_ip });
            return (trace, Outcome::ClientTimeout, connect_timeout_ms, 0);
        };
        trace.pass(Hop::Client, Detail::PublicIp { public_ip });
        let reach = self.reach_app(&mut trace, task, port, Source::Client, &path, CURL_MAX_TIME_MS, SlowLimit::IdleTimeout, 0);
        match reach {
            Reach::Answered { status, latency_ms } => {
                (trace, Outcome::Http { status, source: StatusSource::Target }, latency_ms as u64, latency_ms)
            }
            Reach::Dropped => (trace, Outcome::ClientTimeout, connect_timeout_ms, 0),
            Reach::TooSlow => (trace, Outcome::ClientTimeout, CURL_MAX_TIME_MS, 0),
            Reach::Refused | Reach::Crashed => (trace, Outcome::ConnectionRefused, 1, 0),
        }
    }

    fn finish_request(&mut self, record: RequestRecord) -> u64 {
        let id = record.id;
        self.requests_sent += 1;
        self.sent_this_tick.push(super::SentUnder { id, scenario: self.scenario.clone(), alb_nodes: self.alb_nodes.clone() });
        self.in_flight.insert((record.done_at_ms, id), record);
        id
    }

    /// Requests whose time has come: re-check that their target is still there, then count them.
    pub(crate) fn complete_requests(&mut self) {
        let now = self.now_ms;
        while let Some(entry) = self.in_flight.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let record = entry.remove();
            self.complete_request(record);
        }
    }

    /// Before a draining target leaves at `until` (when its deregistration delay ran out, at or
    /// before now): the requests it answered by then end as answered, even within the same tick;
    /// the ones still in flight get their 502 at `until`, not when the app would have answered.
    pub(crate) fn end_in_flight_at_deregistration(&mut self, tid: TargetId, until: u64) {
        let keys: Vec<(u64, u64)> = self.in_flight.iter().filter(|(_, r)| r.target == Some(tid)).map(|(k, _)| *k).collect();
        for key in keys {
            let Some(mut record) = self.in_flight.remove(&key) else { continue };
            if record.done_at_ms > until {
                record.trace.fail(Hop::TargetGroup, Detail::DeregisteredInFlight);
                record.outcome = Outcome::Http { status: 502, source: StatusSource::Elb };
                record.done_at_ms = until.max(record.sent_at_ms);
                record.latency_ms = 0;
            }
            self.complete_request(record);
        }
    }

    /// Count one finished request: re-check that its target and task are still there.
    fn complete_request(&mut self, mut record: RequestRecord) {
        let now = self.now_ms;
        {
            if let Some(tid) = record.target {
                let answered_by_target = matches!(record.outcome, Outcome::Http { source: StatusSource::Target, .. });
                match self.targets.get_mut(&tid) {
                    Some(t) => {
                        t.in_flight = t.in_flight.saturating_sub(1);
                        let task_serving = self.tasks.get(&t.task).is_some_and(|task| task.is_app_serving(now));
                        if answered_by_target && !task_serving {
                            record.trace.fail(Hop::Task, Detail::TaskStoppedInFlight);
                            record.outcome = Outcome::Http { status: 502, source: StatusSource::Elb };
                        }
                    }
                    None if answered_by_target => {
                        record.trace.fail(Hop::TargetGroup, Detail::DeregisteredInFlight);
                        record.outcome = Outcome::Http { status: 502, source: StatusSource::Elb };
                    }
                    None => {}
                }
            }
            self.metrics.record(&record);
            self.flows.record(now, super::flows::FlowKey::new(&record.trace, record.outcome.class(), record.task));
            self.requests_done += 1;
            if self.recent.len() >= super::MAX_RECENT_REQUESTS {
                self.recent.pop_front();
            }
            self.recent.push_back(record);
        }
    }

    /// What a health check to this target sent now would get: the same decision the load
    /// balancer's checks make. Pure, so the diagram, the tests and the checks share it.
    pub fn predict_health_check(&self, target: TargetId) -> Option<(Trace, CheckResult)> {
        self.decide_health_check(target).map(|c| (c.trace, c.result))
    }

    fn decide_health_check(&self, tid: TargetId) -> Option<CheckDecision> {
        let target = self.targets.get(&tid)?;
        let tg = self.scenario.target_groups.get(target.target_group)?;
        let hc = &tg.health_check;
        let interval_ms = hc.interval_seconds as u64 * 1000;
        let timeout_ms = hc.timeout_seconds as u64 * 1000;
        let port = hc.explicit_port().unwrap_or(target.endpoint.port);
        let path = self.compiled.health_paths.get(target.target_group).cloned().unwrap_or_else(|| Arc::from("/"));
        let node_ip = self.alb_node_for(&target.availability_zone).map(|n| n.ip).unwrap_or(Ipv4(0));
        let mut trace = Trace::new(TraceKind::HealthCheck);
        trace.pass(Hop::TargetGroup, Detail::AlbProbes { node_ip, path: path.clone() });
        trace.pass(Hop::TargetGroup, Detail::HealthCheckTo { target: target.endpoint.clone(), port });
        let (result, latency_ms, crashed) = match self.tasks.get(&target.task) {
            None => {
                trace.fail(Hop::Task, Detail::TaskStoppedInFlight);
                (CheckResult::ConnectionFailed, 1, false)
            }
            Some(task) => {
                let reach =
                    self.reach_app(&mut trace, task, port, Source::Alb { node_ip }, &path, timeout_ms, SlowLimit::HealthCheckTimeout, 0);
                check_result(reach, hc, timeout_ms, &mut trace)
            }
        };
        Some(CheckDecision { trace, result, latency_ms, crashed, interval_ms, task: target.task })
    }

    /// Send the health checks that are due, and apply the answers that arrived.
    pub(crate) fn run_health_checks(&mut self) {
        let now = self.now_ms;
        let due: Vec<TargetId> = self.targets.values().filter(|t| t.next_check_at_ms <= now).map(|t| t.id).collect();
        for tid in due {
            let Some(check) = self.decide_health_check(tid) else { continue };
            let (result, latency_ms, crashed, trace, interval_ms, task_seq) =
                (check.result, check.latency_ms, check.crashed, check.trace, check.interval_ms, check.task);
            if crashed {
                if let Some(t) = self.tasks.get_mut(&task_seq) {
                    t.crash();
                }
            }
            if let Some(t) = self.targets.get_mut(&tid) {
                t.next_check_at_ms = now + interval_ms;
                if t.reason == Some(super::health::Reason::RegistrationInProgress) {
                    t.reason = Some(super::health::Reason::InitialHealthChecking);
                }
            }
            self.pending_checks.insert(
                (now + latency_ms.max(1), tid),
                PendingCheck { target: tid, sent_at_ms: now, done_at_ms: now + latency_ms.max(1), result, trace },
            );
        }
        while let Some(entry) = self.pending_checks.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let check = entry.remove();
            let Some(target) = self.targets.get_mut(&check.target) else { continue };
            self.flows.record(now, super::flows::FlowKey::new(&check.trace, super::flows::check_class(&check.result), Some(target.task)));
            let Some(tg) = self.scenario.target_groups.get(target.target_group) else { continue };
            let change =
                target.record_check(&check.result, tg.health_check.healthy_threshold_count, tg.health_check.unhealthy_threshold_count);
            target.last_check = Some(LastCheck { at_ms: check.sent_at_ms, result: check.result.clone(), trace: check.trace });
            if let Some(change) = change {
                let reason = target.reason.as_ref().map(|r| format!(" ({}: {})", r.code(), r.description())).unwrap_or_default();
                let msg = format!("(target-group {}) target {}: {} → {}{reason}", tg.name, target.endpoint, change.from, change.to);
                self.log(super::events::EventSource::TargetHealth, msg);
            }
        }
    }

    /// What a running task of this setup settles to, asked of the data plane itself: the result
    /// of its health checks and the answer a client's request gets once routed to it (the same
    /// whether its target is healthy or the load balancer fails open). The diagnosis asks this
    /// for the task the setup would start, so what it predicts is what the run shows. `None`
    /// when either crashes the app.
    pub(crate) fn probe_running_task(&self, task: &Task, tg_index: usize) -> Option<(CheckResult, Outcome)> {
        let tg = self.scenario.target_groups.get(tg_index)?;
        let hc = &tg.health_check;
        let target_port = task.registered_port()?;
        let node_ip = self.alb_node_for(&task.availability_zone).map(|n| n.ip).unwrap_or(Ipv4(0));
        let source = Source::Alb { node_ip };
        let timeout_ms = hc.timeout_seconds as u64 * 1000;
        let hc_path = self.compiled.health_paths.get(tg_index).cloned().unwrap_or_else(|| Arc::from("/"));
        let mut trace = Trace::new(TraceKind::HealthCheck);
        let reach = self.reach_app(
            &mut trace,
            task,
            hc.explicit_port().unwrap_or(target_port),
            source,
            &hc_path,
            timeout_ms,
            SlowLimit::HealthCheckTimeout,
            0,
        );
        let (check, _, check_crashes) = check_result(reach, hc, timeout_ms, &mut trace);
        let idle_timeout_ms = self.scenario.load_balancer.idle_timeout_seconds as u64 * 1000;
        let mut trace = Trace::new(TraceKind::Request);
        let reach =
            self.reach_app(&mut trace, task, target_port, source, &self.compiled.client_path, idle_timeout_ms, SlowLimit::IdleTimeout, 0);
        let (client, _, _, request_crashes) = request_outcome(reach, idle_timeout_ms);
        // A task that crashes when checked or asked is replaced again and again: no steady state.
        (!check_crashes && !request_crashes).then_some((check, client))
    }
}

/// A client request's outcome once it has reached (or failed to reach) the app: the app's own
/// status, or the load balancer's 504 (no connection, or no answer within the idle timeout) or
/// 502 (connection refused or closed). With how long it took, the app's latency, and whether
/// the app crashed answering it.
fn request_outcome(reach: Reach, idle_timeout_ms: u64) -> (Outcome, u64, u32, bool) {
    let elb = |status| Outcome::Http { status, source: StatusSource::Elb };
    match reach {
        Reach::Answered { status, latency_ms } => {
            (Outcome::Http { status, source: StatusSource::Target }, latency_ms as u64, latency_ms, false)
        }
        Reach::Dropped => (elb(504), TARGET_CONNECT_TIMEOUT_MS, 0, false),
        Reach::TooSlow => (elb(504), idle_timeout_ms, 0, false),
        Reach::Refused => (elb(502), 1, 0, false),
        Reach::Crashed => (elb(502), 1, 0, true),
    }
}

/// A health check's result once it has reached (or failed to reach) the app: a pass when the
/// status is in the matcher, else a code mismatch (marked on the trace's last hop); a timeout
/// when nothing connected or answered in time; a failed connection otherwise. With its
/// latency and whether the app crashed answering it.
fn check_result(reach: Reach, hc: &HealthCheck, timeout_ms: u64, trace: &mut Trace) -> (CheckResult, u64, bool) {
    match reach {
        Reach::Answered { status, latency_ms } if hc.matches(status) => (CheckResult::Pass { status }, latency_ms as u64, false),
        Reach::Answered { status, latency_ms } => {
            if let Some(last) = trace.hops.last_mut() {
                last.passed = false;
            }
            (CheckResult::CodeMismatch { status }, latency_ms as u64, false)
        }
        Reach::Dropped | Reach::TooSlow => (CheckResult::Timeout, timeout_ms, false),
        Reach::Refused => (CheckResult::ConnectionFailed, 1, false),
        Reach::Crashed => (CheckResult::ConnectionFailed, 1, true),
    }
}
