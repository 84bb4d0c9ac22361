//! ALB Lab: see how a request reaches a container behind an AWS Application Load Balancer,
//! and why it sometimes does not.
//!
//! - [`import`]: a user's real AWS CLI, Terraform or CloudFormation documents read into a scenario, and diagnosed.
//! - [`sim`]: the pure, deterministic simulation core (no web dependencies, no clock).
//! - [`scenarios`]: the scenario and exercise files shipped with the tool, embedded at build time.
//! - `ui` (browser builds only): the Leptos page that draws the core and sends it commands.

// The exercises that build.rs bakes into Rust name `alloc::` paths.
extern crate alloc;

pub mod diagram;
pub mod import;
pub mod picture;
pub mod progress;
pub mod scenarios;
pub mod share;
mod shipped;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;
