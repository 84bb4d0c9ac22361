//! Property tests: whatever a learner clicks, types or pastes, in whatever order, the core never
//! panics, every invariant holds after every tick, and a refused command changes nothing.

mod common;

use alb_lab::scenarios::FILES;
use alb_lab::sim::diagnosis::SettledTargets;
use alb_lab::sim::scenario::{HealthCheck, HealthResponse, LoadBalancingAlgorithm, NaclAction, NetworkMode, TargetType};
use alb_lab::sim::timeline::{self, Timeline};
use alb_lab::sim::trace::{StatusSource, TraceKind};
use alb_lab::sim::{Command, Hop, Outcome, Scenario, Sim, TargetState, TaskDefinitionChanges, TaskFailure};
use common::scenario;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

/// Ports: the ones the scenarios use, the edges, and anything at all.
fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(80u16), Just(8000), Just(8080), Just(3000), Just(0), Just(65535), Just(32768), any::<u16>()]
}

fn group_id() -> impl Strategy<Value = String> {
    select(vec!["sg-alb", "sg-task", "sg-instance", "sg-nope", ""]).prop_map(String::from)
}

fn source() -> impl Strategy<Value = String> {
    select(vec!["0.0.0.0/0", "sg-alb", "sg-task", "10.0.0.0/16", "203.0.113.10/32", "10.0.1.5/24", "300.1.1.1/8", "banana", ""])
        .prop_map(String::from)
}

fn acl_id() -> impl Strategy<Value = String> {
    select(vec!["acl-lab", "acl-private", "default", "", "acl bad"]).prop_map(String::from)
}

fn target_group() -> impl Strategy<Value = String> {
    select(vec!["web-tg", "web-tg", "other-tg", ""]).prop_map(String::from)
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec!["/", "/health", "/healthz", "", "health", "/a b", "/ünï"]).prop_map(String::from),
        Just(format!("/{}", "x".repeat(1100))),
    ]
}

fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![-5.0f64..300.0, Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), Just(200.0), Just(200.000_001)]
}

fn small() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..400, Just(u32::MAX), Just(3600), Just(3601)]
}

fn health_check() -> impl Strategy<Value = HealthCheck> {
    (
        select(vec!["HTTP", "HTTPS"]),
        select(vec!["traffic-port", "80", "8000", "0", "70000", "x"]),
        path(),
        0u32..400,
        0u32..150,
        0u32..12,
        0u32..12,
        select(vec!["200", "200-299", "200,404", "600", "299-200", "abc", ""]),
    )
        .prop_map(|(protocol, port, path, interval, timeout, healthy, unhealthy, matcher)| HealthCheck {
            protocol: protocol.into(),
            port: port.into(),
            path,
            interval_seconds: interval,
            timeout_seconds: timeout,
            healthy_threshold_count: healthy,
            unhealthy_threshold_count: unhealthy,
            matcher: matcher.into(),
        })
}

fn changes() -> impl Strategy<Value = TaskDefinitionChanges> {
    use proptest::option::of;
    (
        of(select(vec![NetworkMode::Awsvpc, NetworkMode::Bridge])),
        of(port()),
        of(port()),
        of(port()),
        of(small()),
        of(path()),
        of(select(HealthResponse::ALL.to_vec())),
        of(prop_oneof![0u32..1000, Just(600_001)]),
        of(small()),
        of(select(HealthResponse::ALL.to_vec())),
    )
        .prop_map(
            |(
                network_mode,
                container_port,
                host_port,
                listen_port,
                startup_seconds,
                health_path,
                health_response,
                response_time_ms,
                slow,
                response,
            )| {
                TaskDefinitionChanges {
                    network_mode,
                    container_port,
                    host_port,
                    listen_port,
                    startup_seconds,
                    health_path,
                    health_response,
                    response_time_ms,
                    slow_response_seconds: slow,
                    response,
                }
            },
        )
}

fn command() -> impl Strategy<Value = Command> {
    use proptest::option::of;
    prop_oneof![
        rate().prop_map(|requests_per_second| Command::SetRequestRate { requests_per_second }),
        (port(), path()).prop_map(|(port, path)| Command::SetClientTarget { port, path }),
        Just(Command::SendRequest),
        (of(select(vec!["", "0", "a", "zz", "ffffffff"]).prop_map(String::from)), of(port()))
            .prop_map(|(task, port)| Command::CurlTask { task, port }),
        (select(vec!["", "0", "3", "a", "c", "f", "zz"]), select(vec![TaskFailure::Crash, TaskFailure::Hang]))
            .prop_map(|(task, failure)| Command::FailTask { task: task.into(), failure }),
        (port(), port()).prop_map(|(port, new_port)| Command::ModifyListener { port, new_port }),
        (port(), target_group()).prop_map(|(port, target_group)| Command::CreateListener { port, target_group }),
        port().prop_map(|port| Command::DeleteListener { port }),
        small().prop_map(|idle_timeout_seconds| Command::ModifyLoadBalancerAttributes { idle_timeout_seconds }),
        (group_id(), port(), port(), source()).prop_map(|(group_id, from_port, to_port, source)| Command::AuthorizeSecurityGroupIngress {
            group_id,
            from_port,
            to_port,
            source
        }),
        (group_id(), port(), port(), source()).prop_map(|(group_id, from_port, to_port, source)| Command::RevokeSecurityGroupIngress {
            group_id,
            from_port,
            to_port,
            source
        }),
        (group_id(), port(), port(), source()).prop_map(|(group_id, from_port, to_port, destination)| {
            Command::AuthorizeSecurityGroupEgress { group_id, from_port, to_port, destination }
        }),
        (group_id(), port(), port(), source()).prop_map(|(group_id, from_port, to_port, destination)| {
            Command::RevokeSecurityGroupEgress { group_id, from_port, to_port, destination }
        }),
        prop::collection::vec(select(vec!["subnet-a", "subnet-b", "subnet-c", "nope"]).prop_map(String::from), 0..4)
            .prop_map(|subnets| Command::SetSubnets { subnets }),
        acl_id().prop_map(|network_acl_id| Command::CreateNetworkAcl { network_acl_id }),
        (acl_id(), any::<bool>(), any::<u16>(), select(vec!["tcp", "all", "udp", ""]), port(), port(), source(), any::<bool>()).prop_map(
            |(network_acl_id, egress, rule_number, protocol, from_port, to_port, cidr_block, allow)| Command::CreateNetworkAclEntry {
                network_acl_id,
                egress,
                rule_number,
                protocol: protocol.into(),
                from_port,
                to_port,
                cidr_block,
                rule_action: if allow { NaclAction::Allow } else { NaclAction::Deny },
            }
        ),
        (acl_id(), any::<bool>(), select(vec![100u16, 110, 0, 32767]))
            .prop_map(|(network_acl_id, egress, rule_number)| Command::DeleteNetworkAclEntry { network_acl_id, egress, rule_number }),
        (select(vec!["subnet-a", "subnet-b", "subnet-private-a", "nope", ""]), acl_id())
            .prop_map(|(subnet, network_acl_id)| { Command::ReplaceNetworkAclAssociation { subnet_id: subnet.into(), network_acl_id } }),
        prop::collection::vec(select(vec!["subnet-a", "subnet-b", "subnet-c", "nope"]).prop_map(String::from), 0..4)
            .prop_map(|subnets| Command::SetServiceSubnets { subnets }),
        (target_group(), health_check())
            .prop_map(|(target_group, health_check)| { Command::ModifyTargetGroup { target_group, health_check } }),
        (
            target_group(),
            of(small()),
            of(small()),
            of(select(vec![LoadBalancingAlgorithm::RoundRobin, LoadBalancingAlgorithm::LeastOutstandingRequests]))
        )
            .prop_map(|(target_group, d, u, a)| Command::ModifyTargetGroupAttributes {
                target_group,
                deregistration_delay_seconds: d,
                unhealthy_state_routing_minimum_healthy_targets_count: u,
                load_balancing_algorithm: a,
            }),
        (target_group(), select(vec![TargetType::Ip, TargetType::Instance]), port())
            .prop_map(|(target_group, target_type, port)| Command::RecreateTargetGroup { target_group, target_type, port }),
        Just(Command::CreateService),
        (
            of(prop_oneof![0u32..4, Just(10), Just(11), Just(u32::MAX)]),
            of(small()),
            of(small()),
            of(small()),
            of(any::<bool>()),
            any::<bool>()
        )
            .prop_map(|(desired_count, grace, min, max, assign_public_ip, force)| {
                Command::UpdateService {
                    desired_count,
                    health_check_grace_period_seconds: grace,
                    minimum_healthy_percent: min,
                    maximum_percent: max,
                    assign_public_ip,
                    force_new_deployment: force,
                }
            }),
        (target_group(), select(vec!["web", "other", ""]).prop_map(String::from), port()).prop_map(
            |(target_group, container_name, container_port)| {
                Command::AttachLoadBalancer { target_group, container_name, container_port }
            }
        ),
        Just(Command::DetachLoadBalancer),
        (changes(), any::<bool>()).prop_map(|(changes, deploy)| Command::RegisterTaskDefinition { changes, deploy }),
        port().prop_map(|container_port| Command::SetContainerPort { container_port }),
        any::<bool>().prop_map(|initial_targets_fail_open| Command::SetOptions { initial_targets_fail_open }),
    ]
}

/// Scenarios with different shapes: working, broken at each layer, bridge mode, refused by ECS.
const SCENARIOS: [&str; 7] = [
    "default.json",
    "nacl-drops-replies.json",
    "bridge-dynamic-ports.json",
    "task-sg-blocks-alb.json",
    "instance-target-type.json",
    "no-service-attached.json",
    "slow-start-grace.json",
];

/// 64 cases keep `cargo test` quick; `PROPTEST_CASES=5000` searches harder.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config
}

fn check(sim: &Sim, after: &str) -> Result<(), TestCaseError> {
    match sim.check_invariants() {
        Ok(()) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("invariant broken at {} ms after {after}: {e}", sim.now_ms()))),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_command_sequence_keeps_every_invariant(
        file in select(SCENARIOS.to_vec()),
        seed in any::<u64>(),
        steps in prop::collection::vec((0u32..40, command()), 1..16),
    ) {
        let mut sim = Sim::new(scenario(file), Some(seed));
        for (ticks, command) in steps {
            let before = sim.scenario().clone();
            let now = sim.now_ms();
            let text = format!("{command:?}");
            match sim.apply(command) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert_eq!(sim.scenario(), &before, "refused {} ({}) but the setup changed", text, e);
                    prop_assert!(!e.to_string().is_empty(), "a refusal must say why");
                }
            }
            prop_assert_eq!(sim.now_ms(), now, "a command does not move the clock");
            // Between ticks too: a change does not make the requests already sent look wrong.
            check(&sim, &text)?;
            for _ in 0..ticks {
                sim.tick();
                check(&sim, &text)?;
            }
        }
        // Let the consequences play out: deployments, draining, replacements.
        for _ in 0..600 {
            sim.tick();
            check(&sim, "the last command")?;
        }
    }

    #[test]
    fn any_accepted_setup_is_still_a_valid_scenario(
        file in select(SCENARIOS.to_vec()),
        steps in prop::collection::vec(command(), 1..12),
    ) {
        let mut sim = Sim::new(scenario(file), Some(1));
        for command in steps {
            let _ = sim.apply(command);
            sim.tick();
        }
        // What the page would save or share must load again.
        let json = sim.scenario().to_json();
        prop_assert!(Scenario::from_json(&json).is_ok(), "the running setup no longer validates:\n{}", json);
    }
}

/// A run of `file` with `steps` applied 20 s apart, then 5 requests/s, left to settle: deployments
/// finish and targets drain (up to the 300 s deregistration delay).
fn settled_run(file: &str, seed: u64, steps: Vec<Command>) -> Sim {
    let mut sim = Sim::new(scenario(file), Some(seed));
    for command in steps {
        let _ = sim.apply(command);
        sim.run_for(20_000);
    }
    let _ = sim.apply(Command::SetRequestRate { requests_per_second: 5.0 });
    sim.run_for(600_000);
    sim
}

/// Commands that mostly make sense, so random runs reach interesting working and broken setups
/// rather than being refused at once.
fn sensible_command() -> impl Strategy<Value = Command> {
    let rule = || (select(vec![8000u16, 80, 443, 32768]), select(vec!["sg-alb", "sg-task", "0.0.0.0/0", "10.0.0.0/16"]));
    prop_oneof![
        rule().prop_map(|(p, s)| Command::AuthorizeSecurityGroupIngress {
            group_id: "sg-task".into(),
            from_port: p,
            to_port: p,
            source: s.into()
        }),
        rule().prop_map(|(p, s)| Command::RevokeSecurityGroupIngress {
            group_id: "sg-task".into(),
            from_port: p,
            to_port: p,
            source: s.into()
        }),
        rule().prop_map(|(p, s)| Command::RevokeSecurityGroupEgress {
            group_id: "sg-alb".into(),
            from_port: 0,
            to_port: 65535,
            destination: if p == 80 { "0.0.0.0/0".into() } else { s.into() }
        }),
        rule().prop_map(|(p, s)| Command::AuthorizeSecurityGroupEgress {
            group_id: "sg-alb".into(),
            from_port: p,
            to_port: p,
            destination: s.into()
        }),
        select(vec![80u16, 8080]).prop_map(|p| Command::SetClientTarget { port: p, path: "/".into() }),
        select(vec![8000u16, 3000]).prop_map(|p| Command::RegisterTaskDefinition {
            changes: TaskDefinitionChanges { listen_port: Some(p), ..Default::default() },
            deploy: true
        }),
        select(HealthResponse::ALL.to_vec()).prop_map(|h| Command::RegisterTaskDefinition {
            changes: TaskDefinitionChanges { health_response: Some(h), ..Default::default() },
            deploy: true
        }),
        (select(vec!["traffic-port", "8000", "9000"]), select(vec!["200", "200-399"])).prop_map(|(port, matcher)| {
            Command::ModifyTargetGroup {
                target_group: "web-tg".into(),
                health_check: HealthCheck { port: port.into(), matcher: matcher.into(), ..HealthCheck::default() },
            }
        }),
        select(vec![HealthResponse::Ok, HealthResponse::MovedPermanently, HealthResponse::Forbidden]).prop_map(|r| {
            Command::RegisterTaskDefinition { changes: TaskDefinitionChanges { response: Some(r), ..Default::default() }, deploy: true }
        }),
        select(vec![0u32, 1, 2, 3]).prop_map(|n| Command::update_service(Some(n), None, None)),
        Just(Command::DetachLoadBalancer),
        Just(Command::AttachLoadBalancer { target_group: "web-tg".into(), container_name: "web".into(), container_port: 8000 }),
        Just(Command::SetRequestRate { requests_per_second: 5.0 }),
        // Network ACLs: a new one (it denies all), on a subnet, and entries that open it.
        Just(Command::CreateNetworkAcl { network_acl_id: "acl-lab".into() }),
        (select(vec!["subnet-a", "subnet-b", "subnet-private-a"]), select(vec!["acl-lab", "acl-private", "default"]))
            .prop_map(|(subnet, acl)| Command::ReplaceNetworkAclAssociation { subnet_id: subnet.into(), network_acl_id: acl.into() }),
        (
            select(vec!["acl-lab", "acl-private"]),
            any::<bool>(),
            select(vec![50u16, 100, 110, 200]),
            select(vec![(80u16, 80u16), (8000, 8000), (1024, 65535), (32768, 65535), (0, 65535)]),
            select(vec!["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24"]),
            prop_oneof![4 => Just(true), 1 => Just(false)],
        )
            .prop_map(|(acl, egress, rule_number, (from_port, to_port), cidr, allow)| Command::CreateNetworkAclEntry {
                network_acl_id: acl.into(),
                egress,
                rule_number,
                protocol: "tcp".into(),
                from_port,
                to_port,
                cidr_block: cidr.into(),
                rule_action: if allow { NaclAction::Allow } else { NaclAction::Deny },
            }),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// The diagram's gates are the data plane's own decisions: for every task, the gate is open
    /// exactly when a health check on the traffic port passes the security groups, and the ALB
    /// gate exactly when a request passes the load balancer's security group.
    #[test]
    fn the_diagrams_gates_equal_the_data_planes_decisions(
        file in select(SCENARIOS.to_vec()),
        steps in prop::collection::vec((0u32..300, prop_oneof![sensible_command(), command()]), 1..10),
    ) {
        let mut sim = Sim::new(scenario(file), Some(7));
        for (ticks, command) in steps {
            let _ = sim.apply(command);
            for _ in 0..ticks {
                sim.tick();
            }
            let request = sim.predict_request();
            let nacl_hop = request.trace.hops.iter().find(|h| h.hop == Hop::AlbSubnetNacl).map(|h| h.passed);
            prop_assert_eq!(Some(sim.alb_nacl_gate_open()), nacl_hop, "ALB NACL gate vs request {:?}", request.trace);
            let alb_hop = request.trace.hops.iter().find(|h| h.hop == Hop::AlbSecurityGroup).map(|h| h.passed);
            if nacl_hop == Some(true) {
                prop_assert_eq!(Some(sim.alb_gate_open()), alb_hop, "ALB gate vs request {:?}", request.trace);
            }
            let explicit_port = sim.scenario().target_groups.iter().any(|t| t.health_check.explicit_port().is_some());
            for target in sim.targets() {
                let Some((trace, _)) = sim.predict_health_check(target.id) else { continue };
                if explicit_port || sim.task(target.task).is_none() {
                    continue;
                }
                let Some(nacl) = trace.hops.iter().find(|h| h.hop == Hop::TaskSubnetNacl) else { continue };
                prop_assert_eq!(sim.task_nacl_gate_open(target.task), nacl.passed, "NACL gate of task {} vs a health check {:?}", target.task, trace);
                let Some(hop) = trace.hops.iter().find(|h| h.hop == Hop::TaskSecurityGroup) else { continue };
                prop_assert_eq!(sim.task_gate_open(target.task), hop.passed, "gate of task {} vs a health check {:?}", target.task, trace);
            }
        }
    }

    /// When the diagnosis finds nothing broken, clients get answers: once the setup has settled,
    /// no request ends in a load balancer 5xx or a client timeout.
    #[test]
    fn when_the_diagnosis_finds_nothing_broken_no_request_fails(
        file in select(SCENARIOS.to_vec()),
        steps in prop::collection::vec(sensible_command(), 0..5),
    ) {
        let mut sim = settled_run(file, 3, steps);
        let diagnosis = sim.diagnose();
        prop_assume!(diagnosis.broken().count() == 0 && sim.service_runtime().is_steady);
        sim.run_for(120_000);
        let w = sim.metrics().window(sim.now_ms(), 120);
        let failed = w.elb_502 + w.elb_503 + w.elb_504 + w.client_timeouts;
        prop_assert_eq!(failed, 0, "the diagnosis found nothing broken, yet {} requests failed; findings {:#?}; last request {:?}",
            failed, diagnosis.findings, sim.recent_requests().last().map(|r| &r.trace));
    }
}

proptest! {
    #![proptest_config(config())]

    /// What the diagnosis says a setup settles to is what the run shows. Sampled every 5 s over
    /// two minutes once deployments are done: every target that has been checked has the
    /// predicted state and reason (a failing one is replaced by ECS and starts again as initial,
    /// so initial and draining targets are allowed); every client request ends as predicted (with
    /// 503 allowed while a failing setup's targets are all initial again); and every reason code
    /// a broken finding names is the one the targets show.
    #[test]
    fn the_diagnosis_predicts_the_reason_codes_and_client_outcomes_the_run_shows(
        file in select(SCENARIOS.to_vec()),
        steps in prop::collection::vec(sensible_command(), 0..5),
    ) {
        let mut sim = settled_run(file, 5, steps);
        let diagnosis = sim.diagnose();
        let settled = diagnosis.settles_to.clone();
        prop_assume!(settled.is_some());
        let settled = settled.unwrap_or_else(|| unreachable!());
        let reason = settled.targets.reason();
        let targets_predicted = !matches!(settled.targets, SettledTargets::NotDiagnosed);
        for f in diagnosis.broken() {
            if let (Some(at), Some(reason)) = (f.aws_shows.find("Target."), reason.as_ref()) {
                prop_assert!(f.aws_shows[at..].starts_with(reason.code()), "finding {:?} names another reason than {}", f, reason.code());
            }
        }
        let mut seen_checked = 0;
        let start = sim.now_ms();
        for _ in 0..24 {
            sim.run_for(5_000);
            for t in sim.targets().filter(|t| targets_predicted && t.last_check.is_some() && !matches!(t.state, TargetState::Initial | TargetState::Draining)) {
                seen_checked += 1;
                let want = if reason.is_some() { TargetState::Unhealthy } else { TargetState::Healthy };
                prop_assert_eq!(t.state, want, "target {} with {:?}; predicted {}; findings {:#?}", t.endpoint, t.reason, settled.in_words(), diagnosis.findings);
                prop_assert_eq!(t.reason.as_ref(), reason.as_ref(), "target {}; predicted {}", t.endpoint, settled.in_words());
            }
        }
        match settled.targets {
            SettledTargets::Checked(_) => prop_assert!(seen_checked > 0, "the diagnosis predicted checked targets, but none was; predicted {}", settled.in_words()),
            SettledTargets::Empty => prop_assert_eq!(sim.targets().filter(|t| t.state != TargetState::Draining).count(), 0, "the diagnosis predicted an empty target group"),
            SettledTargets::NotDiagnosed => {}
        }
        let mut seen_predicted = false;
        for r in sim.recent_requests().filter(|r| r.sent_at_ms >= start && r.kind == TraceKind::Request) {
            let fail_open_gap = reason.is_some() && r.outcome == Outcome::Http { status: 503, source: StatusSource::Elb };
            seen_predicted |= r.outcome == settled.client;
            prop_assert!(r.outcome == settled.client || fail_open_gap,
                "a request ended {} where the diagnosis predicted {}; its trace {:?}; findings {:#?}", r.outcome, settled.in_words(), r.trace, diagnosis.findings);
        }
        prop_assert!(seen_predicted, "no request ended as predicted ({}) in two minutes", settled.in_words());
    }
}

/// Every leaf of a JSON document, as a path of keys and indices.
fn leaves(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(Value::from(k.as_str()));
                leaves(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(Value::from(i));
                leaves(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn leaf_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for key in path {
        cur = match key {
            Value::String(k) => cur.get_mut(k.as_str())?,
            Value::Number(i) => cur.get_mut(i.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        select(vec![0i64, -1, 1, 65535, 65536, 4_294_967_296]).prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        "[a-z0-9./ -]{0,12}".prop_map(Value::from),
        Just(Value::Array(vec![])),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_mangled_scenario_file_is_refused_or_runs_safely(
        file in select(FILES.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), json_value()), 1..4),
    ) {
        let text = FILES.iter().find(|(n, _)| *n == file).map(|(_, t)| *t).unwrap_or_default();
        let mut doc: Value = serde_json::from_str(text).expect("shipped JSON");
        let mut paths = Vec::new();
        leaves(&doc, &mut Vec::new(), &mut paths);
        for (index, value) in edits {
            let path = index.get(&paths).clone();
            if let Some(leaf) = leaf_mut(&mut doc, &path) {
                *leaf = value;
            }
        }
        match Scenario::from_json(&doc.to_string()) {
            Err(errors) => prop_assert!(!errors.0.is_empty() && errors.0.iter().all(|e| !e.message.is_empty())),
            Ok(valid) => {
                let mut sim = Sim::new(valid, None);
                for _ in 0..300 {
                    sim.tick();
                    check(&sim, "loading the edited file")?;
                }
            }
        }
    }
}

/// A leaf's path in the validator's spelling: `target_groups[0].health_check.port`.
fn path_text(path: &[Value]) -> String {
    let mut out = String::new();
    for key in path {
        match key {
            Value::String(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            other => out.push_str(&format!("[{other}]")),
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    /// Whatever wrong value a number in a file or a link is given (negative, a fraction, too
    /// large, text, null, a list), the error names that number's field, pretty-printed or not.
    #[test]
    fn a_wrong_number_is_refused_naming_its_field(
        file in select(FILES.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
        index in any::<prop::sample::Index>(),
        value in prop_oneof![
            Just(Value::from(-1)),
            Just(Value::from(1.5)),
            Just(Value::from(4_294_967_296u64)),
            Just(Value::from("ten")),
            Just(Value::Null),
            Just(Value::Array(vec![])),
        ],
        pretty in any::<bool>(),
    ) {
        let text = FILES.iter().find(|(n, _)| *n == file).map(|(_, t)| *t).unwrap_or_default();
        let mut doc: Value = serde_json::from_str(text).expect("shipped JSON");
        let mut paths = Vec::new();
        leaves(&doc, &mut Vec::new(), &mut paths);
        let numbers: Vec<Vec<Value>> =
            paths.into_iter().filter(|p| leaf_mut(&mut doc.clone(), p).is_some_and(|v| v.is_u64())).collect();
        prop_assume!(!numbers.is_empty());
        let path = index.get(&numbers).clone();
        if let Some(leaf) = leaf_mut(&mut doc, &path) {
            *leaf = value;
        }
        let text = if pretty { serde_json::to_string_pretty(&doc).unwrap() } else { doc.to_string() };
        match Scenario::from_json(&text) {
            // 1.5 can be a fine value (a rate); then the file may be valid or refused by range.
            Ok(_) => {}
            Err(errors) => {
                let field = path_text(&path);
                prop_assert!(errors.0.iter().any(|e| e.field == field), "{field} not named in: {errors}");
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every change the page can make reads as an `aws` command, and the console reads that
    /// command back as the same change: the same command (a task definition, compared by what it
    /// registers, may come back as the fields that differ), the same setup after it, refused
    /// alike, and written the same way again.
    #[test]
    fn every_change_as_an_aws_cli_command_reads_back_as_the_same_change(
        file in select(SCENARIOS.to_vec()),
        command in prop_oneof![command(), sensible_command()],
    ) {
        use alb_lab::sim::cli::{self, Parsed};
        let sim = Sim::new(scenario(file), None);
        let before = sim.scenario();
        let Some(line) = cli::to_cli(&command, before) else {
            prop_assert!(!command.is_aws_change() || matches!(command, Command::ModifyTargetGroupAttributes { .. } | Command::RegisterTaskDefinition { .. } | Command::SetContainerPort { .. } | Command::CreateService),
                "{command:?} has no AWS CLI command");
            return Ok(());
        };
        let (mut a, mut b) = (sim.clone(), sim.clone());
        let original = a.apply(command.clone());
        match cli::parse(&line, before) {
            Ok(Parsed::Change { command: back, .. }) => {
                let again = b.apply(back.clone());
                prop_assert_eq!(original.is_ok(), again.is_ok(), "{}\n  original {:?}: {:?}\n  read back {:?}: {:?}", line, command, original, back, again);
                // In awsvpc mode a host port is the container port whether written or not (AWS
                // fills it in), so the two spellings are the same setup.
                let same_port_spelling = |s: &Scenario| {
                    let mut s = s.clone();
                    if s.task_definition.network_mode == NetworkMode::Awsvpc {
                        for m in &mut s.task_definition.container.port_mappings {
                            if m.host_port == Some(m.container_port) {
                                m.host_port = None;
                            }
                        }
                    }
                    s
                };
                prop_assert_eq!(same_port_spelling(a.scenario()), same_port_spelling(b.scenario()), "{}", line);
                let by_diff = matches!(
                    command,
                    Command::RegisterTaskDefinition { .. } | Command::SetContainerPort { .. } | Command::UpdateService { assign_public_ip: Some(_), .. } | Command::SetServiceSubnets { .. }
                );
                if !by_diff {
                    prop_assert_eq!(&back, &command, "{}", line);
                }
                prop_assert_eq!(cli::to_cli(&back, before), Some(line.clone()));
            }
            Ok(other) => prop_assert!(false, "{line} read as {other:?}"),
            Err(e) => prop_assert!(original.is_err(), "{line}\n  the console refused it ({e}) but the change is allowed: {command:?}"),
        }
    }
}

/// Console words: the real ones, broken pieces of the shorthand and JSON forms, and noise.
fn console_word() -> impl Strategy<Value = String> {
    let mut words: Vec<String> = [
        "aws",
        "ec2",
        "elbv2",
        "ecs",
        "sg-task",
        "sg-alb",
        "8000",
        "0-65535",
        "-1",
        "tcp",
        "web",
        "lab",
        "&&",
        "'",
        "\"",
        "'[]'",
        "[",
        "{",
        "}",
        "]",
        "=",
        ",",
        "Key=idle_timeout.timeout_seconds,Value=5",
        "IpProtocol=tcp,FromPort=1,ToPort=2,IpRanges=[{CidrIp=1.2.3.4/32}]",
        "targetGroupArn=x,containerName=web,containerPort=8000",
        "'[{\"name\":\"web\",\"portMappings\":[{\"containerPort\":1}]}]'",
        "awsvpcConfiguration={subnets=[subnet-a]}",
        "acl-default",
        "aclassoc-subnet-a",
        "\\",
        "#",
        "--",
        "$(x)",
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    for (service, op) in alb_lab::sim::cli::operations() {
        words.push(format!("aws {service} {op}"));
    }
    for flag in [
        "--group-id",
        "--port",
        "--cidr",
        "--source-group",
        "--ip-permissions",
        "--target-group-arn",
        "--listener-arn",
        "--load-balancer-arn",
        "--attributes",
        "--cluster",
        "--service",
        "--desired-count",
        "--load-balancers",
        "--network-configuration",
        "--container-definitions",
        "--family",
        "--network-acl-id",
        "--ingress",
        "--egress",
        "--rule-number",
        "--protocol",
        "--port-range",
        "--matcher",
        "--subnets",
    ] {
        words.push(flag.to_string());
    }
    prop_oneof![4 => select(words), 1 => "[ -~]{0,12}"]
}

proptest! {
    #![proptest_config(config())]

    /// Whatever is typed at the console, it answers (a change, a describe, or an error), Tab
    /// never fails, and a refused line leaves the setup as it was.
    #[test]
    fn any_console_line_is_answered_and_a_refused_one_changes_nothing(
        file in select(SCENARIOS.to_vec()),
        words in prop::collection::vec(console_word(), 0..14),
    ) {
        use alb_lab::sim::cli::{self, Parsed};
        let mut sim = Sim::new(scenario(file), None);
        let line = words.join(" ");
        let _ = cli::complete(&line, sim.scenario());
        let before = sim.scenario().clone();
        match cli::parse(&line, sim.scenario()) {
            Ok(Parsed::Change { command, .. }) => {
                if sim.apply(command).is_err() {
                    prop_assert_eq!(sim.scenario(), &before);
                }
            }
            Ok(Parsed::Describe(what)) => {
                let _ = cli::describe(&sim, &what);
                prop_assert_eq!(sim.scenario(), &before);
            }
            Ok(Parsed::Nothing) | Err(_) => prop_assert_eq!(sim.scenario(), &before),
        }
        check(&sim, &line)?;
    }
}

/// A live run as the page drives it: each step waits `wait` sim seconds, then applies its
/// command, recording it in the timeline when it is taken.
fn live_run(file: &str, seed: u64, steps: &[(u32, Command)], then_seconds: u64) -> (Sim, Timeline) {
    let mut sim = Sim::new(scenario(file), Some(seed));
    let mut timeline = Timeline::new(&sim);
    for (wait, command) in steps {
        for _ in 0..*wait as u64 * 10 {
            sim.tick();
            timeline.after_tick(&sim);
        }
        if sim.apply(command.clone()).is_ok() {
            timeline.record(&sim, command.clone());
        }
    }
    for _ in 0..then_seconds * 10 {
        sim.tick();
        timeline.after_tick(&sim);
    }
    (sim, timeline)
}

/// What a moment means, written apart from the timeline: a fresh run that ticks and, at each
/// recorded time, applies that time's commands, stopped at `at_ms`.
fn fresh_run(file: &str, seed: u64, commands: &[timeline::Recorded], at_ms: u64) -> Sim {
    let mut sim = Sim::new(scenario(file), Some(seed));
    let mut next = commands.iter().peekable();
    loop {
        while let Some(step) = next.next_if(|c| c.at_ms == sim.now_ms()) {
            let _ = sim.apply(step.command.clone());
        }
        if sim.now_ms() >= at_ms {
            return sim;
        }
        sim.tick();
    }
}

/// The whole state, every field: two runs are the same run when this is equal.
fn full_state(sim: &Sim) -> String {
    format!("{sim:?}")
}

fn timeline_config() -> ProptestConfig {
    let mut config = config();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 48;
    }
    config
}

proptest! {
    #![proptest_config(timeline_config())]

    /// Seeking to any moment gives exactly the state a fresh run with the same commands reaches
    /// at that moment, and asking twice gives the same again.
    #[test]
    fn seeking_to_a_moment_equals_a_fresh_run_stopped_there(
        file in select(SCENARIOS.to_vec()),
        seed in 0u64..1000,
        steps in prop::collection::vec((0u32..90, prop_oneof![4 => sensible_command(), 1 => command()]), 0..6),
        at in 0.0f64..=1.0,
        at_a_change in any::<bool>(),
    ) {
        let (live, timeline) = live_run(file, seed, &steps, 150);
        let start = timeline.start_ms();
        let mut at_ms = start + ((live.now_ms() - start) as f64 * at) as u64;
        // The moment of a change shows the change made.
        if at_a_change && !timeline.commands().is_empty() {
            at_ms = timeline.commands()[(at * (timeline.commands().len() - 1) as f64) as usize].at_ms;
        }
        let (seen, applied) = timeline.seek(at_ms).expect("a started timeline");
        let fresh = fresh_run(file, seed, timeline.commands(), at_ms);
        prop_assert_eq!(seen.now_ms(), timeline::to_tick(at_ms));
        prop_assert!(full_state(&seen) == full_state(&fresh), "the moment {} differs from a fresh run", timeline::clock(at_ms));
        let (again, applied_again) = timeline.seek(at_ms).expect("a started timeline");
        prop_assert_eq!(applied, applied_again);
        prop_assert!(full_state(&again) == full_state(&seen), "seeking twice differs");
        // A link to the moment replays it from the start to the same state.
        let mut viewer = live.clone();
        let mut shown = timeline.clone();
        shown.view(&mut viewer, at_ms);
        let history = shown.link_history(&viewer).map_err(TestCaseError::fail)?;
        let (_, opened) = Timeline::replay_from_start(Sim::new(scenario(file), Some(seed)), history, viewer.now_ms())
            .map_err(TestCaseError::fail)?;
        prop_assert!(full_state(&opened) == full_state(&viewer), "the link's moment differs");
    }

    /// A change made at a past moment starts a branch: the run from there equals a fresh run
    /// with the commands up to the moment and the new ones after. Going back further still and
    /// going on again, then returning to the first branch left, shows that branch as it was, and
    /// every moment of it too.
    #[test]
    fn a_branch_from_the_past_equals_a_fresh_run_with_the_same_commands(
        file in select(SCENARIOS.to_vec()),
        seed in 0u64..1000,
        steps in prop::collection::vec((0u32..60, sensible_command()), 1..5),
        later in prop::collection::vec((0u32..60, sensible_command()), 1..4),
        at in 0.0f64..0.95,
        further_back in 0.0f64..=1.0,
        probe in 0.0f64..=1.0,
    ) {
        let (mut current, mut timeline) = live_run(file, seed, &steps, 100);
        let first_commands = timeline.commands().to_vec();
        let left = full_state(&current);
        let left_end = current.now_ms();
        let start = timeline.start_ms();
        let at_ms = start + ((current.now_ms() - start) as f64 * at) as u64;
        timeline.view(&mut current, at_ms);
        prop_assert!(timeline.viewing().is_some());
        // The first change taken in the past branches (a refused one changes nothing).
        let mut branched = false;
        for (wait, command) in &later {
            if branched {
                for _ in 0..*wait as u64 * 10 {
                    current.tick();
                    timeline.after_tick(&current);
                }
            }
            if timeline.apply_in_past(&mut current, command.clone()).is_ok() {
                branched = true;
            }
        }
        if !branched {
            timeline.resume_here(&current, true);
        }
        prop_assert_eq!(timeline.branches().len(), 1);
        let fresh = fresh_run(file, seed, timeline.commands(), current.now_ms());
        prop_assert!(full_state(&current) == full_state(&fresh), "the branch differs from a fresh run");
        // Further back, another branch.
        let back_ms = start + ((current.now_ms() - start) as f64 * further_back) as u64;
        timeline.view(&mut current, back_ms);
        if timeline.viewing().is_some() {
            timeline.resume_here(&current, true);
            for _ in 0..300 {
                current.tick();
                timeline.after_tick(&current);
            }
        }
        // Return to the first branch left: it is the run that was left, at every moment.
        let index = timeline.branches().iter().position(|b| b.end_ms == left_end).expect("the first branch is kept");
        timeline.switch_to_branch(&mut current, index);
        prop_assert!(full_state(&current) == left, "the branch returned to is not the run that was left");
        prop_assert_eq!(timeline.commands(), &first_commands[..]);
        let probe_ms = start + ((left_end - start) as f64 * probe) as u64;
        let (seen, _) = timeline.seek(probe_ms).expect("started");
        let fresh = fresh_run(file, seed, &first_commands, probe_ms);
        prop_assert!(full_state(&seen) == full_state(&fresh), "a moment of the branch returned to differs from a fresh run");
    }
}

// ---- importing a real setup ----

const IMPORT_FIXTURES: [&str; 6] = [
    "aws/healthy.json",
    "aws/task-sg-blocks-alb.json",
    "aws/dynamic-ports-fixed-health-check.json",
    "terraform/plan-healthy.json",
    "terraform/health-check-port-blocked.json",
    "cloudformation/healthy.json",
];

fn import_fixture(rel: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(rel);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

/// A value a field could hold in a hostile or broken document.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        Just(Value::from(-1)),
        Just(Value::from(65536)),
        Just(Value::from(1e300)),
        "\\PC{0,40}".prop_map(Value::String),
        select(vec![
            "-1",
            "traffic-port",
            "0.0.0.0/0",
            "sg-0c3f5e2a9b8d71460",
            "awsvpc",
            "bridge",
            "instance",
            "HTTPS",
            "",
            "arn:aws:x",
            "999999"
        ])
        .prop_map(|s| Value::String(s.into())),
        Just(Value::Array(Vec::new())),
        Just(serde_json::json!({})),
    ]
}

/// How many nodes `v` has, itself included.
fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(o) => o.values().map(nodes).sum(),
        _ => 0,
    }
}

/// Replace the `n`-th node (depth first) of `v` with `new` (callers keep `n` below
/// [`nodes`]).
fn mutate(v: &mut Value, n: &mut usize, new: &Value) -> bool {
    if *n == 0 {
        *v = new.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| mutate(x, n, new)),
        Value::Object(o) => o.values_mut().any(|x| mutate(x, n, new)),
        _ => false,
    }
}

fn shape(r: &alb_lab::import::report::Report) -> Vec<(String, &'static str, &'static str)> {
    r.findings.iter().map(|f| (f.id.clone(), f.severity, f.hop)).collect()
}

proptest! {
    #![proptest_config(timeline_config())]

    /// Any document, however mutated, and any text at all, imports or is refused with a
    /// message: nothing panics, and what is built is a valid scenario the simulation runs.
    #[test]
    fn random_and_mutated_documents_never_panic(
        file in select(IMPORT_FIXTURES.to_vec()),
        edits in proptest::collection::vec((0usize..4000, hostile_value()), 1..6),
        junk in "\\PC{0,200}",
        run in any::<bool>(),
    ) {
        use alb_lab::import::{self, Source};
        let mut doc = import_fixture(file);
        for (at, value) in &edits {
            // Every edit lands on a node of the document as it is now (the root included).
            let mut n = at % nodes(&doc);
            prop_assert!(mutate(&mut doc, &mut n, value));
        }
        let imported = import::import(&[Source::new("mutated", doc.to_string()), Source::new("junk", junk.clone())]);
        prop_assert!(imported.documents[1].refused.is_some() || serde_json::from_str::<Value>(&junk).is_ok(), "junk {:?} was taken", junk);
        // Each document is either read as something or refused with words.
        for d in &imported.documents {
            prop_assert!(d.refused.as_deref().map_or(!d.read_as.is_empty(), |w| !w.trim().is_empty()), "{:?}", d);
        }
        if let (true, Some(s)) = (run, imported.scenario()) {
            // What the import built passes the same validation as a file a person wrote.
            prop_assert!(s.clone().validate().is_ok());
            let r = import::report::report(&imported).expect("a scenario");
            prop_assert!(r.findings.iter().all(|f| !f.id.is_empty() && !f.cause.trim().is_empty()), "{:?}", r.findings);
        }
    }

    /// Redaction never changes what the diagnosis finds, whatever subset of a setup's
    /// documents was pasted.
    #[test]
    fn redaction_never_changes_a_diagnosis(
        file in select(vec!["aws/healthy.json", "aws/task-sg-blocks-alb.json", "aws/alb-egress-missing.json", "aws/listener-forwards-elsewhere.json", "aws/dynamic-ports-fixed-health-check.json", "aws/wrong-health-path.json"]),
        keep in proptest::collection::vec(any::<bool>(), 16),
    ) {
        use alb_lab::import::{self, redact, Source};
        let doc = import_fixture(file);
        let entries: Vec<Value> = doc.as_array().expect("collector file").iter().zip(keep.iter().cycle()).filter(|(_, k)| **k).map(|(e, _)| e.clone()).collect();
        prop_assume!(!entries.is_empty());
        let imported = import::import(&[Source::new("subset", Value::Array(entries).to_string())]);
        let Some(before) = import::report::report(&imported) else { return Ok(()) };
        let redacted = redact::redact(&imported);
        let after = import::report::report(&redacted.imported).expect("a redacted setup builds as the original did");
        prop_assert_eq!(shape(&before), shape(&after));
        prop_assert_eq!(before.client_sees, after.client_sees);
    }
}
