//! The command line itself: native only, so clap never reaches the page's build.

use alb_lab::import::{self, report, Imported, NoteKind, Source};
use alb_lab::sim::diagnosis::client_summary;
use alb_lab::sim::exercise::{check_solution, Exercise};
use alb_lab::sim::{OutcomeClass, Scenario, Sim, TICK_MS};
use clap::{Parser, Subcommand};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "alb-lab-scenario",
    version,
    about = "Run, check and import ALB Lab scenarios; diagnose a real AWS setup from its documents."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario natively and print the outcome tally, target states, events and diagnosis.
    Run {
        /// A scenario file (scenarios/*.json).
        file: PathBuf,
        /// Sim seconds to run (at most 86400, one sim day).
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(0..=86_400))]
        seconds: u64,
        /// Seed for the one random generator (the file's own when left out).
        #[arg(long)]
        seed: Option<u64>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// How many of the latest events to print.
        #[arg(long, default_value_t = 15)]
        events: usize,
    },
    /// Validate a scenario file, and nothing else.
    Check {
        /// A scenario file (scenarios/*.json).
        file: PathBuf,
    },
    /// Check an exercise: is it valid, does its start fail the goal, does its solution reach it?
    Exercise {
        /// An exercise file (scenarios/exercises/*.json).
        file: PathBuf,
        /// Sim seconds the untouched start runs (at most 3600).
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=3_600))]
        settle: u64,
    },
    /// Read AWS CLI, Terraform or CloudFormation documents and write the scenario they describe.
    Import {
        /// AWS CLI JSON outputs, collector files, `terraform show -json` documents, templates.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the scenario here instead of to standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Replace account ids, names, resource ids and public addresses by placeholders.
        #[arg(long)]
        redact: bool,
    },
    /// Diagnose a real setup from its documents; exits 1 when a request cannot get through.
    Diagnose {
        /// AWS CLI JSON outputs, collector files, `terraform show -json` documents, templates.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
        /// Replace account ids, names, resource ids and public addresses by placeholders.
        #[arg(long)]
        redact: bool,
    },
    /// Print the AWS CLI documents a scenario implies, as one collector file (after a run).
    Export {
        /// A scenario file (scenarios/*.json).
        file: PathBuf,
        /// Sim seconds to run first, so target health has settled.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=86_400))]
        seconds: u64,
    },
}

pub fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run { file, seconds, seed, json, events } => run(&file, seconds, seed, json, events),
        Command::Check { file } => match load(&file) {
            Ok(s) => {
                println!("{}: valid ({})", file.display(), s.name);
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Exercise { file, settle } => match std::fs::read_to_string(&file) {
            Ok(text) => check_exercise(&file.display().to_string(), &text, settle),
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                ExitCode::from(1)
            }
        },
        Command::Import { files, output, redact } => import_files(&files, output.as_deref(), redact),
        Command::Diagnose { files, json, redact } => diagnose_files(&files, json, redact),
        Command::Export { file, seconds } => match load(&file) {
            Ok(s) => {
                let mut sim = Sim::new(s, None);
                sim.run_for(seconds * 1000);
                println!("{}", serde_json::to_string_pretty(&import::export::collector_file(&sim)).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
    }
}

fn load(file: &Path) -> Result<alb_lab::sim::scenario::ValidScenario, ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("{}: {e}", file.display());
        ExitCode::from(1)
    })?;
    Scenario::from_json(&text).map_err(|errors| {
        eprintln!("{} is not a valid scenario:", file.display());
        for e in &errors.0 {
            eprintln!("  - {e}");
        }
        ExitCode::from(1)
    })
}

fn run(file: &Path, seconds: u64, seed: Option<u64>, json: bool, events: usize) -> ExitCode {
    let scenario = match load(file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut sim = Sim::new(scenario, seed);
    for _ in 0..(seconds * 1000).div_ceil(TICK_MS) {
        sim.tick();
        if let Err(e) = sim.check_invariants() {
            eprintln!("invariant broken at {} ms: {e}", sim.now_ms());
            return ExitCode::from(3);
        }
    }
    print_report(&sim, json, events);
    ExitCode::SUCCESS
}

/// Read the files and import them; print what each document was read as, and every note.
fn read_import(files: &[PathBuf], redact: bool) -> Result<Imported, ExitCode> {
    let mut sources = Vec::new();
    for f in files {
        let meta = std::fs::metadata(f).map_err(|e| {
            eprintln!("{}: {e}", f.display());
            ExitCode::from(2)
        })?;
        if meta.len() > import::MAX_DOCUMENT_BYTES as u64 {
            // Refused before it is read into memory, in the import's own words.
            eprintln!("{}: not imported: {}", f.display(), import::too_big(meta.len() as usize));
            continue;
        }
        let bytes = std::fs::read(f).map_err(|e| {
            eprintln!("{}: {e}", f.display());
            ExitCode::from(2)
        })?;
        sources.push(Source::new(f.display().to_string(), decode(&bytes)));
    }
    let mut imported = import::import(&sources);
    if redact {
        imported = import::redact::redact(&imported).imported;
    }
    for d in &imported.documents {
        match &d.refused {
            Some(why) => eprintln!("{}: not imported: {why}", d.name),
            None => eprintln!("{}: read as {}", d.name, d.read_as.join("; ")),
        }
        for w in &d.warnings {
            eprintln!("{}: warning: {w}", d.name);
        }
    }
    for n in &imported.notes {
        let kind = match n.kind {
            NoteKind::Assumed => "assumed",
            NoteKind::NotModelled => "not modelled",
        };
        match &n.fill {
            Some(fill) => eprintln!("{kind}: {} (fill it: {fill})", n.text),
            None => eprintln!("{kind}: {}", n.text),
        }
    }
    if let Err(errors) = &imported.scenario {
        eprintln!("no scenario could be built:");
        for e in errors {
            eprintln!("  - {e}");
        }
        return Err(ExitCode::from(2));
    }
    Ok(imported)
}

/// A file as text: UTF-8, or UTF-16 with its byte-order mark (what PowerShell's `>` writes).
fn decode(bytes: &[u8]) -> String {
    let utf16 = |be: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn import_files(files: &[PathBuf], output: Option<&Path>, redact: bool) -> ExitCode {
    let imported = match read_import(files, redact) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let text = imported.scenario.as_ref().map(|s| s.to_json()).unwrap_or_default();
    match output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text + "\n") {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {}", path.display());
        }
        None => println!("{text}"),
    }
    ExitCode::SUCCESS
}

fn diagnose_files(files: &[PathBuf], as_json: bool, redact: bool) -> ExitCode {
    let imported = match read_import(files, redact) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let Some(r) = report::report(&imported) else { return ExitCode::from(2) };
    if as_json {
        let notes: Vec<_> = imported.notes.iter().map(|n| json!({ "kind": n.kind, "text": n.text, "fill": n.fill })).collect();
        let out = json!({ "gets_through": r.gets_through, "client_sees": r.client_sees, "findings": r.findings, "observed": r.comparisons, "notes": notes });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!("{}", imported.scenario().map(|s| s.name.as_str()).unwrap_or(""));
        println!("Client: {}", r.client_sees);
        if r.findings.is_empty() {
            println!("Nothing broken: requests reach the app.");
        }
        for f in &r.findings {
            let linter = f.linter.map(|l| format!(" ({l})")).unwrap_or_default();
            println!();
            println!("[{}] {}{linter} at {}: {}", f.severity, f.id, f.hop, f.cause);
            println!("    AWS shows: {}", f.aws_shows);
            println!("    Fix: {}", f.fix);
            if let Some(cmd) = &f.aws_cli {
                println!("    $ {cmd}");
            }
        }
        if !r.comparisons.is_empty() {
            println!();
            println!("Observed by AWS vs simulated:");
            for c in &r.comparisons {
                println!(
                    "  {:<22} AWS: {:<34} simulated: {}{}",
                    c.target,
                    c.observed,
                    c.simulated,
                    match c.verdict {
                        "agree" => "  (agree)",
                        "undecided" => "  (AWS had not decided)",
                        _ => "  (DISAGREE)",
                    }
                );
            }
        }
    }
    if r.gets_through {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
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

fn check_exercise(file: &str, text: &str, settle: u64) -> ExitCode {
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
    let report = match check_solution(&exercise, &scenario, settle) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(3);
        }
    };
    let mut ok = true;
    if report.start_meets_goal {
        ok = false;
        println!("Start: FAILS the exercise: the untouched setup meets the goal within {} s", settle);
    } else {
        println!("Start: does not meet the goal in {} s (as it should)", settle);
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

fn print_report(sim: &Sim, as_json: bool, latest: usize) {
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
        sim.events().iter().rev().take(latest).map(|e| format!("{:>8.1}s  {}", e.at_ms as f64 / 1000.0, e.message)).collect();
    if as_json {
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
