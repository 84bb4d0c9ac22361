//! Joining the inventory into one scenario the simulation runs (docs/import.md §What the
//! import makes).
//!
//! The lab runs one load balancer, one service with one container, up to five target groups.
//! Where the setup has more, the part the request path uses is kept (the service attached to
//! the load balancer's target groups) and the rest is named in a note. Where a document is
//! missing, the part it would describe is assumed in the way that lets a request through, and
//! the note says which command fills the gap: an assumption never invents a broken hop.

use super::*;
use crate::sim::cli::{listener_arn, load_balancer_arn};
use crate::sim::net::{Cidr, Ipv4};
use crate::sim::scenario::{
    target_group_arn, Action, App, Client, ContainerDefinition, ContainerInstance, DeploymentConfiguration, EcsService, HealthCheck,
    HealthResponse, LaunchType, Listener, ListenerRule, LoadBalancer, LoadBalancingAlgorithm, NaclAction, NetworkAcl, NetworkAclEntry,
    NetworkConfiguration, NetworkMode, PortMapping, Scheme, SecurityGroup, SecurityGroupRule, ServiceLoadBalancer, SimOptions, Subnet,
    TargetGroup, TargetType, TaskDefinition, Vpc, FORMAT, MAX_DESIRED_COUNT, VERSION,
};

pub struct Built {
    pub scenario: Result<ValidScenario, Vec<String>>,
    pub notes: Vec<Note>,
    pub ids: IdBook,
}

struct B<'a> {
    inv: &'a Inventory,
    notes: Vec<Note>,
}

impl B<'_> {
    fn assume(&mut self, text: impl Into<String>, fill: impl Into<String>) {
        let fill = fill.into();
        self.notes.push(Note { kind: NoteKind::Assumed, text: text.into(), fill: (!fill.is_empty()).then_some(fill) });
    }
    fn not_modelled(&mut self, text: impl Into<String>) {
        let text = text.into();
        if !self.notes.iter().any(|n| n.text == text) {
            self.notes.push(Note { kind: NoteKind::NotModelled, text, fill: None });
        }
    }
}

/// The last word of an ARN (`…:cluster/shop` → `shop`), or the text itself.
fn last_part(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// A name the lab accepts (1-`max` letters, digits, `-`, `_`, `.`), as close to `name` as can be.
fn lab_name(name: &str, max: usize, fallback: &str) -> String {
    // `aws_subnet.private["a"]` (a plan's address) → `aws_subnet.private-a`.
    let mut out: String = name
        .chars()
        .filter(|c| !matches!(c, ']' | '"'))
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' })
        .take(max)
        .collect();
    if out.trim_matches('-').is_empty() {
        out = fallback.to_string();
    }
    out
}

fn description(text: &str) -> String {
    const ALLOWED: &str = "._-:/()#,@[]+=&;{}!$* ";
    text.chars().filter(|c| c.is_ascii_alphanumeric() || ALLOWED.contains(*c)).take(255).collect()
}

/// Keep the last of each key: a later paste of the same resource replaces an earlier one.
fn uniq<T: Clone>(items: &[T], key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in items.iter().rev() {
        if key(item).is_empty() || !out.iter().any(|o| key(o) == key(item)) {
            out.push(item.clone());
        }
    }
    out.reverse();
    out
}

/// Does `key` (an ARN, id or logical id) name `arn_or_name`? Terraform and CloudFormation
/// sometimes name a target group by name where the CLI gives its ARN.
fn names(key: &str, tg: &TargetGroupIn) -> bool {
    !key.is_empty()
        && (key == tg.arn || key == tg.name || (key.contains(":targetgroup/") && key.split('/').nth(1) == Some(tg.name.as_str())))
}

pub fn build(inv: &Inventory) -> Built {
    let mut b = B { inv, notes: Vec::new() };
    let scenario = build_scenario(&mut b);
    let (scenario, ids) = match scenario {
        Ok((s, ids)) => (s.validate().map_err(|e| e.0.iter().map(|x| format!("{}: {}", x.field, x.message)).collect()), ids),
        Err(e) => (Err(vec![e]), IdBook::default()),
    };
    Built { scenario, notes: b.notes, ids }
}

fn build_scenario(b: &mut B) -> Result<(Scenario, IdBook), String> {
    let inv = b.inv;
    if inv.resource_count() == 0 {
        return Err("nothing was read yet: paste or drop at least one document".into());
    }
    let target_groups_in = uniq(&inv.target_groups, |t| &t.arn);
    let services_in = uniq(&inv.services, |s| &s.arn);
    let lbs_in = uniq(&inv.load_balancers, |l| &l.arn);
    let listeners_in = uniq(&inv.listeners, |l| &l.arn);

    // The load balancer: the application one whose listeners reach a service's target group.
    let mut albs: Vec<&LoadBalancerIn> = Vec::new();
    for lb in &lbs_in {
        if lb.kind.is_empty() || lb.kind == "application" {
            albs.push(lb);
        } else {
            b.not_modelled(format!(
                "{} is a {} load balancer; ALB Lab models Application Load Balancers only, so it is left out.",
                lb.name, lb.kind
            ));
        }
    }
    let service_tgs: Vec<&str> = services_in.iter().flat_map(|s| s.load_balancers.iter().map(|l| l.target_group.as_str())).collect();
    let reaches_service = |lb: &LoadBalancerIn| {
        listeners_in
            .iter()
            .filter(|l| l.load_balancer == lb.arn)
            .any(|l| l.default_actions.iter().flat_map(|a| &a.target_groups).any(|(tg, _)| service_tgs.contains(&tg.as_str())))
            || target_groups_in.iter().any(|t| t.load_balancers.contains(&lb.arn) && service_tgs.iter().any(|k| names(k, t)))
    };
    let lb_in: Option<LoadBalancerIn> = albs.iter().find(|l| reaches_service(l)).or(albs.first()).map(|l| (*l).clone());
    if albs.len() > 1 {
        let lb_name = lb_in.as_ref().map(|l| l.name.clone()).unwrap_or_default();
        b.not_modelled(format!(
            "{} Application Load Balancers were pasted; the lab runs one: {lb_name}, whose listeners reach the service.",
            albs.len()
        ));
    }

    // The service: the one attached to one of this load balancer's target groups.
    let service_in: Option<ServiceIn> = {
        let attached = |s: &&ServiceIn| {
            s.load_balancers.iter().any(|l| {
                target_groups_in.iter().any(|t| {
                    names(&l.target_group, t)
                        && lb_in.as_ref().is_none_or(|lb| t.load_balancers.is_empty() || t.load_balancers.contains(&lb.arn))
                })
            })
        };
        services_in.iter().find(attached).or(services_in.first()).cloned()
    };
    if services_in.len() > 1 {
        b.not_modelled(format!(
            "{} ECS services were pasted; the lab runs one: {}. Import again with the others' documents to see them.",
            services_in.len(),
            service_in.as_ref().map(|s| s.name.as_str()).unwrap_or("")
        ));
    }

    // The listeners of that load balancer.
    let mut listeners: Vec<ListenerIn> = match &lb_in {
        Some(lb) => listeners_in.iter().filter(|l| l.load_balancer == lb.arn || l.load_balancer.is_empty()).cloned().collect(),
        None => listeners_in.clone(),
    };
    // A port no document gives (a template's parameter without a default): the protocol's own.
    for l in listeners.iter_mut().filter(|l| l.port == 0) {
        let port = if l.protocol == "HTTPS" { 443 } else { 80 };
        b.assume(
            format!(
                "A listener's port is not in the documents (a parameter without a default?): assuming {port}, the {} port.",
                if port == 443 { "HTTPS" } else { "HTTP" }
            ),
            format!("aws elbv2 describe-listeners --load-balancer-arn {}", real_or(&l.load_balancer, "<load-balancer-arn>")),
        );
        l.port = port;
    }
    listeners.sort_by_key(|l| l.port);
    listeners.dedup_by_key(|l| l.port);

    // A group the service or a listener names but no document describes: assumed, with AWS's
    // defaults, rather than drawn as a dead end.
    let mut target_groups_in = target_groups_in;
    let bridge = inv.task_definitions.iter().any(|t| t.network_mode == "bridge");
    let mut named: Vec<String> =
        service_in.as_ref().map(|s| s.load_balancers.iter().map(|l| l.target_group.clone()).collect()).unwrap_or_default();
    for l in &listeners {
        named.extend(l.default_actions.iter().flat_map(|a| a.target_groups.iter().map(|(k, _)| k.clone())));
    }
    for k in named {
        if k.is_empty() || target_groups_in.iter().any(|t| names(&k, t)) || target_groups_in.len() >= 5 {
            continue;
        }
        let name = match k.split('/').collect::<Vec<_>>().as_slice() {
            [_, name, _] if k.contains(":targetgroup/") => name.to_string(),
            _ => last_part(&k).to_string(),
        };
        let kind = if bridge { "instance" } else { "ip" };
        b.assume(
            format!(
                "Target group {name} was not described: assuming an {kind} group with AWS's default health check (/, traffic port, 200)."
            ),
            if k.starts_with("arn:") {
                format!("aws elbv2 describe-target-groups --target-group-arns {k}")
            } else {
                "aws elbv2 describe-target-groups --names <its name>".into()
            },
        );
        target_groups_in.push(TargetGroupIn {
            arn: k.clone(),
            name,
            protocol: "HTTP".into(),
            port: service_in.as_ref().and_then(|s| s.load_balancers.first()).and_then(|l| l.container_port),
            target_type: kind.into(),
            ..TargetGroupIn::default()
        });
    }

    // Target groups: those the listeners, rules and the service name, the service's first.
    let rules_in = uniq(&inv.rules, |_| "");
    let mut wanted: Vec<String> = Vec::new();
    let mut want = |k: &str| {
        if let Some(t) = target_groups_in.iter().find(|t| names(k, t)) {
            if !wanted.contains(&t.arn) {
                wanted.push(t.arn.clone());
            }
        }
    };
    if let Some(s) = &service_in {
        s.load_balancers.iter().for_each(|l| want(&l.target_group));
    }
    for l in &listeners {
        l.default_actions.iter().flat_map(|a| &a.target_groups).for_each(|(k, _)| want(k));
    }
    for r in &rules_in {
        r.actions.iter().flat_map(|a| &a.target_groups).for_each(|(k, _)| want(k));
    }
    for t in &target_groups_in {
        if lb_in.as_ref().is_some_and(|lb| t.load_balancers.contains(&lb.arn)) {
            want(&t.arn);
        }
    }
    if wanted.is_empty() {
        if let Some(t) = target_groups_in.first() {
            wanted.push(t.arn.clone());
        }
    }
    let mut tgs_in: Vec<TargetGroupIn> = Vec::new();
    for k in &wanted {
        let Some(t) = target_groups_in.iter().find(|t| &t.arn == k) else { continue };
        if t.target_type == "lambda" || t.target_type == "alb" {
            b.not_modelled(format!(
                "Target group {} has {} targets; the lab models ip and instance targets only, so it is left out.",
                t.name, t.target_type
            ));
            continue;
        }
        if tgs_in.len() == 5 {
            b.not_modelled(format!("Target group {} is left out: the lab draws at most five target groups.", t.name));
            continue;
        }
        tgs_in.push(t.clone());
    }

    // The task definition and its container.
    let tds = uniq(&inv.task_definitions, |t| &t.arn);
    let td_in: Option<TaskDefinitionIn> = service_in
        .as_ref()
        .and_then(|s| {
            let want = &s.task_definition;
            tds.iter().find(|t| {
                !want.is_empty()
                    && (t.arn == *want
                        || want.ends_with(&format!("task-definition/{}:{}", t.family, t.revision.unwrap_or(0)))
                        || *want == format!("{}:{}", t.family, t.revision.unwrap_or(0))
                        || *want == t.family)
            })
        })
        .or(tds.first())
        .cloned();

    if let (Some(s), Some(td)) = (&service_in, &td_in) {
        let runs = format!("{}:{}", td.family, td.revision.unwrap_or(0));
        if !s.task_definition.is_empty()
            && !s.task_definition.ends_with(&runs)
            && s.task_definition != td.arn
            && s.task_definition != td.family
        {
            b.assume(
                format!("The service runs {}, but the task definition pasted is {runs}: using it.", last_part(&s.task_definition)),
                format!("aws ecs describe-task-definition --task-definition {}", last_part(&s.task_definition)),
            );
        }
    }
    if tgs_in.len() > 1 && inv.target_group_attributes.iter().any(|(k, _)| k.is_empty()) {
        b.not_modelled("Target group attributes pasted without their command name no group: they are left out (paste them as the collector writes them).");
    }

    // Subnets and the VPC.
    let subnets_in = uniq(&inv.subnets, |s| &s.id);
    let tasks_in = uniq(&inv.tasks, |t| &t.arn);
    let running: Vec<&TaskIn> = tasks_in.iter().filter(|t| t.last_status == "RUNNING" || t.last_status.is_empty()).collect();

    let mut scenario_subnets: Vec<Subnet> = Vec::new();
    let vpc_cidr = vpc_cidr(b, lb_in.as_ref(), &subnets_in);
    let vpc = Cidr::parse(&vpc_cidr).unwrap_or(Cidr { base: Ipv4(0x0A00_0000), prefix_len: 16 });
    let lb_subnet_ids: Vec<String> =
        lb_in.as_ref().map(|l| l.zones.iter().map(|(_, s)| s.clone()).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let internal = lb_in.as_ref().is_some_and(|l| l.internal);
    let mut invented = 0u32;
    let mut add_subnet = |b: &mut B, id: &str, public: bool, zone_hint: &str, out: &mut Vec<Subnet>| -> Option<String> {
        let raw = id;
        let id = lab_name(id, 64, "subnet-imported");
        if out.iter().any(|s| s.id == id) {
            return Some(id);
        }
        if out.len() == 6 {
            b.not_modelled(format!("Subnet {id} is left out: the lab draws at most six subnets."));
            return None;
        }
        let described = subnets_in.iter().find(|s| s.id == raw);
        let cidr = described
            .map(|s| s.cidr.clone())
            .filter(|c| Cidr::parse(c).is_some_and(|c| vpc.covers(c) && (16..=28).contains(&c.prefix_len)));
        // An undescribed subnet that holds a task: the /24 around the task's address.
        let from_task = running
            .iter()
            .filter(|t| t.subnet == raw)
            .filter_map(|t| Ipv4::parse(&t.private_ip))
            .map(|ip| Cidr { base: Ipv4(ip.0 & 0xFFFF_FF00), prefix_len: 24 })
            .find(|c| vpc.covers(*c) && !out.iter().any(|s| Cidr::parse(&s.cidr).is_some_and(|o| o.covers(*c) || c.covers(o))))
            .map(|c| format!("{}/{}", c.base, c.prefix_len));
        let cidr = cidr.or(from_task).unwrap_or_else(|| {
            // A block the pasted subnets do not use, from the top of the VPC's range down: a
            // /24, or a /28 in a VPC smaller than a /22.
            let len: u8 = if vpc.prefix_len <= 22 { 24 } else { 28 };
            let block = 1u32 << (32 - len);
            let blocks = (1u32 << (32 - vpc.prefix_len)) / block;
            loop {
                invented += 1;
                let base = Ipv4(vpc.base.0 + (blocks.saturating_sub(invented.min(blocks))) * block);
                let c = format!("{base}/{len}");
                let cc = Cidr::parse(&c).expect("an aligned block");
                let clash = out.iter().chain([].iter()).any(|s| Cidr::parse(&s.cidr).is_some_and(|o| o.covers(cc) || cc.covers(o)))
                    || subnets_in.iter().any(|s| Cidr::parse(&s.cidr).is_some_and(|o| o.covers(cc) || cc.covers(o)));
                if !clash || invented >= blocks {
                    break c;
                }
            }
        });
        let zone = described.map(|s| s.availability_zone.clone()).filter(|z| !z.is_empty()).unwrap_or_else(|| zone_hint.to_string());
        // A zone no other subnet here uses: a load balancer takes one subnet per zone.
        let zone = if zone.is_empty() {
            ('a'..='f')
                .map(|c| format!("us-east-1{c}"))
                .find(|z| out.iter().all(|s| s.availability_zone != *z))
                .unwrap_or_else(|| format!("us-east-1{}", ['a', 'b', 'c'][out.len() % 3]))
        } else {
            zone
        };
        if described.is_none() {
            b.assume(
                format!("Subnet {id} was not described: assuming {cidr} in {zone}."),
                format!("aws ec2 describe-subnets --subnet-ids {}", real_or(&id, "<subnet-id>")),
            );
        }
        out.push(Subnet { id: id.clone(), availability_zone: lab_name(&zone, 64, "us-east-1a"), cidr, is_public: public });
        Some(id)
    };
    let zone_of = |id: &str| -> String {
        lb_in
            .as_ref()
            .and_then(|l| l.zones.iter().find(|(_, s)| s == id).map(|(z, _)| z.clone()))
            .filter(|z| !z.is_empty())
            .unwrap_or_else(|| running.iter().find(|t| t.subnet == id).map(|t| t.availability_zone.clone()).unwrap_or_default())
    };
    let mut lb_subnets = Vec::new();
    for id in &lb_subnet_ids {
        if let Some(id) = add_subnet(b, id, !internal, &zone_of(id), &mut scenario_subnets) {
            lb_subnets.push(id);
        }
    }
    let zones = |subs: &[Subnet], ids: &[String]| {
        ids.iter()
            .filter_map(|i| subs.iter().find(|s| &s.id == i))
            .map(|s| s.availability_zone.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    while zones(&scenario_subnets, &lb_subnets) < 2 {
        let n = lb_subnets.len();
        let zone = format!("us-east-1{}", ['a', 'b', 'c'][n % 3]);
        let taken: Vec<String> =
            lb_subnets.iter().filter_map(|i| scenario_subnets.iter().find(|s| &s.id == i)).map(|s| s.availability_zone.clone()).collect();
        let zone = if taken.contains(&zone) { format!("us-east-1{}", ['b', 'c', 'd'][n % 3]) } else { zone };
        let Some(id) = add_subnet(b, &format!("subnet-assumed-{}", n + 1), !internal, &zone, &mut scenario_subnets) else { break };
        if lb_subnet_ids.is_empty() && n == 0 {
            b.assume(
                "No describe-load-balancers: assuming an internet-facing Application Load Balancer in two public subnets.",
                "aws elbv2 describe-load-balancers --names <your-alb>",
            );
        }
        lb_subnets.push(id);
        if lb_subnets.len() > 4 {
            break;
        }
    }
    let service_subnet_ids: Vec<String> = service_in.as_ref().and_then(|s| s.subnets.clone()).unwrap_or_default();
    let mut service_subnets = Vec::new();
    // A subnet whose zone no document gives is assumed in one of the load balancer's zones:
    // an assumption must not invent a broken hop (a task in a zone the ALB has not enabled).
    let lb_zones: Vec<String> =
        lb_subnets.iter().filter_map(|i| scenario_subnets.iter().find(|s| &s.id == i)).map(|s| s.availability_zone.clone()).collect();
    for (i, id) in service_subnet_ids.iter().enumerate() {
        let public = subnets_in.iter().find(|s| &s.id == id).and_then(|s| s.map_public_ip_on_launch).unwrap_or(false)
            || lb_subnets.contains(id) && !internal;
        let zone =
            Some(zone_of(id)).filter(|z| !z.is_empty()).or_else(|| lb_zones.get(i % lb_zones.len().max(1)).cloned()).unwrap_or_default();
        if let Some(id) = add_subnet(b, id, public, &zone, &mut scenario_subnets) {
            service_subnets.push(id);
        }
    }
    // Bridge tasks run on EC2 instances: the ones AWS registered as targets, or that the
    // tasks' container instances name.
    let mut instance_ids: Vec<String> = inv.observed.iter().map(|o| o.id.clone()).filter(|i| i.starts_with("i-")).collect();
    for t in &tasks_in {
        if let Some((_, id)) = inv.container_instances.iter().find(|(arn, _)| *arn == t.container_instance) {
            instance_ids.push(id.clone());
        }
    }
    let mut seen = Vec::new();
    instance_ids.retain(|i| {
        !seen.contains(i) && {
            seen.push(i.clone());
            true
        }
    });
    let instances: Vec<InstanceIn> = instance_ids
        .iter()
        .take(4)
        .map(|id| {
            inv.instances.iter().rev().find(|i| &i.id == id).cloned().unwrap_or(InstanceIn { id: id.clone(), ..InstanceIn::default() })
        })
        .collect();
    let mut instance_subnets = Vec::new();
    for (n, i) in instances.iter().filter(|i| !i.subnet.is_empty()).enumerate() {
        let zone = Some(zone_of(&i.subnet))
            .filter(|z| !z.is_empty())
            .or_else(|| lb_zones.get(n % lb_zones.len().max(1)).cloned())
            .unwrap_or_default();
        if let Some(id) = add_subnet(b, &i.subnet, false, &zone, &mut scenario_subnets) {
            instance_subnets.push(id);
        }
    }
    if !subnets_in.is_empty() {
        b.assume(
            "Route tables are not read: the internet-facing load balancer's subnets are taken as public (a route to an internet gateway) and the others as private unless they map public IPs on launch.",
            "",
        );
    }

    // Security groups.
    let groups_in = uniq(&inv.security_groups, |g| &g.id);
    let lb_groups: Vec<String> = lb_in.as_ref().map(|l| l.security_groups.clone()).unwrap_or_default();
    let network_mode = match td_in.as_ref().map(|t| t.network_mode.as_str()) {
        Some("bridge") => NetworkMode::Bridge,
        Some("host") => {
            b.not_modelled("The task definition uses the host network mode; the lab draws it as bridge with fixed host ports.");
            NetworkMode::Bridge
        }
        Some("awsvpc") => NetworkMode::Awsvpc,
        Some(other) if !other.is_empty() => {
            b.not_modelled(format!("The task definition uses network mode {other}; the lab draws it as awsvpc."));
            NetworkMode::Awsvpc
        }
        _ => {
            if service_in.as_ref().is_some_and(|s| s.subnets.is_none()) {
                NetworkMode::Bridge
            } else {
                NetworkMode::Awsvpc
            }
        }
    };
    let task_groups: Vec<String> = service_in.as_ref().map(|s| s.security_groups.clone()).unwrap_or_default();
    // Bridge tasks use their instances' groups: the described groups that are neither the load
    // balancer's nor the service's.
    let described_host_groups: Vec<String> = instances.iter().flat_map(|i| i.security_groups.clone()).fold(Vec::new(), |mut acc, g| {
        if !acc.contains(&g) {
            acc.push(g);
        }
        acc
    });
    let host_groups: Vec<String> = if network_mode == NetworkMode::Bridge && !described_host_groups.is_empty() {
        described_host_groups.into_iter().take(5).collect()
    } else if network_mode == NetworkMode::Bridge {
        groups_in.iter().map(|g| g.id.clone()).filter(|g| !lb_groups.contains(g) && !task_groups.contains(g)).take(5).collect()
    } else {
        Vec::new()
    };
    let traffic_port = service_in
        .as_ref()
        .and_then(|s| s.load_balancers.first())
        .and_then(|l| l.container_port)
        .or(tgs_in.first().and_then(|t| t.port))
        .unwrap_or(80);
    let listener_ports: Vec<u16> = if listeners.is_empty() { vec![80] } else { listeners.iter().map(|l| l.port).collect() };
    // Health checks on a port of their own (not `traffic-port`): an assumed task group admits
    // them too, so an assumption never breaks a hop the documents do not show broken.
    let check_ports: Vec<u16> = tgs_in
        .iter()
        .filter_map(|t| t.health_check_port.parse::<u16>().ok())
        .filter(|p| *p > 0 && *p != traffic_port)
        .fold(Vec::new(), |mut acc, p| {
            if !acc.contains(&p) {
                acc.push(p);
            }
            acc
        });

    let mut groups: Vec<SecurityGroup> = Vec::new();
    let lb_groups = if lb_groups.is_empty() { vec!["sg-alb-assumed".to_string()] } else { lb_groups };
    let task_groups = match network_mode {
        NetworkMode::Awsvpc if task_groups.is_empty() => vec!["sg-tasks-assumed".to_string()],
        NetworkMode::Awsvpc => task_groups,
        NetworkMode::Bridge if host_groups.is_empty() => vec!["sg-hosts-assumed".to_string()],
        NetworkMode::Bridge => host_groups,
    };
    let mut order: Vec<String> = lb_groups.iter().chain(&task_groups).cloned().collect();
    // Groups those rules name as sources come along, so the rules keep their meaning.
    let referenced: Vec<String> = order
        .iter()
        .filter_map(|id| groups_in.iter().find(|g| &g.id == id))
        .flat_map(|g| g.ingress.iter().chain(&g.egress).flat_map(|p| p.groups.clone()))
        .chain(inv.loose_rules.iter().filter(|(g, _, _)| order.contains(g)).flat_map(|(_, _, p)| p.groups.clone()))
        .collect();
    for r in referenced {
        if !order.contains(&r) {
            order.push(r);
        }
    }
    for id in &order {
        if groups.len() == 10 {
            b.not_modelled(format!("Security group {id} is left out: the lab draws at most ten groups."));
            continue;
        }
        let described = groups_in.iter().find(|g| &g.id == id);
        let loose: Vec<(bool, &Permission)> = inv.loose_rules.iter().filter(|(g, _, _)| g == id).map(|(_, e, p)| (*e, p)).collect();
        let is_lb = lb_groups.contains(id);
        let is_task = task_groups.contains(id);
        let mut g = SecurityGroup {
            id: lab_name(id, 64, "sg-imported"),
            name: description(&described.map(|d| d.name.clone()).unwrap_or_else(|| id.clone())),
            description: String::new(),
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        if described.is_none() && loose.is_empty() {
            if is_lb {
                for port in &listener_ports {
                    g.ingress.push(rule(*port, *port, "0.0.0.0/0", "assumed: HTTP from anywhere"));
                }
                g.egress = crate::sim::scenario::allow_all_egress();
                b.assume(
                    format!("No describe-security-groups for the load balancer's group {id}: assuming it admits the listener ports from anywhere and allows all outbound traffic."),
                    format!("aws ec2 describe-security-groups --group-ids {}", real_or(id, "<the load balancer's group id>")),
                );
            } else if is_task {
                for lbg in &lb_groups {
                    g.ingress.push(rule(traffic_port, traffic_port, lbg, "assumed: the load balancer"));
                    for p in &check_ports {
                        g.ingress.push(rule(*p, *p, lbg, "assumed: health checks from the load balancer"));
                    }
                    if network_mode == NetworkMode::Bridge {
                        g.ingress.push(rule(32768, 65535, lbg, "assumed: dynamic host ports"));
                    }
                }
                g.egress = crate::sim::scenario::allow_all_egress();
                b.assume(
                    format!(
                        "No describe-security-groups for the task group {id}: assuming it admits the load balancer's groups on the traffic port {traffic_port}{}.",
                        check_ports.iter().map(|p| format!(" and the health-check port {p}")).collect::<String>()
                    ),
                    format!("aws ec2 describe-security-groups --group-ids {}", real_or(id, "<the tasks' group id>")),
                );
            } else {
                b.assume(
                    format!("Security group {id} is named by a rule but was not described: assuming it has no rules of its own."),
                    format!("aws ec2 describe-security-groups --group-ids {id}"),
                );
            }
        } else {
            let perms = described
                .map(|d| d.ingress.iter().map(|p| (false, p)).chain(d.egress.iter().map(|p| (true, p))).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .chain(loose);
            for (egress, p) in perms {
                for r in lab_rules(b, id, p) {
                    let list = if egress { &mut g.egress } else { &mut g.ingress };
                    if !list.iter().any(|x| x.from_port == r.from_port && x.to_port == r.to_port && x.source == r.source) && list.len() < 60
                    {
                        list.push(r);
                    }
                }
            }
        }
        groups.push(g);
    }
    let group_ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    for g in &mut groups {
        for list in [&mut g.ingress, &mut g.egress] {
            list.retain(|r| r.source_cidr().is_some() || group_ids.contains(&r.source));
        }
    }

    // Target groups.
    let mut target_groups: Vec<TargetGroup> = Vec::new();
    let attrs_for = |t: &TargetGroupIn| -> BTreeMap<String, String> {
        let mut a = t.attributes.clone();
        for (k, v) in &inv.target_group_attributes {
            if k == &t.arn || (k.is_empty() && tgs_in.len() == 1) {
                a.extend(v.clone());
            }
        }
        a
    };
    for t in &tgs_in {
        let name = lab_name(&t.name, 32, "imported-tg");
        let a = attrs_for(t);
        for proto in [&t.protocol, &t.health_check_protocol] {
            if proto == "HTTPS" {
                b.not_modelled(format!("Target group {name} speaks HTTPS to its targets; the lab draws it as HTTP on the same ports."));
            }
        }
        let mut hc = HealthCheck::default();
        let printable = |p: &str, max: usize| p.starts_with('/') && p.len() <= max && p.bytes().all(|b| b.is_ascii_graphic());
        if printable(&t.health_check_path, 1024) {
            hc.path = t.health_check_path.clone();
        } else if !t.health_check_path.is_empty() {
            b.not_modelled(format!(
                "Target group {name}'s health check path is not a path the lab can send; it checks {} instead.",
                hc.path
            ));
        }
        if t.health_check_port == "traffic-port" || t.health_check_port.parse::<u16>().is_ok_and(|p| p > 0) {
            hc.port = t.health_check_port.clone();
        }
        if let Some(n) = t.interval_seconds {
            hc.interval_seconds = n;
        }
        if let Some(n) = t.timeout_seconds {
            hc.timeout_seconds = n;
        }
        if let Some(n) = t.healthy_threshold {
            hc.healthy_threshold_count = n;
        }
        if let Some(n) = t.unhealthy_threshold {
            hc.unhealthy_threshold_count = n;
        }
        if crate::sim::scenario::parse_matcher(&t.matcher).is_some() {
            hc.matcher = t.matcher.clone();
        } else if !t.matcher.is_empty() {
            b.not_modelled(format!(
                "Target group {name} accepts {:?}, which the lab does not read (gRPC codes or a range beyond 200-499); it accepts 200.",
                t.matcher
            ));
        }
        if t.health_check_enabled == Some(false) {
            b.not_modelled(format!("Target group {name} has health checks disabled; the lab always checks, so its targets are checked with the settings it lists."));
        }
        let target_type = match t.target_type.as_str() {
            "instance" => TargetType::Instance,
            _ => TargetType::Ip,
        };
        let mut tg = TargetGroup {
            name,
            target_type,
            protocol: "HTTP".into(),
            port: t.port.unwrap_or(traffic_port),
            protocol_version: if t.protocol_version == "HTTP2" { "HTTP2".into() } else { "HTTP1".into() },
            health_check: hc,
            deregistration_delay_seconds: 300,
            load_balancing_algorithm: LoadBalancingAlgorithm::RoundRobin,
            unhealthy_state_routing_minimum_healthy_targets_count: 1,
        };
        if t.protocol_version == "GRPC" {
            b.not_modelled(format!("Target group {} uses gRPC; the lab draws it as HTTP/1.1.", tg.name));
        }
        if let Some(v) = a.get("deregistration_delay.timeout_seconds").and_then(|v| v.parse().ok()) {
            tg.deregistration_delay_seconds = v;
        }
        if a.get("load_balancing.algorithm.type").map(String::as_str) == Some("least_outstanding_requests") {
            tg.load_balancing_algorithm = LoadBalancingAlgorithm::LeastOutstandingRequests;
        }
        if let Some(v) = a.get("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count").and_then(|v| v.parse().ok()) {
            tg.unhealthy_state_routing_minimum_healthy_targets_count = v;
        }
        if a.get("slow_start.duration_seconds").is_some_and(|v| v != "0") {
            b.not_modelled(format!("Target group {} uses slow start; the lab sends a new target its full share at once.", tg.name));
        }
        if a.get("stickiness.enabled").map(String::as_str) == Some("true") {
            b.not_modelled(format!("Target group {} has sticky sessions; the lab spreads every request.", tg.name));
        }
        target_groups.push(tg);
    }
    let tg_map: Vec<(&TargetGroupIn, String)> = tgs_in.iter().zip(target_groups.iter().map(|t| t.name.clone())).collect();
    let tg_name_of = |key: &str| -> Option<String> { tg_map.iter().find(|(t, _)| names(key, t)).map(|(_, n)| n.clone()) };

    // Listeners and rules.
    let service_tg_keys: Vec<String> =
        service_in.as_ref().map(|s| s.load_balancers.iter().map(|l| l.target_group.clone()).collect()).unwrap_or_default();
    let mut scenario_listeners: Vec<Listener> = Vec::new();
    for l in &listeners {
        if scenario_listeners.len() == 10 {
            break;
        }
        if l.protocol == "HTTPS" {
            b.not_modelled(format!(
                "The listener on port {} is HTTPS; the lab draws it as HTTP on the same port (no certificate, no TLS).",
                l.port
            ));
        }
        let Some(action) = lab_action(b, &l.default_actions, &tg_name_of, &format!("the listener on port {}", l.port)) else {
            continue;
        };
        let mut rules: Vec<ListenerRule> = Vec::new();
        let mine: Vec<&RuleIn> = rules_in
            .iter()
            .filter(|r| r.priority.is_some() && (r.listener == l.arn || (r.listener.is_empty() && listeners.len() == 1)))
            .collect();
        for r in mine {
            let priority = r.priority.unwrap_or(0);
            let mut paths: Vec<&String> = r.conditions.iter().filter(|(f, _)| f == "path-pattern").flat_map(|(_, v)| v).collect();
            let others: Vec<&str> = r.conditions.iter().map(|(f, _)| f.as_str()).filter(|f| *f != "path-pattern").collect();
            // A rule that reaches the service only by host (the common shared-ALB setup) is
            // kept, matched on its path alone: dropping it would invent a broken hop.
            let reaches_service = r.actions.iter().flat_map(|a| &a.target_groups).any(|(k, _)| service_tg_keys.iter().any(|s| s == k));
            let every_path = String::from("/*");
            if !others.is_empty() && reaches_service {
                if paths.is_empty() {
                    paths.push(&every_path);
                }
                b.not_modelled(format!(
                    "Rule {priority} on port {} also matches {}; the lab matches paths only, so it is drawn matching {} alone.",
                    l.port,
                    others.join(" and "),
                    paths[0]
                ));
            } else if !others.is_empty() || paths.is_empty() {
                b.not_modelled(format!(
                    "Rule {priority} on port {} matches {}; the lab matches paths only, so it is left out and its requests fall to the next rule.",
                    l.port,
                    if others.is_empty() { "no path".to_string() } else { others.join(" and ") }
                ));
                continue;
            }
            if paths.len() > 1 {
                b.not_modelled(format!(
                    "Rule {priority} on port {} matches {} paths; the lab keeps the first, {}.",
                    l.port,
                    paths.len(),
                    paths[0]
                ));
            }
            let Some(action) = lab_action(b, &r.actions, &tg_name_of, &format!("rule {priority} on port {}", l.port)) else { continue };
            if !paths[0].starts_with('/') || paths[0].len() > 128 || !paths[0].bytes().all(|b| b.is_ascii_graphic()) {
                b.not_modelled(format!("Rule {priority} on port {} matches a path the lab cannot read; it is left out.", l.port));
                continue;
            }
            if rules.len() < 100 && !rules.iter().any(|x| x.priority == priority) && (1..=50_000).contains(&priority) {
                rules.push(ListenerRule { priority, path_pattern: paths[0].clone(), action });
            }
        }
        rules.sort_by_key(|r| r.priority);
        scenario_listeners.push(Listener { port: l.port, protocol: "HTTP".into(), rules, default_action: action });
    }

    if target_groups.is_empty() {
        let port = traffic_port;
        b.assume(
            format!(
                "No describe-target-groups: assuming one ip target group on port {port} with AWS's default health check (/, traffic port)."
            ),
            "aws elbv2 describe-target-groups --load-balancer-arn <your-alb-arn>",
        );
        target_groups.push(TargetGroup {
            name: "assumed-tg".into(),
            target_type: if network_mode == NetworkMode::Bridge { TargetType::Instance } else { TargetType::Ip },
            protocol: "HTTP".into(),
            port,
            protocol_version: "HTTP1".into(),
            health_check: HealthCheck::default(),
            deregistration_delay_seconds: 300,
            load_balancing_algorithm: LoadBalancingAlgorithm::RoundRobin,
            unhealthy_state_routing_minimum_healthy_targets_count: 1,
        });
    }
    if listeners.is_empty() {
        let tg = service_in
            .as_ref()
            .and_then(|s| s.load_balancers.first())
            .and_then(|l| tg_name_of(&l.target_group))
            .unwrap_or_else(|| target_groups[0].name.clone());
        b.assume(
            format!("No describe-listeners: assuming one HTTP listener on port 80 forwarding to {tg}."),
            format!(
                "aws elbv2 describe-listeners --load-balancer-arn {}",
                lb_in.as_ref().map(|l| l.arn.as_str()).unwrap_or("<your-alb-arn>")
            ),
        );
        scenario_listeners.push(Listener {
            port: 80,
            protocol: "HTTP".into(),
            rules: Vec::new(),
            default_action: Action::Forward { target_group: tg },
        });
    }

    // The task definition.
    let service_lb = service_in.as_ref().and_then(|s| s.load_balancers.first().cloned());
    if service_in.as_ref().is_some_and(|s| s.load_balancers.len() > 1) {
        b.not_modelled("The service is attached to more than one target group; the lab attaches it to the first.");
    }
    let container_in: Option<ContainerIn> = td_in.as_ref().and_then(|td| {
        let named = service_lb.as_ref().and_then(|l| td.containers.iter().find(|c| c.name == l.container_name));
        named.or(td.containers.iter().find(|c| c.essential && !c.port_mappings.is_empty())).or(td.containers.first()).cloned()
    });
    if let Some(td) = &td_in {
        if td.containers.len() > 1 {
            b.not_modelled(format!(
                "Task definition {} has {} containers; the lab runs one, {}.",
                td.family,
                td.containers.len(),
                container_in.as_ref().map(|c| c.name.as_str()).unwrap_or("")
            ));
        }
    }
    let mut port_mappings: Vec<PortMapping> = Vec::new();
    if let Some(c) = &container_in {
        for m in &c.port_mappings {
            let Some(cp) = m.container_port else {
                b.not_modelled(format!("Container {} maps a port range; the lab maps single ports only.", c.name));
                continue;
            };
            if m.protocol == "udp" || port_mappings.iter().any(|p| p.container_port == cp) || port_mappings.len() == 10 {
                continue;
            }
            let host_port = match network_mode {
                NetworkMode::Awsvpc => m.host_port.filter(|h| *h == cp).or(Some(cp)),
                NetworkMode::Bridge if td_in.as_ref().is_some_and(|t| t.network_mode == "host") => Some(cp),
                NetworkMode::Bridge => Some(m.host_port.unwrap_or(0)),
            };
            port_mappings.push(PortMapping { container_port: cp, host_port });
        }
    }
    let container_name = container_in
        .as_ref()
        .map(|c| lab_name(&c.name, 64, "app"))
        .unwrap_or_else(|| service_lb.as_ref().map(|l| lab_name(&l.container_name, 64, "app")).unwrap_or_else(|| "app".into()));
    if td_in.is_none() {
        let port = service_lb.as_ref().and_then(|l| l.container_port).unwrap_or(traffic_port);
        port_mappings
            .push(PortMapping { container_port: port, host_port: if network_mode == NetworkMode::Awsvpc { Some(port) } else { Some(0) } });
        b.assume(
            format!("No describe-task-definition: assuming container {container_name} maps port {port}."),
            format!(
                "aws ecs describe-task-definition --task-definition {}",
                service_in.as_ref().map(|s| s.task_definition.as_str()).filter(|t| !t.is_empty()).unwrap_or("<family:revision>")
            ),
        );
    }
    // What the app does inside the container is never in a document: it listens on the port the
    // service names and answers its health path, unless AWS observed otherwise.
    let listen_port = service_lb
        .as_ref()
        .and_then(|l| l.container_port)
        .filter(|p| port_mappings.iter().any(|m| m.container_port == *p))
        .or(port_mappings.first().map(|m| m.container_port))
        .unwrap_or(traffic_port);
    let service_tg_name = service_lb.as_ref().and_then(|l| tg_name_of(&l.target_group));
    let service_check =
        &service_tg_name.as_ref().and_then(|n| target_groups.iter().find(|t| &t.name == n)).unwrap_or(&target_groups[0]).health_check;
    let health_path = service_check.path.clone();
    let observed_code =
        inv.observed.iter().find_map(|o| (o.reason == "Target.ResponseCodeMismatch").then(|| first_code(&o.description)).flatten());
    let response_for = |code: u16| response_for(code, |c| service_check.matches(c));
    let health_response = observed_code.map(|c| response_for(c).0).unwrap_or(HealthResponse::Ok);
    match observed_code {
        Some(code) if response_for(code).1 == code => b.assume(
            format!("The app is assumed to listen on container port {listen_port} and, as AWS observed, to answer {code} on {health_path}."),
            "",
        ),
        Some(code) => b.assume(
            format!(
                "The app is assumed to listen on container port {listen_port} and to answer {} on {health_path}: AWS observed {code}, and {} is the nearest code the lab's app gives.",
                response_for(code).1,
                response_for(code).1
            ),
            "",
        ),
        None => b.assume(format!("The app is assumed to listen on container port {listen_port} and answer 200 on {health_path}: no document shows what runs inside the container."), ""),
    }
    let task_definition = TaskDefinition {
        family: lab_name(td_in.as_ref().map(|t| t.family.as_str()).unwrap_or("imported"), 64, "imported"),
        revision: td_in.as_ref().and_then(|t| t.revision).filter(|r| *r >= 1).unwrap_or(1),
        network_mode,
        container: ContainerDefinition {
            name: container_name,
            port_mappings,
            app: App {
                listen_port,
                startup_seconds: 5,
                health_path,
                health_response,
                response: HealthResponse::Ok,
                response_time_ms: 20,
                slow_response_seconds: 10,
            },
        },
    };

    // Container instances (bridge).
    let mut container_instances: Vec<ContainerInstance> = Vec::new();
    if network_mode == NetworkMode::Bridge {
        let stubs;
        let hosts: &[InstanceIn] = if instances.is_empty() {
            stubs = [
                InstanceIn { id: "i-0assumed0000001".into(), ..InstanceIn::default() },
                InstanceIn { id: "i-0assumed0000002".into(), ..InstanceIn::default() },
            ];
            &stubs
        } else {
            &instances
        };
        let non_lb: Vec<String> = scenario_subnets.iter().filter(|s| !lb_subnets.contains(&s.id)).map(|s| s.id.clone()).collect();
        let fallback = if non_lb.is_empty() { lb_subnets.clone() } else { non_lb };
        let mut assumed = Vec::new();
        for (i, host) in hosts.iter().enumerate() {
            let subnet_id = Some(lab_name(&host.subnet, 64, ""))
                .filter(|s| instance_subnets.contains(s))
                .unwrap_or_else(|| fallback[i % fallback.len()].clone());
            let sub = scenario_subnets.iter().find(|s| s.id == subnet_id).expect("listed above");
            let cidr = Cidr::parse(&sub.cidr).expect("validated above");
            let ip = Ipv4::parse(&host.private_ip).filter(|ip| cidr.contains(*ip)).unwrap_or(Ipv4(cidr.base.0 + 10 + i as u32));
            let groups: Vec<String> = if host.security_groups.is_empty() { task_groups.clone() } else { host.security_groups.clone() };
            if host.subnet.is_empty() {
                assumed.push(host.id.clone());
            }
            container_instances.push(ContainerInstance {
                id: lab_name(&host.id, 64, "i-0imported"),
                subnet: subnet_id,
                private_ip: ip.to_string(),
                security_groups: groups.iter().filter(|g| task_groups.contains(g)).take(5).map(|g| lab_name(g, 64, "sg")).collect(),
            });
        }
        if !assumed.is_empty() {
            b.assume(
                format!(
                    "Instances {} were not described: assuming them in the service's subnets with the group{} {}.",
                    assumed.join(", "),
                    if task_groups.len() > 1 { "s" } else { "" },
                    task_groups.join(", ")
                ),
                format!("aws ec2 describe-instances --instance-ids {}", assumed.join(" ")),
            );
        }
    }

    // The service.
    let service = match &service_in {
        Some(s) => {
            let launch_type = match s.launch_type.as_str() {
                "FARGATE" => LaunchType::Fargate,
                "EC2" => LaunchType::Ec2,
                "" => {
                    if network_mode == NetworkMode::Awsvpc {
                        LaunchType::Fargate
                    } else {
                        LaunchType::Ec2
                    }
                }
                other => {
                    b.not_modelled(format!("The service's launch type is {other}; the lab draws it as EC2."));
                    LaunchType::Ec2
                }
            };
            let desired = s.desired_count.unwrap_or(1);
            if desired > MAX_DESIRED_COUNT {
                b.not_modelled(format!("The service wants {desired} tasks; the lab runs at most {MAX_DESIRED_COUNT}."));
            }
            let load_balancer = service_lb.as_ref().map(|l| ServiceLoadBalancer {
                target_group: tg_name_of(&l.target_group).unwrap_or_else(|| lab_name(last_part(&l.target_group), 32, "missing-tg")),
                container_name: lab_name(&l.container_name, 64, "app"),
                container_port: l.container_port.unwrap_or(traffic_port),
            });
            if let Some(lb) = &load_balancer {
                if !target_groups.iter().any(|t| t.name == lb.target_group) {
                    b.assume(
                        format!(
                            "The service is attached to target group {}, which was not described: assuming it as the listener's group.",
                            lb.target_group
                        ),
                        format!(
                            "aws elbv2 describe-target-groups --target-group-arns {}",
                            service_lb.as_ref().map(|l| l.target_group.as_str()).unwrap_or("")
                        ),
                    );
                }
            }
            let network_configuration = (network_mode == NetworkMode::Awsvpc).then(|| NetworkConfiguration {
                subnets: if service_subnets.is_empty() { lb_subnets.clone() } else { service_subnets.clone() },
                security_groups: task_groups.iter().take(5).map(|g| lab_name(g, 64, "sg")).collect(),
                assign_public_ip: s.assign_public_ip,
            });
            let mut deployment_configuration = DeploymentConfiguration::default();
            if let Some(v) = s.minimum_healthy_percent {
                deployment_configuration.minimum_healthy_percent = v;
            }
            if let Some(v) = s.maximum_percent {
                deployment_configuration.maximum_percent = v;
            }
            Some(EcsService {
                name: lab_name(&s.name, 64, "service"),
                cluster: lab_name(cluster_name(&s.cluster, &s.arn), 64, "default"),
                launch_type,
                desired_count: desired.min(MAX_DESIRED_COUNT),
                load_balancer,
                health_check_grace_period_seconds: s.health_check_grace_period_seconds.unwrap_or(0),
                deployment_configuration,
                network_configuration,
            })
        }
        None if td_in.is_some() || !running.is_empty() || !inv.observed.is_empty() => {
            let tg = target_groups[0].name.clone();
            b.assume(
                format!("No describe-services: assuming one service running 2 tasks, attached to {tg}."),
                "aws ecs describe-services --cluster <cluster> --services <service>",
            );
            Some(EcsService {
                name: "service".into(),
                cluster: "default".into(),
                launch_type: if network_mode == NetworkMode::Awsvpc { LaunchType::Fargate } else { LaunchType::Ec2 },
                desired_count: 2,
                load_balancer: Some(ServiceLoadBalancer {
                    target_group: tg,
                    container_name: task_definition.container.name.clone(),
                    container_port: listen_port,
                }),
                health_check_grace_period_seconds: 0,
                deployment_configuration: DeploymentConfiguration::default(),
                network_configuration: (network_mode == NetworkMode::Awsvpc).then(|| NetworkConfiguration {
                    subnets: lb_subnets.clone(),
                    security_groups: task_groups.iter().take(5).map(|g| lab_name(g, 64, "sg")).collect(),
                    assign_public_ip: false,
                }),
            })
        }
        None => {
            b.assume(
                "No ECS service was pasted: the setup runs without one, as a load balancer with nothing registered.",
                "aws ecs describe-services --cluster <cluster> --services <service>",
            );
            None
        }
    };

    // Network ACLs: the custom ones on the subnets kept; the default ACL allows everything.
    let mut network_acls = Vec::new();
    for a in uniq(&inv.network_acls, |a| &a.id) {
        let subnets: Vec<String> =
            a.subnets.iter().map(|s| lab_name(s, 64, "subnet-imported")).filter(|s| scenario_subnets.iter().any(|x| &x.id == s)).collect();
        if a.entries.is_empty() && !subnets.is_empty() {
            // Terraform's separate aws_network_acl_rule resources are not read: an ACL with no
            // entries would deny everything, which is not what such a setup does.
            b.not_modelled(format!("Network ACL {} lists no entries here (rules kept as separate resources are not read); it is left out, so its subnets allow all traffic.", a.id));
            continue;
        }
        let allows_all = a
            .entries
            .iter()
            .filter(|e| e.rule_number < 32767)
            .all(|e| e.allow && e.cidr == "0.0.0.0/0" && (e.protocol == "-1" || e.from_port.is_none()));
        if subnets.is_empty() || (a.is_default && allows_all) || network_acls.len() == 6 {
            continue;
        }
        let mut acl = NetworkAcl {
            id: if a.id.starts_with("acl-") {
                lab_name(&a.id, 64, "acl-imported")
            } else {
                format!("acl-{}", lab_name(&a.id, 59, "imported"))
            },
            subnets,
            inbound: Vec::new(),
            outbound: Vec::new(),
        };
        for e in &a.entries {
            if e.rule_number >= 32767 || !(1..=32766).contains(&e.rule_number) || Cidr::parse(&e.cidr).is_none() {
                continue;
            }
            let protocol = match e.protocol.as_str() {
                "-1" | "all" => "all",
                "6" | "tcp" => "tcp",
                _ => continue,
            };
            let entry = NetworkAclEntry {
                rule_number: e.rule_number as u16,
                protocol: protocol.into(),
                from_port: e.from_port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0),
                to_port: e.to_port.and_then(|p| u16::try_from(p).ok()).unwrap_or(65535),
                cidr: e.cidr.clone(),
                action: if e.allow { NaclAction::Allow } else { NaclAction::Deny },
            };
            let list = if e.egress { &mut acl.outbound } else { &mut acl.inbound };
            if list.len() < 20 && !list.iter().any(|x| x.rule_number == entry.rule_number) {
                list.push(entry);
            }
        }
        network_acls.push(acl);
    }

    // The client sends to the listener that forwards to the service's group.
    let client_port = scenario_listeners
        .iter()
        .find(|l| {
            service
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .is_some_and(|lb| matches!(&l.default_action, Action::Forward { target_group } if *target_group == lb.target_group))
        })
        .or(scenario_listeners.iter().find(|l| l.port == 80))
        .or(scenario_listeners.first())
        .map(|l| l.port)
        .unwrap_or(80);

    let service_group = service.as_ref().and_then(|s| s.load_balancer.as_ref()).map(|l| l.target_group.clone());
    let client_path = scenario_listeners
        .iter()
        .find(|l| l.port == client_port)
        .filter(|l| !service_group.as_ref().is_some_and(|g| crate::sim::scenario::action_forwards_to(&l.default_action, g)))
        .and_then(|l| {
            l.rules.iter().find(|r| service_group.as_ref().is_some_and(|g| crate::sim::scenario::action_forwards_to(&r.action, g)))
        })
        .map(|r| r.path_pattern.replace(['*', '?'], "x"))
        .unwrap_or_else(|| "/".to_string());
    b.assume(
        format!(
            "Clients are assumed to send GET {client_path} to the listener on port {client_port}; change it in the page's client settings."
        ),
        "",
    );

    let task_private_ips: Vec<String> = if network_mode == NetworkMode::Awsvpc {
        running
            .iter()
            .filter(|t| Ipv4::parse(&t.private_ip).is_some())
            .map(|t| t.private_ip.clone())
            .take(MAX_DESIRED_COUNT as usize)
            .collect()
    } else {
        Vec::new()
    };

    let lb_name = lab_name(lb_in.as_ref().map(|l| l.name.as_str()).unwrap_or("alb"), 32, "alb");
    let scenario = Scenario {
        format: FORMAT.into(),
        version: VERSION,
        name: format!("{IMPORTED_PREFIX}{lb_name}{}", service.as_ref().map(|s| format!(" → {}", s.name)).unwrap_or_default())
            .chars()
            .take(120)
            .collect(),
        description: "Read from your own AWS documents by ALB Lab's import, in your browser. Notes list what was assumed.".into(),
        seed: 1,
        vpc: Vpc {
            id: lab_name(lb_in.as_ref().map(|l| l.vpc_id.as_str()).unwrap_or(""), 64, "vpc-imported"),
            cidr: vpc_cidr,
            subnets: scenario_subnets,
        },
        security_groups: groups,
        network_acls,
        load_balancer: LoadBalancer {
            name: lb_name,
            scheme: if internal { Scheme::Internal } else { Scheme::InternetFacing },
            subnets: lb_subnets,
            security_groups: lb_groups.iter().take(5).map(|g| lab_name(g, 64, "sg")).collect(),
            idle_timeout_seconds: lb_idle_timeout(inv, lb_in.as_ref()).unwrap_or(60),
            listeners: scenario_listeners,
        },
        target_groups,
        container_instances,
        task_definition,
        service,
        client: Client { port: client_port, path: client_path, ..Client::default() },
        options: SimOptions { initial_targets_fail_open: false, warm_up_seconds: 0, task_private_ips },
    };

    // Real ARNs for the lab's derived ones.
    // Where a document gave no ARN (a template's logical id, a plan's address, an assumption),
    // a placeholder to fill: the lab's own ARN would name an account that is not the user's.
    let mut ids = IdBook::default();
    let real = |key: &str, what: String| if key.starts_with("arn:") { key.to_string() } else { format!("<{what}>") };
    ids.arns.push((
        load_balancer_arn(&scenario),
        real(lb_in.as_ref().map(|l| l.arn.as_str()).unwrap_or(""), format!("the ARN of {}", scenario.load_balancer.name)),
    ));
    for l in &scenario.load_balancer.listeners {
        let key = listeners.iter().find(|x| x.port == l.port).map(|x| x.arn.as_str()).unwrap_or("");
        ids.arns.push((listener_arn(&scenario, l.port), real(key, format!("the ARN of the listener on port {}", l.port))));
    }
    for tg in &scenario.target_groups {
        let key = tgs_in.iter().find(|t| lab_name(&t.name, 32, "imported-tg") == tg.name).map(|t| t.arn.as_str()).unwrap_or("");
        ids.arns.push((target_group_arn(tg), real(key, format!("the ARN of {}", tg.name))));
    }
    Ok((scenario, ids))
}

/// An id for a command the user can run: the real one, or a placeholder to fill for one the
/// import made up.
fn real_or(id: &str, placeholder: &str) -> String {
    if id.contains("assumed") {
        placeholder.to_string()
    } else {
        id.to_string()
    }
}

fn rule(from: u16, to: u16, source: &str, description: &str) -> SecurityGroupRule {
    SecurityGroupRule { protocol: "tcp".into(), from_port: from, to_port: to, source: source.into(), description: description.into() }
}

/// A permission as the lab's TCP rules: one per source.
fn lab_rules(b: &mut B, group: &str, p: &Permission) -> Vec<SecurityGroupRule> {
    let (from, to) = match p.protocol.as_str() {
        "-1" | "all" => (0, 65535),
        "tcp" | "6" => {
            let f = p.from_port.unwrap_or(0).clamp(0, 65535) as u16;
            let t = p.to_port.unwrap_or(65535).clamp(0, 65535) as u16;
            (f.min(t), t.max(f))
        }
        _ => return Vec::new(), // UDP and ICMP carry no HTTP.
    };
    let mut out = Vec::new();
    let desc = description(&p.description);
    for c in &p.cidrs {
        if Cidr::parse(c).is_some() {
            out.push(rule(from, to, c, &desc));
        }
    }
    for g in &p.groups {
        out.push(rule(from, to, &lab_name(g, 64, "sg"), &desc));
    }
    if !p.prefix_lists.is_empty() {
        b.not_modelled(format!(
            "{group} admits prefix list {}; the lab has no prefix lists, so that rule admits nothing here.",
            p.prefix_lists.join(", ")
        ));
    }
    if !p.ipv6_cidrs.is_empty() && p.cidrs.is_empty() && p.groups.is_empty() {
        b.not_modelled(format!("{group} has IPv6 rules; the lab's client uses IPv4, so they are left out."));
    }
    out
}

/// A listener's or rule's actions as the lab's one action.
fn lab_action(b: &mut B, actions: &[ActionIn], tg_name_of: &dyn Fn(&str) -> Option<String>, whose: &str) -> Option<Action> {
    for a in actions {
        match a.kind.as_str() {
            k if k.starts_with("authenticate") || k == "jwt-validation" => {
                b.not_modelled(format!("{whose} authenticates first ({k}); the lab skips authentication and takes the next action."));
            }
            "forward" => {
                let mut groups: Vec<(String, u32)> = a.target_groups.iter().filter_map(|(k, w)| tg_name_of(k).map(|n| (n, *w))).collect();
                if groups.is_empty() {
                    b.not_modelled(format!(
                        "{whose} forwards to a target group that was not pasted or is not modelled; it is drawn answering 503."
                    ));
                    return Some(Action::FixedResponse {
                        status_code: 503,
                        content_type: "text/plain".into(),
                        message_body: String::new(),
                    });
                }
                if groups.len() > 1 {
                    groups.sort_by_key(|(_, w)| std::cmp::Reverse(*w));
                    b.not_modelled(format!(
                        "{whose} splits traffic between {} target groups by weight; the lab forwards all of it to {}, the heaviest.",
                        groups.len(),
                        groups[0].0
                    ));
                }
                return Some(Action::Forward { target_group: groups.remove(0).0 });
            }
            "fixed-response" => {
                let status_code = a.status_code.as_deref().and_then(|s| s.parse().ok()).unwrap_or(503);
                const TYPES: [&str; 5] = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];
                let content_type = if TYPES.contains(&a.content_type.as_str()) { a.content_type.clone() } else { "text/plain".into() };
                return Some(Action::FixedResponse {
                    status_code,
                    content_type,
                    message_body: a.message_body.chars().take(1024).collect(),
                });
            }
            "redirect" => {
                b.not_modelled(format!("{whose} redirects ({}); the lab has no redirect action, so it is left out.", a.redirect));
                return None;
            }
            other => {
                b.not_modelled(format!("{whose} has a {other} action, which the lab does not model; it is left out."));
                return None;
            }
        }
    }
    None
}

fn cluster_name<'a>(cluster: &'a str, service_arn: &'a str) -> &'a str {
    if !cluster.is_empty() {
        return last_part(cluster);
    }
    // arn:aws:ecs:region:account:service/cluster/name
    let parts: Vec<&str> = service_arn.split('/').collect();
    if parts.len() == 3 {
        parts[1]
    } else {
        "default"
    }
}

fn lb_idle_timeout(inv: &Inventory, lb: Option<&LoadBalancerIn>) -> Option<u32> {
    let lb = lb?;
    inv.load_balancer_attributes
        .iter()
        .rev()
        .find(|(k, _)| k == &lb.arn || k.is_empty())
        .and_then(|(_, a)| a.get("idle_timeout.timeout_seconds"))
        .and_then(|v| v.parse().ok())
        .or(lb.idle_timeout_seconds)
        .filter(|v| (1..=4000).contains(v))
}

fn vpc_cidr(b: &mut B, lb: Option<&LoadBalancerIn>, subnets: &[SubnetIn]) -> String {
    let vpc_id = lb.map(|l| l.vpc_id.as_str()).unwrap_or("");
    let known = b.inv.vpc_cidrs.iter().find(|(id, _)| id == vpc_id || b.inv.vpc_cidrs.len() == 1).map(|(_, c)| c.clone());
    if let Some(c) = known.filter(|c| Cidr::parse(c).is_some_and(|x| (16..=28).contains(&x.prefix_len) && x.base.is_private())) {
        return c;
    }
    // The /16 that holds the first subnet: real VPCs are most often a /16.
    if let Some(c) = subnets.iter().filter_map(|s| Cidr::parse(&s.cidr)).find(|c| c.base.is_private()) {
        let base = Ipv4(c.base.0 & 0xFFFF_0000);
        return format!("{base}/16");
    }
    b.assume("The VPC's address range was not pasted: assuming 10.0.0.0/16.", "aws ec2 describe-vpcs --vpc-ids <vpc-id>");
    "10.0.0.0/16".into()
}

/// `Health checks failed with these codes: [404]` → 404.
fn first_code(description: &str) -> Option<u16> {
    let start = description.find('[')? + 1;
    let digits: String = description[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The app's answer that gives the code AWS observed, or else the nearest the lab's app has
/// that the health check judges the same way (`accepts`: its matcher): an observed 204 that
/// failed a `200` matcher must not become a 200 that passes it.
fn response_for(code: u16, accepts: impl Fn(u16) -> bool) -> (HealthResponse, u16) {
    const LAB: [(HealthResponse, u16); 7] = [
        (HealthResponse::Ok, 200),
        (HealthResponse::MovedPermanently, 301),
        (HealthResponse::Found, 302),
        (HealthResponse::BadRequest, 400),
        (HealthResponse::Forbidden, 403),
        (HealthResponse::NotFound, 404),
        (HealthResponse::ServerError, 500),
    ];
    if let Some(exact) = LAB.iter().find(|(_, c)| *c == code) {
        return *exact;
    }
    let verdict = accepts(code);
    let same_class = |c: u16| c / 100 == code / 100;
    // The same class and verdict first, then any code with the verdict; 500 (never accepted)
    // when nothing else fits.
    LAB.iter()
        .filter(|(_, c)| accepts(*c) == verdict)
        .min_by_key(|(_, c)| (!same_class(*c), c.abs_diff(code)))
        .copied()
        .unwrap_or((HealthResponse::ServerError, 500))
}
