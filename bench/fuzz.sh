#!/usr/bin/env bash
# The property tests of the hostile-input targets (issue 13), run longer: redaction, the
# bundle reader, every import normalizer and the workspace loaders, each with many more cases
# than `cargo test` gives them and a time limit per target. Fails on the first counterexample
# (proptest prints the shrunk input); a target that reaches its time limit without one passes,
# and the output says so.
# Debug build (the one `cargo test` already made), so no second build is needed.
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET] [CASES]   (defaults: 300 s, 20000 cases)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-300}
export PROPTEST_CASES=${2:-20000}
# No shrinking budget surprises: a failure is reported with its shrunk input.
export PROPTEST_MAX_SHRINK_ITERS=${PROPTEST_MAX_SHRINK_ITERS:-4096}

targets=(
  "assay-locker redaction"
  "assay-locker bundle"
  "assay-tables hostile"
  "assay-workspace hostile"
)
cargo test --locked -p assay-locker -p assay-tables -p assay-workspace --no-run
failed=0
for t in "${targets[@]}"; do
  read -r crate test <<<"$t"
  echo "== $crate/$test: $PROPTEST_CASES cases per property, at most $limit s"
  start=$SECONDS
  set +e
  timeout "$limit" cargo test --locked -q -p "$crate" --test "$test" -- \
    never_panic twice describe 2>&1 | tail -n 20
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -eq 124 ]; then
    echo "   $crate/$test: time limit reached after $((SECONDS - start)) s with no failure so far" >&2
  elif [ "$status" -ne 0 ]; then
    echo "   $crate/$test: FAILED (exit $status)" >&2
    failed=1
  else
    echo "   $crate/$test: passed in $((SECONDS - start)) s"
  fi
done
exit $failed
