#!/usr/bin/env python3
"""The central conversation log through real clients and a real PostgreSQL:
two agents' clients ship their logs to the team database, which then holds
one copy of every customer message and every reply under the agent who sent
it; branddm-admin exports, reports, verifies and erases there; erasure
orders reach every client, the offline ones when they come back; and the
database away, read-only, or a client killed mid-batch lose and double
nothing."""
import itertools
import json
import os
import subprocess
import time

from desk_fixtures import ADA, GRACE, quit_clean
from harness import Tap, build_dir
from pgserver import PgServer
from platforms import Facebook
from team_fixtures import AGENTS, Team, run_team_tests, wait_for

SECRET = "agent-pw-Zq81"
ADMIN = os.path.join(build_dir(), "branddm-admin")
WRITER = os.path.join(build_dir(), "tests", "log_writer")


def admin(*args):
    proc = subprocess.run([ADMIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, env=dict(os.environ, LC_ALL="C", LANGUAGE="C"))
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def log_path(s):
    return os.path.join(s.client.purple_dir, "branddm", "log.sqlite")


def local_count(s):
    return s.log_rows("SELECT count(*) FROM record")[0][0]


def chain_of(s):
    rows = s.log_rows("SELECT value FROM state WHERE key = 'ship/chain'")
    return rows[0][0] if rows else None


def central_count(team, s):
    chain = chain_of(s)
    if chain is None:
        return -1
    return int(team.sql("SELECT count(*) FROM branddm.log_record WHERE chain = '%s'" % chain))


def all_shipped(team, sessions):
    return all(central_count(team, s) == local_count(s) for s in sessions)


def exported(conninfo, *extra):
    code, out, err = admin("export", "--db", conninfo, *extra)
    if code != 0:
        raise RuntimeError("export failed: " + err)
    return [json.loads(line) for line in out.splitlines()]


def agent_team(pg, hook, db, agents=AGENTS[:2], **kwargs):
    """A team whose clients log in as an agent role (INSERT-only on the log)."""
    role = "agent_" + db
    return Team(Facebook(), pg, hook, agents, db=db, client_login=(role, SECRET), **kwargs)


def conversation(t, team):
    """Ada writes twice, Alice answers; both clients see everything."""
    alice, bob = team.sessions
    who, name = ADA
    team.emu.add_customer_message(who, name, "My order 5521 never arrived")
    for s in (alice, bob):
        s.received(who)
    team.emu.add_customer_message(who, name, "Can you check please?")
    for s in (alice, bob):
        t.ok(wait_for(lambda: s.log_rows("SELECT count(*) FROM record WHERE text ="
                                         " 'Can you check please?'")[0][0] == 1),
             "the second message reached every client")
    alice.send(who, "Sorry about that, Ada: it leaves today.")
    alice.client.wait_event("write", conv=who, flags="send", timeout=15)
    # Bob's client polls or is told: it logs Alice's reply as sent elsewhere.
    t.ok(wait_for(lambda: bob.log_rows("SELECT count(*) FROM record WHERE kind = 'message'"
                                       " AND direction = 1")[0][0] >= 1, timeout=20),
         "Bob's client logged Alice's reply too")


def test_shipping(t, pg, hook):
    team = agent_team(pg, hook, "ship").start()
    alice, bob = team.sessions
    try:
        conversation(t, team)
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20),
             "every record of both clients is in the team database")
        agents = team.sql("SELECT string_agg(agent, ',' ORDER BY agent) FROM branddm.log_chain")
        t.eq(agents, "Alice Martin,Bob Keller", "each client's chain is registered under its agent")
        code, out, err = admin("verify", "--db", team.conninfo)
        t.ok(code == 0 and out.count(": intact,") == 2, "verify --db: both chains intact",
             out + err)
        code, out, err = admin("verify", "--db", team.conninfo, "--db", log_path(alice))
        t.ok(code == 0 and "matches its shipped copy" in out,
             "verify with Alice's file: it matches what she shipped", out + err)

        records = exported(team.conninfo)
        texts = [r["text"] for r in records if r["kind"] == "message"]
        for text in ["My order 5521 never arrived", "Can you check please?",
                     "Sorry about that, Ada: it leaves today."]:
            t.eq(texts.count(text), 1, "export --db: %r once, though both clients logged it"
                 % text)
        reply = [r for r in records if r.get("text") == "Sorry about that, Ada: it leaves today."]
        t.eq(reply and reply[0]["agent"], "Alice Martin", "the reply is Alice's, not Bob's")
        t.ok(all(r["source"].startswith("team:") for r in records),
             "each record names the chain it came from")

        code, out, err = admin("report", "--db", team.pg.conninfo(team.db, password=SECRET),
                               "--format", "json")
        t.ok(code == 0, "report --db exits 0", err)
        rep = json.loads(out) if code == 0 else {}
        agents = {a["name"]: a for a in rep.get("agents", [])}
        t.ok("Alice Martin" in agents and agents["Alice Martin"]["messages_out"] == 1,
             "report: Alice answered once", agents.keys())
        t.ok(agents.get("Bob Keller", {}).get("messages_out", 0) == 0,
             "report: Bob is not credited with Alice's reply", agents.get("Bob Keller"))
        t.ok(SECRET not in out + err and "password=***" in out,
             "the report names the database, its password redacted", out)

        # Mixing the team database with the agents' own files changes nothing,
        # in any order: the files add only what was not shipped yet.
        reference = None
        same = True
        for order in itertools.permutations([team.conninfo, log_path(alice), log_path(bob)]):
            args = []
            for db in order:
                args += ["--db", db]
            code, out, _ = admin("report", "--format", "csv", "--until", "2100-01-01", *args)
            reference = reference if reference is not None else out
            same = same and code == 0 and out == reference
        t.ok(same, "report over the team database and both files: identical in all 6 orders")
        code, out, _ = admin("report", "--format", "csv", "--until", "2100-01-01",
                             "--db", team.conninfo)
        t.eq(out, reference, "and identical to the team database alone")

        code, out, err = admin("export", "--db", team.conninfo, "--progress")
        t.ok(code == 0 and "export" in err, "--progress reports on stderr", err)
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_tamper(t, pg, hook):
    team = agent_team(pg, hook, "tamper").start()
    alice, bob = team.sessions
    try:
        conversation(t, team)
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20), "all shipped")
        for s in team.sessions:
            quit_clean(t, s)
        chain = chain_of(alice)
        # A local rewrite after shipping: a new, internally intact log that
        # claims Alice's chain.
        fake = os.path.join(team.sessions[0].client.purple_dir, "rewritten.sqlite")
        lines = [json.dumps({"type": "state", "key": "ship/chain", "value": chain})]
        for i in range(local_count(alice)):
            lines.append(json.dumps({"type": "event", "kind": "note", "detail": {"n": i},
                                     "time": 1700000000 + i}))
        subprocess.run([WRITER, "append", fake, "root"], input="\n".join(lines).encode(),
                       check=True, stdout=subprocess.DEVNULL, timeout=60)
        code, out, err = admin("verify", "--db", fake)
        t.ok(code == 0, "the rewritten file verifies on its own", out + err)
        code, out, err = admin("verify", "--db", team.conninfo, "--db", fake)
        t.ok(code == 1 and "record 1 differs from its shipped copy" in out and
             "the local log was rewritten after it was shipped" in out,
             "verify with the team database names the local rewrite", out + err)

        # An edit in the team database.
        team.sql("UPDATE branddm.log_record SET text = 'nothing happened' WHERE chain = '%s'"
                 " AND text = 'My order 5521 never arrived'" % chain)
        code, out, err = admin("verify", "--db", team.conninfo, "--db", log_path(alice))
        t.ok(code == 1 and "BROKEN at record" in out and "content was changed" in out,
             "verify --db finds the central edit", out + err)
        t.ok("the team database's copy team:%s was edited" % chain in out,
             "and, with Alice's file, says the central copy was edited", out)
        t.ok("Bob Keller): intact" in out, "Bob's chain is still intact", out)
    finally:
        team.close()


def test_database_away(t, pg, hook):
    """Down during traffic: the backlog goes up later, nothing lost or doubled."""
    team = agent_team(pg, hook, "away").start()
    alice, bob = team.sessions
    try:
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20), "shipping started")
        pg.down()
        who, name = GRACE
        for n in range(5):
            team.emu.add_customer_message(who, name, "While the database is away %d" % n)
        alice.received(who)
        alice.send(who, "Answered while the team database was away")
        alice.client.wait_event("write", conv=who, flags="send", timeout=15)
        time.sleep(2)
        before = local_count(alice)
        pg.up()
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=60),
             "after the database is back, every record went up")
        t.ok(local_count(alice) >= before, "nothing was lost locally meanwhile")
        for s in team.sessions:
            chain = chain_of(s)
            ids = team.sql("SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || max(id)"
                           " FROM branddm.log_record WHERE chain = '%s'" % chain)
            n, distinct, top = ids.split()
            t.ok(n == distinct == top, "%s: ids 1..%s once each, no gap" % (s.client.purple_dir
                                                                              [-8:], top), ids)
        texts = [r["text"] for r in exported(team.conninfo) if r["kind"] == "message"]
        t.eq(sorted(x for x in texts if x and x.startswith("While the database")),
             ["While the database is away %d" % n for n in range(5)],
             "each message of the outage once in the central log")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        pg.up()
        team.close()


def test_read_only(t, pg, hook):
    """The database refuses writes: the agent is told once, shipping retries."""
    team = agent_team(pg, hook, "readonly", agents=AGENTS[:1]).start()
    s = team.sessions[0]
    try:
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20), "shipping started")
        pg.psql("ALTER DATABASE readonly SET default_transaction_read_only = on;"
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = 'readonly' AND pid <> pg_backend_pid()")
        who, name = ADA
        team.emu.add_customer_message(who, name, "Written while read-only")
        s.received(who)
        told = s.client.wait_event("notify", timeout=30,
                                   primary=lambda p: "does not accept the conversation log"
                                   in (p or ""))
        t.ok(told is not None, "the agent is told the database refuses the log")
        t.ok(told and "read-only" in json.dumps(told), "with the server's reason", told)
        time.sleep(5)
        notices = s.client.events_seen("notify", primary=lambda p: "does not accept" in (p or ""))
        t.eq(len(notices), 1, "once, not at every retry")
        pg.psql("ALTER DATABASE readonly RESET default_transaction_read_only;"
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = 'readonly' AND pid <> pg_backend_pid()")
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=60),
             "once writable again, the backlog goes up")
        quit_clean(t, s)
    finally:
        team.close()


def test_killed_mid_batch(t, pg, hook):
    """A client killed while a backlog drains: restarted, it goes on without gap or duplicate."""
    team = agent_team(pg, hook, "killed", agents=AGENTS[:1])
    s = team.sessions[0]
    try:
        os.makedirs(os.path.dirname(log_path(s)), exist_ok=True)
        subprocess.run([WRITER, "generate", log_path(s), "root", "30000"], check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
        total = 30000
        team.start()
        t.ok(wait_for(lambda: 0 < central_count(team, s) < total, timeout=30),
             "the backlog is draining")
        s.client.kill()
        shipped = central_count(team, s)
        s.start()
        s.connected()
        t.ok(wait_for(lambda: central_count(team, s) == local_count(s), timeout=120),
             "after the restart the rest went up (%d before the kill)" % shipped)
        row = team.sql("SELECT count(*) || ' ' || max(id) FROM branddm.log_record WHERE chain"
                       " = '%s'" % chain_of(s))
        n, top = row.split()
        t.ok(n == top and int(n) == local_count(s), "ids 1..%s, each once" % top, row)
        code, out, err = admin("verify", "--db", team.conninfo, "--db", log_path(s))
        t.ok(code == 0 and "matches its shipped copy" in out, "and the chain verifies", out + err)
        quit_clean(t, s)
    finally:
        team.close()


def test_erasure(t, pg, hook):
    """Erase centrally; connected clients apply the order at once, an
    offline one when it connects; subject-export covers the team."""
    team = agent_team(pg, hook, "erase").start()
    alice, bob = team.sessions
    try:
        conversation(t, team)
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20), "all shipped")
        who, _ = ADA
        code, out, err = admin("subject-export", "--customer", who, "--db", team.conninfo)
        doc = json.loads(out) if code == 0 else {}
        texts = [r.get("text") for f in doc.get("files", []) for r in f["records"]]
        t.ok(sorted(x for x in texts if x) == ["Can you check please?",
                                               "My order 5521 never arrived",
                                               "Sorry about that, Ada: it leaves today."],
             "subject-export --db: the team's records about Ada, once each", out + err)
        t.ok(doc and doc["files"][0]["team_state"]["conversations"],
             "with the team's conversation state")

        quit_clean(t, bob)
        code, out, err = admin("erase", "--customer", who, "--db", team.conninfo)
        t.ok(code == 0 and "erasure order 1" in out, "erase --db leaves an order", out + err)
        t.eq(team.sql("SELECT count(*) FROM branddm.log_record WHERE text LIKE '%5521%'"
                      " OR customer_id = '" + who + "'"), "0",
             "the central copies are blank")
        t.eq(team.sql("SELECT count(*) FROM branddm.conversation WHERE customer = '%s'" % who),
             "0", "and the team's state about Ada is gone")
        t.ok(wait_for(lambda: alice.log_rows("SELECT count(*) FROM record WHERE text LIKE"
                                             " '%5521%'")[0][0] == 0, timeout=20),
             "Alice's client, connected, applied the order to its own log")
        # Her client tells the team after blanking its own log: wait for that too.
        status = []

        def applied_by_alice():
            status[:] = [admin("erase", "--status", "--db", team.conninfo)[1]]
            return "applied by: Alice Martin" in status[0]
        wait_for(applied_by_alice, timeout=20)
        out = status[0] if status else ""
        t.ok("applied by: Alice Martin" in out and "waiting for: Bob Keller" in out,
             "erase --status: Alice applied it, Bob's client not yet", out)
        t.ok(b"5521" in bob.log_file_bytes(), "Bob's offline log still has it (for now)")
        bob.start(add_account=False)
        bob.connected()
        t.ok(wait_for(lambda: bob.log_rows("SELECT count(*) FROM record WHERE text LIKE"
                                           " '%5521%'")[0][0] == 0, timeout=30),
             "Bob's client applied it when it connected")
        code, out, _ = admin("erase", "--status", "--db", team.conninfo)
        t.ok("waiting for: nobody" in out, "erase --status: every client applied it", out)
        t.ok(wait_for(lambda: all_shipped(team, team.sessions), timeout=20),
             "the clients' erase records went up")
        code, out, err = admin("verify", "--db", team.conninfo, "--db", log_path(alice),
                               "--db", log_path(bob))
        t.ok(code == 0, "every chain still verifies, centrally and locally", out + err)
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_mixed_files(t, pg, hook):
    """A --db list may mix files and the team database; bad arguments fail clearly."""
    db = pg.createdb("mixed_empty")
    code, out, err = admin("verify", "--db", pg.conninfo(db))
    t.ok(code == 2 and "team init" in err, "a database without the team schema: named, exit 2",
         err)
    code, out, err = admin("export", "--db", pg.conninfo(db, password=SECRET))
    t.ok(code != 0 and SECRET not in out + err, "no password in any message", err)
    code, out, err = admin("erase", "--status", "--db", "/nonexistent/file.sqlite")
    t.ok(code == 2 and "needs the team database" in err, "erase --status on a file: usage error",
         err)


t = Tap()
with PgServer() as pg:
    run_team_tests(t, pg, [("shipping, export, report, verify", test_shipping),
                           ("a local rewrite and a central edit are named", test_tamper),
                           ("the database away during traffic", test_database_away),
                           ("a read-only database", test_read_only),
                           ("a client killed mid-batch", test_killed_mid_batch),
                           ("erasure across the team", test_erasure),
                           ("mixed and bad --db", test_mixed_files)])
t.done()
