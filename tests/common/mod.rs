//! Helpers shared by the integration tests: load a shipped scenario, run it with the invariants
//! checked after every tick, and read what a learner would see (outcome tallies, target states,
//! the event log).
#![allow(dead_code)]

use alb_lab::scenarios::FILES;
use alb_lab::sim::{Counters, Event, EventSource, Scenario, Sim, Target, TargetState, ValidScenario, TICK_MS};

/// A shipped scenario file, parsed and validated.
pub fn scenario(file: &str) -> ValidScenario {
    let (_, text) = FILES.iter().find(|(name, _)| *name == file).unwrap_or_else(|| panic!("{file} is not in scenarios::FILES"));
    Scenario::from_json(text).unwrap_or_else(|e| panic!("{file} is invalid:\n{e}"))
}

/// A new run of a shipped scenario with its own seed.
pub fn sim(file: &str) -> Sim {
    Sim::new(scenario(file), None)
}

/// Tick for `seconds` of sim time, checking every invariant after every tick.
pub fn run(sim: &mut Sim, seconds: u64) {
    for _ in 0..seconds * 1000 / TICK_MS {
        sim.tick();
        if let Err(e) = sim.check_invariants() {
            panic!("invariant broken at {} ms: {e}", sim.now_ms());
        }
    }
}

/// Tick for `seconds`, calling `each` after every tick (invariants checked too).
pub fn run_watching(sim: &mut Sim, seconds: u64, mut each: impl FnMut(&Sim)) {
    for _ in 0..seconds * 1000 / TICK_MS {
        sim.tick();
        if let Err(e) = sim.check_invariants() {
            panic!("invariant broken at {} ms: {e}", sim.now_ms());
        }
        each(sim);
    }
}

/// The client panel's tally over the last `seconds` of sim time.
pub fn window(sim: &Sim, seconds: u64) -> Counters {
    sim.metrics().window(sim.now_ms(), seconds)
}

pub fn targets(sim: &Sim) -> Vec<&Target> {
    sim.targets().collect()
}

pub fn targets_in(sim: &Sim, state: TargetState) -> Vec<&Target> {
    sim.targets().filter(|t| t.state == state).collect()
}

/// ECS service events (`DescribeServices.events[].message`), oldest first.
pub fn ecs_events(sim: &Sim) -> Vec<&Event> {
    sim.events().iter().filter(|e| e.source == EventSource::EcsService).collect()
}

/// How many events contain `needle`.
pub fn count_events(sim: &Sim, needle: &str) -> usize {
    sim.events().iter().filter(|e| e.message.contains(needle)).count()
}

/// Events containing `needle` logged at or after `since_ms`.
pub fn events_since<'a>(sim: &'a Sim, since_ms: u64, needle: &str) -> Vec<&'a Event> {
    sim.events().iter().filter(|e| e.at_ms >= since_ms && e.message.contains(needle)).collect()
}

/// A readable dump for assertion messages.
pub fn describe(sim: &Sim) -> String {
    let mut out = format!("at {} s\n", sim.now_ms() / 1000);
    for t in sim.targets() {
        let reason = t.reason.as_ref().map(|r| format!(" {}: {}", r.code(), r.description())).unwrap_or_default();
        out.push_str(&format!("  target {} {}{reason}\n", t.endpoint, t.state));
    }
    for e in sim.events().iter().rev().take(15) {
        out.push_str(&format!("  {:>7.1}s {}\n", e.at_ms as f64 / 1000.0, e.message));
    }
    out
}
