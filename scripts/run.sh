#!/usr/bin/env bash
# Set up whatever is missing, build ALB Lab, and serve it with its default scenario on
# http://127.0.0.1:8080 (Ctrl-C to stop). Safe to run again: installed tools are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
echo "ALB Lab: building and serving on http://127.0.0.1:8080"
exec trunk serve --release --address 127.0.0.1 --port 8080
