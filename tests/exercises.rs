//! The shipped exercises: the list embedded in the page is exactly the folder on disk, every
//! file loads, every start fails its goal while the worked solution reaches it in bounded sim
//! time, and the plausible wrong fixes a learner might try do not. The CLI's `--exercise` check
//! says the same.

mod common;

use alb_lab::scenarios::{exercises, scenario_text, EXERCISES};
use alb_lab::sim::exercise::{check_solution, is_met, Exercise, GoalTracker, SolutionReport};
use alb_lab::sim::{Command, Sim, TICK_MS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Sim seconds the untouched start runs first: long enough for each symptom to show (targets
/// turn unhealthy after about a minute, ECS replaces tasks, client timeouts pile up).
const SETTLE_SECONDS: u64 = 300;

fn exercises_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join("exercises")
}

fn load(file: &str) -> (Exercise, alb_lab::sim::ValidScenario) {
    let (_, text) = EXERCISES.iter().find(|(f, _)| *f == file).unwrap_or_else(|| panic!("{file} is not in EXERCISES"));
    Exercise::from_json(text, scenario_text).unwrap_or_else(|e| panic!("{file} is invalid:\n{e}"))
}

fn command(json: &str) -> Command {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn exercise_files_on_disk_are_exactly_the_registered_list() {
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(exercises_dir()).expect("scenarios/exercises/ exists") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 name").to_string();
        assert!(name.ends_with(".json"), "{name}: only exercise files (*.json) belong in scenarios/exercises/");
        let text = std::fs::read_to_string(&path).expect("readable");
        let embedded = EXERCISES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        assert_eq!(embedded, Some(text.as_str()), "{name} on disk is not what src/scenarios.rs embeds in EXERCISES");
        on_disk.insert(name);
    }
    let registered: BTreeSet<String> = EXERCISES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(registered.len(), EXERCISES.len(), "a file is registered twice");
    assert_eq!(on_disk, registered, "EXERCISES and scenarios/exercises/ differ");
}

#[test]
fn every_exercise_loads_with_a_unique_id_and_the_list_goes_from_first_steps_to_hard() {
    let loaded: Vec<Exercise> =
        exercises().into_iter().map(|r| r.unwrap_or_else(|(file, e)| panic!("{file} is invalid:\n{e}")).0).collect();
    assert!(loaded.len() >= 12, "at least twelve exercises, got {}", loaded.len());
    let mut ids = BTreeSet::new();
    for (file, _) in EXERCISES {
        let (ex, _) = load(file);
        assert!(ids.insert(ex.id.clone()), "id {} is used twice", ex.id);
        assert_eq!(format!("{}.json", ex.id), *file, "an exercise's file is named after its id");
        assert_eq!(ex.hints.len(), 3);
        // A sentence ends in . ! or ? followed by a space or the end ("…refused\"." counts once).
        let ends = ex.story.char_indices().filter(|(i, c)| {
            let rest = &ex.story[i + c.len_utf8()..];
            matches!(c, '.' | '!' | '?') && (rest.is_empty() || rest.starts_with(' ') || rest.starts_with("\" "))
        });
        let sentences = ends.count();
        assert!((2..=4).contains(&sentences), "{}: a story of 2-4 sentences, got {sentences}", ex.id);
    }
    // The registered order is the page's order: difficulty never goes down.
    let difficulties: Vec<u8> = EXERCISES.iter().map(|(f, _)| load(f).0.difficulty).collect();
    assert!(difficulties.windows(2).all(|w| w[0] <= w[1]), "EXERCISES is not ordered by difficulty: {difficulties:?}");
    let sorted: Vec<&str> = loaded.iter().map(|e| e.id.as_str()).collect();
    let registered: Vec<String> = EXERCISES.iter().map(|(f, _)| f.trim_end_matches(".json").to_string()).collect();
    assert_eq!(sorted, registered, "exercises() keeps the registered order within a difficulty");
    assert_eq!(difficulties.first(), Some(&1));
    assert_eq!(difficulties.last(), Some(&5));
    // One exercise for every failure mode of the product brief and the seed's sections 3-9.
    let scenarios: BTreeSet<&str> = loaded.iter().map(|e| e.scenario.as_str()).collect();
    for needed in [
        "no-service-attached.json",
        "desired-zero.json",
        "app-port-mismatch.json",
        "container-mapping-mismatch.json",
        "tg-healthcheck-port-mismatch.json",
        "wrong-health-path.json",
        "health-check-redirect.json",
        "hung-task.json",
        "task-sg-blocks-alb.json",
        "nacl-drops-replies.json",
        "fail-open.json",
        "alb-sg-blocks-client.json",
        "no-listener-on-port.json",
        "task-reachable-by-ip.json",
        "instance-target-type.json",
        "deploy-503-window.json",
        "slow-start-grace.json",
    ] {
        assert!(scenarios.contains(needed), "no exercise starts from {needed}");
    }
}

fn report(file: &str) -> (Exercise, SolutionReport) {
    let (ex, scenario) = load(file);
    let report = check_solution(&ex, &scenario, SETTLE_SECONDS).unwrap_or_else(|e| panic!("{file}: {e}"));
    (ex, report)
}

#[test]
fn every_start_fails_its_goal_and_every_worked_solution_reaches_it_in_time() {
    let mut problems = Vec::new();
    for (file, _) in EXERCISES {
        let (ex, r) = report(file);
        if r.start_meets_goal {
            problems.push(format!("{file}: the untouched start meets the goal within {SETTLE_SECONDS} s"));
        }
        if !r.failed_steps.is_empty() {
            problems.push(format!("{file}: solution steps refused: {:?}", r.failed_steps));
        }
        match r.solved_after_ms {
            Some(ms) => assert!(ms <= ex.solve_within_seconds as u64 * 1000),
            None => problems
                .push(format!("{file}: the solution does not reach the goal in {} s; unmet: {:?}", ex.solve_within_seconds, r.unmet)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Run the start, apply `commands` (refusals allowed: a learner may try them) and report when
/// the goal was reached as the page sees it (held for `hold_seconds`), within twice the
/// exercise's time limit.
fn wrong_fix_reaches_goal(file: &str, commands: &[&str], refused: &mut Vec<String>) -> Option<u64> {
    let (ex, scenario) = load(file);
    let mut sim = Sim::new(scenario, None);
    sim.run_for(SETTLE_SECONDS * 1000);
    let start = sim.now_ms();
    let mut tracker = GoalTracker::default();
    for c in commands {
        if let Err(e) = sim.apply(command(c)) {
            refused.push(format!("{file}: {c}: {e}"));
        }
        for _ in 0..10_000 / TICK_MS {
            sim.tick();
            tracker.update(&ex, &sim);
        }
    }
    while sim.now_ms() - start <= 2 * ex.solve_within_seconds as u64 * 1000 {
        if tracker.update(&ex, &sim) {
            return tracker.reached_at_ms.map(|t| t - start);
        }
        sim.tick();
    }
    None
}

#[test]
fn plausible_wrong_fixes_do_not_reach_the_goal() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("desired-zero.json", "one task is not the two healthy targets asked for", &[r#"{"command":"update_service","desired_count":1}"#]),
        (
            "alb-sg-blocks-client.json",
            "opening the app's port on the ALB does not open the listener's",
            &[r#"{"command":"authorize_security_group_ingress","group_id":"sg-alb","from_port":8000,"to_port":8000,"source":"0.0.0.0/0"}"#],
        ),
        (
            "no-listener-on-port.json",
            "the app's port is not a listener's port",
            &[r#"{"command":"set_client_target","port":8000,"path":"/"}"#],
        ),
        (
            "wrong-health-path.json",
            "changing the app's answer does not fix the path asked for",
            &[r#"{"command":"register_task_definition","changes":{"health_response":"ok"}}"#],
        ),
        (
            "task-sg-blocks-alb.json",
            "opening the tasks to the whole internet works but is not least privilege",
            &[
                r#"{"command":"authorize_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"0.0.0.0/0"}"#,
            ],
        ),
        (
            "app-port-mismatch.json",
            "moving the mapping to the app's port leaves the security group on 8000",
            &[r#"{"command":"set_container_port","container_port":3000}"#],
        ),
        (
            "tg-healthcheck-port-mismatch.json",
            "moving the app to the health check's port breaks the traffic port",
            &[r#"{"command":"register_task_definition","changes":{"listen_port":80}}"#],
        ),
        (
            "fail-open.json",
            "a wider success-code range still excludes 500",
            &[r#"{"command":"modify_target_group","target_group":"web-tg","health_check":{"path":"/health","matcher":"200-499"}}"#],
        ),
        (
            "task-reachable-by-ip.json",
            "removing the ALB's rule leaves the internet's",
            &[r#"{"command":"revoke_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"sg-alb"}"#],
        ),
        (
            "task-reachable-by-ip.json",
            "removing both rules closes the front door too",
            &[
                r#"{"command":"revoke_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"sg-alb"}"#,
                r#"{"command":"revoke_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"0.0.0.0/0"}"#,
            ],
        ),
        (
            "container-mapping-mismatch.json",
            "the mapping alone, without the security group rule for 8000",
            &[r#"{"command":"set_container_port","container_port":8000}"#],
        ),
        ("instance-target-type.json", "creating the service again changes nothing", &[r#"{"command":"create_service"}"#]),
        (
            "slow-start-grace.json",
            "a grace period shorter than start-up plus recovery",
            &[r#"{"command":"update_service","health_check_grace_period_seconds":60}"#],
        ),
        (
            "deploy-503-window.json",
            "deploying with minimum 0 % gives the 503 window, and waiting does not clear it",
            &[r#"{"command":"register_task_definition"}"#],
        ),
        (
            "deploy-503-window.json",
            "a shorter deregistration delay shortens the window but does not close it",
            &[
                r#"{"command":"modify_target_group_attributes","target_group":"web-tg","deregistration_delay_seconds":0}"#,
                r#"{"command":"register_task_definition"}"#,
            ],
        ),
        (
            "deploy-503-window.json",
            "minimum 100 % with maximum 100 % leaves ECS unable to start or stop a task",
            &[
                r#"{"command":"update_service","minimum_healthy_percent":100,"maximum_percent":100}"#,
                r#"{"command":"register_task_definition"}"#,
            ],
        ),
    ];
    let mut problems = Vec::new();
    let mut refused = Vec::new();
    for (file, why, commands) in cases {
        if let Some(ms) = wrong_fix_reaches_goal(file, commands, &mut refused) {
            problems.push(format!("{file}: {why}, yet the goal was reached {} s after it", ms / 1000));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Each wrong fix is a change the simulation accepts (so the goal, not a refusal, rejects
    // it), except creating the service again, which ECS refuses for the same reason as before.
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert!(refused[0].contains("create_service") && refused[0].contains("target type instance"), "{refused:#?}");
}

#[test]
fn a_second_deployment_done_right_clears_the_503_window_of_the_first() {
    // The learner deploys naively, sees the 503s, fixes the deployment configuration and deploys
    // again: the goal counts from the latest deployment, so no reset is needed.
    let (ex, scenario) = load("deploy-503-window.json");
    let mut sim = Sim::new(scenario, None);
    sim.run_for(60_000);
    sim.apply(command(r#"{"command":"register_task_definition"}"#)).expect("deploys");
    sim.run_for(600_000);
    assert!(!is_met(&ex.goal, &sim), "the first deployment had a 503 window");
    sim.apply(command(r#"{"command":"update_service","minimum_healthy_percent":100,"maximum_percent":200}"#)).expect("accepted");
    sim.run_for(10_000);
    sim.apply(command(r#"{"command":"register_task_definition"}"#)).expect("deploys");
    let mut tracker = GoalTracker::default();
    for _ in 0..900 * 1000 / TICK_MS {
        sim.tick();
        tracker.update(&ex, &sim);
    }
    assert!(tracker.reached_at_ms.is_some(), "a zero-downtime deployment of revision 3 reaches the goal");
}

#[test]
fn the_minimal_example_in_the_authoring_guide_works() {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/authoring-exercises.md")).expect("the guide");
    let start = guide.find("```json\n").expect("a json example") + "```json\n".len();
    let end = start + guide[start..].find("```").expect("the example ends");
    let (ex, scenario) = Exercise::from_json(&guide[start..end], scenario_text).unwrap_or_else(|e| panic!("the guide's example:\n{e}"));
    let r = check_solution(&ex, &scenario, SETTLE_SECONDS).expect("invariants hold");
    assert!(!r.start_meets_goal && r.failed_steps.is_empty() && r.solved_after_ms.is_some(), "{r:?}");
}

// ---- the CLI ----

fn cli(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alb-lab-scenario")).args(args).output().expect("the CLI runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn the_cli_checks_an_exercise_and_fails_one_whose_start_already_meets_its_goal() {
    let file = exercises_dir().join("task-sg-blocks-alb.json");
    let (ok, text) = cli(&["exercise", file.to_str().expect("UTF-8 path")]);
    assert!(ok, "{text}");
    assert!(
        text.contains("valid exercise") && text.contains("does not meet the goal") && text.contains("reaches the goal after"),
        "{text}"
    );

    // A scenario next to the exercise's folder is found on disk before the built-in ones; a goal
    // the working setup already meets makes the exercise fail.
    let dir = std::env::temp_dir().join(format!("alb-lab-exercise-cli-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("exercises")).expect("temp dir");
    let default = scenario_text("default.json").expect("built in");
    std::fs::write(dir.join("my-setup.json"), default).expect("write scenario");
    let exercise = r#"{"format":"alb-lab/exercise","version":1,"id":"already-fine","title":"Already fine","difficulty":1,
        "story":"It works. Nothing to do.","scenario":"my-setup.json","unlocked":["service"],
        "goal":[{"check":"healthy_targets_at_least","min":2}],"hints":["a","b","c"],
        "solution":[{"explain":"scale","command":{"command":"update_service","desired_count":2}}]}"#;
    let path = dir.join("exercises").join("already-fine.json");
    std::fs::write(&path, exercise).expect("write exercise");
    let (ok, text) = cli(&["exercise", path.to_str().expect("UTF-8 path"), "--settle", "120"]);
    assert!(!ok, "{text}");
    assert!(text.contains("my-setup.json") && text.contains("FAILS"), "{text}");

    // An invalid exercise names the field.
    std::fs::write(&path, exercise.replace("\"difficulty\":1", "\"difficulty\":7")).expect("write exercise");
    let (ok, text) = cli(&["exercise", path.to_str().expect("UTF-8 path")]);
    assert!(!ok && text.contains("difficulty"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_security_group_with_no_rules_does_not_count_as_admitting_only_the_load_balancer() {
    // "The gate in front of the tasks" starts with sg-task admitting nothing: its least-privilege
    // check must not be green before the learner does anything.
    let (ex, s) = load("task-sg-blocks-alb.json");
    let mut sim = Sim::new(s, None);
    let statuses = alb_lab::sim::exercise::evaluate(&ex.goal, &sim);
    let only = statuses.iter().find(|c| c.text.contains("admits traffic only from")).expect("the least-privilege check");
    assert!(!only.is_met, "{only:?}");
    assert_eq!(only.now, "no inbound rules: it admits nothing");
    // The worked fix (a rule from sg-alb only) meets it; a rule from the internet does not.
    sim.apply(command(
        r#"{"command":"authorize_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"sg-alb"}"#,
    ))
    .expect("authorize");
    assert!(alb_lab::sim::exercise::evaluate(&ex.goal, &sim).iter().any(|c| c.text.contains("only from") && c.is_met));
    sim.apply(command(
        r#"{"command":"authorize_security_group_ingress","group_id":"sg-task","from_port":8000,"to_port":8000,"source":"0.0.0.0/0"}"#,
    ))
    .expect("authorize");
    assert!(alb_lab::sim::exercise::evaluate(&ex.goal, &sim).iter().any(|c| c.text.contains("only from") && !c.is_met));
}

#[test]
fn at_its_start_no_exercise_meets_its_goal() {
    for e in exercises() {
        let (ex, s) = e.unwrap_or_else(|(f, e)| panic!("{f}: {e}"));
        let sim = Sim::new(s, None);
        assert!(!is_met(&ex.goal, &sim), "{}: the goal is met before the learner does anything", ex.id);
    }
}

#[test]
fn the_exercises_baked_at_build_time_are_the_files_as_read_now() {
    let read: Vec<_> = exercises().into_iter().map(|r| r.unwrap_or_else(|(file, e)| panic!("{file} is invalid:\n{e}")).0).collect();
    assert_eq!(alb_lab::scenarios::exercise_catalogue(), read, "build.rs bakes what the reader reads, in the same order");
    for e in &read {
        assert!(alb_lab::scenarios::exercise_scenario(e).is_some(), "{}'s scenario loads", e.id);
    }
}

#[test]
fn the_default_scenario_baked_at_build_time_is_the_file_as_read_now() {
    let text =
        alb_lab::scenarios::FILES.iter().find(|(file, _)| *file == "default.json").map(|(_, text)| *text).expect("default.json ships");
    let read = alb_lab::sim::Scenario::from_json(text).unwrap_or_else(|e| panic!("default.json is invalid:\n{e}"));
    assert_eq!(alb_lab::scenarios::default_scenario().get(), read.get(), "build.rs bakes what the reader reads");
}
