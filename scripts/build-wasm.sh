#!/usr/bin/env bash
# Builds the page's wasm in pieces: the first screen in the first load, and what a reader opens
# later (the exercises, the share dialog, the settings forms, picture export) in modules fetched
# on demand. Trunk 0.21 cannot split a wasm (trunk-rs/trunk#1022), so Trunk's post_build hook
# runs this instead of Trunk's own Rust step, and writes into Trunk's staging folder.
#
# The steps (docs/performance.md explains them):
#   1. cargo builds the app with `--cfg alb_split`, which turns the functions marked
#      `#[cfg_attr(alb_split, lazy)]` into split points, and `--emit-relocs`, which keeps the
#      relocations `wasm-split-cli` needs to move functions between modules;
#   2. wasm-split-cli (crate wasm_split_cli_support) cuts the wasm at those split points: a main
#      module, one module per split point (plus shared chunks), and `__wasm_split.js`, the loader;
#   3. wasm-bindgen makes the JS glue for the main module, keeping the exports the pieces link to;
#   4. wasm-opt -Oz shrinks every piece, as Trunk's `data-wasm-opt="z"` did.
#
# By hand: TRUNK_STAGING_DIR=dist TRUNK_PROFILE=release scripts/build-wasm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

out=${TRUNK_STAGING_DIR:?run by Trunk, or set TRUNK_STAGING_DIR to the folder to write into}
profile=${TRUNK_PROFILE:-release}
# Its own target folder: the flags below differ from clippy's and the component tests', and
# sharing one folder would rebuild every dependency each time they alternate.
target_dir="${CARGO_TARGET_DIR:-target}/split"
cargo_profile=(--release)
[ "$profile" = debug ] && cargo_profile=()

RUSTFLAGS="${RUSTFLAGS:-} --cfg alb_split -C link-args=--emit-relocs" \
  cargo build "${cargo_profile[@]}" --target wasm32-unknown-unknown --bin alb-lab --target-dir "$target_dir"

built="$target_dir/wasm32-unknown-unknown/$profile/alb-lab.wasm"
pieces="$target_dir/pieces"
rm -rf "$pieces" && mkdir -p "$pieces"
wasm-split-cli "$built" "$pieces" --out-name alb-lab
# The main module goes through wasm-bindgen; the pieces and the loader are copied as they are.
wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript \
  --out-dir "$out" --out-name alb-lab "$pieces/alb-lab.wasm"
for f in "$pieces"/*; do
  case "$(basename "$f")" in alb-lab.wasm) ;; *) cp "$f" "$out/" ;; esac
done
if [ "$profile" = release ]; then
  for f in "$out"/*.wasm; do
    wasm-opt -Oz "$f" -o "$f"
  done
fi
