//! Replayable runs: the same scenario, seed and commands always give the same history, so a
//! learner's bug report (a link with the seed and the actions) reproduces exactly.

mod common;

use alb_lab::sim::{Command, Sim, TaskDefinitionChanges, TICK_MS};
use common::*;

/// What a learner could compare between two runs.
#[derive(Debug, PartialEq)]
struct History {
    events: Vec<(u64, String)>,
    totals: alb_lab::sim::Counters,
    targets: Vec<(String, String, Option<String>)>,
    tasks: Vec<(String, String, u32)>,
    requests: Vec<(u64, u64, String)>,
    now_ms: u64,
}

fn history(sim: &Sim) -> History {
    History {
        events: sim.events().iter().map(|e| (e.at_ms, e.message.clone())).collect(),
        totals: sim.metrics().totals,
        targets: sim.targets().map(|t| (t.endpoint.to_string(), t.state.to_string(), t.reason.as_ref().map(|r| r.description()))).collect(),
        tasks: sim.tasks().map(|t| (t.id.to_string(), t.state.to_string(), t.revision)).collect(),
        requests: sim.recent_requests().map(|r| (r.id, r.done_at_ms, r.outcome.label())).collect(),
        now_ms: sim.now_ms(),
    }
}

/// A learner's session: commands at fixed sim seconds, some of them refused.
fn script() -> Vec<(u64, Command)> {
    vec![
        (20, Command::SetRequestRate { requests_per_second: 25.0 }),
        (40, Command::SendRequest),
        (45, Command::CurlTask { task: None, port: None }),
        (
            60,
            Command::RegisterTaskDefinition {
                changes: TaskDefinitionChanges { response_time_ms: Some(80), ..Default::default() },
                deploy: true,
            },
        ),
        (90, Command::RevokeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() }),
        (100, Command::ModifyListener { port: 9999, new_port: 81 }), // refused: no such listener
        (
            150,
            Command::AuthorizeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() },
        ),
        (
            200,
            Command::UpdateService {
                desired_count: Some(3),
                health_check_grace_period_seconds: Some(30),
                minimum_healthy_percent: None,
                maximum_percent: None,
                assign_public_ip: None,
                force_new_deployment: true,
            },
        ),
    ]
}

fn play(file: &str, seed: Option<u64>, seconds: u64) -> (History, Vec<String>) {
    let mut sim = Sim::new(scenario(file), seed);
    let mut replies = Vec::new();
    let mut commands = script().into_iter().peekable();
    for _ in 0..seconds * 1000 / TICK_MS {
        while let Some((_, command)) = commands.next_if(|(at, _)| *at * 1000 <= sim.now_ms()) {
            replies.push(format!("{:?}", sim.apply(command)));
        }
        sim.tick();
    }
    (history(&sim), replies)
}

#[test]
fn same_scenario_seed_and_commands_give_the_same_history() {
    for file in ["default.json", "task-sg-blocks-alb.json", "bridge-dynamic-ports.json", "deploy-503-window.json"] {
        let (a, replies_a) = play(file, Some(7), 300);
        let (b, replies_b) = play(file, Some(7), 300);
        assert!(a.events.len() > 5, "{file}: too little happened to compare");
        assert!(a.totals.total_outcomes() > 1000, "{file}");
        assert_eq!(replies_a, replies_b, "{file}: command replies differ");
        assert_eq!(a.events, b.events, "{file}: event logs differ");
        assert_eq!(a.totals, b.totals, "{file}: metrics differ");
        assert_eq!(a.targets, b.targets, "{file}: target states differ");
        assert_eq!(a, b, "{file}");
    }
}

#[test]
fn the_scenario_seed_is_used_when_none_is_given() {
    let (a, _) = play("default.json", None, 120);
    let (b, _) = play("default.json", Some(scenario("default.json").seed), 120);
    assert_eq!(a, b);
}

#[test]
fn a_different_seed_gives_different_task_ids() {
    let ids = |seed| {
        let mut sim = Sim::new(scenario("default.json"), Some(seed));
        run(&mut sim, 5);
        sim.tasks().map(|t| t.id.to_string()).collect::<Vec<_>>()
    };
    let (a, b) = (ids(1), ids(2));
    assert_eq!(a.len(), 2);
    assert_eq!(a, ids(1));
    assert!(a.iter().all(|id| !b.contains(id)), "{a:?} vs {b:?}");
}

#[test]
fn reset_replays_the_same_run_and_reseed_does_not() {
    let mut sim = Sim::new(scenario("fail-open.json"), Some(11));
    run(&mut sim, 200);
    let first = history(&sim);
    sim.apply(Command::SetRequestRate { requests_per_second: 50.0 }).expect("valid rate");
    run(&mut sim, 30);
    sim.reset();
    assert_eq!(sim.now_ms(), 0);
    assert_eq!(
        sim.scenario().client.requests_per_second,
        scenario("fail-open.json").client.requests_per_second,
        "reset restores the setup"
    );
    run(&mut sim, 200);
    assert_eq!(history(&sim), first);

    sim.reseed(12);
    run(&mut sim, 200);
    assert_ne!(history(&sim).tasks, first.tasks);
}

#[test]
fn a_cloned_run_continues_identically() {
    let mut a = Sim::new(scenario("app-port-mismatch.json"), Some(3));
    run(&mut a, 100);
    let mut b = a.clone();
    run(&mut a, 200);
    run(&mut b, 200);
    assert_eq!(history(&a), history(&b));
}
