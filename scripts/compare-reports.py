#!/usr/bin/env python3
"""Compare two shipcheck report.json files for behaviour, ignoring what legitimately varies
between runs: timings, ports, temporary paths, dates and durations.

Usage: scripts/compare-reports.py OLD/report.json NEW/report.json
Prints every difference in checks (id, kind, status, critical, reason, error class, assertion
subject/predicate/expected/actual/passed, capture names, measurement names and targets) and in
findings (rule, severity, path, line, column, message); exits 1 if there is any, 0 if none.
"""

import json
import re
import sys

VARYING = [
    (re.compile(r"\b\d+(\.\d+)?\s?ms\b"), "<ms>"),
    (re.compile(r"\b\d+(\.\d+)? days\b"), "<days>"),
    (re.compile(r"(127\.0\.0\.1|localhost|\[::1\]):\d+"), r"\1:<port>"),
    (re.compile(r"/tmp/[^\s/\"']+"), "<tmp>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"(token|id)=[A-Za-z0-9._-]+"), r"\1=<v>"),
]


def norm(text):
    if text is None:
        return None
    text = str(text)
    for pattern, repl in VARYING:
        text = pattern.sub(repl, text)
    return text


def actual(a):
    # A metric series counts the requests made before it was scraped, which depends on
    # how the run's concurrent checks interleaved: only whether it held is behaviour.
    if a["subject"].startswith("series "):
        return "<sampled>"
    return norm(a["actual"])


def check_view(c):
    err = c.get("error") or {}
    return {
        "kind": c["kind"],
        "status": c["status"],
        "critical": c["critical"],
        "reason": norm(c.get("reason")),
        "error_class": err.get("class"),
        "assertions": [
            (a["subject"], a["predicate"], norm(a["expected"]), actual(a), a["passed"])
            for a in c["assertions"]
        ],
        "captures": [k["name"] for k in c.get("captures", [])],
        "measurements": sorted(
            (m["name"], m.get("target"), m.get("met")) for m in c.get("measurements", [])
        ),
    }


def finding_view(f):
    return (f["rule"], f["severity"], f["path"], f["line"], f["column"], f["message"])


def main(old_path, new_path):
    with open(old_path) as fh:
        old = json.load(fh)
    with open(new_path) as fh:
        new = json.load(fh)
    problems = []
    if old["verdict"] != new["verdict"]:
        problems.append(f"verdict: {old['verdict']} != {new['verdict']}")
    old_checks = {c["id"]: check_view(c) for c in old["checks"]}
    new_checks = {c["id"]: check_view(c) for c in new["checks"]}
    if list(old_checks) != list(new_checks):
        problems.append(f"check ids differ: {list(old_checks)} != {list(new_checks)}")
    for cid, before in old_checks.items():
        after = new_checks.get(cid)
        if after is None:
            continue
        for key in before:
            if before[key] != after[key]:
                problems.append(f"check {cid} {key}:\n  old {before[key]}\n  new {after[key]}")
    old_f = [finding_view(f) for f in old.get("findings", [])]
    new_f = [finding_view(f) for f in new.get("findings", [])]
    if old_f != new_f:
        problems.append(f"findings differ:\n  old {old_f}\n  new {new_f}")
    assertions = sum(len(c["assertions"]) for c in old["checks"])
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} difference(s)")
        return 1
    print(
        f"same: verdict {new['verdict']['status']}, {len(new_checks)} checks, "
        f"{assertions} assertions, {len(new_f)} findings"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
