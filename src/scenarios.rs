//! The scenario files shipped with ALB Lab, embedded at build time so the page works offline
//! from a static folder.

use crate::sim::{Scenario, ValidScenario};

/// (file name, contents) of every file in `scenarios/`.
pub const FILES: &[(&str, &str)] = &[("default.json", include_str!("../scenarios/default.json"))];

/// The scenario the page opens with: a working Fargate service behind an ALB.
pub fn default_scenario() -> ValidScenario {
    // The embedded file is checked by `cargo test` (tests/scenarios.rs), so this cannot fail in
    // a released build; the fallback keeps even a broken build from panicking.
    Scenario::from_json(FILES[0].1)
        .unwrap_or_else(|e| panic!("embedded default scenario is invalid: {e}"))
}
