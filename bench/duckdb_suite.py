"""Runs the default library's automated tests in DuckDB over the Parquet tables Assay built
for a workspace, and checks that DuckDB finds the same populations and exceptions.

Usage: python3 bench/duckdb_suite.py WORKSPACE ASSESSMENT_JSON TABLES_DIR
(TABLES_DIR: written by `assay -C WORKSPACE tables --export TABLES_DIR`)
Prints one JSON object: seconds to load the tables, seconds to run the queries, and the
number of tests whose population and exception counts match Assay's.
"""
import glob
import json
import os
import re
import sys
import time

import duckdb
import yaml  # PyYAML, installed with compliance-trestle or on its own

ws, assessment_path = sys.argv[1], sys.argv[2]
assessment = json.load(open(assessment_path))
params = assessment["parameters"]

# The SQL functions Assay registers, as DuckDB macros; Assay's timestamp literal as a cast.
MACROS = [
    "CREATE MACRO arrow_cast(x, t) AS CAST(x AS TIMESTAMPTZ)",
    "CREATE MACRO days_between(a, b) AS date_diff('day', CAST(a AS DATE), CAST(b AS DATE))",
    """CREATE MACRO business_days(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE
         (date_diff('day', CAST(a AS DATE), CAST(b AS DATE)) // 7) * 5
         + len(list_filter(range(1, date_diff('day', CAST(a AS DATE), CAST(b AS DATE)) % 7 + 1),
                           lambda k: ((isodow(CAST(a AS DATE)) - 1 + k) % 7) < 5)) END""",
]


def substitute(sql):
    """Replaces :name outside quotes with the assessment's parameter values."""
    out, i = [], 0
    pattern = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|:([A-Za-z_][A-Za-z0-9_]*)")
    for m in pattern.finditer(sql):
        if m.group(1):
            out.append(sql[i:m.start()])
            out.append(params[m.group(1)])
            i = m.end()
    out.append(sql[i:])
    return "".join(out)


tests = {}
for path in sorted(glob.glob(os.path.join(ws, "controls", "*.yaml"))):
    control = yaml.safe_load(open(path))
    for t in control.get("tests") or []:
        if t.get("population") and t.get("expect"):
            tests[t["id"]] = t

ours = {}
for c in assessment["controls"]:
    for t in c["tests"]:
        if t["id"] in tests and t.get("population") and not t.get("calendar"):
            ours[t["id"]] = (t["population"]["rows"], t["exception_count"])

con = duckdb.connect()
for m in MACROS:
    con.execute(m)
tables_dir = sys.argv[3]
t0 = time.perf_counter()
for f in sorted(glob.glob(os.path.join(tables_dir, "*.parquet"))):
    name = os.path.basename(f)[:-8]
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{f}')")
loaded = time.perf_counter() - t0

matched, mismatched = 0, []
t1 = time.perf_counter()
for tid, (rows, exceptions) in sorted(ours.items()):
    t = tests[tid]
    population = substitute(t["population"])
    expect = substitute(t["expect"])
    sql = (f"SELECT count(*), count(*) FILTER (WHERE NOT coalesce(({expect}), false)) FROM "
           f"(SELECT * FROM ({population}) AS population ORDER BY ALL) AS population")
    n, bad = con.execute(sql).fetchone()
    if (n, bad) == (rows, exceptions):
        matched += 1
    else:
        mismatched.append({"test": tid, "assay": [rows, exceptions], "duckdb": [n, bad]})
queries = time.perf_counter() - t1
print(json.dumps({"load_seconds": loaded, "query_seconds": queries, "tests": len(ours),
                  "matched": matched, "mismatched": mismatched}))
