#!/usr/bin/env bash
# Ingest benchmark: `assay evidence add` over ~1 GB of mixed evidence files, as a ratio to
# `sha256sum` over the same files (the floor: reading and hashing every byte once).
# Usage: bench/ingest.sh [SIZE_MB]   (default 1024). Needs a release build of assay.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-1024}"
cargo build --release --locked -q -p assay-cli
assay="$PWD/target/release/assay"
work="$(mktemp -d "${TMPDIR:-/tmp}/assay-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "generating ${size_mb} MB of mixed evidence in $work ..."
python3 - "$work/evidence" "$size_mb" <<'PY'
import gzip, json, os, random, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
random.seed(7)
os.makedirs(root, exist_ok=True)
target, written, i = size_mb * 1024 * 1024, 0, 0
while written < target:
    kind = i % 10
    path = os.path.join(root, f"d{i % 50:02d}")
    os.makedirs(path, exist_ok=True)
    if kind < 4:      # CSV exports, 100 KB - 4 MB
        rows = random.randint(1000, 40000)
        data = "email,department,start,end\n" + "".join(
            f"user{j}@acme.example,eng,2025-0{1 + j % 9}-1{j % 10},\n" for j in range(rows))
        name, blob = f"roster-{i}.csv", data.encode()
    elif kind < 7:    # JSON API responses, 50 KB - 2 MB
        items = [{"id": j, "login": f"u{j}", "state": "active", "mfa": j % 7 != 0} for j in range(random.randint(500, 20000))]
        name, blob = f"api-{i}.json", json.dumps(items).encode()
    elif kind < 9:    # gzip CloudTrail-shaped logs
        recs = [{"eventTime": "2026-03-01T00:00:00Z", "eventName": "ConsoleLogin", "sourceIPAddress": f"10.0.{j % 255}.{j % 7}"} for j in range(random.randint(2000, 30000))]
        name, blob = f"trail-{i}.json.gz", gzip.compress(json.dumps({"Records": recs}).encode(), 6)
    else:             # binary documents (screenshots, PDFs), 1 - 8 MB
        name, blob = f"screenshot-{i}.png", os.urandom(random.randint(1, 8) * 1024 * 1024)
    with open(os.path.join(path, name), "wb") as f:
        f.write(blob)
    written += len(blob); i += 1
print(f"{i} files, {written / 1048576:.0f} MB")
PY

files=$(find "$work/evidence" -type f | wc -l)
bytes=$(du -sb "$work/evidence" | cut -f1)
sync
# Warm the page cache for both, so neither pays the first read.
cat $(find "$work/evidence" -type f) > /dev/null

t0=$(date +%s.%N)
find "$work/evidence" -type f -print0 | xargs -0 sha256sum > /dev/null
t1=$(date +%s.%N)

"$assay" init "$work/ws" --org Bench --type type1 --as-of 2026-06-30 > /dev/null
t2=$(date +%s.%N)
"$assay" -C "$work/ws" evidence add "$work/evidence" --kind document > /dev/null
t3=$(date +%s.%N)
"$assay" -C "$work/ws" verify > /dev/null
t4=$(date +%s.%N)

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$files" "$bytes" <<'PY'
import sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6]); files, size = int(sys.argv[6]), int(sys.argv[7])
sha, ingest, verify = t1 - t0, t3 - t2, t4 - t3
mb = size / 1048576
print(f"files {files}, {mb:.0f} MB")
print(f"sha256sum          {sha:7.2f} s  {mb / sha:7.0f} MB/s")
print(f"assay evidence add {ingest:7.2f} s  {mb / ingest:7.0f} MB/s  ratio {ingest / sha:.2f}x  (target <= 2x)")
print(f"assay verify       {verify:7.2f} s  {mb / verify:7.0f} MB/s  ratio {verify / sha:.2f}x")
PY
