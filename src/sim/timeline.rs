//! Time travel. The core is deterministic, so a moment of a run is (its scenario, its seed, the
//! commands applied with their sim times, a sim time). [`Timeline`] records the commands as the
//! page applies them and keeps a copy of the whole [`Sim`] every [`SNAPSHOT_EVERY_MS`] of sim
//! time, so that showing any moment of the last [`WINDOW_MS`] is one clone and at most a minute
//! of replay. Pure like the rest of the core: it reads no clock, and a moment it shows is the
//! state a fresh run with the same commands reaches at that time (`tests/timeline.rs`).
//!
//! While a past moment is shown, the live run is parked in the timeline. Going on from the past
//! either discards the later history or keeps it as a branch that can be returned to; a change
//! made in the past does the second.

use super::{Command, EventSource, Sim, TICK_MS};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How often a copy of the run is kept. At most this much sim time is replayed to show a moment
/// (a sim minute at 200 requests/s: docs/benchmarks.md).
pub const SNAPSHOT_EVERY_MS: u64 = 60_000;
/// How far back the timeline reaches: the last sim hour, as far as the metrics go.
pub const WINDOW_MS: u64 = 3_600_000;
/// Commands kept in a branch. Past this the oldest are dropped with the snapshots before them,
/// and the run can no longer be linked from its start.
pub const MAX_RECORDED: usize = 1_000;
/// Branches kept besides the one being run.
pub const MAX_BRANCHES: usize = 3;
/// A link carries a moment at most this far into its run: opening it replays the run from the
/// start (two sim hours at the heaviest load is about 1 s natively).
pub const MAX_LINK_MOMENT_MS: u64 = 2 * 3_600_000;

/// A command the run applied, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub at_ms: u64,
    pub command: Command,
}

/// The run at one moment, and how many of the recorded commands it has applied.
#[derive(Clone, Debug)]
struct Snapshot {
    sim: Sim,
    applied: usize,
}

/// A history that was left for another, kept to return to.
#[derive(Clone, Debug)]
pub struct Branch {
    /// Where it parted from the one that replaced it.
    pub parted_at_ms: u64,
    /// How far it had run.
    pub end_ms: u64,
    /// Its commands, from the start of the timeline.
    commands: Vec<Recorded>,
    /// How many of them the common history holds.
    common: usize,
}

impl Branch {
    /// The changes made on this branch after it parted.
    pub fn own_commands(&self) -> &[Recorded] {
        &self.commands[self.common..]
    }
}

/// The moment a page shows while it looks at the past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewing {
    pub at_ms: u64,
    /// Recorded commands applied at that moment.
    pub applied: usize,
}

/// What happened, for the timeline's markers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub at_ms: u64,
    pub kind: MarkerKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// A learner's change (or request, curl, crash).
    Change,
    Deployment,
    Target,
    Task,
    /// The first 5xx after a quiet period.
    Errors,
    /// An exercise's goal was met (added by the page).
    Goal,
}

impl MarkerKind {
    pub fn key(self) -> &'static str {
        match self {
            MarkerKind::Change => "change",
            MarkerKind::Deployment => "deployment",
            MarkerKind::Target => "target",
            MarkerKind::Task => "task",
            MarkerKind::Errors => "errors",
            MarkerKind::Goal => "goal",
        }
    }
}

/// A quiet period before a 5xx counts as a new "first 5xx": ten sim seconds without one.
pub const QUIET_BEFORE_5XX_MS: u64 = 10_000;

/// `Default` is a timeline not started yet: it only notes commands ([`Timeline::note`]) until
/// [`Timeline::start`] builds it from the run's beginning. The page starts it when the timeline's
/// code arrives, so the first load carries no copy of the run.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Oldest first; the first is where the timeline begins.
    snapshots: VecDeque<Snapshot>,
    /// Every command since the first snapshot's history began, in the order applied.
    commands: Vec<Recorded>,
    /// Commands dropped from the front (the run is then not linkable from its start).
    dropped: usize,
    start_ms: u64,
    head_ms: u64,
    /// The live run, while the page shows a past moment.
    parked: Option<Sim>,
    viewing: Option<Viewing>,
    branches: Vec<Branch>,
}

impl Timeline {
    /// A timeline that begins at this run's present (a new run, a reset).
    pub fn new(sim: &Sim) -> Timeline {
        Timeline {
            snapshots: VecDeque::from([Snapshot { sim: sim.clone(), applied: 0 }]),
            commands: Vec::new(),
            dropped: 0,
            start_ms: sim.now_ms(),
            head_ms: sim.now_ms(),
            parked: None,
            viewing: None,
            branches: Vec::new(),
        }
    }

    /// A timeline not started (see `Default`) noting a command the run applied at `at_ms`.
    /// (A started timeline, installed from a link before the page's hooks arrived, keeps every
    /// command: its snapshots count them; the first `record` after the hooks trims it.)
    pub fn note(&mut self, at_ms: u64, command: Command) {
        if self.is_started() {
            self.head_ms = self.head_ms.max(at_ms);
        } else if self.commands.len() >= MAX_RECORDED {
            self.dropped += self.commands.len();
            self.commands.clear();
        }
        self.commands.push(Recorded { at_ms, command });
    }

    pub fn is_started(&self) -> bool {
        !self.snapshots.is_empty()
    }

    /// Build a noted timeline for `live`, whose run began as `fresh` (a new `Sim` from the same
    /// scenario and seed): the noted commands are replayed to `live`'s time, keeping snapshots.
    /// A timeline that lost commands (more than [`MAX_RECORDED`] before it started), or a run
    /// longer than [`MAX_LINK_MOMENT_MS`], begins at `live` instead.
    pub fn start(self, fresh: Sim, live: &Sim) -> Timeline {
        if self.is_started() {
            return self;
        }
        // A run already longer than a link may replay would block the page to rebuild: the
        // timeline then begins now.
        if self.dropped == 0 && live.now_ms() <= MAX_LINK_MOMENT_MS {
            if let Ok((timeline, _)) = Timeline::replay_from_start(fresh, self.commands, live.now_ms()) {
                return timeline;
            }
        }
        let mut timeline = Timeline::new(live);
        timeline.dropped = 1;
        timeline
    }

    /// When the run began (after its warm-up).
    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }
    /// The live run's time.
    pub fn head_ms(&self) -> u64 {
        self.head_ms
    }
    /// The earliest moment that can be shown.
    pub fn earliest_ms(&self) -> u64 {
        self.snapshots.front().map_or(self.start_ms, |s| s.sim.now_ms())
    }
    /// The past moment shown, if any.
    pub fn viewing(&self) -> Option<Viewing> {
        self.viewing
    }
    /// The live run: parked while the past is shown.
    pub fn parked(&self) -> Option<&Sim> {
        self.parked.as_ref()
    }
    pub fn commands(&self) -> &[Recorded] {
        &self.commands
    }
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }
    /// How many copies of the run are kept now.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// The live run applied `command` at its present. Call it after a command succeeded (a
    /// refused one changes nothing, so it is not history).
    pub fn record(&mut self, sim: &Sim, command: Command) {
        debug_assert!(self.viewing.is_none(), "a change in the past goes through resume_here first");
        self.head_ms = sim.now_ms();
        self.commands.push(Recorded { at_ms: sim.now_ms(), command });
        if self.commands.len() > MAX_RECORDED {
            // Start the timeline again from now: every earlier command is then no longer
            // needed to show a moment.
            self.snapshots.push_back(Snapshot { sim: sim.clone(), applied: self.commands.len() });
            self.trim_to(self.snapshots.len() - 1);
        }
    }

    /// The live run ticked: keep a copy when one is due, and let the window slide.
    pub fn after_tick(&mut self, sim: &Sim) {
        self.snapshot_if_due(sim, self.commands.len());
    }

    /// `sim` has applied the first `applied` recorded commands (all of them, live; fewer while
    /// a branch is replayed to where it had run).
    fn snapshot_if_due(&mut self, sim: &Sim, applied: usize) {
        self.head_ms = sim.now_ms();
        let last = self.snapshots.back().map_or(0, |s| s.sim.now_ms());
        if sim.now_ms() >= last + SNAPSHOT_EVERY_MS {
            self.snapshots.push_back(Snapshot { sim: sim.clone(), applied });
            // The oldest copy goes once the next one still covers the whole window.
            let keep_from = self.snapshots.iter().rposition(|s| s.sim.now_ms() + WINDOW_MS <= self.head_ms).unwrap_or(0);
            if keep_from > 0 {
                self.snapshots.drain(..keep_from);
                // A branch that parted before what is kept cannot be rebuilt any more.
                let earliest = self.earliest_ms();
                self.branches.retain(|b| b.parted_at_ms >= earliest);
            }
        }
    }

    /// Drop every snapshot before `index` and, when commands are over the bound, the commands
    /// only they needed.
    fn trim_to(&mut self, index: usize) {
        self.snapshots.drain(..index);
        let first = self.snapshots.front().map_or(0, |s| s.applied);
        if first > 0 {
            // A kept branch shares the dropped commands' numbering: it cannot be rebuilt now.
            self.branches.clear();
            self.commands.drain(..first);
            self.dropped += first;
            for s in &mut self.snapshots {
                s.applied -= first;
            }
        }
    }

    /// Whether every command since the run began is still held, so a link can replay it.
    pub fn is_linkable_from_start(&self) -> bool {
        self.dropped == 0
    }

    /// The run as it was at `at_ms` (clamped to what is kept), and how many commands it applied.
    /// The same for the same timeline and time, however often it is asked.
    /// `None` before the timeline is started.
    pub fn seek(&self, at_ms: u64) -> Option<(Sim, usize)> {
        let head = self.head_ms;
        let at_ms = at_ms.clamp(self.earliest_ms(), head);
        let i = self.snapshots.iter().rposition(|s| s.sim.now_ms() <= at_ms).unwrap_or(0);
        let snapshot = self.snapshots.get(i)?;
        let mut sim = snapshot.sim.clone();
        let applied = replay(&mut sim, &self.commands, snapshot.applied, at_ms);
        Some((sim, applied))
    }

    /// Show `at_ms`: park the live run (if it is not parked yet) and put the past in `current`.
    /// Asking for the present itself returns to the live run.
    pub fn view(&mut self, current: &mut Sim, at_ms: u64) {
        if !self.is_started() {
            return;
        }
        if self.viewing.is_none() {
            self.head_ms = current.now_ms();
        }
        let at_ms = at_ms.clamp(self.earliest_ms(), self.head_ms);
        if at_ms >= self.head_ms {
            self.back_to_now(current);
            return;
        }
        let Some((sim, applied)) = self.seek(at_ms) else { return };
        let live = std::mem::replace(current, sim);
        if self.parked.is_none() {
            self.parked = Some(live);
        }
        self.viewing = Some(Viewing { at_ms: current.now_ms(), applied });
    }

    /// Return to the live run.
    pub fn back_to_now(&mut self, current: &mut Sim) {
        if let Some(live) = self.parked.take() {
            *current = live;
        }
        self.viewing = None;
    }

    /// Step forward from the past moment shown, to the next event, request answered or change,
    /// applying the recorded commands on the way (as [`Sim::step_to_next_event`] does live).
    /// Reaching the present returns to the live run.
    pub fn step_forward(&mut self, current: &mut Sim) {
        let Some(viewing) = self.viewing else { return };
        let events = current.events().total();
        let done = current.requests_done();
        let mut applied = viewing.applied;
        let start = current.now_ms();
        while current.now_ms() < self.head_ms && current.now_ms() - start < 600_000 {
            current.tick();
            let before = applied;
            applied = apply_due(current, &self.commands, applied);
            if current.events().total() != events || current.requests_done() != done || applied != before {
                break;
            }
        }
        if current.now_ms() >= self.head_ms {
            self.back_to_now(current);
        } else {
            self.viewing = Some(Viewing { at_ms: current.now_ms(), applied });
        }
    }

    /// The moment of the last thing that happened before `current`'s time: an event, a request
    /// answered, a change. `None` at the start of what is kept.
    pub fn previous_event_ms(&self, current: &Sim) -> Option<u64> {
        // Each at the tick that showed it (a request answered at 259.501 s is seen at 259.6 s).
        let now = current.now_ms();
        let event = current.events().iter().rev().map(|e| to_tick(e.at_ms)).find(|&t| t < now);
        let request = current.recent_requests().rev().map(|r| to_tick(r.done_at_ms)).filter(|&t| t < now).max();
        let command = self.commands.iter().rev().map(|c| c.at_ms).find(|&t| t < now);
        let t = [event, request, command].into_iter().flatten().max()?;
        (t >= self.earliest_ms()).then_some(t)
    }

    /// A change asked for while the past is shown: tried on a copy first (a refused one changes
    /// nothing, not even the history), then made as the start of a branch from here.
    pub fn apply_in_past(&mut self, current: &mut Sim, command: Command) -> Result<super::Applied, super::CommandError> {
        if self.viewing.is_some() {
            current.clone().apply(command.clone())?;
            self.resume_here(current, true);
        }
        let result = current.apply(command.clone());
        if result.is_ok() {
            self.record(current, command);
        }
        result
    }

    /// Go on from the past moment shown in `current`: the later history is dropped, or kept as a
    /// branch to return to (`keep_branch`). Afterwards `current` is the live run.
    pub fn resume_here(&mut self, current: &Sim, keep_branch: bool) {
        let Some(viewing) = self.viewing.take() else { return };
        if let Some(live) = self.parked.take() {
            if keep_branch && live.now_ms() > viewing.at_ms {
                self.branches.push(Branch {
                    parted_at_ms: viewing.at_ms,
                    end_ms: live.now_ms(),
                    commands: self.commands.clone(),
                    common: viewing.applied,
                });
                if self.branches.len() > MAX_BRANCHES {
                    self.branches.remove(0);
                }
            }
        }
        // What each kept branch shares with this history now ends here at the latest.
        for b in &mut self.branches {
            b.common = b.common.min(viewing.applied);
            b.parted_at_ms = b.parted_at_ms.min(viewing.at_ms);
        }
        self.commands.truncate(viewing.applied);
        while self.snapshots.len() > 1 && self.snapshots.back().is_some_and(|s| s.sim.now_ms() > viewing.at_ms) {
            self.snapshots.pop_back();
        }
        self.head_ms = current.now_ms();
    }

    /// Return to a kept branch: the history now run is kept as a branch in its place, and the
    /// branch is replayed to where it had run. `current` becomes its live run.
    pub fn switch_to_branch(&mut self, current: &mut Sim, index: usize) {
        if index >= self.branches.len() {
            return;
        }
        self.back_to_now(current);
        let branch = self.branches.remove(index);
        // What both histories share: the commands up to the parting, the snapshots before it.
        let common = branch.common.min(self.commands.len());
        self.branches.push(Branch { parted_at_ms: branch.parted_at_ms, end_ms: current.now_ms(), commands: self.commands.clone(), common });
        if self.branches.len() > MAX_BRANCHES {
            self.branches.remove(0);
        }
        while self.snapshots.len() > 1 && self.snapshots.back().is_some_and(|s| s.sim.now_ms() > branch.parted_at_ms || s.applied > common)
        {
            self.snapshots.pop_back();
        }
        self.commands = branch.commands;
        let Some(from) = self.snapshots.back() else { return };
        let mut sim = from.sim.clone();
        let applied = from.applied;
        self.head_ms = sim.now_ms();
        self.run_recording(&mut sim, applied, branch.end_ms);
        *current = sim;
    }

    /// Run `sim` (at one of this timeline's moments, with `applied` commands) to `to_ms`,
    /// applying the recorded commands and keeping snapshots as the live run would.
    fn run_recording(&mut self, sim: &mut Sim, mut applied: usize, to_ms: u64) {
        loop {
            applied = apply_due(sim, &self.commands, applied);
            if sim.now_ms() >= to_ms {
                break;
            }
            sim.tick();
            self.snapshot_if_due(sim, applied);
        }
        self.head_ms = sim.now_ms();
    }

    /// A run rebuilt from a link: `sim` is the fresh run, `commands` its history, and the run
    /// goes on to `to_ms`. Returns the timeline and the run at that moment, or the first command
    /// the run refused (a link whose history does not fit its setup).
    pub fn replay_from_start(mut sim: Sim, commands: Vec<Recorded>, to_ms: u64) -> Result<(Timeline, Sim), String> {
        let mut timeline = Timeline::new(&sim);
        for (i, step) in commands.iter().enumerate() {
            if step.at_ms < sim.now_ms() || step.at_ms > to_ms {
                return Err(format!(
                    "change {} of the history is at {}, outside the run (from {} to {})",
                    i + 1,
                    clock(step.at_ms),
                    clock(sim.now_ms()),
                    clock(to_ms)
                ));
            }
            while sim.now_ms() < step.at_ms {
                sim.tick();
                timeline.after_tick(&sim);
            }
            if let Err(e) = sim.apply(step.command.clone()) {
                return Err(format!("change {} of the history, at {}, was refused: {e}", i + 1, clock(step.at_ms)));
            }
            timeline.record(&sim, step.command.clone());
        }
        while sim.now_ms() < to_ms {
            sim.tick();
            timeline.after_tick(&sim);
        }
        Ok((timeline, sim))
    }

    /// The history a link to the moment shown in `current` carries: the commands applied up to
    /// it, when every one since the start is held and the moment is within
    /// [`MAX_LINK_MOMENT_MS`].
    pub fn link_history(&self, current: &Sim) -> Result<Vec<Recorded>, String> {
        if !self.is_linkable_from_start() {
            return Err(format!("the run has more than {MAX_RECORDED} changes, so a link cannot replay it from the start"));
        }
        if current.now_ms() > MAX_LINK_MOMENT_MS {
            return Err(format!(
                "links reach moments up to {} into a run; this one is at {}",
                clock(MAX_LINK_MOMENT_MS),
                clock(current.now_ms())
            ));
        }
        let applied = self.viewing.map_or(self.commands.len(), |v| v.applied);
        Ok(self.commands[..applied].to_vec())
    }

    /// What happened in the window, oldest first: the changes, deployments, target and task
    /// changes from the live run's event log, and each first 5xx after a quiet period from its
    /// metrics. Pure over the live run; the page adds its own (goals met).
    pub fn markers(&self, current: &Sim) -> Vec<Marker> {
        let live = self.parked.as_ref().unwrap_or(current);
        let from = self.earliest_ms();
        let mut markers = Vec::new();
        for e in live.events().iter().filter(|e| e.at_ms >= from) {
            let kind = match e.source {
                EventSource::Change => MarkerKind::Change,
                EventSource::TargetHealth => MarkerKind::Target,
                EventSource::EcsService => {
                    let m = e.message.as_str();
                    if m.contains("deployment") || m.contains("steady state") {
                        MarkerKind::Deployment
                    } else {
                        MarkerKind::Task
                    }
                }
            };
            markers.push(Marker { at_ms: e.at_ms, kind, text: e.message.clone() });
        }
        let mut last_5xx: Option<u64> = None;
        for bucket in live.metrics().buckets() {
            let c = &bucket.counters;
            let count = c.elb_502 + c.elb_503 + c.elb_504 + c.elb_other + c.target_5xx;
            // The end of the second: every request counted in it has been answered by then.
            let at_ms = (bucket.second + 1) * 1000;
            if count == 0 || at_ms < from {
                continue;
            }
            if last_5xx.is_none_or(|t| at_ms - t > QUIET_BEFORE_5XX_MS) {
                markers.push(Marker {
                    at_ms,
                    kind: MarkerKind::Errors,
                    text: format!("First 5xx after a quiet period: {count} in this second"),
                });
            }
            last_5xx = Some(at_ms);
        }
        markers.sort_by_key(|m| m.at_ms);
        markers
    }
}

/// Apply the commands due at `sim`'s time from `applied` on; returns how many are applied.
/// A command a live run took is taken again, so its result is not needed here.
fn apply_due(sim: &mut Sim, commands: &[Recorded], mut applied: usize) -> usize {
    while let Some(step) = commands.get(applied).filter(|c| c.at_ms <= sim.now_ms()) {
        let _ = sim.apply(step.command.clone());
        applied += 1;
    }
    applied
}

/// Replay from a snapshot to `at_ms`: the commands due at each tick first, as the page applied
/// them between ticks.
fn replay(sim: &mut Sim, commands: &[Recorded], mut applied: usize, at_ms: u64) -> usize {
    loop {
        applied = apply_due(sim, commands, applied);
        if sim.now_ms() >= at_ms {
            return applied;
        }
        sim.tick();
    }
}

/// Sim time as the page shows it, `hh:mm:ss`.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Read `hh:mm:ss`, `mm:ss` or a number of seconds (as a hint or a parent page writes a moment).
pub fn parse_clock(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let mut seconds: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let v: u64 = p.parse().ok()?;
        if i > 0 && v >= 60 {
            return None;
        }
        seconds = seconds.checked_mul(60)?.checked_add(v)?;
    }
    seconds.checked_mul(1000).filter(|&ms| ms <= 100 * 3_600_000)
}

/// Text split around the moments it names (`hh:mm:ss`), so a hint's "go back to 00:01:12" can
/// take the learner there: each piece, and the moment (sim ms) when it is one.
pub fn split_moments(text: &str) -> Vec<(&str, Option<u64>)> {
    let bytes = text.as_bytes();
    let is_clock = |i: usize| {
        bytes.len() >= i + 8
            && [0, 1, 3, 4, 6, 7].iter().all(|&k| bytes[i + k].is_ascii_digit())
            && bytes[i + 2] == b':'
            && bytes[i + 5] == b':'
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 8).is_none_or(|b| !b.is_ascii_digit())
    };
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if is_clock(i) {
            if let Some(ms) = parse_clock(&text[i..i + 8]) {
                if start < i {
                    out.push((&text[start..i], None));
                }
                out.push((&text[i..i + 8], Some(ms)));
                i += 8;
                start = i;
                continue;
            }
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push((&text[start..], None));
    }
    out
}

/// Round a moment to the tick it falls in.
pub fn to_tick(ms: u64) -> u64 {
    ms.div_ceil(TICK_MS) * TICK_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_what_it_writes() {
        assert_eq!(clock(161_000), "00:02:41");
        assert_eq!(parse_clock("00:02:41"), Some(161_000));
        assert_eq!(parse_clock("2:41"), Some(161_000));
        assert_eq!(parse_clock("161"), Some(161_000));
        for bad in ["", "1:60", "a:b", "1::2", "1:2:3:4", "-5", "9999999"] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_hint_names_its_moments() {
        assert_eq!(
            split_moments("Go back to 00:01:12 and look at the target group."),
            vec![("Go back to ", None), ("00:01:12", Some(72_000)), (" and look at the target group.", None)]
        );
        assert_eq!(split_moments("00:00:05"), vec![("00:00:05", Some(5_000))]);
        // Not moments: a longer number, minutes past 59, a version.
        for text in ["100:01:12", "00:61:00", "1.2.3", "ports 80:8000", "é00:01:1"] {
            assert!(split_moments(text).iter().all(|(_, at)| at.is_none()), "{text}");
        }
    }
}
