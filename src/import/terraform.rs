//! `terraform show -json`, of a state or of a plan (hashicorp/terraform
//! `website/docs/internals/json-format.mdx`).
//!
//! Resources live in `values.root_module` (a state) or `planned_values.root_module` (a plan),
//! nested in `child_modules`; attributes use the AWS provider's snake_case names, nested blocks
//! are arrays of objects. In a plan, ids and ARNs that exist only after apply are absent, so a
//! link between resources is taken from `configuration`: the attribute's expression `references`
//! (`aws_lb_target_group.app.arn`), followed through module variables to the module call's
//! expression. Such a resource is keyed by its address. Security group rules come three ways
//! (inline blocks, `aws_security_group_rule`, `aws_vpc_security_group_*_rule`); all are read.

use super::aws::{container, Read};
use super::value::{block, count, flag, int, list, port, strings, text};
use super::*;
use serde_json::Value;

/// A resource of the document with where it sits.
struct Res<'a> {
    /// Its module's address (`module.service`), empty at the root.
    module: String,
    address: String,
    kind: String,
    values: &'a Value,
}

struct Doc<'a> {
    resources: Vec<Res<'a>>,
    /// Resources by their address without an index (`aws_subnet.private`): what a reference
    /// names, found without a scan.
    by_address: std::collections::BTreeMap<String, Vec<usize>>,
    /// Configuration modules by address: their resources' expressions and module calls.
    config: &'a Value,
    /// Each configured resource's `expressions`, by (module address, address in the module):
    /// found without a scan of the configuration, for every resource and attribute.
    expressions: std::collections::BTreeMap<(String, String), &'a Value>,
    /// References left to follow in this document. A module variable may list the same
    /// reference many times and modules may refer to each other in a ring: without a budget a
    /// hostile plan makes the walk exponential and freezes the page.
    budget: std::cell::Cell<usize>,
}

/// How many references one document may make the import follow, all resources together: real
/// plans need a few per resource.
const REFERENCE_BUDGET: usize = 100_000;

pub fn read(doc: &Value, read: &mut Read) -> Result<(), String> {
    let is_plan = doc.get("planned_values").is_some();
    let root = if is_plan { &doc["planned_values"]["root_module"] } else { &doc["values"]["root_module"] };
    if !root.is_object() {
        return Err("it is a Terraform JSON document without resources (no values.root_module): run `terraform show -json` on a state or a saved plan".into());
    }
    let mut resources = Vec::new();
    collect(root, &mut resources, 0);
    // Counted before any joining, so a document of a million resources costs no more than
    // reading it.
    if resources.len() > MAX_RESOURCES {
        return Err(format!("it holds {} resources, more than the {MAX_RESOURCES} resources one import reads", resources.len()));
    }
    let config = doc.get("configuration").and_then(|c| c.get("root_module")).unwrap_or(&Value::Null);
    let mut expressions = std::collections::BTreeMap::new();
    index_config(config, "", &mut expressions, 0);
    let mut by_address: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        by_address.entry(without_index(&r.address).to_string()).or_default().push(i);
    }
    let d = Doc { resources, by_address, config, expressions, budget: std::cell::Cell::new(REFERENCE_BUDGET) };
    let managed = d.resources.iter().filter(|r| r.values.is_object()).count();
    if managed == 0 {
        return Err("the Terraform document holds no resources".into());
    }
    let inv = &mut read.inventory;
    let mut used = 0;
    for r in &d.resources {
        let v = r.values;
        let key = |attr: &str| d.key_of(r, attr);
        match r.kind.as_str() {
            "aws_vpc" => inv.vpc_cidrs.push((key("id"), text(v, "cidr_block"))),
            "aws_subnet" => inv.subnets.push(SubnetIn {
                id: key("id"),
                availability_zone: text(v, "availability_zone"),
                cidr: text(v, "cidr_block"),
                vpc_id: d.one(r, &["vpc_id"]),
                map_public_ip_on_launch: flag(v, "map_public_ip_on_launch"),
            }),
            "aws_security_group" => {
                let id = key("id");
                let ingress = list(v, "ingress").iter().map(|b| inline_rule(b, &id)).collect();
                let egress = list(v, "egress").iter().map(|b| inline_rule(b, &id)).collect();
                inv.security_groups.push(SecurityGroupIn {
                    id,
                    name: text(v, "name"),
                    vpc_id: d.one(r, &["vpc_id"]),
                    ingress,
                    egress,
                    described: true,
                });
            }
            "aws_security_group_rule" => {
                let group = d.one(r, &["security_group_id"]);
                let mut p = inline_rule(v, &group);
                p.groups = d.ids(r, &["source_security_group_id"]);
                if flag(v, "self") == Some(true) {
                    p.groups.push(group.clone());
                }
                inv.loose_rules.push((group, text(v, "type") == "egress", p));
            }
            "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                let group = d.one(r, &["security_group_id"]);
                let p = Permission {
                    protocol: text(v, "ip_protocol"),
                    from_port: int(v, "from_port"),
                    to_port: int(v, "to_port"),
                    cidrs: Some(text(v, "cidr_ipv4")).filter(|c| !c.is_empty()).into_iter().collect(),
                    ipv6_cidrs: Some(text(v, "cidr_ipv6")).filter(|c| !c.is_empty()).into_iter().collect(),
                    prefix_lists: Some(text(v, "prefix_list_id")).filter(|c| !c.is_empty()).into_iter().collect(),
                    groups: d.ids(r, &["referenced_security_group_id"]),
                    description: text(v, "description"),
                };
                inv.loose_rules.push((group, r.kind.ends_with("egress_rule"), p));
            }
            "aws_lb" | "aws_alb" => {
                let subnets = d.ids(r, &["subnets"]);
                inv.load_balancers.push(LoadBalancerIn {
                    arn: key("arn"),
                    name: text(v, "name"),
                    kind: Some(text(v, "load_balancer_type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "application".into()),
                    internal: flag(v, "internal").unwrap_or(false),
                    vpc_id: text(v, "vpc_id"),
                    zones: subnets.into_iter().map(|s| (String::new(), s)).collect(),
                    security_groups: d.ids(r, &["security_groups"]),
                    idle_timeout_seconds: count(v, "idle_timeout"),
                });
            }
            "aws_lb_listener" | "aws_alb_listener" => inv.listeners.push(ListenerIn {
                arn: key("arn"),
                load_balancer: d.one(r, &["load_balancer_arn"]),
                port: port(v, "port").unwrap_or(0),
                protocol: text(v, "protocol"),
                default_actions: d.actions(r, "default_action"),
            }),
            "aws_lb_listener_rule" | "aws_alb_listener_rule" => {
                let mut conditions = Vec::new();
                for c in list(v, "condition") {
                    for (field, attr) in [
                        ("path-pattern", "path_pattern"),
                        ("host-header", "host_header"),
                        ("http-header", "http_header"),
                        ("query-string", "query_string"),
                        ("http-request-method", "http_request_method"),
                        ("source-ip", "source_ip"),
                    ] {
                        if let Some(b) = block(c, attr) {
                            conditions.push((field.to_string(), strings(b, "values")));
                        }
                    }
                }
                inv.rules.push(RuleIn {
                    listener: d.one(r, &["listener_arn"]),
                    priority: count(v, "priority"),
                    conditions,
                    actions: d.actions(r, "action"),
                });
            }
            "aws_lb_target_group" | "aws_alb_target_group" => {
                let hc = block(v, "health_check").unwrap_or(&Value::Null);
                let mut attributes = BTreeMap::new();
                if let Some(n) = int(v, "deregistration_delay") {
                    attributes.insert("deregistration_delay.timeout_seconds".into(), n.to_string());
                }
                let algorithm = text(v, "load_balancing_algorithm_type");
                if !algorithm.is_empty() {
                    attributes.insert("load_balancing.algorithm.type".into(), algorithm);
                }
                if let Some(n) = block(v, "target_group_health")
                    .and_then(|t| block(t, "unhealthy_state_routing"))
                    .and_then(|u| int(u, "minimum_healthy_targets_count"))
                {
                    attributes.insert("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count".into(), n.to_string());
                }
                inv.target_groups.push(TargetGroupIn {
                    arn: key("arn"),
                    name: text(v, "name"),
                    protocol: text(v, "protocol"),
                    port: port(v, "port"),
                    target_type: Some(text(v, "target_type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "instance".into()),
                    protocol_version: text(v, "protocol_version"),
                    load_balancers: Vec::new(),
                    health_check_enabled: flag(hc, "enabled"),
                    health_check_protocol: text(hc, "protocol"),
                    health_check_port: text(hc, "port"),
                    health_check_path: text(hc, "path"),
                    interval_seconds: count(hc, "interval"),
                    timeout_seconds: count(hc, "timeout"),
                    healthy_threshold: count(hc, "healthy_threshold"),
                    unhealthy_threshold: count(hc, "unhealthy_threshold"),
                    matcher: text(hc, "matcher"),
                    attributes,
                });
            }
            "aws_ecs_service" => {
                let nc = block(v, "network_configuration");
                let lbs = list(v, "load_balancer")
                    .iter()
                    .enumerate()
                    .map(|(i, b)| ServiceLoadBalancerIn {
                        target_group: d.one_in_block(r, "load_balancer", i, "target_group_arn"),
                        container_name: text(b, "container_name"),
                        container_port: port(b, "container_port"),
                    })
                    .collect();
                inv.services.push(ServiceIn {
                    arn: key("id"),
                    name: text(v, "name"),
                    cluster: d.one(r, &["cluster"]),
                    launch_type: text(v, "launch_type"),
                    desired_count: count(v, "desired_count"),
                    running_count: None,
                    task_definition: d.one(r, &["task_definition"]),
                    load_balancers: lbs,
                    subnets: nc.map(|_| d.ids(r, &["network_configuration", "subnets"])),
                    security_groups: d.ids(r, &["network_configuration", "security_groups"]),
                    assign_public_ip: nc.and_then(|n| flag(n, "assign_public_ip")).unwrap_or(false),
                    health_check_grace_period_seconds: count(v, "health_check_grace_period_seconds"),
                    minimum_healthy_percent: count(v, "deployment_minimum_healthy_percent"),
                    maximum_percent: count(v, "deployment_maximum_percent"),
                    events: Vec::new(),
                });
            }
            "aws_ecs_task_definition" => {
                // A list of container definitions as ONE JSON string, camelCase inside.
                let containers = match v.get("container_definitions") {
                    Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                        Ok(Value::Array(items)) => items.iter().map(container).collect(),
                        _ => return Err(format!("{}: container_definitions is not a JSON list of container definitions", r.address)),
                    },
                    Some(Value::Array(items)) => items.iter().map(container).collect(),
                    _ => Vec::new(),
                };
                inv.task_definitions.push(TaskDefinitionIn {
                    arn: key("arn"),
                    family: text(v, "family"),
                    revision: count(v, "revision"),
                    network_mode: Some(text(v, "network_mode")).filter(|m| !m.is_empty()).unwrap_or_else(|| "bridge".into()),
                    containers,
                });
            }
            "aws_network_acl" | "aws_default_network_acl" => {
                let mut entries = Vec::new();
                for (egress, attr) in [(false, "ingress"), (true, "egress")] {
                    for e in list(v, attr) {
                        entries.push(NaclEntryIn {
                            rule_number: int(e, "rule_no").unwrap_or(100),
                            egress,
                            protocol: text(e, "protocol"),
                            allow: text(e, "action") == "allow",
                            cidr: text(e, "cidr_block"),
                            from_port: int(e, "from_port"),
                            to_port: int(e, "to_port"),
                        });
                    }
                }
                inv.network_acls.push(NetworkAclIn {
                    id: key("id"),
                    is_default: r.kind == "aws_default_network_acl",
                    subnets: d.ids(r, &["subnet_ids"]),
                    entries,
                });
            }
            _ => continue,
        }
        used += 1;
    }
    if used == 0 {
        return Err(format!(
            "the Terraform document has {managed} resources, none of them one ALB Lab reads (aws_lb, aws_lb_listener, aws_lb_target_group, aws_ecs_service, aws_ecs_task_definition, aws_security_group, …)"
        ));
    }
    read.read_as.push(format!("terraform show -json ({}, {used} resources)", if is_plan { "plan" } else { "state" }));
    if d.budget.get() == 0 {
        read.warnings.push(format!(
            "its resources refer to each other through more than {REFERENCE_BUDGET} references, more than ALB Lab follows: links past that were left out, and what they would have given is listed as assumed"
        ));
    }
    Ok(())
}

/// Every configured resource's expressions, under its module's address (`module.a.module.b`).
fn index_config<'a>(module: &'a Value, address: &str, out: &mut std::collections::BTreeMap<(String, String), &'a Value>, depth: usize) {
    if depth > 16 {
        return;
    }
    for r in list(module, "resources") {
        if let Some(e) = r.get("expressions") {
            out.entry((address.to_string(), text(r, "address"))).or_insert(e);
        }
    }
    if let Some(calls) = module.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            let child = if address.is_empty() { format!("module.{name}") } else { format!("{address}.module.{name}") };
            if let Some(m) = call.get("module") {
                index_config(m, &child, out, depth + 1);
            }
        }
    }
}

fn collect<'a>(module: &'a Value, out: &mut Vec<Res<'a>>, depth: usize) {
    if depth > 16 {
        return;
    }
    let module_address = text(module, "address");
    for r in list(module, "resources") {
        if text(r, "mode") == "data" {
            continue;
        }
        out.push(Res { module: module_address.clone(), address: text(r, "address"), kind: text(r, "type"), values: &r["values"] });
    }
    for child in list(module, "child_modules") {
        collect(child, out, depth + 1);
    }
}

/// An inline rule block, or a separate rule resource's ports, protocol and CIDRs.
fn inline_rule(b: &Value, own_group: &str) -> Permission {
    let mut groups = strings(b, "security_groups");
    if flag(b, "self") == Some(true) {
        groups.push(own_group.to_string());
    }
    Permission {
        protocol: text(b, "protocol"),
        from_port: int(b, "from_port"),
        to_port: int(b, "to_port"),
        cidrs: strings(b, "cidr_blocks"),
        ipv6_cidrs: strings(b, "ipv6_cidr_blocks"),
        prefix_lists: strings(b, "prefix_list_ids"),
        groups,
        description: text(b, "description"),
    }
}

/// `aws_lb_target_group.app[0]` → `aws_lb_target_group.app`.
fn without_index(address: &str) -> &str {
    match address.rfind('[') {
        Some(i) if address.ends_with(']') => &address[..i],
        _ => address,
    }
}

impl Doc<'_> {
    /// The key a resource is known by: `attr` (its ARN or id) when the document knows it, its
    /// address when a plan leaves it unknown.
    fn key_of(&self, r: &Res, attr: &str) -> String {
        let known = text(r.values, attr);
        if known.is_empty() {
            r.address.clone()
        } else {
            known
        }
    }

    /// The configuration module at `module` (`module.a.module.b`).
    fn config_module(&self, module: &str) -> Option<&Value> {
        let mut m = self.config;
        for part in module.split('.').collect::<Vec<_>>().chunks(2) {
            if let [kw, name] = part {
                if *kw != "module" {
                    return None;
                }
                m = m.get("module_calls")?.get(*name)?.get("module")?;
            }
        }
        Some(m)
    }

    /// The configuration of a resource: its `expressions`.
    fn expressions(&self, r: &Res) -> Option<&Value> {
        let local = without_index(&r.address).strip_prefix(&format!("{}.", r.module)).unwrap_or(without_index(&r.address)).to_string();
        self.expressions.get(&(r.module.clone(), local)).copied()
    }

    /// Resolve expression references made in `module` to resource keys.
    fn resolve(&self, module: &str, refs: &[String], depth: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if depth > 8 {
            return out;
        }
        let mut kept = std::collections::BTreeSet::new();
        let mut seen = std::collections::BTreeSet::new();
        for reference in refs {
            // The same reference twice adds nothing: follow it once.
            if !seen.insert(reference.as_str()) {
                continue;
            }
            let Some(left) = self.budget.get().checked_sub(1) else { break };
            self.budget.set(left);
            let found = if let Some(var) = reference.strip_prefix("var.") {
                // A module variable: the expression the parent's module call gives it.
                let var = var.split('.').next().unwrap_or(var);
                let (parent, name) = match module.rfind(".module.") {
                    Some(i) => (&module[..i], &module[i + 8..]),
                    None => ("", module.strip_prefix("module.").unwrap_or("")),
                };
                let call = self.config_module(parent).and_then(|p| p.get("module_calls")).and_then(|c| c.get(name));
                let refs =
                    call.and_then(|c| c.get("expressions")).and_then(|e| e.get(var)).map(|e| strings(e, "references")).unwrap_or_default();
                self.resolve(parent, &refs, depth + 1)
            } else if let Some(rest) = reference.strip_prefix("module.") {
                // A child module's output (`module.vpc.private_subnets`): the references of the
                // output's expression, inside that module.
                let mut parts = rest.splitn(3, '.');
                let (Some(name), Some(output)) = (parts.next(), parts.next()) else { continue };
                let child = if module.is_empty() { format!("module.{name}") } else { format!("{module}.module.{name}") };
                let refs = self
                    .config_module(&child)
                    .and_then(|m| m.get("outputs"))
                    .and_then(|o| o.get(output))
                    .and_then(|o| o.get("expression"))
                    .map(|e| strings(e, "references"))
                    .unwrap_or_default();
                self.resolve(&child, &refs, depth + 1)
            } else {
                // `aws_x.name.attr` or `aws_x.name` or `aws_x.name[0].attr`.
                let mut parts = reference.splitn(3, '.');
                let (Some(kind), Some(name)) = (parts.next(), parts.next()) else { continue };
                let name = without_index(name);
                let address = if module.is_empty() { format!("{kind}.{name}") } else { format!("{module}.{kind}.{name}") };
                // `aws_subnet.private` names every instance of a `count` or `for_each`.
                self.by_address
                    .get(&address)
                    .into_iter()
                    .flatten()
                    .map(|&i| &self.resources[i])
                    .map(|r| {
                        let attr = if [
                            "aws_lb",
                            "aws_alb",
                            "aws_lb_target_group",
                            "aws_alb_target_group",
                            "aws_lb_listener",
                            "aws_alb_listener",
                            "aws_ecs_task_definition",
                        ]
                        .contains(&r.kind.as_str())
                        {
                            "arn"
                        } else {
                            "id"
                        };
                        self.key_of(r, attr)
                    })
                    .collect()
            };
            // Each key found is work too (`aws_subnet.s` may name thousands of instances).
            self.budget.set(self.budget.get().saturating_sub(found.len()));
            for f in found {
                if kept.insert(f.clone()) {
                    out.push(f);
                }
            }
        }
        out
    }

    /// The ids an attribute names (`security_groups`, `network_configuration.subnets`): the
    /// values when known, else the references of its expression.
    fn ids(&self, r: &Res, path: &[&str]) -> Vec<String> {
        let mut v = r.values;
        for (i, p) in path.iter().enumerate() {
            if i + 1 < path.len() {
                v = block(v, p).unwrap_or(&Value::Null);
            }
        }
        let last = path[path.len() - 1];
        let known: Vec<String> = match v.get(last) {
            Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        if !known.is_empty() {
            return known;
        }
        let mut e = self.expressions(r);
        for p in path {
            e = e.and_then(|x| match x.get(*p) {
                Some(Value::Array(a)) => a.first(),
                other => other,
            });
        }
        let refs = e.map(|x| strings(x, "references")).unwrap_or_default();
        self.resolve(&r.module, &refs, 0)
    }

    fn one(&self, r: &Res, path: &[&str]) -> String {
        self.ids(r, path).into_iter().next().unwrap_or_default()
    }

    /// One attribute of the `index`-th block of `block_name`.
    fn one_in_block(&self, r: &Res, block_name: &str, index: usize, attr: &str) -> String {
        let known = list(r.values, block_name).get(index).map(|b| text(b, attr)).unwrap_or_default();
        if !known.is_empty() {
            return known;
        }
        let e = self.expressions(r).and_then(|x| x.get(block_name)).and_then(|b| b.get(index)).and_then(|b| b.get(attr));
        let refs = e.map(|x| strings(x, "references")).unwrap_or_default();
        self.resolve(&r.module, &refs, 0).into_iter().next().unwrap_or_default()
    }

    fn actions(&self, r: &Res, block_name: &str) -> Vec<ActionIn> {
        let mut out: Vec<(i64, ActionIn)> = Vec::new();
        for (i, a) in list(r.values, block_name).iter().enumerate() {
            let mut target_groups = Vec::new();
            let single = self.one_in_block(r, block_name, i, "target_group_arn");
            if let Some(fw) = block(a, "forward") {
                for g in list(fw, "target_group") {
                    target_groups.push((text(g, "arn"), count(g, "weight").unwrap_or(1)));
                }
            }
            if target_groups.is_empty() && !single.is_empty() {
                target_groups.push((single, 1));
            }
            let fixed = block(a, "fixed_response").unwrap_or(&Value::Null);
            let redirect = block(a, "redirect")
                .map(|x| {
                    format!(
                        "{} to {}://{}:{}{}",
                        text(x, "status_code"),
                        text(x, "protocol"),
                        text(x, "host"),
                        text(x, "port"),
                        text(x, "path")
                    )
                })
                .unwrap_or_default();
            let kind = text(a, "type");
            out.push((
                int(a, "order").unwrap_or(50_000),
                ActionIn {
                    kind: kind.replace('_', "-"),
                    target_groups,
                    status_code: Some(text(fixed, "status_code")).filter(|s| !s.is_empty()),
                    content_type: text(fixed, "content_type"),
                    message_body: text(fixed, "message_body"),
                    redirect,
                },
            ));
        }
        out.sort_by_key(|(o, _)| *o);
        out.into_iter().map(|(_, a)| a).collect()
    }
}
