#!/usr/bin/env python3
"""The conversation log, end to end: what the headless client showed is in
the SQLite file even after a kill -9 mid-burst; the admin tool exports,
verifies and reports on the file an e2e run wrote; an edited row is caught."""
import json
import os
import sqlite3
import subprocess
import time

from harness import Tap, build_path
from platforms import Facebook
from protocol_suite import Session

ADMIN = build_path("branddm-admin")


def admin(*args):
    proc = subprocess.run([ADMIN] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_kill_mid_burst(t, p):
    with Session(p) as s:
        customers = [p.customer(i) for i in range(40)]
        s.start()
        s.connected()
        time.sleep(6)   # accounts.xml is saved 5 s after a change; the agent's is older
        for i, (who, name) in enumerate(customers):
            s.emu.add_customer_message(who, name, "burst message %d" % i)
        # Kill as soon as a few are on screen: the rest of the burst is mid-flight.
        shown = [s.client.wait_event("write", flags="recv", timeout=20) for _ in range(3)]
        s.client.kill()
        shown = s.client.events_seen("write", flags="recv")
        db = os.path.join(s.client.purple_dir, "branddm", "log.sqlite")
        rows = set(r[0] for r in sqlite3.connect(db).execute(
            "SELECT text FROM record WHERE kind='message' AND direction=0"))
        missing = [e["text"] for e in shown if e["text"] not in rows]
        t.ok(len(shown) >= 3, "messages were shown before the kill (%d)" % len(shown))
        t.eq(missing, [], "every message shown before kill -9 is in the log")
        # After a restart the rest arrives.  A message the kill caught between
        # the log and the screen is shown again, announced as a possible repeat.
        s.client.start()
        since = s.client.run_start
        shown_texts = set(e["text"] for e in shown)
        want = set("burst message %d" % i for i in range(len(customers)))
        got = []
        while shown_texts | set(got) != want:
            got.append(s.client.wait_event("write", flags="recv", timeout=30)["text"])
        t.eq(sorted(shown_texts | set(got)), sorted(want), "after restart: every message arrives")
        t.eq(len(got), len(set(got)), "nothing shown twice after the restart itself")
        repeats = [x for x in got if x in shown_texts]
        notices = s.client.events_seen("write", since=since, flags="system",
                                       text=lambda x: "may be a repeat" in x)
        t.ok(len(repeats) <= 1, "at most the one message in flight is repeated", repeats)
        t.ok(len(repeats) <= len(notices) <= 1,
             "every repeat is announced (the notice may come for one that was not on screen yet)",
             (repeats, notices))
        t.ok(s.client.no_event("write", flags="recv", within=5),
             "nothing more delivered after restart")


def test_crash_inside_a_turn(t, p, position):
    """A poll's messages are logged in one transaction, then shown one by
    one.  The client dies right after the message at `position` (in display
    order) reached the screen: after a restart that one is shown again with
    a notice, the turn's messages not yet shown come too, and no other is
    repeated.  Position 0 is the moment right after the commit."""
    with Session(p) as s:
        customers = [p.customer(70 + i) for i in range(12)]
        texts = ["turn message %d" % i for i in range(len(customers))]
        s.start()
        s.connected()
        time.sleep(6)   # accounts.xml is saved 5 s after a change; the agent's is older
        created = int(time.time())
        with s.emu.lock:   # one poll finds them all: one delivery turn
            ids = [s.emu.add_customer_message(who, name, text, created=created)
                   for (who, name), text in zip(customers, texts)]
            # The poller shows a turn by (time, id); all share the time.
            order = [text for _, text in sorted(zip(ids, texts))]
            victim = order[position]
            s.client.cmd({"cmd": "die-on-write", "text": victim})
        s.client.proc.wait(timeout=30)
        before = [e["text"] for e in s.client.events_seen("write", flags="recv")]
        t.eq(before, order[:position + 1],
             "the client died right after showing message %d of the turn" % position)
        in_log = [r[0] for r in s.log_rows(
            "SELECT text FROM record WHERE kind='message' AND direction=0")]
        t.eq(sorted(in_log), sorted(texts), "the whole turn was in the log before any was shown")

        s.client.start()
        since = s.client.run_start
        after = []
        while set(before) | set(after) != set(texts):
            after.append(s.client.wait_event("write", since=since, flags="recv",
                                             timeout=30)["text"])
        t.ok(s.client.no_event("write", flags="recv", within=p.poll_interval * 2.5),
             "nothing more delivered after the restart")
        after = [e["text"] for e in s.client.events_seen("write", since=since, flags="recv")]
        t.eq(sorted(set(before) | set(after)), sorted(texts), "no message of the turn is lost")
        t.eq(sorted(set(before) & set(after)), [victim],
             "only the message on screen at the crash is shown again")
        t.eq(sorted(after), sorted(set(after)), "nothing shown twice after the restart")
        notices = s.client.events_seen("write", since=since, flags="system",
                                       text=lambda x: "may be a repeat" in x)
        t.eq([n["conv"] for n in notices], [customers[texts.index(victim)][0]],
             "the repeat, and only it, is announced")
        t.eq(s.log_rows("SELECT count(*), count(DISTINCT text) FROM record "
                        "WHERE kind='message' AND direction=0"), [(12, 12)],
             "each message is logged once")
        t.eq(s.log_rows("SELECT count(*) FROM state WHERE key LIKE 'display/%'"), [(0,)],
             "the display marker is cleared once everything is on screen")


def test_admin_on_e2e_log(t, p):
    with Session(p) as s:
        who, name = p.customer(50)
        s.emu.add_customer_message(who, name, "Where is order 1234?")
        s.start()
        s.connected()
        s.received(who)
        s.send(who, "It left the warehouse today.")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        s.send(who, "card 4111 1111 1111 1111")
        s.client.wait_event("write", conv=who, flags="error", timeout=10)
        s.client.quit()
        db = os.path.join(s.client.purple_dir, "branddm", "log.sqlite")
        st = os.stat(db)
        t.eq(oct(st.st_mode & 0o777), oct(0o600), "log file is private to the agent (0600)")

        code, out, err = admin("export", "--db", db, "--format", "jsonl")
        t.ok(code == 0, "export succeeds", err)
        records = [json.loads(line) for line in out.splitlines() if line.strip()]
        texts = [r.get("text") for r in records]
        t.ok("Where is order 1234?" in texts and "It left the warehouse today." in texts,
             "export has the message in and the reply out", texts)
        t.ok(any(r.get("kind") == "block" for r in records), "export has the block", records)
        t.ok(all(r.get("agent") for r in records), "every exported record names its agent")

        code, out, err = admin("verify", "--db", db)
        t.ok(code == 0, "the chain of an e2e run verifies", out + err)

        code, out, err = admin("report", "--db", db, "--format", "json")
        t.ok(code == 0, "report succeeds", err)
        json.loads(out)

        con = sqlite3.connect(db)
        con.execute("UPDATE record SET text='It never left.' WHERE text='It left the warehouse today.'")
        con.commit()
        con.close()
        code, out, err = admin("verify", "--db", db)
        t.ok(code == 1, "an edited row fails verify (exit %d)" % code, out + err)
        t.ok("record" in (out + err).lower(), "and the broken record is named", out + err)


def test_retention(t, p):
    sysconf = {"desk.conf": "[log]\nlocked=true\nretention=1d\n"}
    with Session(p, sysconf=sysconf) as s:
        who, name = p.customer(60)
        s.emu.add_customer_message(who, name, "an old question")
        s.start()
        s.connected()
        s.received(who)
        t.eq(len(s.log_rows("SELECT id FROM record WHERE kind='message'")), 1, "message logged")
        # libpurple chat logs an earlier version left: one written now, one
        # (by its time stamp) two days from now; in the folder named after
        # the icon BrandDM borrowed then ("facebook") and after its own.
        old_dir = os.path.join(s.client.purple_dir, "logs", "facebook", p.username, who)
        own_dir = os.path.join(s.client.purple_dir, "logs", "branddm-facebook", p.username, who)
        for d in (old_dir, own_dir):
            os.makedirs(d, exist_ok=True)
        old, recent = (os.path.join(old_dir, n) for n in ("old.txt", "recent.txt"))
        own_old = os.path.join(own_dir, "old.txt")
        for path in (old, recent, own_old):
            with open(path, "w") as f:
                f.write("an old question\n")
        later = time.time() + 2 * 86400 + 3600
        os.utime(recent, (later, later))
        # Two days later (the test clock), the daily purge removes it.
        r = s.client.cmd({"cmd": "plugin-ipc", "plugin": "core-branddm",
                          "command": "set-clock-offset", "args": [str(2 * 86400)]})
        t.ok("ok" in str(r), "clock moved", r)
        t.eq(s.log_rows("SELECT text FROM record WHERE kind='message'"), [],
             "records older than the retention period are purged")
        t.eq(len(s.log_rows("SELECT id FROM record WHERE kind='purge'")), 1, "the purge is recorded")
        t.ok(not os.path.exists(old) and os.path.exists(recent),
             "libpurple chat logs older than the retention period are deleted too, newer kept")
        t.ok(not os.path.exists(own_old), "also in the folder named after BrandDM's own icon")
        t.ok(s.client.no_event("write", conv=who, flags="recv", within=p.poll_interval * 2.5),
             "a purged message is not delivered again")
        db = os.path.join(s.client.purple_dir, "branddm", "log.sqlite")
        code, out, err = admin("verify", "--db", db)
        t.ok(code == 0, "the chain still verifies after the purge", out + err)


def files_under(top):
    found = []
    for root, _, names in os.walk(top):
        found += [os.path.join(root, n) for n in names]
    return found


def test_one_record(t, p):
    """BrandDM's log is the record: libpurple's chat logs stay off for
    BrandDM accounts (a dummy account of the same user still logs), and
    erase reaches what an earlier version left in libpurple's chat logs and
    buddy list: afterwards the customer's text and name are nowhere under
    the purple directory."""
    dummy = "prpl-bdmtest-dummy"
    with Session(p, plugin_paths=[build_path("plugins"), build_path("tests", "plugins")]) as s:
        who, name = p.customer(60)[0], "Zelda Quartermain"
        s.start()
        for pref in ("log_ims", "log_chats", "log_system"):
            s.client.cmd({"cmd": "pref-set", "path": "/purple/logging/" + pref, "type": "bool",
                          "value": True})
        s.connected()
        s.client.cmd({"cmd": "account-add", "protocol": dummy, "username": "ann",
                      "password": "secret"})
        s.client.cmd({"cmd": "account-enable", "protocol": dummy, "username": "ann"})
        s.client.wait_event("connection", state="connected", protocol=dummy, timeout=15)
        s.emu.add_customer_message(who, name, "My parcel 7781 is late")
        s.received(who)
        s.send(who, "Sorry, checking parcel 7781 now.")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        s.client.cmd({"cmd": "send", "protocol": dummy, "username": "ann", "who": "alice",
                      "text": "hello from another account"})
        s.client.wait_event("write", conv="alice", timeout=15)
        logs = os.path.join(s.client.purple_dir, "logs")
        # The account's own ".system" log (signed on, signed off) names no customer.
        ours = [f for f in files_under(logs) if "/dummy/" not in f and "/.system/" not in f]
        t.eq(ours, [], "libpurple wrote no chat log for the BrandDM account")
        t.ok(any("/dummy/" in f for f in files_under(logs)),
             "the user's other account still logs as before", files_under(logs))

        # What an earlier version left behind for this customer.
        for icon in ("facebook", "branddm-facebook"):
            old_dir = os.path.join(logs, icon, p.username, who)
            os.makedirs(old_dir, exist_ok=True)
            with open(os.path.join(old_dir, "2026-11-01.120000+0000UTC.txt"), "w") as f:
                f.write("Conversation with %s\n(12:00:00) %s: My parcel 7781 is late\n"
                        % (name, name))
        buddies = s.client.cmd({"cmd": "buddies"})["buddies"]
        t.ok(any(b["name"] == who for b in buddies), "the customer is a buddy", buddies)
        time.sleep(6)   # libpurple saves blist.xml and accounts.xml a few seconds after a change
        t.eq(s.client.quit(), 0, "the client quits cleanly")

        code, out, err = admin("erase", "--customer", who, "--db",
                               os.path.join(s.client.purple_dir, "branddm", "log.sqlite"))
        t.eq(code, 0, "erase succeeds")
        s.start(add_account=False)
        s.connected()
        t.ok(s.client.wait_event("buddy-removed", name=who, timeout=15) is not None,
             "at sign-on the erased customer's buddy is removed")
        time.sleep(6)
        t.eq(s.client.quit(), 0, "the client quits cleanly again")
        leftovers = []
        for path in files_under(s.client.purple_dir):
            with open(path, "rb") as f:
                data = f.read()
            if b"7781" in data or name.encode() in data:
                leftovers.append(os.path.relpath(path, s.client.purple_dir))
        t.eq(leftovers, [], "after erase the customer's text and name are nowhere under "
             "the purple directory")


t = Tap()
p = Facebook()
t.run("kill -9 mid-burst loses nothing shown", test_kill_mid_burst, p)
t.run("crash right after a turn was logged", test_crash_inside_a_turn, p, 0)
t.run("crash in the middle of showing a turn", test_crash_inside_a_turn, p, 5)
t.run("admin tool on a log written end to end", test_admin_on_e2e_log, p)
t.run("retention purge", test_retention, p)
t.run("one record: no libpurple chat logs, and erase reaches them", test_one_record, p)
t.done()
