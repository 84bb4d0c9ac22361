//! Exercises: a broken setup, a story, a goal that checks itself, tiered hints and a worked
//! solution.
//!
//! An exercise file names a scenario from `scenarios/` and adds what a workshop needs. It is
//! loaded in two stages like a scenario (serde types with unknown fields refused, then
//! [`Exercise::validate`]). The goal is a list of [`Check`]s read from the running simulation;
//! the page re-checks them live and the native tests prove that the start does not meet the
//! goal and the solution does. The format is documented in docs/authoring-exercises.md.

use super::ecs::{RolloutState, TaskState};
use super::metrics::{BUCKET_MS, MAX_BUCKETS};
use super::scenario::{Scenario, ValidScenario};
use super::trace::{Outcome, OutcomeClass};
use super::{Command, Sim, TICK_MS};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const FORMAT: &str = "alb-lab/exercise";
pub const VERSION: u32 = 1;

/// The groups of knobs an exercise can unlock; they are the page's settings sections.
pub const KNOB_GROUPS: [&str; 7] = ["client", "alb-sg", "listener", "target-group", "task-sg", "task-definition", "service"];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Always `alb-lab/exercise`.
    pub format: String,
    pub version: u32,
    /// Short, URL-safe: `?exercise=<id>` opens it.
    pub id: String,
    pub title: String,
    /// 1 (first steps) to 5 (hard); the picker orders by it.
    pub difficulty: u8,
    /// A few sentences in the tool's own words: what the learner sees and wants.
    pub story: String,
    /// A file name in `scenarios/`, the broken starting setup.
    pub scenario: String,
    /// Knob groups the learner may change (see [`KNOB_GROUPS`]).
    pub unlocked: Vec<String>,
    pub goal: Vec<Check>,
    /// Three tiers: a nudge, which hop, the exact change.
    pub hints: Vec<String>,
    /// The worked solution, applied in order.
    pub solution: Vec<SolutionStep>,
    /// Sim seconds the solution may take to reach the goal (checked by the tests).
    #[serde(default = "default_time_limit")]
    pub solve_within_seconds: u32,
}

fn default_time_limit() -> u32 {
    900
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolutionStep {
    /// What this step does, in words.
    pub explain: String,
    pub command: Command,
}

/// One goal check over the simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Over the last `window_seconds` of sim time, at least `min_percent` of client requests got
    /// a 2xx (and at least one request finished).
    ClientSuccessRate { min_percent: f64, window_seconds: u32 },
    /// Over the last `window_seconds`, at most `max` requests ended in these outcome classes
    /// (`502`, `503`, `504`, `timeout`, `4xx`, `5xx`, `refused`, `ok`).
    OutcomeAtMost { classes: Vec<String>, max: u32, window_seconds: u32 },
    /// The target group shows at least this many healthy targets.
    HealthyTargetsAtLeast { min: u32 },
    /// No target is unhealthy.
    NoUnhealthyTargets,
    /// A direct curl from the client to every running task's IP gets no HTTP answer.
    DirectCurlRefused,
    /// The ECS service exists (CreateService succeeded).
    ServiceCreated,
    /// A deployment of at least this task definition revision has completed.
    DeploymentCompleted { min_revision: u32 },
    /// Since the newest deployment started (the service's first one if none followed), at most
    /// `max` client requests ended in these outcome classes. Unlike a sliding window, waiting does
    /// not clear it: only a new deployment starts a new count. Counts the retained hour at most.
    OutcomeAtMostSinceDeployment { classes: Vec<String>, max: u32 },
    /// No requests were routed by fail-open over the window (UnhealthyRoutingRequestCount 0).
    NoFailOpen { window_seconds: u32 },
}

impl Check {
    /// The check in words, for the goal list.
    pub fn describe(&self) -> String {
        match self {
            Check::ClientSuccessRate { min_percent, window_seconds } => {
                format!("Over the last {window_seconds} s, at least {min_percent}% of client requests get a 2xx")
            }
            Check::OutcomeAtMost { classes, max, window_seconds } => {
                format!("{} in the last {window_seconds} s", at_most(classes, *max))
            }
            Check::OutcomeAtMostSinceDeployment { classes, max } => {
                format!("{} since the latest deployment started", at_most(classes, *max))
            }
            Check::HealthyTargetsAtLeast { min } => format!("The target group shows at least {min} healthy targets"),
            Check::NoUnhealthyTargets => "No target is unhealthy".into(),
            Check::DirectCurlRefused => "A direct curl to a task's IP gets no answer".into(),
            Check::ServiceCreated => "ECS accepts the service".into(),
            Check::DeploymentCompleted { min_revision } => format!("A deployment of revision {min_revision} or later has completed"),
            Check::NoFailOpen { window_seconds } => format!("No request routed by fail-open in the last {window_seconds} s"),
        }
    }

    /// Is the check met right now? With a short note on the current value.
    pub fn evaluate(&self, sim: &Sim) -> CheckStatus {
        let now = sim.now_ms();
        let (is_met, now_text) = match self {
            Check::ClientSuccessRate { min_percent, window_seconds } => {
                let w = sim.metrics().window(now, *window_seconds as u64);
                let total = w.total_outcomes();
                let ok = w.outcome(OutcomeClass::Success);
                if total == 0 {
                    (false, "no requests finished yet".to_string())
                } else {
                    let pct = ok as f64 * 100.0 / total as f64;
                    let covers = now >= *window_seconds as u64 * 1000;
                    (pct >= *min_percent && covers, format!("now {pct:.1}% of {total}"))
                }
            }
            Check::OutcomeAtMost { classes, max, window_seconds } => {
                let w = sim.metrics().window(now, *window_seconds as u64);
                let n: u32 = classes.iter().filter_map(|c| class_from_key(c)).map(|c| w.outcome(c)).sum();
                (n <= *max, format!("now {n}"))
            }
            Check::HealthyTargetsAtLeast { min } => {
                let (healthy, _) = sim.host_counts();
                (healthy as u32 >= *min, format!("now {healthy}"))
            }
            Check::NoUnhealthyTargets => {
                let (_, unhealthy) = sim.host_counts();
                (unhealthy == 0, format!("now {unhealthy} unhealthy"))
            }
            Check::DirectCurlRefused => {
                let running: Vec<_> = sim.tasks().filter(|t| t.state == TaskState::Running).collect();
                let answered = running.iter().filter(|t| matches!(sim.curl_outcome(t.seq, None), Outcome::Http { .. })).count();
                if running.is_empty() {
                    (false, "no task is running".to_string())
                } else {
                    (answered == 0, format!("{answered} of {} running tasks answer", running.len()))
                }
            }
            Check::ServiceCreated => (sim.service_runtime().is_created, String::new()),
            Check::DeploymentCompleted { min_revision } => {
                let done = sim.service_runtime().deployments.iter().any(|d| {
                    d.revision >= *min_revision
                        && d.rollout_state == RolloutState::Completed
                        && sim.service_runtime().deployments.len() == 1
                });
                let rev = sim.service_runtime().deployments.last().map(|d| d.revision).unwrap_or(0);
                (done, format!("primary revision {rev}"))
            }
            Check::OutcomeAtMostSinceDeployment { classes, max } => {
                let started_ms = sim.service_runtime().deployments.last().map(|d| d.created_at_ms).unwrap_or(0);
                let seconds = (now / BUCKET_MS - started_ms / BUCKET_MS + 1).min(MAX_BUCKETS as u64);
                let w = sim.metrics().window(now, seconds);
                let n: u32 = classes.iter().filter_map(|c| class_from_key(c)).map(|c| w.outcome(c)).sum();
                (n <= *max, format!("now {n} in {seconds} s"))
            }
            Check::NoFailOpen { window_seconds } => {
                let w = sim.metrics().window(now, *window_seconds as u64);
                (w.unhealthy_routing == 0, format!("now {}", w.unhealthy_routing))
            }
        };
        CheckStatus { text: self.describe(), is_met, now: now_text }
    }
}

/// "No 502 (ELB) / 503 (ELB)" or "At most 3 502 (ELB)".
fn at_most(classes: &[String], max: u32) -> String {
    let names: Vec<&str> = classes.iter().filter_map(|c| class_from_key(c)).map(|c| c.label()).collect();
    if max == 0 {
        format!("No {}", names.join(" / "))
    } else {
        format!("At most {max} {}", names.join(" / "))
    }
}

fn class_from_key(key: &str) -> Option<OutcomeClass> {
    OutcomeClass::ALL.iter().copied().find(|c| c.key() == key)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckStatus {
    pub text: String,
    pub is_met: bool,
    /// The current value, such as "now 87.5% of 40".
    pub now: String,
}

/// Evaluate every check of a goal.
pub fn evaluate(goal: &[Check], sim: &Sim) -> Vec<CheckStatus> {
    goal.iter().map(|c| c.evaluate(sim)).collect()
}

pub fn is_met(goal: &[Check], sim: &Sim) -> bool {
    goal.iter().all(|c| c.evaluate(sim).is_met)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseError(pub String);

impl fmt::Display for ExerciseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExerciseError {}

impl Exercise {
    /// Parse and check an exercise file. `scenario_text` finds a scenario file's text by name.
    pub fn from_json(text: &str, scenario_text: impl Fn(&str) -> Option<String>) -> Result<(Exercise, ValidScenario), ExerciseError> {
        if text.len() > super::scenario::MAX_FILE_BYTES {
            return Err(ExerciseError("the exercise file is too large".into()));
        }
        let exercise: Exercise = serde_json::from_str(text)
            .map_err(|e| ExerciseError(format!("not a valid ALB Lab exercise (line {}, column {}): {e}", e.line(), e.column())))?;
        let scenario = exercise.validate(scenario_text)?;
        Ok((exercise, scenario))
    }

    /// Check the exercise's own fields and load its scenario.
    pub fn validate(&self, scenario_text: impl Fn(&str) -> Option<String>) -> Result<ValidScenario, ExerciseError> {
        let mut problems = Vec::new();
        if self.format != FORMAT {
            problems.push(format!("format: must be \"{FORMAT}\", got {:?}", self.format));
        }
        if self.version != VERSION {
            problems.push(format!("version: this ALB Lab reads version {VERSION}, got {}", self.version));
        }
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            problems.push(format!("id: must be 1-64 lowercase letters, digits or '-', got {:?}", self.id));
        }
        if self.title.trim().is_empty() || self.title.len() > 120 {
            problems.push("title: must be 1-120 characters".into());
        }
        if !(1..=5).contains(&self.difficulty) {
            problems.push(format!("difficulty: must be 1-5, got {}", self.difficulty));
        }
        if self.story.trim().is_empty() || self.story.len() > 2000 {
            problems.push("story: must be 1-2000 characters".into());
        }
        for (i, k) in self.unlocked.iter().enumerate() {
            if !KNOB_GROUPS.contains(&k.as_str()) {
                problems.push(format!("unlocked[{i}]: must be one of {}, got {k:?}", KNOB_GROUPS.join(", ")));
            }
        }
        if self.goal.is_empty() || self.goal.len() > 10 {
            problems.push("goal: must have 1-10 checks".into());
        }
        for (i, c) in self.goal.iter().enumerate() {
            match c {
                Check::ClientSuccessRate { min_percent, window_seconds } => {
                    if !(min_percent.is_finite() && (0.0..=100.0).contains(min_percent)) {
                        problems.push(format!("goal[{i}].min_percent: must be 0-100"));
                    }
                    if !(10..=3600).contains(window_seconds) {
                        problems.push(format!("goal[{i}].window_seconds: must be 10-3600"));
                    }
                }
                Check::OutcomeAtMost { classes, window_seconds, .. } => {
                    check_classes(&mut problems, i, classes);
                    if !(10..=3600).contains(window_seconds) {
                        problems.push(format!("goal[{i}].window_seconds: must be 10-3600"));
                    }
                }
                Check::OutcomeAtMostSinceDeployment { classes, .. } => check_classes(&mut problems, i, classes),
                Check::NoFailOpen { window_seconds } if !(10..=3600).contains(window_seconds) => {
                    problems.push(format!("goal[{i}].window_seconds: must be 10-3600"));
                }
                _ => {}
            }
        }
        if self.hints.len() != 3 {
            problems.push(format!("hints: must have exactly 3 tiers (a nudge, which hop, the exact change), got {}", self.hints.len()));
        }
        if self.solution.is_empty() {
            problems.push("solution: must have at least one step".into());
        }
        if !(60..=7200).contains(&self.solve_within_seconds) {
            problems.push("solve_within_seconds: must be 60-7200".into());
        }
        let scenario = match scenario_text(&self.scenario) {
            None => {
                problems.push(format!("scenario: no scenario file {:?} in scenarios/", self.scenario));
                None
            }
            Some(text) => match Scenario::from_json(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    problems.push(format!("scenario {:?} is invalid: {e}", self.scenario));
                    None
                }
            },
        };
        match (problems.is_empty(), scenario) {
            (true, Some(s)) => Ok(s),
            _ => Err(ExerciseError(problems.join("\n"))),
        }
    }
}

fn check_classes(problems: &mut Vec<String>, i: usize, classes: &[String]) {
    if classes.is_empty() {
        problems.push(format!("goal[{i}].classes: name at least one outcome class"));
    }
    for c in classes {
        if class_from_key(c).is_none() {
            let keys: Vec<&str> = OutcomeClass::ALL.iter().map(|c| c.key()).collect();
            problems.push(format!("goal[{i}].classes: unknown outcome class {c:?} (one of {})", keys.join(", ")));
        }
    }
}

/// The result of checking an exercise natively: does the start fail the goal, and does the
/// worked solution reach it in time?
#[derive(Clone, Debug, PartialEq)]
pub struct SolutionReport {
    /// The goal was met at some moment while the untouched start ran.
    pub start_meets_goal: bool,
    /// Sim time from the first solution step until the goal was first met (whole seconds), if
    /// within `solve_within_seconds`.
    pub solved_after_ms: Option<u64>,
    /// Solution steps the simulation refused, with its error.
    pub failed_steps: Vec<String>,
    /// The goal's checks that were not met when the run ended, with their current values.
    pub unmet: Vec<String>,
}

/// Sim time between two solution steps, like a learner clicking through the settings.
pub const SOLUTION_STEP_GAP_MS: u64 = 10_000;

/// Run the untouched start for `settle_seconds` after its warm-up, checking the goal every tick
/// (it must never be met), then apply the solution one step at a time, [`SOLUTION_STEP_GAP_MS`]
/// apart, and run until the goal is met (checked every sim second after the last step) or
/// `solve_within_seconds` have passed since the first step. Every tick is checked against the
/// simulation's invariants; a broken invariant is the `Err`.
pub fn check_solution(exercise: &Exercise, scenario: &ValidScenario, settle_seconds: u64) -> Result<SolutionReport, String> {
    let mut sim = Sim::new(scenario.clone(), None);
    let mut start_meets_goal = false;
    let tick = |sim: &mut Sim| {
        sim.tick();
        sim.check_invariants().map_err(|e| format!("invariant broken at {} ms: {e}", sim.now_ms()))
    };
    for _ in 0..(settle_seconds * 1000).div_ceil(TICK_MS) {
        tick(&mut sim)?;
        start_meets_goal |= is_met(&exercise.goal, &sim);
    }
    let start = sim.now_ms();
    let limit = exercise.solve_within_seconds as u64 * 1000;
    let mut failed_steps = Vec::new();
    for (i, step) in exercise.solution.iter().enumerate() {
        if let Err(e) = sim.apply(step.command.clone()) {
            failed_steps.push(format!("step {} ({}): {e}", i + 1, step.explain));
        }
        if i + 1 < exercise.solution.len() {
            for _ in 0..SOLUTION_STEP_GAP_MS / TICK_MS {
                tick(&mut sim)?;
            }
        }
    }
    let mut solved_after_ms = None;
    loop {
        if sim.now_ms() % 1000 == 0 && is_met(&exercise.goal, &sim) {
            solved_after_ms = Some(sim.now_ms() - start);
            break;
        }
        if sim.now_ms() - start >= limit {
            break;
        }
        tick(&mut sim)?;
    }
    let unmet = evaluate(&exercise.goal, &sim).into_iter().filter(|c| !c.is_met).map(|c| format!("{} ({})", c.text, c.now)).collect();
    Ok(SolutionReport { start_meets_goal, solved_after_ms, failed_steps, unmet })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_read_the_running_sim() {
        let scenario = crate::scenarios::default_scenario();
        let mut sim = Sim::new(scenario, None);
        sim.run_for(90_000);
        assert!(Check::ClientSuccessRate { min_percent: 99.0, window_seconds: 60 }.evaluate(&sim).is_met);
        assert!(Check::HealthyTargetsAtLeast { min: 2 }.evaluate(&sim).is_met);
        assert!(!Check::HealthyTargetsAtLeast { min: 3 }.evaluate(&sim).is_met);
        // Tasks have no public IP in the default scenario: curl gets nothing.
        assert!(Check::DirectCurlRefused.evaluate(&sim).is_met);
        assert!(Check::OutcomeAtMost { classes: vec!["503".into()], max: 0, window_seconds: 30 }.evaluate(&sim).is_met);
        assert!(!Check::DeploymentCompleted { min_revision: 2 }.evaluate(&sim).is_met);
        assert!(Check::DeploymentCompleted { min_revision: 1 }.evaluate(&sim).is_met);
    }

    #[test]
    fn a_bad_exercise_names_each_problem() {
        let text = r#"{"format":"alb-lab/exercise","version":1,"id":"Bad Id","title":"t","difficulty":9,"story":"s",
            "scenario":"missing.json","unlocked":["everything"],"goal":[],"hints":["a"],"solution":[]}"#;
        let err = Exercise::from_json(text, |_| None).unwrap_err().0;
        for needle in ["id:", "difficulty:", "unlocked[0]", "goal:", "hints:", "solution:", "scenario:"] {
            assert!(err.contains(needle), "{needle} missing in {err}");
        }
        assert!(Exercise::from_json("{\"format\":1}", |_| None).is_err());
        assert!(Exercise::from_json(r#"{"format":"alb-lab/exercise","extra":true}"#, |_| None).unwrap_err().0.contains("unknown field"));
    }
}
