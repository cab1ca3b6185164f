"""The same three checks as bench/python_checks.py, in Rego (bench/checks.rego), the way a
policy-as-code user would run them: the exports loaded into one `input` document and the
policy evaluated over it. The evaluator is regopy (PyPI; Microsoft's rego-cpp, an
implementation of OPA's Rego v1), used because OPA's own Python bindings
(opa-golib-python-bindings) have no distribution installable here.

Usage: python3 bench/rego_checks.py EXPORTS_DIR PERIOD_START PERIOD_END
Prints one JSON object: seconds (loading the exports and evaluating) and the number of
exceptions per test.
"""
import csv
import glob
import json
import os
import sys
import time

from regopy import Interpreter

exports, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
pulls = []
for f in sorted(glob.glob(os.path.join(exports, "github", "pulls", "*.json"))):
    pulls.extend(json.load(open(f)))
document = {
    "period": {"start": start, "end": end},
    "accounts": list(csv.DictReader(open(os.path.join(exports, "identity", "accounts.csv")))),
    "people": list(csv.DictReader(open(os.path.join(exports, "hr", "bamboohr-employees.csv")))),
    "pulls": pulls,
}
rego = Interpreter()
rego.add_module("checks", open(os.path.join(os.path.dirname(__file__), "checks.rego")).read())
rego.set_input_term(json.dumps(document))
counts = {}
for test, rule in (("ACC-02.1", "mfa"), ("ACC-07.1", "leavers"), ("CHG-01.1", "unapproved")):
    out = json.loads(str(rego.query(f"n = count(data.assay.bench.{rule})")))
    counts[test] = out["bindings"]["n"]
print(json.dumps({"seconds": time.perf_counter() - t0, "exceptions": counts}))
