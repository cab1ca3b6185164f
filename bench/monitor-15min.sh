#!/usr/bin/env bash
# Continuous monitoring for 15 minutes against local GitHub and Okta API servers
# (bench/monitor_mock.py): the scheduler inside `assay serve` on a schedule of every minute
# (`assay monitor` runs the same loop), with failures
# introduced and fixed between runs (an Okta user loses their second factor, then a GitHub
# repository loses its branch protection; each is fixed two runs later), and the monitor
# server SIGKILLed in the middle of a run and started again. At the end it checks, from the ledger,
# that each test's history changed at the right run, that the killed run is recorded once as
# interrupted, that the minutes without a monitor are recorded as missed, and that no
# scheduled time has two completed records. Prints the history and a verdict; exits 1 when a
# check fails.
#
# Usage: bench/monitor-15min.sh [MINUTES]   (default 15; ASSAY_BIN picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-15}"
bin="${ASSAY_BIN:-target/debug/assay}"
[ -x "$bin" ] || { echo "no assay binary at $bin: run cargo build first, or set ASSAY_BIN" >&2; exit 2; }
work="$(mktemp -d)"
# A copy, so a rebuild during the run does not change the binary under the monitor.
cp "$bin" "$work/assay"
assay="$work/assay"
echo "working in $work"

echo '{"okta_mfa_removed": false, "github_unprotected": false}' > "$work/state.json"
python3 bench/monitor_mock.py "$work/port" "$work/state.json" "$work/requests.log" &
mock=$!
monitor=""
cleanup() {
  [ -n "$monitor" ] && kill -9 "$monitor" 2>/dev/null || true
  kill "$mock" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do [ -f "$work/port" ] && break; sleep 0.1; done
port="$(cat "$work/port")"

# A Type II period around today, so the snapshots taken now fall inside it.
start="$(date -u -d '-150 days' +%F)"
end="$(date -u -d '+30 days' +%F)"
"$assay" init "$work/ws" --org Acme --type type2 --period-start "$start" --period-end "$end" >/dev/null
cat >> "$work/ws/assay.toml" <<TOML

[monitor]
schedule = "* * * * *"
timezone = "UTC"
timeout_seconds = 50

[[collector]]
kind = "okta"
base_url = "http://127.0.0.1:$port"

[[collector]]
kind = "github"
org = "acme"
base_url = "http://127.0.0.1:$port"
TOML
export OKTA_API_TOKEN=local-test-token GITHUB_TOKEN=local-test-token

start_monitor() {
  "$assay" -C "$work/ws" serve --listen 127.0.0.1:0 >> "$work/serve.out" 2>> "$work/serve.log" &
  monitor=$!
}
# The server logs every record it writes ("monitor run recorded ... outcome=Ok").
completed() { awk '/monitor run recorded/ && /outcome=(Ok|Failing)/ { n++ } END { print n + 0 }' "$work/serve.log" 2>/dev/null || echo 0; }
wait_completed() {
  while [ "$(completed)" -lt "$1" ]; do sleep 1; done
}
set_state() {
  python3 - "$work/state.json" "$1" "$2" <<'PY'
import json, sys
path, key, value = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
s = json.load(open(path))
s[key] = value
json.dump(s, open(path, "w"))
PY
  echo "$(date -u +%FT%T.%NZ) $1=$2" | tee -a "$work/changes.log"
}

began=$SECONDS
start_monitor
wait_completed 2; set_state okta_mfa_removed true
wait_completed 4; set_state github_unprotected true
wait_completed 6; set_state okta_mfa_removed false
wait_completed 8; set_state github_unprotected false
# Kill the monitor in the middle of its next run.
wait_completed 9
marker="$work/ws/.assay/monitor/running.json"
while [ ! -f "$marker" ]; do sleep 0.05; done
kill -9 "$monitor"; wait "$monitor" 2>/dev/null || true; monitor=""
echo "$(date -u +%FT%TZ) server SIGKILLed during the run due $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scheduled_for"])' "$marker")" | tee -a "$work/changes.log"
sleep 75
echo "$(date -u +%FT%TZ) server started again" | tee -a "$work/changes.log"
start_monitor
# Run until the schedule has come due `minutes` times since the start, then stop between runs.
while [ $((SECONDS - began)) -lt $((minutes * 60)) ]; do sleep 5; done
n="$(completed)"; wait_completed $((n + 1))
kill -9 "$monitor"; wait "$monitor" 2>/dev/null || true; monitor=""

python3 - "$assay" "$work" <<'PY'
import json, subprocess, sys
from datetime import datetime
assay, work = sys.argv[1], sys.argv[2]
def ts(s):
    """An RFC 3339 UTC time, to the microsecond."""
    s = s.rstrip("Z")
    if "." in s:
        whole, frac = s.split(".")
        s = whole + "." + frac[:6].ljust(6, "0")
    return datetime.fromisoformat(s)
ws = work + "/ws"
def run(*args):
    return subprocess.run([assay, "-C", ws, *args], check=True, capture_output=True, text=True).stdout
entries = json.loads(run("evidence", "list", "--kind", "assay-monitor-run", "--json"))["entries"]
records = [json.loads(run("evidence", "cat", str(e["entry"]["seq"]))) for e in entries]
changes = []
for line in open(work + "/changes.log"):
    at, what = line.split(" ", 1)
    if "=" in what:
        key, value = what.strip().split("=")
        changes.append((ts(at), key, value == "true"))
def state_at(t):
    s = {"okta_mfa_removed": False, "github_unprotected": False}
    for at, key, value in changes:
        if at <= t:
            s[key] = value
    return s
problems = []
print("| due | outcome | ACC-02.1 | CHG-02.1 | expected |")
print("|---|---|---|---|---|")
for r in records:
    tests = r.get("tests", {})
    acc = tests.get("ACC-02.1", {}).get("result", "-")
    chg = tests.get("CHG-02.1", {}).get("result", "-")
    want = ""
    if r["outcome"] in ("ok", "failing"):
        s = state_at(ts(r["started"]))
        want_acc = "not-effective" if s["okta_mfa_removed"] else "effective"
        want_chg = "not-effective" if s["github_unprotected"] else "effective"
        want = f"{want_acc}, {want_chg}"
        if (acc, chg) != (want_acc, want_chg):
            problems.append(f"run due {r['scheduled_for']}: ACC-02.1 {acc}, CHG-02.1 {chg}; expected {want}")
    extra = f" ({r.get('missed_count')} missed)" if r["outcome"] == "missed" else ""
    print(f"| {r['scheduled_for']} | {r['outcome']}{extra} | {acc} | {chg} | {want} |")
for test in ("ACC-02.1", "CHG-02.1"):
    h = json.loads(run("history", test, "--json"))
    flips = [(p["at"], p["change"]) for p in h["points"] if p.get("change")]
    print(f"{test}: " + ", ".join(f"{c} at {a}" for a, c in flips))
    if [c for _, c in flips] != ["started-failing", "recovered"]:
        problems.append(f"{test}: changes {flips}, expected started-failing then recovered")
interrupted = [r for r in records if r["outcome"] == "interrupted"]
missed = [r for r in records if r["outcome"] == "missed"]
if len(interrupted) != 1:
    problems.append(f"{len(interrupted)} interrupted records, expected 1")
if not missed:
    problems.append("no missed record for the minutes without a monitor")
due = [r["scheduled_for"] for r in records if r["outcome"] != "missed"]
if len(due) != len(set(due)):
    problems.append("a scheduled time has two records")
completed = [r for r in records if r["outcome"] in ("ok", "failing")]
print(f"{len(records)} records: {len(completed)} completed runs, {len(interrupted)} interrupted, "
      f"{sum(r.get('missed_count', 0) for r in missed)} missed times")
print(run("verify").strip().splitlines()[-1])
if problems:
    print("FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
print("every check held")
PY
