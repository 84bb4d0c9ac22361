//! CloudWatch-style counters over sim time, one bucket per sim second, bounded to the last hour.
//!
//! Definitions follow `AWS/ApplicationELB` (docs/model.md §Metrics): `RequestCount` counts only
//! requests for which a target was chosen, so 503s for an empty target group and client
//! timeouts are not in it; ELB codes and target codes are counted apart; a direct curl to a task
//! never touches the load balancer and is not counted at all.

use super::trace::{Outcome, OutcomeClass, StatusSource, TraceKind};
use super::traffic::RequestRecord;
use std::collections::VecDeque;

pub const BUCKET_MS: u64 = 1_000;
pub const MAX_BUCKETS: usize = 3_600;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub request_count: u32,
    pub elb_502: u32,
    pub elb_503: u32,
    pub elb_504: u32,
    pub elb_other: u32,
    pub target_2xx: u32,
    pub target_3xx: u32,
    pub target_4xx: u32,
    pub target_5xx: u32,
    pub fixed_response: u32,
    pub client_timeouts: u32,
    pub unhealthy_routing: u32,
    pub target_connection_errors: u32,
    pub target_response_time_ms_sum: u64,
    pub target_responses: u32,
    /// Per outcome class, for the client panel's tally (client requests only).
    pub outcomes: [u32; 8],
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.request_count += o.request_count;
        self.elb_502 += o.elb_502;
        self.elb_503 += o.elb_503;
        self.elb_504 += o.elb_504;
        self.elb_other += o.elb_other;
        self.target_2xx += o.target_2xx;
        self.target_3xx += o.target_3xx;
        self.target_4xx += o.target_4xx;
        self.target_5xx += o.target_5xx;
        self.fixed_response += o.fixed_response;
        self.client_timeouts += o.client_timeouts;
        self.unhealthy_routing += o.unhealthy_routing;
        self.target_connection_errors += o.target_connection_errors;
        self.target_response_time_ms_sum += o.target_response_time_ms_sum;
        self.target_responses += o.target_responses;
        for (a, b) in self.outcomes.iter_mut().zip(o.outcomes.iter()) {
            *a += b;
        }
    }

    pub fn outcome(&self, class: OutcomeClass) -> u32 {
        self.outcomes[class as usize]
    }

    pub fn total_outcomes(&self) -> u32 {
        self.outcomes.iter().sum()
    }

    /// Average TargetResponseTime in milliseconds.
    pub fn target_response_time_ms(&self) -> Option<f64> {
        (self.target_responses > 0).then(|| self.target_response_time_ms_sum as f64 / self.target_responses as f64)
    }
}

/// `TargetConnectionErrorCount`: the ALB could not open a connection to the target (dropped
/// by a security group or a network ACL, or refused because nothing listens).
fn is_connection_error(r: &RequestRecord) -> bool {
    use super::trace::Detail::*;
    r.trace.deciding_hop().is_some_and(|h| {
        !h.passed
            && matches!(
                h.detail,
                SgDenies { .. }
                    | EgressDenies { .. }
                    | NaclDenies(_)
                    | TaskNotServing { .. }
                    | AppStarting
                    | NoHostPortListener { .. }
                    | NotListening { .. }
            )
    })
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// The sim second this bucket covers.
    pub second: u64,
    pub counters: Counters,
    /// HealthyHostCount / UnHealthyHostCount, sampled at the end of the second.
    pub healthy_hosts: u16,
    pub unhealthy_hosts: u16,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    buckets: VecDeque<Bucket>,
    pub totals: Counters,
}

impl Metrics {
    fn bucket_mut(&mut self, second: u64) -> &mut Bucket {
        if self.buckets.back().is_none_or(|b| b.second < second) {
            if self.buckets.len() >= MAX_BUCKETS {
                self.buckets.pop_front();
            }
            let last = self.buckets.back().copied();
            self.buckets.push_back(Bucket {
                second,
                counters: Counters::default(),
                healthy_hosts: last.map(|b| b.healthy_hosts).unwrap_or(0),
                unhealthy_hosts: last.map(|b| b.unhealthy_hosts).unwrap_or(0),
            });
        }
        // Records arrive in time order, so the bucket is the last one or (rarely) an earlier one.
        let idx = self.buckets.iter().rposition(|b| b.second <= second).unwrap_or(0);
        &mut self.buckets[idx]
    }

    pub fn record(&mut self, r: &RequestRecord) {
        if r.kind != TraceKind::Request {
            return;
        }
        let mut c = Counters::default();
        if r.target.is_some() {
            c.request_count = 1;
        }
        if r.is_fail_open {
            c.unhealthy_routing = 1;
        }
        match r.outcome {
            Outcome::Http { status, source: StatusSource::Elb } => {
                match status {
                    502 => c.elb_502 = 1,
                    503 => c.elb_503 = 1,
                    504 => c.elb_504 = 1,
                    _ => c.elb_other = 1,
                }
                if r.target.is_some() && is_connection_error(r) {
                    c.target_connection_errors = 1;
                }
            }
            Outcome::Http { status, source: StatusSource::Target } => {
                match status {
                    200..=299 => c.target_2xx = 1,
                    300..=399 => c.target_3xx = 1,
                    400..=499 => c.target_4xx = 1,
                    _ => c.target_5xx = 1,
                }
                c.target_response_time_ms_sum = r.latency_ms as u64;
                c.target_responses = 1;
            }
            Outcome::Http { source: StatusSource::FixedResponse, .. } => c.fixed_response = 1,
            Outcome::ClientTimeout | Outcome::ConnectionRefused => c.client_timeouts = 1,
        }
        c.outcomes[r.outcome.class() as usize] = 1;
        self.totals.add(&c);
        self.bucket_mut(r.done_at_ms / BUCKET_MS).counters.add(&c);
    }

    pub fn sample_hosts(&mut self, now_ms: u64, healthy: u16, unhealthy: u16) {
        let b = self.bucket_mut(now_ms / BUCKET_MS);
        b.healthy_hosts = healthy;
        b.unhealthy_hosts = unhealthy;
    }

    /// Counters summed over the last `seconds` of sim time up to `now_ms`.
    pub fn window(&self, now_ms: u64, seconds: u64) -> Counters {
        let now_s = now_ms / BUCKET_MS;
        let from = now_s.saturating_sub(seconds.saturating_sub(1));
        let mut sum = Counters::default();
        for b in self.buckets.iter().rev().take_while(|b| b.second >= from) {
            if b.second <= now_s {
                sum.add(&b.counters);
            }
        }
        sum
    }

    pub fn buckets(&self) -> impl DoubleEndedIterator<Item = &Bucket> {
        self.buckets.iter()
    }

    /// The last `seconds` of buckets merged into at most `points` points, for the chart.
    pub fn series(&self, now_ms: u64, seconds: u64, points: usize) -> Vec<Bucket> {
        let points = points.max(1) as u64;
        let now_s = now_ms / BUCKET_MS;
        let start = now_s.saturating_sub(seconds);
        let step = seconds.div_ceil(points).max(1);
        let mut out: Vec<Bucket> = Vec::with_capacity(points as usize);
        let mut s = start;
        let mut last_hosts = (0u16, 0u16);
        let mut iter = self.buckets.iter().skip_while(|b| b.second < start).peekable();
        while s < now_s {
            let end = s + step;
            let mut merged = Bucket { second: s, healthy_hosts: last_hosts.0, unhealthy_hosts: last_hosts.1, ..Default::default() };
            while let Some(b) = iter.peek() {
                if b.second >= end {
                    break;
                }
                merged.counters.add(&b.counters);
                merged.healthy_hosts = b.healthy_hosts;
                merged.unhealthy_hosts = b.unhealthy_hosts;
                iter.next();
            }
            last_hosts = (merged.healthy_hosts, merged.unhealthy_hosts);
            out.push(merged);
            s = end;
        }
        out
    }
}
