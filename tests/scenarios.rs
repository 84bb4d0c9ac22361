//! The shipped scenario files: every one loads, runs for 15 sim minutes without breaking an
//! invariant, and the list embedded in the page is exactly the folder on disk. Scenario
//! validation names the field that is wrong.

mod common;

use alb_lab::scenarios::{default_scenario, FILES};
use alb_lab::sim::scenario::MAX_FILE_BYTES;
use alb_lab::sim::{OutcomeClass, Scenario, ScenarioErrors, Sim, TargetState};
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn scenarios_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn default_json() -> Value {
    serde_json::from_str(FILES[0].1).expect("default.json is JSON")
}

fn errors_of(value: &Value) -> ScenarioErrors {
    match Scenario::from_json(&value.to_string()) {
        Ok(_) => panic!("expected the scenario to be refused"),
        Err(e) => e,
    }
}

fn fields(errors: &ScenarioErrors) -> Vec<&str> {
    errors.0.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn every_embedded_scenario_runs_15_minutes_with_invariants_intact() {
    for (file, text) in FILES {
        let valid = Scenario::from_json(text).unwrap_or_else(|e| panic!("{file} is invalid:\n{e}"));
        let mut sim = Sim::new(valid, None);
        for _ in 0..15 * 60 * 10 {
            sim.tick();
            if let Err(e) = sim.check_invariants() {
                panic!("{file}: invariant broken at {} ms: {e}", sim.now_ms());
            }
        }
        assert!(sim.requests_sent() > 0, "{file}: the client sent nothing");
        assert!(sim.metrics().totals.total_outcomes() > 0, "{file}: no request finished");
    }
}

#[test]
fn embedded_files_are_exactly_the_scenarios_folder() {
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(scenarios_dir()).expect("scenarios/ exists") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name").to_string();
            let text = std::fs::read_to_string(&path).expect("readable");
            let embedded = FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
            assert_eq!(embedded, Some(text.as_str()), "{name} on disk is not what src/scenarios.rs embeds");
            on_disk.insert(name);
        }
    }
    let embedded: BTreeSet<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(embedded.len(), FILES.len(), "a file is listed twice in FILES");
    assert_eq!(on_disk, embedded, "scenarios/*.json and scenarios::FILES differ");
    assert_eq!(FILES[0].0, "default.json", "the page opens the first file");
}

#[test]
fn every_scenario_tells_its_story() {
    let mut names = BTreeSet::new();
    for (file, text) in FILES {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!s.name.trim().is_empty(), "{file}: no name");
        assert!(s.description.len() >= 100, "{file}: the description should tell the learner the story");
        assert!(names.insert(s.name.clone()), "{file}: the name {:?} is used twice", s.name);
    }
}

#[test]
fn the_default_scenario_is_valid_and_works() {
    let valid = default_scenario();
    assert_eq!(valid.get(), Scenario::from_json(FILES[0].1).expect("valid").get());
    let mut sim = Sim::new(valid, None);
    // The warm-up runs inside Sim::new: the run opens with a steady, healthy service.
    assert!(sim.service_runtime().is_steady);
    assert_eq!(sim.targets().filter(|t| t.state == TargetState::Healthy).count(), 2);
    run(&mut sim, 60);
    let w = window(&sim, 60);
    assert!(w.total_outcomes() >= 100);
    assert_eq!(w.outcome(OutcomeClass::Success), w.total_outcomes());
    assert_eq!(sim.diagnose().broken().count(), 0);
}

#[test]
fn a_scenario_round_trips_through_json() {
    for (file, text) in FILES {
        let s = Scenario::from_json(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let again = Scenario::from_json(&s.to_json()).unwrap_or_else(|e| panic!("{file} after to_json: {e}"));
        assert_eq!(s, again, "{file}");
    }
}

#[test]
fn an_out_of_range_value_is_refused_naming_the_field() {
    let mut v = default_json();
    v["target_groups"][0]["health_check"]["interval_seconds"] = 1.into();
    let errors = errors_of(&v);
    let e = errors.0.iter().find(|e| e.field == "target_groups[0].health_check.interval_seconds").expect("the field is named");
    assert!(e.message.contains("5-300"), "says what is allowed: {}", e.message);
    assert!(errors.to_string().contains("target_groups[0].health_check.interval_seconds: "));
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut v = default_json();
    v["client"]["port"] = 0.into();
    v["service"]["desired_count"] = 11.into();
    v["target_groups"][0]["health_check"]["matcher"] = "600".into();
    v["security_groups"][1]["ingress"][0]["source"] = "sg-nowhere".into();
    let errors = errors_of(&v);
    let f = fields(&errors);
    for field in ["client.port", "service.desired_count", "target_groups[0].health_check.matcher", "security_groups[1].ingress[0].source"] {
        assert!(f.contains(&field), "{field} missing from {f:?}");
    }
}

#[test]
fn references_to_things_that_do_not_exist_are_refused() {
    let mut v = default_json();
    v["load_balancer"]["listeners"][0]["default_action"]["target_group"] = "missing-tg".into();
    v["service"]["network_configuration"]["subnets"][0] = "subnet-z".into();
    let errors = errors_of(&v);
    let f = fields(&errors);
    assert!(f.contains(&"load_balancer.listeners[0].default_action.target_group"), "{f:?}");
    assert!(f.contains(&"service.network_configuration.subnets[0]"), "{f:?}");
}

#[test]
fn unknown_fields_are_refused() {
    let mut top = default_json();
    top["colour"] = "blue".into();
    let e = errors_of(&top);
    assert_eq!(e.0[0].field, "colour", "{e}");
    assert!(e.0[0].in_words().starts_with("colour is not a field ALB Lab knows here (expected one of format, version"), "{e}");

    let mut nested = default_json();
    nested["target_groups"][0]["health_check"]["intervall_seconds"] = 30.into();
    let e = errors_of(&nested);
    assert_eq!(e.0[0].field, "target_groups[0].health_check.intervall_seconds", "{e}");
    assert!(e.0[0].message.contains("interval_seconds"), "the message lists the fields that exist: {e}");
}

#[test]
fn another_version_or_format_is_refused() {
    let mut v = default_json();
    v["version"] = 2.into();
    let errors = errors_of(&v);
    assert_eq!(fields(&errors), vec!["version"]);
    assert!(errors.0[0].message.contains('2'));

    let mut v = default_json();
    v["format"] = "something-else".into();
    assert_eq!(fields(&errors_of(&v)), vec!["format"]);
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    // Valid JSON padded with whitespace: accepted up to the limit, refused one byte over.
    let text = FILES[0].1;
    let at_limit = format!("{text}{}", " ".repeat(MAX_FILE_BYTES - text.len()));
    assert!(Scenario::from_json(&at_limit).is_ok(), "a file of exactly the limit is accepted");
    let over = format!("{at_limit} ");
    let errors = Scenario::from_json(&over).expect_err("one byte over the limit");
    assert_eq!(errors.0.len(), 1);
    assert!(errors.0[0].message.contains("limit"), "{}", errors.0[0].message);
}

#[test]
fn broken_json_says_where() {
    let text = FILES[0].1.replacen("\"seed\": 42,", "\"seed\": 42", 1);
    let errors = Scenario::from_json(&text).expect_err("a missing comma");
    assert!(errors.to_string().contains("line "), "{errors}");
    assert!(Scenario::from_json("").is_err());
    assert!(Scenario::from_json("[]").is_err());
}

#[test]
fn ecs_refusals_are_lessons_not_load_errors() {
    // A scenario that ECS would refuse still loads: the refusal is in the event log.
    let valid = Scenario::from_json(FILES.iter().find(|(n, _)| *n == "instance-target-type.json").expect("shipped").1);
    let sim = Sim::new(valid.expect("loads"), None);
    assert!(sim.service_runtime().create_error.is_some());
    assert!(sim.events().iter().any(|e| e.message.starts_with("InvalidParameterException:")));
}

#[test]
fn a_health_check_interval_of_4_is_the_intervals_error_alone() {
    use alb_lab::sim::knobs;
    let mut s = common::scenario("default.json").into_inner();
    s.target_groups[0].health_check.interval_seconds = 4;
    let errors = s.validate().expect_err("4 s is below AWS's minimum");
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].field, "target_groups[0].health_check.interval_seconds");
    assert_eq!(errors.0[0].knob, Some(&knobs::HEALTH_CHECK_INTERVAL));
    assert_eq!(errors.0[0].in_words(), "Interval must be 5-300 s (HealthCheckIntervalSeconds), got 4.");
}
