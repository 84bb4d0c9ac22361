//! The AWS CLI both ways: every [`Command`] as the `aws` CLI v2 command that makes the same change
//! in a real account ([`to_cli`]), and a command line that reads those commands back
//! ([`parse`]), answers wrong ones as the AWS CLI does, and prints the lab's state in the shapes
//! of the AWS CLI's describe commands ([`describe`]).
//!
//! Pure, like the rest of the core: the console in the page, the event log, "Export my fixes"
//! and the tests all call these functions. Parsing checks syntax and the lab's ids; whether the
//! change is allowed is decided by [`crate::sim::Sim::apply`], as AWS decides it on the server.
//!
//! Ids: the lab's security group, subnet and network ACL ids are used as they are. Load balancer,
//! listener and target group ARNs are derived from names (account `123456789012`, `us-east-1`),
//! so one scenario always shows the same ARNs. The VPC's default network ACL is `acl-default`, a
//! subnet's association with it `aclassoc-<subnet id>`. How each command maps, and what does not:
//! docs/model.md §The AWS CLI.

use super::command::{apply_task_definition_changes, Command, CommandError, TaskDefinitionChanges, DEFAULT_NETWORK_ACL};
use super::scenario::{
    fnv64, target_group_arn, HealthCheck, HealthResponse, LoadBalancingAlgorithm, NaclAction, NetworkConfiguration, NetworkMode, Scenario,
    SecurityGroupRule, ServiceLoadBalancer, TargetType, TaskDefinition,
};
use super::Sim;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

pub const ACCOUNT_ID: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// A console line longer than this is refused before it is read (a paste gone wrong).
pub const MAX_LINE_CHARS: usize = 20_000;
/// The id the default network ACL has on the command line.
pub const DEFAULT_ACL_CLI_ID: &str = "acl-default";

fn elb_arn(kind: &str, rest: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:{kind}/{rest}")
}

pub fn load_balancer_arn(s: &Scenario) -> String {
    let name = &s.load_balancer.name;
    elb_arn("loadbalancer", &format!("app/{name}/{:016x}", fnv64(name)))
}

/// A listener's ARN, derived from its port (the lab's listeners are known by port).
pub fn listener_arn(s: &Scenario, port: u16) -> String {
    let name = &s.load_balancer.name;
    elb_arn("listener", &format!("app/{name}/{:016x}/{:016x}", fnv64(name), fnv64(&port.to_string())))
}

fn tg_arn_of(s: &Scenario, name: &str) -> String {
    match s.find_target_group(name) {
        Some(tg) => target_group_arn(tg),
        None => elb_arn("targetgroup", &format!("{name}/{:016x}", fnv64(name))),
    }
}

/// The cluster and service a command names: the scenario's, or ECS's defaults when it has none.
fn cluster_and_service(s: &Scenario) -> (&str, &str) {
    match &s.service {
        Some(svc) => (svc.cluster.as_str(), svc.name.as_str()),
        None => ("default", "web"),
    }
}

fn acl_cli_id(id: &str) -> &str {
    if id == DEFAULT_NETWORK_ACL {
        DEFAULT_ACL_CLI_ID
    } else {
        id
    }
}

/// A word as a POSIX shell reads it back: bare when safe, else single-quoted.
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:=,@%+-".contains(c);
    if !word.is_empty() && word.chars().all(safe) && !word.starts_with('-') {
        word.to_string()
    } else if !word.is_empty() && word.chars().all(safe) && word.starts_with('-') && word.len() > 1 && !word.starts_with("--") {
        // `-1` (all protocols) is read as a value, as the AWS CLI reads it.
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn ports_arg(from: u16, to: u16) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    }
}

fn public_ip(enabled: bool) -> &'static str {
    if enabled {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

fn algorithm_key(a: LoadBalancingAlgorithm) -> &'static str {
    match a {
        LoadBalancingAlgorithm::RoundRobin => "round_robin",
        LoadBalancingAlgorithm::LeastOutstandingRequests => "least_outstanding_requests",
    }
}

fn network_configuration_arg(subnets: &[String], groups: &[String], assign_public_ip: bool) -> String {
    format!(
        "awsvpcConfiguration={{subnets=[{}],securityGroups=[{}],assignPublicIp={}}}",
        subnets.join(","),
        groups.join(","),
        public_ip(assign_public_ip)
    )
}

/// The environment variables the lab's app reads its behaviour from: what the app's own code
/// and configuration decide in a real service, written where a task definition can carry them.
const APP_ENVIRONMENT: [&str; 7] =
    ["PORT", "STARTUP_SECONDS", "HEALTH_PATH", "HEALTH_RESPONSE", "RESPONSE", "RESPONSE_TIME_MS", "SLOW_RESPONSE_SECONDS"];

/// `--container-definitions` for a task definition, as JSON.
fn container_definitions(td: &TaskDefinition) -> String {
    let c = &td.container;
    let a = &c.app;
    let mappings: Vec<Value> = c
        .port_mappings
        .iter()
        .map(|m| {
            let mut o = Map::new();
            o.insert("containerPort".into(), json!(m.container_port));
            match (td.network_mode, m.host_port) {
                (NetworkMode::Awsvpc, None) => {
                    o.insert("hostPort".into(), json!(m.container_port));
                }
                (_, Some(h)) => {
                    o.insert("hostPort".into(), json!(h));
                }
                (NetworkMode::Bridge, None) => {}
            }
            o.insert("protocol".into(), json!("tcp"));
            Value::Object(o)
        })
        .collect();
    let values = [
        a.listen_port.to_string(),
        a.startup_seconds.to_string(),
        a.health_path.clone(),
        a.health_response.key().to_string(),
        a.response.key().to_string(),
        a.response_time_ms.to_string(),
        a.slow_response_seconds.to_string(),
    ];
    let environment: Vec<Value> = APP_ENVIRONMENT.iter().zip(values).map(|(n, v)| json!({"name": n, "value": v})).collect();
    let def = json!([{
        "name": c.name,
        "image": format!("{}:latest", c.name),
        "essential": true,
        "portMappings": mappings,
        "environment": environment,
    }]);
    def.to_string()
}

fn register_task_definition_line(td: &TaskDefinition, s: &Scenario) -> String {
    let compat = match s.service.as_ref().map(|svc| svc.launch_type) {
        Some(super::scenario::LaunchType::Ec2) => "EC2",
        _ if td.network_mode == NetworkMode::Bridge => "EC2",
        _ => "FARGATE",
    };
    let mut line = format!(
        "aws ecs register-task-definition --family {} --network-mode {} --requires-compatibilities {compat}",
        shell_quote(&td.family),
        td.network_mode
    );
    // Fargate needs task-level CPU and memory; EC2 needs memory somewhere. The lab's app is small.
    if compat == "FARGATE" {
        line.push_str(" --cpu 256");
    }
    line.push_str(" --memory 512");
    let _ = write!(line, " --container-definitions {}", shell_quote(&container_definitions(td)));
    line
}

/// The `aws` CLI v2 command that makes this change in a real account, with the scenario's ids,
/// or `None` for what is the lab's own (the client's load, a crash, a simulator option) and for
/// a change that changes nothing. `before` is the setup the command is applied to.
pub fn to_cli(command: &Command, before: &Scenario) -> Option<String> {
    let s = before;
    let (cluster, service) = cluster_and_service(s);
    let ecs_target = format!("--cluster {} --service {}", shell_quote(cluster), shell_quote(service));
    let q = |w: &str| shell_quote(w);
    let sg_line = |verb: &str, group_id: &str, from: u16, to: u16, peer: &str| -> String {
        let peer_flag = if peer.starts_with("sg-") { "--source-group" } else { "--cidr" };
        format!("aws ec2 {verb} --group-id {} --protocol tcp --port {} {peer_flag} {}", q(group_id), ports_arg(from, to), q(peer))
    };
    let sg_egress_line = |verb: &str, group_id: &str, from: u16, to: u16, peer: &str| -> String {
        let peer_part = if peer.starts_with("sg-") {
            format!("UserIdGroupPairs=[{{GroupId={peer}}}]")
        } else {
            format!("IpRanges=[{{CidrIp={peer}}}]")
        };
        let permission = format!("IpProtocol=tcp,FromPort={from},ToPort={to},{peer_part}");
        format!("aws ec2 {verb} --group-id {} --ip-permissions {}", q(group_id), q(&permission))
    };
    Some(match command {
        Command::SetRequestRate { .. }
        | Command::SetClientTarget { .. }
        | Command::SendRequest
        | Command::CurlTask { .. }
        | Command::FailTask { .. }
        | Command::SetOptions { .. } => return None,
        Command::ModifyListener { port, new_port } => {
            format!("aws elbv2 modify-listener --listener-arn {} --port {new_port}", listener_arn(s, *port))
        }
        Command::CreateListener { port, target_group } => format!(
            "aws elbv2 create-listener --load-balancer-arn {} --protocol HTTP --port {port} --default-actions {}",
            load_balancer_arn(s),
            q(&format!("Type=forward,TargetGroupArn={}", tg_arn_of(s, target_group)))
        ),
        Command::DeleteListener { port } => format!("aws elbv2 delete-listener --listener-arn {}", listener_arn(s, *port)),
        Command::ModifyLoadBalancerAttributes { idle_timeout_seconds } => format!(
            "aws elbv2 modify-load-balancer-attributes --load-balancer-arn {} --attributes Key=idle_timeout.timeout_seconds,Value={idle_timeout_seconds}",
            load_balancer_arn(s)
        ),
        Command::AuthorizeSecurityGroupIngress { group_id, from_port, to_port, source } => {
            sg_line("authorize-security-group-ingress", group_id, *from_port, *to_port, source)
        }
        Command::RevokeSecurityGroupIngress { group_id, from_port, to_port, source } => {
            sg_line("revoke-security-group-ingress", group_id, *from_port, *to_port, source)
        }
        Command::AuthorizeSecurityGroupEgress { group_id, from_port, to_port, destination } => {
            sg_egress_line("authorize-security-group-egress", group_id, *from_port, *to_port, destination)
        }
        Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination } => {
            sg_egress_line("revoke-security-group-egress", group_id, *from_port, *to_port, destination)
        }
        Command::ModifyTargetGroup { target_group, health_check } => {
            let current = s.find_target_group(target_group).map(|t| t.health_check.clone());
            let mut line = format!("aws elbv2 modify-target-group --target-group-arn {}", tg_arn_of(s, target_group));
            let flags = health_check_flags(health_check, current.as_ref());
            let flags = if flags.is_empty() { health_check_flags(health_check, None) } else { flags };
            for (flag, value) in flags {
                let _ = write!(line, " {flag} {value}");
            }
            line
        }
        Command::ModifyTargetGroupAttributes {
            target_group,
            deregistration_delay_seconds,
            unhealthy_state_routing_minimum_healthy_targets_count,
            load_balancing_algorithm,
        } => {
            let mut attributes = Vec::new();
            if let Some(d) = deregistration_delay_seconds {
                attributes.push(format!("Key=deregistration_delay.timeout_seconds,Value={d}"));
            }
            if let Some(n) = unhealthy_state_routing_minimum_healthy_targets_count {
                attributes.push(format!("Key=target_group_health.unhealthy_state_routing.minimum_healthy_targets.count,Value={n}"));
            }
            if let Some(a) = load_balancing_algorithm {
                attributes.push(format!("Key=load_balancing.algorithm.type,Value={}", algorithm_key(*a)));
            }
            if attributes.is_empty() {
                return None;
            }
            format!(
                "aws elbv2 modify-target-group-attributes --target-group-arn {} --attributes {}",
                tg_arn_of(s, target_group),
                attributes.join(" ")
            )
        }
        Command::RecreateTargetGroup { target_group, target_type, port } => format!(
            "aws elbv2 create-target-group --name {} --protocol HTTP --port {port} --target-type {target_type} --vpc-id {}",
            q(target_group),
            q(&s.vpc.id)
        ),
        Command::CreateService => {
            let svc = s.service.as_ref()?;
            let mut line = format!(
                "aws ecs create-service --cluster {} --service-name {} --task-definition {}:{} --desired-count {} --launch-type {}",
                q(&svc.cluster),
                q(&svc.name),
                q(&s.task_definition.family),
                s.task_definition.revision,
                svc.desired_count,
                svc.launch_type.key()
            );
            if let Some(lb) = &svc.load_balancer {
                let _ = write!(line, " --load-balancers {}", q(&load_balancers_arg(s, lb)));
            }
            if let Some(nc) = &svc.network_configuration {
                let _ = write!(
                    line,
                    " --network-configuration {}",
                    q(&network_configuration_arg(&nc.subnets, &nc.security_groups, nc.assign_public_ip))
                );
            }
            line
        }
        Command::UpdateService {
            desired_count,
            health_check_grace_period_seconds,
            minimum_healthy_percent,
            maximum_percent,
            assign_public_ip,
            force_new_deployment,
        } => {
            let mut line = format!("aws ecs update-service {ecs_target}");
            if let Some(n) = desired_count {
                let _ = write!(line, " --desired-count {n}");
            }
            if let Some(g) = health_check_grace_period_seconds {
                let _ = write!(line, " --health-check-grace-period-seconds {g}");
            }
            let mut dc = Vec::new();
            if let Some(m) = maximum_percent {
                dc.push(format!("maximumPercent={m}"));
            }
            if let Some(m) = minimum_healthy_percent {
                dc.push(format!("minimumHealthyPercent={m}"));
            }
            if !dc.is_empty() {
                let _ = write!(line, " --deployment-configuration {}", dc.join(","));
            }
            if let Some(p) = assign_public_ip {
                let (subnets, groups) = match s.service.as_ref().and_then(|svc| svc.network_configuration.as_ref()) {
                    Some(nc) => (nc.subnets.clone(), nc.security_groups.clone()),
                    None => (vec![], vec![]),
                };
                let _ = write!(line, " --network-configuration {}", q(&network_configuration_arg(&subnets, &groups, *p)));
            }
            if *force_new_deployment {
                line.push_str(" --force-new-deployment");
            }
            line
        }
        Command::AttachLoadBalancer { target_group, container_name, container_port } => {
            let lb = ServiceLoadBalancer {
                target_group: target_group.clone(),
                container_name: container_name.clone(),
                container_port: *container_port,
            };
            format!("aws ecs update-service {ecs_target} --load-balancers {}", q(&load_balancers_arg(s, &lb)))
        }
        Command::DetachLoadBalancer => format!("aws ecs update-service {ecs_target} --load-balancers '[]'"),
        Command::RegisterTaskDefinition { changes, deploy } => {
            let mut next = s.clone();
            apply_task_definition_changes(&mut next, changes).ok()?;
            let td = &next.task_definition;
            let mut line = register_task_definition_line(td, s);
            if *deploy && s.service.is_some() {
                let _ = write!(line, " && aws ecs update-service {ecs_target} --task-definition {}:{}", q(&td.family), td.revision);
            }
            line
        }
        Command::SetContainerPort { container_port } => {
            let mut next = s.clone();
            let changes = TaskDefinitionChanges { container_port: Some(*container_port), ..Default::default() };
            apply_task_definition_changes(&mut next, &changes).ok()?;
            let td = &next.task_definition;
            let mut line = register_task_definition_line(td, s);
            if let Some(svc) = &s.service {
                let _ = write!(line, " && aws ecs update-service {ecs_target} --task-definition {}:{}", q(&td.family), td.revision);
                if let Some(lb) = &svc.load_balancer {
                    let lb = ServiceLoadBalancer { container_port: *container_port, ..lb.clone() };
                    let _ = write!(line, " --load-balancers {}", q(&load_balancers_arg(s, &lb)));
                }
            }
            line
        }
        Command::CreateNetworkAcl { network_acl_id } => format!(
            "aws ec2 create-network-acl --vpc-id {} --tag-specifications {}",
            q(&s.vpc.id),
            q(&format!("ResourceType=network-acl,Tags=[{{Key=Name,Value={network_acl_id}}}]"))
        ),
        Command::CreateNetworkAclEntry { network_acl_id, egress, rule_number, protocol, from_port, to_port, cidr_block, rule_action } => {
            let mut line = format!(
                "aws ec2 create-network-acl-entry --network-acl-id {} {} --rule-number {rule_number}",
                q(acl_cli_id(network_acl_id)),
                if *egress { "--egress" } else { "--ingress" }
            );
            if protocol == "all" {
                line.push_str(" --protocol -1");
                // AWS ignores the ports of an all-traffic entry; kept so the entry reads back the same.
                if (*from_port, *to_port) != (0, 65535) {
                    let _ = write!(line, " --port-range From={from_port},To={to_port}");
                }
            } else {
                let _ = write!(line, " --protocol {} --port-range From={from_port},To={to_port}", q(protocol));
            }
            let action = match rule_action {
                NaclAction::Allow => "allow",
                NaclAction::Deny => "deny",
            };
            let _ = write!(line, " --cidr-block {} --rule-action {action}", q(cidr_block));
            line
        }
        Command::DeleteNetworkAclEntry { network_acl_id, egress, rule_number } => format!(
            "aws ec2 delete-network-acl-entry --network-acl-id {} {} --rule-number {rule_number}",
            q(acl_cli_id(network_acl_id)),
            if *egress { "--egress" } else { "--ingress" }
        ),
        Command::ReplaceNetworkAclAssociation { subnet_id, network_acl_id } => format!(
            "aws ec2 replace-network-acl-association --association-id {} --network-acl-id {}",
            q(&format!("aclassoc-{subnet_id}")),
            q(acl_cli_id(network_acl_id))
        ),
        Command::SetSubnets { subnets } => {
            let mut line = format!("aws elbv2 set-subnets --load-balancer-arn {} --subnets", load_balancer_arn(s));
            if subnets.is_empty() || subnets.iter().any(|x| x.starts_with('[') || x.starts_with("--")) {
                let _ = write!(line, " {}", q(&json!(subnets).to_string()));
            } else {
                for subnet in subnets {
                    let _ = write!(line, " {}", q(subnet));
                }
            }
            line
        }
        Command::SetServiceSubnets { subnets } => {
            let (groups, public) = match s.service.as_ref().and_then(|svc| svc.network_configuration.as_ref()) {
                Some(nc) => (nc.security_groups.clone(), nc.assign_public_ip),
                None => (vec![], false),
            };
            format!(
                "aws ecs update-service {ecs_target} --network-configuration {}",
                q(&network_configuration_arg(subnets, &groups, public))
            )
        }
    })
}

fn load_balancers_arg(s: &Scenario, lb: &ServiceLoadBalancer) -> String {
    format!("targetGroupArn={},containerName={},containerPort={}", tg_arn_of(s, &lb.target_group), lb.container_name, lb.container_port)
}

/// `modify-target-group` flags for the health-check settings that differ from `current` (all
/// of them when there is none).
fn health_check_flags(hc: &HealthCheck, current: Option<&HealthCheck>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let differs = |f: fn(&HealthCheck) -> String| current.is_none_or(|c| f(c) != f(hc));
    if differs(|h| h.protocol.clone()) {
        out.push(("--health-check-protocol", shell_quote(&hc.protocol)));
    }
    if differs(|h| h.port.clone()) {
        out.push(("--health-check-port", shell_quote(&hc.port)));
    }
    if differs(|h| h.path.clone()) {
        out.push(("--health-check-path", shell_quote(&hc.path)));
    }
    if differs(|h| h.interval_seconds.to_string()) {
        out.push(("--health-check-interval-seconds", hc.interval_seconds.to_string()));
    }
    if differs(|h| h.timeout_seconds.to_string()) {
        out.push(("--health-check-timeout-seconds", hc.timeout_seconds.to_string()));
    }
    if differs(|h| h.healthy_threshold_count.to_string()) {
        out.push(("--healthy-threshold-count", hc.healthy_threshold_count.to_string()));
    }
    if differs(|h| h.unhealthy_threshold_count.to_string()) {
        out.push(("--unhealthy-threshold-count", hc.unhealthy_threshold_count.to_string()));
    }
    if differs(|h| h.matcher.clone()) {
        let bare = !hc.matcher.is_empty() && hc.matcher.chars().all(|c| c.is_ascii_digit() || c == '-');
        let arg = if bare { format!("HttpCode={}", hc.matcher) } else { json!({ "HttpCode": hc.matcher }).to_string() };
        out.push(("--matcher", shell_quote(&arg)));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reading a command line.

/// What a console line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// An empty line or a comment.
    Nothing,
    /// A change, and the AWS operation it calls (for the error text).
    Change {
        operation: &'static str,
        command: Command,
    },
    Describe(Describe),
}

/// The read commands.
#[derive(Clone, Debug, PartialEq)]
pub enum Describe {
    /// `describe-target-health --target-group-arn`: the target group's name.
    TargetHealth(String),
    /// `describe-target-groups`: the names asked for (all when empty), only those the load
    /// balancer forwards to with `--load-balancer-arn`.
    TargetGroups { names: Vec<String>, of_load_balancer: bool },
    /// `describe-services --cluster --services`.
    Services { cluster: String, services: Vec<String> },
    /// `describe-security-groups`: the ids asked for (all when empty).
    SecurityGroups(Vec<String>),
}

/// A line the console cannot run, in the words the AWS CLI would use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError(pub String);

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage_error(text: impl Into<String>) -> CliError {
    CliError(format!("aws: error: {}", text.into()))
}

fn validation(operation: &str, text: impl AsRef<str>) -> CliError {
    CliError(format!("An error occurred ({}) when calling the {operation} operation: {}", invalid_code(operation), text.as_ref()))
}

/// The code each service gives a request with a wrong value: ELB `ValidationError`, EC2
/// `InvalidParameterValue`, ECS `InvalidParameterException` (`ClientException` for a task
/// definition).
fn invalid_code(operation: &str) -> &'static str {
    match operation {
        "RegisterTaskDefinition" => "ClientException",
        "CreateService" | "UpdateService" | "DescribeServices" => "InvalidParameterException",
        o if o.contains("SecurityGroup") || o.contains("NetworkAcl") => "InvalidParameterValue",
        _ => "ValidationError",
    }
}

/// How the AWS CLI prints a refusal from the service.
pub fn service_error(operation: &str, error: &CommandError) -> String {
    let (code, message) = match error {
        CommandError::Api { code, message } => (*code, message.clone()),
        CommandError::Ecs(refusal) => ("InvalidParameterException", refusal.to_string()),
        CommandError::Invalid(errors) => (invalid_code(operation), errors.to_string()),
        CommandError::Lab(message) => return message.clone(),
    };
    format!("An error occurred ({code}) when calling the {operation} operation: {message}")
}

/// How many values a flag takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arity {
    Flag,
    One,
    Many,
}

struct Operation {
    service: &'static str,
    name: &'static str,
    api: &'static str,
    flags: &'static [(&'static str, Arity)],
    required: &'static [&'static str],
}

use Arity::{Flag, Many, One};

const SG_FLAGS: &[(&str, Arity)] =
    &[("--group-id", One), ("--protocol", One), ("--port", One), ("--cidr", One), ("--source-group", One), ("--ip-permissions", Many)];

/// Every operation the lab models, with its flags.
const OPERATIONS: &[Operation] = &[
    Operation {
        service: "elbv2",
        name: "create-listener",
        api: "CreateListener",
        flags: &[("--load-balancer-arn", One), ("--protocol", One), ("--port", One), ("--default-actions", Many)],
        required: &["--load-balancer-arn", "--default-actions"],
    },
    Operation {
        service: "elbv2",
        name: "delete-listener",
        api: "DeleteListener",
        flags: &[("--listener-arn", One)],
        required: &["--listener-arn"],
    },
    Operation {
        service: "elbv2",
        name: "modify-listener",
        api: "ModifyListener",
        flags: &[("--listener-arn", One), ("--port", One), ("--protocol", One)],
        required: &["--listener-arn"],
    },
    Operation {
        service: "elbv2",
        name: "modify-load-balancer-attributes",
        api: "ModifyLoadBalancerAttributes",
        flags: &[("--load-balancer-arn", One), ("--attributes", Many)],
        required: &["--load-balancer-arn", "--attributes"],
    },
    Operation {
        service: "elbv2",
        name: "modify-target-group",
        api: "ModifyTargetGroup",
        flags: &[
            ("--target-group-arn", One),
            ("--health-check-protocol", One),
            ("--health-check-port", One),
            ("--health-check-path", One),
            ("--health-check-interval-seconds", One),
            ("--health-check-timeout-seconds", One),
            ("--healthy-threshold-count", One),
            ("--unhealthy-threshold-count", One),
            ("--matcher", One),
        ],
        required: &["--target-group-arn"],
    },
    Operation {
        service: "elbv2",
        name: "modify-target-group-attributes",
        api: "ModifyTargetGroupAttributes",
        flags: &[("--target-group-arn", One), ("--attributes", Many)],
        required: &["--target-group-arn", "--attributes"],
    },
    Operation {
        service: "elbv2",
        name: "create-target-group",
        api: "CreateTargetGroup",
        flags: &[("--name", One), ("--protocol", One), ("--port", One), ("--target-type", One), ("--vpc-id", One)],
        required: &["--name"],
    },
    Operation {
        service: "elbv2",
        name: "set-subnets",
        api: "SetSubnets",
        flags: &[("--load-balancer-arn", One), ("--subnets", Many)],
        required: &["--load-balancer-arn", "--subnets"],
    },
    Operation {
        service: "elbv2",
        name: "describe-target-health",
        api: "DescribeTargetHealth",
        flags: &[("--target-group-arn", One)],
        required: &["--target-group-arn"],
    },
    Operation {
        service: "elbv2",
        name: "describe-target-groups",
        api: "DescribeTargetGroups",
        flags: &[("--target-group-arns", Many), ("--names", Many), ("--load-balancer-arn", One)],
        required: &[],
    },
    Operation {
        service: "ec2",
        name: "authorize-security-group-ingress",
        api: "AuthorizeSecurityGroupIngress",
        flags: SG_FLAGS,
        required: &[],
    },
    Operation { service: "ec2", name: "revoke-security-group-ingress", api: "RevokeSecurityGroupIngress", flags: SG_FLAGS, required: &[] },
    Operation {
        service: "ec2",
        name: "authorize-security-group-egress",
        api: "AuthorizeSecurityGroupEgress",
        flags: SG_FLAGS,
        required: &["--group-id"],
    },
    Operation {
        service: "ec2",
        name: "revoke-security-group-egress",
        api: "RevokeSecurityGroupEgress",
        flags: SG_FLAGS,
        required: &["--group-id"],
    },
    Operation {
        service: "ec2",
        name: "create-network-acl",
        api: "CreateNetworkAcl",
        flags: &[("--vpc-id", One), ("--tag-specifications", Many)],
        required: &["--vpc-id"],
    },
    Operation {
        service: "ec2",
        name: "create-network-acl-entry",
        api: "CreateNetworkAclEntry",
        flags: &[
            ("--network-acl-id", One),
            ("--ingress", Flag),
            ("--egress", Flag),
            ("--rule-number", One),
            ("--protocol", One),
            ("--port-range", One),
            ("--cidr-block", One),
            ("--rule-action", One),
        ],
        required: &["--network-acl-id", "--rule-number", "--protocol", "--rule-action"],
    },
    Operation {
        service: "ec2",
        name: "delete-network-acl-entry",
        api: "DeleteNetworkAclEntry",
        flags: &[("--network-acl-id", One), ("--ingress", Flag), ("--egress", Flag), ("--rule-number", One)],
        required: &["--network-acl-id", "--rule-number"],
    },
    Operation {
        service: "ec2",
        name: "replace-network-acl-association",
        api: "ReplaceNetworkAclAssociation",
        flags: &[("--association-id", One), ("--network-acl-id", One)],
        required: &["--association-id", "--network-acl-id"],
    },
    Operation {
        service: "ec2",
        name: "describe-security-groups",
        api: "DescribeSecurityGroups",
        flags: &[("--group-ids", Many)],
        required: &[],
    },
    Operation {
        service: "ecs",
        name: "create-service",
        api: "CreateService",
        flags: &[
            ("--cluster", One),
            ("--service-name", One),
            ("--task-definition", One),
            ("--desired-count", One),
            ("--launch-type", One),
            ("--load-balancers", Many),
            ("--network-configuration", One),
        ],
        required: &["--service-name"],
    },
    Operation {
        service: "ecs",
        name: "update-service",
        api: "UpdateService",
        flags: &[
            ("--cluster", One),
            ("--service", One),
            ("--desired-count", One),
            ("--health-check-grace-period-seconds", One),
            ("--deployment-configuration", One),
            ("--network-configuration", One),
            ("--load-balancers", Many),
            ("--task-definition", One),
            ("--force-new-deployment", Flag),
            ("--no-force-new-deployment", Flag),
        ],
        required: &["--service"],
    },
    Operation {
        service: "ecs",
        name: "register-task-definition",
        api: "RegisterTaskDefinition",
        flags: &[
            ("--family", One),
            ("--network-mode", One),
            ("--requires-compatibilities", Many),
            ("--cpu", One),
            ("--memory", One),
            ("--container-definitions", One),
        ],
        required: &["--family", "--container-definitions"],
    },
    Operation {
        service: "ecs",
        name: "describe-services",
        api: "DescribeServices",
        flags: &[("--cluster", One), ("--services", Many)],
        required: &["--services"],
    },
];

const SERVICES: [&str; 3] = ["ec2", "ecs", "elbv2"];

/// Flags every AWS CLI command takes that change only how the answer is printed or where it is
/// sent; the lab prints JSON and has one account, so it accepts and ignores them.
const GLOBAL_FLAGS: [(&str, Arity); 4] = [("--region", One), ("--output", One), ("--profile", One), ("--no-cli-pager", Flag)];

/// Split a line as a POSIX shell would: quotes, backslashes, `#` comments, and `&&` between
/// commands. Returns the commands, each a list of words.
fn words(line: &str) -> Result<Vec<Vec<String>>, CliError> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(CliError("The line ends inside a quoted word: a closing ' is missing.".into())),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(CliError("The line ends inside a quoted word: a closing \" is missing.".into())),
                        },
                        Some(c) => word.push(c),
                        None => return Err(CliError("The line ends inside a quoted word: a closing \" is missing.".into())),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
            },
            '#' if !in_word => break,
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                if in_word {
                    commands.last_mut().expect("one command at least").push(std::mem::take(&mut word));
                    in_word = false;
                }
                commands.push(Vec::new());
            }
            ';' | '|' | '&' | '>' | '<' | '`' | '$' => {
                return Err(CliError(format!("The console runs aws commands, not shell: '{c}' is not read here.")));
            }
            c if c.is_whitespace() => {
                if in_word {
                    commands.last_mut().expect("one command at least").push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        commands.last_mut().expect("one command at least").push(word);
    }
    Ok(commands)
}

/// One command's words, checked against its operation's flags.
struct Call {
    op: &'static Operation,
    args: Vec<(&'static str, Vec<String>)>,
}

impl Call {
    fn get(&self, flag: &str) -> Option<&[String]> {
        self.args.iter().find(|(f, _)| *f == flag).map(|(_, v)| v.as_slice())
    }
    fn one(&self, flag: &str) -> Option<&str> {
        self.get(flag).and_then(|v| v.first()).map(String::as_str)
    }
    fn has(&self, flag: &str) -> bool {
        self.get(flag).is_some()
    }
    fn number<T: std::str::FromStr>(&self, flag: &str) -> Result<Option<T>, CliError> {
        match self.one(flag) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| CliError(format!("Invalid value for parameter {flag}: invalid literal for int() with base 10: '{v}'"))),
        }
    }
    fn validation(&self, text: impl AsRef<str>) -> CliError {
        validation(self.op.api, text)
    }
}

/// Options the AWS CLI has that the lab does not model: refused by name rather than ignored.
const UNMODELLED_FLAGS: [&str; 17] = [
    "--query",
    "--debug",
    "--dry-run",
    "--no-dry-run",
    "--filters",
    "--max-items",
    "--page-size",
    "--starting-token",
    "--no-paginate",
    "--endpoint-url",
    "--no-verify-ssl",
    "--color",
    "--cli-input-json",
    "--cli-input-yaml",
    "--generate-cli-skeleton",
    "--ca-bundle",
    "--cli-read-timeout",
];

fn read_call(words: &[String]) -> Result<Call, CliError> {
    // `--flag=value` is the same as `--flag value`, as argparse reads it.
    let words: Vec<String> = words
        .iter()
        .flat_map(|w| match w.strip_prefix("--").and_then(|rest| rest.split_once('=')) {
            Some((flag, value)) => vec![format!("--{flag}"), value.to_string()],
            None => vec![w.clone()],
        })
        .collect();
    let mut i = 0;
    if words.first().map(String::as_str) == Some("aws") {
        i = 1;
    } else if let Some(first) = words.first() {
        return Err(CliError(format!("{first}: not modelled here. The console takes aws commands: aws elbv2 …, aws ec2 …, aws ecs ….")));
    }
    // Global options may come before the service: `aws --region us-east-1 ec2 …`.
    let mut leading: Vec<(&'static str, Vec<String>)> = Vec::new();
    while let Some(&(flag, arity)) = words.get(i).and_then(|w| GLOBAL_FLAGS.iter().find(|(f, _)| f == w)) {
        i += 1;
        let mut values = Vec::new();
        if arity == One {
            match words.get(i) {
                Some(v) if !v.starts_with("--") => values.push(v.clone()),
                _ => return Err(usage_error(format!("argument {flag}: expected one argument"))),
            }
            i += 1;
        }
        leading.push((flag, values));
    }
    let Some(service) = words.get(i) else {
        return Err(usage_error("the following arguments are required: command"));
    };
    if !SERVICES.contains(&service.as_str()) {
        if service.starts_with('-') {
            return Err(usage_error("the following arguments are required: command"));
        }
        return Err(CliError(format!(
            "aws {service}: not modelled here. This lab models the load balancer (aws elbv2), the network (aws ec2) and the service (aws ecs)."
        )));
    }
    let Some(name) = words.get(i + 1) else {
        return Err(usage_error("the following arguments are required: operation"));
    };
    let Some(op) = OPERATIONS.iter().find(|o| o.service == service && o.name == name) else {
        let known: Vec<&str> = OPERATIONS.iter().filter(|o| o.service == service).map(|o| o.name).collect();
        return Err(CliError(format!("aws {service} {name}: not modelled here. The lab models: {}.", known.join(", "))));
    };
    let mut args: Vec<(&'static str, Vec<String>)> = leading;
    let mut unknown = Vec::new();
    let mut rest = words[i + 2..].iter().peekable();
    while let Some(word) = rest.next() {
        let spec = op.flags.iter().chain(GLOBAL_FLAGS.iter()).find(|(f, _)| f == word);
        let Some(&(flag, arity)) = spec else {
            if UNMODELLED_FLAGS.contains(&word.as_str()) {
                return Err(CliError(format!("{word}: not modelled here. The lab prints the whole answer as JSON.")));
            }
            unknown.push(word.clone());
            continue;
        };
        // Given twice, the last one counts, as argparse keeps it.
        args.retain(|(f, _)| *f != flag);
        let mut values = Vec::new();
        match arity {
            Flag => {}
            One => match rest.next() {
                Some(v) if !v.starts_with("--") => values.push(v.clone()),
                _ => return Err(usage_error(format!("argument {flag}: expected one argument"))),
            },
            Many => {
                while let Some(v) = rest.next_if(|v| !v.starts_with("--")) {
                    values.push(v.clone());
                }
                if values.is_empty() {
                    return Err(usage_error(format!("argument {flag}: expected at least one argument")));
                }
            }
        }
        args.push((flag, values));
    }
    if !unknown.is_empty() {
        return Err(usage_error(format!("Unknown options: {}", unknown.join(", "))));
    }
    if let Some(output) = args.iter().find(|(f, _)| *f == "--output").and_then(|(_, v)| v.first()) {
        if output != "json" {
            return Err(CliError(format!("--output {output}: not modelled here. The lab prints JSON.")));
        }
    }
    let missing: Vec<&str> = op.required.iter().copied().filter(|r| !args.iter().any(|(f, _)| f == r)).collect();
    if !missing.is_empty() {
        return Err(usage_error(format!("the following arguments are required: {}", missing.join(", "))));
    }
    Ok(Call { op, args })
}

/// A value in the AWS CLI's shorthand (`Key=a,Value=b`, `{subnets=[a,b]}`) or JSON, read into
/// JSON. Shorthand scalars stay strings.
pub fn read_value(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t.starts_with('[') || t.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(t) {
            return Ok(v);
        }
    }
    let mut p = Shorthand { chars: t.chars().collect(), at: 0 };
    let v = if t.starts_with('[') || t.starts_with('{') { p.value()? } else { p.members(None)? };
    if p.at < p.chars.len() {
        return Err(format!("Error parsing parameter: unexpected '{}' at character {}", p.chars[p.at], p.at + 1));
    }
    Ok(v)
}

struct Shorthand {
    chars: Vec<char>,
    at: usize,
}

impl Shorthand {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("Error parsing parameter: expected '{c}' at character {}", self.at + 1))
        }
    }
    /// `key=value,key=value` up to `end` (or the end of the text).
    fn members(&mut self, end: Option<char>) -> Result<Value, String> {
        let mut map = Map::new();
        loop {
            let start = self.at;
            while self.peek().is_some_and(|c| c != '=' && c != ',' && Some(c) != end) {
                self.at += 1;
            }
            let key: String = self.chars[start..self.at].iter().collect::<String>().trim().to_string();
            if key.is_empty() {
                return Err(format!("Error parsing parameter: expected a key at character {}", self.at + 1));
            }
            self.expect('=')?;
            let value = self.value()?;
            map.insert(key, value);
            if self.peek() == Some(',') {
                self.at += 1;
                continue;
            }
            return Ok(Value::Object(map));
        }
    }
    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some('{') => {
                self.at += 1;
                let v = if self.peek() == Some('}') { Value::Object(Map::new()) } else { self.members(Some('}'))? };
                self.expect('}')?;
                Ok(v)
            }
            Some('[') => {
                self.at += 1;
                let mut items = Vec::new();
                while self.peek() != Some(']') {
                    items.push(self.value()?);
                    if self.peek() == Some(',') {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                self.expect(']')?;
                Ok(Value::Array(items))
            }
            _ => {
                let start = self.at;
                while self.peek().is_some_and(|c| !",]}".contains(c)) {
                    self.at += 1;
                }
                Ok(Value::String(self.chars[start..self.at].iter().collect::<String>().trim().to_string()))
            }
        }
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|o| o.get(key))
}

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list_of(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => vec![],
    }
}

fn strings_of(v: Option<&Value>) -> Vec<String> {
    list_of(v).iter().filter_map(|x| text_of(Some(x))).collect()
}

/// A list parameter: the words after the flag, or one JSON list (`'[]'`, `'["subnet-a"]'`).
fn list_arg(call: &Call, flag: &str) -> Result<Vec<String>, CliError> {
    let values = call.get(flag).unwrap_or_default();
    match values {
        [one] if one.trim_start().starts_with('[') => {
            let v: Value = serde_json::from_str(one).map_err(|e| usage_error(format!("argument {flag}: Invalid JSON: {e}")))?;
            Ok(strings_of(Some(&v)))
        }
        _ => Ok(values.to_vec()),
    }
}

fn port_number(call: &Call, what: &str, text: &str) -> Result<u16, CliError> {
    text.trim().parse().map_err(|_| call.validation(format!("{what} '{text}' is not a port number (0-65535)")))
}

/// The name inside an ELB ARN of this kind, or a validation error in ELB's words.
fn name_in_arn(call: &Call, arn: &str, kind: &str) -> Result<String, CliError> {
    let prefix = format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:{kind}/");
    let rest = arn
        .strip_prefix(&prefix)
        .ok_or_else(|| call.validation(format!("'{arn}' is not a valid {} ARN", kind.replace("group", " group"))))?;
    match kind {
        "targetgroup" => match rest.rsplit_once('/') {
            Some((name, _)) if !name.is_empty() => Ok(name.to_string()),
            _ => Err(call.validation(format!("'{arn}' is not a valid target group ARN"))),
        },
        _ => Ok(rest.to_string()),
    }
}

fn target_group_of(call: &Call, flag: &str) -> Result<String, CliError> {
    let arn = call.one(flag).unwrap_or_default();
    name_in_arn(call, arn, "targetgroup")
}

fn listener_port(call: &Call, s: &Scenario) -> Result<u16, CliError> {
    let arn = call.one("--listener-arn").unwrap_or_default();
    let ports: Vec<u16> = s.load_balancer.listeners.iter().map(|l| l.port).collect();
    ports.into_iter().find(|p| listener_arn(s, *p) == arn).ok_or_else(|| {
        CliError(format!(
            "An error occurred (ListenerNotFound) when calling the {} operation: One or more listeners not found",
            call.op.api
        ))
    })
}

fn load_balancer_matches(call: &Call, s: &Scenario) -> Result<(), CliError> {
    let arn = call.one("--load-balancer-arn").unwrap_or_default();
    if arn == load_balancer_arn(s) {
        Ok(())
    } else {
        Err(CliError(format!(
            "An error occurred (LoadBalancerNotFound) when calling the {} operation: One or more load balancers not found",
            call.op.api
        )))
    }
}

fn service_matches(call: &Call, s: &Scenario, service_flag: &str) -> Result<(), CliError> {
    let cluster = call.one("--cluster").unwrap_or("default");
    // A cluster is named by its name or its ARN (`arn:aws:ecs:…:cluster/lab`).
    let cluster = cluster.rsplit('/').next().unwrap_or(cluster);
    let (want_cluster, want_service) = cluster_and_service(s);
    if cluster != want_cluster {
        return Err(CliError(format!(
            "An error occurred (ClusterNotFoundException) when calling the {} operation: Cluster not found.",
            call.op.api
        )));
    }
    let service = call.one(service_flag).unwrap_or_default();
    let service = service.rsplit('/').next().unwrap_or(service);
    if service != want_service || (s.service.is_none() && service_flag == "--service") {
        return Err(CliError(format!(
            "An error occurred (ServiceNotFoundException) when calling the {} operation: Service not found.",
            call.op.api
        )));
    }
    Ok(())
}

/// One security-group rule from `--protocol/--port/--cidr/--source-group` or `--ip-permissions`.
fn sg_rule(call: &Call) -> Result<(String, u16, u16, String), CliError> {
    let group_id = call
        .one("--group-id")
        .ok_or_else(|| {
            CliError(format!(
                "An error occurred (MissingParameter) when calling the {} operation: The request must contain the parameter groupId",
                call.op.api
            ))
        })?
        .to_string();
    if let Some(permissions) = call.get("--ip-permissions") {
        if let Some(flag) = ["--protocol", "--port", "--cidr", "--source-group"].into_iter().find(|f| call.has(f)) {
            return Err(CliError(format!("The {flag} option is not compatible with the --ip-permissions option")));
        }
        let mut rules = Vec::new();
        for text in permissions {
            let v = read_value(text).map_err(CliError)?;
            for p in list_of(Some(&v)) {
                let protocol = text_of(field(&p, "IpProtocol")).unwrap_or_default();
                let (from, to) = match protocol.as_str() {
                    "tcp" | "6" => {
                        let from = text_of(field(&p, "FromPort")).unwrap_or_default();
                        let to = text_of(field(&p, "ToPort")).unwrap_or_default();
                        (port_number(call, "FromPort", &from)?, port_number(call, "ToPort", &to)?)
                    }
                    "-1" | "all" => (0, 65535),
                    other => return Err(not_tcp(call, other)),
                };
                for r in list_of(field(&p, "IpRanges")) {
                    rules.push((from, to, text_of(field(&r, "CidrIp")).unwrap_or_default()));
                }
                for g in list_of(field(&p, "UserIdGroupPairs")) {
                    rules.push((from, to, text_of(field(&g, "GroupId")).unwrap_or_default()));
                }
            }
        }
        return match rules.as_slice() {
            [(from, to, peer)] => Ok((group_id, *from, *to, peer.clone())),
            [] => Err(call.validation("--ip-permissions names no IpRanges or UserIdGroupPairs")),
            _ => Err(CliError(format!(
                "The lab applies one rule per command: this --ip-permissions holds {} rules. Run one command for each.",
                rules.len()
            ))),
        };
    }
    let missing = |parameter: &str, flag: &str| {
        CliError(format!(
            "An error occurred (MissingParameter) when calling the {} operation: The request must contain the parameter {parameter} ({flag})",
            call.op.api
        ))
    };
    let Some(protocol) = call.one("--protocol") else { return Err(missing("ipProtocol", "--protocol")) };
    let all_ports = |port: Option<&str>| port.is_none_or(|p| p == "all" || p == "-1");
    let (from, to) = match protocol {
        "tcp" | "6" => {
            let port = call.one("--port");
            if all_ports(port) {
                // Without --port (or with `all`), the rule covers every port of the protocol.
                (0, 65535)
            } else {
                let port = port.unwrap_or_default();
                let bad = || CliError("port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)".into());
                let (a, b) = port.split_once('-').unwrap_or((port, port));
                (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?)
            }
        }
        "-1" | "all" => (0, 65535),
        other if other.parse::<i32>().is_ok() || ["udp", "icmp"].contains(&other) => return Err(not_tcp(call, other)),
        _ => return Err(CliError("protocol parameter should be one of: tcp|udp|icmp|all or any valid protocol number.".into())),
    };
    let peer = match (call.one("--cidr"), call.one("--source-group")) {
        (Some(c), None) => c.to_string(),
        (None, Some(g)) => g.to_string(),
        (Some(_), Some(_)) => {
            return Err(CliError(format!(
                "An error occurred (InvalidParameterCombination) when calling the {} operation: --cidr cannot be used with --source-group",
                call.op.api
            )))
        }
        (None, None) => return Err(missing("ipRanges or userIdGroupPairs", "--cidr or --source-group")),
    };
    Ok((group_id, from, to, peer))
}

fn not_tcp(call: &Call, protocol: &str) -> CliError {
    CliError(format!(
        "{} with protocol '{protocol}': not modelled here. The lab models TCP only (tcp, or -1 for all traffic).",
        call.op.name
    ))
}

fn parse_attributes(call: &Call) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    for text in call.get("--attributes").unwrap_or_default() {
        let v = read_value(text).map_err(CliError)?;
        for a in list_of(Some(&v)) {
            let (Some(key), Some(value)) = (text_of(field(&a, "Key")), text_of(field(&a, "Value"))) else {
                return Err(call.validation(format!("each attribute needs Key and Value: '{text}'")));
            };
            out.push((key, value));
        }
    }
    Ok(out)
}

fn seconds(call: &Call, key: &str, value: &str) -> Result<u32, CliError> {
    value.trim().parse().map_err(|_| call.validation(format!("The value of '{key}' must be a whole number: '{value}'")))
}

/// `--network-configuration`: the subnets, groups and public IP it names.
fn network_configuration(call: &Call) -> Result<Option<NetworkConfiguration>, CliError> {
    let Some(text) = call.one("--network-configuration") else { return Ok(None) };
    let v = read_value(text).map_err(CliError)?;
    let Some(awsvpc) = field(&v, "awsvpcConfiguration") else {
        return Err(CliError(format!(
            "An error occurred (InvalidParameterException) when calling the {} operation: networkConfiguration needs awsvpcConfiguration",
            call.op.api
        )));
    };
    let subnets = strings_of(field(awsvpc, "subnets"));
    let groups = strings_of(field(awsvpc, "securityGroups"));
    let public = match text_of(field(awsvpc, "assignPublicIp")).as_deref() {
        None | Some("DISABLED") => false,
        Some("ENABLED") => true,
        Some(other) => {
            return Err(usage_error(format!("Invalid value for assignPublicIp: '{other}', valid values are: ENABLED, DISABLED")))
        }
    };
    Ok(Some(NetworkConfiguration { subnets, security_groups: groups, assign_public_ip: public }))
}

fn load_balancers(call: &Call) -> Result<Option<Option<ServiceLoadBalancer>>, CliError> {
    let Some(values) = call.get("--load-balancers") else { return Ok(None) };
    let mut items = Vec::new();
    for text in values {
        let v = read_value(text).map_err(CliError)?;
        items.extend(list_of(Some(&v)));
    }
    match items.as_slice() {
        [] => Ok(Some(None)),
        [lb] => {
            let arn = text_of(field(lb, "targetGroupArn")).unwrap_or_default();
            let target_group = name_in_arn(call, &arn, "targetgroup")?;
            let container_name = text_of(field(lb, "containerName")).unwrap_or_default();
            let port = text_of(field(lb, "containerPort")).unwrap_or_default();
            let container_port = port_number(call, "containerPort", &port)?;
            Ok(Some(Some(ServiceLoadBalancer { target_group, container_name, container_port })))
        }
        _ => Err(CliError("Several load balancers for one service: not modelled here. The lab's service uses one target group.".into())),
    }
}

/// The task definition a `register-task-definition` describes, read against the current one.
fn task_definition_changes(call: &Call, s: &Scenario) -> Result<TaskDefinitionChanges, CliError> {
    let current = &s.task_definition;
    let family = call.one("--family").unwrap_or_default();
    if family != current.family {
        return Err(CliError(format!(
            "A new task definition family ('{family}'): not modelled here. The lab's service runs the family '{}'.",
            current.family
        )));
    }
    let mode = match call.one("--network-mode").unwrap_or("bridge") {
        "awsvpc" => NetworkMode::Awsvpc,
        "bridge" => NetworkMode::Bridge,
        other => return Err(CliError(format!("--network-mode {other}: not modelled here. The lab models awsvpc and bridge."))),
    };
    let text = call.one("--container-definitions").unwrap_or_default();
    let defs = read_value(text).map_err(CliError)?;
    let defs = list_of(Some(&defs));
    let [def] = defs.as_slice() else {
        return Err(CliError(format!("{} containers: not modelled here. The lab's task has one container.", defs.len())));
    };
    let name = text_of(field(def, "name")).unwrap_or_default();
    if name != current.container.name {
        return Err(CliError(format!(
            "A container named '{name}': not modelled here. The lab's task has one container, '{}'.",
            current.container.name
        )));
    }
    let mappings = list_of(field(def, "portMappings"));
    if mappings.len() > 1 {
        return Err(CliError("Several port mappings: not modelled here. The lab's container maps one port.".into()));
    }
    let mapping = match mappings.first() {
        Some(m) => {
            let cp = text_of(field(m, "containerPort")).unwrap_or_default();
            let container_port = port_number(call, "containerPort", &cp)?;
            let host_port = match text_of(field(m, "hostPort")) {
                Some(h) => Some(port_number(call, "hostPort", &h)?),
                None => None,
            };
            Some((container_port, host_port))
        }
        None => None,
    };
    let mut env: Vec<(String, String)> = Vec::new();
    for e in list_of(field(def, "environment")) {
        if let (Some(n), Some(v)) = (text_of(field(&e, "name")), text_of(field(&e, "value"))) {
            env.push((n, v));
        }
    }
    let env_of = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());

    let mut changes = TaskDefinitionChanges::default();
    if mode != current.network_mode {
        changes.network_mode = Some(mode);
    }
    let current_mapping = current.container.port_mappings.first();
    if let Some((cp, _)) = mapping {
        if current_mapping.map(|m| m.container_port) != Some(cp) {
            changes.container_port = Some(cp);
        }
    }
    // The host port the lab would give after the mode and port changes, compared with the one asked.
    let mut probe = s.clone();
    apply_task_definition_changes(&mut probe, &changes).map_err(|e| CliError(service_error(call.op.api, &e)))?;
    let after = probe.task_definition.container.port_mappings.first().and_then(|m| m.host_port);
    if let Some((cp, host)) = mapping {
        let asked = match (mode, host) {
            (NetworkMode::Awsvpc, Some(h)) if h == cp => None,
            (_, h) => h,
        };
        if asked != after {
            match asked {
                Some(h) => changes.host_port = Some(h),
                None => changes.host_port = Some(if mode == NetworkMode::Bridge { 0 } else { cp }),
            }
        }
    }
    let app = &current.container.app;
    let number = |name: &str| -> Result<Option<u32>, CliError> {
        match env_of(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| call.validation(format!("environment {name} must be a whole number: '{v}'"))),
        }
    };
    let answer = |name: &str| -> Result<Option<HealthResponse>, CliError> {
        match env_of(name) {
            None => Ok(None),
            Some(v) => HealthResponse::from_key(&v).map(Some).ok_or_else(|| {
                let keys: Vec<&str> = HealthResponse::ALL.iter().map(|h| h.key()).collect();
                call.validation(format!("environment {name} must be one of {}: '{v}'", keys.join(", ")))
            }),
        }
    };
    if let Some(p) = number("PORT")? {
        let p = u16::try_from(p).map_err(|_| call.validation(format!("environment PORT is not a port number: {p}")))?;
        if p != app.listen_port {
            changes.listen_port = Some(p);
        }
    }
    if let Some(v) = number("STARTUP_SECONDS")?.filter(|v| *v != app.startup_seconds) {
        changes.startup_seconds = Some(v);
    }
    if let Some(v) = env_of("HEALTH_PATH").filter(|v| *v != app.health_path) {
        changes.health_path = Some(v);
    }
    if let Some(v) = answer("HEALTH_RESPONSE")?.filter(|v| *v != app.health_response) {
        changes.health_response = Some(v);
    }
    if let Some(v) = answer("RESPONSE")?.filter(|v| *v != app.response) {
        changes.response = Some(v);
    }
    if let Some(v) = number("RESPONSE_TIME_MS")?.filter(|v| *v != app.response_time_ms) {
        changes.response_time_ms = Some(v);
    }
    if let Some(v) = number("SLOW_RESPONSE_SECONDS")?.filter(|v| *v != app.slow_response_seconds) {
        changes.slow_response_seconds = Some(v);
    }
    Ok(changes)
}

/// Read one console line. `before` is the setup it will be applied to (ARNs and ids are read
/// against it). A line that cannot be read changes nothing.
pub fn parse(line: &str, before: &Scenario) -> Result<Parsed, CliError> {
    if line.chars().count() > MAX_LINE_CHARS {
        return Err(CliError(format!("The line is longer than {MAX_LINE_CHARS} characters; nothing was run.")));
    }
    let commands = words(line)?;
    let commands: Vec<Vec<String>> = commands.into_iter().filter(|c| !c.is_empty()).collect();
    match commands.as_slice() {
        [] => Ok(Parsed::Nothing),
        [one] => parse_call(&read_call(one)?, before),
        [first, second] => {
            let (register, update) = (read_call(first)?, read_call(second)?);
            if register.op.name != "register-task-definition" || update.op.name != "update-service" {
                return Err(one_at_a_time());
            }
            parse_deploy(&register, &update, before)
        }
        _ => Err(one_at_a_time()),
    }
}

fn one_at_a_time() -> CliError {
    CliError("The console runs one command per line; && joins only register-task-definition and the update-service that deploys it.".into())
}

/// `register-task-definition … && update-service … --task-definition family:N`.
fn parse_deploy(register: &Call, update: &Call, s: &Scenario) -> Result<Parsed, CliError> {
    let changes = task_definition_changes(register, s)?;
    service_matches(update, s, "--service")?;
    let next_revision = s.task_definition.revision + 1;
    let expected = format!("{}:{next_revision}", s.task_definition.family);
    match update.one("--task-definition") {
        Some(td) if td == expected || td == s.task_definition.family => {}
        Some(td) => {
            return Err(CliError(format!(
                "update-service --task-definition {td}: the revision just registered is {expected}; the lab deploys that one."
            )))
        }
        None => return Err(usage_error("update-service after register-task-definition needs --task-definition")),
    }
    let others = [
        "--desired-count",
        "--health-check-grace-period-seconds",
        "--deployment-configuration",
        "--network-configuration",
        "--force-new-deployment",
    ];
    if others.iter().any(|f| update.has(f)) {
        return Err(one_at_a_time());
    }
    let command = match load_balancers(update)? {
        None => Command::RegisterTaskDefinition { changes, deploy: true },
        Some(Some(lb)) => {
            let other_changes = TaskDefinitionChanges { container_port: None, ..changes.clone() };
            let current_port = s.task_definition.container.port_mappings.first().map(|m| m.container_port);
            let port = changes.container_port.or(current_port);
            let current = s.service.as_ref().and_then(|svc| svc.load_balancer.as_ref());
            let same_target = current.is_some_and(|c| c.target_group == lb.target_group && c.container_name == lb.container_name);
            if other_changes == TaskDefinitionChanges::default() && port == Some(lb.container_port) && same_target {
                Command::SetContainerPort { container_port: lb.container_port }
            } else {
                return Err(one_at_a_time());
            }
        }
        Some(None) => return Err(one_at_a_time()),
    };
    Ok(Parsed::Change { operation: "RegisterTaskDefinition", command })
}

fn parse_call(call: &Call, s: &Scenario) -> Result<Parsed, CliError> {
    let change = |command: Command| Ok(Parsed::Change { operation: call.op.api, command });
    match call.op.name {
        "describe-target-health" => Ok(Parsed::Describe(Describe::TargetHealth(target_group_of(call, "--target-group-arn")?))),
        "describe-target-groups" => {
            let mut names = Vec::new();
            for arn in call.get("--target-group-arns").unwrap_or_default() {
                names.push(name_in_arn(call, arn, "targetgroup")?);
            }
            names.extend(call.get("--names").unwrap_or_default().iter().cloned());
            let of_load_balancer = call.has("--load-balancer-arn");
            if of_load_balancer {
                load_balancer_matches(call, s)?;
            }
            Ok(Parsed::Describe(Describe::TargetGroups { names, of_load_balancer }))
        }
        "describe-services" => Ok(Parsed::Describe(Describe::Services {
            cluster: call.one("--cluster").map(|c| c.rsplit('/').next().unwrap_or(c)).unwrap_or("default").to_string(),
            services: list_arg(call, "--services")?,
        })),
        "describe-security-groups" => Ok(Parsed::Describe(Describe::SecurityGroups(list_arg(call, "--group-ids")?))),
        "create-listener" => {
            load_balancer_matches(call, s)?;
            match call.one("--protocol").unwrap_or("HTTP") {
                "HTTP" => {}
                other => {
                    return Err(CliError(format!(
                        "A {other} listener: not modelled here. The lab's listeners are HTTP (HTTPS needs a certificate the lab does not have)."
                    )))
                }
            }
            let port = match call.one("--port") {
                Some(p) => port_number(call, "--port", p)?,
                None => 80,
            };
            let actions = call.get("--default-actions").unwrap_or_default();
            let mut items = Vec::new();
            for text in actions {
                items.extend(list_of(Some(&read_value(text).map_err(CliError)?)));
            }
            let [action] = items.as_slice() else {
                return Err(call.validation("The lab's listener takes one default action"));
            };
            match text_of(field(action, "Type")).as_deref() {
                Some("forward") => {}
                other => {
                    return Err(CliError(format!(
                        "A default action of type {}: not modelled here. The console's create-listener forwards to a target group.",
                        other.unwrap_or("(none)")
                    )))
                }
            }
            let arn = text_of(field(action, "TargetGroupArn")).unwrap_or_default();
            change(Command::CreateListener { port, target_group: name_in_arn(call, &arn, "targetgroup")? })
        }
        "delete-listener" => change(Command::DeleteListener { port: listener_port(call, s)? }),
        "modify-listener" => {
            let port = listener_port(call, s)?;
            if call.one("--protocol").is_some_and(|p| p != "HTTP") {
                return Err(CliError(format!(
                    "A {} listener: not modelled here. The lab's listeners are HTTP.",
                    call.one("--protocol").unwrap_or_default()
                )));
            }
            let Some(new_port) = call.one("--port") else {
                return Err(call.validation("Nothing to change: give --port"));
            };
            change(Command::ModifyListener { port, new_port: port_number(call, "--port", new_port)? })
        }
        "modify-load-balancer-attributes" => {
            load_balancer_matches(call, s)?;
            let attributes = parse_attributes(call)?;
            let [(key, value)] = attributes.as_slice() else {
                return Err(CliError("The lab applies one load balancer attribute per command: idle_timeout.timeout_seconds.".into()));
            };
            if key != "idle_timeout.timeout_seconds" {
                return Err(CliError(format!(
                    "The load balancer attribute {key}: not modelled here. The lab models idle_timeout.timeout_seconds."
                )));
            }
            change(Command::ModifyLoadBalancerAttributes { idle_timeout_seconds: seconds(call, key, value)? })
        }
        "modify-target-group" => {
            let target_group = target_group_of(call, "--target-group-arn")?;
            let mut hc = s.find_target_group(&target_group).map(|t| t.health_check.clone()).unwrap_or_default();
            let mut changed = false;
            let text = |flag: &str| call.one(flag).map(str::to_string);
            let num = |flag: &str| call.number::<u32>(flag);
            if let Some(v) = text("--health-check-protocol") {
                hc.protocol = v;
                changed = true;
            }
            if let Some(v) = text("--health-check-port") {
                hc.port = v;
                changed = true;
            }
            if let Some(v) = text("--health-check-path") {
                hc.path = v;
                changed = true;
            }
            if let Some(v) = num("--health-check-interval-seconds")? {
                hc.interval_seconds = v;
                changed = true;
            }
            if let Some(v) = num("--health-check-timeout-seconds")? {
                hc.timeout_seconds = v;
                changed = true;
            }
            if let Some(v) = num("--healthy-threshold-count")? {
                hc.healthy_threshold_count = v;
                changed = true;
            }
            if let Some(v) = num("--unhealthy-threshold-count")? {
                hc.unhealthy_threshold_count = v;
                changed = true;
            }
            if let Some(m) = call.one("--matcher") {
                let v = read_value(m).map_err(CliError)?;
                hc.matcher =
                    text_of(field(&v, "HttpCode")).ok_or_else(|| call.validation("--matcher needs HttpCode (GrpcCode is not modelled)"))?;
                changed = true;
            }
            if !changed {
                return Err(call.validation("At least one health check setting must be given"));
            }
            change(Command::ModifyTargetGroup { target_group, health_check: hc })
        }
        "modify-target-group-attributes" => {
            let target_group = target_group_of(call, "--target-group-arn")?;
            let (mut d, mut u, mut a) = (None, None, None);
            for (key, value) in parse_attributes(call)? {
                match key.as_str() {
                    "deregistration_delay.timeout_seconds" => d = Some(seconds(call, &key, &value)?),
                    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count" => u = Some(seconds(call, &key, &value)?),
                    "load_balancing.algorithm.type" => {
                        a = Some(match value.as_str() {
                            "round_robin" => LoadBalancingAlgorithm::RoundRobin,
                            "least_outstanding_requests" => LoadBalancingAlgorithm::LeastOutstandingRequests,
                            other => return Err(CliError(format!("The load balancing algorithm {other}: not modelled here. The lab models round_robin and least_outstanding_requests."))),
                        })
                    }
                    other => return Err(CliError(format!("The target group attribute {other}: not modelled here."))),
                }
            }
            change(Command::ModifyTargetGroupAttributes {
                target_group,
                deregistration_delay_seconds: d,
                unhealthy_state_routing_minimum_healthy_targets_count: u,
                load_balancing_algorithm: a,
            })
        }
        "create-target-group" => {
            let name = call.one("--name").unwrap_or_default().to_string();
            if s.find_target_group(&name).is_none() {
                return Err(CliError(format!(
                    "A second target group ('{name}'): not modelled here. In the lab, create-target-group recreates one of its own target groups with a new type or port."
                )));
            }
            if call.one("--protocol").is_some_and(|p| p != "HTTP") {
                return Err(CliError("A target group that is not HTTP: not modelled here.".into()));
            }
            if let Some(vpc) = call.one("--vpc-id").filter(|v| *v != s.vpc.id) {
                return Err(CliError(format!(
                    "An error occurred (ValidationError) when calling the CreateTargetGroup operation: The VPC ID '{vpc}' is not found"
                )));
            }
            let target_type = match call.one("--target-type").unwrap_or("instance") {
                "ip" => TargetType::Ip,
                "instance" => TargetType::Instance,
                other => return Err(CliError(format!("Target type {other}: not modelled here. The lab models ip and instance."))),
            };
            let Some(port) = call.one("--port") else { return Err(call.validation("A port must be specified")) };
            change(Command::RecreateTargetGroup { target_group: name, target_type, port: port_number(call, "--port", port)? })
        }
        "set-subnets" => {
            load_balancer_matches(call, s)?;
            change(Command::SetSubnets { subnets: list_arg(call, "--subnets")? })
        }
        "authorize-security-group-ingress"
        | "revoke-security-group-ingress"
        | "authorize-security-group-egress"
        | "revoke-security-group-egress" => {
            let (group_id, from_port, to_port, peer) = sg_rule(call)?;
            change(match call.op.name {
                "authorize-security-group-ingress" => Command::AuthorizeSecurityGroupIngress { group_id, from_port, to_port, source: peer },
                "revoke-security-group-ingress" => Command::RevokeSecurityGroupIngress { group_id, from_port, to_port, source: peer },
                "authorize-security-group-egress" => {
                    Command::AuthorizeSecurityGroupEgress { group_id, from_port, to_port, destination: peer }
                }
                _ => Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination: peer },
            })
        }
        "create-network-acl" => {
            if call.one("--vpc-id") != Some(s.vpc.id.as_str()) {
                return Err(CliError(format!(
                    "An error occurred (InvalidVpcID.NotFound) when calling the CreateNetworkAcl operation: The vpc ID '{}' does not exist",
                    call.one("--vpc-id").unwrap_or_default()
                )));
            }
            // AWS makes up the id; the lab takes it from a Name tag, or numbers it.
            let mut id = None;
            for text in call.get("--tag-specifications").unwrap_or_default() {
                let v = read_value(text).map_err(CliError)?;
                for spec in list_of(Some(&v)) {
                    for tag in list_of(field(&spec, "Tags")) {
                        if text_of(field(&tag, "Key")).as_deref() == Some("Name") {
                            id = text_of(field(&tag, "Value"));
                        }
                    }
                }
            }
            let id = id.unwrap_or_else(|| {
                (1..).map(|n| format!("acl-{n:017x}")).find(|c| !s.network_acls.iter().any(|a| a.id == *c)).expect("a free id")
            });
            change(Command::CreateNetworkAcl { network_acl_id: id })
        }
        "create-network-acl-entry" | "delete-network-acl-entry" => {
            let network_acl_id = acl_lab_id(call.one("--network-acl-id").unwrap_or_default());
            let egress = match (call.has("--ingress"), call.has("--egress")) {
                (true, false) => false,
                (false, true) => true,
                _ => return Err(usage_error("one of the arguments --ingress --egress is required")),
            };
            let rule_number = call.number::<u16>("--rule-number")?.unwrap_or_default();
            if call.op.name == "delete-network-acl-entry" {
                return change(Command::DeleteNetworkAclEntry { network_acl_id, egress, rule_number });
            }
            let range = match call.one("--port-range") {
                Some(range) => {
                    let v = read_value(range).map_err(CliError)?;
                    let from = text_of(field(&v, "From")).unwrap_or_default();
                    let to = text_of(field(&v, "To")).unwrap_or_default();
                    Some((port_number(call, "From", &from)?, port_number(call, "To", &to)?))
                }
                None => None,
            };
            let (protocol, (from_port, to_port)) = match call.one("--protocol").unwrap_or_default() {
                "-1" | "all" => ("all".to_string(), range.unwrap_or((0, 65535))),
                "tcp" | "6" => match range {
                    Some(r) => ("tcp".to_string(), r),
                    None => return Err(call.validation("TCP entries need --port-range From=…,To=…")),
                },
                other => return Err(not_tcp(call, other)),
            };
            let rule_action = match call.one("--rule-action").unwrap_or_default() {
                "allow" => NaclAction::Allow,
                "deny" => NaclAction::Deny,
                other => {
                    return Err(usage_error(format!("argument --rule-action: Invalid choice: '{other}' (choose from 'allow', 'deny')")))
                }
            };
            let Some(cidr_block) = call.one("--cidr-block") else {
                return Err(usage_error("the following arguments are required: --cidr-block"));
            };
            change(Command::CreateNetworkAclEntry {
                network_acl_id,
                egress,
                rule_number,
                protocol,
                from_port,
                to_port,
                cidr_block: cidr_block.to_string(),
                rule_action,
            })
        }
        "replace-network-acl-association" => {
            let association = call.one("--association-id").unwrap_or_default();
            let Some(subnet_id) = association.strip_prefix("aclassoc-") else {
                return Err(CliError(format!(
                    "An error occurred (InvalidAssociationID.NotFound) when calling the ReplaceNetworkAclAssociation operation: The association ID '{association}' does not exist"
                )));
            };
            change(Command::ReplaceNetworkAclAssociation {
                subnet_id: subnet_id.to_string(),
                network_acl_id: acl_lab_id(call.one("--network-acl-id").unwrap_or_default()),
            })
        }
        "create-service" => {
            service_matches(call, s, "--service-name")?;
            let Some(svc) = s.service.as_ref() else {
                return Err(CliError("The scenario defines no service to create.".into()));
            };
            let td = format!("{}:{}", s.task_definition.family, s.task_definition.revision);
            if call.one("--task-definition").is_some_and(|t| t != td && t != s.task_definition.family) {
                return Err(CliError(format!("create-service takes the lab's task definition, {td}.")));
            }
            let mut differs = Vec::new();
            if call.number::<u32>("--desired-count")?.is_some_and(|n| n != svc.desired_count) {
                differs.push("--desired-count");
            }
            if call.has("--load-balancers") && load_balancers(call)?.flatten() != svc.load_balancer {
                differs.push("--load-balancers");
            }
            if let Some(NetworkConfiguration { subnets, security_groups: groups, assign_public_ip: public }) = network_configuration(call)?
            {
                let nc = svc.network_configuration.as_ref();
                if nc.is_none_or(|nc| nc.subnets != subnets || nc.security_groups != groups || nc.assign_public_ip != public) {
                    differs.push("--network-configuration");
                }
            }
            if !differs.is_empty() {
                return Err(CliError(format!(
                    "create-service creates the service as the scenario defines it; {} differ from it. Create it, then change them with update-service.",
                    differs.join(", ")
                )));
            }
            change(Command::CreateService)
        }
        "update-service" => {
            service_matches(call, s, "--service")?;
            let Some(svc) = s.service.as_ref() else {
                return Err(CliError(
                    "An error occurred (ServiceNotFoundException) when calling the UpdateService operation: Service not found.".into(),
                ));
            };
            if let Some(td) = call.one("--task-definition") {
                let current = format!("{}:{}", s.task_definition.family, s.task_definition.revision);
                if td != current && td != s.task_definition.family {
                    return Err(CliError(format!(
                        "update-service --task-definition {td}: the lab deploys only its latest revision, {current}. Register a new one with register-task-definition … && update-service …."
                    )));
                }
            }
            let desired_count = call.number::<u32>("--desired-count")?;
            let grace = call.number::<u32>("--health-check-grace-period-seconds")?;
            let (mut min, mut max) = (None, None);
            if let Some(text) = call.one("--deployment-configuration") {
                let v = read_value(text).map_err(CliError)?;
                if let Some(m) = text_of(field(&v, "minimumHealthyPercent")) {
                    min = Some(seconds(call, "minimumHealthyPercent", &m)?);
                }
                if let Some(m) = text_of(field(&v, "maximumPercent")) {
                    max = Some(seconds(call, "maximumPercent", &m)?);
                }
            }
            let force = call.has("--force-new-deployment");
            let simple = desired_count.is_some() || grace.is_some() || min.is_some() || max.is_some() || force;
            if let Some(lb) = load_balancers(call)? {
                if simple || call.has("--network-configuration") {
                    return Err(one_at_a_time());
                }
                return change(match lb {
                    Some(lb) => Command::AttachLoadBalancer {
                        target_group: lb.target_group,
                        container_name: lb.container_name,
                        container_port: lb.container_port,
                    },
                    None => Command::DetachLoadBalancer,
                });
            }
            let mut assign_public_ip = None;
            if let Some(NetworkConfiguration { subnets, security_groups: groups, assign_public_ip: public }) = network_configuration(call)?
            {
                let Some(nc) = svc.network_configuration.as_ref() else {
                    // No awsvpc configuration to change: ECS refuses either, as it would.
                    if !subnets.is_empty() && !simple && !public {
                        return change(Command::SetServiceSubnets { subnets });
                    }
                    return change(Command::UpdateService {
                        desired_count,
                        health_check_grace_period_seconds: grace,
                        minimum_healthy_percent: min,
                        maximum_percent: max,
                        assign_public_ip: Some(public),
                        force_new_deployment: force,
                    });
                };
                if groups != nc.security_groups {
                    return Err(CliError(
                        "Changing the service's security groups: not modelled here. Change the groups' rules instead (authorize-security-group-ingress).".into(),
                    ));
                }
                if subnets != nc.subnets {
                    if simple || public != nc.assign_public_ip {
                        return Err(one_at_a_time());
                    }
                    return change(Command::SetServiceSubnets { subnets });
                }
                assign_public_ip = Some(public);
            }
            change(Command::UpdateService {
                desired_count,
                health_check_grace_period_seconds: grace,
                minimum_healthy_percent: min,
                maximum_percent: max,
                assign_public_ip,
                force_new_deployment: force,
            })
        }
        "register-task-definition" => {
            let changes = task_definition_changes(call, s)?;
            change(Command::RegisterTaskDefinition { changes, deploy: false })
        }
        other => Err(CliError(format!("{other}: not modelled here."))),
    }
}

fn acl_lab_id(id: &str) -> String {
    if id == DEFAULT_ACL_CLI_ID {
        DEFAULT_NETWORK_ACL.to_string()
    } else {
        id.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Completion.

/// What Tab offers for the last word of `line`: services, operations, the flags not used yet,
/// or the lab's ids for a flag that takes one. Sorted, each a whole word.
pub fn complete(line: &str, s: &Scenario) -> Vec<String> {
    let ends_in_space = line.ends_with(char::is_whitespace);
    let Ok(commands) = words(line) else { return vec![] };
    let mut ws = commands.last().cloned().unwrap_or_default();
    let current = if ends_in_space { String::new() } else { ws.pop().unwrap_or_default() };
    let pick = |options: Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = options.into_iter().filter(|o| o.starts_with(current.as_str())).collect();
        out.sort();
        out.dedup();
        out
    };
    match ws.len() {
        0 => return pick(vec!["aws".into()]),
        1 => return pick(SERVICES.iter().map(|x| x.to_string()).collect()),
        2 => return pick(OPERATIONS.iter().filter(|o| o.service == ws[1]).map(|o| o.name.to_string()).collect()),
        _ => {}
    }
    let Some(op) = OPERATIONS.iter().find(|o| o.service == ws[1] && o.name == ws[2]) else { return vec![] };
    let previous = ws.last().map(String::as_str).unwrap_or_default();
    let takes_value = op.flags.iter().any(|(f, a)| *f == previous && *a != Flag);
    if current.starts_with('-') || !takes_value {
        let used: Vec<&String> = ws.iter().filter(|w| w.starts_with("--")).collect();
        return pick(op.flags.iter().filter(|(f, _)| !used.iter().any(|u| u == f)).map(|(f, _)| f.to_string()).collect());
    }
    let groups = || s.security_groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
    let tgs = || s.target_groups.iter().map(target_group_arn).collect::<Vec<_>>();
    let (cluster, service) = cluster_and_service(s);
    pick(match previous {
        "--group-id" | "--source-group" | "--group-ids" => groups(),
        "--target-group-arn" | "--target-group-arns" => tgs(),
        "--names" | "--name" => s.target_groups.iter().map(|t| t.name.clone()).collect(),
        "--listener-arn" => s.load_balancer.listeners.iter().map(|l| listener_arn(s, l.port)).collect(),
        "--load-balancer-arn" => vec![load_balancer_arn(s)],
        "--cluster" => vec![cluster.to_string()],
        "--service" | "--service-name" | "--services" => vec![service.to_string()],
        "--subnets" => s.vpc.subnets.iter().map(|x| x.id.clone()).collect(),
        "--vpc-id" => vec![s.vpc.id.clone()],
        "--network-acl-id" => std::iter::once(DEFAULT_ACL_CLI_ID.to_string()).chain(s.network_acls.iter().map(|a| a.id.clone())).collect(),
        "--association-id" => s.vpc.subnets.iter().map(|x| format!("aclassoc-{}", x.id)).collect(),
        "--family" => vec![s.task_definition.family.clone()],
        "--task-definition" => vec![format!("{}:{}", s.task_definition.family, s.task_definition.revision)],
        "--protocol" => vec!["tcp".into(), "-1".into()],
        "--health-check-port" => vec!["traffic-port".into()],
        "--rule-action" => vec!["allow".into(), "deny".into()],
        "--network-mode" => vec!["awsvpc".into(), "bridge".into()],
        "--target-type" => vec!["ip".into(), "instance".into()],
        _ => vec![],
    })
}

/// Every modelled operation, `aws <service> <operation>`, for the console's help.
pub fn operations() -> impl Iterator<Item = (&'static str, &'static str)> {
    OPERATIONS.iter().map(|o| (o.service, o.name))
}

// ---------------------------------------------------------------------------------------------
// Describe: the lab's state in the AWS CLI's JSON shapes.

/// The AWS CLI prints JSON with four-space indents.
fn pretty(v: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(v, &mut ser).expect("a JSON value always serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Sim time as an AWS timestamp: the lab's clock starts at 2026-01-01T00:00:00Z.
fn timestamp(ms: u64) -> String {
    let s = ms / 1000;
    let (days, rest) = (s / 86_400, s % 86_400);
    format!("2026-01-{:02}T{:02}:{:02}:{:02}.{:03}000+00:00", 1 + days.min(30), rest / 3600, rest / 60 % 60, rest % 60, ms % 1000)
}

fn ip_permissions(rules: &[SecurityGroupRule], s: &Scenario) -> Value {
    // AWS folds the rules with the same protocol and ports into one permission.
    let mut out: Vec<(u16, u16, Vec<Value>, Vec<Value>)> = Vec::new();
    for r in rules {
        let at = match out.iter().position(|(f, t, _, _)| *f == r.from_port && *t == r.to_port) {
            Some(i) => i,
            None => {
                out.push((r.from_port, r.to_port, vec![], vec![]));
                out.len() - 1
            }
        };
        let mut peer = Map::new();
        if !r.description.is_empty() {
            peer.insert("Description".into(), json!(r.description));
        }
        if r.source.starts_with("sg-") {
            peer.insert("GroupId".into(), json!(r.source));
            peer.insert("UserId".into(), json!(ACCOUNT_ID));
            if let Some(g) = s.find_security_group(&r.source) {
                peer.insert("GroupName".into(), json!(g.name));
            }
            out[at].3.push(Value::Object(peer));
        } else {
            peer.insert("CidrIp".into(), json!(r.source));
            out[at].2.push(Value::Object(peer));
        }
    }
    Value::Array(
        out.into_iter()
            .map(|(from, to, ranges, pairs)| {
                json!({
                    "IpProtocol": "tcp",
                    "FromPort": from,
                    "ToPort": to,
                    "IpRanges": ranges,
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": pairs,
                })
            })
            .collect(),
    )
}

fn target_group_json(s: &Scenario, tg: &super::scenario::TargetGroup) -> Value {
    let hc = &tg.health_check;
    let in_use = s.is_target_group_in_use(&tg.name);
    json!({
        "TargetGroupArn": target_group_arn(tg),
        "TargetGroupName": tg.name,
        "Protocol": tg.protocol,
        "Port": tg.port,
        "VpcId": s.vpc.id,
        "HealthCheckProtocol": hc.protocol,
        "HealthCheckPort": hc.port,
        "HealthCheckEnabled": true,
        "HealthCheckIntervalSeconds": hc.interval_seconds,
        "HealthCheckTimeoutSeconds": hc.timeout_seconds,
        "HealthyThresholdCount": hc.healthy_threshold_count,
        "UnhealthyThresholdCount": hc.unhealthy_threshold_count,
        "HealthCheckPath": hc.path,
        "Matcher": { "HttpCode": hc.matcher },
        "LoadBalancerArns": if in_use { vec![load_balancer_arn(s)] } else { vec![] },
        "TargetType": tg.target_type.to_string(),
        "ProtocolVersion": tg.protocol_version,
        "IpAddressType": "ipv4",
    })
}

/// What a describe command prints, or its error as the AWS CLI prints it.
pub fn describe(sim: &Sim, what: &Describe) -> Result<String, CliError> {
    let s = sim.scenario();
    let value = match what {
        Describe::TargetGroups { names, of_load_balancer } => {
            let mut groups = Vec::new();
            for name in names {
                if s.find_target_group(name).is_none() {
                    return Err(CliError(format!(
                        "An error occurred (TargetGroupNotFound) when calling the DescribeTargetGroups operation: One or more target groups not found ({name})"
                    )));
                }
            }
            for tg in &s.target_groups {
                if (names.is_empty() || names.contains(&tg.name)) && (!of_load_balancer || s.is_target_group_in_use(&tg.name)) {
                    groups.push(target_group_json(s, tg));
                }
            }
            json!({ "TargetGroups": groups })
        }
        Describe::TargetHealth(name) => {
            let Some(tg) = s.find_target_group(name) else {
                return Err(CliError(format!(
                    "An error occurred (TargetGroupNotFound) when calling the DescribeTargetHealth operation: Target groups '{}' not found",
                    tg_arn_of(s, name)
                )));
            };
            let descriptions: Vec<Value> = sim
                .targets()
                .filter(|t| *t.target_group_name == *name)
                .map(|t| {
                    let id = match (&t.endpoint.instance_id, tg.target_type) {
                        (Some(i), TargetType::Instance) => i.to_string(),
                        _ => t.endpoint.ip.to_string(),
                    };
                    let mut health = Map::new();
                    health.insert("State".into(), json!(t.state.key()));
                    if let Some(r) = &t.reason {
                        health.insert("Reason".into(), json!(r.code()));
                        health.insert("Description".into(), json!(r.description()));
                    }
                    let check_port = match tg.health_check.explicit_port() {
                        Some(p) => p.to_string(),
                        None => t.endpoint.port.to_string(),
                    };
                    json!({
                        "Target": { "Id": id, "Port": t.endpoint.port, "AvailabilityZone": *t.availability_zone },
                        "HealthCheckPort": check_port,
                        "TargetHealth": Value::Object(health),
                    })
                })
                .collect();
            json!({ "TargetHealthDescriptions": descriptions })
        }
        Describe::SecurityGroups(ids) => {
            for id in ids {
                if s.find_security_group(id).is_none() {
                    return Err(CliError(format!(
                        "An error occurred (InvalidGroup.NotFound) when calling the DescribeSecurityGroups operation: The security group '{id}' does not exist"
                    )));
                }
            }
            let groups: Vec<Value> = s
                .security_groups
                .iter()
                .filter(|g| ids.is_empty() || ids.contains(&g.id))
                .map(|g| {
                    json!({
                        "Description": g.description,
                        "GroupName": g.name,
                        "IpPermissions": ip_permissions(&g.ingress, s),
                        "OwnerId": ACCOUNT_ID,
                        "GroupId": g.id,
                        "IpPermissionsEgress": ip_permissions(&g.egress, s),
                        "VpcId": s.vpc.id,
                        "SecurityGroupArn": format!("arn:aws:ec2:{REGION}:{ACCOUNT_ID}:security-group/{}", g.id),
                    })
                })
                .collect();
            json!({ "SecurityGroups": groups })
        }
        Describe::Services { cluster, services } => {
            let (want_cluster, _) = cluster_and_service(s);
            if cluster != want_cluster {
                return Err(CliError(
                    "An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: Cluster not found.".into(),
                ));
            }
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for name in services {
                let short = name.rsplit('/').next().unwrap_or(name);
                match &s.service {
                    Some(svc) if svc.name == short && sim.service_runtime().is_created => found.push(service_json(sim, svc)),
                    _ => failures.push(json!({
                        "arn": format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{cluster}/{short}"),
                        "reason": "MISSING",
                    })),
                }
            }
            json!({ "services": found, "failures": failures })
        }
    };
    Ok(pretty(&value))
}

/// `networkConfiguration` as ECS prints it.
fn awsvpc_json(nc: &NetworkConfiguration) -> Value {
    json!({ "awsvpcConfiguration": {
        "subnets": nc.subnets, "securityGroups": nc.security_groups, "assignPublicIp": public_ip(nc.assign_public_ip)
    }})
}

pub(crate) fn service_json(sim: &Sim, svc: &super::scenario::EcsService) -> Value {
    use super::ecs::{RolloutState, TaskState};
    let s = sim.scenario();
    let runtime = sim.service_runtime();
    let td_arn = |revision: u32| format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:task-definition/{}:{revision}", s.task_definition.family);
    let counts = |deployment: Option<u32>| {
        let mut running = 0;
        let mut pending = 0;
        for t in sim.tasks().filter(|t| deployment.is_none_or(|d| t.deployment == d)) {
            match t.state {
                TaskState::Running if !t.is_stop_requested => running += 1,
                TaskState::Provisioning | TaskState::Pending | TaskState::Activating => pending += 1,
                _ => {}
            }
        }
        (running, pending)
    };
    let primary = runtime.deployments.last().map(|d| d.seq);
    let deployments: Vec<Value> = runtime
        .deployments
        .iter()
        .rev()
        .map(|d| {
            let (running, pending) = counts(Some(d.seq));
            let mut o = json!({
                "id": d.id.as_ref(),
                "status": if Some(d.seq) == primary { "PRIMARY" } else { "ACTIVE" },
                "taskDefinition": td_arn(d.revision),
                "desiredCount": if Some(d.seq) == primary { svc.desired_count } else { 0 },
                "pendingCount": pending,
                "runningCount": running,
                "failedTasks": 0,
                "createdAt": timestamp(d.created_at_ms),
                "updatedAt": timestamp(sim.now_ms()),
                "launchType": svc.launch_type.key(),
                "rolloutState": match d.rollout_state { RolloutState::InProgress => "IN_PROGRESS", RolloutState::Completed => "COMPLETED" },
            });
            if let Some(nc) = &d.network {
                o["networkConfiguration"] = awsvpc_json(nc);
            }
            o
        })
        .collect();
    // ECS lists its newest events first, and the console shows about 100.
    let events: Vec<Value> = sim
        .events()
        .iter()
        .rev()
        .filter(|e| e.source == super::events::EventSource::EcsService)
        .take(100)
        .map(|e| json!({ "id": format!("{:08x}-{:04x}", fnv64(&e.message) as u32, e.seq), "createdAt": timestamp(e.at_ms), "message": e.message }))
        .collect();
    let (running, pending) = counts(None);
    let revision = runtime.deployments.last().map(|d| d.revision).unwrap_or(s.task_definition.revision);
    let mut o = json!({
        "serviceArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{}/{}", svc.cluster, svc.name),
        "serviceName": svc.name,
        "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:cluster/{}", svc.cluster),
        "loadBalancers": svc.load_balancer.iter().map(|lb| json!({
            "targetGroupArn": tg_arn_of(s, &lb.target_group),
            "containerName": lb.container_name,
            "containerPort": lb.container_port,
        })).collect::<Vec<_>>(),
        "status": "ACTIVE",
        "desiredCount": svc.desired_count,
        "runningCount": running,
        "pendingCount": pending,
        "launchType": svc.launch_type.key(),
        "taskDefinition": td_arn(revision),
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": { "enable": false, "rollback": false },
            "maximumPercent": svc.deployment_configuration.maximum_percent,
            "minimumHealthyPercent": svc.deployment_configuration.minimum_healthy_percent,
        },
        "deployments": deployments,
        "events": events,
        "healthCheckGracePeriodSeconds": svc.health_check_grace_period_seconds,
        "schedulingStrategy": "REPLICA",
        "deploymentController": { "type": "ECS" },
    });
    if let Some(nc) = &svc.network_configuration {
        o["networkConfiguration"] = awsvpc_json(nc);
    }
    o
}

// ---------------------------------------------------------------------------------------------
// Export.

/// One change, as the export lists it.
pub struct ExportedChange<'a> {
    pub at_ms: u64,
    /// What it changed, in the lab's words.
    pub summary: &'a str,
    pub command: &'a Command,
    pub before: &'a Scenario,
}

/// "Export my fixes": a shell script of the changes, oldest first, a comment for each, ready to
/// adapt to a real account. Lab-only changes (the client's load, a crash) are listed as comments.
pub fn export_script(title: &str, changes: &[ExportedChange<'_>], dropped: u64) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    let _ = writeln!(out, "# ALB Lab: the changes made in \"{}\", as AWS CLI v2 commands.", title.replace('\n', " "));
    out.push_str("# The ids are the lab's (sg-task, subnet-a, the ARNs of account 123456789012): replace them with\n");
    out.push_str("# your own before running this against a real account. Each command runs only if the one before\n");
    out.push_str("# succeeded.\nset -euo pipefail\n");
    if dropped > 0 {
        let _ = writeln!(out, "\n# ({dropped} earlier changes are no longer kept and are not listed.)");
    }
    if changes.is_empty() {
        out.push_str("\n# No changes yet.\n");
    }
    for c in changes {
        let _ = writeln!(out, "\n# {} {}", super::health::clock(c.at_ms), c.summary.replace('\n', " "));
        match to_cli(c.command, c.before) {
            Some(line) => {
                if matches!(c.command, Command::RecreateTargetGroup { .. }) {
                    out.push_str("# In a real account the new group needs a name of its own, and the listener must then forward to it.\n");
                }
                if matches!(c.command, Command::RegisterTaskDefinition { .. } | Command::SetContainerPort { .. }) {
                    out.push_str("# The environment variables stand for what your app's own code and settings decide.\n");
                }
                let _ = writeln!(out, "{line}");
            }
            None => out.push_str("# (the lab's own control: no AWS command)\n"),
        }
    }
    out
}

/// The same changes as Terraform, where one resource setting maps directly; `None` when none do.
pub fn export_terraform(changes: &[ExportedChange<'_>]) -> Option<String> {
    let mut out = String::new();
    for (i, c) in changes.iter().enumerate() {
        let s = c.before;
        let block = match c.command {
            Command::AuthorizeSecurityGroupIngress { group_id, from_port, to_port, source }
            | Command::AuthorizeSecurityGroupEgress { group_id, from_port, to_port, destination: source } => {
                let ingress = matches!(c.command, Command::AuthorizeSecurityGroupIngress { .. });
                let kind = if ingress { "aws_vpc_security_group_ingress_rule" } else { "aws_vpc_security_group_egress_rule" };
                let peer = if source.starts_with("sg-") {
                    format!("referenced_security_group_id = \"{source}\"")
                } else {
                    format!("cidr_ipv4                    = \"{source}\"")
                };
                // Named by group, port, peer and place in the list, so two rules never share a name.
                format!(
                    "resource \"{kind}\" \"{}_{from_port}_{}_{i}\" {{\n  security_group_id            = \"{group_id}\"\n  ip_protocol                  = \"tcp\"\n  from_port                    = {from_port}\n  to_port                      = {to_port}\n  {peer}\n}}\n",
                    tf_name(group_id),
                    tf_name(source)
                )
            }
            Command::RevokeSecurityGroupIngress { group_id, from_port, to_port, source }
            | Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination: source } => format!(
                "# Remove the {} rule of {group_id} for TCP {} {} {source}.\n",
                if matches!(c.command, Command::RevokeSecurityGroupIngress { .. }) { "inbound" } else { "outbound" },
                ports_arg(*from_port, *to_port),
                if matches!(c.command, Command::RevokeSecurityGroupIngress { .. }) { "from" } else { "to" },
            ),
            Command::ModifyTargetGroup { target_group, health_check: hc } => format!(
                "# In resource \"aws_lb_target_group\" \"{}\":\nhealth_check {{\n  protocol            = \"{}\"\n  port                = \"{}\"\n  path                = \"{}\"\n  interval            = {}\n  timeout             = {}\n  healthy_threshold   = {}\n  unhealthy_threshold = {}\n  matcher             = \"{}\"\n}}\n",
                tf_name(target_group),
                hc.protocol,
                hc.port,
                hc.path,
                hc.interval_seconds,
                hc.timeout_seconds,
                hc.healthy_threshold_count,
                hc.unhealthy_threshold_count,
                hc.matcher
            ),
            Command::AttachLoadBalancer { target_group, container_name, container_port } => format!(
                "# In resource \"aws_ecs_service\" \"{}\":\nload_balancer {{\n  target_group_arn = aws_lb_target_group.{}.arn\n  container_name   = \"{container_name}\"\n  container_port   = {container_port}\n}}\n",
                tf_name(cluster_and_service(s).1),
                tf_name(target_group)
            ),
            Command::UpdateService { desired_count: Some(n), .. } => {
                format!("# In resource \"aws_ecs_service\" \"{}\":\ndesired_count = {n}\n", tf_name(cluster_and_service(s).1))
            }
            Command::ModifyListener { new_port, .. } => {
                format!("# In resource \"aws_lb_listener\" (the one on the old port):\nport = {new_port}\n")
            }
            _ => continue,
        };
        let _ = writeln!(out, "# {} {}\n{block}", super::health::clock(c.at_ms), c.summary.replace('\n', " "));
    }
    (!out.is_empty()).then_some(out)
}

fn tf_name(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}
