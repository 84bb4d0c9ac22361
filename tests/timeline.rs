//! Time travel over real runs: the markers say what happened when it happened, stepping back and
//! forth lands on events, and a timeline started late (the page starts it when its code arrives)
//! equals one that followed the run from the start.

mod common;

use alb_lab::sim::timeline::{MarkerKind, Timeline};
use alb_lab::sim::{Command, OutcomeClass, Sim};
use common::scenario;

fn run(sim: &mut Sim, timeline: &mut Timeline, seconds: u64) {
    for _ in 0..seconds * 10 {
        sim.tick();
        timeline.after_tick(sim);
    }
}

fn apply(sim: &mut Sim, timeline: &mut Timeline, command: Command) {
    sim.apply(command.clone()).expect("the change is taken");
    timeline.record(sim, command);
}

/// The default run, broken at 00:03:00 by scaling the service to zero.
fn broken_run() -> (Sim, Timeline) {
    let mut sim = Sim::new(scenario("default.json"), Some(3));
    let mut timeline = Timeline::new(&sim);
    run(&mut sim, &mut timeline, 120);
    apply(&mut sim, &mut timeline, Command::update_service(Some(0), None, None));
    run(&mut sim, &mut timeline, 180);
    (sim, timeline)
}

#[test]
fn the_first_5xx_marker_is_a_moment_whose_latest_request_failed() {
    let (sim, timeline) = broken_run();
    let markers = timeline.markers(&sim);
    let errors: Vec<_> = markers.iter().filter(|m| m.kind == MarkerKind::Errors).collect();
    assert_eq!(errors.len(), 1, "one break, one first 5xx: {errors:?}");
    let change = markers.iter().find(|m| m.kind == MarkerKind::Change).expect("the change is marked");
    assert!(change.at_ms < errors[0].at_ms, "the change comes before its 5xx");
    assert!(markers.iter().any(|m| m.kind == MarkerKind::Task), "the tasks stopping are marked");
    let (moment, _) = timeline.seek(errors[0].at_ms).expect("started");
    let latest = moment.recent_requests().next_back().expect("requests were answered");
    assert_eq!(latest.outcome.class(), OutcomeClass::Elb503, "{:?}", latest.outcome);
    // And a second earlier, nothing had failed yet.
    let (before, _) = timeline.seek(errors[0].at_ms - 1000).expect("started");
    assert_eq!(before.metrics().totals.elb_503, 0);
}

#[test]
fn step_back_and_step_land_on_the_previous_and_next_event() {
    let (mut sim, mut timeline) = broken_run();
    let head = sim.now_ms();
    timeline.view(&mut sim, head - 100_000);
    let at = sim.now_ms();
    assert_eq!(at, head - 100_000);
    let previous = timeline.previous_event_ms(&sim).expect("something happened before");
    assert!(previous < at);
    timeline.view(&mut sim, previous);
    assert_eq!(sim.now_ms(), previous);
    timeline.step_forward(&mut sim);
    assert!(sim.now_ms() > previous, "Step goes forward");
    // Step stopped at the first thing that happened after `previous`, so Step back from there
    // returns to it.
    assert_eq!(timeline.previous_event_ms(&sim), Some(previous));
    // Stepping on to the present returns to the live run.
    for _ in 0..100_000 {
        if timeline.viewing().is_none() {
            break;
        }
        timeline.step_forward(&mut sim);
    }
    assert!(timeline.viewing().is_none());
    assert_eq!(sim.now_ms(), head);
}

#[test]
fn a_timeline_started_late_equals_one_that_followed_the_run() {
    let (sim, followed) = broken_run();
    let mut noted = Timeline::default();
    for c in followed.commands() {
        noted.note(c.at_ms, c.command.clone());
    }
    let started = noted.start(Sim::new(scenario("default.json"), Some(3)), &sim);
    assert!(started.is_linkable_from_start());
    for at in [90_000, 200_000, sim.now_ms() - 5_000] {
        let (a, _) = followed.seek(at).expect("started");
        let (b, _) = started.seek(at).expect("started");
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "at {at} ms");
    }
}

#[test]
fn a_refused_change_in_the_past_changes_nothing_and_a_taken_one_branches() {
    let (mut sim, mut timeline) = broken_run();
    let head = sim.now_ms();
    timeline.view(&mut sim, head - 60_000);
    let shown = format!("{sim:?}");
    let bad = Command::ModifyListener { port: 9999, new_port: 81 };
    assert!(timeline.apply_in_past(&mut sim, bad).is_err());
    assert_eq!(format!("{sim:?}"), shown, "a refused change leaves the moment as it was");
    assert!(timeline.viewing().is_some() && timeline.branches().is_empty());
    timeline.apply_in_past(&mut sim, Command::SetRequestRate { requests_per_second: 2.0 }).expect("taken");
    assert!(timeline.viewing().is_none(), "the change goes on live from there");
    assert_eq!(timeline.branches().len(), 1);
    assert_eq!(timeline.branches()[0].end_ms, head);
}

/// Past `MAX_RECORDED` commands the timeline starts again from the moment (what a link could
/// replay is gone, and says so), and every moment it still keeps is still the run's own.
#[test]
fn past_the_command_limit_the_timeline_starts_again_and_still_shows_the_run() {
    use alb_lab::sim::timeline::{Recorded, MAX_RECORDED};
    let mut sim = Sim::new(scenario("default.json"), Some(5));
    let mut timeline = Timeline::new(&sim);
    let mut all: Vec<Recorded> = Vec::new();
    for i in 0..MAX_RECORDED + 50 {
        if i % 5 == 0 {
            sim.tick();
            timeline.after_tick(&sim);
        }
        apply(&mut sim, &mut timeline, Command::SendRequest);
        all.push(Recorded { at_ms: sim.now_ms(), command: Command::SendRequest });
    }
    run(&mut sim, &mut timeline, 90);
    assert!(!timeline.is_linkable_from_start());
    assert!(timeline.link_history(&sim).is_err());
    assert!(timeline.commands().len() <= MAX_RECORDED);
    assert!(timeline.earliest_ms() > timeline.start_ms(), "the timeline starts again");
    for at in [timeline.earliest_ms(), timeline.earliest_ms() + 500, sim.now_ms() - 1_000] {
        let (seen, _) = timeline.seek(at).expect("started");
        let mut fresh = Sim::new(scenario("default.json"), Some(5));
        let mut next = all.iter().peekable();
        loop {
            while let Some(step) = next.next_if(|c| c.at_ms == fresh.now_ms()) {
                let _ = fresh.apply(step.command.clone());
            }
            if fresh.now_ms() >= at {
                break;
            }
            fresh.tick();
        }
        assert_eq!(format!("{seen:?}"), format!("{fresh:?}"), "at {at} ms");
    }
}
