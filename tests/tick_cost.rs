//! The cost of a tick does not depend on how long a setup's lists are: it is counted here in heap
//! allocations (deterministic, unlike time), and timed in `benches/sim.rs` (docs/benchmarks.md).
//!
//! A link once listed one subnet 23,388 times; every tick cloned the service with that list and
//! ran 2,300 times slower. Lists now have limits, and the per-tick path copies nothing that
//! does not change; this test holds both.

mod common;
#[path = "support/longest_lists.rs"]
mod longest_lists;

use alb_lab::sim::timeline::{Timeline, SNAPSHOT_EVERY_MS, WINDOW_MS};
use alb_lab::sim::{Scenario, Sim};
use common::scenario;
use longest_lists::with_every_list_at_its_limit;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes on the heap now.
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
/// The counters are global: the tests here take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
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
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

/// The timeline's snapshots are bounded: after an hour and a half at the heaviest load (ten
/// tasks, 200 requests/s), it keeps one sim hour of them, and the memory they hold stays under
/// `TIMELINE_BYTES_BOUND` (docs/benchmarks.md records the measured size).
#[test]
fn the_timeline_keeps_one_sim_hour_of_snapshots_within_its_memory_bound() {
    const TIMELINE_BYTES_BOUND: i64 = 48 * 1024 * 1024;
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut s = scenario("default.json").into_inner();
    s.client.requests_per_second = 200.0;
    if let Some(service) = s.service.as_mut() {
        service.desired_count = 10;
    }
    let mut sim = Sim::new(s.validate().expect("valid"), Some(1));
    let mut timeline = Timeline::new(&sim);
    for _ in 0..(WINDOW_MS + WINDOW_MS / 2) / 100 {
        sim.tick();
        timeline.after_tick(&sim);
    }
    let most = (WINDOW_MS / SNAPSHOT_EVERY_MS) as usize + 1;
    assert!(timeline.snapshot_count() <= most, "{} snapshots kept, at most {most} expected", timeline.snapshot_count());
    assert!(timeline.earliest_ms() + WINDOW_MS <= timeline.head_ms(), "the timeline reaches back a whole sim hour");
    assert!(timeline.earliest_ms() + WINDOW_MS + SNAPSHOT_EVERY_MS > timeline.head_ms(), "and not much further");
    let with = LIVE_BYTES.load(Ordering::Relaxed);
    let count = timeline.snapshot_count();
    drop(timeline);
    let held = with - LIVE_BYTES.load(Ordering::Relaxed);
    println!("the timeline held {:.1} MB in {count} snapshots ({:.0} KB each)", held as f64 / 1e6, held as f64 / 1e3 / count as f64);
    assert!(held > 0 && held <= TIMELINE_BYTES_BOUND, "the timeline held {held} bytes");
}
