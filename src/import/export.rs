//! A running setup as the AWS CLI documents it implies: what `aws … describe-*` would print
//! for it, wrapped as the collector wraps them. Importing them back gives the same setup (the
//! round trip the import's tests run), and they are a worked example of what to paste.

use crate::sim::cli::{describe, listener_arn, load_balancer_arn, service_json, Describe, ACCOUNT_ID, REGION};
use crate::sim::scenario::{target_group_arn, Action, NaclAction, NetworkMode, Scenario};
use crate::sim::Sim;
use serde_json::{json, Value};

fn action(s: &Scenario, a: &Action) -> Value {
    match a {
        Action::Forward { target_group } => {
            let arn = s.find_target_group(target_group).map(target_group_arn).unwrap_or_default();
            json!({ "Type": "forward", "TargetGroupArn": arn, "Order": 1,
                    "ForwardConfig": { "TargetGroups": [{ "TargetGroupArn": arn, "Weight": 1 }] } })
        }
        Action::FixedResponse { status_code, content_type, message_body } => json!({
            "Type": "fixed-response", "Order": 1,
            "FixedResponseConfig": { "StatusCode": status_code.to_string(), "ContentType": content_type, "MessageBody": message_body }
        }),
    }
}

fn wrap(command: String, output: Value) -> Value {
    json!({ "command": command, "output": output })
}

fn parsed(text: Result<String, crate::sim::cli::CliError>) -> Value {
    text.ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

/// Every document the collector would gather for this run, as one collector file.
pub fn collector_file(sim: &Sim) -> Value {
    let s = sim.scenario();
    let lb_arn = load_balancer_arn(s);
    let mut docs = Vec::new();
    let zones: Vec<Value> = s
        .load_balancer
        .subnets
        .iter()
        .filter_map(|id| s.find_subnet(id))
        .map(|sub| json!({ "ZoneName": sub.availability_zone, "SubnetId": sub.id }))
        .collect();
    docs.push(wrap(
        format!("aws elbv2 describe-load-balancers --names {}", s.load_balancer.name),
        json!({ "LoadBalancers": [{
            "LoadBalancerArn": lb_arn, "LoadBalancerName": s.load_balancer.name,
            "DNSName": format!("{}-1234567890.{REGION}.elb.amazonaws.com", s.load_balancer.name),
            "Scheme": match s.load_balancer.scheme { crate::sim::scenario::Scheme::Internal => "internal", _ => "internet-facing" },
            "VpcId": s.vpc.id, "State": { "Code": "active" }, "Type": "application", "IpAddressType": "ipv4",
            "AvailabilityZones": zones, "SecurityGroups": s.load_balancer.security_groups,
        }]}),
    ));
    let listeners: Vec<Value> = s
        .load_balancer
        .listeners
        .iter()
        .map(|l| {
            json!({ "ListenerArn": listener_arn(s, l.port), "LoadBalancerArn": lb_arn, "Port": l.port, "Protocol": l.protocol,
                          "DefaultActions": [action(s, &l.default_action)] })
        })
        .collect();
    docs.push(wrap(format!("aws elbv2 describe-listeners --load-balancer-arn {lb_arn}"), json!({ "Listeners": listeners })));
    for l in &s.load_balancer.listeners {
        let arn = listener_arn(s, l.port);
        let mut rules: Vec<Value> = l
            .rules
            .iter()
            .map(|r| json!({
                "RuleArn": format!("{}/{:x}", arn.replace(":listener/", ":listener-rule/"), r.priority),
                "Priority": r.priority.to_string(), "IsDefault": false,
                "Conditions": [{ "Field": "path-pattern", "Values": [r.path_pattern], "PathPatternConfig": { "Values": [r.path_pattern] } }],
                "Actions": [action(s, &r.action)],
            }))
            .collect();
        rules.push(json!({ "RuleArn": format!("{}/default", arn.replace(":listener/", ":listener-rule/")), "Priority": "default",
                            "IsDefault": true, "Conditions": [], "Actions": [action(s, &l.default_action)] }));
        docs.push(wrap(format!("aws elbv2 describe-rules --listener-arn {arn}"), json!({ "Rules": rules })));
    }
    docs.push(wrap(
        format!("aws elbv2 describe-target-groups --load-balancer-arn {lb_arn}"),
        parsed(describe(sim, &Describe::TargetGroups { names: Vec::new(), of_load_balancer: false })),
    ));
    for tg in &s.target_groups {
        let arn = target_group_arn(tg);
        docs.push(wrap(
            format!("aws elbv2 describe-target-health --target-group-arn {arn}"),
            parsed(describe(sim, &Describe::TargetHealth(tg.name.clone()))),
        ));
        let algorithm = match tg.load_balancing_algorithm {
            crate::sim::scenario::LoadBalancingAlgorithm::RoundRobin => "round_robin",
            crate::sim::scenario::LoadBalancingAlgorithm::LeastOutstandingRequests => "least_outstanding_requests",
        };
        docs.push(wrap(
            format!("aws elbv2 describe-target-group-attributes --target-group-arn {arn}"),
            json!({ "Attributes": [
                { "Key": "deregistration_delay.timeout_seconds", "Value": tg.deregistration_delay_seconds.to_string() },
                { "Key": "load_balancing.algorithm.type", "Value": algorithm },
                { "Key": "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "Value": tg.unhealthy_state_routing_minimum_healthy_targets_count.to_string() },
                { "Key": "slow_start.duration_seconds", "Value": "0" },
                { "Key": "stickiness.enabled", "Value": "false" },
            ]}),
        ));
    }
    docs.push(wrap(
        format!("aws elbv2 describe-load-balancer-attributes --load-balancer-arn {lb_arn}"),
        json!({ "Attributes": [{ "Key": "idle_timeout.timeout_seconds", "Value": s.load_balancer.idle_timeout_seconds.to_string() }] }),
    ));
    if let Some(svc) = &s.service {
        docs.push(wrap(
            format!("aws ecs describe-services --cluster {} --services {}", svc.cluster, svc.name),
            json!({ "services": [service_json(sim, svc)], "failures": [] }),
        ));
    }
    let td = &s.task_definition;
    let td_arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:task-definition/{}:{}", td.family, td.revision);
    let mappings: Vec<Value> = td
        .container
        .port_mappings
        .iter()
        .map(|m| json!({ "containerPort": m.container_port, "hostPort": m.host_port.unwrap_or(if td.network_mode == NetworkMode::Awsvpc { m.container_port } else { 0 }), "protocol": "tcp" }))
        .collect();
    docs.push(wrap(
        format!("aws ecs describe-task-definition --task-definition {}:{}", td.family, td.revision),
        json!({ "taskDefinition": { "taskDefinitionArn": td_arn, "family": td.family, "revision": td.revision,
                 "networkMode": td.network_mode.to_string(), "status": "ACTIVE",
                 "containerDefinitions": [{ "name": td.container.name, "essential": true, "portMappings": mappings }] } }),
    ));
    let cluster = s.service.as_ref().map(|x| x.cluster.clone()).unwrap_or_else(|| "default".into());
    let tasks: Vec<Value> = sim
        .tasks()
        .filter(|t| t.state == crate::sim::state::TaskState::Running)
        .map(|t| {
            let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:task/{cluster}/{}", t.id);
            let mut task = json!({ "taskArn": arn, "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "availabilityZone": *t.availability_zone,
                                   "taskDefinitionArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT_ID}:task-definition/{}:{}", td.family, t.revision) });
            if t.network_mode == NetworkMode::Awsvpc {
                task["attachments"] = json!([{ "type": "ElasticNetworkInterface", "status": "ATTACHED", "details": [
                    { "name": "subnetId", "value": *t.subnet }, { "name": "privateIPv4Address", "value": t.private_ip.to_string() } ] }]);
            } else if let Some(h) = t.host_port {
                task["containers"] = json!([{ "name": td.container.name, "networkBindings": [{ "hostPort": h, "containerPort": td.container.app.listen_port, "protocol": "tcp" }] }]);
            }
            task
        })
        .collect();
    if !tasks.is_empty() {
        docs.push(wrap(format!("aws ecs describe-tasks --cluster {cluster} --tasks …"), json!({ "tasks": tasks, "failures": [] })));
    }
    docs.push(wrap("aws ec2 describe-security-groups --group-ids …".into(), parsed(describe(sim, &Describe::SecurityGroups(Vec::new())))));
    let subnets: Vec<Value> = s
        .vpc
        .subnets
        .iter()
        .map(|x| json!({ "SubnetId": x.id, "AvailabilityZone": x.availability_zone, "CidrBlock": x.cidr, "VpcId": s.vpc.id, "MapPublicIpOnLaunch": x.is_public }))
        .collect();
    docs.push(wrap("aws ec2 describe-subnets --subnet-ids …".into(), json!({ "Subnets": subnets })));
    docs.push(wrap(
        format!("aws ec2 describe-vpcs --vpc-ids {}", s.vpc.id),
        json!({ "Vpcs": [{ "VpcId": s.vpc.id, "CidrBlock": s.vpc.cidr }] }),
    ));
    let acls: Vec<Value> = s
        .network_acls
        .iter()
        .map(|a| {
            let entries: Vec<Value> = a
                .inbound
                .iter()
                .map(|e| (false, e))
                .chain(a.outbound.iter().map(|e| (true, e)))
                .map(|(egress, e)| {
                    json!({ "RuleNumber": e.rule_number, "Egress": egress, "Protocol": if e.protocol == "all" { "-1" } else { "6" },
                    "RuleAction": if e.action == NaclAction::Allow { "allow" } else { "deny" }, "CidrBlock": e.cidr,
                    "PortRange": { "From": e.from_port, "To": e.to_port } })
                })
                .collect();
            json!({ "NetworkAclId": a.id, "IsDefault": false, "VpcId": s.vpc.id,
                    "Associations": a.subnets.iter().map(|x| json!({ "SubnetId": x })).collect::<Vec<_>>(), "Entries": entries })
        })
        .collect();
    docs.push(wrap(format!("aws ec2 describe-network-acls --filters Name=vpc-id,Values={}", s.vpc.id), json!({ "NetworkAcls": acls })));
    Value::Array(docs)
}
