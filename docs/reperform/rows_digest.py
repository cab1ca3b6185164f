#!/usr/bin/env python3
"""Re-performs every frozen population's `rows_sha256` outside Assay.

Usage:
    assay test --json --populations pops > tests.json
    python3 rows_digest.py tests.json pops

`tests.json` is the output of `assay test --json` (or `assay assess --json`); `pops` holds
`<TEST>.parquet`, the rows each population hashed. Needs pyarrow (`pip install pyarrow`).
Prints one line per test and exits 1 if any digest differs or any population is missing.
The construction is described in docs/assessment.md ("The rows digest").
"""

import datetime
import hashlib
import json
import os
import sys

import pyarrow.parquet as pq
import pyarrow.types as pat


def fraction(micros):
    """Arrow's automatic fraction of a second: none, 3 or 6 digits."""
    if micros == 0:
        return ""
    if micros % 1000 == 0:
        return ".%03d" % (micros // 1000)
    return ".%06d" % micros


def float_text(v):
    """Arrow's float display (lexical): `1.0`, `0.25`, `1.0e20`, `1.5e-7`."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    r = repr(v)
    if "e" in r:
        mantissa, exp = r.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + "e" + str(int(exp))
    return r


def cell_text(value, typ):
    """One cell as the text Assay hashes (Arrow's default display), or None for a null."""
    if value is None:
        return None
    if pat.is_boolean(typ):
        return "true" if value else "false"
    if pat.is_integer(typ):
        return str(value)
    if pat.is_floating(typ):
        return float_text(value)
    if pat.is_timestamp(typ):
        if isinstance(value, datetime.datetime):
            value = value.astimezone(datetime.timezone.utc) if value.tzinfo else value
            text = value.strftime("%Y-%m-%dT%H:%M:%S") + fraction(value.microsecond)
        else:
            raise ValueError("timestamp out of Python's range: %r" % (value,))
        return text + ("Z" if typ.tz is not None else "")
    if pat.is_date(typ):
        return value.isoformat()
    return str(value)


def row_hash(cells):
    """SHA-256 of one row: per cell 0x00 (null) or 0x01, 8-byte big-endian length, UTF-8."""
    h = hashlib.sha256()
    for c in cells:
        if c is None:
            h.update(b"\x00")
        else:
            b = c.encode()
            h.update(b"\x01" + len(b).to_bytes(8, "big") + b)
    return h.digest()


def rows_digest(table):
    """The population's digest: its rows' hashes, sorted, concatenated, hashed."""
    types = [f.type for f in table.schema]
    columns = [col.to_pylist() for col in table.columns]
    hashes = sorted(
        row_hash([cell_text(columns[c][r], types[c]) for c in range(len(types))])
        for r in range(table.num_rows)
    )
    return hashlib.sha256(b"".join(hashes)).hexdigest()


def main(tests_json, folder):
    with open(tests_json) as f:
        doc = json.load(f)
    checked = failed = 0
    for control in doc["controls"]:
        for test in control["tests"]:
            frozen = test.get("population")
            if not frozen or frozen.get("rows_digest") != "sha256-sorted-rows/v2":
                continue
            path = os.path.join(folder, test["id"] + ".parquet")
            if not os.path.exists(path):
                print("%s: MISSING %s" % (test["id"], path))
                failed += 1
                continue
            table = pq.read_table(path)
            got = rows_digest(table)
            ok = got == frozen["rows_sha256"] and table.num_rows == frozen["rows"]
            checked += 1
            failed += 0 if ok else 1
            print("%s: %s %d rows %s" % (test["id"], "ok" if ok else "DIFFERS", table.num_rows, got))
    print("%d populations re-performed, %d differ" % (checked, failed))
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
