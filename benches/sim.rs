//! How fast the core simulates: one hour of sim time (36,000 ticks) of a ten-task service behind
//! the ALB, at 50 requests per second, and the same hour at 10 and 200 requests per second to
//! show that the cost grows with the request rate, linearly.
//!
//! Also what the page pays per frame for the diagram: the scene and its flows.
//!
//! Run: `cargo bench --bench sim`. Results and the machine they came from: docs/benchmarks.md.

#[path = "../tests/support/longest_lists.rs"]
mod longest_lists;

use alb_lab::scenarios::FILES;
use alb_lab::sim::timeline::{Timeline, SNAPSHOT_EVERY_MS};
use alb_lab::sim::{Scenario, Sim, ValidScenario, TICK_MS};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use longest_lists::with_every_list_at_its_limit;
use std::hint::black_box;
use std::time::Duration;

const HOUR_MS: u64 = 3_600_000;

/// The default scenario with ten tasks and the given client load. The warm-up (60 s, no load)
/// runs in `Sim::new`, outside the measurement, so the hour starts with a steady service.
fn ten_tasks(requests_per_second: f64) -> ValidScenario {
    let mut s = Scenario::from_json(FILES[0].1).expect("the default scenario is valid").into_inner();
    if let Some(service) = s.service.as_mut() {
        service.desired_count = 10;
    }
    s.client.requests_per_second = requests_per_second;
    s.validate().expect("ten tasks at this rate is a valid scenario")
}

fn run_hour(mut sim: Sim) -> Sim {
    for _ in 0..HOUR_MS / TICK_MS {
        sim.tick();
    }
    sim
}

fn hour(c: &mut Criterion) {
    let mut group = c.benchmark_group("one sim hour, 10 tasks");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for rps in [10.0, 50.0, 200.0] {
        let scenario = ten_tasks(rps);
        // Sanity: the run does what it claims (every request answered by the app).
        let check = run_hour(Sim::new(scenario.clone(), None));
        let totals = check.metrics().totals;
        assert_eq!(totals.target_2xx, totals.total_outcomes(), "the benchmark setup should be healthy");
        assert!(check.requests_sent() as f64 >= rps * 3600.0 * 0.99);
        group.throughput(Throughput::Elements(check.requests_sent()));
        group.bench_with_input(BenchmarkId::new("requests/s", rps as u64), &scenario, |b, scenario| {
            b.iter_batched(|| Sim::new(scenario.clone(), None), |sim| black_box(run_hour(sim)), BatchSize::LargeInput)
        });
    }
    group.finish();
}

/// What the page pays for the diagram each frame it changes: the scene of a ten-task service
/// laid out for a wide screen, and the flows and badges of the last 30 s at 200 requests/s.
fn diagram(c: &mut Criterion) {
    use alb_lab::diagram::{plan, scene, Viewport};
    let mut sim = Sim::new(ten_tasks(200.0), None);
    sim.run_for(60_000);
    let mut group = c.benchmark_group("diagram, 10 tasks");
    group.bench_function("scene", |b| b.iter(|| black_box(scene(&sim, Viewport::wide(1000.0, 360.0)))));
    let sc = scene(&sim, Viewport::wide(1000.0, 360.0));
    let counts = sim.flows().window(sim.now_ms(), plan::FLOW_WINDOW_SECONDS);
    group.bench_function("flows and badges", |b| b.iter(|| black_box(plan::plan_flows(&counts, 30.0, &sc))));
    group.finish();
}

/// A tick with every list a setup can hold at its limit (16 service subnets, 60 rules each way
/// on every group, 100 listener rules) against the default lists, at the same load and task
/// count: the cost must not follow the lists (a long subnet list once made ticks 2,300× slower).
fn longest_lists(c: &mut Criterion) {
    let base = ten_tasks(50.0).into_inner();
    let long = with_every_list_at_its_limit(base.clone());
    let mut group = c.benchmark_group("one sim minute, 10 tasks, 50 requests/s");
    group.sample_size(20);
    for (name, s) in [("default lists", base), ("every list at its limit", long)] {
        let valid = s.validate().expect("valid");
        group.bench_function(name, |b| {
            b.iter_batched(
                || Sim::new(valid.clone(), None),
                |mut sim| {
                    sim.run_for(60_000);
                    black_box(sim)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// The page must not get slower the longer it runs: a sim minute (10 tasks, 20 requests/s, the
/// page benchmark's "today" load) costs the same two sim hours in as at the start.
fn early_and_late(c: &mut Criterion) {
    let valid = ten_tasks(20.0);
    let mut group = c.benchmark_group("one sim minute, 10 tasks, 20 requests/s");
    group.sample_size(20);
    for (name, after_ms) in [("at the start", 0), ("two sim hours in", 2 * HOUR_MS)] {
        let mut start = Sim::new(valid.clone(), None);
        start.run_for(after_ms);
        group.bench_function(name, |b| {
            b.iter_batched(
                || start.clone(),
                |mut sim| {
                    sim.run_for(60_000);
                    black_box(sim)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Time travel: showing a moment of a sim hour at the heaviest load (ten tasks, 200 requests/s).
/// The worst moment is just before a snapshot is due (a whole `SNAPSHOT_EVERY_MS` replayed); a
/// moment just after one is a clone. The page asks for one seek per scrub step.
fn seek(c: &mut Criterion) {
    let mut sim = Sim::new(ten_tasks(200.0), None);
    let mut timeline = Timeline::new(&sim);
    for _ in 0..HOUR_MS / TICK_MS {
        sim.tick();
        timeline.after_tick(&sim);
    }
    let start = timeline.earliest_ms();
    let mut group = c.benchmark_group("seek in a sim hour, 10 tasks, 200 requests/s");
    group.sample_size(20);
    for (name, at_ms) in [
        ("just after a snapshot", start + 30 * SNAPSHOT_EVERY_MS + TICK_MS),
        ("just before a snapshot (worst)", start + 31 * SNAPSHOT_EVERY_MS - TICK_MS),
    ] {
        group.bench_function(name, |b| b.iter(|| black_box(timeline.seek(at_ms))));
    }
    group.finish();
}

/// Importing a real setup: reading and joining one collector file (a broken fixture: the task
/// group drops the load balancer), and the report (five simulated minutes and the diagnosis),
/// what the dialog does on every paste; then the same beside a document at the resource limit.
fn import(c: &mut Criterion) {
    use alb_lab::import::{self, report::report, Source};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/aws/task-sg-blocks-alb.json");
    let text = std::fs::read_to_string(path).expect("fixture");
    let sources = [Source::new("collector file", text)];
    let mut group = c.benchmark_group("import");
    group.bench_function("read and build", |b| b.iter(|| black_box(import::import(&sources))));
    let imported = import::import(&sources);
    group.sample_size(20);
    group.bench_function("report", |b| b.iter(|| black_box(report(&imported))));
    // The most an import reads: the fixture plus security groups up to the resource limit, each
    // with rules that name another group, so the joins have work to do.
    let groups: Vec<String> = (0..import::MAX_RESOURCES - 100)
        .map(|i| {
            format!(
                r#"{{"GroupId":"sg-{i:017x}","GroupName":"g{i}","VpcId":"vpc-1","IpPermissions":[{{"IpProtocol":"tcp","FromPort":80,"ToPort":80,"UserIdGroupPairs":[{{"GroupId":"sg-{:017x}"}}]}}],"IpPermissionsEgress":[{{"IpProtocol":"-1","IpRanges":[{{"CidrIp":"0.0.0.0/0"}}]}}]}}"#,
                (i + 1) % 1000
            )
        })
        .collect();
    let big = [sources[0].clone(), Source::new("many groups", format!(r#"{{"SecurityGroups":[{}]}}"#, groups.join(",")))];
    let read = import::import(&big);
    assert!(read.documents.iter().all(|d| d.refused.is_none()), "the limit's document must be read, not refused: {:?}", read.documents);
    assert!(read.scenario().is_some(), "the fixture still builds beside the groups");
    group.bench_function("read and build at the resource limit", |b| b.iter(|| black_box(import::import(&big))));
    group.finish();
}

criterion_group!(benches, hour, diagram, longest_lists, early_and_late, seek, import);
criterion_main!(benches);
