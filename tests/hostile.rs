//! What hostile links and long sessions found: lists without limits, invariants that raised false
//! alarms, and state that grew with every command.

mod common;

use alb_lab::sim::scenario::HealthResponse;
use alb_lab::sim::{Command, Scenario, Sim, TaskDefinitionChanges, TaskState};
use common::{run, run_watching, scenario};
use proptest::prelude::*;

/// The lists a scenario holds, with their limits, and a way to make each one `len` long.
type Grow = fn(&mut Scenario, usize);
const LISTS: [(&str, usize, Grow); 9] = [
    ("vpc.subnets", 6, |s, n| {
        let first = s.vpc.subnets[0].clone();
        s.vpc.subnets.resize(n, first);
    }),
    ("security_groups", 10, |s, n| {
        let first = s.security_groups[0].clone();
        s.security_groups.resize(n, first);
    }),
    ("security_groups[0].ingress", 60, |s, n| {
        let first = s.security_groups[0].ingress[0].clone();
        s.security_groups[0].ingress.resize(n, first);
    }),
    ("load_balancer.subnets", 16, |s, n| {
        let first = s.load_balancer.subnets[0].clone();
        s.load_balancer.subnets.resize(n, first);
    }),
    ("load_balancer.listeners", 10, |s, n| {
        let first = s.load_balancer.listeners[0].clone();
        s.load_balancer.listeners.resize(n, first);
    }),
    ("load_balancer.listeners.rules", 100, |s, n| {
        let rule = alb_lab::sim::scenario::ListenerRule {
            priority: 1,
            path_pattern: "/a".into(),
            action: s.load_balancer.listeners[0].default_action.clone(),
        };
        s.load_balancer.listeners[0].rules.resize(n, rule);
    }),
    ("target_groups", 5, |s, n| {
        let first = s.target_groups[0].clone();
        s.target_groups.resize(n, first);
    }),
    ("service.network_configuration.subnets", 16, |s, n| {
        if let Some(nc) = s.service.as_mut().and_then(|svc| svc.network_configuration.as_mut()) {
            let first = nc.subnets[0].clone();
            nc.subnets.resize(n, first);
        }
    }),
    ("task_definition.container.port_mappings", 10, |s, n| {
        let first = s.task_definition.container.port_mappings[0];
        s.task_definition.container.port_mappings.resize(n, first);
    }),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every list over its limit is refused, naming the list and its limit, and nothing inside
    /// the list is looked at (so a link that repeats one item 50,000 times is refused at once,
    /// not validated item by item).
    #[test]
    fn a_list_over_its_limit_is_refused_with_the_field_named(which in 0..LISTS.len(), over in 1usize..50_000) {
        let (field, limit, grow) = LISTS[which];
        let mut s = scenario("default.json").into_inner();
        grow(&mut s, limit + over);
        let errors = s.validate().unwrap_err();
        prop_assert_eq!(errors.0.len(), 1, "{}", errors);
        prop_assert_eq!(&errors.0[0].field, field);
        prop_assert!(errors.0[0].message.contains(&format!("got {}", limit + over)), "{}", errors.0[0].message);
    }
}

#[test]
fn the_service_subnet_list_at_its_limit_runs_like_the_default() {
    let mut s = scenario("default.json").into_inner();
    (LISTS[7].2)(&mut s, 16);
    let mut sim = Sim::new(s.validate().expect("16 subnets are allowed"), Some(1));
    run(&mut sim, 120);
    assert!(sim.tasks().filter(|t| t.state == TaskState::Running).count() >= 2);
}

#[test]
fn a_request_is_judged_by_the_rules_it_met_not_by_a_rule_revoked_after_it_left() {
    let mut sim = common::sim("default.json");
    sim.apply(Command::SetRequestRate { requests_per_second: 50.0 }).unwrap();
    // A tick that sent requests, which crossed the task's security group to the app.
    loop {
        let before = sim.requests_sent();
        sim.tick();
        if sim.requests_sent() > before {
            break;
        }
    }
    sim.check_invariants().unwrap();
    // Between ticks, the rule those requests crossed is revoked; they were still admitted.
    sim.apply(Command::RevokeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() })
        .unwrap();
    sim.check_invariants().expect("a request sent before the revoke is judged by the rules it met");
    sim.apply(Command::SendRequest).unwrap();
    run(&mut sim, 30);
}

#[test]
fn lowering_maximum_percent_mid_deployment_stops_new_starts_but_not_running_tasks() {
    let mut sim = common::sim("default.json");
    sim.apply(Command::update_service(Some(4), None, Some((100, 200)))).unwrap();
    run(&mut sim, 120);
    assert_eq!(sim.tasks().filter(|t| t.state == TaskState::Running).count(), 4);
    // A deployment starts four new tasks (200 % of 4 = 8 at most)…
    sim.apply(Command::RegisterTaskDefinition {
        changes: TaskDefinitionChanges { startup_seconds: Some(20), ..Default::default() },
        deploy: true,
    })
    .unwrap();
    run(&mut sim, 3);
    let active = |sim: &Sim| sim.tasks().filter(|t| t.is_active()).count();
    assert_eq!(active(&sim), 8);
    // …then the cap drops to 100 % (4 tasks) while they start. ECS starts nothing more, stops
    // nothing for the cap, and the count comes down as old tasks leave.
    sim.apply(Command::update_service(None, None, Some((50, 100)))).unwrap();
    let mut most_after = 0;
    let mut starts_over_cap = 0;
    let mut seen: std::collections::BTreeSet<u32> = sim.tasks().map(|t| t.seq).collect();
    // Old tasks drain for the deregistration delay (300 s) before they stop.
    run_watching(&mut sim, 700, |sim| {
        let n = sim.tasks().filter(|t| t.is_active()).count();
        for t in sim.tasks() {
            if seen.insert(t.seq) && n > 4 {
                starts_over_cap += 1;
            }
        }
        most_after = most_after.max(n);
    });
    assert_eq!(starts_over_cap, 0, "a task was started while the service was over its new cap");
    assert_eq!(active(&sim), 4, "{}", common::describe(&sim));
    assert!(sim.service_runtime().deployments.len() == 1, "the deployment completed");
}

#[test]
fn forced_deployments_and_registered_revisions_do_not_pile_up() {
    let mut sim = common::sim("default.json");
    // A service that never settles: the health check fails.
    sim.apply(Command::RegisterTaskDefinition {
        changes: TaskDefinitionChanges { health_response: Some(HealthResponse::ServerError), ..Default::default() },
        deploy: true,
    })
    .unwrap();
    for i in 0..400 {
        let command = if i % 2 == 0 {
            Command::force_new_deployment()
        } else {
            Command::RegisterTaskDefinition {
                changes: TaskDefinitionChanges { startup_seconds: Some(i % 60), ..Default::default() },
                deploy: i % 3 == 0,
            }
        };
        sim.apply(command).unwrap();
        run(&mut sim, 2);
    }
    let deployments = sim.service_runtime().deployments.len();
    let revisions = sim.task_definitions().len();
    // At most one deployment per task that is still alive, plus the primary.
    let alive = sim.tasks().filter(|t| t.state != TaskState::Stopped).count();
    assert!(deployments <= alive + 1, "{deployments} deployments for {alive} live tasks");
    assert!(revisions <= deployments + 1, "{revisions} task definition revisions kept for {deployments} deployments");
}
