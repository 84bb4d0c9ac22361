//! The cost of a tick does not depend on how long a setup's lists are: it is counted here in heap
//! allocations (deterministic, unlike time), and timed in `benches/sim.rs` (docs/benchmarks.md).
//!
//! A link once listed one subnet 23,388 times; every tick cloned the service with that list and
//! ran 2,300 times slower. Lists now have limits, and the per-tick path copies nothing that
//! does not change; this test holds both.

mod common;

use alb_lab::sim::scenario::{ListenerRule, SecurityGroupRule};
use alb_lab::sim::{Scenario, Sim};
use common::scenario;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations per tick over `ticks`, after the run has settled.
fn allocations_per_tick(s: Scenario, ticks: u64) -> f64 {
    let mut sim = Sim::new(s.validate().expect("valid"), Some(1));
    sim.run_for(30_000);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..ticks {
        sim.tick();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / ticks as f64
}

/// The default setup with every list a tick might walk at its limit: 16 subnets for the
/// service, 60 inbound and 60 outbound rules on each group, 100 listener rules.
fn longest_lists() -> Scenario {
    let mut s = scenario("default.json").into_inner();
    if let Some(nc) = s.service.as_mut().and_then(|svc| svc.network_configuration.as_mut()) {
        let subnets = nc.subnets.clone();
        nc.subnets = (0..16).map(|i| subnets[i % subnets.len()].clone()).collect();
    }
    for g in &mut s.security_groups {
        let keep_in = g.ingress.clone();
        let keep_out = g.egress.clone();
        let filler = |i: u16| SecurityGroupRule {
            protocol: "tcp".into(),
            from_port: 20000 + i,
            to_port: 20000 + i,
            source: "192.168.0.0/16".into(),
            description: String::new(),
        };
        g.ingress = (0..60 - keep_in.len() as u16).map(filler).chain(keep_in).collect();
        g.egress = (0..60 - keep_out.len() as u16).map(filler).chain(keep_out).collect();
    }
    let action = s.load_balancer.listeners[0].default_action.clone();
    s.load_balancer.listeners[0].rules =
        (0..100).map(|i| ListenerRule { priority: 1 + i, path_pattern: format!("/never-{i}/*"), action: action.clone() }).collect();
    s
}

#[test]
fn a_tick_allocates_no_more_with_every_list_at_its_limit_than_with_the_default_setup() {
    for rate in [0.0, 20.0] {
        let mut base = scenario("default.json").into_inner();
        base.client.requests_per_second = rate;
        let mut long = longest_lists();
        long.client.requests_per_second = rate;
        let a = allocations_per_tick(base, 3000);
        let b = allocations_per_tick(long, 3000);
        println!("{rate} requests/s: {a:.2} allocations per tick with the default setup, {b:.2} with the longest lists");
        assert!(b <= a * 1.05 + 0.5, "at {rate} requests/s a tick allocates {b:.2} times with long lists, {a:.2} without");
    }
}
