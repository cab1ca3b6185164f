#!/usr/bin/env bash
# Engine benchmark: the default library's whole test suite (every automated test, calendar
# and sample selection, then judgment) over the demo company (built straight into tables) with 10M audit events and
# 1M changes, built in memory. Prints one JSON object with the time to prepare the tables,
# the suite's wall time, the slowest tests, and the peak memory of the whole run.
# Usage: bench/engine.sh [PEOPLE EVENTS CHANGES]   (default 5000 10000000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-5000}" events="${2:-10000000}" changes="${3:-1000000}"
cargo build --release --locked -q -p assay-demo --example suite
bin="$PWD/target/release/examples/suite"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "$bin" "$people" "$events" "$changes" 2>"$log"
  grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$log" | sed 's/^\s*/# /'
else
  "$bin" "$people" "$events" "$changes"
fi
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
