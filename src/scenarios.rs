//! The scenario files shipped with ALB Lab, embedded at build time so the page works offline
//! from a static folder.

use crate::sim::exercise::{Exercise, ExerciseError};
use crate::sim::{Scenario, ValidScenario};

pub use crate::shipped::{EXERCISES, FILES};

// The exercises as Rust values, baked at build time by build.rs from EXERCISES (validated there:
// an invalid exercise fails the build): `fn baked_exercises() -> Vec<Exercise>`.
include!(concat!(env!("OUT_DIR"), "/baked_exercises.rs"));
// `scenarios/default.json` as a Rust value, baked by build.rs: `fn baked_default_scenario()`.
include!(concat!(env!("OUT_DIR"), "/baked_default_scenario.rs"));

/// The text of a scenario file shipped with the tool, by file name.
pub fn scenario_text(name: &str) -> Option<String> {
    FILES.iter().find(|(file, _)| *file == name).map(|(_, text)| text.to_string())
}

/// Every shipped exercise with its starting scenario, ordered by difficulty (stable). The files
/// are checked by `cargo test`; one that fails to load is reported, not fatal.
pub fn exercises() -> Vec<Result<(Exercise, ValidScenario), (String, ExerciseError)>> {
    let mut out: Vec<_> =
        EXERCISES.iter().map(|(file, text)| Exercise::from_json(text, scenario_text).map_err(|e| (file.to_string(), e))).collect();
    out.sort_by_key(|r| r.as_ref().map(|(e, _)| e.difficulty).unwrap_or(u8::MAX));
    out
}

/// Every shipped exercise as baked at build time (no JSON is read), ordered by difficulty
/// (stable): what the page lists.
pub fn exercise_catalogue() -> Vec<Exercise> {
    let mut out = baked_exercises();
    out.sort_by_key(|e| e.difficulty);
    out
}

/// An exercise's starting scenario, read from its embedded file (build.rs checked that it loads).
pub fn exercise_scenario(exercise: &Exercise) -> Option<ValidScenario> {
    let text = FILES.iter().find(|(file, _)| *file == exercise.scenario).map(|(_, text)| *text)?;
    Scenario::from_json(text).ok()
}

/// The scenario the page opens with: a working Fargate service behind an ALB.
pub fn default_scenario() -> ValidScenario {
    // Baked at build time (no JSON is read) and validated here by the same validator as any
    // file; build.rs refused an invalid file, and `tests/exercises.rs` holds the baked value
    // equal to the file as read, so this cannot fail in a released build.
    baked_default_scenario().validate().unwrap_or_else(|e| panic!("embedded default scenario is invalid: {e}"))
}
