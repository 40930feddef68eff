#!/usr/bin/env python3
"""branddm-admin team and the team schema, against a real PostgreSQL server
(tests/e2e/pgserver.py starts one for this script, on a unix socket).

init creates the schema in an empty database and says so; run again (or
three times at once) it changes nothing; a database of a newer schema is
refused naming both versions, as is a "branddm" schema that is not ours.
The schema keeps its promises to the clients: the roles grant what
plugin/core/team_schema.h says and no more (an agent cannot delete messages
or truncate anything), ticket numbers from concurrent sessions never clash,
a claim is won once, and changes are announced with NOTIFY.  And the
connection string's password never appears in anything the tool prints,
whether the server refuses it, the socket is missing, or the string is
malformed (exit 2).
"""
import re
import shlex
import subprocess

from harness import Tap, build_path
from pgserver import PgServer

SECRET = "S3cretPW!"
SECRET_ENCODED = "S3cretPW%21"
TABLES = ["claim", "conversation", "erasure_applied", "erasure_order", "log_chain", "log_record",
          "message", "meta", "ticket_seq"]
SCHEMA_VERSION = 2

t = Tap()


def admin(*args, timeout=60):
    """Run branddm-admin; (exit status, stdout, stderr)."""
    proc = subprocess.run([build_path("branddm-admin")] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), \
        proc.stderr.decode("utf-8", "replace")


def rows(pg, sql, db, **kwargs):
    """psql's unaligned output as a list of lines."""
    return [line for line in pg.psql(sql, db=db, **kwargs).splitlines() if line]


def init_db(pg, name):
    pg.createdb(name)
    code, out, err = admin("team", "init", "--db", pg.conninfo(name))
    if code != 0:
        raise RuntimeError("team init of %s failed: %s%s" % (name, out, err))
    return name


def parallel_psql(pg, scripts, db, user="postgres", password=None):
    """Run each script in its own psql at the same time; their outputs."""
    procs = [subprocess.Popen(pg.psql_command(db, user), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=pg.psql_env(password)) for _ in scripts]
    # Feed them all before reading any, so they run side by side.
    for proc, script in zip(procs, scripts):
        proc.stdin.write(script.encode())
        proc.stdin.close()
    outputs = []
    for proc in procs:
        out = proc.stdout.read().decode()
        err = proc.stderr.read().decode()
        if proc.wait(timeout=120) != 0:
            raise RuntimeError("psql failed: " + err)
        outputs.append(out)
    return outputs


# ---- init --------------------------------------------------------------------------

def test_init(t, pg):
    db = pg.createdb("init_empty")
    code, out, err = admin("team", "init", "--db", pg.conninfo(db))
    t.eq(code, 0, "team init on an empty database exits 0")
    t.ok("created the team schema, version %d" % SCHEMA_VERSION in out,
         "it says it created the schema and its version", out + err)
    t.eq(rows(pg, "SELECT table_name FROM information_schema.tables"
                  " WHERE table_schema = 'branddm' ORDER BY 1", db), TABLES,
         "the tables are in schema branddm")
    t.eq(rows(pg, "SELECT value FROM branddm.meta WHERE key = 'schema_version'", db),
         [str(SCHEMA_VERSION)], "meta holds the schema version")
    t.eq(rows(pg, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1", db),
         ["conversation_notify", "erasure_notify", "message_notify"],
         "conversation, message and erasure orders notify")
    t.eq(rows(pg, "SELECT column_default FROM information_schema.columns WHERE table_schema ="
                  " 'branddm' AND table_name = 'conversation' AND column_name = 'status'", db),
         ["'open'::text"], "a conversation is open by default")
    code, _, err = pg.psql("INSERT INTO branddm.conversation (platform, account, customer, status)"
                           " VALUES ('facebook', '1', '2', 'closed')", db=db, check=False)
    t.ok(code != 0 and "conversation_status_check" in err,
         "status is open or resolved, nothing else", err)

    pg.psql("INSERT INTO branddm.conversation (platform, account, customer, assigned)"
            " VALUES ('facebook', '1001', 'c1', 'ada')", db=db)
    code, out, err = admin("team", "init", "--db", pg.conninfo(db))
    t.eq(code, 0, "team init again exits 0")
    t.ok("at version %d already: nothing to do" % SCHEMA_VERSION in out,
         "and says there was nothing to do", out + err)
    t.eq(err, "", "without a notice on stderr")
    t.eq(rows(pg, "SELECT assigned FROM branddm.conversation", db), ["ada"],
         "the data is untouched")

    code, out, err = admin("team", "status", "--db", pg.conninfo(db))
    t.eq(code, 0, "team status exits 0")
    t.ok("schema version: %d (current)" % SCHEMA_VERSION in out, "status shows the version",
         out + err)
    t.ok("roles: branddm_admin branddm_agent" in out, "status shows both roles", out)

    empty = pg.createdb("status_empty")
    code, out, err = admin("team", "status", "--db", pg.conninfo(empty))
    t.ok(code == 0 and "schema version: none" in out and "team init" in out,
         "status of a database without the schema says to run init", out + err)


def test_concurrent_init(t, pg):
    db = pg.createdb("init_race")
    procs = [subprocess.Popen([build_path("branddm-admin"), "team", "init", "--db",
                               pg.conninfo(db)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(3)]
    results = [(p.wait(timeout=60), p.stdout.read().decode(), p.stderr.read().decode())
               for p in procs]
    t.eq([code for code, _, _ in results], [0, 0, 0], "three inits at once all succeed")
    created = [out for _, out, _ in results if "created the team schema" in out]
    t.eq(len(created), 1, "exactly one of them created the schema")
    t.eq(rows(pg, "SELECT count(*) FROM branddm.meta", db), ["1"], "one version row")


def test_newer_schema(t, pg):
    db = init_db(pg, "newer")
    pg.psql("UPDATE branddm.meta SET value = '999' WHERE key = 'schema_version'", db=db)
    code, out, err = admin("team", "init", "--db", pg.conninfo(db))
    t.eq(code, 1, "init of a schema version 999 exits 1")
    t.ok(re.search(r"schema version 999, newer than this BrandDM \(%d\); upgrade BrandDM"
                   % SCHEMA_VERSION, err), "the message names both versions", out + err)
    t.eq(rows(pg, "SELECT value FROM branddm.meta", db), ["999"], "the database is untouched")
    code, out, err = admin("team", "status", "--db", pg.conninfo(db))
    t.ok(code == 0 and "999, newer than this BrandDM (%d)" % SCHEMA_VERSION in out,
         "status says the same", out + err)


def test_foreign_schema(t, pg):
    db = pg.createdb("foreign")
    pg.psql("CREATE SCHEMA branddm; CREATE TABLE branddm.meta (key text, value text)", db=db)
    code, out, err = admin("team", "init", "--db", pg.conninfo(db))
    t.eq(code, 1, "init refuses a \"branddm\" schema without a version")
    t.ok("not a BrandDM team database" in err, "and says why", out + err)
    t.eq(rows(pg, "SELECT count(*) FROM information_schema.tables"
                  " WHERE table_schema = 'branddm'", db), ["1"], "nothing was added to it")


# ---- what the schema promises ---------------------------------------------------------

def test_roles(t, pg):
    db = init_db(pg, "roles")
    t.eq(rows(pg, "SELECT rolname || ' ' || rolcanlogin FROM pg_roles"
                  " WHERE rolname LIKE 'branddm%' ORDER BY 1", db),
         ["branddm_admin false", "branddm_agent false"], "both roles exist, without login")
    pg.create_login_role("agent_ada", SECRET, member_of=["branddm_agent"])
    pg.create_login_role("admin_bob", SECRET, member_of=["branddm_admin"])
    pg.create_login_role("stranger", SECRET)

    def as_role(role, sql):
        return pg.psql(sql, db=db, user=role, password=SECRET, check=False)

    allowed = [
        ("INSERT INTO branddm.claim (platform, account, customer, action, agent)"
         " VALUES ('x', '1', 'c', 'auto_reply', 'ada')", "INSERT into claim"),
        ("INSERT INTO branddm.conversation (platform, account, customer)"
         " VALUES ('x', '1', 'c')", "INSERT into conversation"),
        ("UPDATE branddm.conversation SET assigned = 'ada'", "UPDATE conversation"),
        ("INSERT INTO branddm.message (platform, account, message_id, customer, from_brand,"
         " text, created) VALUES ('x', '1', 'm1', 'c', false, 'hi', 0)", "INSERT into message"),
        ("SELECT value FROM branddm.meta", "SELECT meta (the schema version)"),
        ("DELETE FROM branddm.claim", "DELETE from claim (release)"),
    ]
    for sql, what in allowed:
        code, _, err = as_role("agent_ada", sql)
        t.ok(code == 0, "an agent may " + what, err)
    denied = [("DELETE FROM branddm.message", "DELETE from message"),
              ("DELETE FROM branddm.conversation", "DELETE from conversation"),
              ("DELETE FROM branddm.ticket_seq", "DELETE from ticket_seq"),
              ("UPDATE branddm.meta SET value = '2'", "UPDATE meta")]
    denied += [("TRUNCATE branddm.%s" % table, "TRUNCATE " + table) for table in TABLES]
    for sql, what in denied:
        code, _, err = as_role("agent_ada", sql)
        t.ok(code != 0 and "permission denied" in err, "an agent may not " + what, err)
    t.eq(rows(pg, "SELECT count(*) FROM branddm.message", db), ["1"],
         "the message is still there")

    # The central log: an agent's client inserts its records and never changes them.
    chain = "0b1c2d3e-0000-4000-8000-000000000001"
    code, _, err = as_role("agent_ada",
                           "INSERT INTO branddm.log_chain (chain, agent, anchor_id, anchor_hash)"
                           " VALUES ('%s', 'Ada', 0, '\\x00') ON CONFLICT DO NOTHING;"
                           "INSERT INTO branddm.log_record (chain, id, kind, platform_time,"
                           " logged_time, automated, agent, erased, content_hash, hash)"
                           " VALUES ('%s', 1, 'note', 0, 1, false, 'ada', false, '\\x01',"
                           " '\\x02') ON CONFLICT DO NOTHING" % (chain, chain))
    t.ok(code == 0, "an agent may register its chain and INSERT log records", err)
    for sql, what in [("UPDATE branddm.log_record SET kind = 'x'", "UPDATE log records"),
                      ("DELETE FROM branddm.log_record", "DELETE log records"),
                      ("SELECT text FROM branddm.log_record", "read the central log"),
                      ("UPDATE branddm.log_chain SET agent = 'x'", "UPDATE a chain"),
                      ("DELETE FROM branddm.log_chain", "DELETE a chain"),
                      ("INSERT INTO branddm.erasure_order (customer_id, tombstone)"
                       " VALUES ('c', 't')", "order an erasure"),
                      ("DELETE FROM branddm.erasure_applied", "DELETE applied erasures")]:
        code, _, err = as_role("agent_ada", sql)
        t.ok(code != 0 and "permission denied" in err, "an agent may not " + what, err)
    t.eq(rows(pg, "SELECT kind FROM branddm.log_record", db), ["note"],
         "the log record is unchanged")
    code, _, err = as_role("admin_bob", "UPDATE branddm.log_record SET text = NULL;"
                           " INSERT INTO branddm.erasure_order (customer_id, tombstone)"
                           " VALUES ('c', 't')")
    t.ok(code == 0, "an admin may change log records and order an erasure", err)

    code, _, err = as_role("stranger", "SELECT * FROM branddm.conversation")
    t.ok(code != 0 and "permission denied" in err,
         "a role without branddm_agent cannot read conversations", err)
    code, _, err = as_role("admin_bob", "DELETE FROM branddm.message; TRUNCATE branddm.claim")
    t.ok(code == 0, "an admin may delete and truncate", err)


def test_ticket_seq(t, pg):
    db = init_db(pg, "tickets")
    pg.create_login_role("agent_tix", SECRET, member_of=["branddm_agent"])
    alloc = ("INSERT INTO branddm.ticket_seq VALUES ('%s', 1) ON CONFLICT (platform)"
             " DO UPDATE SET last = branddm.ticket_seq.last + 1 RETURNING last;\n")
    got = rows(pg, alloc % "facebook" * 3, db, user="agent_tix", password=SECRET)
    t.eq(got, ["1", "2", "3"], "the upsert numbers 1, 2, 3")
    t.eq(rows(pg, alloc % "x", db), ["1"], "each platform counts on its own")

    per_session = 50
    outputs = parallel_psql(pg, [alloc % "race" * per_session] * 2, db, "agent_tix", SECRET)
    numbers = [int(line) for out in outputs for line in out.split()]
    t.eq(len(numbers), 2 * per_session, "two sessions got %d numbers each" % per_session)
    t.eq(sorted(numbers), list(range(1, 2 * per_session + 1)),
         "never the same number twice, and no gap")


def test_claim(t, pg):
    db = init_db(pg, "claims")
    claim = ("INSERT INTO branddm.claim (platform, account, customer, action, agent)"
             " VALUES ('facebook', '1001', '%s', 'auto_reply', '%s')"
             " ON CONFLICT DO NOTHING RETURNING agent;\n")
    t.eq(rows(pg, claim % ("c1", "ada"), db), ["ada"], "the first claim returns its row")
    t.eq(rows(pg, claim % ("c1", "bob"), db), [], "a second claim returns nothing")
    t.eq(rows(pg, "SELECT agent FROM branddm.claim", db), ["ada"], "the first claimant keeps it")

    customers = ["r%d" % i for i in range(50)]
    outputs = parallel_psql(pg, ["".join(claim % (c, agent) for c in customers)
                                 for agent in ("ada", "bob")], db)
    won = [line for out in outputs for line in out.split()]
    t.eq(len(won), len(customers), "two racing sessions: each claim won exactly once")


def test_notify(t, pg):
    db = init_db(pg, "notify")
    inserts = ("INSERT INTO branddm.conversation (platform, account, customer)"
               " VALUES ('facebook', '1001', 'c/1');"
               "INSERT INTO branddm.message (platform, account, message_id, customer,"
               " from_brand, text, created) VALUES ('x', '99', 'm1', '42', true, 'hello', 1);"
               "UPDATE branddm.conversation SET assigned = 'ada';"
               "INSERT INTO branddm.claim (platform, account, customer, action, agent)"
               " VALUES ('x', '99', 'claimed', 'auto_reply', 'ada');")
    # The change comes from another session, run from psql's shell escape
    # while this one listens; the queries after it collect what arrived.
    other = "echo %s | %s" % (shlex.quote(inserts),
                              shlex.join(pg.psql_command(db, inside_psql=True)))
    out = pg.psql("LISTEN branddm;\n\\! %s\nSELECT 1;\nSELECT pg_sleep(0.2);\nSELECT 2;\n"
                  % other, db=db)
    payloads = re.findall(r'Asynchronous notification "branddm" with payload "([^"]*)"', out)
    t.ok("conversation:facebook/1001/c/1" in payloads,
         "an INSERT into conversation notifies another session", out)
    t.ok("message:x/99/42" in payloads, "so does an INSERT into message", out)
    t.eq(len([p for p in payloads if p.startswith("conversation:")]), 2,
         "and an UPDATE of a conversation (one notification per transaction and payload)")
    t.ok(not any("claimed" in p for p in payloads), "claims are not announced", out)


# ---- connection strings and secrets -------------------------------------------------------

def secret_free(t, what, code, out, err, want_code):
    t.eq(code, want_code, what + ": exit %d" % want_code)
    t.ok(SECRET not in out + err and SECRET_ENCODED not in out + err,
         what + ": the password is not in the output", out + err)


def test_secrets(t, pg):
    db = init_db(pg, "secrets")
    pg.create_login_role("agent_pw", "the-right-one", member_of=["branddm_agent"])

    wrong = [("keyword form", pg.conninfo(db, user="agent_pw", password=SECRET)),
             ("URI form", pg.uri(db, user="agent_pw", password=SECRET)),
             ("URI query", pg.uri(db, user="agent_pw") + "?password=" + SECRET_ENCODED)]
    for form, conninfo in wrong:
        code, out, err = admin("team", "init", "--db", conninfo)
        secret_free(t, "wrong password, " + form, code, out, err, 1)
        t.ok("password authentication failed" in err and "***" in err,
             "wrong password, %s: the message says so and shows the string redacted" % form,
             err)

    code, out, err = admin("team", "status", "--db",
                           "host=/nonexistent/bdm-socket port=5 dbname=x password=" + SECRET)
    secret_free(t, "missing socket", code, out, err, 1)
    t.ok("cannot connect to the team database" in err and "/nonexistent/bdm-socket" in err,
         "missing socket: the message names where it looked", err)

    for conninfo in ["host=%s password='%s" % (pg.socket_dir, SECRET),
                     "host=%s %s" % (pg.socket_dir, SECRET),
                     SECRET,
                     "host=/tmp nosuchoption=1 password=" + SECRET,
                     "postgresql://u:%s@host/db?nosuchoption=1" % SECRET_ENCODED]:
        code, out, err = admin("team", "init", "--db", conninfo)
        # The name of the check stays the same from run to run.
        shown = conninfo.replace(pg.socket_dir, "DIR").replace(SECRET, "PW")
        shown = shown.replace(SECRET_ENCODED, "PW")
        secret_free(t, "malformed %r" % shown, code, out, err, 2)
        t.ok("malformed connection string" in err, "malformed %r: the message says so" % shown,
             err)

    code, out, err = admin("team", "status", "--db",
                           pg.conninfo(db, user="agent_pw", password="the-right-one"))
    t.ok(code == 0 and "password=***" in out and "the-right-one" not in out + err,
         "a good password connects, and status shows the string redacted", out + err)


def test_upgrade(t, pg):
    db = init_db(pg, "upgrade")
    # What version 1 left: no central log.
    pg.psql("DROP TABLE branddm.erasure_applied, branddm.erasure_order, branddm.log_record,"
            " branddm.log_chain; DROP FUNCTION branddm.notify_erasure();"
            " UPDATE branddm.meta SET value = '1' WHERE key = 'schema_version';"
            " INSERT INTO branddm.conversation (platform, account, customer, assigned)"
            " VALUES ('facebook', '1', 'kept', 'ada')", db=db)
    code, out, err = admin("team", "init", "--db", pg.conninfo(db))
    t.ok(code == 0 and "from version 1 to %d" % SCHEMA_VERSION in out,
         "init upgrades a version 1 database", out + err)
    t.eq(rows(pg, "SELECT table_name FROM information_schema.tables"
                  " WHERE table_schema = 'branddm' ORDER BY 1", db), TABLES,
         "the central log tables are there")
    t.eq(rows(pg, "SELECT assigned FROM branddm.conversation", db), ["ada"],
         "the team's state is kept")


def test_usage(t, pg):
    code, _, err = admin("team")
    t.ok(code == 2 and "Usage: branddm-admin team" in err, "team alone: usage, exit 2", err)
    code, _, err = admin("team", "init")
    t.ok(code == 2 and "--db" in err, "init without --db: exit 2", err)
    code, _, err = admin("team", "frobnicate")
    t.ok(code == 2 and "frobnicate" in err, "an unknown command: exit 2", err)
    code, out, _ = admin("team", "init", "--help")
    t.ok(code == 0 and "--db=CONNINFO" in out and "pgpass" in out, "init --help", out)
    code, out, _ = admin("--help")
    t.ok(re.search(r"^\s+team\s", out, re.M), "branddm-admin --help lists team", out)


with PgServer() as server:
    t.run("team init: create, again, status", test_init, server)
    t.run("team init: three at once", test_concurrent_init, server)
    t.run("team init: a newer schema is refused", test_newer_schema, server)
    t.run("team init: a foreign branddm schema is refused", test_foreign_schema, server)
    t.run("roles: what an agent may and may not do", test_roles, server)
    t.run("ticket_seq: 1, 2, 3 and no clash between sessions", test_ticket_seq, server)
    t.run("claim: won once", test_claim, server)
    t.run("NOTIFY on conversation and message", test_notify, server)
    t.run("the password never shows", test_secrets, server)
    t.run("team init: version 1 is upgraded", test_upgrade, server)
    t.run("usage", test_usage, server)
t.done()
