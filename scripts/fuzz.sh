#!/usr/bin/env bash
# Fuzz what a stranger can hand the page: share-link fragments and scenario files.
# Not part of scripts/test.sh (it needs nightly and takes as long as you give it).
#
#   scripts/fuzz.sh [seconds per target, default 300]
#
# Installs cargo-fuzz if missing (idempotent), seeds each corpus from the shipped scenarios and
# the stored v1 link, runs each target for the given time, and prints what it found. Crashes land
# in fuzz/artifacts/<target>/; record each run in docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

mkdir -p fuzz/corpus/scenario_load fuzz/corpus/share_decode
cp scenarios/*.json fuzz/corpus/scenario_load/
cp tests/data/v1-link.txt fuzz/corpus/share_decode/v1-link

for target in share_decode scenario_load; do
  echo "== $target for ${seconds}s =="
  # One job (the machine has two cores); inputs up to the page's own limits.
  log="fuzz/$target.log"
  status=0
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len=2200000 -rss_limit_mb=4096 >"$log" 2>&1 || status=$?
  # The run's own summary: runs, coverage, corpus; and any finding libFuzzer wrote.
  grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|SUMMARY|==[0-9]+== ERROR|Test unit written|artifact_prefix)' "$log" || true
  if [ "$status" -ne 0 ] || ls "fuzz/artifacts/$target"/* >/dev/null 2>&1; then
    echo "$target: FOUND something (exit $status); see $log and fuzz/artifacts/$target/"
  else
    echo "$target: nothing found in ${seconds}s"
  fi
done
