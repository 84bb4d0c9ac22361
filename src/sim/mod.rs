//! The simulation core: an internet-facing Application Load Balancer in front of an ECS service.
//!
//! Pure and deterministic, in the sans-IO style: [`Sim::new`] takes a validated scenario and a
//! seed, [`Sim::apply`] takes a [`Command`] between ticks, [`Sim::tick`] advances sim time by one
//! fixed step of [`TICK_MS`], and the page reads the state through accessors and [`Sim::view`].
//! The core never reads a clock, never touches the network or the DOM, draws every random
//! number from one seeded generator, and keeps everything that is iterated in ordered maps, so
//! the same scenario, seed and commands always give the same history.
//!
//! Everything is bounded: the event log ([`events::MAX_EVENTS`]), recent request traces
//! ([`MAX_RECENT_REQUESTS`]), requests in flight ([`MAX_IN_FLIGHT`]), metrics (one hour).
//!
//! What is modelled, what is simplified, and the AWS source of every rule: docs/model.md.

pub mod cli;
pub mod command;
pub mod diagnosis;
pub mod ecs;
pub mod events;
pub mod exercise;
pub mod flows;
pub mod gates;
pub mod health;
pub mod json;
pub mod knobs;
pub mod metrics;
pub mod nacl;
pub mod net;
pub mod rng;
pub mod scenario;
pub mod state;
pub mod timeline;
pub mod trace;
pub mod traffic;

pub use command::{Applied, Command, CommandError, TaskDefinitionChanges, TaskFailure};
pub use diagnosis::{Diagnosis, Finding, Severity};
pub use ecs::{Deployment, ServiceRuntime, StoppedTask, Task, TaskState};
pub use events::{Event, EventLog, EventSource};
pub use health::{Target, TargetId, TargetState};
pub use metrics::{Bucket, Counters, Metrics};
pub use scenario::{Scenario, ScenarioError, ScenarioErrors, ValidScenario};
pub use trace::{Hop, Outcome, OutcomeClass, Trace};
pub use traffic::{AlbNode, ClientRoute, PendingCheck, RequestRecord};

use health::TargetId as Tid;
use net::{Cidr, Ipv4};
use rng::Rng;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use traffic::Compiled;

/// One fixed step of sim time.
pub const TICK_MS: u64 = 100;
pub const MAX_RECENT_REQUESTS: usize = 300;
/// The client opens at most this many concurrent requests, like a load generator's connection
/// cap; above it, it waits instead of sending (counted in `client_skipped`).
pub const MAX_IN_FLIGHT: usize = 20_000;
/// One client request in the load's carry, whose unit is a millionth of a request per second
/// times a millisecond of sim time.
const CLIENT_REQUEST_UNITS: u64 = 1_000_000 * 1000;

/// The whole simulated world. See the module docs for the run-loop contract.
#[derive(Clone, Debug)]
pub struct Sim {
    /// Shared so that each request can keep the setup it was decided under, for the
    /// invariant checks, without a copy; a command swaps in a new one.
    scenario: Arc<Scenario>,
    initial: ValidScenario,
    seed: u64,
    now_ms: u64,
    rng: Rng,
    compiled: Compiled,
    enabled_zones: Vec<Arc<str>>,
    alb_nodes: Arc<Vec<AlbNode>>,
    tasks: BTreeMap<u32, Task>,
    next_task_seq: u32,
    stopped_tasks: VecDeque<StoppedTask>,
    /// When ECS decided to stop a task and why, for the last 10 minutes (pruned as stops come).
    recent_stops: VecDeque<(u64, ecs::StopKind)>,
    targets: BTreeMap<Tid, Target>,
    next_target_id: u32,
    task_definitions: Vec<scenario::TaskDefinition>,
    service: ServiceRuntime,
    in_flight: BTreeMap<(u64, u64), RequestRecord>,
    pending_checks: BTreeMap<(u64, Tid), PendingCheck>,
    recent: VecDeque<RequestRecord>,
    log: EventLog,
    metrics: Metrics,
    flows: flows::FlowLog,
    round_robin: BTreeMap<usize, u64>,
    /// Requests owed to the client's rate, in `CLIENT_REQUEST_UNITS` per request.
    client_carry: u64,
    next_request_id: u64,
    requests_sent: u64,
    requests_done: u64,
    client_skipped: u64,
    /// True while the run warms up: the service starts, the client sends nothing.
    is_warming_up: bool,
    /// Requests sent during the last tick or command, each with the setup it was decided
    /// under, so the invariant checks judge a request by the rules it met, not by a change
    /// made after it left.
    sent_this_tick: Vec<SentUnder>,
    /// The setup changes made in this run, oldest first, bounded by [`MAX_CHANGES`].
    changes: VecDeque<ChangeRecord>,
    /// How many changes were dropped from the front of `changes`.
    changes_dropped: u64,
}

/// Changes kept for the event log's AWS CLI commands and "Export my fixes": a long session of
/// clicking stays bounded (each keeps the setup it was made to, shared, not copied).
pub const MAX_CHANGES: usize = 200;

/// One setup change, as the learner made it.
#[derive(Clone, Debug)]
pub struct ChangeRecord {
    pub at_ms: u64,
    /// The event log entry it wrote.
    pub event_seq: u64,
    pub summary: String,
    pub command: Command,
    /// The setup it was applied to: its ids name the AWS CLI command's resources.
    pub before: Arc<Scenario>,
}

/// A request and the setup it was decided under.
#[derive(Clone, Debug)]
struct SentUnder {
    id: u64,
    scenario: Arc<Scenario>,
    alb_nodes: Arc<Vec<AlbNode>>,
}

impl Sim {
    /// Start a run. The scenario's own seed is used unless `seed` is given.
    pub fn new(scenario: ValidScenario, seed: Option<u64>) -> Sim {
        let seed = seed.unwrap_or(scenario.seed);
        let mut sim = Sim {
            scenario: Arc::new(scenario.get().clone()),
            initial: scenario,
            seed,
            now_ms: 0,
            rng: Rng::new(seed),
            compiled: Compiled::default(),
            enabled_zones: Vec::new(),
            alb_nodes: Arc::new(Vec::new()),
            tasks: BTreeMap::new(),
            next_task_seq: 1,
            stopped_tasks: VecDeque::new(),
            recent_stops: VecDeque::new(),
            targets: BTreeMap::new(),
            next_target_id: 1,
            task_definitions: Vec::new(),
            service: ServiceRuntime::default(),
            in_flight: BTreeMap::new(),
            pending_checks: BTreeMap::new(),
            recent: VecDeque::new(),
            log: EventLog::default(),
            metrics: Metrics::default(),
            flows: flows::FlowLog::default(),
            round_robin: BTreeMap::new(),
            client_carry: 0,
            next_request_id: 1,
            requests_sent: 0,
            requests_done: 0,
            client_skipped: 0,
            is_warming_up: false,
            sent_this_tick: Vec::new(),
            changes: VecDeque::new(),
            changes_dropped: 0,
        };
        sim.place_alb_nodes();
        let scenario = Scenario::clone(&sim.scenario);
        sim.replace_scenario(scenario);
        if sim.scenario.service.is_some() {
            // The refusal, if any, is in the event log; it is a lesson, not a load error.
            let _ = sim.create_service();
        }
        sim.warm_up();
        sim
    }

    /// Let the service start with no client load, so the run opens where the scenario says.
    fn warm_up(&mut self) {
        let seconds = self.scenario.options.warm_up_seconds as u64;
        if seconds == 0 {
            return;
        }
        self.is_warming_up = true;
        self.run_for(seconds * 1000);
        self.is_warming_up = false;
    }

    /// Start over from the scenario this run began with, with the same seed.
    pub fn reset(&mut self) {
        *self = Sim::new(self.initial.clone(), Some(self.seed));
    }

    /// Start over with a different seed.
    pub fn reseed(&mut self, seed: u64) {
        *self = Sim::new(self.initial.clone(), Some(seed));
    }

    pub(crate) fn place_alb_nodes(&mut self) {
        let mut nodes = Vec::new();
        for id in &self.scenario.load_balancer.subnets.clone() {
            let Some(subnet) = self.scenario.find_subnet(id).cloned() else { continue };
            if nodes.iter().any(|n: &AlbNode| *n.availability_zone == *subnet.availability_zone) {
                continue;
            }
            let Some(cidr) = Cidr::parse(&subnet.cidr) else { continue };
            let offset = self.rng.range_u64(4, cidr.size().saturating_sub(2).max(4)) as u32;
            nodes.push(AlbNode {
                subnet: subnet.id.as_str().into(),
                availability_zone: subnet.availability_zone.as_str().into(),
                ip: Ipv4(cidr.base.0 + offset),
            });
        }
        self.alb_nodes = Arc::new(nodes);
    }

    /// Swap in a validated scenario and rebuild everything derived from it.
    fn replace_scenario(&mut self, scenario: Scenario) {
        self.scenario = Arc::new(scenario);
        self.compiled = Compiled::new(&self.scenario);
        self.enabled_zones = self.scenario.enabled_zones().into_iter().map(Arc::from).collect();
        let td = self.scenario.task_definition.clone();
        if !self.task_definitions.iter().any(|t| t.revision == td.revision) {
            self.task_definitions.push(td);
        }
        // Targets follow listener and zone changes at once; a shorter interval takes effect now.
        let ids: Vec<Tid> = self.targets.keys().copied().collect();
        for id in ids {
            if let Some(mut t) = self.targets.remove(&id) {
                self.apply_usage(&mut t);
                if let Some(tg) = self.scenario.target_groups.get(t.target_group) {
                    let interval_ms = tg.health_check.interval_seconds as u64 * 1000;
                    if t.next_check_at_ms != u64::MAX {
                        t.next_check_at_ms = t.next_check_at_ms.min(self.now_ms + interval_ms);
                    }
                }
                self.targets.insert(id, t);
            }
        }
    }

    fn record_change(&mut self, change: ChangeRecord) {
        if self.changes.len() >= MAX_CHANGES {
            self.changes.pop_front();
            self.changes_dropped += 1;
        }
        self.changes.push_back(change);
    }

    /// The setup changes made in this run, oldest first (at most [`MAX_CHANGES`]), and how many
    /// older ones were dropped.
    pub fn changes(&self) -> (impl DoubleEndedIterator<Item = &ChangeRecord>, u64) {
        (self.changes.iter(), self.changes_dropped)
    }

    /// The change that wrote this event log entry.
    pub fn change_of_event(&self, event_seq: u64) -> Option<&ChangeRecord> {
        self.changes.iter().rev().find(|c| c.event_seq == event_seq)
    }

    pub(crate) fn log(&mut self, source: EventSource, message: String) {
        self.log.push(self.now_ms, source, message);
    }

    /// Advance sim time by one tick.
    pub fn tick(&mut self) {
        self.sent_this_tick.clear();
        self.now_ms += TICK_MS;
        self.advance_tasks();
        self.run_health_checks();
        self.expire_draining();
        self.schedule();
        self.send_client_load();
        self.complete_requests();
        let (healthy, unhealthy) = self.host_counts();
        self.metrics.sample_hosts(self.now_ms, healthy, unhealthy);
    }

    /// Advance by `ms` of sim time (rounded up to whole ticks).
    pub fn run_for(&mut self, ms: u64) {
        for _ in 0..ms.div_ceil(TICK_MS) {
            self.tick();
        }
    }

    /// Tick until something is logged or a request completes, at most `max_ms` of sim time.
    /// Returns the sim time advanced.
    pub fn step_to_next_event(&mut self, max_ms: u64) -> u64 {
        let start = self.now_ms;
        let events = self.log.total();
        let done = self.requests_done;
        while self.now_ms - start < max_ms {
            self.tick();
            if self.log.total() != events || self.requests_done != done {
                break;
            }
        }
        self.now_ms - start
    }

    fn send_client_load(&mut self) {
        if self.is_warming_up {
            return;
        }
        // The rate in millionths of a request per second, times the tick, is carried from one
        // tick to the next, so a rate is kept to six decimals (validation refuses a positive
        // rate below 0.001) and nothing of it is lost between ticks.
        let micro_rps = (self.scenario.client.requests_per_second * 1e6).round().clamp(0.0, 1e12) as u64;
        self.client_carry += micro_rps * TICK_MS;
        while self.client_carry >= CLIENT_REQUEST_UNITS {
            self.client_carry -= CLIENT_REQUEST_UNITS;
            if self.in_flight.len() >= MAX_IN_FLIGHT {
                self.client_skipped += 1;
                continue;
            }
            self.send_request();
        }
    }

    /// HealthyHostCount and UnHealthyHostCount of the target groups the listeners use.
    pub fn host_counts(&self) -> (u16, u16) {
        let mut healthy = 0u16;
        let mut unhealthy = 0u16;
        for t in self.targets.values() {
            match t.state {
                TargetState::Healthy => healthy += 1,
                TargetState::Unhealthy => unhealthy += 1,
                _ => {}
            }
        }
        (healthy, unhealthy)
    }

    // ---- read access for the page, the CLI and tests ----

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
    /// The scenario this run began with (a reset starts from it; a link to a moment replays it).
    pub fn initial_scenario(&self) -> &ValidScenario {
        &self.initial
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.values()
    }
    pub fn task(&self, seq: u32) -> Option<&Task> {
        self.tasks.get(&seq)
    }
    pub fn stopped_tasks(&self) -> impl Iterator<Item = &StoppedTask> {
        self.stopped_tasks.iter()
    }
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.values()
    }
    pub fn target(&self, id: Tid) -> Option<&Target> {
        self.targets.get(&id)
    }
    pub fn service_runtime(&self) -> &ServiceRuntime {
        &self.service
    }
    pub fn alb_nodes(&self) -> &[AlbNode] {
        &self.alb_nodes
    }
    pub fn events(&self) -> &EventLog {
        &self.log
    }
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    /// Where requests, curls and health checks ended, per sim second (the diagram's flows).
    pub fn flows(&self) -> &flows::FlowLog {
        &self.flows
    }
    /// Finished requests, oldest first (bounded).
    pub fn recent_requests(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.recent.iter()
    }
    /// Requests still on their way, by completion time.
    pub fn in_flight_requests(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.in_flight.values()
    }
    /// When this target turns unhealthy if its checks time out from now on, counting the checks
    /// already sent (their results were decided when they went out): the clock the diagnosis and
    /// the Why? panel show.
    pub fn target_unhealthy_by_ms(&self, id: Tid) -> Option<u64> {
        let t = self.targets.get(&id)?;
        let hc = &self.scenario.target_groups.get(t.target_group)?.health_check;
        let in_flight = self.pending_checks.iter().filter(|((_, tid), _)| *tid == id).map(|((done, _), p)| (*done, &p.result));
        t.unhealthy_by_ms(hc.interval_seconds, hc.timeout_seconds, hc.unhealthy_threshold_count, in_flight)
    }

    pub fn pending_checks(&self) -> impl Iterator<Item = &PendingCheck> {
        self.pending_checks.values()
    }
    /// A request by id, finished or in flight.
    pub fn request(&self, id: u64) -> Option<&RequestRecord> {
        self.recent.iter().rev().find(|r| r.id == id).or_else(|| self.in_flight.values().find(|r| r.id == id))
    }
    pub fn requests_sent(&self) -> u64 {
        self.requests_sent
    }
    pub fn requests_done(&self) -> u64 {
        self.requests_done
    }
    pub fn client_skipped(&self) -> u64 {
        self.client_skipped
    }
    pub fn task_definition(&self, revision: u32) -> Option<&scenario::TaskDefinition> {
        self.task_definitions.iter().find(|t| t.revision == revision)
    }
    /// The revisions the run still needs: the current one and those of live deployments.
    pub fn task_definitions(&self) -> &[scenario::TaskDefinition] {
        &self.task_definitions
    }

    /// The target of a task, if it has one.
    pub fn target_of_task(&self, seq: u32) -> Option<&Target> {
        self.tasks.get(&seq).and_then(|t| t.target).and_then(|id| self.targets.get(&id))
    }

    /// Check the invariants that must hold after every tick. Returns the first broken one.
    pub fn check_invariants(&self) -> Result<(), String> {
        // Every request ends in exactly one outcome: sent = done + in flight, ids unique.
        if self.requests_sent != self.requests_done + self.in_flight.len() as u64 {
            return Err(format!("requests: {} sent, {} done, {} in flight", self.requests_sent, self.requests_done, self.in_flight.len()));
        }
        for (key, r) in &self.in_flight {
            if key.1 != r.id || key.0 != r.done_at_ms || r.done_at_ms < self.now_ms.saturating_sub(TICK_MS) {
                return Err(format!("in-flight request {} is filed wrongly", r.id));
            }
        }
        // Bounds.
        if self.recent.len() > MAX_RECENT_REQUESTS || self.log.len() > events::MAX_EVENTS || self.in_flight.len() > MAX_IN_FLIGHT {
            return Err("a bounded buffer grew past its limit".into());
        }
        // Targets: one per task, unique endpoints among live targets of a group.
        let mut seen: BTreeMap<(usize, String), Tid> = BTreeMap::new();
        for t in self.targets.values() {
            if t.state != TargetState::Draining {
                if let Some(other) = seen.insert((t.target_group, t.endpoint.to_string()), t.id) {
                    return Err(format!("targets {:?} and {:?} share {}", other, t.id, t.endpoint));
                }
            }
            if t.state == TargetState::Healthy && t.reason.is_some() {
                return Err(format!("healthy target {} has a reason code", t.endpoint));
            }
            if t.state != TargetState::Healthy && t.reason.is_none() {
                return Err(format!("target {} is {} without a reason code", t.endpoint, t.state));
            }
        }
        // maximumPercent limits what ECS starts: a task is launched only while the service's
        // active tasks stay within the cap. ECS does not stop tasks it already started when the
        // cap (or the desired count) drops mid-deployment; they leave as the deployment goes on
        // (docs/model.md §ECS scheduler). So the rule is checked on the ticks that launch a task.
        if let Some(svc) = &self.scenario.service {
            let launched = self.tasks.values().any(|t| t.created_at_ms == self.now_ms);
            let cap = svc.deployment_configuration.cap(svc.desired_count) as usize;
            let active = self.tasks.values().filter(|t| t.is_active()).count();
            if launched && active > cap {
                return Err(format!("a task was started while {active} active tasks exceed the cap of {cap}"));
            }
        }
        // Requests sent in the last tick: routing and security groups, re-checked independently
        // against the setup each was decided under.
        for sent in &self.sent_this_tick {
            let Some(r) = self.request(sent.id) else { continue };
            check_request(self, r, sent)?;
        }
        Ok(())
    }

    /// What the client sees and why: root causes with their fixes.
    pub fn diagnose(&self) -> Diagnosis {
        diagnosis::diagnose(self)
    }
}

/// Does a network ACL (`None`: the default, which allows all) allow every port of `from..=to`
/// to or from `peer`? Read from the scenario's entries on their own: the lowest-numbered entry
/// that matches decides, none matching denies; between the edges of the entries' port ranges the
/// answer cannot change, so the edges are the ports checked.
fn acl_allows(acl: Option<&scenario::NetworkAcl>, outbound: bool, peer: Ipv4, from: u16, to: u16) -> bool {
    let Some(acl) = acl else { return true };
    let entries = if outbound { &acl.outbound } else { &acl.inbound };
    let decides = |port: u16| {
        let mut best: Option<&scenario::NetworkAclEntry> = None;
        for e in entries {
            let covers = e.protocol == "all" || (e.from_port <= port && port <= e.to_port);
            if covers && Cidr::parse(&e.cidr).is_some_and(|c| c.contains(peer)) && best.is_none_or(|b| e.rule_number < b.rule_number) {
                best = Some(e);
            }
        }
        best.is_some_and(|e| e.action == scenario::NaclAction::Allow)
    };
    let mut ports = vec![from, to];
    for e in entries {
        ports.extend([e.from_port, e.to_port, e.to_port.saturating_add(1)].into_iter().filter(|p| (from..=to).contains(p)));
    }
    ports.into_iter().all(decides)
}

/// One request re-checked against the setup it was decided under, by a reading of the rules
/// that does not share code with the data plane.
fn check_request(sim: &Sim, r: &RequestRecord, sent: &SentUnder) -> Result<(), String> {
    let setup = &*sent.scenario;
    if r.kind != trace::TraceKind::Request {
        return Ok(());
    }
    // Nothing reaches a draining (or unused) target.
    if matches!(r.target_state, Some(TargetState::Draining | TargetState::Unused)) {
        return Err(format!("request {} was routed to a {:?} target", r.id, r.target_state));
    }
    // While a healthy target exists in the group, requests only go to healthy targets
    // (unless the fail-open threshold is above the healthy count).
    if let (Some(state), Some(tid)) = (r.target_state, r.target) {
        if let Some((t, tg)) = sim.targets.get(&tid).and_then(|t| Some((t, setup.target_groups.get(t.target_group)?))) {
            let healthy = sim.targets.values().filter(|o| o.target_group == t.target_group && o.state == TargetState::Healthy).count();
            let threshold = tg.unhealthy_state_routing_minimum_healthy_targets_count as usize;
            if state != TargetState::Healthy && healthy >= threshold && !r.is_fail_open {
                return Err(format!("request {} went to a {state} target while {healthy} were healthy", r.id));
            }
        }
    }
    // No request crosses a security group that denies it: if it reached the app, both
    // security groups must admit it by an independent reading of the rules.
    let reached_app = r.trace.hops.iter().any(|h| h.hop == Hop::App);
    if reached_app {
        let port = setup.client.port;
        let client = Ipv4::parse(&setup.client.ip).unwrap_or(Ipv4(0));
        let alb_ok = setup.load_balancer.security_groups.iter().any(|g| {
            setup.find_security_group(g).is_some_and(|g| {
                g.ingress.iter().any(|rule| {
                    (rule.from_port..=rule.to_port).contains(&port) && Cidr::parse(&rule.source).is_some_and(|c| c.contains(client))
                })
            })
        });
        if !alb_ok {
            return Err(format!("request {} reached the app through an ALB security group that denies it", r.id));
        }
        let client_in = sent.alb_nodes.iter().all(|n| {
            let acl = setup.network_acl_of(&n.subnet);
            acl_allows(acl, false, client, port, port) && acl_allows(acl, true, client, 1024, 65535)
        });
        if !client_in {
            return Err(format!("request {} reached the app through a load balancer subnet's network ACL that drops the client", r.id));
        }
        if let Some(task) = r.task.and_then(|s| sim.tasks.get(&s)) {
            if let Some(target) = r.target.and_then(|t| sim.targets.get(&t)) {
                let groups: Vec<String> = match task.network_mode {
                    scenario::NetworkMode::Awsvpc => task.security_groups.iter().map(|g| g.to_string()).collect(),
                    scenario::NetworkMode::Bridge => setup
                        .container_instances
                        .iter()
                        .find(|c| task.instance.as_deref() == Some(c.id.as_str()))
                        .map(|c| c.security_groups.clone())
                        .unwrap_or_default(),
                };
                let port = target.endpoint.port;
                let alb_groups = &setup.load_balancer.security_groups;
                let task_ok = groups.iter().filter_map(|g| setup.find_security_group(g)).any(|g| {
                    g.ingress.iter().any(|rule| {
                        (rule.from_port..=rule.to_port).contains(&port)
                            && (alb_groups.contains(&rule.source)
                                || Cidr::parse(&rule.source).is_some_and(|c| sent.alb_nodes.iter().any(|n| c.contains(n.ip))))
                    })
                });
                if !task_ok {
                    return Err(format!("request {} reached the app through a task security group that denies the ALB", r.id));
                }
                // And the ALB's own outbound rules let it out to the task.
                let egress_ok = alb_groups.iter().filter_map(|g| setup.find_security_group(g)).any(|g| {
                    g.egress.iter().any(|rule| {
                        (rule.from_port..=rule.to_port).contains(&port)
                            && (groups.contains(&rule.source) || Cidr::parse(&rule.source).is_some_and(|c| c.contains(target.endpoint.ip)))
                    })
                });
                if !egress_ok {
                    return Err(format!("request {} reached the app through ALB outbound rules that deny it", r.id));
                }
                // And the network ACLs: every node in another subnet sends its share, so for each,
                // its subnet's ACL lets the connection out and the reply in, and the task's subnet's
                // ACL lets the connection in and the reply out.
                for node in sent.alb_nodes.iter().filter(|n| n.subnet != task.subnet) {
                    let (task_acl, node_acl) = (setup.network_acl_of(&task.subnet), setup.network_acl_of(&node.subnet));
                    let ok = acl_allows(node_acl, true, task.private_ip, port, port)
                        && acl_allows(task_acl, false, node.ip, port, port)
                        && acl_allows(task_acl, true, node.ip, 1024, 65535)
                        && acl_allows(node_acl, false, task.private_ip, 1024, 65535);
                    if !ok {
                        return Err(format!("request {} reached the app through a network ACL that drops it or its replies", r.id));
                    }
                }
            }
        }
    }
    Ok(())
}
