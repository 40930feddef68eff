#!/usr/bin/env python3
"""Export speed: branddm-admin export must reach at least half the speed of
`sqlite3 -json` reading the same records.

One log is generated through the real append path and copied to four
"agents", so export does a real 4-way merge over 4 x N records; sqlite3
dumps each file's record table in turn.  Each side gets the best of three
runs.  BDM_SPEED_RECORDS sets N (default 50000; the documented measurement
uses 250000 for a million records).  Speaks TAP; BUILD is the build dir.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
ADMIN = os.path.join(BUILD, "branddm-admin")
WRITER = os.path.join(BUILD, "tests", "log_writer")
RECORDS = int(os.environ.get("BDM_SPEED_RECORDS", "50000"))
AGENTS = 4
RUNS = 3


def best_time(commands):
    """Best wall-clock time of running all commands in turn, stdout to /dev/null."""
    best = None
    for _ in range(RUNS):
        start = time.monotonic()
        for cmd in commands:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True, timeout=600)
        elapsed = time.monotonic() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    n = 0
    failed = 0

    def ok(cond, name, diag=None):
        nonlocal n, failed
        n += 1
        print("%sok %d - %s" % ("" if cond else "not ", n, name))
        if not cond:
            failed += 1
            if diag:
                print("# " + str(diag))
        sys.stdout.flush()

    tools = [ADMIN, WRITER, shutil.which("sqlite3")]
    if not all(t and os.access(t, os.X_OK) for t in tools):
        ok(False, "branddm-admin, log_writer and sqlite3 are available", tools)
        print("1..%d" % n)
        return 1
    tmp = tempfile.mkdtemp(prefix="bdm-speed-")
    try:
        first = os.path.join(tmp, "agent0.sqlite")
        subprocess.run([WRITER, "generate", first, "agent0", str(RECORDS)], check=True,
                       timeout=600)
        dbs = [first]
        for i in range(1, AGENTS):
            dbs.append(os.path.join(tmp, "agent%d.sqlite" % i))
            shutil.copy(first, dbs[-1])

        args = [ADMIN, "export"]
        for db in dbs:
            args += ["--db", db]
        proc = subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=600)
        lines = proc.stdout.splitlines()
        ok(len(lines) == AGENTS * RECORDS, "export writes every record of every file",
           len(lines))
        times = [json.loads(lines[i])["logged_time"] for i in (0, len(lines) // 2, -1)]
        ok(times == sorted(times), "the merged stream is in time order", times)

        ours = best_time([args])
        theirs = best_time([["sqlite3", "-json", db, "SELECT * FROM record"] for db in dbs])
        ratio = theirs / ours if ours > 0 else float("inf")
        print("# %d records: export %.2f s, sqlite3 -json %.2f s: %.0f%% of sqlite3's speed"
              % (AGENTS * RECORDS, ours, theirs, 100 * ratio))
        ok(ratio >= 0.5, "export runs at least at half the speed of sqlite3 -json",
           "ratio %.2f" % ratio)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
