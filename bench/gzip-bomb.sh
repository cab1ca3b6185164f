#!/usr/bin/env bash
# Peak memory of Assay facing a 10 GiB gzip bomb (issue 13): `evidence import` of a
# .json.gz that inflates to 10 GiB, and `bundle verify` of a bundle whose entry is 10 GiB
# of zeros. Both must be refused with the limit named, in well under 512 MB.
# Usage: bench/gzip-bomb.sh [path/to/assay]   (default: target/release/assay, else debug)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
if [ -z "$bin" ]; then
  bin=$here/target/release/assay
  [ -x "$bin" ] || bin=$here/target/debug/assay
fi
[ -x "$bin" ] || { echo "no assay binary; run cargo build -p assay-cli" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
size=${BOMB_GIB:-10}

echo "generating a ${size} GiB gzip bomb (streamed)..."
head -c "${size}G" /dev/zero | gzip -9 > "$work/bomb.json.gz"
ls -l "$work/bomb.json.gz" | awk '{print "  bomb.json.gz: " $5 " bytes"}'

echo "generating a bundle whose blob entry is ${size} GiB of zeros (streamed)..."
mkdir -p "$work/t/blobs"
# A regular (not sparse) tar entry named like a blob, first in the archive, so the reader
# meets the zeros before anything else; it must stop at the limit.
truncate -s "${size}G" "$work/t/blobs/$(printf '0%.0s' $(seq 64))"
printf '{}' > "$work/t/bundle.json"
(cd "$work/t" && tar -cf - blobs/* bundle.json | gzip -9 > "$work/bomb.tar.gz")
ls -l "$work/bomb.tar.gz" | awk '{print "  bomb.tar.gz: " $5 " bytes"}'

"$bin" init "$work/ws" --org Bomb --type type2 --period-start 2026-01-01 --period-end 2026-06-30 >/dev/null

peak() { # command... ; prints exit code, peak RSS and the error line
  set +e
  /usr/bin/time -v "$@" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$work/err")
  echo "  exit $code, peak RSS $((rss / 1024)) MiB"
  grep -m1 -i "error\|refused\|inflates" "$work/err" | cut -c1-240 | sed 's/^/  /'
}

echo "evidence import of the bomb:"
peak "$bin" -C "$work/ws" evidence import "$work/bomb.json.gz" --kind aws-cloudtrail
echo "evidence add of the bomb:"
peak "$bin" -C "$work/ws" evidence add "$work/bomb.json.gz" --kind document
echo "bundle verify of the bomb bundle:"
peak "$bin" bundle verify "$work/bomb.tar.gz"
