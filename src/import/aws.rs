//! Recognising a document, and reading AWS CLI JSON output.
//!
//! Field names and nesting follow botocore's service models (`botocore/data/elbv2/2015-12-01`,
//! `ecs/2014-11-13`, `ec2/2016-11-15` `service-2.json`): PascalCase for ELBv2 and EC2, camelCase
//! for ECS. A command's output is known by its top-level key; `describe-target-health` carries
//! no target group ARN, so it is tied to its group only through the collector's
//! `{"command": "aws elbv2 describe-target-health --target-group-arn …", "output": …}` wrapper.

use super::value::{count, flag, int, list, port, strings, text};
use super::*;
use serde_json::Value;

/// What one document gave.
pub struct Read {
    pub inventory: Inventory,
    pub read_as: Vec<String>,
    pub warnings: Vec<String>,
}

/// Top-level keys of AWS CLI outputs this import reads, and the command each comes from.
const KNOWN: [(&str, &str); 16] = [
    ("containerInstances", "aws ecs describe-container-instances"),
    ("Reservations", "aws ec2 describe-instances"),
    ("LoadBalancers", "aws elbv2 describe-load-balancers"),
    ("Listeners", "aws elbv2 describe-listeners"),
    ("Rules", "aws elbv2 describe-rules"),
    ("TargetGroups", "aws elbv2 describe-target-groups"),
    ("TargetHealthDescriptions", "aws elbv2 describe-target-health"),
    ("Attributes", "aws elbv2 describe-target-group-attributes or describe-load-balancer-attributes"),
    ("services", "aws ecs describe-services"),
    ("taskDefinition", "aws ecs describe-task-definition"),
    ("tasks", "aws ecs describe-tasks"),
    ("SecurityGroups", "aws ec2 describe-security-groups"),
    ("SecurityGroupRules", "aws ec2 describe-security-group-rules"),
    ("Subnets", "aws ec2 describe-subnets"),
    ("NetworkAcls", "aws ec2 describe-network-acls"),
    ("Vpcs", "aws ec2 describe-vpcs"),
];

/// Outputs of other commands people paste by mistake, and what to paste instead.
const OTHERS: [(&str, &str); 7] = [
    ("RouteTables", "aws ec2 describe-route-tables"),
    ("NetworkInterfaces", "aws ec2 describe-network-interfaces"),
    ("clusters", "aws ecs describe-clusters"),
    ("taskArns", "aws ecs list-tasks"),
    ("serviceArns", "aws ecs list-services"),
    ("Functions", "aws lambda list-functions"),
    ("Buckets", "aws s3api list-buckets"),
];

/// Recognise one document and read it.
pub fn read_document(text: &str) -> Result<Read, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err("it is empty".into());
    }
    // PowerShell's `>` writes UTF-16: read as UTF-8 it is every other byte a NUL.
    if trimmed.bytes().take(64).filter(|b| *b == 0).count() > 8 || trimmed.starts_with('\u{fffd}') {
        return Err(
            "it is UTF-16 text (what PowerShell's > writes); save it as UTF-8, for example with `| Out-File -Encoding utf8 file.json`"
                .into(),
        );
    }
    let value: Value = serde_json::from_str(trimmed).map_err(|e| not_json(trimmed, &e))?;
    let mut read = Read { inventory: Inventory::default(), read_as: Vec::new(), warnings: Vec::new() };
    match &value {
        Value::Array(items) if items.iter().any(is_wrapper) => {
            // A collector file: an entry that cannot be read is skipped, with a warning naming
            // it; the others are kept.
            let mut not_pairs: Vec<usize> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let mut one = Read { inventory: Inventory::default(), read_as: Vec::new(), warnings: Vec::new() };
                if !is_wrapper(item) {
                    not_pairs.push(i + 1);
                    continue;
                }
                match read_wrapped(item, &mut one) {
                    Ok(()) => {
                        read.inventory.append(one.inventory);
                        read.read_as.append(&mut one.read_as);
                        read.warnings.append(&mut one.warnings);
                    }
                    Err(e) => read.warnings.push(format!("entry {} ({}) skipped: {e}", i + 1, text_of(item, "command"))),
                }
            }
            if !not_pairs.is_empty() {
                let shown: Vec<String> = not_pairs.iter().take(5).map(usize::to_string).collect();
                let more = if not_pairs.len() > 5 { format!(" and {} more", not_pairs.len() - 5) } else { String::new() };
                let s = if not_pairs.len() == 1 { "y" } else { "ies" };
                // First, so the cap on warnings below never cuts it.
                read.warnings.insert(0, format!("entr{s} {}{more} skipped: not {{\"command\", \"output\"}} pairs", shown.join(", ")));
            }
            if read.read_as.is_empty() {
                let why: Vec<&str> = read.warnings.iter().take(3).map(String::as_str).collect();
                return Err(format!("none of its {} entries could be read: {}", items.len(), why.join("; ")));
            }
        }
        Value::Object(_) if is_wrapper(&value) => read_wrapped(&value, &mut read)?,
        Value::Object(o) if o.contains_key("format_version") && (o.contains_key("values") || o.contains_key("planned_values")) => {
            terraform::read(&value, &mut read)?;
        }
        Value::Object(o) if o.contains_key("Resources") => cloudformation::read(&value, &mut read)?,
        Value::Object(_) => read_output(&value, None, &mut read)?,
        _ => return Err(projection()),
    }
    // A collector file may hold the same command many times: name each once.
    let mut seen = std::collections::BTreeSet::new();
    read.read_as.retain(|r| seen.insert(r.clone()));
    // A document can warn once per entry or failure it carries: the page shows the first few
    // and how many more, so a hostile file cannot make it draw millions.
    if read.warnings.len() > MAX_WARNINGS {
        let more = read.warnings.len() - MAX_WARNINGS;
        read.warnings.truncate(MAX_WARNINGS);
        read.warnings.push(format!("and {more} more warnings like these"));
    }
    Ok(read)
}

/// Warnings one document shows.
const MAX_WARNINGS: usize = 20;

fn is_wrapper(v: &Value) -> bool {
    v.get("command").is_some_and(Value::is_string) && v.get("output").is_some()
}

fn text_of(v: &Value, key: &str) -> String {
    let t = text(v, key);
    let mut short: String = t.chars().take(80).collect();
    if short.len() < t.len() {
        short.push('…');
    }
    short
}

fn read_wrapped(item: &Value, read: &mut Read) -> Result<(), String> {
    let command = text(item, "command");
    let output = &item["output"];
    if !output.is_object() {
        return Err(projection());
    }
    read_output(output, Some(&command), read)
}

/// The value of `--flag` in a command line, if it is there.
pub fn flag_value(command: &str, name: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    while let Some(w) = words.next() {
        if let Some(v) = w.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.trim_matches(['"', '\'']).to_string());
        }
        if w == name {
            return words.next().map(|v| v.trim_matches(['"', '\'']).to_string());
        }
    }
    None
}

fn read_output(v: &Value, command: Option<&str>, read: &mut Read) -> Result<(), String> {
    let Some(o) = v.as_object() else { return Err(projection()) };
    let key = KNOWN.iter().find(|(k, _)| o.contains_key(*k));
    let Some((key, name)) = key else {
        if let Some((_, other)) = OTHERS.iter().find(|(k, _)| o.contains_key(*k)) {
            return Err(format!("this is the output of `{other}`, which ALB Lab does not read; {}", wanted()));
        }
        if o.is_empty() {
            return Err(format!("it is an empty JSON object; {}", wanted()));
        }
        return Err(format!("it is JSON, but not the output of a command ALB Lab reads (its keys: {}); {}", keys(o), wanted()));
    };
    if list(v, key).len() > MAX_RESOURCES {
        return Err(format!("`{key}` lists {} items, more than the {MAX_RESOURCES} resources one import reads", list(v, key).len()));
    }
    if o.get(*key).is_some_and(|x| !x.is_array() && !x.is_object()) {
        return Err(format!("`{key}` should hold a list, as `{name}` prints it: was the output edited?"));
    }
    for paging in ["NextMarker", "NextToken", "nextToken"] {
        if o.get(paging).is_some_and(|t| t.is_string()) {
            read.warnings.push(format!(
                "`{name}` printed only its first page ({paging} is set): run it again without --max-items or --page-size, or with --no-paginate removed, to get every item"
            ));
        }
    }
    let inv = &mut read.inventory;
    match *key {
        "LoadBalancers" => list(v, "LoadBalancers").iter().for_each(|lb| inv.load_balancers.push(load_balancer(lb))),
        "Listeners" => list(v, "Listeners").iter().for_each(|l| inv.listeners.push(listener(l))),
        "Rules" => {
            let listener = command.and_then(|c| flag_value(c, "--listener-arn")).unwrap_or_default();
            for r in list(v, "Rules") {
                inv.rules.push(rule(r, &listener));
            }
            if listener.is_empty() {
                read.warnings.push("describe-rules output does not name its listener: its rules are used only when there is one listener; paste it as the collector writes it, with its command".into());
            }
        }
        "TargetGroups" => list(v, "TargetGroups").iter().for_each(|tg| inv.target_groups.push(target_group(tg))),
        "TargetHealthDescriptions" => {
            let group = command.and_then(|c| flag_value(c, "--target-group-arn")).unwrap_or_default();
            if group.is_empty() {
                read.warnings.push("describe-target-health output carries no target group ARN: its targets are compared with the target group the service registers its tasks in. Paste it with its command (the collector does) to tie it to its group".into());
            }
            for d in list(v, "TargetHealthDescriptions") {
                inv.observed.push(observed(d, &group));
            }
        }
        "Attributes" => {
            let attrs = list(v, "Attributes").iter().map(|a| (text(a, "Key"), text(a, "Value"))).collect::<BTreeMap<_, _>>();
            let tg = command.and_then(|c| flag_value(c, "--target-group-arn"));
            let lb = command.and_then(|c| flag_value(c, "--load-balancer-arn"));
            let is_tg = tg.is_some() || attrs.keys().any(|k| k.starts_with("deregistration_delay") || k.starts_with("target_group_health"));
            if is_tg {
                inv.target_group_attributes.push((tg.unwrap_or_default(), attrs));
                read.read_as.push("aws elbv2 describe-target-group-attributes".into());
            } else {
                inv.load_balancer_attributes.push((lb.unwrap_or_default(), attrs));
                read.read_as.push("aws elbv2 describe-load-balancer-attributes".into());
            }
            return Ok(());
        }
        "services" => {
            for s in list(v, "services") {
                inv.services.push(service(s));
            }
            for f in list(v, "failures") {
                read.warnings.push(format!("ECS could not describe {}: {}", text(f, "arn"), text(f, "reason")));
            }
        }
        "taskDefinition" => inv.task_definitions.push(task_definition(&v["taskDefinition"])),
        "tasks" => list(v, "tasks").iter().for_each(|t| inv.tasks.push(task(t))),
        "SecurityGroups" => list(v, "SecurityGroups").iter().for_each(|g| inv.security_groups.push(security_group(g))),
        "SecurityGroupRules" => {
            for r in list(v, "SecurityGroupRules") {
                let (group, egress, p) = flat_rule(r);
                inv.loose_rules.push((group, egress, p));
            }
        }
        "Subnets" => list(v, "Subnets").iter().for_each(|s| inv.subnets.push(subnet(s))),
        "NetworkAcls" => list(v, "NetworkAcls").iter().for_each(|a| inv.network_acls.push(network_acl(a))),
        "containerInstances" => {
            for c in list(v, "containerInstances") {
                inv.container_instances.push((text(c, "containerInstanceArn"), text(c, "ec2InstanceId")));
            }
        }
        "Reservations" => {
            for i in list(v, "Reservations").iter().flat_map(|r| list(r, "Instances")) {
                inv.instances.push(InstanceIn {
                    id: text(i, "InstanceId"),
                    private_ip: text(i, "PrivateIpAddress"),
                    subnet: text(i, "SubnetId"),
                    security_groups: list(i, "SecurityGroups").iter().map(|g| text(g, "GroupId")).collect(),
                });
            }
        }
        "Vpcs" => list(v, "Vpcs").iter().for_each(|x| inv.vpc_cidrs.push((text(x, "VpcId"), text(x, "CidrBlock")))),
        _ => {}
    }
    read.read_as.push(name.to_string());
    Ok(())
}

fn keys(o: &serde_json::Map<String, Value>) -> String {
    let mut k: Vec<&str> = o.keys().take(5).map(String::as_str).collect();
    if o.len() > 5 {
        k.push("…");
    }
    k.join(", ")
}

fn wanted() -> String {
    "paste the JSON output of a describe command the import dialog lists, a `terraform show -json` document or a CloudFormation template"
        .into()
}

fn projection() -> String {
    "it is JSON, but not a whole command output: it looks like a --query projection. Run the command again without --query (and with --output json)".into()
}

/// Why a text is not JSON, in the words of what it probably is.
fn not_json(text: &str, e: &serde_json::Error) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let second = lines.next().unwrap_or("");
    // `--output table` opens with a rule of dashes and then a `|` row; a YAML document may open
    // with `---` alone, and its text may hold `|` anywhere (a block scalar).
    let rule = first.len() > 3 && first.bytes().all(|b| b == b'-');
    if rule && second.starts_with('|') || first.starts_with('+') || first.starts_with('|') {
        return "this is a table (--output table); run the command again with --output json".into();
    }
    if text.lines().take(3).any(|l| l.contains('\t')) && !first.starts_with('{') && !first.starts_with('[') {
        return "this is tab-separated text (--output text); run the command again with --output json".into();
    }
    if !first.starts_with('{') && !first.starts_with('[') {
        if first == "---"
            || first.starts_with('#')
            || first.ends_with(':')
            || first.contains(": ")
            || first.starts_with("- ")
            || first.starts_with("AWSTemplateFormatVersion")
        {
            return "this is YAML (--output yaml, or a YAML template); ALB Lab reads JSON: run the command with --output json, or convert the template with `cfn-flip`".into();
        }
        return format!(
            "it is not JSON (it starts with {:?}); paste the output of a command run with --output json",
            first.chars().take(40).collect::<String>()
        );
    }
    if e.is_eof() {
        return format!(
            "it ends before its JSON does (line {}): the paste was cut off. Copy the whole output, or save it to a file and drop the file",
            e.line()
        );
    }
    format!("it is not valid JSON: {e}")
}

// ELBv2

fn load_balancer(v: &Value) -> LoadBalancerIn {
    LoadBalancerIn {
        arn: text(v, "LoadBalancerArn"),
        name: text(v, "LoadBalancerName"),
        kind: text(v, "Type"),
        internal: text(v, "Scheme") == "internal",
        vpc_id: text(v, "VpcId"),
        zones: list(v, "AvailabilityZones").iter().map(|z| (text(z, "ZoneName"), text(z, "SubnetId"))).collect(),
        security_groups: strings(v, "SecurityGroups"),
        idle_timeout_seconds: None,
    }
}

fn listener(v: &Value) -> ListenerIn {
    ListenerIn {
        arn: text(v, "ListenerArn"),
        load_balancer: text(v, "LoadBalancerArn"),
        port: port(v, "Port").unwrap_or(0),
        protocol: text(v, "Protocol"),
        default_actions: actions(list(v, "DefaultActions")),
    }
}

pub(super) fn actions(list: &[Value]) -> Vec<ActionIn> {
    let mut out: Vec<(i64, ActionIn)> = list.iter().map(|a| (int(a, "Order").unwrap_or(50_000), action(a))).collect();
    out.sort_by_key(|(o, _)| *o);
    out.into_iter().map(|(_, a)| a).collect()
}

fn action(a: &Value) -> ActionIn {
    let mut target_groups = Vec::new();
    let single = text(a, "TargetGroupArn");
    let forward = a.get("ForwardConfig");
    if let Some(fc) = forward {
        for g in list(fc, "TargetGroups") {
            target_groups.push((text(g, "TargetGroupArn"), count(g, "Weight").unwrap_or(1)));
        }
    }
    if target_groups.is_empty() && !single.is_empty() {
        target_groups.push((single, 1));
    }
    let fixed = a.get("FixedResponseConfig").cloned().unwrap_or(Value::Null);
    let redirect = a.get("RedirectConfig").map(|r| {
        format!("{} to {}://{}:{}{}", text(r, "StatusCode"), text(r, "Protocol"), text(r, "Host"), text(r, "Port"), text(r, "Path"))
    });
    ActionIn {
        kind: text(a, "Type"),
        target_groups,
        status_code: Some(text(&fixed, "StatusCode")).filter(|s| !s.is_empty()),
        content_type: text(&fixed, "ContentType"),
        message_body: text(&fixed, "MessageBody"),
        redirect: redirect.unwrap_or_default(),
    }
}

fn rule(v: &Value, listener: &str) -> RuleIn {
    let priority = text(v, "Priority");
    let conditions = list(v, "Conditions")
        .iter()
        .map(|c| {
            let field = text(c, "Field");
            let mut values = strings(c, "Values");
            for config in ["PathPatternConfig", "HostHeaderConfig"] {
                if let Some(cfg) = c.get(config) {
                    values.extend(strings(cfg, "Values"));
                }
            }
            values.dedup();
            (field, values)
        })
        .collect();
    RuleIn {
        listener: listener.to_string(),
        priority: if priority == "default" || flag(v, "IsDefault") == Some(true) { None } else { priority.parse().ok() },
        conditions,
        actions: actions(list(v, "Actions")),
    }
}

fn target_group(v: &Value) -> TargetGroupIn {
    TargetGroupIn {
        arn: text(v, "TargetGroupArn"),
        name: text(v, "TargetGroupName"),
        protocol: text(v, "Protocol"),
        port: port(v, "Port"),
        target_type: text(v, "TargetType"),
        protocol_version: text(v, "ProtocolVersion"),
        load_balancers: strings(v, "LoadBalancerArns"),
        health_check_enabled: flag(v, "HealthCheckEnabled"),
        health_check_protocol: text(v, "HealthCheckProtocol"),
        health_check_port: text(v, "HealthCheckPort"),
        health_check_path: text(v, "HealthCheckPath"),
        interval_seconds: count(v, "HealthCheckIntervalSeconds"),
        timeout_seconds: count(v, "HealthCheckTimeoutSeconds"),
        healthy_threshold: count(v, "HealthyThresholdCount"),
        unhealthy_threshold: count(v, "UnhealthyThresholdCount"),
        matcher: v.get("Matcher").map(|m| text(m, "HttpCode")).unwrap_or_default(),
        attributes: BTreeMap::new(),
    }
}

fn observed(d: &Value, group: &str) -> ObservedTarget {
    let target = d.get("Target").cloned().unwrap_or(Value::Null);
    let health = d.get("TargetHealth").cloned().unwrap_or(Value::Null);
    ObservedTarget {
        target_group: group.to_string(),
        id: text(&target, "Id"),
        port: port(&target, "Port"),
        availability_zone: text(&target, "AvailabilityZone"),
        health_check_port: text(d, "HealthCheckPort"),
        state: text(&health, "State"),
        reason: text(&health, "Reason"),
        description: text(&health, "Description"),
    }
}

// ECS

fn service(v: &Value) -> ServiceIn {
    let awsvpc = v.get("networkConfiguration").and_then(|n| n.get("awsvpcConfiguration"));
    let dc = v.get("deploymentConfiguration").cloned().unwrap_or(Value::Null);
    ServiceIn {
        arn: text(v, "serviceArn"),
        name: text(v, "serviceName"),
        cluster: text(v, "clusterArn"),
        launch_type: text(v, "launchType"),
        desired_count: count(v, "desiredCount"),
        running_count: count(v, "runningCount"),
        task_definition: text(v, "taskDefinition"),
        load_balancers: list(v, "loadBalancers")
            .iter()
            .map(|l| ServiceLoadBalancerIn {
                target_group: text(l, "targetGroupArn"),
                container_name: text(l, "containerName"),
                container_port: port(l, "containerPort"),
            })
            .collect(),
        subnets: awsvpc.map(|a| strings(a, "subnets")),
        security_groups: awsvpc.map(|a| strings(a, "securityGroups")).unwrap_or_default(),
        assign_public_ip: awsvpc.and_then(|a| flag(a, "assignPublicIp")).unwrap_or(false),
        health_check_grace_period_seconds: count(v, "healthCheckGracePeriodSeconds"),
        minimum_healthy_percent: count(&dc, "minimumHealthyPercent"),
        maximum_percent: count(&dc, "maximumPercent"),
        events: list(v, "events").iter().map(|e| text(e, "message")).filter(|m| !m.is_empty()).take(20).collect(),
    }
}

pub(super) fn container(c: &Value) -> ContainerIn {
    ContainerIn {
        name: text(c, "name"),
        essential: flag(c, "essential").unwrap_or(true),
        port_mappings: list(c, "portMappings")
            .iter()
            .map(|m| PortMappingIn {
                container_port: port(m, "containerPort"),
                host_port: port(m, "hostPort"),
                protocol: text(m, "protocol"),
            })
            .collect(),
    }
}

fn task_definition(v: &Value) -> TaskDefinitionIn {
    TaskDefinitionIn {
        arn: text(v, "taskDefinitionArn"),
        family: text(v, "family"),
        revision: count(v, "revision"),
        network_mode: text(v, "networkMode"),
        containers: list(v, "containerDefinitions").iter().map(container).collect(),
    }
}

fn task(v: &Value) -> TaskIn {
    let mut t = TaskIn {
        arn: text(v, "taskArn"),
        last_status: text(v, "lastStatus"),
        task_definition: text(v, "taskDefinitionArn"),
        availability_zone: text(v, "availabilityZone"),
        container_instance: text(v, "containerInstanceArn"),
        stop_code: text(v, "stopCode"),
        stopped_reason: text(v, "stoppedReason"),
        ..TaskIn::default()
    };
    for a in list(v, "attachments").iter().filter(|a| text(a, "type") == "ElasticNetworkInterface") {
        for d in list(a, "details") {
            match text(d, "name").as_str() {
                "privateIPv4Address" => t.private_ip = text(d, "value"),
                "subnetId" => t.subnet = text(d, "value"),
                _ => {}
            }
        }
    }
    for c in list(v, "containers") {
        if t.private_ip.is_empty() {
            if let Some(ni) = list(c, "networkInterfaces").first() {
                t.private_ip = text(ni, "privateIpv4Address");
            }
        }
        for b in list(c, "networkBindings") {
            if let Some(p) = port(b, "hostPort") {
                t.host_ports.push(p);
            }
        }
    }
    t
}

// EC2

pub(super) fn permission(p: &Value) -> Permission {
    Permission {
        protocol: text(p, "IpProtocol"),
        from_port: int(p, "FromPort"),
        to_port: int(p, "ToPort"),
        cidrs: list(p, "IpRanges").iter().map(|r| text(r, "CidrIp")).collect(),
        ipv6_cidrs: list(p, "Ipv6Ranges").iter().map(|r| text(r, "CidrIpv6")).collect(),
        prefix_lists: list(p, "PrefixListIds").iter().map(|r| text(r, "PrefixListId")).collect(),
        groups: list(p, "UserIdGroupPairs").iter().map(|r| text(r, "GroupId")).collect(),
        description: list(p, "IpRanges")
            .iter()
            .chain(list(p, "UserIdGroupPairs"))
            .map(|r| text(r, "Description"))
            .find(|d| !d.is_empty())
            .unwrap_or_default(),
    }
}

fn security_group(v: &Value) -> SecurityGroupIn {
    SecurityGroupIn {
        id: text(v, "GroupId"),
        name: text(v, "GroupName"),
        vpc_id: text(v, "VpcId"),
        ingress: list(v, "IpPermissions").iter().map(permission).collect(),
        egress: list(v, "IpPermissionsEgress").iter().map(permission).collect(),
        described: true,
    }
}

fn flat_rule(r: &Value) -> (String, bool, Permission) {
    let referenced = r.get("ReferencedGroupInfo").map(|g| text(g, "GroupId")).filter(|g| !g.is_empty());
    let p = Permission {
        protocol: text(r, "IpProtocol"),
        from_port: int(r, "FromPort").filter(|p| *p >= 0),
        to_port: int(r, "ToPort").filter(|p| *p >= 0),
        cidrs: Some(text(r, "CidrIpv4")).filter(|c| !c.is_empty()).into_iter().collect(),
        ipv6_cidrs: Some(text(r, "CidrIpv6")).filter(|c| !c.is_empty()).into_iter().collect(),
        prefix_lists: Some(text(r, "PrefixListId")).filter(|c| !c.is_empty()).into_iter().collect(),
        groups: referenced.into_iter().collect(),
        description: text(r, "Description"),
    };
    (text(r, "GroupId"), flag(r, "IsEgress").unwrap_or(false), p)
}

fn subnet(v: &Value) -> SubnetIn {
    SubnetIn {
        id: text(v, "SubnetId"),
        availability_zone: text(v, "AvailabilityZone"),
        cidr: text(v, "CidrBlock"),
        vpc_id: text(v, "VpcId"),
        map_public_ip_on_launch: flag(v, "MapPublicIpOnLaunch"),
    }
}

fn network_acl(v: &Value) -> NetworkAclIn {
    NetworkAclIn {
        id: text(v, "NetworkAclId"),
        is_default: flag(v, "IsDefault").unwrap_or(false),
        subnets: list(v, "Associations").iter().map(|a| text(a, "SubnetId")).filter(|s| !s.is_empty()).collect(),
        entries: list(v, "Entries")
            .iter()
            .map(|e| NaclEntryIn {
                rule_number: int(e, "RuleNumber").unwrap_or(32767),
                egress: flag(e, "Egress").unwrap_or(false),
                protocol: text(e, "Protocol"),
                allow: text(e, "RuleAction") == "allow",
                cidr: text(e, "CidrBlock"),
                from_port: e.get("PortRange").and_then(|r| int(r, "From")),
                to_port: e.get("PortRange").and_then(|r| int(r, "To")),
            })
            .collect(),
    }
}
