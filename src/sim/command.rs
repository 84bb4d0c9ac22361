//! Commands: the learner's (and an exercise solution's) intents, in AWS's verbs.
//!
//! Every command that changes the setup edits a copy of the scenario, validates the copy with
//! the same rules as a scenario file, checks what ECS itself would refuse, and only then swaps it
//! in. A refused command returns an error that names what is wrong and changes nothing.

use super::ecs::TaskState;
use super::events::EventSource;
use super::scenario::{
    EcsRefusal, HealthCheck, HealthResponse, LoadBalancingAlgorithm, NaclAction, NetworkAcl, NetworkAclEntry, NetworkMode, PortMapping,
    Scenario, ScenarioErrors, SecurityGroupRule, ServiceLoadBalancer, TargetType,
};
use super::Sim;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a task's app fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskFailure {
    /// The process exits with an error: the essential container exits (code 1) and ECS stops
    /// the task (`EssentialContainerExited`) and starts a replacement.
    Crash,
    /// The process stays alive and answers nothing (a deadlock, an exhausted pool): the task
    /// stays RUNNING, requests wait for the idle timeout (504), health checks time out, and ECS
    /// replaces the task once its target is unhealthy.
    Hang,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// The client's load, in requests per second (0-200).
    SetRequestRate {
        requests_per_second: f64,
    },
    /// Where the client sends: the ALB port and the request path.
    SetClientTarget {
        port: u16,
        path: String,
    },
    /// Send one request now.
    SendRequest,
    /// `curl http://<task public IP>:<port>/` from the client. `task`: a task id or its first
    /// characters (the first running task when left out); `port`: the container port when left out.
    CurlTask {
        #[serde(default)]
        task: Option<String>,
        #[serde(default)]
        port: Option<u16>,
    },
    /// Make one running task's app fail the way processes do in production. `task`: a task id
    /// or its first characters. Changes no setting: it happens to the running task, and ECS and
    /// the load balancer react as they would.
    FailTask {
        task: String,
        failure: TaskFailure,
    },
    /// ModifyListener: move the listener on `port` to `new_port`.
    ModifyListener {
        port: u16,
        new_port: u16,
    },
    /// CreateListener forwarding to a target group.
    CreateListener {
        port: u16,
        target_group: String,
    },
    /// DeleteListener.
    DeleteListener {
        port: u16,
    },
    /// ModifyLoadBalancerAttributes `idle_timeout.timeout_seconds`.
    ModifyLoadBalancerAttributes {
        idle_timeout_seconds: u32,
    },
    AuthorizeSecurityGroupIngress {
        group_id: String,
        from_port: u16,
        to_port: u16,
        source: String,
    },
    RevokeSecurityGroupIngress {
        group_id: String,
        from_port: u16,
        to_port: u16,
        source: String,
    },
    /// An outbound rule: traffic this group's interfaces may send, to a CIDR block or a group.
    AuthorizeSecurityGroupEgress {
        group_id: String,
        from_port: u16,
        to_port: u16,
        destination: String,
    },
    RevokeSecurityGroupEgress {
        group_id: String,
        from_port: u16,
        to_port: u16,
        destination: String,
    },
    /// ModifyTargetGroup: the health check settings.
    ModifyTargetGroup {
        target_group: String,
        health_check: HealthCheck,
    },
    ModifyTargetGroupAttributes {
        target_group: String,
        #[serde(default)]
        deregistration_delay_seconds: Option<u32>,
        #[serde(default)]
        unhealthy_state_routing_minimum_healthy_targets_count: Option<u32>,
        #[serde(default)]
        load_balancing_algorithm: Option<LoadBalancingAlgorithm>,
    },
    /// A target group's type and port cannot change in place: this stands for creating a new
    /// one with the same name and settings and pointing the listener at it. Refused while targets
    /// are registered in it.
    RecreateTargetGroup {
        target_group: String,
        target_type: TargetType,
        port: u16,
    },
    /// CreateService with the scenario's service settings (after ECS refused it).
    CreateService,
    /// UpdateService without a new deployment (desired count, grace period, deployment limits),
    /// or with one (`assign_public_ip`, `force_new_deployment`).
    UpdateService {
        #[serde(default)]
        desired_count: Option<u32>,
        #[serde(default)]
        health_check_grace_period_seconds: Option<u32>,
        #[serde(default)]
        minimum_healthy_percent: Option<u32>,
        #[serde(default)]
        maximum_percent: Option<u32>,
        #[serde(default)]
        assign_public_ip: Option<bool>,
        #[serde(default)]
        force_new_deployment: bool,
    },
    /// UpdateService `loadBalancers`: attach the service to a target group (starts a deployment).
    AttachLoadBalancer {
        target_group: String,
        container_name: String,
        container_port: u16,
    },
    /// UpdateService `loadBalancers: []`: detach the service (starts a deployment).
    DetachLoadBalancer,
    /// RegisterTaskDefinition with these changes as the next revision, then UpdateService to it
    /// when `deploy` (the console's "create new revision and deploy").
    RegisterTaskDefinition {
        #[serde(default)]
        changes: TaskDefinitionChanges,
        #[serde(default = "yes")]
        deploy: bool,
    },
    /// Change the container port everywhere the console would: the port mapping (and the host
    /// port for awsvpc) in a new revision, and the service's load-balancer container port; deploys.
    SetContainerPort {
        container_port: u16,
    },
    /// CreateNetworkAcl: a new custom network ACL, with no entries, so it denies everything
    /// until entries are added (unlike the VPC's default ACL). Associated with no subnet yet.
    CreateNetworkAcl {
        network_acl_id: String,
    },
    /// CreateNetworkAclEntry: an inbound (`egress: false`) or outbound entry. `protocol` is
    /// `tcp` or `all`; the ports are ignored for `all`.
    CreateNetworkAclEntry {
        network_acl_id: String,
        egress: bool,
        rule_number: u16,
        #[serde(default = "tcp")]
        protocol: String,
        #[serde(default)]
        from_port: u16,
        #[serde(default = "max_port")]
        to_port: u16,
        cidr_block: String,
        rule_action: NaclAction,
    },
    /// DeleteNetworkAclEntry.
    DeleteNetworkAclEntry {
        network_acl_id: String,
        egress: bool,
        rule_number: u16,
    },
    /// ReplaceNetworkAclAssociation: which network ACL a subnet uses; `default` for the VPC's
    /// default ACL, which allows all traffic.
    ReplaceNetworkAclAssociation {
        subnet_id: String,
        network_acl_id: String,
    },
    /// SetSubnets: the subnets (and so the availability zones) the load balancer has nodes in.
    SetSubnets {
        subnets: Vec<String>,
    },
    /// UpdateService `networkConfiguration.awsvpcConfiguration.subnets`: where new tasks are
    /// placed (starts a deployment).
    SetServiceSubnets {
        subnets: Vec<String>,
    },
    /// Simulator options for questions AWS's documents leave open.
    SetOptions {
        initial_targets_fail_open: bool,
    },
}

impl Command {
    /// A change an AWS API makes, not one of the lab's own controls (the client, a crash, the
    /// simulator's options).
    pub fn is_aws_change(&self) -> bool {
        !matches!(
            self,
            Command::SetRequestRate { .. }
                | Command::SetClientTarget { .. }
                | Command::SendRequest
                | Command::CurlTask { .. }
                | Command::FailTask { .. }
                | Command::SetOptions { .. }
        )
    }

    /// `UpdateService` that changes only what is given (no new deployment).
    pub fn update_service(
        desired_count: Option<u32>,
        health_check_grace_period_seconds: Option<u32>,
        deployment_limits_percent: Option<(u32, u32)>,
    ) -> Command {
        Command::UpdateService {
            desired_count,
            health_check_grace_period_seconds,
            minimum_healthy_percent: deployment_limits_percent.map(|(min, _)| min),
            maximum_percent: deployment_limits_percent.map(|(_, max)| max),
            assign_public_ip: None,
            force_new_deployment: false,
        }
    }

    /// `UpdateService --force-new-deployment`: new tasks with the same settings.
    pub fn force_new_deployment() -> Command {
        Command::UpdateService {
            desired_count: None,
            health_check_grace_period_seconds: None,
            minimum_healthy_percent: None,
            maximum_percent: None,
            assign_public_ip: None,
            force_new_deployment: true,
        }
    }

    /// `UpdateService` turning the tasks' public IP on or off (a new deployment).
    pub fn assign_public_ip(enabled: bool) -> Command {
        Command::UpdateService {
            desired_count: None,
            health_check_grace_period_seconds: None,
            minimum_healthy_percent: None,
            maximum_percent: None,
            assign_public_ip: Some(enabled),
            force_new_deployment: false,
        }
    }
}

fn yes() -> bool {
    true
}

fn tcp() -> String {
    "tcp".into()
}

fn max_port() -> u16 {
    65535
}

/// The id that stands for the VPC's default network ACL in a command.
pub const DEFAULT_NETWORK_ACL: &str = "default";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinitionChanges {
    #[serde(default)]
    pub network_mode: Option<NetworkMode>,
    /// The first port mapping's container port.
    #[serde(default)]
    pub container_port: Option<u16>,
    /// The first port mapping's host port (0 = dynamic, bridge only).
    #[serde(default)]
    pub host_port: Option<u16>,
    #[serde(default)]
    pub listen_port: Option<u16>,
    #[serde(default)]
    pub startup_seconds: Option<u32>,
    #[serde(default)]
    pub health_path: Option<String>,
    #[serde(default)]
    pub health_response: Option<HealthResponse>,
    /// How the app answers `/`.
    #[serde(default)]
    pub response: Option<HealthResponse>,
    #[serde(default)]
    pub response_time_ms: Option<u32>,
    #[serde(default)]
    pub slow_response_seconds: Option<u32>,
}

/// A refused command, kept typed until the page or the CLI shows it: the page puts a field's
/// error under that field, in the form's words.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandError {
    /// The changed setup breaks AWS's rules: every problem, with its field and knob.
    Invalid(ScenarioErrors),
    /// ECS would refuse the change (UpdateService), as its API says it.
    Ecs(EcsRefusal),
    /// Another AWS API error: its code (`InvalidPermission.Duplicate`) and message.
    Api { code: &'static str, message: String },
    /// Not possible in the lab right now (no task to curl, the page shutting down).
    Lab(String),
}

impl CommandError {
    pub fn api(code: &'static str, message: impl Into<String>) -> CommandError {
        CommandError::Api { code, message: message.into() }
    }
    pub fn lab(message: impl Into<String>) -> CommandError {
        CommandError::Lab(message.into())
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Invalid(errors) => write!(f, "{errors}"),
            CommandError::Ecs(refusal) => write!(f, "{refusal}"),
            CommandError::Api { code, message } => write!(f, "{code}: {message}"),
            CommandError::Lab(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CommandError {}

/// What a command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A setting changed; the text says which.
    Changed(String),
    /// A request or curl was sent; its id.
    Sent(u64),
}

fn err<T>(text: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::lab(text))
}

fn api<T>(code: &'static str, message: impl Into<String>) -> Result<T, CommandError> {
    Err(CommandError::api(code, message))
}

impl Sim {
    /// A request, or a curl to a task, sent at the current sim time.
    fn send_traffic(&mut self, command: &Command) -> Result<Applied, CommandError> {
        let Command::CurlTask { task, port } = command else {
            return Ok(Applied::Sent(self.send_request()));
        };
        let chosen = self
            .tasks
            .values()
            .filter(|t| t.state != super::ecs::TaskState::Stopped)
            .find(|t| match task {
                Some(prefix) => !prefix.is_empty() && t.id.starts_with(prefix.as_str()),
                None => t.state == super::ecs::TaskState::Running,
            })
            .map(|t| (t.seq, t.load_balancer.as_ref().map(|l| l.container_port).unwrap_or(t.app.listen_port)));
        let Some((seq, default_port)) = chosen else {
            return err(match task {
                Some(p) => format!("No task with an id starting {p:?} is running."),
                None => "No task is running to curl.".to_string(),
            });
        };
        let port = port.unwrap_or(default_port);
        if port == 0 {
            return err("port must be 1-65535");
        }
        Ok(Applied::Sent(self.curl_task(seq, port)))
    }

    /// Make a running task's app crash or hang.
    fn fail_task(&mut self, prefix: &str, failure: TaskFailure) -> Result<Applied, CommandError> {
        let now = self.now_ms;
        let container = self.scenario.task_definition.container.name.clone();
        let matches = |t: &super::ecs::Task| !prefix.is_empty() && t.id.starts_with(prefix) && t.state != TaskState::Stopped;
        // Of the tasks the prefix names, one whose app is up, if any.
        let serving = self.tasks.values().find(|t| matches(t) && t.is_app_serving(now) && !t.is_stop_requested).map(|t| t.seq);
        let chosen = serving.or_else(|| self.tasks.values().find(|t| matches(t)).map(|t| t.seq));
        let Some(task) = chosen.and_then(|seq| self.tasks.get_mut(&seq)) else {
            return err(format!("No task with an id starting {prefix:?} is running."));
        };
        let id = task.id.clone();
        if !task.is_app_serving(now) || task.is_stop_requested {
            return err(format!(
                "Task {} is {}{}: only a task whose app is up can crash or hang.",
                task.short_id(),
                task.state,
                if task.is_stop_requested { " and stopping" } else { "" }
            ));
        }
        if task.is_hung && failure == TaskFailure::Hang {
            return err(format!("The app in task {} is already hung.", task.short_id()));
        }
        let text = match failure {
            TaskFailure::Crash => {
                task.crash();
                format!("(task {id}) the app crashed: its essential container {container} exited with code 1")
            }
            TaskFailure::Hang => {
                task.is_hung = true;
                format!("(task {id}) the app hung: the process is alive and the task RUNNING, but it answers nothing")
            }
        };
        self.log(EventSource::Change, text.clone());
        Ok(Applied::Changed(text))
    }

    /// Apply one command between ticks. On error nothing changes. A change is kept, with the
    /// setup it was made to, for the event log's AWS CLI commands and "Export my fixes".
    pub fn apply(&mut self, command: Command) -> Result<Applied, CommandError> {
        // Only AWS changes are kept: the client's load, moved on a slider, is many commands.
        let kept = command.is_aws_change().then(|| (std::sync::Arc::clone(&self.scenario), command.clone()));
        let result = self.apply_command(command);
        if let (Ok(Applied::Changed(summary)), Some((before, kept))) = (&result, kept) {
            self.record_change(super::ChangeRecord {
                at_ms: self.now_ms,
                event_seq: self.log.total().saturating_sub(1),
                summary: summary.clone(),
                command: kept,
                before,
            });
        }
        result
    }

    fn apply_command(&mut self, command: Command) -> Result<Applied, CommandError> {
        if let Command::FailTask { task, failure } = &command {
            return self.fail_task(task, *failure);
        }
        // Traffic changes no setting: it is sent before the setup is copied.
        if let Command::SendRequest | Command::CurlTask { .. } = command {
            return self.send_traffic(&command);
        }
        let mut next = Scenario::clone(&self.scenario);
        let mut new_deployment = false;
        let summary: String = match &command {
            Command::SendRequest | Command::CurlTask { .. } => return self.send_traffic(&command),
            Command::FailTask { task, failure } => return self.fail_task(task, *failure),
            Command::SetRequestRate { requests_per_second } => {
                next.client.requests_per_second = *requests_per_second;
                format!("Client load set to {requests_per_second} requests/s")
            }
            Command::SetClientTarget { port, path } => {
                next.client.port = *port;
                next.client.path = path.clone();
                format!("Client now sends GET {path} to port {port}")
            }
            Command::ModifyListener { port, new_port } => {
                let Some(l) = next.load_balancer.listeners.iter_mut().find(|l| l.port == *port) else {
                    return api("ListenerNotFound", format!("no listener on port {port}"));
                };
                l.port = *new_port;
                format!("ModifyListener: HTTP:{port} → HTTP:{new_port}")
            }
            Command::CreateListener { port, target_group } => {
                next.load_balancer.listeners.push(super::scenario::Listener {
                    port: *port,
                    protocol: "HTTP".into(),
                    rules: vec![],
                    default_action: super::scenario::Action::Forward { target_group: target_group.clone() },
                });
                format!("CreateListener: HTTP:{port} forwarding to {target_group}")
            }
            Command::DeleteListener { port } => {
                let before = next.load_balancer.listeners.len();
                next.load_balancer.listeners.retain(|l| l.port != *port);
                if before == next.load_balancer.listeners.len() {
                    return api("ListenerNotFound", format!("no listener on port {port}"));
                }
                format!("DeleteListener: HTTP:{port}")
            }
            Command::ModifyLoadBalancerAttributes { idle_timeout_seconds } => {
                next.load_balancer.idle_timeout_seconds = *idle_timeout_seconds;
                format!("ModifyLoadBalancerAttributes: idle_timeout.timeout_seconds = {idle_timeout_seconds}")
            }
            Command::CreateNetworkAcl { network_acl_id } => {
                if next.network_acls.iter().any(|a| a.id == *network_acl_id) {
                    return api("InvalidNetworkAclID.Duplicate", format!("the network ACL '{network_acl_id}' already exists"));
                }
                next.network_acls.push(NetworkAcl { id: network_acl_id.clone(), subnets: vec![], inbound: vec![], outbound: vec![] });
                format!("CreateNetworkAcl: {network_acl_id} (no entries: it denies all traffic until entries are added)")
            }
            Command::CreateNetworkAclEntry {
                network_acl_id,
                egress,
                rule_number,
                protocol,
                from_port,
                to_port,
                cidr_block,
                rule_action,
            } => {
                let acl = acl_mut(&mut next, network_acl_id)?;
                let entries = if *egress { &mut acl.outbound } else { &mut acl.inbound };
                if entries.iter().any(|e| e.rule_number == *rule_number) {
                    return api(
                        "NetworkAclEntryAlreadyExists",
                        format!("The network acl entry identified by {rule_number} already exists."),
                    );
                }
                let entry = NetworkAclEntry {
                    rule_number: *rule_number,
                    protocol: protocol.clone(),
                    from_port: *from_port,
                    to_port: *to_port,
                    cidr: cidr_block.clone(),
                    action: *rule_action,
                };
                let text = format!(
                    "CreateNetworkAclEntry: {network_acl_id} {} {}",
                    if *egress { "outbound" } else { "inbound" },
                    entry.text(!*egress)
                );
                // Kept in rule-number order, as AWS lists them.
                let at = entries.iter().position(|e| e.rule_number > *rule_number).unwrap_or(entries.len());
                entries.insert(at, entry);
                text
            }
            Command::DeleteNetworkAclEntry { network_acl_id, egress, rule_number } => {
                let acl = acl_mut(&mut next, network_acl_id)?;
                let entries = if *egress { &mut acl.outbound } else { &mut acl.inbound };
                let before = entries.len();
                entries.retain(|e| e.rule_number != *rule_number);
                if before == entries.len() {
                    return api(
                        "InvalidNetworkAclEntry.NotFound",
                        format!("{network_acl_id} has no {} entry {rule_number}", if *egress { "egress" } else { "ingress" }),
                    );
                }
                format!("DeleteNetworkAclEntry: {network_acl_id} {} entry {rule_number}", if *egress { "outbound" } else { "inbound" })
            }
            Command::ReplaceNetworkAclAssociation { subnet_id, network_acl_id } => {
                if next.find_subnet(subnet_id).is_none() {
                    return api("InvalidSubnetID.NotFound", format!("The subnet ID '{subnet_id}' does not exist"));
                }
                if network_acl_id != DEFAULT_NETWORK_ACL {
                    acl_mut(&mut next, network_acl_id)?;
                }
                for a in &mut next.network_acls {
                    a.subnets.retain(|s| s != subnet_id);
                }
                if let Some(a) = next.network_acls.iter_mut().find(|a| a.id == *network_acl_id) {
                    a.subnets.push(subnet_id.clone());
                }
                format!(
                    "ReplaceNetworkAclAssociation: {subnet_id} now uses {}",
                    if network_acl_id == DEFAULT_NETWORK_ACL {
                        "the VPC's default network ACL (allows all)".to_string()
                    } else {
                        format!("network ACL {network_acl_id}")
                    }
                )
            }
            Command::AuthorizeSecurityGroupIngress { group_id, from_port, to_port, source } => {
                authorize(&mut next, Direction::Ingress, group_id, *from_port, *to_port, source)?
            }
            Command::RevokeSecurityGroupIngress { group_id, from_port, to_port, source } => {
                revoke(&mut next, Direction::Ingress, group_id, *from_port, *to_port, source)?
            }
            Command::AuthorizeSecurityGroupEgress { group_id, from_port, to_port, destination } => {
                authorize(&mut next, Direction::Egress, group_id, *from_port, *to_port, destination)?
            }
            Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination } => {
                revoke(&mut next, Direction::Egress, group_id, *from_port, *to_port, destination)?
            }
            Command::ModifyTargetGroup { target_group, health_check } => {
                let Some(tg) = next.target_groups.iter_mut().find(|t| t.name == *target_group) else {
                    return api("TargetGroupNotFound", target_group.clone());
                };
                tg.health_check = health_check.clone();
                format!(
                    "ModifyTargetGroup {target_group}: health check {} port {} every {} s, timeout {} s, thresholds {}/{}, codes {}",
                    health_check.path,
                    health_check.port,
                    health_check.interval_seconds,
                    health_check.timeout_seconds,
                    health_check.healthy_threshold_count,
                    health_check.unhealthy_threshold_count,
                    health_check.matcher
                )
            }
            Command::ModifyTargetGroupAttributes {
                target_group,
                deregistration_delay_seconds,
                unhealthy_state_routing_minimum_healthy_targets_count,
                load_balancing_algorithm,
            } => {
                let Some(tg) = next.target_groups.iter_mut().find(|t| t.name == *target_group) else {
                    return api("TargetGroupNotFound", target_group.clone());
                };
                let mut parts = Vec::new();
                if let Some(d) = deregistration_delay_seconds {
                    tg.deregistration_delay_seconds = *d;
                    parts.push(format!("deregistration_delay.timeout_seconds = {d}"));
                }
                if let Some(n) = unhealthy_state_routing_minimum_healthy_targets_count {
                    tg.unhealthy_state_routing_minimum_healthy_targets_count = *n;
                    parts.push(format!("unhealthy_state_routing.minimum_healthy_targets.count = {n}"));
                }
                if let Some(a) = load_balancing_algorithm {
                    tg.load_balancing_algorithm = *a;
                    parts.push(format!("load_balancing.algorithm.type = {a:?}"));
                }
                format!("ModifyTargetGroupAttributes {target_group}: {}", parts.join(", "))
            }
            Command::RecreateTargetGroup { target_group, target_type, port } => {
                let Some(index) = next.target_group_index(target_group) else {
                    return api("TargetGroupNotFound", target_group.clone());
                };
                if self.targets.values().any(|t| t.target_group == index) {
                    return api(
                        "ResourceInUse",
                        format!("{target_group} still has registered targets; detach the ECS service (or let its targets drain) first"),
                    );
                }
                next.target_groups[index].target_type = *target_type;
                next.target_groups[index].port = *port;
                format!("Recreated target group {target_group} with target type {target_type}, port {port}")
            }
            Command::CreateService => {
                return self.create_service().map(|_| {
                    let name = self.service_name();
                    self.log(EventSource::Change, format!("CreateService: {name}"));
                    Applied::Changed(format!("CreateService: {name}"))
                });
            }
            Command::UpdateService {
                desired_count,
                health_check_grace_period_seconds,
                minimum_healthy_percent,
                maximum_percent,
                assign_public_ip,
                force_new_deployment,
            } => {
                let Some(svc) = next.service.as_mut() else { return api("ServiceNotFoundException", "Service not found.") };
                let mut parts = Vec::new();
                if let Some(n) = desired_count {
                    svc.desired_count = *n;
                    parts.push(format!("desiredCount {n}"));
                }
                if let Some(g) = health_check_grace_period_seconds {
                    svc.health_check_grace_period_seconds = *g;
                    parts.push(format!("healthCheckGracePeriodSeconds {g}"));
                }
                if let Some(m) = minimum_healthy_percent {
                    svc.deployment_configuration.minimum_healthy_percent = *m;
                    parts.push(format!("minimumHealthyPercent {m}"));
                }
                if let Some(m) = maximum_percent {
                    svc.deployment_configuration.maximum_percent = *m;
                    parts.push(format!("maximumPercent {m}"));
                }
                if let Some(p) = assign_public_ip {
                    let Some(nc) = svc.network_configuration.as_mut() else {
                        return api("InvalidParameterException", "assignPublicIp needs an awsvpc network configuration.");
                    };
                    nc.assign_public_ip = *p;
                    parts.push(format!("assignPublicIp {}", if *p { "ENABLED" } else { "DISABLED" }));
                    new_deployment = true;
                }
                if *force_new_deployment {
                    parts.push("forceNewDeployment".into());
                    new_deployment = true;
                }
                format!("UpdateService {}: {}", svc.name, parts.join(", "))
            }
            Command::AttachLoadBalancer { target_group, container_name, container_port } => {
                let Some(svc) = next.service.as_mut() else { return api("ServiceNotFoundException", "Service not found.") };
                svc.load_balancer = Some(ServiceLoadBalancer {
                    target_group: target_group.clone(),
                    container_name: container_name.clone(),
                    container_port: *container_port,
                });
                new_deployment = true;
                format!("UpdateService {}: loadBalancers = [{target_group}, {container_name}:{container_port}]", svc.name)
            }
            Command::DetachLoadBalancer => {
                let Some(svc) = next.service.as_mut() else { return api("ServiceNotFoundException", "Service not found.") };
                if svc.load_balancer.is_none() {
                    return err("The service is not attached to a load balancer.");
                }
                svc.load_balancer = None;
                new_deployment = true;
                format!("UpdateService {}: loadBalancers = []", svc.name)
            }
            Command::RegisterTaskDefinition { changes, deploy } => {
                let text = apply_task_definition_changes(&mut next, changes)?;
                new_deployment = *deploy && next.service.is_some();
                if *deploy {
                    format!("{text}; UpdateService to revision {}", next.task_definition.revision)
                } else {
                    text
                }
            }
            Command::SetContainerPort { container_port } => {
                let changes = TaskDefinitionChanges { container_port: Some(*container_port), ..Default::default() };
                let text = apply_task_definition_changes(&mut next, &changes)?;
                if let Some(lb) = next.service.as_mut().and_then(|s| s.load_balancer.as_mut()) {
                    lb.container_port = *container_port;
                }
                new_deployment = next.service.is_some();
                format!("{text}; service container port {container_port}; UpdateService to revision {}", next.task_definition.revision)
            }
            Command::SetSubnets { subnets } => {
                next.load_balancer.subnets = subnets.clone();
                format!("SetSubnets {}: {}", next.load_balancer.name, subnets.join(", "))
            }
            Command::SetServiceSubnets { subnets } => {
                let Some(svc) = next.service.as_mut() else { return api("ServiceNotFoundException", "Service not found.") };
                let Some(nc) = svc.network_configuration.as_mut() else {
                    return api("InvalidParameterException", "subnets need an awsvpc network configuration.");
                };
                nc.subnets = subnets.clone();
                new_deployment = true;
                format!("UpdateService {}: networkConfiguration subnets = [{}]", svc.name, subnets.join(", "))
            }
            Command::SetOptions { initial_targets_fail_open } => {
                next.options.initial_targets_fail_open = *initial_targets_fail_open;
                format!("Option: targets in initial {} fail open", if *initial_targets_fail_open { "do" } else { "do not" })
            }
        };
        let valid = next.validate().map_err(CommandError::Invalid)?;
        // ECS refuses an UpdateService it would refuse at creation, and nothing changes.
        if self.service.is_created && new_deployment {
            if let Some(refusal) = valid.ecs_service_error() {
                return Err(CommandError::Ecs(refusal));
            }
        }
        let subnets_changed = valid.get().load_balancer.subnets != self.scenario.load_balancer.subnets;
        self.replace_scenario(valid.into_inner());
        if subnets_changed {
            // The load balancer's nodes move with its subnets.
            self.place_alb_nodes();
        }
        if new_deployment && self.service.is_created {
            self.start_deployment();
        }
        self.log(EventSource::Change, summary.clone());
        Ok(Applied::Changed(summary))
    }
}

/// Inbound or outbound rules of a security group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn verb(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
    fn preposition(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

fn acl_mut<'a>(next: &'a mut Scenario, id: &str) -> Result<&'a mut NetworkAcl, CommandError> {
    match next.network_acls.iter_mut().find(|a| a.id == id) {
        Some(a) => Ok(a),
        None if id == DEFAULT_NETWORK_ACL => api(
            "InvalidNetworkAclID.NotFound",
            "the VPC's default network ACL allows all traffic and is not edited in the lab; create a network ACL and associate it",
        ),
        None => api("InvalidNetworkAclID.NotFound", format!("The networkAcl ID '{id}' does not exist")),
    }
}

fn rules_of<'a>(next: &'a mut Scenario, direction: Direction, group_id: &str) -> Result<&'a mut Vec<SecurityGroupRule>, CommandError> {
    let Some(g) = next.security_groups.iter_mut().find(|g| g.id == group_id) else {
        return api("InvalidGroup.NotFound", format!("the security group '{group_id}' does not exist"));
    };
    Ok(match direction {
        Direction::Ingress => &mut g.ingress,
        Direction::Egress => &mut g.egress,
    })
}

/// AuthorizeSecurityGroupIngress / AuthorizeSecurityGroupEgress.
fn authorize(
    next: &mut Scenario,
    direction: Direction,
    group_id: &str,
    from_port: u16,
    to_port: u16,
    peer: &str,
) -> Result<String, CommandError> {
    let rule = SecurityGroupRule { protocol: "tcp".into(), from_port, to_port, source: peer.to_string(), description: String::new() };
    let (verb, prep) = (direction.verb(), direction.preposition());
    let rules = rules_of(next, direction, group_id)?;
    if rules.iter().any(|r| r.from_port == from_port && r.to_port == to_port && r.source == peer) {
        return api(
            "InvalidPermission.Duplicate",
            format!("the rule TCP {} {prep} {peer} already exists in {group_id}", rule.ports_text()),
        );
    }
    let text = format!("AuthorizeSecurityGroup{verb}: {group_id} TCP {} {prep} {peer}", rule.ports_text());
    rules.push(rule);
    Ok(text)
}

/// RevokeSecurityGroupIngress / RevokeSecurityGroupEgress.
fn revoke(
    next: &mut Scenario,
    direction: Direction,
    group_id: &str,
    from_port: u16,
    to_port: u16,
    peer: &str,
) -> Result<String, CommandError> {
    let (verb, prep) = (direction.verb(), direction.preposition());
    let rules = rules_of(next, direction, group_id)?;
    let before = rules.len();
    rules.retain(|r| !(r.from_port == from_port && r.to_port == to_port && r.source == peer));
    if before == rules.len() {
        return api("InvalidPermission.NotFound", format!("{group_id} has no rule TCP {from_port}-{to_port} {prep} {peer}"));
    }
    Ok(format!("RevokeSecurityGroup{verb}: {group_id} TCP {from_port}-{to_port} {prep} {peer}"))
}

pub(crate) fn apply_task_definition_changes(next: &mut Scenario, c: &TaskDefinitionChanges) -> Result<String, CommandError> {
    let td = &mut next.task_definition;
    let mut parts = Vec::new();
    if let Some(mode) = c.network_mode {
        td.network_mode = mode;
        parts.push(format!("networkMode {mode}"));
        // Switching to awsvpc: host ports must equal container ports; to bridge: dynamic.
        for m in &mut td.container.port_mappings {
            m.host_port = match mode {
                NetworkMode::Awsvpc => None,
                NetworkMode::Bridge => Some(0),
            };
        }
    }
    if let Some(p) = c.container_port {
        match td.container.port_mappings.first_mut() {
            Some(m) => {
                m.container_port = p;
                if td.network_mode == NetworkMode::Awsvpc {
                    m.host_port = None;
                }
            }
            None => td.container.port_mappings.push(PortMapping { container_port: p, host_port: None }),
        }
        parts.push(format!("containerPort {p}"));
    }
    if let Some(h) = c.host_port {
        let Some(m) = td.container.port_mappings.first_mut() else {
            return err("The container has no port mapping to set a host port on.");
        };
        m.host_port = Some(h);
        parts.push(format!("hostPort {}", if h == 0 { "dynamic".to_string() } else { h.to_string() }));
    }
    let app = &mut td.container.app;
    if let Some(p) = c.listen_port {
        app.listen_port = p;
        parts.push(format!("app listens on {p}"));
    }
    if let Some(s) = c.startup_seconds {
        app.startup_seconds = s;
        parts.push(format!("app start-up {s} s"));
    }
    if let Some(p) = &c.health_path {
        app.health_path = p.clone();
        parts.push(format!("app health endpoint {p}"));
    }
    if let Some(h) = c.health_response {
        app.health_response = h;
        parts.push(format!("health endpoint answers {}", h.label()));
    }
    if let Some(r) = c.response {
        app.response = r;
        parts.push(format!("app answers / with {}", r.label()));
    }
    if let Some(ms) = c.response_time_ms {
        app.response_time_ms = ms;
        parts.push(format!("app answers / in {ms} ms"));
    }
    if let Some(s) = c.slow_response_seconds {
        app.slow_response_seconds = s;
        parts.push(format!("slow health answer {s} s"));
    }
    td.revision = td.revision.saturating_add(1);
    let family = td.family.clone();
    let revision = td.revision;
    if parts.is_empty() {
        parts.push("no changes".into());
    }
    Ok(format!("RegisterTaskDefinition {family}:{revision} ({})", parts.join(", ")))
}
