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
import itertools
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


# Untranslated output, whatever the environment of whoever runs the tests.
C_LOCALE = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")


def admin(*args, env=None):
    proc = subprocess.run([ADMIN] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120,
                          env=env)
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


def test_platform_names(t, tmp):
    """--platform takes the names the log stores and their aliases; an
    unknown one is an error that lists the valid names, never a silent no-op."""
    path = os.path.join(tmp, "names.sqlite")
    write_log(path, "ana", [
        {"type": "message", "platform": "facebook", "account": "1000", "customer": "c9",
         "dir": "in", "text": "Facebook secret 1", "id": "fb1", "time": 1700000000},
        {"type": "message", "platform": "instagram", "account": "2000", "customer": "c9",
         "dir": "in", "text": "Instagram secret 2", "id": "ig1", "time": 1700000001},
    ])
    rc, out, err = admin("subject-export", "--customer", "c9", "--platform", "fb", "--db", path)
    doc = json.loads(out) if rc == 0 else {"files": [{"records": []}]}
    t.eq([r["text"] for r in doc["files"][0]["records"]], ["Facebook secret 1"],
         "subject-export --platform fb finds what the log stores as facebook")
    rc, out, err = admin("erase", "--customer", "c9", "--platform", "messenger", "--db", path)
    t.ok(rc == 0 and "erased 1 records" in out, "erase --platform messenger erases facebook's",
         out + err)
    rc, out, err = admin("subject-export", "--customer", "c9", "--db", path)
    texts = [r["text"] for r in json.loads(out)["files"][0]["records"]] if rc == 0 else []
    t.ok("Instagram secret 2" in texts and "Facebook secret 1" not in texts,
         "the Instagram message is left alone", texts)
    for command in (["erase", "--customer", "c9"], ["subject-export", "--customer", "c9"]):
        rc, out, err = admin(*(command + ["--platform", "telegram", "--db", path]))
        t.ok(rc == 2 and "unknown platform \"telegram\"" in err and "instagram" in err,
             "%s --platform telegram: exit 2 naming the valid names" % command[0], err)
    rc, out, err = admin("erase", "--help")
    t.ok("facebook (also messenger)" in out, "erase --help names the stored platform names", out)


PLANTS = [
    ("trigger", "CREATE TABLE elsewhere (t TEXT);"
                "CREATE TRIGGER keep AFTER UPDATE ON record BEGIN"
                " INSERT INTO elsewhere VALUES (old.text); END", '"trigger keep"'),
    ("view", "CREATE VIEW everything AS SELECT text FROM record", '"view everything"'),
    ("table", "CREATE TABLE notes (x)", '"table notes"'),
    ("index", "CREATE INDEX by_text ON record(text)", '"index by_text"'),
]


def test_untrusted_files(t, tmp):
    """A collected log is untrusted input: objects planted in it are
    tampering for verify, and erase refuses the file."""
    for kind, sql, named in PLANTS:
        path = os.path.join(tmp, "planted-%s.sqlite" % kind)
        write_log(path, "eve", [
            {"type": "message", "platform": "facebook", "account": "1000", "customer": "c5",
             "dir": "in", "text": "Secret of c5", "id": "p1", "time": 1700000000}])
        db = sqlite3.connect(path)
        db.executescript(sql)
        db.close()
        rc, out, err = admin("verify", "--db", path)
        t.ok(rc == 1 and "BROKEN" in out and named in out,
             "verify: a planted %s is tampering, named (exit 1)" % kind, out + err)
        rc, out, err = admin("erase", "--customer", "c5", "--db", path)
        t.ok(rc == 1 and named in err, "erase refuses a file with a planted %s" % kind, err)
        rc, out, err = admin("export", "--db", path)
        t.ok(rc == 1 and named in err, "export refuses it too", err)
        db = sqlite3.connect(path)
        kept = db.execute("SELECT count(*) FROM record WHERE text = 'Secret of c5'").fetchone()[0]
        copied = (db.execute("SELECT count(*) FROM elsewhere").fetchone()[0]
                  if kind == "trigger" else 0)
        db.close()
        t.ok(kept == 1 and copied == 0, "the refused file is untouched, nothing copied",
             (kept, copied))
    damaged = os.path.join(tmp, "damaged.sqlite")
    write_log(damaged, "eve", [
        {"type": "message", "platform": "facebook", "account": "1000", "customer": "c6",
         "dir": "in", "text": "x" * 3000, "id": "d%d" % i, "time": 1700000000 + i}
        for i in range(40)])
    db = sqlite3.connect(damaged)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'record'").fetchone()[0]
    db.close()
    with open(damaged, "r+b") as f:
        # The record table's root page: a b-tree header that makes no sense.
        f.seek(page * (root - 1))
        f.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")
    rc, out, err = admin("verify", "--db", damaged)
    t.ok(rc == 2 and "damaged" in err, "a damaged file is a clear error (exit 2)", out + err)


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


def ts_s(day, hh, mm, ss):
    return ts(day, hh, mm) + ss


def copy(customer, direction, mid, t, logged, automated=False, detail=None):
    """One agent's copy of a message: every copy of mid has the same text."""
    rec = {"type": "message", "platform": "messenger", "account": "page1",
           "conversation": "t_" + customer, "customer": customer,
           "name": "Customer " + customer, "dir": direction, "text": "text of " + mid,
           "id": mid, "platform_time": t, "time": logged, "automated": automated}
    if detail is not None:
        rec["detail"] = detail
    return rec


def elsewhere(author=None):
    detail = {"sent_elsewhere": True}
    if author is not None:
        detail["author"] = author
    return detail


def verdict(*findings):
    """The detail the plugin logs with a block event (bdm_verdict_to_json)."""
    return {"verdict": "block",
            "findings": [{"rule": rule, "severity": severity, "start": 0, "end": 4,
                          "explanation": "because"} for rule, severity in findings]}


def three_agents_logs():
    """alice, bob and carol on one Page, Monday 23 November 2026 (in business hours).

    d1: a customer message at 10:00 (alice's and bob's copies logged in the
        same second), an automatic reply by alice at 10:01 that carol's client
        saw by polling and logged before alice's own copy, then bob's human
        reply at 10:20 that carol's client logged 3 s before bob's own copy.
    d2: two messages from 11:00, answered at 11:10 by a reply both alice's and
        bob's logs hold as their own, logged in the same second.
    d3: answered at 12:30 from the Page inbox by Dana Scott: seen only by
        polling, once with the author, once (later) without.
    d4: answered at 13:00, seen only by polling, no usable author.
    d5: bob and carol both reply at 14:05:00 to a message of 14:00.
    """
    t10, t1001, t1020 = ts(23, 10), ts(23, 10, 1), ts(23, 10, 20)
    t11, t1102, t1110 = ts(23, 11), ts(23, 11, 2), ts(23, 11, 10)
    t12, t1230, t1240, t13 = ts(23, 12), ts(23, 12, 30), ts(23, 12, 40), ts(23, 13)
    t14, t1405 = ts(23, 14), ts(23, 14, 5)
    alice = [
        copy("d1", "in", "m1", t10, t10 + 1),
        copy("d1", "out", "a1", t1001, t1001 + 3, automated=True),
        copy("d1", "out", "r1", t1020, t1020 + 5, detail=elsewhere()),
        copy("d2", "in", "m2", t11, t11 + 2),
        copy("d2", "in", "m2b", t1102, t1102),
        copy("d2", "out", "r3", t1110, t1110),
        copy("d3", "in", "m3", t12, t12 + 1),
        copy("d3", "out", "r4", t1230, t1230 + 1, detail=elsewhere("Dana Scott")),
        copy("d5", "in", "m5", t14, t14 + 1),
        copy("d5", "out", "r6", t1405, t1405 + 2, detail=elsewhere("Carol King")),
        copy("d5", "out", "r7", t1405, t1405 + 1, detail=elsewhere("Bob Builder")),
        event("block", "d1", verdict(("sensitive.card", "block"), ("sensitive.card", "block"),
                                     ("links.unknown", "warn")), ts(23, 10, 15)),
        event("block", "d2", verdict(("sensitive.card", "block")), ts(23, 11, 5)),
    ]
    bob = [
        copy("d1", "in", "m1", t10, t10 + 1),
        copy("d1", "out", "r1", t1020, t1020 + 5),
        copy("d2", "in", "m2", t11, t11 + 2),
        copy("d2", "in", "m2b", t1102, t1102),
        copy("d2", "out", "r3", t1110, t1110),
        copy("d3", "in", "m3", t12, t12 + 1),
        copy("d3", "out", "r4", t1230, t1230 + 4, detail=elsewhere()),
        copy("d4", "in", "m4", t1240, t1240 + 1),
        copy("d4", "out", "r5", t13, t13 + 1, detail=elsewhere()),
        copy("d5", "in", "m5", t14, t14 + 1),
        copy("d5", "out", "r7", t1405, t1405),
        event("block", "d4", verdict(("tone.caps", "warn"), ("links.unknown", "warn")),
              ts(23, 12, 50)),
    ]
    carol = [
        copy("d1", "in", "m1", t10, t10 + 2),
        copy("d1", "out", "a1", t1001, t1001 + 1, detail=elsewhere()),
        copy("d1", "out", "r1", t1020, t1020 + 2, detail=elsewhere("Bob Builder")),
        copy("d2", "in", "m2", t11, t11 + 2),
        copy("d2", "in", "m2b", t1102, t1102),
        copy("d2", "out", "r3", t1110, t1110, detail=elsewhere("Alice Martin")),
        copy("d4", "in", "m4", t1240, t1240 + 1),
        copy("d4", "out", "r5", t13, t13 + 1, detail={"sent_elsewhere": True, "author": 42}),
        copy("d5", "in", "m5", t14, t14 + 1),
        copy("d5", "out", "r6", t1405, t1405),
        event("block", "d5", {"rules": ["sensitive.iban", "sensitive.iban"]}, ts(23, 14, 1)),
    ]
    return alice, bob, carol


def test_report_permutations(t, tmp, hours):
    logs = {}
    for name, records in zip(("alice", "bob", "carol"), three_agents_logs()):
        logs[name] = os.path.join(tmp, "perm-%s.sqlite" % name)
        write_log(logs[name], name, records)
    outputs = {fmt: {} for fmt in ("table", "json", "csv", "html")}
    errors = []
    for order in itertools.permutations(sorted(logs)):
        args = ["report", "--business-hours", hours, "--until", str(ts(24, 12))]
        for name in order:
            args += ["--db", logs[name]]
        for fmt in outputs:
            rc, out, err = admin(*(args + ["--format", fmt]), env=C_LOCALE)
            if rc != 0 or err:
                errors.append((order, fmt, rc, err))
            if fmt == "json":
                # The only line that may differ: when the report was made.
                out = re.sub(r'\n\s*"generated" : "[^"]*",', "", out, count=1)
            outputs[fmt][order] = out
    t.eq(errors, [], "report succeeds silently for every order of the three logs")
    for fmt, by_order in outputs.items():
        first = by_order[("alice", "bob", "carol")]
        differing = [o for o, out in by_order.items() if out != first]
        t.ok(not differing and first, "%s report is the same for every order of --db" % fmt,
             "differs for %r" % differing)
    try:
        data = json.loads(outputs["json"][("carol", "bob", "alice")])
    except ValueError as exc:
        t.ok(False, "json report of three logs parses", exc)
        return
    t.eq(data["files"], sorted(logs.values()), "the logs are listed in one order")
    acc = {a["name"]: a for a in data["accounts"]}.get("messenger:page1", {})
    t.eq((acc.get("conversations"), acc.get("messages_in"), acc.get("messages_out"),
          acc.get("automated_out")), (5, 6, 7, 1),
         "each message counts once; the automatic reply is counted apart on the account")
    t.eq((acc.get("responses"), acc.get("first_response_median_s"),
          acc.get("first_response_p90_s"), acc.get("within_target"), acc.get("open")),
         (5, 1200, 1800, 5, 0),
         "first responses run to the first human reply; the automatic one ends no wait")
    t.eq(acc.get("blocks"), {"sensitive.card": 2, "links.unknown": 1, "tone.caps": 1,
                             "sensitive.iban": 1},
         "blocks by rule: each blocking rule once per event, all findings when none "
         "blocked, legacy rules arrays")
    agents = {a["name"]: a for a in data["agents"]}
    t.eq(sorted(agents), ["(sent elsewhere)", "Dana Scott", "alice", "bob", "carol"],
         "agent rows: the loggers, the known author and the unknown one")

    def figures(name):
        a = agents.get(name, {})
        return (a.get("responses"), a.get("first_response_median_s"),
                a.get("first_response_p90_s"), a.get("messages_out"), a.get("automated_out"),
                a.get("conversations"))

    t.eq(figures("bob"), (2, 300, 1200, 2, 0, 2),
         "bob: his reply logged later than a colleague's polled copy is his; the first "
         "of two replies in the same second (by name) ends the wait")
    t.eq(figures("alice"), (1, 600, 600, 1, 0, 1),
         "alice: a reply two logs hold as their own in the same second goes to the "
         "smallest agent name; her automatic reply is not charged to her")
    t.eq(figures("carol"), (0, None, None, 1, 0, 1),
         "carol: a reply after the wait ended counts without a response time; "
         "replies her client only saw are not hers")
    t.eq(figures("Dana Scott"), (1, 1800, 1800, 1, 0, 1),
         "a reply seen only by polling goes to its author")
    t.eq(figures("(sent elsewhere)"), (1, 1200, 1200, 1, 0, 1),
         "a reply seen only by polling without a usable author goes to (sent elsewhere)")
    t.eq({n: a["blocks"] for n, a in agents.items() if a["blocks"]},
         {"alice": {"sensitive.card": 2}, "bob": {"links.unknown": 1, "tone.caps": 1},
          "carol": {"sensitive.iban": 1}}, "blocks by rule per agent")
    table = list(csv.reader(io.StringIO(outputs["csv"][("bob", "carol", "alice")],
                                        newline="")))
    head = table[0] if table else []
    rows = {(r[0], r[1]): dict(zip(head, r)) for r in table[1:]}
    t.eq([rows.get(k, {}).get("automated_out") for k in
          (("account", "messenger:page1"), ("agent", "alice"), ("agent", "bob"))],
         ["1", "0", "0"], "csv: the automatic reply on the account row, not on an agent's")
    t.eq(rows.get(("account", "messenger:page1"), {}).get("blocks"),
         "sensitive.card=2;links.unknown=1;sensitive.iban=1;tone.caps=1",
         "csv: blocks by rule, most frequent first")


def test_report_forged_details(t, tmp, hours):
    path = os.path.join(tmp, "forged.sqlite")
    t9 = ts(23, 9)
    write_log(path, "mallory", [
        copy("f1", "in", "f-in", t9, t9),
        copy("f1", "out", "f-yes", t9 + 60, t9 + 60,
             detail={"sent_elsewhere": "yes", "author": ["x"]}),
        copy("f1", "in", "f-in2", t9 + 120, t9 + 120, detail={"sent_elsewhere": True}),
        copy("f1", "out", "f-obj", t9 + 180, t9 + 180,
             detail={"sent_elsewhere": True, "author": {"a": 1}}),
        copy("f1", "out", "f-eve", t9 + 240, t9 + 240, detail={"author": "Eve"}),
        event("block", "f1", {"findings": "nope", "rules": 7}, t9 + 1),
        event("block", "f1", {"findings": [None, 5, "s", [], {"rule": 7, "severity": "block"},
                                           {"rule": "x.y", "severity": 3},
                                           {"rule": "x.y"}]}, t9 + 2),
        event("block", "f1", {"findings": {"rule": "a.b"}, "rules": [1, None, {}, "ok.rule"]},
              t9 + 3),
        event("block", "f1", {"findings": [], "rules": ["old.rule"]}, t9 + 4),
        event("block", "f1", {"verdict": "block"}, t9 + 5),
    ])
    rc, out, err = admin("report", "--db", path, "--business-hours", hours, "--format", "json",
                         env=C_LOCALE)
    t.ok(rc == 0 and err == "", "forged details neither crash nor warn", "rc=%d %s" % (rc, err))
    data = json.loads(out) if rc == 0 else {"accounts": [], "agents": []}
    acc = {a["name"]: a for a in data["accounts"]}.get("messenger:page1", {})
    t.eq(acc.get("blocks"), {"x.y": 1, "ok.rule": 1, "old.rule": 1},
         "forged findings count only the rules that are strings, each once")
    agents = {a["name"]: (a["messages_out"], a["responses"]) for a in data["agents"]}
    t.eq(agents, {"mallory": (2, 1), "(sent elsewhere)": (1, 1)},
         "only sent_elsewhere true marks a reply as seen by polling; a non-string "
         "author is not a name")
    t.eq((acc.get("messages_in"), acc.get("responses"), acc.get("first_response_median_s")),
         (2, 2, 60), "a customer message with a forged detail is still a customer message")


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
        test_report_permutations(t, tmp, hours)
        test_report_forged_details(t, tmp, hours)
        test_verify_and_tamper(t, tmp, alice, bob)
        test_subject_and_erase(t, tmp, alice, bob)
        test_report_after_erase(t, alice, bob, hours)
        test_platform_names(t, tmp)
        test_untrusted_files(t, tmp)
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
