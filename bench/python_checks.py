"""Three of the default tests written the way a script-based compliance tool would: plain
Python over the exports themselves (no Assay tables), for the benchmark's comparison.

- ACC-02.1: active identity-provider accounts without MFA
- ACC-07.1: leavers in the period whose accounts stayed active or were disabled more than one
  business day after their last day
- CHG-01.1: pull requests merged in the period without an approval from someone other than
  the author (latest review state per reviewer)

Usage: python3 bench/python_checks.py EXPORTS_DIR PERIOD_START PERIOD_END
Prints one JSON object: seconds and the number of exceptions per test.
"""
import csv
import datetime as dt
import glob
import json
import os
import sys
import time

exports, start, end = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
t0 = time.perf_counter()


def day(text):
    return dt.date.fromisoformat(text[:10]) if text else None


def business_days(a, b):
    n, d = 0, a
    step = 1 if b >= a else -1
    while d != b:
        d += dt.timedelta(days=step)
        if d.weekday() < 5:
            n += step
    return n


accounts = list(csv.DictReader(open(os.path.join(exports, "identity", "accounts.csv"))))
mfa = [a["Key"] for a in accounts
       if a["Active"] == "true" and a["System"] != "github" and a["MFA"] != "true"]

people = list(csv.DictReader(open(os.path.join(exports, "hr", "bamboohr-employees.csv"))))
by_email = {}
for a in accounts:
    by_email.setdefault(a["Email"].lower(), []).append(a)
leavers = []
for p in people:
    last = day(p["Termination Date"])
    if not last or not (start <= last <= end):
        continue
    for a in by_email.get(p["Work Email"].lower(), []):
        off = day(a["Deactivated At"])
        if a["Active"] == "true" or off is None or business_days(last, off) > 1:
            leavers.append(f'{p["Work Email"].lower()} / {a["Key"]}')

unapproved = []
for f in sorted(glob.glob(os.path.join(exports, "github", "pulls", "*.json"))):
    for pr in json.load(open(f)):
        merged = day(pr.get("merged_at"))
        if not merged or not (start <= merged <= end):
            continue
        author = pr["user"]["login"]
        latest = {}
        for r in sorted(pr.get("reviews", []), key=lambda r: r["submitted_at"]):
            if r["state"] in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                latest[r["user"]["login"]] = r["state"]
        if not any(s == "APPROVED" and who != author for who, s in latest.items()):
            unapproved.append(f'{pr["base"]["repo"]["full_name"]}#{pr["number"]}')

print(json.dumps({"seconds": time.perf_counter() - t0,
                  "exceptions": {"ACC-02.1": len(mfa), "ACC-07.1": len(leavers), "CHG-01.1": len(unapproved)}}))
