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
pub const KNOB_GROUPS: [&str; 8] = {
    let g = super::knobs::GROUPS;
    [g[0].0, g[1].0, g[2].0, g[3].0, g[4].0, g[5].0, g[6].0, g[7].0]
};

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
    /// The goal counts as reached once every check has held for this many sim seconds in a row
    /// (see [`GoalTracker`]), so a change that breaks things more slowly than it looks (requests
    /// still waiting, targets not yet marked unhealthy) cannot pass for a moment.
    #[serde(default = "default_hold")]
    pub hold_seconds: u32,
}

fn default_time_limit() -> u32 {
    900
}

fn default_hold() -> u32 {
    30
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
    /// The security group `group_id` has inbound rules, and every one has one of `sources` as its
    /// source (a security group id or a CIDR, written as in the rule): least privilege, which a
    /// curl cannot show when the tasks have no public IP. A group with no rules admits nothing
    /// and does not meet it.
    SecurityGroupAdmitsOnly { group_id: String, sources: Vec<String> },
    /// With the forwarded target group's health-check settings, a task whose app hangs stops
    /// getting traffic within `seconds` at worst (its target turns unhealthy), by the clock
    /// the core computes from the settings.
    HungTaskCaughtWithin { seconds: u32 },
    /// Every subnet the service places tasks in is still associated with the network ACL
    /// `network_acl_id`: the fix keeps the subnets' own ACL instead of falling back to the
    /// default one, which allows everything.
    SubnetsUseNetworkAcl { network_acl_id: String },
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
            Check::HealthyTargetsAtLeast { min } => {
                format!("The target group shows at least {min} healthy target{}", if *min == 1 { "" } else { "s" })
            }
            Check::NoUnhealthyTargets => "No target is unhealthy".into(),
            Check::DirectCurlRefused => "A direct curl to a task's IP gets no answer".into(),
            Check::ServiceCreated => "ECS accepts the service".into(),
            Check::DeploymentCompleted { min_revision } => format!("A deployment of revision {min_revision} or later has completed"),
            Check::NoFailOpen { window_seconds } => format!("No request routed by fail-open in the last {window_seconds} s"),
            Check::SecurityGroupAdmitsOnly { group_id, sources } => format!("{group_id} admits traffic only from {}", sources.join(" or ")),
            Check::HungTaskCaughtWithin { seconds } => format!("A hung task's target turns unhealthy within {seconds} s at worst"),
            Check::SubnetsUseNetworkAcl { network_acl_id } => format!("The tasks' subnets keep network ACL {network_acl_id}"),
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
            Check::ServiceCreated => {
                let created = sim.service_runtime().is_created;
                (created, if created { "created".to_string() } else { "not created".to_string() })
            }
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
            Check::SecurityGroupAdmitsOnly { group_id, sources } => match sim.scenario().find_security_group(group_id) {
                None => (false, format!("{group_id} does not exist")),
                Some(g) => {
                    let others: Vec<String> = g
                        .ingress
                        .iter()
                        .filter(|r| !sources.contains(&r.source))
                        .map(|r| format!("TCP {} from {}", r.ports_text(), r.source))
                        .collect();
                    // Admitting nothing is not "only from the load balancer": it admits no one.
                    if g.ingress.is_empty() {
                        (false, "no inbound rules: it admits nothing".to_string())
                    } else if others.is_empty() {
                        (true, format!("{} rule{}", g.ingress.len(), if g.ingress.len() == 1 { "" } else { "s" }))
                    } else {
                        (false, format!("also {}", others.join(", ")))
                    }
                }
            },
            Check::SubnetsUseNetworkAcl { network_acl_id } => {
                let s = sim.scenario();
                let subnets =
                    s.service.as_ref().and_then(|v| v.network_configuration.as_ref()).map(|n| n.subnets.clone()).unwrap_or_default();
                let off: Vec<&str> = subnets
                    .iter()
                    .filter(|sub| s.network_acl_of(sub).map(|a| a.id.as_str()) != Some(network_acl_id.as_str()))
                    .map(|sub| sub.as_str())
                    .collect();
                if subnets.is_empty() {
                    (false, "the service has no subnets".to_string())
                } else if off.is_empty() {
                    (true, format!("{} subnet{}", subnets.len(), if subnets.len() == 1 { "" } else { "s" }))
                } else {
                    (false, format!("{} use{} another network ACL", off.join(", "), if off.len() == 1 { "s" } else { "" }))
                }
            }
            Check::HungTaskCaughtWithin { seconds } => {
                let s = sim.scenario();
                let tg = s.route(s.client.port, &s.client.path).and_then(|r| match r.action {
                    super::scenario::Action::Forward { target_group } => s.find_target_group(target_group),
                    _ => None,
                });
                match tg {
                    None => (false, "the client's requests reach no target group".to_string()),
                    Some(tg) => {
                        let worst = super::health::HealthClock::of(
                            &tg.health_check,
                            tg.deregistration_delay_seconds,
                            s.task_definition.container.app.startup_seconds,
                        )
                        .unhealthy_after_ms
                        .1;
                        (worst <= *seconds as u64 * 1000, format!("now up to {} s", worst.div_ceil(1000)))
                    }
                }
            }
        };
        CheckStatus { text: self.describe(), is_met, now: now_text }
    }
}

/// The knob group (one of [`KNOB_GROUPS`]) a command belongs to, so an exercise can lock the
/// rest. `None` for what is always allowed: watching and probing (send one request, curl a task,
/// the client's load) and the simulator's own options. A security group belongs to `alb-sg` when
/// the load balancer uses it and to `task-sg` when the service's tasks or container instances do.
pub fn knob_group(command: &Command, scenario: &Scenario) -> Option<&'static str> {
    match command {
        Command::SetRequestRate { .. }
        | Command::SendRequest
        | Command::CurlTask { .. }
        | Command::FailTask { .. }
        | Command::SetOptions { .. } => None,
        Command::SetClientTarget { .. } => Some("client"),
        Command::SetSubnets { .. }
        | Command::SetServiceSubnets { .. }
        | Command::CreateNetworkAcl { .. }
        | Command::CreateNetworkAclEntry { .. }
        | Command::DeleteNetworkAclEntry { .. }
        | Command::ReplaceNetworkAclAssociation { .. } => Some("network"),
        Command::ModifyListener { .. }
        | Command::CreateListener { .. }
        | Command::DeleteListener { .. }
        | Command::ModifyLoadBalancerAttributes { .. } => Some("listener"),
        Command::AuthorizeSecurityGroupIngress { group_id, .. }
        | Command::RevokeSecurityGroupIngress { group_id, .. }
        | Command::AuthorizeSecurityGroupEgress { group_id, .. }
        | Command::RevokeSecurityGroupEgress { group_id, .. } => {
            if scenario.load_balancer.security_groups.contains(group_id) {
                Some("alb-sg")
            } else {
                Some("task-sg")
            }
        }
        Command::ModifyTargetGroup { .. } | Command::ModifyTargetGroupAttributes { .. } | Command::RecreateTargetGroup { .. } => {
            Some("target-group")
        }
        Command::RegisterTaskDefinition { .. } | Command::SetContainerPort { .. } => Some("task-definition"),
        Command::CreateService | Command::UpdateService { .. } | Command::AttachLoadBalancer { .. } | Command::DetachLoadBalancer => {
            Some("service")
        }
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
        let resolved = resolve_cli_steps(text, &scenario_text)?;
        let text = resolved.as_deref().unwrap_or(text);
        let exercise: Exercise = super::json::read(text).map_err(|e| {
            ExerciseError(if e.field.is_empty() { format!("not a valid ALB Lab exercise: {}", e.message) } else { e.to_string() })
        })?;
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
                Check::SecurityGroupAdmitsOnly { sources, .. } if sources.is_empty() => {
                    problems.push(format!("goal[{i}].sources: name at least one source"));
                }
                Check::HungTaskCaughtWithin { seconds } if !(1..=3600).contains(seconds) => {
                    problems.push(format!("goal[{i}].seconds: must be 1-3600"));
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
        if self.hold_seconds > 600 || self.hold_seconds >= self.solve_within_seconds {
            problems.push("hold_seconds: must be 0-600 and less than solve_within_seconds".into());
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
        if let Some(s) = &scenario {
            // A hint that names an aws command names one the console takes.
            for (i, hint) in self.hints.iter().enumerate() {
                for service in ["aws ec2 ", "aws ecs ", "aws elbv2 "] {
                    if let Some(at) = hint.find(service) {
                        let line = hint[at..].trim_end().trim_end_matches('.');
                        if let Err(e) = super::cli::parse(line, s.get()) {
                            problems.push(format!("hints[{i}]: the console would refuse {line:?}: {e}"));
                        }
                    }
                }
            }
            for (i, step) in self.solution.iter().enumerate() {
                if let Some(group) = knob_group(&step.command, s.get()) {
                    if !self.unlocked.iter().any(|u| u == group) {
                        problems.push(format!("solution[{i}]: uses the {group} knobs, which \"unlocked\" does not list"));
                    }
                }
            }
            for (i, c) in self.goal.iter().enumerate() {
                if let Check::SecurityGroupAdmitsOnly { group_id, .. } = c {
                    if s.get().find_security_group(group_id).is_none() {
                        problems.push(format!("goal[{i}].group_id: no security group {group_id:?} in {}", self.scenario));
                    }
                }
                if let Check::SubnetsUseNetworkAcl { network_acl_id } = c {
                    if !s.get().network_acls.iter().any(|a| a.id == *network_acl_id) {
                        problems.push(format!("goal[{i}].network_acl_id: no network ACL {network_acl_id:?} in {}", self.scenario));
                    }
                }
            }
        }
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

/// Follows a goal as the simulation runs: the goal is reached once all its checks have been met
/// at every whole sim second for [`Exercise::hold_seconds`] in a row, and stays reached after
/// (the page shows "solved"). Call [`GoalTracker::update`] after ticks; it looks at the goal
/// once per whole sim second.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoalTracker {
    /// Since when (sim ms, a whole second) every check has been met without a break.
    pub met_since_ms: Option<u64>,
    /// When the goal was first reached (sim ms).
    pub reached_at_ms: Option<u64>,
    last_second: Option<u64>,
}

impl GoalTracker {
    /// Look at the goal now (at most once per sim second). Returns whether it has been reached.
    pub fn update(&mut self, exercise: &Exercise, sim: &Sim) -> bool {
        let now = sim.now_ms();
        let second = now / 1000;
        // Time went back (a past moment became the present: a branch on the timeline): what
        // was met in the discarded future no longer counts.
        if self.reached_at_ms.is_none() && self.last_second.is_some_and(|last| last > second) {
            *self = GoalTracker::default();
        }
        if self.reached_at_ms.is_some() || self.last_second == Some(second) {
            return self.reached_at_ms.is_some();
        }
        self.last_second = Some(second);
        if is_met(&exercise.goal, sim) {
            let since = *self.met_since_ms.get_or_insert(second * 1000);
            if now.saturating_sub(since) >= exercise.hold_seconds as u64 * 1000 {
                self.reached_at_ms = Some(now);
            }
        } else {
            self.met_since_ms = None;
        }
        self.reached_at_ms.is_some()
    }
}

/// The result of checking an exercise natively: does the start fail the goal, and does the
/// worked solution reach it in time?
#[derive(Clone, Debug, PartialEq)]
pub struct SolutionReport {
    /// The goal was met at some moment while the untouched start ran.
    pub start_meets_goal: bool,
    /// Sim time from the first solution step until the goal was reached (held for
    /// `hold_seconds`), if within `solve_within_seconds`.
    pub solved_after_ms: Option<u64>,
    /// Solution steps the simulation refused, with its error.
    pub failed_steps: Vec<String>,
    /// The goal's checks that were not met when the run ended, with their current values.
    pub unmet: Vec<String>,
}

/// An author may write a solution step as the `aws` command a learner would type
/// (`{"explain": …, "cli": "aws ec2 authorize-security-group-ingress …"}`) instead of a
/// `command`. Each such step is read by the console's own reader ([`super::cli::parse`]) against
/// the setup the steps before it leave, and becomes the command it makes; a line the console
/// would refuse is the exercise's error. `None` when no step is written that way.
fn resolve_cli_steps(text: &str, scenario_text: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, ExerciseError> {
    use serde_json::Value;
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else { return Ok(None) };
    let has_cli = |v: &Value| v["solution"].as_array().is_some_and(|steps| steps.iter().any(|s| s.get("cli").is_some()));
    if !has_cli(&doc) {
        return Ok(None);
    }
    // Without a readable scenario the steps cannot be read; `validate` names that problem.
    let Some(scenario) = doc["scenario"].as_str().and_then(scenario_text).and_then(|t| Scenario::from_json(&t).ok()) else {
        return Ok(None);
    };
    let mut sim = Sim::new(scenario, None);
    let Some(steps) = doc["solution"].as_array_mut() else { return Ok(None) };
    for (i, step) in steps.iter_mut().enumerate() {
        let Some(obj) = step.as_object_mut() else { continue };
        let command = match (obj.remove("cli"), obj.get("command")) {
            (Some(_), Some(_)) => return Err(ExerciseError(format!("solution[{i}]: give \"command\" or \"cli\", not both"))),
            (Some(line), None) => {
                let Some(line) = line.as_str().map(str::to_string) else {
                    return Err(ExerciseError(format!("solution[{i}].cli: must be a string")));
                };
                match super::cli::parse(&line, sim.scenario()) {
                    Ok(super::cli::Parsed::Change { command, .. }) => {
                        obj.insert("command".into(), serde_json::to_value(&command).expect("a command serializes"));
                        command
                    }
                    Ok(_) => return Err(ExerciseError(format!("solution[{i}].cli: {line:?} changes nothing; a step must be a change"))),
                    Err(e) => return Err(ExerciseError(format!("solution[{i}].cli: {e}"))),
                }
            }
            (None, Some(command)) => match serde_json::from_value::<Command>(command.clone()) {
                Ok(command) => command,
                // The reader below names what is wrong with it.
                Err(_) => return Ok(Some(doc.to_string())),
            },
            (None, None) => continue,
        };
        // Refusals are the solution check's to report, step by step.
        let _ = sim.apply(command);
    }
    Ok(Some(doc.to_string()))
}

/// Sim time between two solution steps, like a learner clicking through the settings.
pub const SOLUTION_STEP_GAP_MS: u64 = 10_000;

/// Run the untouched start for `settle_seconds` after its warm-up, checking the goal after every
/// tick (it must not be met even for a moment), then apply the solution one step at a time,
/// [`SOLUTION_STEP_GAP_MS`] apart, and run until the goal is reached as a [`GoalTracker`] sees it
/// (held for `hold_seconds`) or `solve_within_seconds` have passed since the first step. Every
/// tick is checked against the simulation's invariants; a broken invariant is the `Err`.
pub fn check_solution(exercise: &Exercise, scenario: &ValidScenario, settle_seconds: u64) -> Result<SolutionReport, String> {
    check_solution_with(exercise, scenario, settle_seconds, |command, _| Ok(command.clone()))
}

/// [`check_solution`], with each step first turned into the command a learner would give
/// another way (typed at the AWS CLI console, say); an `Err` from `via` fails the step.
pub fn check_solution_with(
    exercise: &Exercise,
    scenario: &ValidScenario,
    settle_seconds: u64,
    via: impl Fn(&Command, &Sim) -> Result<Command, String>,
) -> Result<SolutionReport, String> {
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
        if let Err(e) = via(&step.command, &sim).and_then(|c| sim.apply(c).map_err(|e| e.to_string())) {
            failed_steps.push(format!("step {} ({}): {e}", i + 1, step.explain));
        }
        if i + 1 < exercise.solution.len() {
            for _ in 0..SOLUTION_STEP_GAP_MS / TICK_MS {
                tick(&mut sim)?;
            }
        }
    }
    let mut tracker = GoalTracker::default();
    let mut solved_after_ms = None;
    loop {
        if tracker.update(exercise, &sim) {
            solved_after_ms = tracker.reached_at_ms.map(|t| t - start);
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
        assert!(Exercise::from_json(r#"{"format":"alb-lab/exercise","extra":true}"#, |_| None)
            .unwrap_err()
            .0
            .contains("extra: is not a field ALB Lab knows here"));
    }
    fn exercise(goal: &str, unlocked: &str, solution: &str) -> Result<(Exercise, ValidScenario), ExerciseError> {
        let text = format!(
            r#"{{"format":"alb-lab/exercise","version":1,"id":"t","title":"t","difficulty":1,"story":"s","scenario":"default.json",
            "unlocked":{unlocked},"goal":{goal},"hints":["a","b","c"],"solution":{solution}}}"#
        );
        Exercise::from_json(&text, crate::scenarios::scenario_text)
    }

    const SCALE: &str = r#"[{"explain":"scale","command":{"command":"update_service","desired_count":2}}]"#;

    #[test]
    fn a_solution_may_only_use_unlocked_knobs() {
        let open_sg = r#"[{"explain":"x","command":{"command":"authorize_security_group_ingress","group_id":"sg-task","from_port":1,"to_port":2,"source":"sg-alb"}}]"#;
        let err = exercise(r#"[{"check":"service_created"}]"#, r#"["service","alb-sg"]"#, open_sg).unwrap_err().0;
        assert!(err.contains("solution[0]: uses the task-sg knobs"), "{err}");
        assert!(exercise(r#"[{"check":"service_created"}]"#, r#"["task-sg"]"#, open_sg).is_ok());
        let scenario = crate::scenarios::default_scenario();
        let alb = Command::RevokeSecurityGroupIngress { group_id: "sg-alb".into(), from_port: 80, to_port: 80, source: "0.0.0.0/0".into() };
        assert_eq!(knob_group(&alb, scenario.get()), Some("alb-sg"));
        assert_eq!(knob_group(&Command::SendRequest, scenario.get()), None);
        assert_eq!(knob_group(&Command::SetContainerPort { container_port: 80 }, scenario.get()), Some("task-definition"));
    }

    #[test]
    fn least_privilege_is_read_from_the_rules() {
        let (ex, scenario) =
            exercise(r#"[{"check":"security_group_admits_only","group_id":"sg-task","sources":["sg-alb"]}]"#, r#"["service"]"#, SCALE)
                .expect("valid");
        let mut sim = Sim::new(scenario, None);
        assert!(is_met(&ex.goal, &sim));
        let open = Command::AuthorizeSecurityGroupIngress {
            group_id: "sg-task".into(),
            from_port: 8000,
            to_port: 8000,
            source: "0.0.0.0/0".into(),
        };
        sim.apply(open).expect("accepted");
        let status = ex.goal[0].evaluate(&sim);
        assert!(!status.is_met);
        assert!(status.now.contains("0.0.0.0/0"), "{}", status.now);
        let err =
            exercise(r#"[{"check":"security_group_admits_only","group_id":"sg-nope","sources":["sg-alb"]}]"#, r#"["service"]"#, SCALE)
                .unwrap_err()
                .0;
        assert!(err.contains("goal[0].group_id"), "{err}");
    }

    #[test]
    fn errors_since_a_deployment_are_counted_until_the_next_one() {
        let (ex, scenario) =
            exercise(r#"[{"check":"outcome_at_most_since_deployment","classes":["503"],"max":0}]"#, r#"["service"]"#, SCALE)
                .expect("valid");
        let mut sim = Sim::new(scenario, None);
        sim.run_for(30_000);
        assert!(is_met(&ex.goal, &sim));
        // No task: every request gets 503, and waiting does not clear the count.
        sim.apply(Command::UpdateService {
            desired_count: Some(0),
            health_check_grace_period_seconds: None,
            minimum_healthy_percent: None,
            maximum_percent: None,
            assign_public_ip: None,
            force_new_deployment: false,
        })
        .expect("accepted");
        sim.run_for(600_000);
        assert!(!is_met(&ex.goal, &sim));
        sim.run_for(600_000);
        assert!(!is_met(&ex.goal, &sim), "a sliding window would have forgotten the 503s by now; this check must not");
        let before = ex.goal[0].evaluate(&sim);
        assert!(before.now.starts_with("now "), "{}", before.now);
    }

    #[test]
    fn the_goal_is_reached_only_after_it_holds() {
        let (mut ex, scenario) = exercise(r#"[{"check":"healthy_targets_at_least","min":2}]"#, r#"["service"]"#, SCALE).expect("valid");
        ex.hold_seconds = 30;
        let mut sim = Sim::new(scenario, None);
        let mut tracker = GoalTracker::default();
        assert!(is_met(&ex.goal, &sim), "the warmed-up default has two healthy targets");
        for _ in 0..290 {
            sim.tick();
            assert!(!tracker.update(&ex, &sim), "reached before holding 30 s");
        }
        for _ in 0..20 {
            sim.tick();
            tracker.update(&ex, &sim);
        }
        assert_eq!(tracker.reached_at_ms.zip(tracker.met_since_ms).map(|(r, s)| r - s), Some(30_000));
    }
}
