#!/usr/bin/env bash
# Run every ALB Lab test: formatting and lints, the native core tests (unit, scenario replay,
# determinism, properties), the release page build and its size report, the wasm-bindgen
# component tests in headless Chromium, and the Playwright journeys against the built site.
# Sets up whatever is missing first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
step() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --bins -- -D warnings

step "core tests (native)"
cargo test

step "release build of the page"
trunk build --release
node scripts/bundle-size.mjs

step "component tests (wasm-bindgen-test in headless Chromium)"
cargo test --target wasm32-unknown-unknown --test browser

step "end-to-end journeys (Playwright, headless Chromium)"
npx playwright test
