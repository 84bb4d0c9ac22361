//! The product brief's failure table, row by row: each shipped scenario sets up one cause, and
//! these tests check the symptoms a learner would see (client outcomes, target states and reason
//! codes, ECS service events, CloudWatch-style metrics), that the diagnosis names the right root
//! cause, and that applying its fix makes the symptom go away.

mod common;

use alb_lab::sim::nacl::NaclLeg;
use alb_lab::sim::scenario::{target_group_arn, EcsRefusal, NaclAction};
use alb_lab::sim::trace::{Detail, StatusSource, TraceKind};
use alb_lab::sim::{Applied, Command, Hop, Outcome, OutcomeClass, Severity, Sim, TargetState, TaskState};
use common::*;

const WEB_TG_ARN_PREFIX: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/";

/// The diagnosis's first broken finding must sit at `hop`; apply its fix command.
fn apply_diagnosed_fix(sim: &mut Sim, hop: Hop) -> Command {
    let diagnosis = sim.diagnose();
    let finding = diagnosis.broken().next().unwrap_or_else(|| panic!("no broken finding; diagnosis: {diagnosis:#?}"));
    assert_eq!(finding.hop, hop, "root cause at the wrong hop: {finding:#?}");
    assert_eq!(finding.severity, Severity::Broken);
    let command = finding.fix_command.clone().unwrap_or_else(|| panic!("no fix command for {finding:#?}"));
    sim.apply(command.clone()).unwrap_or_else(|e| panic!("the diagnosed fix {command:?} was refused: {e}"));
    command
}

/// Over the last `seconds`, every client request got the app's 2xx.
fn assert_all_success(sim: &Sim, seconds: u64) {
    let w = window(sim, seconds);
    assert!(w.total_outcomes() > 0, "no requests finished in the last {seconds} s");
    assert_eq!(w.outcome(OutcomeClass::Success), w.total_outcomes(), "not every request succeeded: {:?}\n{}", w.outcomes, describe(sim));
}

/// How many tasks ECS has decided to stop because their target failed ELB health checks.
fn elb_stopped_tasks(sim: &Sim) -> usize {
    let reason = format!("Task failed ELB health checks in (target-group {WEB_TG_ARN_PREFIX}");
    let live = sim.tasks().filter(|t| t.stopped_reason.as_deref().is_some_and(|r| r.starts_with(&reason))).count();
    let gone = sim.stopped_tasks().filter(|t| t.stopped_reason.starts_with(&reason)).count();
    live + gone
}

// ---- 503: no registered targets ----

fn assert_empty_target_group_503(sim: &Sim) {
    assert!(targets(sim).is_empty(), "the target group should be empty:\n{}", describe(sim));
    assert_eq!(sim.host_counts(), (0, 0), "TG shows 0 healthy / 0 unhealthy");
    let w = window(sim, 60);
    assert!(w.total_outcomes() >= 60, "the client kept sending");
    assert_eq!(w.outcome(OutcomeClass::Elb503), w.total_outcomes(), "every request gets 503 from the load balancer: {:?}", w.outcomes);
    // HTTPCode_ELB_503_Count counts them; RequestCount does not (no target was chosen).
    let totals = sim.metrics().totals;
    assert_eq!(totals.elb_503, totals.total_outcomes());
    assert_eq!(totals.request_count, 0, "RequestCount must not count 503s for an empty target group");
    assert_eq!(totals.target_2xx + totals.target_4xx + totals.target_5xx, 0);
    let last = sim.recent_requests().next_back().expect("a finished request");
    assert_eq!(last.outcome, Outcome::Http { status: 503, source: StatusSource::Elb });
    let hop = last.trace.deciding_hop().expect("a trace");
    assert_eq!(hop.hop, Hop::TargetGroup);
    assert!(matches!(hop.detail, Detail::NoRegisteredTargets { .. }), "{:?}", hop.detail);
    assert_eq!(hop.aws_term(TraceKind::Request), Some("HTTPCode_ELB_503_Count"));
}

#[test]
fn service_not_attached_gives_503_from_an_empty_target_group_until_attached() {
    let mut sim = sim("no-service-attached.json");
    run(&mut sim, 120);
    // The service itself is fine: its tasks run, they are just never registered.
    assert_eq!(sim.tasks().filter(|t| t.state == TaskState::Running).count(), 2);
    assert_eq!(count_events(&sim, "registered 1 targets"), 0);
    assert_empty_target_group_503(&sim);

    let fix = apply_diagnosed_fix(&mut sim, Hop::TargetGroup);
    assert!(
        matches!(fix, Command::AttachLoadBalancer { ref target_group, container_port: 8000, .. } if target_group == "web-tg"),
        "{fix:?}"
    );
    run(&mut sim, 120);
    assert!(count_events(&sim, "registered 1 targets in (target-group arn:") >= 2);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
    assert!(window(&sim, 30).request_count > 0, "requests that reach a target count in RequestCount");
}

#[test]
fn desired_count_zero_gives_503_until_scaled_up() {
    let mut sim = sim("desired-zero.json");
    run(&mut sim, 90);
    assert_eq!(sim.tasks().count(), 0);
    assert_empty_target_group_503(&sim);

    let fix = apply_diagnosed_fix(&mut sim, Hop::TargetGroup);
    assert!(matches!(fix, Command::UpdateService { desired_count: Some(n), .. } if n >= 1), "{fix:?}");
    run(&mut sim, 60);
    assert!(!targets_in(&sim, TargetState::Healthy).is_empty(), "{}", describe(&sim));
    assert_all_success(&sim, 20);
}

// ---- target never healthy: port mismatches ----

/// Targets never turn healthy, fail with Target.FailedHealthChecks, and ECS keeps replacing them.
/// Returns the client tally of the last 60 s.
fn assert_never_healthy_with_failed_health_checks(sim: &mut Sim) -> alb_lab::sim::Counters {
    let mut ever_healthy = false;
    run_watching(sim, 400, |s| ever_healthy |= s.targets().any(|t| t.state == TargetState::Healthy));
    assert!(!ever_healthy, "a target turned healthy:\n{}", describe(sim));
    let unhealthy = targets_in(sim, TargetState::Unhealthy);
    assert!(!unhealthy.is_empty(), "{}", describe(sim));
    for t in &unhealthy {
        let reason = t.reason.as_ref().expect("an unhealthy target has a reason");
        assert_eq!(reason.code(), "Target.FailedHealthChecks");
        assert_eq!(reason.description(), "Health checks failed");
    }
    // ECS's words, again and again.
    let unhealthy_events = count_events(sim, ") is unhealthy in (target-group arn:aws:elasticloadbalancing:");
    let reason_events = count_events(sim, "due to (reason Health checks failed).");
    assert!(unhealthy_events >= 4, "expected repeated 'is unhealthy' events, got {unhealthy_events}\n{}", describe(sim));
    assert_eq!(reason_events, unhealthy_events);
    assert!(count_events(sim, "has stopped 1 running tasks: (task ") >= 4);
    assert!(elb_stopped_tasks(sim) >= 4, "tasks stopped for failing ELB health checks: {}", elb_stopped_tasks(sim));
    assert!(count_events(sim, "has started") >= 3, "ECS starts replacements");
    let w = window(sim, 60);
    // All targets unhealthy: the ALB fails open, and every routed request is counted so.
    assert!(w.unhealthy_routing > 0);
    assert_eq!(w.unhealthy_routing, w.request_count, "every request that reached a target was routed by fail-open");
    w
}

#[test]
fn app_listening_on_another_port_fails_health_checks_and_clients_get_502() {
    let mut sim = sim("app-port-mismatch.json");
    let w = assert_never_healthy_with_failed_health_checks(&mut sim);
    // Fail-open sends requests to a port nothing listens on: refused → 502 at once.
    assert!(w.outcome(OutcomeClass::Elb502) * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);
    assert_eq!(w.outcome(OutcomeClass::Success), 0);
    assert!(w.target_connection_errors > 0, "TargetConnectionErrorCount counts refused connections");
    let r = sim.recent_requests().rev().find(|r| r.outcome.class() == OutcomeClass::Elb502).expect("a 502");
    assert!(r.is_fail_open);
    assert_eq!(r.done_at_ms - r.sent_at_ms, 1, "a refused connection fails at once");
    let hop = r.trace.deciding_hop().expect("trace");
    assert_eq!(hop.hop, Hop::App);
    assert!(matches!(hop.detail, Detail::NotListening { port: 8000, listen_port: 3000 }), "{:?}", hop.detail);

    let fix = apply_diagnosed_fix(&mut sim, Hop::App);
    assert!(matches!(fix, Command::RegisterTaskDefinition { ref changes, deploy: true } if changes.listen_port == Some(8000)), "{fix:?}");
    run(&mut sim, 180);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
    assert!(sim.tasks().filter(|t| t.is_active()).all(|t| t.revision == 2), "the fixed revision rolled out");
}

#[test]
fn container_port_mapping_that_misses_the_app_fails_health_checks() {
    let mut sim = sim("container-mapping-mismatch.json");
    assert!(sim.tasks().all(|t| t.port_mappings[0].container_port == 8080));
    let w = assert_never_healthy_with_failed_health_checks(&mut sim);
    assert!(sim.targets().all(|t| t.endpoint.port == 8080), "ECS registers the mapped container port");
    assert!(w.outcome(OutcomeClass::Elb502) * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);

    let fix = apply_diagnosed_fix(&mut sim, Hop::App);
    assert!(matches!(fix, Command::RegisterTaskDefinition { ref changes, .. } if changes.listen_port == Some(8080)), "{fix:?}");
    run(&mut sim, 180);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
}

#[test]
fn health_check_on_the_wrong_port_fails_while_fail_open_traffic_still_works() {
    let mut sim = sim("tg-healthcheck-port-mismatch.json");
    let w = assert_never_healthy_with_failed_health_checks(&mut sim);
    // Traffic goes to the traffic port, where the app answers: fail-open clients get 200.
    assert!(w.outcome(OutcomeClass::Success) * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);
    let check = sim.targets().find_map(|t| t.last_check.as_ref()).expect("a health check ran");
    assert!(check.trace.hops.iter().any(|h| matches!(h.detail, Detail::HealthCheckTo { port: 80, .. })));

    let fix = apply_diagnosed_fix(&mut sim, Hop::TargetGroup);
    assert!(matches!(fix, Command::ModifyTargetGroup { ref health_check, .. } if health_check.port == "traffic-port"), "{fix:?}");
    run(&mut sim, 240);
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    assert!(targets_in(&sim, TargetState::Unhealthy).is_empty(), "{}", describe(&sim));
    assert_all_success(&sim, 30);
    assert_eq!(window(&sim, 30).unhealthy_routing, 0, "no fail-open once targets are healthy");
}

#[test]
fn an_explicit_health_check_port_the_task_group_drops_is_diagnosed_as_the_timeout_and_fail_open_200_it_gives() {
    // The app answers on 8000; the health check goes to 8000 explicitly, and the task group
    // admits the load balancer only on 8001: checks are dropped, requests on the traffic port
    // still get through once every target is unhealthy.
    let mut sim = sim("default.json");
    sim.apply(Command::ModifyTargetGroup {
        target_group: "web-tg".into(),
        health_check: alb_lab::sim::scenario::HealthCheck { port: "8001".into(), ..Default::default() },
    })
    .expect("modify");
    run(&mut sim, 200);
    let unhealthy = targets_in(&sim, TargetState::Unhealthy);
    assert!(!unhealthy.is_empty(), "{}", describe(&sim));
    assert!(unhealthy.iter().all(|t| t.reason.as_ref().map(|r| r.code()) == Some("Target.Timeout")), "{}", describe(&sim));
    assert_all_success(&sim, 30);
    let d = sim.diagnose();
    let broken: Vec<_> = d.broken().collect();
    assert!(!broken.is_empty(), "{d:#?}");
    for f in &broken {
        assert!(!f.aws_shows.contains("FailedHealthChecks"), "the run shows Target.Timeout: {f:#?}");
        assert!(f.aws_shows.contains("Target.Timeout") && f.aws_shows.contains("200 OK (from the app)"), "{f:#?}");
        assert!(!f.aws_shows.contains("504") && !f.cause.contains("requests are dropped"), "requests get through: {f:#?}");
    }
}

// ---- target never healthy: the health path answers 404 / 500 ----

#[test]
fn wrong_health_path_gives_response_code_mismatch_404() {
    let mut sim = sim("wrong-health-path.json");
    run(&mut sim, 300);
    let unhealthy = targets_in(&sim, TargetState::Unhealthy);
    assert!(!unhealthy.is_empty(), "{}", describe(&sim));
    for t in unhealthy {
        let reason = t.reason.as_ref().expect("reason");
        assert_eq!(reason.code(), "Target.ResponseCodeMismatch");
        assert_eq!(reason.description(), "Health checks failed with these codes: [404]");
    }
    assert!(count_events(&sim, "due to (reason Health checks failed with these codes: [404]).") >= 2);
    assert!(elb_stopped_tasks(&sim) >= 2, "ECS kills the tasks even though the app works");
    // Clients still get the app's real answer (fail-open), counted as target 2XX.
    let w = window(&sim, 60);
    assert!(w.outcome(OutcomeClass::Success) * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);
    assert!(w.target_2xx > 0 && w.unhealthy_routing > 0);

    let fix = apply_diagnosed_fix(&mut sim, Hop::App);
    assert!(matches!(fix, Command::ModifyTargetGroup { ref health_check, .. } if health_check.path == "/health"), "{fix:?}");
    run(&mut sim, 240);
    assert!(targets_in(&sim, TargetState::Unhealthy).is_empty(), "{}", describe(&sim));
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2);
    assert_all_success(&sim, 30);
}

#[test]
fn fail_open_serves_the_apps_answer_and_counts_unhealthy_routing() {
    let mut sim = sim("fail-open.json");
    run(&mut sim, 300);
    let (healthy, unhealthy) = sim.host_counts();
    assert_eq!(healthy, 0, "HealthyHostCount");
    assert!(unhealthy >= 1, "UnHealthyHostCount");
    for t in targets_in(&sim, TargetState::Unhealthy) {
        assert_eq!(t.reason.as_ref().map(|r| r.description()).as_deref(), Some("Health checks failed with these codes: [500]"));
    }
    let w = window(&sim, 120);
    assert_eq!(w.outcome(OutcomeClass::Success), w.total_outcomes(), "fail-open: clients get the app's 200: {:?}", w.outcomes);
    assert_eq!(w.unhealthy_routing, w.total_outcomes(), "UnhealthyRoutingRequestCount counts every request");
    assert_eq!(w.target_2xx, w.total_outcomes(), "HTTPCode_Target_2XX_Count");
    let r = sim.recent_requests().next_back().expect("a request");
    assert!(r.is_fail_open);
    assert_eq!(r.target_state, Some(TargetState::Unhealthy));
    assert!(r.trace.hops.iter().any(|h| matches!(h.detail, Detail::Routed { fail_open: true, .. })));
    // The diagnosis warns that this is fail-open, not health.
    let d = sim.diagnose();
    assert!(d.findings.iter().any(|f| f.severity == Severity::Warning && f.aws_shows.contains("UnhealthyRoutingRequestCount")));

    let fix = apply_diagnosed_fix(&mut sim, Hop::App);
    assert!(matches!(fix, Command::RegisterTaskDefinition { .. }), "{fix:?}");
    run(&mut sim, 180);
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
    assert_eq!(window(&sim, 30).unhealthy_routing, 0);
}

#[test]
fn below_a_raised_fail_open_threshold_every_request_counts_as_unhealthy_routing() {
    // target_group_health.unhealthy_state_routing.minimum_healthy_targets.count = 3 with two
    // healthy targets: the ALB is below the threshold and routes to all targets (fail open).
    let mut sim = sim("default.json");
    run(&mut sim, 30);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2);
    sim.apply(Command::ModifyTargetGroupAttributes {
        target_group: "web-tg".into(),
        deregistration_delay_seconds: None,
        unhealthy_state_routing_minimum_healthy_targets_count: Some(3),
        load_balancing_algorithm: None,
    })
    .expect("a valid attribute");
    run(&mut sim, 20);
    let w = window(&sim, 10);
    assert_eq!(w.unhealthy_routing, w.total_outcomes(), "below the threshold every request is routed by fail-open");
    assert_all_success(&sim, 10);
}

// ---- target never healthy, clients 503 then 504: the task SG does not admit the ALB ----

#[test]
fn task_sg_blocking_the_alb_gives_target_timeout_503_then_504() {
    let mut sim = sim("task-sg-blocks-alb.json");
    let mut first_unhealthy_ms = None;
    let mut before_fail_open = None;
    run_watching(&mut sim, 400, |s| {
        if first_unhealthy_ms.is_none() && s.targets().any(|t| t.state == TargetState::Unhealthy) {
            first_unhealthy_ms = Some(s.now_ms());
            before_fail_open = Some(s.metrics().totals);
        }
    });
    let first_unhealthy_ms = first_unhealthy_ms.expect("targets turn unhealthy");
    // UnhealthyThreshold (2) × interval (30 s) after registration, give or take a check.
    assert!((40_000..=90_000).contains(&first_unhealthy_ms), "unhealthy at {first_unhealthy_ms} ms");
    // While the targets were initial: only 503s.
    let before = before_fail_open.expect("counters");
    assert!(before.elb_503 > 0);
    assert_eq!(before.elb_503, before.total_outcomes(), "only 503 while the targets are initial: {:?}", before.outcomes);
    // After fail-open: 504 after the 10 s connect timeout.
    let w = window(&sim, 120);
    assert!(w.outcome(OutcomeClass::Elb504) * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);
    assert_eq!(w.outcome(OutcomeClass::Success), 0);
    assert_eq!(w.target_connection_errors, w.elb_504, "TargetConnectionErrorCount");
    let r = sim.recent_requests().rev().find(|r| r.outcome.class() == OutcomeClass::Elb504).expect("a 504");
    assert_eq!(r.done_at_ms - r.sent_at_ms, 10_000, "the ALB gives up after its 10 s connection timeout");
    assert!(r.is_fail_open);
    let hop = r.trace.deciding_hop().expect("trace");
    assert_eq!(hop.hop, Hop::TaskSecurityGroup);
    assert!(matches!(hop.detail, Detail::SgDenies { port: 8000, .. }), "{:?}", hop.detail);
    for t in targets_in(&sim, TargetState::Unhealthy) {
        let reason = t.reason.as_ref().expect("reason");
        assert_eq!(reason.code(), "Target.Timeout");
        assert_eq!(reason.description(), "Request timed out");
    }
    assert!(count_events(&sim, "due to (reason Request timed out).") >= 2);
    assert!(elb_stopped_tasks(&sim) >= 2);

    let fix = apply_diagnosed_fix(&mut sim, Hop::TaskSecurityGroup);
    assert_eq!(
        fix,
        Command::AuthorizeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() }
    );
    run(&mut sim, 200);
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
}

#[test]
fn one_task_service_with_blocked_sg_gets_only_503_then_504() {
    // The same mistake with one task: 503 while its target is initial, then 504 for as long as
    // an unhealthy target is registered (ECS keeps it until its replacement fails too).
    let mut sim = sim("task-sg-blocks-alb.json");
    sim.apply(Command::UpdateService {
        desired_count: Some(1),
        health_check_grace_period_seconds: None,
        minimum_healthy_percent: None,
        maximum_percent: None,
        assign_public_ip: None,
        force_new_deployment: false,
    })
    .expect("desired count 1");
    run(&mut sim, 400);
    let t = sim.metrics().totals;
    assert!(t.elb_503 > 0 && t.elb_504 > 0, "{:?}", t.outcomes);
    assert_eq!(t.elb_503 + t.elb_504, t.total_outcomes(), "nothing but 503 and 504: {:?}", t.outcomes);
    let w = window(&sim, 120);
    assert!(w.elb_504 * 10 >= w.total_outcomes() * 9, "{:?}", w.outcomes);
    assert!(count_events(&sim, ") is unhealthy in") >= 3);
}

// ---- client times out, no status at all ----

fn assert_client_timeouts_and_nothing_in_alb_metrics(sim: &Sim, hop: Hop) {
    let w = window(sim, 60);
    assert!(w.total_outcomes() > 0);
    assert_eq!(w.outcome(OutcomeClass::Timeout), w.total_outcomes(), "{:?}", w.outcomes);
    let t = sim.metrics().totals;
    assert_eq!(t.request_count, 0, "RequestCount");
    assert_eq!(t.elb_502 + t.elb_503 + t.elb_504 + t.elb_other, 0, "HTTPCode_ELB_*");
    assert_eq!(t.target_2xx + t.target_4xx + t.target_5xx, 0, "HTTPCode_Target_*");
    let r = sim.recent_requests().next_back().expect("a request");
    assert_eq!(r.outcome, Outcome::ClientTimeout);
    assert_eq!(r.outcome.status(), None, "no HTTP status at all");
    assert_eq!(r.done_at_ms - r.sent_at_ms, 10_000, "the client's connect timeout");
    assert_eq!(r.trace.deciding_hop().map(|h| h.hop), Some(hop));
    // The service behind it is healthy: this is purely a front-door problem.
    assert_eq!(targets_in(sim, TargetState::Healthy).len(), 2);
}

#[test]
fn alb_sg_not_admitting_the_client_gives_a_timeout_with_no_status() {
    let mut sim = sim("alb-sg-blocks-client.json");
    run(&mut sim, 90);
    assert_client_timeouts_and_nothing_in_alb_metrics(&sim, Hop::AlbSecurityGroup);

    let fix = apply_diagnosed_fix(&mut sim, Hop::AlbSecurityGroup);
    assert_eq!(
        fix,
        Command::AuthorizeSecurityGroupIngress { group_id: "sg-alb".into(), from_port: 80, to_port: 80, source: "0.0.0.0/0".into() }
    );
    run(&mut sim, 30);
    assert_all_success(&sim, 15);
}

#[test]
fn no_listener_on_the_clients_port_gives_a_timeout_with_no_status() {
    let mut sim = sim("no-listener-on-port.json");
    run(&mut sim, 90);
    assert_client_timeouts_and_nothing_in_alb_metrics(&sim, Hop::Listener);

    let fix = apply_diagnosed_fix(&mut sim, Hop::Listener);
    assert_eq!(fix, Command::ModifyListener { port: 80, new_port: 8080 });
    run(&mut sim, 30);
    assert_all_success(&sim, 15);
}

// ---- task reachable by IP ----

fn curl(sim: &mut Sim) -> Outcome {
    let id = match sim.apply(Command::CurlTask { task: None, port: None }) {
        Ok(Applied::Sent(id)) => id,
        other => panic!("curl was not sent: {other:?}"),
    };
    run(sim, 12);
    let r = sim.request(id).expect("the curl finished");
    assert_eq!(r.kind, TraceKind::DirectCurl);
    r.outcome
}

#[test]
fn task_with_public_ip_and_open_sg_is_reachable_until_the_rule_is_revoked() {
    let mut sim = sim("task-reachable-by-ip.json");
    run(&mut sim, 10);
    assert!(sim.tasks().all(|t| t.public_ip.is_some()));
    let before = sim.metrics().totals;
    assert_eq!(curl(&mut sim), Outcome::Http { status: 200, source: StatusSource::Target }, "direct curl reaches the app");
    // A direct curl bypasses the load balancer: none of its metrics move for it.
    let after = sim.metrics().totals;
    assert_eq!(after.total_outcomes() - before.total_outcomes(), after.request_count - before.request_count);
    assert_all_success(&sim, 10);

    let d = sim.diagnose();
    let warning =
        d.findings.iter().find(|f| f.hop == Hop::TaskSecurityGroup && f.severity == Severity::Warning).expect("an exposure warning");
    let fix = warning.fix_command.clone().expect("a fix command");
    assert_eq!(
        fix,
        Command::RevokeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "0.0.0.0/0".into() }
    );
    sim.apply(fix).expect("revoke");
    assert_eq!(curl(&mut sim), Outcome::ClientTimeout, "the task SG now drops the internet");
    // The load balancer path still works: the ALB's own rule is untouched.
    assert_all_success(&sim, 10);
    assert!(sim.diagnose().findings.iter().all(|f| f.hop != Hop::TaskSecurityGroup));
}

#[test]
fn open_sg_without_a_public_ip_is_not_reachable() {
    let mut sim = sim("default.json");
    sim.apply(Command::AuthorizeSecurityGroupIngress {
        group_id: "sg-task".into(),
        from_port: 8000,
        to_port: 8000,
        source: "0.0.0.0/0".into(),
    })
    .expect("authorize");
    assert_eq!(curl(&mut sim), Outcome::ClientTimeout);
    let r = sim.recent_requests().rev().find(|r| r.kind == TraceKind::DirectCurl).expect("the curl");
    assert!(matches!(r.trace.deciding_hop().map(|h| &h.detail), Some(Detail::NoPublicIp { .. })));
}

// ---- service creation refused ----

#[test]
fn ecs_refuses_an_instance_target_group_for_awsvpc_with_the_aws_text() {
    let mut sim = sim("instance-target-type.json");
    run(&mut sim, 60);
    let arn = target_group_arn(&sim.scenario().target_groups[0]);
    let expected = format!(
        "InvalidParameterException: The provided target group {arn} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition."
    );
    assert!(arn.starts_with(WEB_TG_ARN_PREFIX));
    assert!(sim.events().iter().any(|e| e.message == expected), "event log: {}", describe(&sim));
    assert!(matches!(sim.service_runtime().create_error, Some(EcsRefusal::InstanceTargetWithAwsvpc { .. })));
    assert_eq!(sim.service_runtime().create_error.as_ref().map(|e| e.to_string()), Some(expected.clone()));
    assert!(!sim.service_runtime().is_created);
    assert_eq!(sim.tasks().count(), 0, "no task runs");
    assert_empty_target_group_503(&sim);
    // Trying again without changing anything: refused with the same words, nothing changes.
    let scenario = sim.scenario().clone();
    assert_eq!(sim.apply(Command::CreateService).map_err(|e| e.to_string()), Err(expected));
    assert_eq!(sim.scenario(), &scenario);

    let fix = apply_diagnosed_fix(&mut sim, Hop::TargetGroup);
    assert!(matches!(fix, Command::RecreateTargetGroup { target_type: alb_lab::sim::scenario::TargetType::Ip, .. }), "{fix:?}");
    sim.apply(Command::CreateService).expect("ECS accepts the service now");
    run(&mut sim, 60);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    assert_all_success(&sim, 20);
}

// ---- deployments ----

fn deploy(sim: &mut Sim) -> u64 {
    let at = sim.now_ms();
    sim.apply(Command::RegisterTaskDefinition { changes: Default::default(), deploy: true }).expect("deploy");
    at
}

#[test]
fn deploying_with_minimum_healthy_zero_opens_a_503_window() {
    let mut sim = sim("deploy-503-window.json");
    run(&mut sim, 30);
    assert_all_success(&sim, 30);
    let old_task = sim.tasks().next().expect("one task").id.clone();
    let at = deploy(&mut sim);
    let mut saw_503_with_no_healthy = false;
    run_watching(&mut sim, 180, |s| {
        if let Some(r) = s.recent_requests().next_back() {
            if r.outcome.class() == OutcomeClass::Elb503 && s.host_counts().0 == 0 {
                saw_503_with_no_healthy = true;
            }
        }
    });
    let w = window(&sim, 180);
    assert!(w.outcome(OutcomeClass::Elb503) > 0, "a 503 window: {:?}", w.outcomes);
    assert!(saw_503_with_no_healthy);
    assert_eq!(w.request_count, w.total_outcomes() - w.elb_503, "the 503s never reached a target");
    // ECS stopped the old task before it started the new one.
    let stopped = events_since(&sim, at, &format!("has stopped 1 running tasks: (task {old_task})"));
    let started = events_since(&sim, at, "has started 1 tasks");
    assert!(!stopped.is_empty() && !started.is_empty(), "{}", describe(&sim));
    assert!(stopped[0].seq < started[0].seq, "the old task stops first");
    // The window closes once the new target passes its first check.
    assert_all_success(&sim, 30);
    assert!(sim.tasks().filter(|t| t.is_active()).all(|t| t.revision == 2));

    let d = sim.diagnose();
    let warning = d.findings.iter().find(|f| f.severity == Severity::Warning && f.hop == Hop::Task).expect("a deployment warning");
    let fix = warning.fix_command.clone().expect("fix");
    sim.apply(fix).expect("100/200");
    let at = deploy(&mut sim);
    run(&mut sim, 180);
    let since = sim.metrics().window(sim.now_ms(), (sim.now_ms() - at) / 1000);
    assert_eq!(since.outcome(OutcomeClass::Success), since.total_outcomes(), "no 503 window with 100/200: {:?}", since.outcomes);
}

#[test]
fn deploying_with_100_200_has_no_errors() {
    let mut sim = sim("zero-downtime-deploy.json");
    run(&mut sim, 30);
    let old_task = sim.tasks().next().expect("one task").id.clone();
    let at = deploy(&mut sim);
    let mut min_healthy = u16::MAX;
    run_watching(&mut sim, 300, |s| min_healthy = min_healthy.min(s.host_counts().0));
    assert!(min_healthy >= 1, "a healthy target at every moment of the deployment");
    let w = sim.metrics().window(sim.now_ms(), (sim.now_ms() - at) / 1000);
    assert!(w.total_outcomes() >= 500);
    assert_eq!(w.outcome(OutcomeClass::Success), w.total_outcomes(), "zero 5xx, zero timeouts: {:?}", w.outcomes);
    // The new task started first; the old one was stopped only after the new target was healthy.
    let started = events_since(&sim, at, "has started 1 tasks");
    let healthy = events_since(&sim, at, "initial → healthy");
    let stopped = events_since(&sim, at, &format!("has stopped 1 running tasks: (task {old_task})"));
    assert!(!started.is_empty() && !healthy.is_empty() && !stopped.is_empty(), "{}", describe(&sim));
    assert!(started[0].seq < healthy[0].seq && healthy[0].seq < stopped[0].seq);
    // ECS calls the deployment complete only once the old target has drained for the whole
    // deregistration delay (300 s) and its task has stopped.
    let deregistered_at = events_since(&sim, at, "deregistered 1 targets")[0].at_ms;
    assert_eq!(events_since(&sim, at, "deployment completed.").len(), 0, "still draining at {} s", sim.now_ms() / 1000);
    run(&mut sim, 120);
    let completed = events_since(&sim, at, "deployment completed.");
    assert_eq!(completed.len(), 1, "{}", describe(&sim));
    assert!(completed[0].at_ms >= deregistered_at + 300_000);
}

// ---- grace period ----

#[test]
fn grace_period_too_short_replaces_a_slow_app_forever_and_raising_it_fixes_it() {
    let mut sim = sim("slow-start-grace.json");
    run(&mut sim, 600);
    assert!(sim.targets().all(|t| t.state != TargetState::Healthy), "{}", describe(&sim));
    let unhealthy = count_events(&sim, ") is unhealthy in (target-group");
    let stopped = count_events(&sim, "has stopped 1 running tasks");
    assert!(unhealthy >= 4 && stopped >= 4, "repeated cycles: {unhealthy} unhealthy, {stopped} stopped\n{}", describe(&sim));
    assert_eq!(sim.metrics().totals.outcome(OutcomeClass::Success), 0, "the app never got to answer");

    let fix = apply_diagnosed_fix(&mut sim, Hop::Task);
    let grace = match fix {
        Command::UpdateService { health_check_grace_period_seconds: Some(g), .. } => g,
        other => panic!("expected a grace period change, got {other:?}"),
    };
    // Start-up (120 s) plus HealthyThreshold (5) passing checks 30 s apart.
    assert!(grace >= 245, "grace {grace}");
    let at = sim.now_ms();
    run(&mut sim, 600);
    assert!(events_since(&sim, at, ") is unhealthy in").is_empty(), "no more replacements:\n{}", describe(&sim));
    assert!(!events_since(&sim, at, "has reached a steady state.").is_empty());
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 1);
    assert_all_success(&sim, 60);
}

// ---- bridge mode ----

#[test]
fn bridge_mode_registers_instance_and_dynamic_host_port() {
    let mut sim = sim("bridge-dynamic-ports.json");
    run(&mut sim, 60);
    let ts = targets(&sim);
    assert_eq!(ts.len(), 2);
    for t in &ts {
        let instance = t.endpoint.instance_id.as_deref().expect("an instance target");
        assert!(instance.starts_with("i-"));
        assert!((32768..=61000).contains(&t.endpoint.port), "dynamic host port {}", t.endpoint.port);
        assert_eq!(t.endpoint.to_string(), format!("{instance}:{}", t.endpoint.port));
        assert_eq!(t.state, TargetState::Healthy);
    }
    assert_all_success(&sim, 20);
    let r = sim.recent_requests().next_back().expect("a request");
    assert!(r.trace.hops.iter().any(|h| matches!(h.detail, Detail::PortMapped { container_port: 8000, .. })));

    // Without the port range rule, the ALB cannot reach the dynamic ports.
    sim.apply(Command::RevokeSecurityGroupIngress {
        group_id: "sg-instance".into(),
        from_port: 32768,
        to_port: 65535,
        source: "sg-alb".into(),
    })
    .expect("revoke");
    run(&mut sim, 120);
    let unhealthy = targets_in(&sim, TargetState::Unhealthy);
    assert!(!unhealthy.is_empty(), "{}", describe(&sim));
    assert!(unhealthy.iter().all(|t| t.reason.as_ref().map(|r| r.code()) == Some("Target.Timeout")));
    let fix = apply_diagnosed_fix(&mut sim, Hop::TaskSecurityGroup);
    assert!(matches!(fix, Command::AuthorizeSecurityGroupIngress { from_port: 32768, to_port: 65535, .. }), "{fix:?}");
    run(&mut sim, 120);
    assert_all_success(&sim, 20);
}

// ---- every shipped failure scenario is diagnosed ----

#[test]
fn diagnosis_names_a_root_cause_for_every_broken_scenario_and_none_for_working_ones() {
    let broken = [
        ("no-service-attached.json", Hop::TargetGroup),
        ("desired-zero.json", Hop::TargetGroup),
        ("app-port-mismatch.json", Hop::App),
        ("container-mapping-mismatch.json", Hop::App),
        ("tg-healthcheck-port-mismatch.json", Hop::TargetGroup),
        ("wrong-health-path.json", Hop::App),
        ("health-check-redirect.json", Hop::App),
        ("task-in-disabled-zone.json", Hop::TargetGroup),
        ("task-sg-blocks-alb.json", Hop::TaskSecurityGroup),
        ("nacl-drops-replies.json", Hop::TaskSubnetNacl),
        ("fail-open.json", Hop::App),
        ("alb-sg-blocks-client.json", Hop::AlbSecurityGroup),
        ("no-listener-on-port.json", Hop::Listener),
        ("instance-target-type.json", Hop::TargetGroup),
        ("slow-start-grace.json", Hop::Task),
    ];
    for (file, hop) in broken {
        let sim = sim(file);
        let d = sim.diagnose();
        let first = d.broken().next().unwrap_or_else(|| panic!("{file}: nothing broken in {d:#?}"));
        assert_eq!(first.hop, hop, "{file}: {first:#?}");
        assert!(!first.cause.is_empty() && !first.fix.is_empty() && !first.aws_shows.is_empty());
        assert!(first.fix_command.is_some(), "{file}: no fix command");
    }
    for file in
        ["default.json", "task-reachable-by-ip.json", "deploy-503-window.json", "zero-downtime-deploy.json", "bridge-dynamic-ports.json"]
    {
        let d = sim(file).diagnose();
        assert_eq!(d.broken().count(), 0, "{file}: {d:#?}");
    }
}

// ---- ordering within a tick ----

#[test]
fn an_answer_before_the_deregistration_delay_ends_is_a_200_and_one_after_is_a_502_at_the_delays_end() {
    // Deregistration delay 0 and 200 requests/s: scaling in drains a target while its requests
    // are in flight, and the delay ends within the same 100 ms tick as some of their answers.
    // Answers take 150-170 ms, so some requests are still in flight when it ends.
    let mut setup = scenario("default.json").into_inner();
    setup.task_definition.container.app.response_time_ms = 150;
    let mut sim = Sim::new(setup.validate().expect("valid"), None);
    sim.apply(Command::ModifyTargetGroupAttributes {
        target_group: "web-tg".into(),
        deregistration_delay_seconds: Some(0),
        unhealthy_state_routing_minimum_healthy_targets_count: None,
        load_balancing_algorithm: None,
    })
    .expect("delay 0");
    sim.apply(Command::SetRequestRate { requests_per_second: 200.0 }).expect("rate");
    run(&mut sim, 60);
    let mut until_of = std::collections::BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    let (mut endpoint_of, mut last_event) = (std::collections::BTreeMap::new(), 0);
    let (mut answered_in_the_last_tick, mut cut_off) = (0, 0);
    for count in [1u32, 3, 1, 3, 1] {
        sim.apply(Command::update_service(Some(count), None, None)).expect("scale");
        run_watching(&mut sim, 90, |sim| {
            // With delay 0 a target leaves in the tick it starts draining: its delay ends when
            // the event log says it started.
            for t in sim.targets() {
                endpoint_of.insert(t.id, t.endpoint.to_string());
            }
            let after = last_event;
            for e in sim.events().iter().filter(|e| e.seq > after) {
                last_event = e.seq;
                for (id, endpoint) in &endpoint_of {
                    if e.message.contains(&format!("target {endpoint}: ")) && e.message.contains("→ draining") {
                        until_of.insert(*id, e.at_ms);
                    }
                }
            }
            for r in sim.recent_requests() {
                if !seen.insert(r.id) {
                    continue;
                }
                let Some(until) = r.target.and_then(|t| until_of.get(&t)) else { continue };
                let deregistered = r.trace.hops.iter().any(|h| matches!(h.detail, Detail::DeregisteredInFlight));
                if deregistered {
                    cut_off += 1;
                    assert_eq!(r.done_at_ms, *until, "a request still in flight gets its 502 when the delay ends: {r:?}");
                    assert_eq!(r.outcome, Outcome::Http { status: 502, source: StatusSource::Elb });
                } else if r.done_at_ms <= *until && r.done_at_ms + alb_lab::sim::TICK_MS > *until {
                    answered_in_the_last_tick += 1;
                    assert_eq!(r.outcome.status(), Some(200), "answered before the delay ended: {r:?}");
                }
                assert!(
                    r.done_at_ms <= *until || !matches!(r.outcome, Outcome::Http { source: StatusSource::Target, .. }),
                    "an answer after the target left: {r:?}"
                );
            }
        });
    }
    assert!(answered_in_the_last_tick > 0, "no answer landed in the tick the delay ended; the test did not exercise the case");
    assert!(cut_off > 0, "no request was in flight when a delay ended; the test did not exercise the case");
}

// ---- a hung app is not a crashed container ----

/// The default setup, settled with two healthy targets and 10 requests/s; the first running
/// task's id.
fn two_healthy_tasks() -> (Sim, String) {
    let mut sim = sim("default.json");
    sim.apply(Command::SetRequestRate { requests_per_second: 10.0 }).expect("rate");
    run(&mut sim, 120);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    let id = sim.tasks().find(|t| t.state == TaskState::Running).expect("a running task").id.to_string();
    (sim, id)
}

#[test]
fn a_hung_app_stays_running_gets_504s_and_target_timeout_turns_unhealthy_on_time_and_is_replaced_with_exit_code_137() {
    use alb_lab::sim::ecs::{StopCode, StopKind};
    let (mut sim, id) = two_healthy_tasks();
    let seq = sim.tasks().find(|t| *t.id == *id).expect("task").seq;
    sim.apply(Command::FailTask { task: id[..8].to_string(), failure: alb_lab::sim::TaskFailure::Hang }).expect("hang");
    let hung_at = sim.now_ms();
    let tid = sim.tasks().find(|t| t.seq == seq).and_then(|t| t.target).expect("its target");
    let predicted = sim.target_unhealthy_by_ms(tid).expect("a clock");
    // The diagnosis names it, with the same clock.
    let d = sim.diagnose();
    let finding = d.broken().find(|f| f.hop == Hop::App && f.cause.contains("hung")).unwrap_or_else(|| panic!("{d:#?}"));
    let s = predicted / 1000;
    assert!(finding.aws_shows.contains(&format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)), "{finding:#?}");

    let mut unhealthy_at = None;
    // Every request sent to the hung task, as each finishes (the recent list keeps only 300).
    let mut to_hung = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    run_watching(&mut sim, 200, |sim| {
        let t = sim.target(tid);
        if unhealthy_at.is_none() && t.is_some_and(|t| t.state == TargetState::Unhealthy) {
            unhealthy_at = Some(sim.now_ms());
            assert_eq!(t.and_then(|t| t.reason.as_ref()).map(|r| r.code()), Some("Target.Timeout"));
        }
        if unhealthy_at.is_none() {
            let task = sim.task(seq).expect("the hung task is still there");
            assert_eq!(task.state, TaskState::Running, "a hung task stays RUNNING until its target is unhealthy");
            // The clock does not move while the checks it counted on fail: checks in flight count.
            assert_eq!(sim.target_unhealthy_by_ms(tid), Some(predicted), "at {} ms", sim.now_ms());
        }
        for r in sim.recent_requests().filter(|r| r.task == Some(seq) && r.sent_at_ms >= hung_at) {
            if seen.insert(r.id) {
                to_hung.push(r.clone());
            }
        }
    });
    let unhealthy_at = unhealthy_at.expect("the hung task's target turned unhealthy");
    assert!(
        unhealthy_at >= predicted && unhealthy_at < predicted + alb_lab::sim::TICK_MS,
        "turned unhealthy at {unhealthy_at}, predicted {predicted}"
    );

    let idle_ms = sim.scenario().load_balancer.idle_timeout_seconds as u64 * 1000;
    assert!(to_hung.len() >= 10, "requests were routed to the hung task until it was unhealthy: {}", to_hung.len());
    for r in &to_hung {
        assert_eq!(r.outcome, Outcome::Http { status: 504, source: StatusSource::Elb }, "{r:?}");
        assert_eq!(r.done_at_ms - r.sent_at_ms, idle_ms, "a hung app's 504 comes at the idle timeout: {r:?}");
        assert!(r.trace.hops.iter().any(|h| matches!(h.detail, Detail::AppHung { .. })), "{r:?}");
    }
    // Once unhealthy, traffic goes to the healthy target only.
    assert!(to_hung.iter().all(|r| r.sent_at_ms <= unhealthy_at), "a request was routed to the hung task after it was unhealthy");
    let later: Vec<_> = sim.recent_requests().filter(|r| r.sent_at_ms > unhealthy_at + idle_ms).collect();
    assert!(!later.is_empty() && later.iter().all(|r| r.outcome.status() == Some(200)));

    // ECS replaces it: failed ELB health checks, killed after the stop timeout.
    run(&mut sim, 400);
    let stopped =
        sim.stopped_tasks().find(|t| *t.id == *id).map(|t| (t.stop_code, t.stopped_reason.clone(), t.exit_code)).or_else(|| {
            sim.task(seq).map(|t| (t.stop_code.expect("stop code"), t.stopped_reason.clone().unwrap_or_default(), t.exit_code))
        });
    let (code, reason, exit) = stopped.expect("the hung task was stopped");
    assert_eq!(code, StopCode::ServiceSchedulerInitiated);
    assert!(reason.starts_with(&format!("Task failed ELB health checks in (target-group {WEB_TG_ARN_PREFIX}")), "{reason}");
    assert_eq!(exit, Some(137), "a hung process ignores SIGTERM and is killed");
    assert_eq!(sim.stop_counts(), vec![(StopKind::FailedElbHealthChecks, 1)]);
    assert_eq!(StopKind::FailedElbHealthChecks.in_words(1), "1 task stopped for failed ELB health checks in the last 10 minutes");
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "a replacement is healthy: {}", describe(&sim));
}

#[test]
fn a_crashed_app_stops_its_task_with_essential_container_exited_and_exit_code_1_and_is_replaced() {
    use alb_lab::sim::ecs::{StopCode, StopKind};
    let (mut sim, id) = two_healthy_tasks();
    let seq = sim.tasks().find(|t| *t.id == *id).expect("task").seq;
    sim.apply(Command::FailTask { task: id.clone(), failure: alb_lab::sim::TaskFailure::Crash }).expect("crash");
    run(&mut sim, 1);
    let task = sim.task(seq).expect("task");
    assert!(task.is_stop_requested, "ECS stops a task whose essential container exited");
    assert_eq!(task.stop_code, Some(StopCode::EssentialContainerExited));
    assert_eq!(task.stopped_reason.as_deref(), Some("Essential container in task exited"));
    assert_eq!(task.exit_code, Some(1));
    assert_eq!(sim.stop_counts(), vec![(StopKind::ContainerExited, 1)]);
    // A crashed task cannot hang or crash again.
    assert!(sim.apply(Command::FailTask { task: id.clone(), failure: alb_lab::sim::TaskFailure::Hang }).is_err());
    run(&mut sim, 400);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "a replacement is healthy: {}", describe(&sim));
    // The stop list keeps what ECS said.
    let kept = sim.stopped_tasks().find(|t| *t.id == *id).expect("in the stopped list");
    assert_eq!((kept.stop_code, kept.exit_code), (StopCode::EssentialContainerExited, Some(1)));
}

#[test]
fn failing_a_task_that_is_not_up_is_refused_and_changes_nothing() {
    let mut sim = sim("default.json");
    let before = sim.events().len();
    let e = sim.apply(Command::FailTask { task: "nope".into(), failure: alb_lab::sim::TaskFailure::Crash }).expect_err("no such task");
    assert!(e.to_string().contains("No task with an id starting \"nope\""), "{e}");
    let e = sim.apply(Command::FailTask { task: String::new(), failure: alb_lab::sim::TaskFailure::Hang }).expect_err("empty");
    assert!(e.to_string().contains("No task"), "{e}");
    assert_eq!(sim.events().len(), before);
}

// ---- redirects and other answers ----

#[test]
fn a_redirecting_health_endpoint_gives_response_code_mismatch_301_until_the_matcher_accepts_3xx() {
    let mut sim = sim("health-check-redirect.json");
    sim.apply(Command::SetRequestRate { requests_per_second: 10.0 }).expect("rate");
    run(&mut sim, 120);
    let unhealthy = targets_in(&sim, TargetState::Unhealthy);
    assert!(!unhealthy.is_empty(), "{}", describe(&sim));
    for t in unhealthy {
        let reason = t.reason.as_ref().expect("a reason");
        assert_eq!(reason.code(), "Target.ResponseCodeMismatch");
        assert_eq!(reason.description(), "Health checks failed with these codes: [301]");
    }
    // Fail-open clients still get the app's 200 from /.
    assert_all_success(&sim, 30);
    let d = sim.diagnose();
    let first = d.broken().next().expect("a finding");
    assert!(first.cause.contains("answers 301, a redirect") && first.aws_shows.contains("[301]"), "{first:#?}");
    let fix = apply_diagnosed_fix(&mut sim, Hop::App);
    assert!(matches!(fix, Command::ModifyTargetGroup { ref health_check, .. } if health_check.matcher == "200-399"), "{fix:?}");
    run(&mut sim, 240);
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    assert!(targets_in(&sim, TargetState::Unhealthy).is_empty(), "{}", describe(&sim));
    assert_eq!(window(&sim, 30).unhealthy_routing, 0, "no fail-open once targets are healthy");
}

#[test]
fn an_app_that_redirects_slash_gives_clients_the_targets_301_counted_under_target_3xx() {
    let mut sim = sim("default.json");
    sim.apply(Command::SetRequestRate { requests_per_second: 10.0 }).expect("rate");
    sim.apply(Command::RegisterTaskDefinition {
        changes: alb_lab::sim::TaskDefinitionChanges {
            response: Some(alb_lab::sim::scenario::HealthResponse::MovedPermanently),
            ..Default::default()
        },
        deploy: true,
    })
    .expect("deploy");
    run(&mut sim, 600);
    let w = window(&sim, 60);
    assert!(w.total_outcomes() > 0);
    assert_eq!(w.target_3xx, w.total_outcomes(), "every request gets the target's redirect: {w:?}\n{}", describe(&sim));
    assert_eq!(w.elb_502 + w.elb_503 + w.elb_504, 0);
    let last = sim.recent_requests().next_back().expect("a request");
    assert_eq!(last.outcome, Outcome::Http { status: 301, source: StatusSource::Target });
    assert_eq!(last.trace.deciding_hop().and_then(|h| h.aws_term(TraceKind::Request)), Some("HTTPCode_Target_3XX_Count"));
    // The health endpoint still answers 200: the targets are healthy.
    assert!(targets_in(&sim, TargetState::Unhealthy).is_empty(), "{}", describe(&sim));
}

#[test]
fn a_health_endpoint_behind_authentication_gives_403_and_the_diagnosis_says_why() {
    let mut sim = sim("default.json");
    sim.apply(Command::update_service(None, None, Some((0, 100)))).expect("let the deployment replace the tasks");
    sim.apply(Command::RegisterTaskDefinition {
        changes: alb_lab::sim::TaskDefinitionChanges {
            health_response: Some(alb_lab::sim::scenario::HealthResponse::Forbidden),
            ..Default::default()
        },
        deploy: true,
    })
    .expect("deploy");
    let mut seen_403 = false;
    run_watching(&mut sim, 300, |sim| {
        seen_403 |= sim.targets().any(|t| {
            t.state == TargetState::Unhealthy
                && t.reason.as_ref().is_some_and(|r| r.description() == "Health checks failed with these codes: [403]")
        });
    });
    assert!(seen_403, "no target turned unhealthy with [403]: {}", describe(&sim));
    let d = sim.diagnose();
    let first = d.broken().next().unwrap_or_else(|| panic!("{d:#?}"));
    assert!(first.cause.contains("answers 403") && first.cause.contains("Host header"), "{first:#?}");
    assert!(first.aws_shows.contains("Health checks failed with these codes: [403]"), "{first:#?}");
}

#[test]
fn the_health_clock_computed_from_the_settings_holds_in_the_run() {
    use alb_lab::sim::health::HealthClock;
    let scenario = scenario("hung-task.json");
    let tg = &scenario.get().target_groups[0];
    let clock =
        HealthClock::of(&tg.health_check, tg.deregistration_delay_seconds, scenario.get().task_definition.container.app.startup_seconds);
    assert_eq!(clock.unhealthy_after_ms, (4 * 30_000 + 10_000, 5 * 30_000 + 10_000));
    // Hang a task at ten moments spread over one check interval: the time to unhealthy always
    // falls within the clock's bounds, and both ends are reached to within 3 s.
    let mut seen = Vec::new();
    for k in 0..10u64 {
        let mut sim = Sim::new(scenario.clone(), Some(k));
        run(&mut sim, 120 + k * 3);
        let task = sim.tasks().find(|t| t.state == TaskState::Running && t.target.is_some()).expect("a running task");
        let (id, tid) = (task.id.to_string(), task.target.expect("target"));
        // Its target is healthy before the hang.
        let target = sim.target(tid).expect("target");
        assert_eq!(target.state, TargetState::Healthy);
        let hung_at = sim.now_ms();
        sim.apply(Command::FailTask { task: id, failure: alb_lab::sim::TaskFailure::Hang }).expect("hang");
        let mut unhealthy_at = None;
        run_watching(&mut sim, 200, |sim| {
            if unhealthy_at.is_none() && sim.target(tid).is_some_and(|t| t.state == TargetState::Unhealthy) {
                unhealthy_at = Some(sim.now_ms());
            }
        });
        let took = unhealthy_at.expect("turned unhealthy") - hung_at;
        assert!(took >= clock.unhealthy_after_ms.0 && took <= clock.unhealthy_after_ms.1, "took {took} ms, clock {clock:?}");
        seen.push(took);
    }
    let (lo, hi) = (seen.iter().min().copied().unwrap_or(0), seen.iter().max().copied().unwrap_or(0));
    assert!(lo <= clock.unhealthy_after_ms.0 + 3_000 && hi + 3_000 >= clock.unhealthy_after_ms.1, "{seen:?} vs {clock:?}");
    // New targets (a scale-out, watched from registration): healthy one registration later.
    let mut sim = Sim::new(scenario, Some(1));
    sim.apply(Command::update_service(Some(6), None, None)).expect("scale out");
    let mut first_seen_initial = std::collections::BTreeSet::new();
    let mut healthy_after = Vec::new();
    run_watching(&mut sim, 120, |sim| {
        for t in sim.targets() {
            if t.state == TargetState::Initial {
                first_seen_initial.insert(t.id);
            }
            if t.state == TargetState::Healthy && first_seen_initial.contains(&t.id) && !healthy_after.iter().any(|(id, _)| *id == t.id) {
                healthy_after.push((t.id, sim.now_ms() - t.registered_at_ms));
            }
        }
    });
    assert_eq!(healthy_after.len(), 3, "three new targets");
    for (_, ms) in &healthy_after {
        assert!(*ms >= clock.healthy_after_ms && *ms < clock.healthy_after_ms + 200, "healthy {ms} ms after registering, clock {clock:?}");
    }
    // An app slower to start than UnhealthyThresholdCount checks: unhealthy first, then healthy
    // after HealthyThresholdCount passes, when the clock says (a long grace period keeps the task).
    let mut slow = common::scenario("default.json").into_inner();
    slow.task_definition.container.app.startup_seconds = 40;
    slow.options.warm_up_seconds = 0;
    if let Some(svc) = slow.service.as_mut() {
        svc.health_check_grace_period_seconds = 600;
    }
    let tg = slow.target_groups[0].clone();
    let slow_clock = HealthClock::of(&tg.health_check, tg.deregistration_delay_seconds, 40);
    let unhealthy_first = slow_clock.unhealthy_while_starting_ms.expect("turns unhealthy while starting");
    let mut sim = Sim::new(slow.validate().expect("valid"), Some(2));
    let (mut went_unhealthy, mut went_healthy) = (None, None);
    run_watching(&mut sim, 400, |sim| {
        if let Some(t) = sim.targets().next() {
            if went_unhealthy.is_none() && t.state == TargetState::Unhealthy {
                went_unhealthy = Some(sim.now_ms() - t.registered_at_ms);
            }
            if went_healthy.is_none() && t.state == TargetState::Healthy {
                went_healthy = Some(sim.now_ms() - t.registered_at_ms);
            }
        }
    });
    let (u, h) = (went_unhealthy.expect("unhealthy"), went_healthy.expect("healthy"));
    assert!(u >= unhealthy_first && u < unhealthy_first + 200, "unhealthy after {u} ms, clock {slow_clock:?}");
    assert!(h >= slow_clock.healthy_after_ms && h < slow_clock.healthy_after_ms + 200, "healthy after {h} ms, clock {slow_clock:?}");
}

// ---- availability zones ----

#[test]
fn a_task_in_a_zone_the_load_balancer_does_not_use_is_unused_gets_no_traffic_and_is_replaced() {
    let mut sim = sim("task-in-disabled-zone.json");
    sim.apply(Command::SetRequestRate { requests_per_second: 10.0 }).expect("rate");
    let mut unused_seen = false;
    run_watching(&mut sim, 120, |sim| {
        for t in sim.targets().filter(|t| &*t.availability_zone == "us-east-1c") {
            if t.state == TargetState::Unused {
                unused_seen = true;
                assert_eq!(
                    t.reason.as_ref().map(|r| r.description()),
                    Some("Target is in an Availability Zone that is not enabled for the load balancer".into())
                );
                assert_eq!(t.reason.as_ref().map(|r| r.code()), Some("Target.NotInUse"));
                assert!(t.last_check.is_none(), "an unused target gets no health checks");
            }
        }
    });
    assert!(unused_seen, "{}", describe(&sim));
    // The event log says what the target really is, and what ECS does about it.
    assert!(
        count_events(
            &sim,
            "registered: unused (Target.NotInUse: Target is in an Availability Zone that is not enabled for the load balancer)"
        ) >= 1
    );
    assert!(
        !sim.events().iter().any(|e| e.message.contains("target 10.0.3.") && e.message.contains("registered: initial")),
        "a target in us-east-1c is not logged as initial"
    );
    // No request ever reaches a task in us-east-1c, checked as each finishes.
    let mut zone_of = std::collections::BTreeMap::new();
    run_watching(&mut sim, 240, |sim| {
        for t in sim.tasks() {
            zone_of.insert(t.seq, t.availability_zone.to_string());
        }
        for r in sim.recent_requests().filter(|r| r.done_at_ms + alb_lab::sim::TICK_MS > sim.now_ms()) {
            let zone = r.task.and_then(|seq| zone_of.get(&seq));
            assert_ne!(zone.map(|z| z.as_str()), Some("us-east-1c"), "a request reached a task in us-east-1c: {r:?}");
        }
    });
    assert!(
        count_events(&sim, "due to (reason Target is in an Availability Zone that is not enabled for the load balancer)") >= 1,
        "{}",
        describe(&sim)
    );
    assert!(elb_stopped_tasks(&sim) >= 1, "ECS replaces a task whose target never passes: {}", describe(&sim));
    // The clients got 200 from us-east-1a.
    assert_all_success(&sim, 30);
    // The diagnosis names it and its fix keeps the enabled zone.
    let fix = apply_diagnosed_fix(&mut sim, Hop::TargetGroup);
    assert_eq!(fix, Command::SetServiceSubnets { subnets: vec!["subnet-a".into()] });
    run(&mut sim, 600);
    assert_eq!(targets_in(&sim, TargetState::Healthy).len(), 2, "{}", describe(&sim));
    assert!(sim.targets().all(|t| t.state != TargetState::Unused), "{}", describe(&sim));
}

#[test]
fn when_every_task_is_in_a_zone_the_load_balancer_does_not_use_clients_get_503() {
    let mut s = common::scenario("task-in-disabled-zone.json").into_inner();
    if let Some(nc) = s.service.as_mut().and_then(|svc| svc.network_configuration.as_mut()) {
        nc.subnets = vec!["subnet-c".into()];
    }
    let mut sim = Sim::new(s.validate().expect("valid"), None);
    sim.apply(Command::SetRequestRate { requests_per_second: 10.0 }).expect("rate");
    run(&mut sim, 120);
    assert!(sim.targets().next().is_some(), "{}", describe(&sim));
    assert!(sim.targets().filter(|t| t.state != TargetState::Draining).all(|t| t.state == TargetState::Unused), "{}", describe(&sim));
    let w = window(&sim, 30);
    assert_eq!(w.outcome(OutcomeClass::Elb503), w.total_outcomes(), "{:?}", w.outcomes);
    let d = sim.diagnose();
    assert!(d.broken().any(|f| f.aws_shows.contains("every target is unused, so clients get 503")), "{d:#?}");
}

// ---- network ACLs: stateless, on the subnet boundaries ----

/// A network ACL entry command, as a learner's form or an exercise step writes it.
fn nacl_entry(acl: &str, egress: bool, rule_number: u16, ports: (u16, u16), cidr: &str, allow: bool) -> Command {
    Command::CreateNetworkAclEntry {
        network_acl_id: acl.into(),
        egress,
        rule_number,
        protocol: "tcp".into(),
        from_port: ports.0,
        to_port: ports.1,
        cidr_block: cidr.into(),
        rule_action: if allow { NaclAction::Allow } else { NaclAction::Deny },
    }
}

#[test]
fn a_network_acl_without_ephemeral_ports_outbound_drops_the_replies_target_timeout_and_504_although_the_security_groups_admit() {
    let mut sim = sim("nacl-drops-replies.json");
    run(&mut sim, 300);
    // Every security group admits the load balancer: the trap is elsewhere.
    let task = sim.tasks().find(|t| t.state == TaskState::Running).expect("a running task").seq;
    assert!(sim.task_gate_open(task), "the task security group admits the ALB");
    assert!(!sim.task_nacl_gate_open(task), "the network ACL gate is closed");
    // Health checks time out: Target.Timeout, "Request timed out".
    let unhealthy = targets_in(&sim, TargetState::Unhealthy);
    assert!(unhealthy.len() >= 2, "{}", describe(&sim));
    for t in unhealthy {
        let reason = t.reason.as_ref().expect("reason");
        assert_eq!((reason.code(), reason.description().as_str()), ("Target.Timeout", "Request timed out"));
    }
    // Fail-open requests never connect: 504 after the 10 s connection timeout.
    let w = window(&sim, 60);
    assert!(w.total_outcomes() > 0);
    assert_eq!(w.outcome(OutcomeClass::Elb504), w.total_outcomes(), "{:?}", w.outcomes);
    assert_eq!(w.target_connection_errors, w.elb_504, "TargetConnectionErrorCount");
    let r = sim.recent_requests().next_back().expect("a request");
    assert_eq!(r.done_at_ms - r.sent_at_ms, 10_000);
    let hop = r.trace.deciding_hop().expect("trace");
    assert_eq!(hop.hop, Hop::TaskSubnetNacl);
    match &hop.detail {
        Detail::NaclDenies(refusal) => {
            assert_eq!(&*refusal.acl, "acl-private");
            assert_eq!((refusal.leg, refusal.from_port, refusal.to_port, refusal.rule), (NaclLeg::ReplyOut, 1024, 65535, None));
        }
        other => panic!("{other:?}"),
    }
    assert!(hop.setting().contains("stateless"), "{}", hop.setting());
    assert_eq!(hop.aws_term(TraceKind::Request), Some("HTTPCode_ELB_504_Count, TargetConnectionErrorCount"));

    // The diagnosis names the ACL, says the groups are fine, and its fix lets the replies out.
    let d = sim.diagnose();
    let first = d.broken().next().expect("a finding");
    assert!(first.cause.contains("acl-private") && first.cause.contains("even though the security groups admit"), "{}", first.cause);
    let fix = apply_diagnosed_fix(&mut sim, Hop::TaskSubnetNacl);
    // One entry for the VPC's block covers the load balancer's nodes in every zone.
    assert_eq!(fix, nacl_entry("acl-private", true, 200, (1024, 65535), "10.0.0.0/16", true));
    run(&mut sim, 300);
    assert_eq!(sim.diagnose().broken().count(), 0);
    for t in sim.tasks().filter(|t| t.state == TaskState::Running) {
        assert!(sim.task_nacl_gate_open(t.seq), "{} in {}", t.id, t.subnet);
    }
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    assert_all_success(&sim, 30);
}

#[test]
fn a_network_acl_is_stateless_both_ways_and_the_first_matching_entry_by_number_decides() {
    let mut sim = sim("nacl-drops-replies.json");
    sim.apply(nacl_entry("acl-private", true, 110, (1024, 65535), "10.0.0.0/16", true)).expect("replies out");
    run(&mut sim, 200);
    assert!(targets_in(&sim, TargetState::Healthy).len() >= 2, "{}", describe(&sim));
    // A deny numbered below the allow wins: the app port is refused on the way in.
    sim.apply(nacl_entry("acl-private", false, 50, (8000, 8000), "10.0.0.0/16", false)).expect("deny in");
    let task = sim.tasks().find(|t| t.state == TaskState::Running).expect("running").seq;
    assert!(!sim.task_nacl_gate_open(task));
    sim.apply(Command::SendRequest).expect("send");
    run(&mut sim, 11);
    let r = sim.recent_requests().next_back().expect("a request");
    let hop = r.trace.deciding_hop().expect("trace");
    match &hop.detail {
        Detail::NaclDenies(refusal) => assert_eq!((refusal.leg, refusal.rule), (NaclLeg::RequestIn, Some(50))),
        other => panic!("{other:?}"),
    }
    // Deleting it restores the path.
    sim.apply(Command::DeleteNetworkAclEntry { network_acl_id: "acl-private".into(), egress: false, rule_number: 50 }).expect("delete");
    assert!(sim.task_nacl_gate_open(task));
    // A duplicate rule number is refused in AWS's words and changes nothing.
    let before = sim.scenario().clone();
    let err = sim.apply(nacl_entry("acl-private", true, 110, (0, 65535), "0.0.0.0/0", true)).unwrap_err();
    assert_eq!(err.to_string(), "NetworkAclEntryAlreadyExists: The network acl entry identified by 110 already exists.");
    assert_eq!(*sim.scenario(), before);
}

#[test]
fn a_new_custom_network_acl_denies_everything_and_on_the_load_balancers_subnets_clients_time_out() {
    let mut sim = sim("default.json");
    run(&mut sim, 60);
    assert!(sim.alb_nacl_gate_open());
    sim.apply(Command::CreateNetworkAcl { network_acl_id: "acl-public".into() }).expect("create");
    for subnet in ["subnet-a", "subnet-b"] {
        sim.apply(Command::ReplaceNetworkAclAssociation { subnet_id: subnet.into(), network_acl_id: "acl-public".into() })
            .expect("associate");
    }
    assert!(!sim.alb_nacl_gate_open(), "no entries: the * entry denies the client");
    run(&mut sim, 60);
    let w = window(&sim, 30);
    assert_eq!(w.outcome(OutcomeClass::Timeout), w.total_outcomes(), "{:?}", w.outcomes);
    let r = sim.recent_requests().next_back().expect("a request");
    assert_eq!(r.trace.deciding_hop().map(|h| h.hop), Some(Hop::AlbSubnetNacl));
    assert_eq!(sim.metrics().window(sim.now_ms(), 30).request_count, 0, "nothing in the ALB's metrics");
    // The diagnosis walks the client in, one entry at a time: the listener port in, then the
    // replies out to the client's ephemeral port.
    let first = apply_diagnosed_fix(&mut sim, Hop::AlbSubnetNacl);
    assert_eq!(first, nacl_entry("acl-public", false, 100, (80, 80), "0.0.0.0/0", true));
    let second = apply_diagnosed_fix(&mut sim, Hop::AlbSubnetNacl);
    assert_eq!(second, nacl_entry("acl-public", true, 100, (1024, 65535), "0.0.0.0/0", true));
    assert!(sim.alb_nacl_gate_open());
    // The tasks share these subnets with the load balancer's nodes, but cross-zone load
    // balancing sends each node's share to every task, across the boundary between the zones'
    // subnets: the task's side needs the app port in, and the node's side the replies in on its
    // ephemeral ports (the opener's own leg; the app port out is already covered by the
    // 1024-65535 outbound entry). These are AWS's recommended rules for a load balancer's subnet
    // (ELB-NACL).
    let mut fixes = Vec::new();
    for _ in 0..4 {
        match sim.diagnose().broken().next() {
            Some(f) if f.hop == Hop::TaskSubnetNacl => fixes.push(apply_diagnosed_fix(&mut sim, Hop::TaskSubnetNacl)),
            Some(f) => panic!("unexpected finding {f:#?}"),
            None => break,
        }
    }
    assert_eq!(
        fixes,
        [
            nacl_entry("acl-public", false, 200, (8000, 8000), "10.0.0.0/16", true),
            nacl_entry("acl-public", false, 300, (1024, 65535), "10.0.0.0/16", true),
        ],
        "{fixes:#?}"
    );
    run(&mut sim, 200);
    assert_all_success(&sim, 15);
    // Back to the default ACL for both subnets: a new deny-all entry on acl-public no longer
    // matters, and clients keep getting answers.
    for subnet in ["subnet-a", "subnet-b"] {
        sim.apply(Command::ReplaceNetworkAclAssociation { subnet_id: subnet.into(), network_acl_id: "default".into() }).expect("default");
    }
    sim.apply(nacl_entry("acl-public", false, 1, (0, 65535), "0.0.0.0/0", false)).expect("deny all in acl-public");
    assert_eq!(sim.scenario().network_acl_of("subnet-a"), None);
    assert!(sim.alb_nacl_gate_open());
    run(&mut sim, 30);
    assert_all_success(&sim, 15);
}

#[test]
fn a_network_acl_file_is_refused_field_by_field_when_it_breaks_aws_rules() {
    let text = alb_lab::scenarios::scenario_text("nacl-drops-replies.json").expect("shipped");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let acl = &mut doc["network_acls"][0];
    acl["id"] = "default".into();
    acl["subnets"] = serde_json::json!(["subnet-private-a", "subnet-private-a", "subnet-nope"]);
    acl["inbound"][0]["rule_number"] = 0.into();
    acl["outbound"][0]["protocol"] = "udp".into();
    acl["outbound"][0]["cidr"] = "10.0.1.5/24".into();
    let err = alb_lab::sim::Scenario::from_json(&doc.to_string()).unwrap_err().to_string();
    for expected in [
        "network_acls[0].id: must start with \"acl-\"",
        "network_acls[0].subnets[1]: \"subnet-private-a\" is already associated with a network ACL",
        "network_acls[0].subnets[2]: no subnet \"subnet-nope\"",
        "network_acls[0].inbound[0].rule_number: must be 1-32766, got 0",
        "network_acls[0].outbound[0].protocol: must be \"tcp\" or \"all\"",
        "network_acls[0].outbound[0].cidr: must be a CIDR block",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn the_grace_period_clock_says_when_ecs_starts_acting_and_ecs_acts_on_an_unhealthy_target_only_after_it() {
    let mut sim = sim("task-sg-blocks-alb.json");
    sim.apply(Command::update_service(None, Some(150), None)).expect("grace period 150 s");
    sim.apply(Command::force_new_deployment()).expect("new tasks under the grace period");
    let mut ends: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut reported: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    run_watching(&mut sim, 400, |s| {
        for t in s.tasks() {
            if let (Some(end), Some(running)) = (s.grace_period_ends_at_ms(t.seq), t.running_since_ms) {
                // The clock is the task's RUNNING time plus the grace period, and only while ahead.
                assert_eq!(end, running + 150_000);
                assert!(end > s.now_ms());
                ends.insert(t.id.to_string(), end);
            }
        }
        for e in s.events().iter().filter(|e| e.message.contains("is unhealthy in (target-group")) {
            for id in ends.keys() {
                if e.message.contains(&format!("(task {id})")) {
                    reported.entry(id.clone()).or_insert(e.at_ms);
                }
            }
        }
    });
    assert!(!reported.is_empty(), "ECS reported no unhealthy task:\n{}", describe(&sim));
    for (id, at) in &reported {
        let end = ends[id];
        // Targets turn unhealthy about 65 s after registering, yet ECS waits for the clock.
        assert!(*at >= end, "task {id}: reported at {at} ms, before its grace period ended at {end} ms");
        assert!(*at <= end + 1_000, "task {id}: reported at {at} ms, long after its grace period ended at {end} ms");
    }
}

#[test]
fn when_only_one_of_the_tasks_subnets_has_the_broken_acl_the_diagnosis_names_it_and_predicts_no_single_outcome() {
    for (fine, broken) in [("subnet-private-a", "subnet-private-b"), ("subnet-private-b", "subnet-private-a")] {
        let mut sim = sim("nacl-drops-replies.json");
        sim.apply(Command::ReplaceNetworkAclAssociation { subnet_id: fine.into(), network_acl_id: "default".into() }).expect("default");
        run(&mut sim, 300);
        // The tasks in the fine subnet serve; the others time out.
        let healthy = targets_in(&sim, TargetState::Healthy);
        assert!(!healthy.is_empty(), "{}", describe(&sim));
        for t in sim.tasks().filter(|t| t.state == TaskState::Running) {
            assert_eq!(sim.task_nacl_gate_open(t.seq), &*t.subnet == fine, "{} in {}", t.id, t.subnet);
        }
        let d = sim.diagnose();
        let finding = d.findings.iter().find(|f| f.hop == Hop::TaskSubnetNacl).unwrap_or_else(|| panic!("{fine} fine: {d:#?}"));
        assert!(finding.cause.contains(broken), "{}", finding.cause);
        assert_eq!(d.settles_to, None, "tasks in one subnet serve while the others fail: no single steady state");
    }
}
