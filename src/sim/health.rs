//! Targets and their health: the state machine the ALB runs for every registered target.
//!
//! ```text
//! register ─► initial (Elb.RegistrationInProgress) ─► initial (Elb.InitialHealthChecking)
//! initial  ── 1 passing check ─────────────────────► healthy   (a new target needs one, not HealthyThresholdCount)
//! initial  ── UnhealthyThresholdCount failures ────► unhealthy
//! healthy  ── UnhealthyThresholdCount failures ────► unhealthy
//! unhealthy── HealthyThresholdCount passes ────────► healthy
//! any      ── DeregisterTargets ───────────────────► draining (Target.DeregistrationInProgress) ── delay ─► gone
//! ```
//! Sources and the open questions (how many failures move a target out of `initial`) are in
//! docs/model.md §Target health. Left out: the `unavailable` state (only Lambda targets can turn
//! health checks off) and NLB-only `unhealthy.draining`.

use super::net::Endpoint;
use super::scenario::HealthCheck;
pub use super::state::TargetState;
use super::trace::Trace;
use std::fmt;
use std::sync::Arc;

/// How long registration takes before the first health check goes out. AWS gives no figure;
/// registration is observed to take a few seconds (docs/model.md §Timings).
pub const REGISTRATION_MS: u64 = 5_000;

/// Sim time as the page's clock shows it, to the second.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// The clock of a target group's health checks, from its settings alone: how long each state
/// change takes. The target group's settings and the Why? panel show it; tests hold it to the
/// simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthClock {
    /// A new target: registration, then its first check once the app has started (one passing
    /// check makes a new target healthy), or, when UnhealthyThresholdCount checks fail while the
    /// app starts, HealthyThresholdCount passing checks after it has turned unhealthy.
    pub healthy_after_ms: u64,
    /// When the app starts too slowly: how long after registering the new target turns unhealthy
    /// first (and ECS may replace its task before it recovers).
    pub unhealthy_while_starting_ms: Option<u64>,
    /// From the moment every check starts timing out until the target is unhealthy: at least
    /// (a check was just due) and at most (one had just gone out).
    pub unhealthy_after_ms: (u64, u64),
    /// From the moment checks start passing until an unhealthy target is healthy again.
    pub recovers_after_ms: (u64, u64),
    /// A deregistered target drains this long before it leaves.
    pub drains_for_ms: u64,
}

impl HealthClock {
    pub fn of(hc: &HealthCheck, deregistration_delay_seconds: u32, app_startup_seconds: u32) -> HealthClock {
        let interval = hc.interval_seconds as u64 * 1000;
        let startup = app_startup_seconds as u64 * 1000;
        // Checks go out at registration + k × interval; the first one after the app is up passes.
        let first_pass = if startup <= REGISTRATION_MS { 0 } else { (startup - REGISTRATION_MS).div_ceil(interval.max(1)) };
        let timeout = hc.timeout_seconds as u64 * 1000;
        let unhealthy = hc.unhealthy_threshold_count.max(1) as u64;
        let healthy = hc.healthy_threshold_count.max(1) as u64;
        HealthClock {
            healthy_after_ms: REGISTRATION_MS.saturating_add(if first_pass < unhealthy {
                first_pass.saturating_mul(interval)
            } else {
                (first_pass.saturating_add(healthy) - 1).saturating_mul(interval)
            }),
            unhealthy_while_starting_ms: (first_pass >= unhealthy)
                .then(|| REGISTRATION_MS.saturating_add((unhealthy - 1).saturating_mul(interval))),
            unhealthy_after_ms: (
                (unhealthy - 1).saturating_mul(interval).saturating_add(timeout),
                unhealthy.saturating_mul(interval).saturating_add(timeout),
            ),
            recovers_after_ms: ((healthy - 1).saturating_mul(interval), healthy.saturating_mul(interval)),
            drains_for_ms: deregistration_delay_seconds as u64 * 1000,
        }
    }

    /// The two numbers a learner watches for, short enough for the diagram's target group node:
    /// `clock 35 s / 70-100 s` (a new target's time to healthy; a failing one's to unhealthy).
    pub fn short(&self) -> String {
        let s = |ms: u64| ms.div_ceil(1000);
        let (least, most) = (s(self.unhealthy_after_ms.0), s(self.unhealthy_after_ms.1));
        format!("clock {} s / {least}-{most} s", s(self.healthy_after_ms))
    }

    /// [`HealthClock::short`] for a narrow node: `↑35s ↓70-100s`.
    pub fn arrows(&self) -> String {
        let s = |ms: u64| ms.div_ceil(1000);
        format!("↑{}s ↓{}-{}s", s(self.healthy_after_ms), s(self.unhealthy_after_ms.0), s(self.unhealthy_after_ms.1))
    }

    /// In words, as the target group's settings show it.
    pub fn in_words(&self) -> String {
        let s = |ms: u64| ms.div_ceil(1000);
        format!(
            "A new target is healthy about {} s after it registers (its first check once the app has started). A target whose checks start timing out is unhealthy {}-{} s later; an unhealthy one is healthy again {}-{} s after its checks pass; a deregistered one drains for {} s.",
            s(self.healthy_after_ms),
            s(self.unhealthy_after_ms.0),
            s(self.unhealthy_after_ms.1),
            s(self.recovers_after_ms.0),
            s(self.recovers_after_ms.1),
            s(self.drains_for_ms)
        )
    }
}

/// `TargetHealth.Reason`, with the description the console (and ECS's event text) shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    RegistrationInProgress,
    InitialHealthChecking,
    ResponseCodeMismatch {
        code: u16,
    },
    Timeout,
    FailedHealthChecks,
    NotRegistered,
    /// The target group is not used by any listener rule.
    NotInUseNoListener,
    /// The target's availability zone is not enabled for the load balancer.
    NotInUseZone,
    DeregistrationInProgress,
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::RegistrationInProgress => "Elb.RegistrationInProgress",
            Reason::InitialHealthChecking => "Elb.InitialHealthChecking",
            Reason::ResponseCodeMismatch { .. } => "Target.ResponseCodeMismatch",
            Reason::Timeout => "Target.Timeout",
            Reason::FailedHealthChecks => "Target.FailedHealthChecks",
            Reason::NotRegistered => "Target.NotRegistered",
            Reason::NotInUseNoListener | Reason::NotInUseZone => "Target.NotInUse",
            Reason::DeregistrationInProgress => "Target.DeregistrationInProgress",
        }
    }

    pub fn description(&self) -> String {
        match self {
            Reason::RegistrationInProgress => "Target registration is in progress".into(),
            Reason::InitialHealthChecking => "Initial health checks in progress".into(),
            Reason::ResponseCodeMismatch { code } => format!("Health checks failed with these codes: [{code}]"),
            Reason::Timeout => "Request timed out".into(),
            Reason::FailedHealthChecks => "Health checks failed".into(),
            Reason::NotRegistered => "Target is not registered to the target group".into(),
            Reason::NotInUseNoListener => "Target group is not configured to receive traffic from the load balancer".into(),
            Reason::NotInUseZone => "Target is in an Availability Zone that is not enabled for the load balancer".into(),
            Reason::DeregistrationInProgress => "Target deregistration is in progress".into(),
        }
    }
}

/// The result of one health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckResult {
    Pass {
        status: u16,
    },
    /// The answer's status is not in the matcher.
    CodeMismatch {
        status: u16,
    },
    /// No answer (or no connection) within HealthCheckTimeoutSeconds.
    Timeout,
    /// The connection was refused or reset.
    ConnectionFailed,
}

impl CheckResult {
    pub fn passed(&self) -> bool {
        matches!(self, CheckResult::Pass { .. })
    }
    pub fn reason(&self) -> Option<Reason> {
        match self {
            CheckResult::Pass { .. } => None,
            CheckResult::CodeMismatch { status } => Some(Reason::ResponseCodeMismatch { code: *status }),
            CheckResult::Timeout => Some(Reason::Timeout),
            CheckResult::ConnectionFailed => Some(Reason::FailedHealthChecks),
        }
    }
}

impl fmt::Display for CheckResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckResult::Pass { status } => write!(f, "passed ({status})"),
            CheckResult::CodeMismatch { status } => write!(f, "failed: got {status}"),
            CheckResult::Timeout => f.write_str("failed: timed out"),
            CheckResult::ConnectionFailed => f.write_str("failed: connection refused"),
        }
    }
}

/// Target ids are handed out in order and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetId(pub u32);

/// The last health check, kept for the Why? panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastCheck {
    pub at_ms: u64,
    pub result: CheckResult,
    pub trace: Trace,
}

/// One registration of a task in a target group.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub id: TargetId,
    pub target_group: usize,
    pub target_group_name: Arc<str>,
    /// The task this target stands for (its sequence number).
    pub task: u32,
    pub endpoint: Endpoint,
    pub availability_zone: Arc<str>,
    pub state: TargetState,
    pub reason: Option<Reason>,
    pub registered_at_ms: u64,
    pub consecutive_passes: u32,
    pub consecutive_failures: u32,
    /// When the next health check goes out (`u64::MAX` while draining).
    pub next_check_at_ms: u64,
    /// While draining: when the deregistration delay runs out.
    pub draining_until_ms: Option<u64>,
    pub last_check: Option<LastCheck>,
    /// Requests routed to it so far (for least outstanding requests and the Why? panel).
    pub in_flight: u32,
}

/// A change of a target's state, to be written to the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct HealthChange {
    pub from: TargetState,
    pub to: TargetState,
}

impl Target {
    /// Apply one health-check result. Returns the state change, if any.
    pub fn record_check(&mut self, result: &CheckResult, healthy_threshold: u32, unhealthy_threshold: u32) -> Option<HealthChange> {
        let from = self.state;
        if matches!(from, TargetState::Draining | TargetState::Unused) {
            return None;
        }
        if result.passed() {
            self.consecutive_passes = self.consecutive_passes.saturating_add(1);
            self.consecutive_failures = 0;
            let to_healthy = match from {
                // A newly registered target needs one passing check (docs/model.md §Target health).
                TargetState::Initial => true,
                TargetState::Unhealthy => self.consecutive_passes >= healthy_threshold,
                _ => false,
            };
            if to_healthy {
                self.state = TargetState::Healthy;
                self.reason = None;
            } else if from == TargetState::Initial {
                self.reason = Some(Reason::InitialHealthChecking);
            }
        } else {
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            self.consecutive_passes = 0;
            match from {
                TargetState::Initial | TargetState::Healthy if self.consecutive_failures >= unhealthy_threshold => {
                    self.state = TargetState::Unhealthy;
                    self.reason = result.reason();
                }
                TargetState::Initial => self.reason = Some(Reason::InitialHealthChecking),
                TargetState::Unhealthy => self.reason = result.reason(),
                _ => {}
            }
        }
        (self.state != from).then_some(HealthChange { from, to: self.state })
    }

    /// When this target turns unhealthy if every check from now on times out. `in_flight`: the
    /// results of checks already sent and not yet recorded, with when each will be, in that
    /// order (their results were decided when they went out). Then the next check goes out at
    /// `next_check_at_ms` and one more every interval, each known to have failed when its timeout
    /// runs out, and the `UnhealthyThresholdCount`-th failure in a row decides. `None` when it is
    /// already unhealthy or no longer checked.
    pub fn unhealthy_by_ms<'a>(
        &self,
        interval_seconds: u32,
        timeout_seconds: u32,
        unhealthy_threshold: u32,
        in_flight: impl IntoIterator<Item = (u64, &'a CheckResult)>,
    ) -> Option<u64> {
        if !matches!(self.state, TargetState::Initial | TargetState::Healthy) || self.next_check_at_ms == u64::MAX {
            return None;
        }
        let threshold = unhealthy_threshold.max(1);
        let mut failures = self.consecutive_failures;
        for (done_at_ms, result) in in_flight {
            if result.passed() {
                failures = 0;
            } else {
                failures = failures.saturating_add(1);
                if failures >= threshold {
                    return Some(done_at_ms);
                }
            }
        }
        let needed = threshold.saturating_sub(failures).max(1) as u64;
        let interval = interval_seconds as u64 * 1000;
        Some(self.next_check_at_ms.saturating_add((needed - 1).saturating_mul(interval)).saturating_add(timeout_seconds as u64 * 1000))
    }

    /// What this target's next state change would be and when, in words: for the Why? panel of
    /// a selected target. `unhealthy_by_ms`: [`Sim::target_unhealthy_by_ms`].
    ///
    /// [`Sim::target_unhealthy_by_ms`]: super::Sim::target_unhealthy_by_ms
    pub fn next_change(&self, unhealthy_by_ms: Option<u64>) -> Option<String> {
        match self.state {
            TargetState::Draining => self.draining_until_ms.map(|at| format!("Draining: it leaves the target group at {}.", clock(at))),
            TargetState::Initial | TargetState::Healthy => unhealthy_by_ms.map(|at| {
                format!(
                    "Next health check at {}. If its checks start timing out now, it turns unhealthy at {}.",
                    clock(self.next_check_at_ms),
                    clock(at)
                )
            }),
            _ => None,
        }
    }

    /// Start deregistration: no new requests from now on; gone when the delay runs out.
    pub fn start_draining(&mut self, now_ms: u64, delay_ms: u64) -> HealthChange {
        let from = self.state;
        self.state = TargetState::Draining;
        self.reason = Some(Reason::DeregistrationInProgress);
        self.draining_until_ms = Some(now_ms + delay_ms);
        self.next_check_at_ms = u64::MAX;
        HealthChange { from, to: TargetState::Draining }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::net::Ipv4;

    fn target() -> Target {
        Target {
            id: TargetId(1),
            target_group: 0,
            target_group_name: "tg".into(),
            task: 1,
            endpoint: Endpoint { ip: Ipv4(1), port: 8000, instance_id: None },
            availability_zone: "us-east-1a".into(),
            state: TargetState::Initial,
            reason: Some(Reason::RegistrationInProgress),
            registered_at_ms: 0,
            consecutive_passes: 0,
            consecutive_failures: 0,
            next_check_at_ms: 0,
            draining_until_ms: None,
            last_check: None,
            in_flight: 0,
        }
    }

    #[test]
    fn one_pass_makes_a_new_target_healthy() {
        let mut t = target();
        let change = t.record_check(&CheckResult::Pass { status: 200 }, 5, 2);
        assert_eq!(change, Some(HealthChange { from: TargetState::Initial, to: TargetState::Healthy }));
        assert_eq!(t.reason, None);
    }

    #[test]
    fn unhealthy_after_threshold_failures_with_latest_reason() {
        let mut t = target();
        assert!(t.record_check(&CheckResult::Timeout, 5, 2).is_none());
        assert_eq!(t.reason, Some(Reason::InitialHealthChecking));
        let c = t.record_check(&CheckResult::CodeMismatch { status: 404 }, 5, 2);
        assert_eq!(c.map(|c| c.to), Some(TargetState::Unhealthy));
        assert_eq!(t.reason.as_ref().map(|r| r.description()), Some("Health checks failed with these codes: [404]".to_string()));
    }

    #[test]
    fn recovery_needs_healthy_threshold_passes() {
        let mut t = target();
        t.state = TargetState::Unhealthy;
        for _ in 0..4 {
            assert!(t.record_check(&CheckResult::Pass { status: 200 }, 5, 2).is_none());
        }
        assert_eq!(t.record_check(&CheckResult::Pass { status: 200 }, 5, 2).map(|c| c.to), Some(TargetState::Healthy));
    }

    #[test]
    fn a_failure_resets_the_pass_streak() {
        let mut t = target();
        t.state = TargetState::Unhealthy;
        for _ in 0..4 {
            t.record_check(&CheckResult::Pass { status: 200 }, 5, 2);
        }
        t.record_check(&CheckResult::Timeout, 5, 2);
        assert_eq!(t.consecutive_passes, 0);
        assert_eq!(t.state, TargetState::Unhealthy);
        assert_eq!(t.reason, Some(Reason::Timeout));
    }

    #[test]
    fn draining_ignores_checks() {
        let mut t = target();
        t.start_draining(1000, 300_000);
        assert_eq!(t.draining_until_ms, Some(301_000));
        assert!(t.record_check(&CheckResult::Pass { status: 200 }, 5, 2).is_none());
        assert_eq!(t.state, TargetState::Draining);
    }
}
