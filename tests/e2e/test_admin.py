#!/usr/bin/env python3
"""End-to-end tests of branddm-admin on logs written by BrandDM itself.

Two agents' logs are made with build/tests/log_writer (the real append path,
so every hash is real), then export, verify, report, erase and
subject-export run as a user would run them.  Speaks TAP.
Environment: BUILD, the build directory (default "build").
"""
import csv
import datetime
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
ADMIN = os.path.join(BUILD, "branddm-admin")
WRITER = os.path.join(BUILD, "tests", "log_writer")


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.count += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.count, name))
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines()[:40]:
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def done(self):
        print("1..%d" % self.count)
        return 1 if self.failed else 0


def ts(day, hh, mm=0):
    """Unix seconds of 2026-11-<day> hh:mm UTC (the 20th is a Friday)."""
    return int(datetime.datetime(2026, 11, day, hh, mm,
                                 tzinfo=datetime.timezone.utc).timestamp())


def admin(*args):
    proc = subprocess.run([ADMIN] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def write_log(path, agent, records):
    lines = "".join(json.dumps(r) + "\n" for r in records)
    proc = subprocess.run([WRITER, "append", path, agent], input=lines.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError("log_writer failed: " + proc.stderr.decode())


def msg(customer, direction, text, mid, t, logged_delay, automated=False, name=None):
    return {"type": "message", "platform": "messenger", "account": "page1",
            "conversation": "t_" + customer, "customer": customer,
            "name": name or "Customer " + customer, "dir": direction, "text": text,
            "id": mid, "platform_time": t, "time": t + logged_delay,
            "automated": automated}


def event(kind, customer, detail, t, text=None):
    return {"type": "event", "kind": kind, "platform": "messenger", "account": "page1",
            "customer": customer, "detail": detail, "time": t, "text": text}


# Every customer message reaches both agents' plugins (bob's 2 s later);
# replies are in the sender's log only.
INBOUND = [
    ("c1", "Hello, where is my order?", "in1", ts(23, 10)),
    ("c2", "I will call my lawyer", "in2", ts(23, 10)),
    ("c3", 'Invoice "A-17", wrong amount\nplease fix', "in3", ts(20, 16)),
    ("c4", "=HYPERLINK(\"http://evil\")", "in4", ts(23, 11)),
    ("c4", "anyone there?\u0001 \u2028 \u00e9\u00e8 \\o/", "in5", ts(23, 11, 5)),
]


def alice_records():
    recs = [msg(c, "in", text, mid, t, 1) for c, text, mid, t in INBOUND]
    recs += [
        msg("c1", "out", "It ships today", "out1", ts(23, 10, 30), 0),
        event("escalate", "c2", {"department": "legal", "urgent": True,
                                 "reason": "threat"}, ts(23, 10, 5)),
        msg("c4", "out", "We are closed, this is an automated reply", "auto1",
            ts(23, 11, 1), 0, automated=True),
        msg("c4", "out", "Yes, how can I help?", "out2", ts(23, 11, 20), 0),
        event("block", "c1", {"rules": ["sensitive.card"], "spans": [[0, 4]]},
              ts(23, 10, 20), text="4111 1111 1111 1111"),
        event("block", "c1", {"rules": ["sensitive.card"]}, ts(23, 10, 21)),
        {"type": "state", "key": "tags/t_c3/billing", "value": "1"},
    ]
    return recs


def bob_records():
    recs = [msg(c, "in", text, mid, t, 2) for c, text, mid, t in INBOUND]
    recs += [
        msg("c2", "out", "Our legal team will contact you", "out3", ts(23, 13), 0),
        msg("c3", "out", "Fixed, sorry!", "out4", ts(23, 10), 0),
        event("block", "c3", {"rules": ["links.unknown", "<b>x</b>"]}, ts(23, 9, 59)),
        event("escalate", "c3", {"department": "billing", "urgent": False}, ts(23, 9, 58)),
    ]
    return recs


def export_records(*dbs, extra=()):
    args = ["export"]
    for db in dbs:
        args += ["--db", db]
    rc, out, err = admin(*(args + list(extra)))
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return rc, rows, err


def test_export(t, alice, bob):
    rc, rows, err = export_records(alice, bob)
    t.eq(rc, 0, "export of two logs succeeds")
    t.eq(len(rows), 11 + 9, "export holds every record of both logs")
    times = [r["logged_time"] for r in rows]
    t.ok(times == sorted(times), "export is in logged-time order", times)
    t.ok({r["agent"] for r in rows} == {"alice", "bob"}, "each record names its agent")
    t.ok({r["source"] for r in rows} == {alice, bob}, "each record names its source file")
    first_two = [(r["agent"], r["platform_message_id"]) for r in rows[:2]]
    t.eq(first_two, [("alice", "in3"), ("bob", "in3")],
         "the two agents' copies of the oldest message interleave by time")
    c3 = [r for r in rows if r["platform_message_id"] == "in3"][0]
    t.eq(c3["text"], 'Invoice "A-17", wrong amount\nplease fix', "text survives JSON escaping")
    odd = [r for r in rows if r["platform_message_id"] == "in5"][0]
    t.eq(odd["text"], "anyone there?\u0001 \u2028 \u00e9\u00e8 \\o/",
         "control characters, non-ASCII and backslashes survive JSON escaping")
    esc = [r for r in rows if r["kind"] == "escalate" and r["agent"] == "alice"][0]
    t.eq(esc["detail"], {"department": "legal", "urgent": True, "reason": "threat"},
         "event detail is exported as an object")

    rc, rows, err = export_records(alice, bob, extra=["--since", "2026-11-23T10:00:00Z",
                                                      "--until", str(ts(23, 11))])
    t.ok(rc == 0 and rows and all(ts(23, 10) <= r["logged_time"] < ts(23, 11) for r in rows),
         "--since is inclusive and --until exclusive", [r["logged_time"] for r in rows])
    t.eq(len(rows), 9, "the period holds exactly the records logged in it")
    rc, rows, err = export_records(alice, extra=["--account", "page2"])
    t.ok(rc == 0 and rows == [], "--account of an unknown account exports nothing")

    rc, out, err = admin("export", "--db", alice, "--db", bob, "--format", "csv")
    t.eq(rc, 0, "csv export succeeds")
    table = list(csv.reader(io.StringIO(out, newline="")))
    t.eq(table[0][:4], ["agent", "source", "id", "time"], "csv starts with a header")
    t.eq(len(table), 1 + 20, "csv has one row per record")
    texts = {row[11] for row in table[1:]}
    t.ok('Invoice "A-17", wrong amount\nplease fix' in texts,
         "csv quoting keeps commas, quotes and newlines intact")
    t.ok("'=HYPERLINK(\"http://evil\")" in texts and
         "=HYPERLINK(\"http://evil\")" not in texts,
         "a formula in a customer's text is defused for spreadsheets")

    rc, rows, err = export_records(alice, extra=["--progress"])
    t.ok(rc == 0 and re.search(r"export: 11 records done", err), "--progress reports on stderr",
         err)
    rc, rows, err = export_records(alice)
    t.eq(err, "", "no progress output when stderr is not a terminal")
    rc, out, err = admin("export", "--db", alice, "--since", "yesterday-ish")
    t.ok(rc == 1 and "yesterday-ish" in err and out == "", "a bad time is refused clearly", err)
    rc, out, err = admin("export", "--db", alice, "--format", "xml")
    t.ok(rc == 1 and "xml" in err, "an unknown format is refused", err)


def report(alice, bob, hours, fmt, *extra):
    return admin("report", "--db", alice, "--db", bob, "--business-hours", hours,
                 "--format", fmt, *extra)


def test_report(t, alice, bob, hours):
    rc, out, err = report(alice, bob, hours, "json")
    t.eq(rc, 0, "json report succeeds")
    try:
        data = json.loads(out)
    except ValueError as exc:
        t.ok(False, "json report parses", exc)
        return
    t.ok(True, "json report parses")
    acc = {a["name"]: a for a in data["accounts"]}.get("messenger:page1")
    t.ok(acc is not None, "the report has a row for the brand account", data["accounts"])
    if not acc:
        return
    t.eq((acc["conversations"], acc["messages_in"], acc["messages_out"], acc["automated_out"]),
         (4, 5, 5, 1), "counts dedupe the customer messages both agents logged")
    t.eq((acc["responses"], acc["first_response_median_s"], acc["first_response_p90_s"]),
         (4, 1800, 237600), "first response median and p90 (automated replies do not count)")
    t.eq((acc["within_target"], acc["missed_target"], acc["within_target_percent"]),
         (3, 1, 75.0), "urgent 3 h reply misses, weekend wait meets the business-day target")
    t.eq(acc["blocks"], {"sensitive.card": 2, "<b>x</b>": 1, "links.unknown": 1},
         "blocks by rule")
    t.eq(acc["escalations"], {"legal": 1, "billing": 1}, "escalations by department")
    agents = {a["name"]: a for a in data["agents"]}
    t.eq((agents["alice"]["responses"], agents["alice"]["first_response_median_s"],
          agents["alice"]["first_response_p90_s"], agents["alice"]["messages_out"]),
         (2, 1200, 1800, 2), "alice's figures")
    t.eq((agents["bob"]["responses"], agents["bob"]["within_target"],
          agents["bob"]["missed_target"], agents["bob"]["conversations"]),
         (2, 1, 1, 2), "bob's figures")

    rc, out, err = report(alice, bob, hours, "json", "--until", str(ts(23, 10, 15)))
    part = json.loads(out) if rc == 0 else {"accounts": []}
    acc = {a["name"]: a for a in part["accounts"]}.get("messenger:page1", {})
    t.eq((acc.get("responses"), acc.get("open"), acc.get("missed_target")), (1, 2, 0),
         "waits still inside their target at --until count as open")

    rc, out, err = report(alice, bob, hours, "table")
    t.ok(rc == 0 and "messenger:page1" in out and "alice" in out and "75%" in out,
         "table report shows accounts, agents and the target share", out)
    rc, out, err = report(alice, bob, hours, "csv")
    table = list(csv.reader(io.StringIO(out, newline="")))
    t.ok(rc == 0 and table[0][:3] == ["scope", "name", "conversations"],
         "csv report has a header", out)
    t.eq(sorted((row[0], row[1]) for row in table[1:]),
         [("account", "messenger:page1"), ("agent", "alice"), ("agent", "bob")],
         "csv report has one row per account and agent")
    rc, out, err = report(alice, bob, hours, "html")
    t.ok(rc == 0 and out.startswith("<!DOCTYPE html>") and out.count("<svg") >= 4,
         "html report is a page with inline SVG charts", out[:300])
    t.ok("&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out,
         "text from the logs is escaped in html")
    t.ok("<script" not in out and "http" not in out.replace("http://www.w3.org/2000/svg", ""),
         "the html page is self-contained")
    rc, out, err = admin("report", "--db", alice, "--business-hours",
                         os.path.join(os.path.dirname(hours), "nope.conf"))
    t.ok(rc == 1 and "nope.conf" in err, "a missing business-hours file is named", err)


def test_verify_and_tamper(t, tmp, alice, bob):
    rc, out, err = admin("verify", "--db", alice, "--db", bob)
    t.eq(rc, 0, "verify of intact logs exits 0")
    t.ok(re.search(re.escape(alice) + r": intact, 11 records, head 11 [0-9a-f]{64}", out),
         "verify prints the record count and head hash", out)
    edited = os.path.join(tmp, "edited.sqlite")
    shutil.copy(alice, edited)
    db = sqlite3.connect(edited)
    db.execute("UPDATE record SET text = 'It shipped last week' WHERE id = 6")
    db.commit()
    db.close()
    rc, out, err = admin("verify", "--db", bob, "--db", edited)
    t.eq(rc, 1, "verify exits 1 when a chain is broken")
    t.ok(edited + ": BROKEN at record 6" in out and bob + ": intact" in out,
         "verify names the file and the first broken record", out)
    db = sqlite3.connect(edited)
    db.execute("UPDATE record SET text = 'It ships today' WHERE id = 6")
    db.commit()
    db.close()
    rc, out, err = admin("verify", "--db", edited)
    t.eq(rc, 0, "restoring the text makes verify pass again (no false positive)")
    db = sqlite3.connect(edited)
    db.execute("UPDATE record SET text = CAST(X'66ff0a22fe' AS TEXT),"
               " detail = '{\"unterminated' WHERE id = 7")
    db.commit()
    db.close()
    rc, rows, err = export_records(edited)
    damaged = [r for r in rows if r["id"] == 7]
    t.ok(rc == 0 and len(rows) == 11 and damaged and damaged[0]["detail"] == '{"unterminated'
         and damaged[0]["text"].startswith("f"),
         "export of invalid UTF-8 and broken detail still gives valid JSON lines",
         "rc=%d %r" % (rc, damaged))
    rc, out, err = admin("verify", "--db", edited)
    t.ok(rc == 1 and "BROKEN at record 7" in out, "and verify names that record", out)
    rc, out, err = admin("report", "--db", edited, "--format", "json")
    t.ok(rc == 0 and json.loads(out)["records"] == 11, "report reads the damaged log too",
         err)
    db = sqlite3.connect(edited)
    db.execute("DELETE FROM record WHERE id = 3")
    db.commit()
    db.close()
    rc, out, err = admin("verify", "--db", edited)
    t.ok(rc == 1 and "record 3 is missing" in out, "a deleted record is named", out)


def test_subject_and_erase(t, tmp, alice, bob):
    rc, out, err = admin("subject-export", "--customer", "c3", "--db", alice, "--db", bob)
    t.eq(rc, 0, "subject-export succeeds")
    try:
        doc = json.loads(out)
    except ValueError as exc:
        t.ok(False, "subject-export is one JSON document", exc)
        return
    t.ok(True, "subject-export is one JSON document")
    files = {f["file"]: f for f in doc["files"]}
    t.eq(sorted(r["platform_message_id"] or r["kind"] for r in files[alice]["records"]),
         ["in3"], "alice's log holds c3's message")
    t.eq(sorted(r["platform_message_id"] or r["kind"] for r in files[bob]["records"]),
         ["block", "escalate", "in3", "out4"], "bob's log holds the message, reply and events")
    t.eq(files[alice]["state"], {"tags/t_c3/billing": "1"}, "state about c3 is included")
    t.eq(files[bob]["state"], {}, "no state in bob's log")

    rc, out, err = admin("erase", "--customer", "c3", "--dry-run", "--db", alice, "--db", bob)
    t.ok(rc == 0 and "would erase 1 records" in out and "would erase 4 records" in out,
         "erase --dry-run counts", out)
    rc, out, err = admin("erase", "--customer", "c3", "--db", alice, "--db", bob)
    t.ok(rc == 0 and alice + ": erased 1 records and 1 state entries" in out and
         bob + ": erased 4 records" in out, "erase reports what it erased per file", out)
    rc, out, err = admin("verify", "--db", alice, "--db", bob)
    t.eq(rc, 0, "both chains verify after the erase")
    rc, rows, err = export_records(alice, bob)
    dump = json.dumps(rows)
    t.ok("A-17" not in dump and "Fixed, sorry" not in dump and '"c3"' not in dump and
         "t_c3" not in dump and "Customer c3" not in dump,
         "no text, name or id of the erased customer is exported")
    t.ok("Hello, where is my order?" in dump, "other customers are untouched")
    erase_events = [r for r in rows if r["kind"] == "erase"]
    t.eq(len(erase_events), 2, "each log records the erasure")
    for path in (alice, bob):
        data = b""
        for suffix in ("", "-wal"):
            if os.path.exists(path + suffix):
                with open(path + suffix, "rb") as f:
                    data += f.read()
        t.ok(b"A-17" not in data and b"Customer c3" not in data,
             "erased text is gone from the bytes of " + os.path.basename(path))
    rc, out, err = admin("subject-export", "--customer", "c3", "--db", alice, "--db", bob)
    doc = json.loads(out)
    t.ok(all(f["records"] == [] and f["state"] == {} for f in doc["files"]),
         "nothing is found about the customer afterwards")


def test_bad_files(t, tmp):
    missing = os.path.join(tmp, "missing.sqlite")
    garbage = os.path.join(tmp, "garbage.sqlite")
    with open(garbage, "wb") as f:
        f.write(b"this is not a database at all, just some text. " * 100)
    for name, path in (("missing", missing), ("corrupt", garbage)):
        for cmd, want in (("export", 1), ("report", 1), ("verify", 2),
                          ("erase", 1), ("subject-export", 1)):
            args = [cmd, "--db", path]
            if cmd in ("erase", "subject-export"):
                args += ["--customer", "c1"]
            rc, out, err = admin(*args)
            t.ok(rc == want and path in err and "Traceback" not in err and out == "",
                 "%s on a %s file: exit %d naming the file" % (cmd, name, want),
                 "rc=%d out=%r err=%r" % (rc, out, err))
    t.ok(not os.path.exists(missing), "no command creates a missing log")
    rc, out, err = admin("frobnicate")
    t.ok(rc == 2 and "frobnicate" in err and "Usage" in err, "unknown subcommand: usage, exit 2")
    for cmd in ("export", "report", "verify", "erase", "subject-export"):
        rc, out, err = admin(cmd, "--help")
        t.ok(rc == 0 and "--db" in out, cmd + " --help")
    rc, out, err = admin("erase", "--db", missing)
    t.ok(rc == 1 and "--customer" in err, "erase without --customer is refused", err)


def main():
    t = Tap()
    for prog in (ADMIN, WRITER):
        if not os.access(prog, os.X_OK):
            t.ok(False, "built: " + prog, "run make %s first" % prog)
            return t.done()
    tmp = tempfile.mkdtemp(prefix="bdm-admin-")
    try:
        alice = os.path.join(tmp, "alice.sqlite")
        bob = os.path.join(tmp, "bob.sqlite")
        write_log(alice, "alice", alice_records())
        write_log(bob, "bob", bob_records())
        hours = os.path.join(tmp, "desk.conf")
        with open(hours, "w") as f:
            f.write("[business_hours]\ntimezone=UTC\ndays=mon-fri\nopen=09:00\nclose=17:00\n")
        test_export(t, alice, bob)
        test_report(t, alice, bob, hours)
        test_verify_and_tamper(t, tmp, alice, bob)
        test_subject_and_erase(t, tmp, alice, bob)
        test_report_after_erase(t, alice, bob, hours)
        test_bad_files(t, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


def test_report_after_erase(t, alice, bob, hours):
    rc, out, err = report(alice, bob, hours, "json")
    data = json.loads(out) if rc == 0 else {"accounts": []}
    acc = {a["name"]: a for a in data["accounts"]}.get("messenger:page1", {})
    t.eq((acc.get("conversations"), acc.get("messages_in"), acc.get("responses"),
          acc.get("within_target")), (4, 5, 4, 3),
         "an erased customer still counts once in the report")


if __name__ == "__main__":
    sys.exit(main())
