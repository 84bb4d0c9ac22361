//! The files in `scenarios/` and `scenarios/exercises/`, embedded with `include_str!`. This file
//! holds only the two lists, so the build script (build.rs) can read the same lists the app
//! does: it validates every exercise and bakes it into Rust values at build time.

/// The scenario the page opens with, apart from the list: the first screen needs only this one,
/// and naming the list would keep every file in the page's first load.
pub const DEFAULT: &str = include_str!("../scenarios/default.json");

/// (file name, contents) of every file in `scenarios/`: the working default first, then one
/// scenario per failure mode of the product brief, in the order a request meets them.
pub const FILES: &[(&str, &str)] = &[
    ("default.json", DEFAULT),
    ("no-service-attached.json", include_str!("../scenarios/no-service-attached.json")),
    ("desired-zero.json", include_str!("../scenarios/desired-zero.json")),
    ("app-port-mismatch.json", include_str!("../scenarios/app-port-mismatch.json")),
    ("container-mapping-mismatch.json", include_str!("../scenarios/container-mapping-mismatch.json")),
    ("tg-healthcheck-port-mismatch.json", include_str!("../scenarios/tg-healthcheck-port-mismatch.json")),
    ("wrong-health-path.json", include_str!("../scenarios/wrong-health-path.json")),
    ("health-check-redirect.json", include_str!("../scenarios/health-check-redirect.json")),
    ("task-sg-blocks-alb.json", include_str!("../scenarios/task-sg-blocks-alb.json")),
    ("nacl-drops-replies.json", include_str!("../scenarios/nacl-drops-replies.json")),
    ("fail-open.json", include_str!("../scenarios/fail-open.json")),
    ("alb-sg-blocks-client.json", include_str!("../scenarios/alb-sg-blocks-client.json")),
    ("no-listener-on-port.json", include_str!("../scenarios/no-listener-on-port.json")),
    ("task-reachable-by-ip.json", include_str!("../scenarios/task-reachable-by-ip.json")),
    ("instance-target-type.json", include_str!("../scenarios/instance-target-type.json")),
    ("deploy-503-window.json", include_str!("../scenarios/deploy-503-window.json")),
    ("zero-downtime-deploy.json", include_str!("../scenarios/zero-downtime-deploy.json")),
    ("slow-start-grace.json", include_str!("../scenarios/slow-start-grace.json")),
    ("bridge-dynamic-ports.json", include_str!("../scenarios/bridge-dynamic-ports.json")),
    ("hung-task.json", include_str!("../scenarios/hung-task.json")),
    ("task-in-disabled-zone.json", include_str!("../scenarios/task-in-disabled-zone.json")),
];

/// (file name, contents) of every exercise in `scenarios/exercises/`, from first steps to hard:
/// an empty target group, then the gates a request meets on its way in, then port and health
/// check mismatches, then setups that need two changes or a deployment done right.
pub const EXERCISES: &[(&str, &str)] = &[
    ("desired-zero.json", include_str!("../scenarios/exercises/desired-zero.json")),
    ("service-not-attached.json", include_str!("../scenarios/exercises/service-not-attached.json")),
    ("alb-sg-blocks-client.json", include_str!("../scenarios/exercises/alb-sg-blocks-client.json")),
    ("no-listener-on-port.json", include_str!("../scenarios/exercises/no-listener-on-port.json")),
    ("wrong-health-path.json", include_str!("../scenarios/exercises/wrong-health-path.json")),
    ("health-check-redirect.json", include_str!("../scenarios/exercises/health-check-redirect.json")),
    ("task-sg-blocks-alb.json", include_str!("../scenarios/exercises/task-sg-blocks-alb.json")),
    ("app-port-mismatch.json", include_str!("../scenarios/exercises/app-port-mismatch.json")),
    ("tg-healthcheck-port-mismatch.json", include_str!("../scenarios/exercises/tg-healthcheck-port-mismatch.json")),
    ("fail-open.json", include_str!("../scenarios/exercises/fail-open.json")),
    ("task-reachable-by-ip.json", include_str!("../scenarios/exercises/task-reachable-by-ip.json")),
    ("hung-task.json", include_str!("../scenarios/exercises/hung-task.json")),
    ("nacl-drops-replies.json", include_str!("../scenarios/exercises/nacl-drops-replies.json")),
    ("container-mapping-mismatch.json", include_str!("../scenarios/exercises/container-mapping-mismatch.json")),
    ("instance-target-type.json", include_str!("../scenarios/exercises/instance-target-type.json")),
    ("slow-start-grace.json", include_str!("../scenarios/exercises/slow-start-grace.json")),
    ("deploy-503-window.json", include_str!("../scenarios/exercises/deploy-503-window.json")),
];
