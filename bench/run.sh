#!/usr/bin/env bash
# The benchmark against peers, on one generated company (docs/performance.md):
#   - ingest: `assay evidence import` of every generated file vs `sha256sum` over the same files
#   - the default suite's SQL: `assay test` vs DuckDB running the same queries over the same
#     Parquet tables (bench/duckdb_suite.py, which also checks both find the same exceptions)
#   - three representative tests vs the same checks in plain Python over the exports
#     (bench/python_checks.py) and in Rego (bench/checks.rego via bench/rego_checks.py)
#   - end to end: `assay demo --scale SCALE` wall time and peak memory (/usr/bin/time -v)
# Usage: bench/run.sh [SCALE] [SEED]   (default: medium 7). Needs python3 with pip.
# ASSAY_BIN=path uses that binary instead of building target/release/assay.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-medium}" seed="${2:-7}"
if [ -z "${ASSAY_BIN:-}" ]; then
  cargo build --release --locked -q -p assay-cli
fi
assay="${ASSAY_BIN:-$PWD/target/release/assay}"
python3 -m pip install --quiet --disable-pip-version-check duckdb pyyaml >/dev/null 2>&1 \
  || echo "# duckdb could not be installed; its comparison is skipped"
work="$(mktemp -d "${TMPDIR:-/tmp}/assay-bench-XXXXXX")"
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=eval('d' + sys.argv[2]); print(f'{v:.2f}' if isinstance(v, float) else v)" "$@"; }

echo "# assay demo --scale $scale --seed $seed (end to end: generate, import, assess, every report)"
/usr/bin/time -v "$assay" demo --scale "$scale" --seed "$seed" --out "$ws" --json >"$work/demo.json" 2>"$work/time.log" \
  || { tail -n 30 "$work/time.log"; exit 1; }
wall=$(grep "Elapsed (wall clock)" "$work/time.log" | awk '{print $NF}')
rss=$(grep "Maximum resident set size" "$work/time.log" | awk '{printf "%.0f", $NF / 1024}')
import_s=$(field "$work/demo.json" "['pipeline']['seconds']['import']")
gen_s=$(field "$work/demo.json" "['pipeline']['seconds']['generate']")
assess_s=$(field "$work/demo.json" "['pipeline']['seconds']['assess']")
reports_s=$(field "$work/demo.json" "['pipeline']['seconds']['reports']")
mb=$(du -sm "$ws/exports" | cut -f1)
found=$(field "$work/demo.json" "['pipeline']['planted']" | python3 -c "import ast,sys; p=ast.literal_eval(sys.stdin.read()); print(f'{sum(x[\"found\"] for x in p)} of {len(p)}')")

t=$(now); find "$ws/exports" -type f -print0 | xargs -0 sha256sum >/dev/null; sha_s=$(since "$t")

t=$(now); "$assay" -C "$ws" assess --json >"$work/assess.json"; assess_warm=$(since "$t")
t=$(now); "$assay" -C "$ws" test --json >/dev/null || true; test_s=$(since "$t")
duck="skipped"
if python3 -c "import duckdb, yaml" 2>/dev/null; then
  "$assay" -C "$ws" tables --export "$work/tables" >/dev/null
  t=$(now); python3 bench/duckdb_suite.py "$ws" "$work/assess.json" "$work/tables" >"$work/duck.json"; duck_s=$(since "$t")
  duck="$duck_s s (load $(field "$work/duck.json" "['load_seconds']") s + queries $(field "$work/duck.json" "['query_seconds']") s; $(field "$work/duck.json" "['matched']") of $(field "$work/duck.json" "['tests']") tests agree)"
fi

t=$(now)
for c in ACC-02 ACC-07 CHG-01; do "$assay" -C "$ws" test --control "$c" --json >/dev/null || true; done
three_s=$(since "$t")
t=$(now); python3 bench/python_checks.py "$ws/exports" 2026-01-01 2026-09-30 >"$work/py.json"; py_s=$(since "$t")
agree=$(python3 - "$work/assess.json" "$work/py.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
ours = {t["id"]: t.get("exception_count") for c in a["controls"] for t in c["tests"]}
py = json.load(open(sys.argv[2]))["exceptions"]
same = [k for k, v in py.items() if ours.get(k) == v]
print(f"{len(same)} of {len(py)} tests have Assay's exception counts")
PY
)
# Rego: OPA's own Python bindings when they install, else regopy (rego-cpp, Rego v1).
opa_note="opa-golib-python-bindings"
python3 -m pip install --quiet --disable-pip-version-check opa-golib-python-bindings >/dev/null 2>&1 \
  || opa_note="regopy (rego-cpp); opa-golib-python-bindings does not install here"
python3 -m pip install --quiet --disable-pip-version-check regopy >/dev/null 2>&1 || true
opa="skipped: neither Rego evaluator installs"
if [ "$scale" = large ]; then
  opa="skipped at large scale: rego-cpp takes about 100 s for the medium company's 100k pull requests (see the medium run)"
elif python3 -c "import regopy" 2>/dev/null; then
  t=$(now); python3 bench/rego_checks.py "$ws/exports" 2026-01-01 2026-09-30 >"$work/rego.json"; rego_s=$(since "$t")
  same=$(python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['exceptions']; b=json.load(open(sys.argv[2]))['exceptions']; print('same exceptions' if a == b else f'DIFFERENT: {a} vs {b}')" "$work/py.json" "$work/rego.json")
  opa="assay $three_s s / Rego $rego_s s = $(ratio "$three_s" "$rego_s") ($opa_note; $same as Python)"
fi

cat <<OUT
# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d)
evidence generated:   $mb MB in $gen_s s; planted failures found: $found
end to end:           $wall wall, peak RSS $rss MB (import $import_s s, assess $assess_s s, reports $reports_s s)
ingest vs sha256sum:  import $import_s s / sha256sum $sha_s s = $(ratio "$import_s" "$sha_s")
suite vs DuckDB:      assay test $test_s s (assess, warm cache: $assess_warm s) / DuckDB $duck = $( [ "$duck" = skipped ] && echo n/a || ratio "$test_s" "$duck_s")
three tests vs Python: assay $three_s s / Python $py_s s = $(ratio "$three_s" "$py_s") ($agree)
three tests vs Rego:  $opa
OUT
