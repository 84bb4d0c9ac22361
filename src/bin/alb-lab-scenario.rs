//! `alb-lab-scenario`: validate a scenario file, run it natively for some sim time, and print
//! the outcome tally, the target states, the service events and the diagnosis.
//!
//! ```text
//! alb-lab-scenario FILE [--seconds N] [--seed N] [--json] [--events N]
//! alb-lab-scenario --check FILE        validate only
//! ```
//! Exit codes: 0 ok, 1 the file is invalid, 2 bad arguments.

use alb_lab::sim::diagnosis::client_summary;
use alb_lab::sim::{OutcomeClass, Scenario, Sim, TICK_MS};
use serde_json::json;
use std::process::ExitCode;

const USAGE: &str = "usage: alb-lab-scenario FILE [--seconds N] [--seed N] [--json] [--events N]\n       alb-lab-scenario --check FILE";

struct Args {
    file: String,
    seconds: u64,
    seed: Option<u64>,
    json: bool,
    check_only: bool,
    events: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { file: String::new(), seconds: 600, seed: None, json: false, check_only: false, events: 15 };
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
