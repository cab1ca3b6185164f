#!/usr/bin/env bash
# Load on loopback: `assay serve` on the medium demo, 100 browser sessions reading the API and
# uploading evidence for 60 s (crates/assay-server/examples/load.rs). Prints the measurement
# as JSON for docs/performance.md. Needs the release build:
#   cargo build --release -p assay-cli -p assay-server --bins --example load
#   bash bench/serve-load.sh [SESSIONS] [SECONDS]
# PROFILE=debug uses the debug build instead (slower: an upper bound on the latencies).
set -euo pipefail
cd "$(dirname "$0")/.."
sessions="${1:-100}"
seconds="${2:-60}"
profile="${PROFILE:-release}"
assay="$PWD/target/$profile/assay"
load="$PWD/target/$profile/examples/load"
for b in "$assay" "$load"; do
  [ -x "$b" ] || { echo "missing $b: build it first (see the header of this script)" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$assay" demo --scale medium --out "$work/medium" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$assay" -C "$work/medium" serve --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q "Press Ctrl-C" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
token="$(grep -o 'token=[A-Za-z0-9_-]*' "$work/serve.out" | cut -d= -f2)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; server pid $pid" >&2
"$load" "http://127.0.0.1:$port" "$token" "$sessions" "$seconds" "$pid"
"$assay" -C "$work/medium" verify >&2
