//! The ECS side: tasks, their lifecycle, deployments, and the service scheduler.
//!
//! The scheduler follows ECS's documented rules (docs/model.md §ECS scheduler): it registers a
//! task's target when the task runs, replaces tasks whose target is `unhealthy` once the
//! health-check grace period is over, deregisters and drains a target before stopping its task,
//! and runs rolling deployments within `minimumHealthyPercent` (rounded up) and `maximumPercent`
//! (rounded down), counting a task as healthy only once its target is `healthy`. Events use
//! ECS's own message formats.
//!
//! Left out: the deployment circuit breaker, blue/green (CODE_DEPLOY) deployments, task sets,
//! capacity providers and placement strategies beyond spreading over subnets or instances,
//! container health checks, service auto scaling.

use super::command::CommandError;
use super::events::EventSource;
use super::health::{Reason, Target, TargetId, TargetState, REGISTRATION_MS};
use super::net::{Cidr, Endpoint, Ipv4};
use super::scenario::{target_group_arn, App, EcsRefusal, NetworkConfiguration, NetworkMode, PortMapping, ServiceLoadBalancer, Subnet};
pub use super::state::TaskState;
use super::Sim;
use std::sync::Arc;

/// The host ports ECS gives a bridge task's dynamic mapping: the ECS-optimized AMI's ephemeral
/// range (`net.ipv4.ip_local_port_range`). The diagnosis asks about these ports too.
pub(crate) const DYNAMIC_HOST_PORTS: std::ops::RangeInclusive<u16> = 32768..=61000;

/// Lifecycle timings. AWS documents the states, not their lengths; these are typical Fargate
/// figures (docs/model.md §Timings).
pub const PROVISIONING_MS: u64 = 5_000;
pub const PENDING_MS: u64 = 10_000;
pub const ACTIVATING_MS: u64 = 1_000;
/// The app exits promptly on SIGTERM; ECS would SIGKILL after stopTimeout (30 s).
pub const STOPPING_MS: u64 = 2_000;
pub const DEPROVISIONING_MS: u64 = 5_000;
/// `stopTimeout`: how long ECS waits after SIGTERM before it sends SIGKILL (the default, 30 s).
/// A hung app never exits on SIGTERM, so it is killed: exit code 137 (128 + SIGKILL).
pub const STOP_TIMEOUT_MS: u64 = 30_000;
/// How far back the stop-reason counts look.
pub const STOP_COUNT_WINDOW_MS: u64 = 600_000;
/// A stopped task stays on the diagram this long before it moves to the stopped-task list.
pub const STOPPED_VISIBLE_MS: u64 = 30_000;
pub const MAX_STOPPED_TASKS: usize = 20;

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub seq: u32,
    /// 32 hex digits, as ECS task ids are.
    pub id: Arc<str>,
    pub deployment: u32,
    pub revision: u32,
    pub state: TaskState,
    pub state_since_ms: u64,
    pub created_at_ms: u64,
    /// The scheduler has decided to stop this task.
    pub is_stop_requested: bool,
    pub stopped_reason: Option<String>,
    /// ECS's `stopCode`, once a stop is decided.
    pub stop_code: Option<StopCode>,
    /// The essential container's exit code once it has exited: 1 for a crash, 0 for a clean
    /// exit on SIGTERM, 137 when SIGKILL ended it after the stop timeout.
    pub exit_code: Option<i32>,
    /// The app is alive but answers nothing (made to hang from the task's settings).
    pub is_hung: bool,
    pub running_since_ms: Option<u64>,
    pub app_ready_at_ms: Option<u64>,
    pub has_crashed: bool,
    /// When the scheduler saw this task's target unhealthy (after the grace period) and began
    /// replacing it; `None` while it is not being replaced.
    pub unhealthy_since_ms: Option<u64>,
    pub network_mode: NetworkMode,
    pub private_ip: Ipv4,
    pub public_ip: Option<Ipv4>,
    pub subnet: Arc<str>,
    pub availability_zone: Arc<str>,
    /// bridge: the container instance it runs on.
    pub instance: Option<Arc<str>>,
    /// bridge: the host port Docker bound for the load-balanced container port.
    pub host_port: Option<u16>,
    /// awsvpc: the ENI's security groups, fixed at launch.
    pub security_groups: Vec<Arc<str>>,
    pub port_mappings: Vec<PortMapping>,
    pub app: App,
    pub load_balancer: Option<ServiceLoadBalancer>,
    pub target: Option<TargetId>,
}

impl Task {
    /// Is the process up and accepting connections (on its listen port)?
    pub fn is_app_serving(&self, now_ms: u64) -> bool {
        matches!(self.state, TaskState::Running | TaskState::Deactivating)
            && !self.has_crashed
            && self.app_ready_at_ms.is_some_and(|t| now_ms >= t)
    }

    /// Counts toward the desired count and maximumPercent (RUNNING or PENDING in ECS's terms).
    pub fn is_active(&self) -> bool {
        !self.is_stop_requested && self.state <= TaskState::Running
    }

    /// The port the task's target is registered on.
    pub fn registered_port(&self) -> Option<u16> {
        let lb = self.load_balancer.as_ref()?;
        match self.network_mode {
            NetworkMode::Awsvpc => Some(lb.container_port),
            NetworkMode::Bridge => self.host_port,
        }
    }

    /// The essential container exits with an error (exit code 1): ECS stops the task.
    pub fn crash(&mut self) {
        if !self.has_crashed {
            self.has_crashed = true;
            // The process is gone: nothing is left to hang, or to wait out the stop timeout.
            self.is_hung = false;
            self.exit_code.get_or_insert(1);
        }
    }

    /// Short id for the diagram: the first 8 hex digits.
    pub fn short_id(&self) -> &str {
        &self.id[..8.min(self.id.len())]
    }
}

/// A stopped task, kept for the stopped-task list with ECS's `stopCode` and `stoppedReason`.
#[derive(Clone, Debug, PartialEq)]
pub struct StoppedTask {
    /// The task's sequence number, so a selection of it still finds it here.
    pub seq: u32,
    pub id: Arc<str>,
    pub revision: u32,
    pub private_ip: Ipv4,
    pub stopped_at_ms: u64,
    pub stop_code: StopCode,
    pub stopped_reason: String,
    pub exit_code: Option<i32>,
}

/// `Task.stopCode`: why ECS stopped a task. The lab's tasks stop for two of AWS's codes; the
/// others (`TaskFailedToStart`, `UserInitiated`, `SpotInterruption`, `TerminationNotice`) stand
/// for causes the lab does not model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StopCode {
    /// The essential container exited on its own (a crash).
    EssentialContainerExited,
    /// The service scheduler stopped it: failed ELB health checks, scale-in, a deployment.
    ServiceSchedulerInitiated,
}

impl StopCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::ServiceSchedulerInitiated => "ServiceSchedulerInitiated",
        }
    }
}

/// Why tasks stopped, grouped as a learner asks it: for failed ELB health checks, because their
/// container exited, or for the scheduler's other reasons (scale-in, deployments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StopKind {
    FailedElbHealthChecks,
    ContainerExited,
    Scheduler,
}

impl StopKind {
    fn of(code: StopCode, reason: &str) -> StopKind {
        match code {
            StopCode::EssentialContainerExited => StopKind::ContainerExited,
            StopCode::ServiceSchedulerInitiated if reason.starts_with("Task failed ELB health checks") => StopKind::FailedElbHealthChecks,
            StopCode::ServiceSchedulerInitiated => StopKind::Scheduler,
        }
    }

    /// "12 tasks stopped for failed ELB health checks in the last 10 minutes".
    pub fn in_words(self, count: usize) -> String {
        let tasks = if count == 1 { "task" } else { "tasks" };
        let why = match self {
            StopKind::FailedElbHealthChecks => "for failed ELB health checks",
            StopKind::ContainerExited => "because their essential container exited",
            StopKind::Scheduler => "by the scheduler (scale-in or deployment)",
        };
        format!("{count} {tasks} stopped {why} in the last {} minutes", STOP_COUNT_WINDOW_MS / 60_000)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolloutState {
    InProgress,
    Completed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    pub seq: u32,
    /// `ecs-svc/` and 19 digits, as ECS shows it.
    pub id: Arc<str>,
    pub revision: u32,
    pub load_balancer: Option<ServiceLoadBalancer>,
    pub network: Option<NetworkConfiguration>,
    pub rollout_state: RolloutState,
    pub created_at_ms: u64,
    pub has_reported_stuck: bool,
}

/// The service's run-time state: whether ECS accepted it, its deployments, steady state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceRuntime {
    pub is_created: bool,
    /// ECS's refusal while the service could not be created.
    pub create_error: Option<EcsRefusal>,
    /// Oldest first; the last one is PRIMARY.
    pub deployments: Vec<Deployment>,
    pub is_steady: bool,
    pub next_deployment_seq: u32,
    pub placement_failure_reported: bool,
}

/// When the service's health-check grace period ends for a task: ECS ignores its target's
/// health until then, counted from the moment the task is RUNNING. `None` before it runs.
fn grace_ends_at(task: &Task, grace_ms: u64) -> Option<u64> {
    task.running_since_ms.map(|t| t.saturating_add(grace_ms))
}

impl Sim {
    /// When ECS starts acting on this task's target health: the end of the service's
    /// health-check grace period, while it is still ahead (the Why? panel's clock).
    pub fn grace_period_ends_at_ms(&self, task_seq: u32) -> Option<u64> {
        let grace_ms = self.scenario.service.as_ref()?.health_check_grace_period_seconds as u64 * 1000;
        let task = self.tasks.get(&task_seq)?;
        grace_ends_at(task, grace_ms).filter(|end| grace_ms > 0 && *end > self.now_ms)
    }

    pub(crate) fn service_name(&self) -> String {
        self.scenario.service.as_ref().map(|s| s.name.clone()).unwrap_or_default()
    }

    pub(crate) fn start_deployment(&mut self) {
        let Some(svc) = self.scenario.service.clone() else {
            return;
        };
        let seq = self.service.next_deployment_seq;
        self.service.next_deployment_seq += 1;
        let digits: String = (0..19).map(|_| char::from(b'0' + (self.rng.next_u64() % 10) as u8)).collect();
        self.service.deployments.push(Deployment {
            seq,
            id: format!("ecs-svc/{digits}").into(),
            revision: self.scenario.task_definition.revision,
            load_balancer: svc.load_balancer.clone(),
            network: svc.network_configuration.clone(),
            rollout_state: RolloutState::InProgress,
            created_at_ms: self.now_ms,
            has_reported_stuck: false,
        });
        self.service.is_steady = false;
        // Earlier deployments that were still rolling out are now ACTIVE, not PRIMARY.
        let n = self.service.deployments.len();
        for d in &mut self.service.deployments[..n - 1] {
            d.rollout_state = RolloutState::Completed;
        }
    }

    /// Try to create the service (CreateService). ECS's refusal is logged and kept, not fatal.
    pub(crate) fn create_service(&mut self) -> Result<(), CommandError> {
        if self.scenario.service.is_none() {
            return Err(CommandError::api("ServiceNotFoundException", "there is no service to create in this scenario."));
        }
        if self.service.is_created {
            return Err(CommandError::api("InvalidParameterException", "Creation of service was not idempotent."));
        }
        if let Some(refusal) = self.scenario.ecs_service_error() {
            self.service.create_error = Some(refusal.clone());
            self.log(EventSource::EcsService, refusal.to_string());
            return Err(CommandError::Ecs(refusal));
        }
        self.service.create_error = None;
        self.service.is_created = true;
        self.start_deployment();
        Ok(())
    }

    /// Advance every task's lifecycle by the clock.
    pub(crate) fn advance_tasks(&mut self) {
        let now = self.now_ms;
        let seqs: Vec<u32> = self.tasks.keys().copied().collect();
        for seq in seqs {
            let Some(task) = self.tasks.get(&seq) else {
                continue;
            };
            let since = now.saturating_sub(task.state_since_ms);
            let next = match task.state {
                TaskState::Provisioning if task.is_stop_requested => Some(TaskState::Deprovisioning),
                TaskState::Pending if task.is_stop_requested => Some(TaskState::Deprovisioning),
                TaskState::Activating if task.is_stop_requested => Some(TaskState::Stopping),
                TaskState::Provisioning if since >= PROVISIONING_MS => Some(TaskState::Pending),
                TaskState::Pending if since >= PENDING_MS => {
                    Some(if task.load_balancer.is_some() { TaskState::Activating } else { TaskState::Running })
                }
                TaskState::Activating if since >= ACTIVATING_MS => Some(TaskState::Running),
                TaskState::Running if task.is_stop_requested => Some(TaskState::Deactivating),
                // ECS waits for the target to finish draining before it stops the task.
                TaskState::Deactivating => {
                    let drained = task.target.is_none_or(|t| !self.targets.contains_key(&t));
                    drained.then_some(TaskState::Stopping)
                }
                // A hung app ignores SIGTERM: SIGKILL comes after the stop timeout.
                TaskState::Stopping if since >= if task.is_hung { STOP_TIMEOUT_MS } else { STOPPING_MS } => Some(TaskState::Deprovisioning),
                TaskState::Deprovisioning if since >= DEPROVISIONING_MS => Some(TaskState::Stopped),
                _ => None,
            };
            if let Some(state) = next {
                self.set_task_state(seq, state);
            }
        }
        // Stopped tasks leave the diagram after a while and go to the bounded stopped list.
        let gone: Vec<u32> = self
            .tasks
            .values()
            .filter(|t| t.state == TaskState::Stopped && now.saturating_sub(t.state_since_ms) >= STOPPED_VISIBLE_MS)
            .map(|t| t.seq)
            .collect();
        for seq in gone {
            if let Some(t) = self.tasks.remove(&seq) {
                self.stopped_tasks.push_front(StoppedTask {
                    seq: t.seq,
                    id: t.id.clone(),
                    revision: t.revision,
                    private_ip: t.private_ip,
                    stopped_at_ms: t.state_since_ms,
                    stop_code: t.stop_code.unwrap_or(StopCode::ServiceSchedulerInitiated),
                    stopped_reason: t.stopped_reason.clone().unwrap_or_else(|| "Task stopped".into()),
                    exit_code: t.exit_code,
                });
                self.stopped_tasks.truncate(MAX_STOPPED_TASKS);
            }
        }
    }

    fn set_task_state(&mut self, seq: u32, state: TaskState) {
        let now = self.now_ms;
        let Some(task) = self.tasks.get_mut(&seq) else {
            return;
        };
        task.state = state;
        task.state_since_ms = now;
        match state {
            TaskState::Running => {
                task.running_since_ms = Some(now);
                task.app_ready_at_ms = Some(now + task.app.startup_seconds as u64 * 1000);
                if task.load_balancer.is_some() {
                    self.register_target(seq);
                }
            }
            TaskState::Deactivating if task.target.is_some() => self.deregister_target(seq),
            // The container has exited by now: cleanly on SIGTERM, or killed after the timeout.
            TaskState::Deprovisioning if task.running_since_ms.is_some() => {
                let killed = task.is_hung;
                task.exit_code.get_or_insert(if killed { 137 } else { 0 });
            }
            _ => {}
        }
    }

    /// RegisterTargets, as the ECS service does for a task that started running.
    fn register_target(&mut self, seq: u32) {
        let Some(task) = self.tasks.get(&seq) else {
            return;
        };
        let Some(lb) = task.load_balancer.clone() else {
            return;
        };
        let Some(tg_index) = self.scenario.target_group_index(&lb.target_group) else {
            return;
        };
        let Some(port) = task.registered_port() else {
            return;
        };
        let tg = &self.scenario.target_groups[tg_index];
        let arn = target_group_arn(tg);
        let endpoint = Endpoint { ip: task.private_ip, port, instance_id: task.instance.clone() };
        let zone = task.availability_zone.clone();
        let id = TargetId(self.next_target_id);
        self.next_target_id += 1;
        let mut target = Target {
            id,
            target_group: tg_index,
            target_group_name: tg.name.as_str().into(),
            task: seq,
            endpoint: endpoint.clone(),
            availability_zone: zone,
            state: TargetState::Initial,
            reason: Some(Reason::RegistrationInProgress),
            registered_at_ms: self.now_ms,
            consecutive_passes: 0,
            consecutive_failures: 0,
            next_check_at_ms: self.now_ms + REGISTRATION_MS,
            draining_until_ms: None,
            last_check: None,
            in_flight: 0,
        };
        self.apply_usage(&mut target);
        self.targets.insert(id, target);
        if let Some(task) = self.tasks.get_mut(&seq) {
            task.target = Some(id);
        }
        let svc = self.service_name();
        self.log(EventSource::EcsService, format!("(service {svc}) registered 1 targets in (target-group {arn})"));
        let tg_name = self.scenario.target_groups[tg_index].name.clone();
        // The state it really starts in: initial, or unused when the load balancer cannot route
        // to it (its zone is not enabled, or no listener uses the group).
        let (state, reason) = self
            .targets
            .get(&id)
            .map(|t| (t.state, t.reason.as_ref().map(|r| format!(" ({}: {})", r.code(), r.description())).unwrap_or_default()))
            .unwrap_or((TargetState::Initial, String::new()));
        self.log(EventSource::TargetHealth, format!("(target-group {tg_name}) target {endpoint} registered: {state}{reason}"));
    }

    /// DeregisterTargets: the target drains for the deregistration delay.
    fn deregister_target(&mut self, seq: u32) {
        let Some(tid) = self.tasks.get(&seq).and_then(|t| t.target) else {
            return;
        };
        let now = self.now_ms;
        let Some(target) = self.targets.get_mut(&tid) else {
            return;
        };
        if target.state == TargetState::Draining {
            return;
        }
        let tg = &self.scenario.target_groups[target.target_group.min(self.scenario.target_groups.len() - 1)];
        let delay_ms = tg.deregistration_delay_seconds as u64 * 1000;
        let arn = target_group_arn(tg);
        let change = target.start_draining(now, delay_ms);
        let endpoint = target.endpoint.clone();
        let tg_name = tg.name.clone();
        let svc = self.service_name();
        self.log(EventSource::EcsService, format!("(service {svc}) has begun draining connections on 1 tasks."));
        self.log(EventSource::EcsService, format!("(service {svc}) deregistered 1 targets in (target-group {arn})"));
        self.log(
            EventSource::TargetHealth,
            format!("(target-group {tg_name}) target {endpoint}: {} → draining (Target.DeregistrationInProgress)", change.from),
        );
    }

    /// Marks a target `unused` when its target group has no listener or its zone is not enabled.
    pub(crate) fn apply_usage(&self, target: &mut Target) {
        if matches!(target.state, TargetState::Draining) {
            return;
        }
        let tg = &self.scenario.target_groups[target.target_group.min(self.scenario.target_groups.len() - 1)];
        let unused_reason = if !self.scenario.is_target_group_in_use(&tg.name) {
            Some(Reason::NotInUseNoListener)
        } else if !self.enabled_zones.iter().any(|z| **z == *target.availability_zone) {
            Some(Reason::NotInUseZone)
        } else {
            None
        };
        match (unused_reason, target.state) {
            (Some(reason), _) => {
                target.state = TargetState::Unused;
                target.reason = Some(reason);
                target.next_check_at_ms = u64::MAX;
            }
            (None, TargetState::Unused) => {
                // In use again: health checking starts over, as for a new registration.
                target.state = TargetState::Initial;
                target.reason = Some(Reason::RegistrationInProgress);
                target.consecutive_passes = 0;
                target.consecutive_failures = 0;
                target.next_check_at_ms = self.now_ms + REGISTRATION_MS;
            }
            _ => {}
        }
    }

    /// Draining targets whose delay ran out leave the target group.
    pub(crate) fn expire_draining(&mut self) {
        let now = self.now_ms;
        let done: Vec<(TargetId, u64)> =
            self.targets.values().filter_map(|t| t.draining_until_ms.filter(|until| now >= *until).map(|until| (t.id, until))).collect();
        for (id, until) in done {
            self.end_in_flight_at_deregistration(id, until);
            if let Some(t) = self.targets.remove(&id) {
                self.log(
                    EventSource::TargetHealth,
                    format!(
                        "(target-group {}) target {}: draining → unused (Target.NotRegistered), removed",
                        t.target_group_name, t.endpoint
                    ),
                );
            }
        }
    }

    /// Is the task healthy in ECS's eyes (counts toward minimumHealthyPercent)?
    pub fn is_ecs_healthy(&self, task: &Task) -> bool {
        if task.state != TaskState::Running || task.is_stop_requested || task.has_crashed {
            return false;
        }
        match task.load_balancer {
            None => true,
            Some(_) => task.target.and_then(|t| self.targets.get(&t)).is_some_and(|t| t.state == TargetState::Healthy),
        }
    }

    pub(crate) fn request_stop(&mut self, seq: u32, code: StopCode, reason: String) {
        let now = self.now_ms;
        if let Some(task) = self.tasks.get_mut(&seq) {
            if !task.is_stop_requested {
                task.is_stop_requested = true;
                task.stop_code = Some(code);
                let kind = StopKind::of(code, &reason);
                task.stopped_reason = Some(reason);
                // Bounded by time: older stops drop out of the window.
                while self.recent_stops.front().is_some_and(|(at, _)| now.saturating_sub(*at) > STOP_COUNT_WINDOW_MS) {
                    self.recent_stops.pop_front();
                }
                self.recent_stops.push_back((now, kind));
            }
        }
    }

    /// How many tasks ECS decided to stop in the last 10 minutes, by why.
    pub fn stop_counts(&self) -> Vec<(StopKind, usize)> {
        let now = self.now_ms;
        let mut counts: Vec<(StopKind, usize)> = Vec::new();
        for (_, kind) in self.recent_stops.iter().filter(|(at, _)| now.saturating_sub(*at) <= STOP_COUNT_WINDOW_MS) {
            match counts.iter_mut().find(|(k, _)| k == kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((*kind, 1)),
            }
        }
        counts.sort();
        counts
    }

    /// The service scheduler: replace unhealthy tasks, keep the desired count, roll deployments.
    pub(crate) fn schedule(&mut self) {
        // Only the few numbers the scheduler reads are copied out each tick, never the service
        // with its lists (a long subnet list made every tick slow).
        let Some(svc) = self.scenario.service.as_ref() else {
            return;
        };
        let name = svc.name.clone();
        let grace_ms = svc.health_check_grace_period_seconds as u64 * 1000;
        let desired_count = svc.desired_count;
        let dc = svc.deployment_configuration;
        if !self.service.is_created || self.service.deployments.is_empty() {
            return;
        }
        let now = self.now_ms;

        // 1. Crashed essential containers: the task stops at once.
        let crashed: Vec<u32> = self.tasks.values().filter(|t| t.has_crashed && !t.is_stop_requested).map(|t| t.seq).collect();
        for seq in crashed {
            self.request_stop(seq, StopCode::EssentialContainerExited, "Essential container in task exited".into());
        }

        // 2. Tasks whose target is unhealthy, once the grace period is over. ECS reports each one
        //    and replaces it: it starts the replacement first when maximumPercent leaves room, and
        //    stops the unhealthy task once the replacement is healthy (or unhealthy too), or to make
        //    room (docs/model.md §ECS scheduler). Until then the target stays registered, so the
        //    ALB can fail open to it.
        let mut newly_unhealthy = Vec::new();
        let mut recovered = Vec::new();
        for task in self.tasks.values() {
            if task.state != TaskState::Running || task.is_stop_requested {
                continue;
            }
            let target = task.target.and_then(|t| self.targets.get(&t));
            let in_grace = grace_ends_at(task, grace_ms).is_some_and(|end| now < end);
            // A target the load balancer cannot use because its zone is not enabled never passes
            // a health check: ECS treats it as failing them and replaces the task
            // (docs/model.md §Availability Zones).
            let failing = |t: &&Target| {
                t.state == TargetState::Unhealthy || (t.state == TargetState::Unused && t.reason == Some(Reason::NotInUseZone))
            };
            match target.filter(|t| failing(t) && !in_grace) {
                Some(target) if task.unhealthy_since_ms.is_none() => {
                    let tg = &self.scenario.target_groups[target.target_group.min(self.scenario.target_groups.len() - 1)];
                    let reason = target.reason.as_ref().map(|r| r.description()).unwrap_or_else(|| "Health checks failed".into());
                    newly_unhealthy.push((task.seq, task.id.clone(), target.endpoint.port, target_group_arn(tg), reason));
                }
                None if task.unhealthy_since_ms.is_some() => recovered.push(task.seq),
                _ => {}
            }
        }
        for (seq, id, port, arn, reason) in newly_unhealthy {
            self.log(
                EventSource::EcsService,
                format!("(service {name}) (task {id}) (port {port}) is unhealthy in (target-group {arn}) due to (reason {reason})."),
            );
            if let Some(t) = self.tasks.get_mut(&seq) {
                t.unhealthy_since_ms = Some(now);
            }
        }
        for seq in recovered {
            if let Some(t) = self.tasks.get_mut(&seq) {
                t.unhealthy_since_ms = None;
            }
        }

        // 3. Deployments: start up to the cap, stop old tasks down to the floor.
        let desired = desired_count as usize;
        let cap = dc.cap(desired_count) as usize;
        let floor = dc.floor(desired_count) as usize;
        let Some((primary_seq, primary_id)) = self.service.deployments.last().map(|d| (d.seq, d.id.clone())) else {
            return;
        };
        // (seq, deployment, healthy in ECS's eyes, being replaced because its target is unhealthy)
        let active: Vec<(u32, u32, bool, bool)> = self
            .tasks
            .values()
            .filter(|t| t.is_active())
            .map(|t| (t.seq, t.deployment, self.is_ecs_healthy(t), t.unhealthy_since_ms.is_some()))
            .collect();
        let mut n_total = active.len();
        let primary_tasks: Vec<&(u32, u32, bool, bool)> = active.iter().filter(|a| a.1 == primary_seq).collect();
        // Oldest first (task sequence numbers only grow).
        let mut replacing: Vec<u32> = primary_tasks.iter().filter(|a| a.3).map(|a| a.0).collect();
        let keeping: Vec<(bool, u32)> = primary_tasks.iter().filter(|a| !a.3).map(|a| (a.2, a.0)).collect();
        let mut n_new = keeping.len();
        let mut n_new_healthy = keeping.iter().filter(|k| k.0).count();

        // Scale in: extra primary tasks stop, unhealthy ones first.
        if n_new > desired {
            let mut extra = keeping.clone();
            extra.sort_by_key(|&(healthy, seq)| (healthy, std::cmp::Reverse(seq)));
            let stop: Vec<u32> = extra.iter().take(n_new - desired).map(|e| e.1).collect();
            n_total -= stop.len();
            n_new = desired;
            n_new_healthy = n_new_healthy.min(desired);
            let reason = format!("Scaling activity initiated by (deployment {primary_id})");
            self.stop_tasks(&name, stop, &reason);
        }

        // Unhealthy tasks whose replacement has settled (healthy, or unhealthy as well) stop,
        // oldest first, until the count is back at the desired count.
        let mut stop_unhealthy = Vec::new();
        while !replacing.is_empty() && n_new_healthy + replacing.len() > desired {
            stop_unhealthy.push(replacing.remove(0));
        }

        let mut started = Vec::new();
        n_total -= stop_unhealthy.len();
        while n_new < desired && n_total < cap {
            match self.launch_task(primary_seq) {
                Some(id) => started.push(id),
                None => break,
            }
            n_new += 1;
            n_total += 1;
        }
        if !started.is_empty() {
            let list: Vec<String> = started.iter().map(|id| format!("(task {id})")).collect();
            self.log(EventSource::EcsService, format!("(service {name}) has started {} tasks: {}.", started.len(), list.join(" ")));
        }
        // No room for a replacement: stop one unhealthy task to make room (it does not count as
        // healthy, so minimumHealthyPercent is kept); the replacement starts on the next pass.
        if n_new < desired && n_total >= cap && !replacing.is_empty() {
            stop_unhealthy.push(replacing.remove(0));
        }
        for seq in stop_unhealthy {
            let reason = self.elb_failure_reason(seq);
            self.stop_tasks(&name, vec![seq], &reason);
        }

        // Old deployments: stop tasks while the healthy count stays at or above the floor.
        let mut healthy_total = active.iter().filter(|a| a.2).count();
        let mut old: Vec<(bool, u32)> = active.iter().filter(|a| a.1 != primary_seq).map(|a| (a.2, a.0)).collect();
        old.sort();
        let mut stop = Vec::new();
        for (healthy, seq) in old.iter().copied() {
            if !healthy {
                stop.push(seq);
            } else if healthy_total > floor {
                healthy_total -= 1;
                stop.push(seq);
            }
        }
        let n_old_left = old.len() - stop.len();
        if !stop.is_empty() {
            self.stop_tasks(&name, stop, &format!("Deployment {primary_id}: replaced by a newer task"));
        }

        // Neither a start nor a stop is possible: ECS says so once.
        let can_start = n_new < desired && n_total < cap;
        if n_old_left > 0 && !can_start && started.is_empty() && n_new < desired {
            if let Some(d) = self.service.deployments.last_mut() {
                if !d.has_reported_stuck {
                    d.has_reported_stuck = true;
                    self.log(
                        EventSource::EcsService,
                        format!("(service {name}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."),
                    );
                }
            }
        }

        // 4. Completion and steady state.
        let remaining_old = self.tasks.values().any(|t| t.deployment != primary_seq && t.state != TaskState::Stopped);
        let primary_healthy =
            self.tasks.values().filter(|t| t.deployment == primary_seq && t.is_active() && self.is_ecs_healthy(t)).count();
        let primary_active = self.tasks.values().filter(|t| t.deployment == primary_seq && t.is_active()).count();
        let all_settled = primary_healthy == desired && primary_active == desired && !remaining_old;
        if all_settled {
            if let Some(d) = self.service.deployments.last_mut() {
                if d.rollout_state == RolloutState::InProgress {
                    d.rollout_state = RolloutState::Completed;
                    let id = d.id.clone();
                    self.log(EventSource::EcsService, format!("(service {name}) (deployment {id}) deployment completed."));
                }
            }
            let last = self.service.deployments.len().saturating_sub(1);
            self.service.deployments.drain(..last);
        }
        self.forget_finished_deployments(primary_seq);
        let steady = all_settled && self.tasks.values().all(|t| t.state == TaskState::Running || t.state == TaskState::Stopped);
        if steady && !self.service.is_steady {
            self.log(EventSource::EcsService, format!("(service {name}) has reached a steady state."));
        }
        self.service.is_steady = steady;
    }

    /// An older deployment with no task left is over (ECS drops it from the service's list), and
    /// a task definition revision that no deployment and no setting uses is no longer needed to
    /// start tasks. Without this, every forced deployment of a service that never settles, and
    /// every registered revision, would be kept for the whole run.
    fn forget_finished_deployments(&mut self, primary_seq: u32) {
        let with_tasks: Vec<u32> = self.tasks.values().filter(|t| t.state != TaskState::Stopped).map(|t| t.deployment).collect();
        self.service.deployments.retain(|d| d.seq == primary_seq || with_tasks.contains(&d.seq));
        let current = self.scenario.task_definition.revision;
        let deployments = &self.service.deployments;
        self.task_definitions.retain(|td| td.revision == current || deployments.iter().any(|d| d.revision == td.revision));
    }

    /// ECS's `stoppedReason` for a task replaced because its target failed health checks.
    fn elb_failure_reason(&self, seq: u32) -> String {
        let tg = self
            .tasks
            .get(&seq)
            .and_then(|t| t.target)
            .and_then(|t| self.targets.get(&t))
            .and_then(|t| self.scenario.target_groups.get(t.target_group));
        match tg {
            Some(tg) => format!("Task failed ELB health checks in (target-group {})", target_group_arn(tg)),
            None => "Task failed ELB health checks".into(),
        }
    }

    fn stop_tasks(&mut self, name: &str, seqs: Vec<u32>, reason: &str) {
        if seqs.is_empty() {
            return;
        }
        let mut ids = Vec::new();
        for seq in seqs {
            if let Some(t) = self.tasks.get(&seq) {
                ids.push(format!("(task {})", t.id));
            }
            self.request_stop(seq, StopCode::ServiceSchedulerInitiated, reason.to_string());
        }
        self.log(EventSource::EcsService, format!("(service {name}) has stopped {} running tasks: {}.", ids.len(), ids.join(" ")));
    }

    /// Place and start one task for a deployment. Returns its id, or `None` if nothing fits.
    fn launch_task(&mut self, deployment_seq: u32) -> Option<Arc<str>> {
        let deployment = self.service.deployments.iter().find(|d| d.seq == deployment_seq)?.clone();
        let td = self.task_definitions.iter().find(|t| t.revision == deployment.revision)?.clone();
        let seq = self.next_task_seq;
        let id: Arc<str> = self.rng.hex(32).into();
        let lb = deployment.load_balancer.clone();
        let (private_ip, public_ip, subnet, zone, instance, host_port, sgs) = match td.network_mode {
            NetworkMode::Awsvpc => {
                let nc = deployment.network.as_ref()?;
                let (subnet, ip) = match self.preset_address(seq, &nc.subnets) {
                    Some(found) => found,
                    None => {
                        let subnet_id = nc.subnets.get(seq as usize % nc.subnets.len().max(1))?.clone();
                        let subnet = self.scenario.find_subnet(&subnet_id)?.clone();
                        let ip = self.allocate_ip(Cidr::parse(&subnet.cidr)?)?;
                        (subnet, ip)
                    }
                };
                let public = if nc.assign_public_ip {
                    Some(Ipv4(0xC633_6400 | self.rng.range_u64(1, 254) as u32)) // 198.51.100.0/24 (documentation range)
                } else {
                    None
                };
                let sgs = nc.security_groups.iter().map(|s| Arc::from(s.as_str())).collect();
                (ip, public, subnet.id.clone(), subnet.availability_zone.clone(), None, None, sgs)
            }
            NetworkMode::Bridge => {
                let (instance_index, host_port) = self.place_on_instance(&td.container.port_mappings, lb.as_ref())?;
                let ci = self.scenario.container_instances[instance_index].clone();
                let subnet = self.scenario.find_subnet(&ci.subnet)?.clone();
                let ip = Ipv4::parse(&ci.private_ip)?;
                (ip, None, subnet.id.clone(), subnet.availability_zone.clone(), Some(Arc::from(ci.id.as_str())), host_port, Vec::new())
            }
        };
        self.next_task_seq += 1;
        self.tasks.insert(
            seq,
            Task {
                seq,
                id: id.clone(),
                deployment: deployment.seq,
                revision: td.revision,
                state: TaskState::Provisioning,
                state_since_ms: self.now_ms,
                created_at_ms: self.now_ms,
                is_stop_requested: false,
                stopped_reason: None,
                stop_code: None,
                exit_code: None,
                is_hung: false,
                running_since_ms: None,
                app_ready_at_ms: None,
                has_crashed: false,
                unhealthy_since_ms: None,
                network_mode: td.network_mode,
                private_ip,
                public_ip,
                subnet: subnet.into(),
                availability_zone: zone.into(),
                instance,
                host_port,
                security_groups: sgs,
                port_mappings: td.container.port_mappings.clone(),
                app: td.container.app.clone(),
                load_balancer: lb,
                target: None,
            },
        );
        Some(id)
    }

    /// The address `options.task_private_ips` gives the task launched `seq`-th, with the one of
    /// `subnets` that holds it, when it is free: an imported setup's tasks keep their real ones.
    fn preset_address(&self, seq: u32, subnets: &[String]) -> Option<(Subnet, Ipv4)> {
        // Task sequence numbers start at 1.
        let ip = Ipv4::parse(self.scenario.options.task_private_ips.get(seq.checked_sub(1)? as usize)?)?;
        let taken =
            self.tasks.values().any(|t| t.private_ip == ip && t.state != TaskState::Stopped) || self.alb_nodes.iter().any(|n| n.ip == ip);
        if taken {
            return None;
        }
        let subnet = subnets
            .iter()
            .filter_map(|id| self.scenario.find_subnet(id))
            .find(|sub| Cidr::parse(&sub.cidr).is_some_and(|c| c.contains(ip)))?;
        Some((subnet.clone(), ip))
    }

    fn allocate_ip(&mut self, cidr: Cidr) -> Option<Ipv4> {
        // AWS reserves the first four and the last address of every subnet.
        let size = cidr.size();
        if size < 8 {
            return None;
        }
        for _ in 0..64 {
            let offset = self.rng.range_u64(4, size - 2) as u32;
            let ip = Ipv4(cidr.base.0 + offset);
            let used = self.tasks.values().any(|t| t.private_ip == ip && t.state != TaskState::Stopped)
                || self.alb_nodes.iter().any(|n| n.ip == ip);
            if !used {
                return Some(ip);
            }
        }
        None
    }

    /// bridge placement: spread over instances; a static host port must be free there.
    fn place_on_instance(&mut self, mappings: &[PortMapping], lb: Option<&ServiceLoadBalancer>) -> Option<(usize, Option<u16>)> {
        let n = self.scenario.container_instances.len();
        if n == 0 {
            return None;
        }
        let wanted = lb.and_then(|lb| mappings.iter().find(|m| m.container_port == lb.container_port)).or(mappings.first());
        for attempt in 0..n {
            let index = (self.next_task_seq as usize + attempt) % n;
            let instance_id = self.scenario.container_instances[index].id.clone();
            let used: Vec<u16> = self
                .tasks
                .values()
                .filter(|t| t.state < TaskState::Stopped && t.instance.as_deref() == Some(instance_id.as_str()))
                .filter_map(|t| t.host_port)
                .collect();
            match wanted.and_then(|m| m.host_port).filter(|&p| p != 0) {
                Some(port) if used.contains(&port) => continue,
                Some(port) => return Some((index, Some(port))),
                None if wanted.is_none() => return Some((index, None)),
                None => {
                    // Dynamic host port from the ECS-optimized AMI's ephemeral range.
                    for _ in 0..64 {
                        let p = self.rng.range_u64(u64::from(*DYNAMIC_HOST_PORTS.start()), u64::from(*DYNAMIC_HOST_PORTS.end())) as u16;
                        if !used.contains(&p) {
                            return Some((index, Some(p)));
                        }
                    }
                }
            }
        }
        if !self.service.placement_failure_reported {
            self.service.placement_failure_reported = true;
            let svc = self.service_name();
            let closest = self.scenario.container_instances[0].id.clone();
            self.log(
                EventSource::EcsService,
                format!("(service {svc}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance {closest}) is already using a port required by your task."),
            );
        }
        None
    }
}
