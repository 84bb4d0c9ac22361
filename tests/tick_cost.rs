//! The cost of a tick does not depend on how long a setup's lists are: it is counted here in heap
//! allocations (deterministic, unlike time), and timed in `benches/sim.rs` (docs/benchmarks.md).
//!
//! A link once listed one subnet 23,388 times; every tick cloned the service with that list and
//! ran 2,300 times slower. Lists now have limits, and the per-tick path copies nothing that
//! does not change; this test holds both.

mod common;
#[path = "support/longest_lists.rs"]
mod longest_lists;

use alb_lab::sim::{Scenario, Sim};
use common::scenario;
use longest_lists::with_every_list_at_its_limit;
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

#[test]
fn a_tick_allocates_no_more_with_every_list_at_its_limit_than_with_the_default_setup() {
    for rate in [0.0, 20.0] {
        let mut base = scenario("default.json").into_inner();
        base.client.requests_per_second = rate;
        let mut long = with_every_list_at_its_limit(scenario("default.json").into_inner());
        long.client.requests_per_second = rate;
        let a = allocations_per_tick(base, 3000);
        let b = allocations_per_tick(long, 3000);
        println!("{rate} requests/s: {a:.2} allocations per tick with the default setup, {b:.2} with the longest lists");
        assert!(b <= a, "at {rate} requests/s a tick allocates {b:.2} times with long lists, {a:.2} without");
    }
}
