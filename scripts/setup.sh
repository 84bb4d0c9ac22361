#!/usr/bin/env bash
# Installs whatever ALB Lab needs that this machine lacks, and nothing it already has.
# Idempotent: every step checks first. Only package registries are used (crates.io, npm,
# Debian); nothing downloads a prebuilt binary at run time.
#
#   scripts/setup.sh          everything (Rust wasm target, Trunk, wasm-bindgen CLI,
#                             wasm-split-cli, Chromium,
#                             chromedriver, npm packages including wasm-opt)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_SPLIT_VERSION=0.2.4
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must be exactly the library version in Cargo.lock (Cargo.toml pins it
# with "=" so the two never drift).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: $1 is missing. $2" >&2; exit 1; }; }
need rustup "Install Rust with rustup (https://rustup.rs), then run this again."

# rust-toolchain.toml pins the Rust the lints were written for. When this machine's stable Rust
# is that version but not installed under its number, name it so (no download).
PINNED=$(awk -F'"' '/^channel/{print $2; exit}' rust-toolchain.toml 2>/dev/null || true)
if [ -n "$PINNED" ] && ! rustup toolchain list 2>/dev/null | grep -q "^$PINNED"; then
  if rustup run stable rustc --version 2>/dev/null | grep -q "^rustc $PINNED "; then
    say "naming this machine's stable Rust $PINNED (rust-toolchain.toml)"
    rustup toolchain link "$PINNED" "$(rustup run stable rustc --print sysroot)"
  else
    say "installing Rust $PINNED (rust-toolchain.toml)"
    rustup toolchain install "$PINNED" --profile minimal --component rustfmt,clippy
  fi
fi
need cargo "Install Rust with rustup (https://rustup.rs), then run this again."
need npm "Install Node.js 20 and npm (Debian: apt-get install nodejs npm), then run this again."

# Trunk must use the wasm-bindgen CLI installed below, never download one: Trunk.toml names the
# same version as Cargo.lock.
if [ -f Trunk.toml ] && ! grep -q "wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  echo "setup: Trunk.toml [tools] wasm_bindgen must be \"$WASM_BINDGEN_VERSION\" (the version in Cargo.lock)." >&2
  exit 1
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 7 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  # Not --locked: one of its locked dependencies is no longer on crates.io.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Cuts the page's wasm into the first load and pieces loaded on demand (scripts/build-wasm.sh).
# It has no --version flag, so cargo's own record of installed crates says which one is here.
if ! grep -q "^\"wasm_split_cli_support $WASM_SPLIT_VERSION " "${CARGO_HOME:-$HOME/.cargo}/.crates.toml" 2>/dev/null || ! command -v wasm-split-cli >/dev/null 2>&1; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (about 2 minutes)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary --locked --force
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v python3 >/dev/null 2>&1; then
  say "installing Debian's chromium, chromium-driver and python3 (serves the built site to the tests)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core python3
fi

# npm packages (Playwright, axe, binaryen's wasm-opt): reinstall only when the lock changed.
if [ -f package-lock.json ]; then
  stamp=node_modules/.alb-lab-lock.sha
  want=$(sha256sum package-lock.json | awk '{print $1}')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
    echo "$want" > "$stamp"
  fi
fi

say "ready: rust wasm target, trunk $(trunk --version | awk '{print $2}'), wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'), wasm-split-cli $WASM_SPLIT_VERSION, $(wasm-opt --version 2>/dev/null || echo 'wasm-opt missing'), $(/usr/bin/chromium --version 2>/dev/null)"
