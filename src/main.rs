//! The page's entry point: mounts the Leptos app in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    alb_lab::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("alb-lab is the browser app: build and serve it with `scripts/run.sh` (Trunk).");
    eprintln!("For the native scenario runner, use `cargo run --bin alb-lab-scenario -- --help`.");
}
