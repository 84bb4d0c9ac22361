//! `alb-lab-scenario`: the scenario authors' and CI's command.
//!
//! ```text
//! alb-lab-scenario run FILE [--seconds N] [--seed N] [--json] [--events N]
//! alb-lab-scenario check FILE                    validate only
//! alb-lab-scenario exercise FILE [--settle N]    does the start fail, does the solution reach the goal?
//! alb-lab-scenario import FILES… [-o scenario.json] [--redact]
//! alb-lab-scenario diagnose FILES… [--json] [--redact]
//! alb-lab-scenario export FILE [--seconds N]     the AWS CLI documents a scenario implies
//! ```
//! `import` and `diagnose` read AWS CLI JSON output (bare, or wrapped by the page's collector),
//! `terraform show -json` of a state or a plan, and CloudFormation JSON templates, in any number
//! and order, as the page's Import dialog does (docs/import.md).
//!
//! An exercise names its scenario by file name: it is read from the `scenarios/` folder next to
//! the exercise's folder (`scenarios/exercises/x.json` → `scenarios/<name>`) when that file
//! exists, else from the scenarios built into the tool. The start runs `--settle` sim seconds
//! (default 300) without changes and must not meet the goal; then the solution's steps are
//! applied and must reach it within the exercise's `solve_within_seconds`.
//!
//! Exit codes: 0 ok (for `diagnose`: a request gets through), 1 the file is invalid, the
//! exercise does not hold, or (`diagnose`) a request cannot get through, 2 bad arguments or no
//! document could be read, 3 a simulation invariant broke.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The page's wasm build type-checks every binary; this one has nothing to do in a browser.
#[cfg(target_arch = "wasm32")]
fn main() {}
