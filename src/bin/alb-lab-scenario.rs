//! `alb-lab-scenario`: validate a scenario file, run it natively for some sim time, and print
//! the outcome tally, the target states, the service events and the diagnosis; or check an
//! exercise file: is it valid, does its start fail the goal, does its worked solution reach it?
//!
//! ```text
//! alb-lab-scenario FILE [--seconds N] [--seed N] [--json] [--events N]
//! alb-lab-scenario --check FILE        validate only
//! alb-lab-scenario --exercise FILE [--settle N]
//! ```
//! An exercise names its scenario by file name: it is read from the `scenarios/` folder next to
//! the exercise's folder (`scenarios/exercises/x.json` → `scenarios/<name>`) when that file
//! exists, else from the scenarios built into the tool. The start runs `--settle` sim seconds
//! (default 300) without changes and must not meet the goal; then the solution's steps are
//! applied and must reach it within the exercise's `solve_within_seconds`.
//!
//! Exit codes: 0 ok, 1 the file is invalid (or the exercise does not hold), 2 bad arguments,
//! 3 a simulation invariant broke.

use alb_lab::sim::diagnosis::client_summary;
use alb_lab::sim::exercise::{check_solution, Exercise};
use alb_lab::sim::{OutcomeClass, Scenario, Sim, TICK_MS};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: alb-lab-scenario FILE [--seconds N] [--seed N] [--json] [--events N]
       alb-lab-scenario --check FILE
       alb-lab-scenario --exercise FILE [--settle N]";

struct Args {
    file: String,
    seconds: u64,
    seed: Option<u64>,
    json: bool,
    check_only: bool,
    exercise: bool,
    settle: u64,
    events: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { file: String::new(), seconds: 600, seed: None, json: false, check_only: false, exercise: false, settle: 300, events: 15 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--seconds" => {
                args.seconds = value("--seconds")?.parse().map_err(|_| "--seconds takes a whole number of sim seconds")?;
                if args.seconds > 24 * 3600 {
                    return Err("--seconds is at most 86400 (one sim day)".into());
                }
            }
            "--seed" => args.seed = Some(value("--seed")?.parse().map_err(|_| "--seed takes a whole number")?),
            "--events" => args.events = value("--events")?.parse().map_err(|_| "--events takes a whole number")?,
            "--json" => args.json = true,
            "--check" => args.check_only = true,
            "--exercise" => args.exercise = true,
            "--settle" => {
                args.settle = value("--settle")?.parse().map_err(|_| "--settle takes a whole number of sim seconds")?;
                if args.settle > 3600 {
                    return Err("--settle is at most 3600 (one sim hour)".into());
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            f if !f.starts_with('-') && args.file.is_empty() => args.file = f.to_string(),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if args.file.is_empty() {
        return Err(USAGE.into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", args.file);
            return ExitCode::from(1);
        }
    };
    if args.exercise {
        return check_exercise(&args, &text);
    }
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!("{} is not a valid scenario:", args.file);
            for e in &errors.0 {
                eprintln!("  - {e}");
            }
            return ExitCode::from(1);
        }
    };
    if args.check_only {
        println!("{}: valid ({})", args.file, scenario.name);
        return ExitCode::SUCCESS;
    }
    let mut sim = Sim::new(scenario, args.seed);
    for _ in 0..(args.seconds * 1000).div_ceil(TICK_MS) {
        sim.tick();
        if let Err(e) = sim.check_invariants() {
            eprintln!("invariant broken at {} ms: {e}", sim.now_ms());
            return ExitCode::from(3);
        }
    }
    print_report(&sim, &args);
    ExitCode::SUCCESS
}

/// A scenario file by name: `scenarios/<name>` beside the exercise's folder, else built in.
fn find_scenario(exercise_file: &str, name: &str) -> Option<(String, String)> {
    let dir = Path::new(exercise_file).parent().and_then(|d| d.parent());
    let is_plain_name = !name.is_empty() && !name.contains(['/', '\\']) && name != "..";
    if let Some(path) = dir.map(|d| d.join(name)).filter(|p| is_plain_name && p.is_file()) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Some((path.display().to_string(), text));
        }
    }
    alb_lab::scenarios::scenario_text(name).map(|text| (format!("{name} (built in)"), text))
}

fn check_exercise(args: &Args, text: &str) -> ExitCode {
    let file = &args.file;
    let source = std::cell::RefCell::new(None);
    let found = |name: &str| {
        let hit = find_scenario(file, name);
        *source.borrow_mut() = hit.as_ref().map(|(from, _)| from.clone());
        hit.map(|(_, text)| text)
    };
    let (exercise, scenario) = match Exercise::from_json(text, found) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{file} is not a valid exercise:");
            for line in e.0.lines() {
                eprintln!("  - {line}");
            }
            return ExitCode::from(1);
        }
    };
    let from = source.borrow().clone().unwrap_or_default();
    println!("{file}: valid exercise {:?} ({}, difficulty {})", exercise.title, exercise.id, exercise.difficulty);
    println!("  start: {from}");
    println!("  unlocked: {}", exercise.unlocked.join(", "));
    println!("Goal:");
    for c in &exercise.goal {
        println!("  - {}", c.describe());
    }
    let report = match check_solution(&exercise, &scenario, args.settle) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(3);
        }
    };
    let mut ok = true;
    if report.start_meets_goal {
        ok = false;
        println!("Start: FAILS the exercise: the untouched setup meets the goal within {} s", args.settle);
    } else {
        println!("Start: does not meet the goal in {} s (as it should)", args.settle);
    }
    for step in &report.failed_steps {
        ok = false;
        println!("Solution: a step was refused: {step}");
    }
    let steps = exercise.solution.len();
    match report.solved_after_ms {
        Some(ms) => println!(
            "Solution: {steps} step{} reach{} the goal after {} s of sim time (limit {} s)",
            if steps == 1 { "" } else { "s" },
            if steps == 1 { "es" } else { "" },
            ms / 1000,
            exercise.solve_within_seconds
        ),
        None => {
            ok = false;
            println!("Solution: does NOT reach the goal within {} s; unmet:", exercise.solve_within_seconds);
            for u in &report.unmet {
                println!("  - {u}");
            }
        }
    }
    if ok {
        println!("OK");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_report(sim: &Sim, args: &Args) {
    let totals = sim.metrics().totals;
    let diagnosis = sim.diagnose();
    let targets: Vec<_> = sim
        .targets()
        .map(|t| {
            json!({
                "target": t.endpoint.to_string(),
                "state": t.state.key(),
                "reason": t.reason.as_ref().map(|r| r.code()),
                "description": t.reason.as_ref().map(|r| r.description()),
            })
        })
        .collect();
    let tasks: Vec<_> = sim
        .tasks()
        .map(|t| json!({"task": t.id.to_string(), "state": t.state.key(), "revision": t.revision, "ip": t.private_ip.to_string()}))
        .collect();
    let events: Vec<String> =
        sim.events().iter().rev().take(args.events).map(|e| format!("{:>8.1}s  {}", e.at_ms as f64 / 1000.0, e.message)).collect();
    if args.json {
        let tally: serde_json::Map<String, serde_json::Value> =
            OutcomeClass::ALL.iter().map(|c| (c.key().to_string(), json!(totals.outcome(*c)))).collect();
        let report = json!({
            "scenario": sim.scenario().name,
            "seed": sim.seed(),
            "sim_seconds": sim.now_ms() / 1000,
            "requests_sent": sim.requests_sent(),
            "requests_done": sim.requests_done(),
            "outcomes": tally,
            "metrics": {
                "RequestCount": totals.request_count,
                "HTTPCode_ELB_502_Count": totals.elb_502,
                "HTTPCode_ELB_503_Count": totals.elb_503,
                "HTTPCode_ELB_504_Count": totals.elb_504,
                "HTTPCode_Target_2XX_Count": totals.target_2xx,
                "HTTPCode_Target_4XX_Count": totals.target_4xx,
                "HTTPCode_Target_5XX_Count": totals.target_5xx,
                "UnhealthyRoutingRequestCount": totals.unhealthy_routing,
                "TargetConnectionErrorCount": totals.target_connection_errors,
                "ClientTimeouts": totals.client_timeouts,
                "TargetResponseTime_ms": totals.target_response_time_ms(),
            },
            "targets": targets,
            "tasks": tasks,
            "events": events,
            "diagnosis": diagnosis,
        });
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        return;
    }
    println!("{} (seed {}), {} s of sim time", sim.scenario().name, sim.seed(), sim.now_ms() / 1000);
    println!();
    println!("Outcomes ({} requests):", sim.requests_done());
    for c in OutcomeClass::ALL {
        let n = totals.outcome(c);
        if n > 0 {
            println!("  {:<12} {n}", c.label());
        }
    }
    println!("  {}", client_summary(sim, 60));
    println!();
    println!("Target health:");
    if targets.is_empty() {
        println!("  (no registered targets: 0 healthy / 0 unhealthy)");
    }
    for t in sim.targets() {
        let reason = t.reason.as_ref().map(|r| format!("  {}: {}", r.code(), r.description())).unwrap_or_default();
        println!("  {:<22} {:<10}{reason}", t.endpoint.to_string(), t.state.key());
    }
    println!();
    println!("Tasks:");
    for t in sim.tasks() {
        println!("  {}  {:<14} rev {}  {}", t.short_id(), t.state.key(), t.revision, t.private_ip);
    }
    println!();
    println!("Latest events (newest first):");
    for e in &events {
        println!("  {e}");
    }
    println!();
    println!("Diagnosis: {}", diagnosis.client_sees);
    if diagnosis.findings.is_empty() {
        println!("  Nothing broken: requests reach the app.");
    }
    for f in &diagnosis.findings {
        println!("  [{:?}] {}: {}", f.severity, f.hop, f.cause);
        println!("      AWS shows: {}", f.aws_shows);
        println!("      Fix: {}", f.fix);
    }
}
