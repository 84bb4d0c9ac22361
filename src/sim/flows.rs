//! Where traffic ends, counted: for every sim second, how many requests, direct curls and health
//! checks ended at each hop, with which outcome, on which task.
//!
//! The diagram draws these counts as flows when more requests arrive than it can draw one by
//! one, and as count badges at the hop that decided them ("504 · 58" at the task security group);
//! still pictures show them instead of tokens in flight. Counting in the core (not in the page)
//! keeps the numbers deterministic and the same wherever the run is replayed. Bounded: one
//! bucket per second for [`FLOW_SECONDS`] seconds, each with one entry per distinct key.

use super::health::CheckResult;
use super::trace::{Hop, OutcomeClass, Trace, TraceKind};
use std::collections::VecDeque;

/// How many sim seconds of flow counts are kept.
pub const FLOW_SECONDS: u64 = 60;

/// Where one request, curl or health check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowKey {
    pub kind: TraceKind,
    /// The hop that decided it (the first failed hop, or the last one).
    pub hop: Hop,
    /// Its outcome. A health check counts as `Success` when it passed, `Timeout` when it timed
    /// out, `Refused` when the connection failed, and by the status class on a code mismatch.
    pub class: OutcomeClass,
    /// The task it reached or was meant for.
    pub task: Option<u32>,
}

impl FlowKey {
    pub fn new(trace: &Trace, class: OutcomeClass, task: Option<u32>) -> FlowKey {
        let hop = trace.deciding_hop().map(|h| h.hop).unwrap_or(Hop::Client);
        FlowKey { kind: trace.kind, hop, class, task }
    }
}

/// The outcome class a health-check result is counted under.
pub fn check_class(result: &CheckResult) -> OutcomeClass {
    match result {
        CheckResult::Pass { .. } => OutcomeClass::Success,
        CheckResult::Timeout => OutcomeClass::Timeout,
        CheckResult::ConnectionFailed => OutcomeClass::Refused,
        CheckResult::CodeMismatch { status: 400..=499 } => OutcomeClass::Client4xx,
        CheckResult::CodeMismatch { .. } => OutcomeClass::Other5xx,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowLog {
    /// (sim second, counts by key), oldest first.
    seconds: VecDeque<(u64, Vec<(FlowKey, u32)>)>,
}

impl FlowLog {
    pub fn record(&mut self, at_ms: u64, key: FlowKey) {
        let second = at_ms / 1000;
        if self.seconds.back().is_none_or(|(s, _)| *s < second) {
            self.seconds.push_back((second, Vec::new()));
            while self.seconds.front().is_some_and(|(s, _)| *s + FLOW_SECONDS <= second) {
                self.seconds.pop_front();
            }
        }
        // Records arrive in time order; an earlier second still kept is updated in place.
        let Some((_, counts)) = self.seconds.iter_mut().rev().find(|(s, _)| *s <= second) else { return };
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }

    /// Counts over the last `seconds` (at most [`FLOW_SECONDS`]) up to `now_ms`, by key, sorted.
    pub fn window(&self, now_ms: u64, seconds: u64) -> Vec<(FlowKey, u32)> {
        let now_s = now_ms / 1000;
        let from = now_s.saturating_sub(seconds.clamp(1, FLOW_SECONDS) - 1);
        let mut out: Vec<(FlowKey, u32)> = Vec::new();
        for (s, counts) in self.seconds.iter().rev() {
            if *s < from {
                break;
            }
            if *s > now_s {
                continue;
            }
            for (k, n) in counts {
                match out.iter_mut().find(|(o, _)| o == k) {
                    Some((_, m)) => *m += n,
                    None => out.push((*k, *n)),
                }
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hop: Hop, task: Option<u32>) -> FlowKey {
        FlowKey { kind: TraceKind::Request, hop, class: OutcomeClass::Elb504, task }
    }

    #[test]
    fn counts_add_up_per_key_over_the_window() {
        let mut log = FlowLog::default();
        for ms in [0, 500, 1_500, 2_100] {
            log.record(ms, key(Hop::TaskSecurityGroup, Some(1)));
        }
        log.record(2_200, key(Hop::TaskSecurityGroup, Some(2)));
        assert_eq!(log.window(2_999, 30), vec![(key(Hop::TaskSecurityGroup, Some(1)), 4), (key(Hop::TaskSecurityGroup, Some(2)), 1)]);
        assert_eq!(log.window(2_999, 1), vec![(key(Hop::TaskSecurityGroup, Some(1)), 1), (key(Hop::TaskSecurityGroup, Some(2)), 1)]);
    }

    #[test]
    fn old_seconds_are_dropped() {
        let mut log = FlowLog::default();
        for s in 0..500u64 {
            log.record(s * 1000, key(Hop::App, None));
        }
        assert_eq!(log.seconds.len() as u64, FLOW_SECONDS);
        assert_eq!(log.window(499_000, 1000), vec![(key(Hop::App, None), FLOW_SECONDS as u32)]);
    }
}
