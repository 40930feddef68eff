#!/usr/bin/env python3
"""Central conversation log benchmarks (team schema 2, docs/LOG.md): a real
PostgreSQL (tests/e2e/pgserver.py), the headless libpurple client
(tests/e2e/harness.py) and branddm-admin, each beside a baseline measured in
the same run on the same server.  Python 3 stdlib only.

  shipping  a client starts with a backlog of N records in its log
            (tests/log_writer generate) and ships it: records per second
            until the central count is N, beside the same rows inserted
            with psql as multi-row INSERT statements of 500 rows (the
            shipper's batch size), one transaction each, into a scratch
            table with the same columns and no index (also shown: the same
            into a table with log_record's key and indexes, and COPY)
  stall     the client's longest main-loop stall while that backlog
            drains, beside the same client's longest stall while idle with
            the team database afterwards (as long, the same probing and
            polling)
  report    branddm-admin report --format json over C central records
            (A agents' logs loaded with COPY), beside one SQL statement in
            psql that computes the same kind of figures from the same rows
            (see REPORT_SQL)
  export    branddm-admin export of those records, beside psql COPY of the
            SELECT the tool runs, both into /dev/null

Prints one JSON object.  bench/run-bench runs it as part of `make bench`.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Client, build_dir  # noqa: E402
from pgserver import PgServer  # noqa: E402

RUNS = 3                 # best of, for the whole-program timings
BATCH = 500              # the shipper's batch (plugin/desk/desk_log_ship.c)
POLL_S = 0.2             # central count polled this often
PROBE_GAP_S = 0.005      # a main-loop probe every 5 ms, as bench_team.py
AGENT = "Bench Agent"

# The columns a client ships (plugin/core/team_log.c), in that order.
COLUMNS = ["id", "kind", "platform", "account", "conversation_id", "customer_id",
           "customer_name", "direction", "text", "platform_message_id", "platform_time",
           "logged_time", "automated", "template_name", "detail", "agent", "erased",
           "personal_hash", "content_hash", "hash"]
BOOLEAN = {"automated", "erased"}
SHIPPED = ["chain"] + COLUMNS + ["sent_elsewhere"]

# The SELECT branddm-admin runs for export (tools/admin_source.c, team_select
# with q.by_time and no filter), character for character.
EXPORT_SELECT = (
    "SELECT r.id, r.kind, r.platform, r.account, r.conversation_id, r.customer_id,"
    " r.customer_name, r.direction, r.text, r.platform_message_id, r.platform_time,"
    " r.logged_time, r.automated, r.template_name, r.detail, c.agent, r.erased, r.chain"
    " FROM branddm.log_record r JOIN branddm.log_chain c USING (chain) WHERE"
    " (r.kind <> 'message' OR r.platform_message_id IS NULL OR NOT EXISTS"
    " (SELECT 1 FROM branddm.log_record o WHERE o.kind = 'message'"
    " AND o.platform = r.platform AND o.account = r.account"
    " AND o.platform_message_id = r.platform_message_id"
    " AND (o.sent_elsewhere, o.logged_time, o.chain, o.id)"
    " < (r.sent_elsewhere, r.logged_time, r.chain, r.id)))"
    " ORDER BY r.logged_time, r.chain, r.id")

# The report's figures in one statement, from the same rows the tool reads
# (one copy of each message, the same WHERE): per account and per agent,
# conversations and messages in and out, and first response times (median
# and p90, nearest rank) of each wait: the customer messages after a human
# reply, answered by the next human reply in the conversation.  What it
# leaves out (so it does less than the tool): business hours (targets in
# wall-clock seconds, not business time), urgency and resolves, blocks by
# rule and escalations by department from the events' JSON details.
REPORT_SQL = """
WITH one AS (
  SELECT r.kind, r.platform, r.account, coalesce(r.customer_id, r.conversation_id) AS who,
         r.direction, r.automated, r.platform_message_id, c.agent,
         CASE WHEN r.platform_time > 0 THEN r.platform_time ELSE r.logged_time END AS t
  FROM branddm.log_record r JOIN branddm.log_chain c USING (chain) WHERE
  (r.kind <> 'message' OR r.platform_message_id IS NULL OR NOT EXISTS
   (SELECT 1 FROM branddm.log_record o WHERE o.kind = 'message'
    AND o.platform = r.platform AND o.account = r.account
    AND o.platform_message_id = r.platform_message_id
    AND (o.sent_elsewhere, o.logged_time, o.chain, o.id)
      < (r.sent_elsewhere, r.logged_time, r.chain, r.id)))),
items AS (
  SELECT platform, account, who, direction, automated, agent, t FROM one
  WHERE kind = 'message' AND platform IS NOT NULL AND account IS NOT NULL
    AND who IS NOT NULL AND NOT (direction = 1 AND platform_message_id IS NULL)),
seq AS (
  SELECT *, count(*) FILTER (WHERE direction = 1 AND NOT automated) OVER (
           PARTITION BY platform, account, who ORDER BY t, direction
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS replies_before
  FROM items),
waits AS (
  SELECT platform, account, who, replies_before AS n, min(t) AS since FROM seq
  WHERE direction = 0 GROUP BY 1, 2, 3, 4),
frt AS (
  SELECT s.platform, s.account, s.agent, s.t - w.since AS seconds
  FROM seq s JOIN waits w ON w.platform = s.platform AND w.account = s.account
   AND w.who = s.who AND w.n = s.replies_before
  WHERE s.direction = 1 AND NOT s.automated),
accounts AS (
  SELECT platform || ':' || account AS name, count(DISTINCT who) AS conversations,
         count(*) FILTER (WHERE direction = 0) AS messages_in,
         count(*) FILTER (WHERE direction = 1) AS messages_out,
         count(*) FILTER (WHERE direction = 1 AND automated) AS automated_out
  FROM items GROUP BY 1),
account_frt AS (
  SELECT platform || ':' || account AS name,
         count(*) AS responses,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS first_response_median_s,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS first_response_p90_s,
         count(*) FILTER (WHERE seconds <= 86400) AS within_24h
  FROM frt GROUP BY 1),
agents AS (
  SELECT agent AS name, count(DISTINCT (platform, account, who)) AS conversations,
         count(*) AS messages_out
  FROM items WHERE direction = 1 AND NOT automated GROUP BY 1),
agent_frt AS (
  SELECT agent AS name,
         count(*) AS responses,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS first_response_median_s,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS first_response_p90_s
  FROM frt GROUP BY 1)
SELECT json_build_object(
  'accounts', (SELECT json_agg(a ORDER BY a.name) FROM
               (SELECT * FROM accounts LEFT JOIN account_frt USING (name)) a),
  'agents', (SELECT json_agg(a ORDER BY a.name) FROM
             (SELECT * FROM agents LEFT JOIN agent_frt USING (name)) a))
"""


def admin_path():
    return os.path.join(build_dir(), "branddm-admin")


def team_init(conninfo):
    subprocess.run([admin_path(), "team", "init", "--db", conninfo],
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True, timeout=120)


def psql_c(pg, db, sql):
    """psql running one -c command (output unaligned, tuples only)."""
    cmd = pg.psql_command(db)
    if cmd[-2:] != ["-f", "-"]:
        raise RuntimeError("unexpected psql command line: %r" % cmd)
    return cmd[:-2] + ["-c", sql]


def timed(command, stdin=None, stdout=subprocess.DEVNULL, env=None):
    """Seconds command took; it must succeed."""
    start = time.monotonic()
    proc = subprocess.run(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=3600, env=env)
    took = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (" ".join(command[:6]), proc.returncode,
                                                       proc.stderr.decode("utf-8", "replace")))
    return took


def summary_ms(values):
    v = sorted(values)
    if not v:
        return {"count": 0}
    return {"count": len(v), "p50_ms": round(statistics.median(v) * 1000, 3),
            "p99_ms": round(v[min(len(v) - 1, int(0.99 * len(v)))] * 1000, 3),
            "max_ms": round(v[-1] * 1000, 3)}


# ---- logs ------------------------------------------------------------------------

def cached_log(agent, records):
    """A log of `records` synthetic records by `agent`, made through the log
    API (log_writer generate) once and kept in BUILD/bench/; (path, seconds
    it took to make now or None)."""
    cache = os.path.join(build_dir(), "bench")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, "team-log-%s-%d.sqlite" % (agent.replace(" ", "_"), records))
    if os.path.exists(path):
        return path, None
    tmp = path + ".new"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(tmp + suffix):
            os.unlink(tmp + suffix)
    start = time.monotonic()
    subprocess.run([os.path.join(build_dir(), "tests", "log_writer"), "generate", tmp, agent,
                    str(records)], check=True, stdout=subprocess.DEVNULL, timeout=3600)
    took = time.monotonic() - start
    if os.path.exists(tmp + "-wal"):
        raise RuntimeError("%s: the log was not closed cleanly" % tmp)
    os.rename(tmp, path)
    return path, took


def read_rows(path):
    """The log's records in id order, as the shipper sends them."""
    con = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    try:
        for row in con.execute("SELECT %s FROM record ORDER BY id" % ", ".join(COLUMNS)):
            yield row
    finally:
        con.close()


def sent_elsewhere(row):
    """As bdm_team_log_sent_elsewhere: a brand message its client only saw."""
    kind, direction, detail = row[1], row[7], row[14]
    if kind != "message" or direction != 1 or not detail:
        return False
    try:
        value = json.loads(detail)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("sent_elsewhere") is True


def chain_anchor(path):
    con = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    try:
        return con.execute("SELECT anchor_id, anchor_hash FROM chain").fetchone()
    finally:
        con.close()


def sql_literal(name, v):
    if v is None:
        return "NULL"
    if name in BOOLEAN or isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, bytes):
        return "'\\x%s'" % v.hex()
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def copy_field(name, v):
    if v is None:
        return "\\N"
    if name in BOOLEAN or isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, bytes):
        return "\\\\x" + v.hex()
    if isinstance(v, int):
        return str(v)
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def shipped_values(chain, row):
    return [chain] + list(row) + [sent_elsewhere(row)]


def copy_line(chain, row):
    return "\t".join(copy_field(n, v) for n, v in zip(SHIPPED, shipped_values(chain, row))) + "\n"


def write_inserts(path, table, chain, rows):
    """Multi-row INSERT statements of BATCH rows, each its own transaction."""
    head = "INSERT INTO %s (%s) VALUES\n" % (table, ", ".join(SHIPPED))
    with open(path, "w", encoding="utf-8") as f:
        batch = []
        for row in rows:
            batch.append("(" + ", ".join(sql_literal(n, v) for n, v in
                                        zip(SHIPPED, shipped_values(chain, row))) + ")")
            if len(batch) == BATCH:
                f.write(head + ",\n".join(batch) + ";\n")
                batch = []
        if batch:
            f.write(head + ",\n".join(batch) + ";\n")


def write_copy(path, chain, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(copy_line(chain, row))


# ---- shipping and stall ---------------------------------------------------------------

class CountPoller(threading.Thread):
    """One psql session asking for the central count every POLL_S, with the
    server's clock; `done` is set once the count reaches `want`."""

    def __init__(self, pg, db, want):
        super().__init__(daemon=True)
        self.want = want
        self.samples = []          # (monotonic, count, server epoch)
        self.done = threading.Event()
        self.stopped = threading.Event()
        self.proc = subprocess.Popen(pg.psql_command(db), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=pg.psql_env())

    def ask(self):
        self.proc.stdin.write(b"SELECT count(*), extract(epoch FROM clock_timestamp())"
                              b" FROM branddm.log_record;\n")
        self.proc.stdin.flush()
        count, clock = self.proc.stdout.readline().decode().strip().split("|")
        return int(count), float(clock)

    def run(self):
        while not self.stopped.is_set():
            count, clock = self.ask()
            self.samples.append((time.monotonic(), count, clock))
            if count >= self.want:
                self.done.set()
            self.stopped.wait(POLL_S)

    def stop(self):
        self.stopped.set()
        self.join(timeout=30)
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def probe(client):
    start = time.monotonic()
    client.cmd({"cmd": "accounts"})
    return time.monotonic() - start


def probe_until(client, stop, limit):
    """Main-loop round trips every PROBE_GAP_S until stop() or `limit` seconds."""
    probes = []
    start = time.monotonic()
    while not stop() and time.monotonic() - start < limit:
        probes.append(probe(client))
        time.sleep(PROBE_GAP_S)
    return probes, time.monotonic() - start


def bare_insert_baselines(pg, db, log, records, work):
    """The same rows into scratch tables with psql: INSERT statements of
    BATCH rows (bare table: the baseline; a table with log_record's key and
    indexes: where the time goes) and COPY into the bare table."""
    chain = str(uuid.uuid4())
    inserts = os.path.join(work, "inserts-%s.sql")
    copy = os.path.join(work, "rows.copy")
    start = time.monotonic()
    write_inserts(inserts % "bare", "scratch.bare", chain, read_rows(log))
    write_inserts(inserts % "indexed", "scratch.indexed", chain, read_rows(log))
    write_copy(copy, chain, read_rows(log))
    prepared = time.monotonic() - start
    pg.psql("CREATE SCHEMA scratch;"
            "CREATE TABLE scratch.bare (LIKE branddm.log_record INCLUDING DEFAULTS);"
            "CREATE TABLE scratch.indexed (LIKE branddm.log_record INCLUDING ALL);"
            "CREATE TABLE scratch.copied (LIKE branddm.log_record INCLUDING DEFAULTS);", db=db)
    result = {"prepared_s": round(prepared, 1)}
    runs = [("bare_insert", lambda: timed(pg.psql_command(db), stdin=open(inserts % "bare"),
                                          env=pg.psql_env()), "scratch.bare"),
            ("indexed_insert", lambda: timed(pg.psql_command(db),
                                             stdin=open(inserts % "indexed"),
                                             env=pg.psql_env()), "scratch.indexed"),
            ("bare_copy", lambda: timed(psql_c(pg, db, "COPY scratch.copied (%s) FROM STDIN"
                                               % ", ".join(SHIPPED)),
                                        stdin=open(copy), env=pg.psql_env()), "scratch.copied")]
    for name, run, table in runs:
        pg.psql("CHECKPOINT", db=db)
        took = run()
        count = int(pg.psql("SELECT count(*) FROM %s" % table, db=db))
        if count != records:
            raise RuntimeError("%s: %d rows for %d records" % (name, count, records))
        result[name] = {"seconds": round(took, 3), "per_s": round(records / took)}
    pg.psql("DROP SCHEMA scratch CASCADE; CHECKPOINT", db=db)
    for path in (inserts % "bare", inserts % "indexed", copy):
        os.unlink(path)
    return result


def measure_shipping(pg, records, work):
    log, generated = cached_log(AGENT, records)
    db = pg.createdb("ship")
    conninfo = pg.conninfo(db)
    team_init(conninfo)
    result = {"records": records, "batch": BATCH,
              "generated_s": None if generated is None else round(generated, 1)}
    result["baseline"] = bare_insert_baselines(pg, db, log, records, work)

    sysconf = tempfile.mkdtemp(prefix="bdm-bench-teamlog-etc-")
    with open(os.path.join(sysconf, "desk.conf"), "w") as f:
        f.write("[desk]\nbrand=Acme\n[team]\ndatabase=%s\n" % conninfo)
    client = Client(env={"BRANDDM_SYSCONFDIR": sysconf})
    poller = None
    try:
        own = os.path.join(client.purple_dir, "branddm")
        os.makedirs(own, exist_ok=True)
        with open(os.path.join(own, "desk.conf"), "w") as f:
            f.write("[team]\nagent=%s\n" % AGENT)
        shutil.copyfile(log, os.path.join(own, "log.sqlite"))
        poller = CountPoller(pg, db, records)
        poller.start()
        spawned = time.monotonic()
        client.start(timeout=60)
        ready = time.monotonic()
        drain, drain_s = probe_until(client, poller.done.is_set, 3600)
        if not poller.done.wait(600):
            raise RuntimeError("the backlog did not drain")
        done = next(s for s in poller.samples if s[1] >= records)
        # As long again, idle with the team database: the same probing and
        # the same polling, so only the shipping differs.
        idle, idle_s = probe_until(client, lambda: False, max(5.0, min(drain_s, 60.0)))
        poller.stop()
        first, batches = pg.psql("SELECT extract(epoch FROM min(shipped_at)),"
                                 " count(DISTINCT shipped_at) FROM branddm.log_record",
                                 db=db).strip().split("|")
        shipping_s = done[2] - float(first)   # both the server's clock
        client.quit(timeout=60)
    finally:
        if poller is not None and poller.is_alive():
            poller.stop()
        client.close()
        shutil.rmtree(sysconf, ignore_errors=True)
    idle_median = statistics.median(idle)
    result.update({
        "transactions": int(batches),
        "shipping_s": round(shipping_s, 3),
        "per_s": round(records / shipping_s),
        "start_to_done_s": round(done[0] - spawned, 3),
        "start_to_done_per_s": round(records / (done[0] - spawned)),
        "client_ready_s": round(ready - spawned, 3),
        "poll_s": POLL_S,
    })
    result["ratio"] = round(result["per_s"] / result["baseline"]["bare_insert"]["per_s"], 3)
    result["stall"] = {
        "draining": dict(summary_ms(drain), seconds=round(drain_s, 2),
                         stall_ms=round((max(drain) - idle_median) * 1000, 3)),
        "idle": dict(summary_ms(idle), seconds=round(idle_s, 2),
                     stall_ms=round((max(idle) - idle_median) * 1000, 3)),
    }
    return result


# ---- a large central log ------------------------------------------------------------

def load_central(pg, db, agents, per_agent):
    """agents logs of per_agent records each, loaded as shipped chains with
    COPY (hashes as bytea, sent_elsewhere as the shipper computes it)."""
    names = ["Agent %d" % (k + 1) for k in range(agents)]
    made = {}
    # log_writer is single-threaded: two at a time on two cores.
    pending = [n for n in names]
    start = time.monotonic()
    logs = {}
    while pending:
        threads = []
        for name in pending[:2]:
            t = threading.Thread(target=lambda n=name: made.__setitem__(n, cached_log(n,
                                                                                 per_agent)))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        pending = pending[2:]
    for name in names:
        if name not in made:
            raise RuntimeError("could not make the log of %s" % name)
        logs[name] = made[name][0]
    generated = None
    if any(made[n][1] is not None for n in names):
        generated = round(time.monotonic() - start, 1)
    start = time.monotonic()
    for name in names:
        chain = str(uuid.uuid4())
        anchor_id, anchor_hash = chain_anchor(logs[name])
        pg.psql("INSERT INTO branddm.log_chain (chain, agent, anchor_id, anchor_hash) VALUES"
                " ('%s', %s, %d, '\\x%s')" % (chain, sql_literal("agent", name), anchor_id,
                                              anchor_hash.hex()), db=db)
        proc = subprocess.Popen(psql_c(pg, db, "COPY branddm.log_record (%s) FROM STDIN"
                                       % ", ".join(SHIPPED)),
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=pg.psql_env())
        buf = []
        for row in read_rows(logs[name]):
            buf.append(copy_line(chain, row))
            if len(buf) == 5000:
                proc.stdin.write("".join(buf).encode("utf-8"))
                buf = []
        proc.stdin.write("".join(buf).encode("utf-8"))
        proc.stdin.close()
        err = proc.stderr.read()
        if proc.wait() != 0:
            raise RuntimeError("COPY failed: %s" % err.decode("utf-8", "replace"))
    loaded = time.monotonic() - start
    # What autovacuum would have done by the time anyone runs a report.
    start = time.monotonic()
    pg.psql("VACUUM ANALYZE branddm.log_record; VACUUM ANALYZE branddm.log_chain; CHECKPOINT",
            db=db, timeout=3600)
    vacuumed = time.monotonic() - start
    count = int(pg.psql("SELECT count(*) FROM branddm.log_record", db=db))
    if count != agents * per_agent:
        raise RuntimeError("loaded %d records, not %d" % (count, agents * per_agent))
    return {"records": count, "agents": agents, "generated_s": generated,
            "copy_s": round(loaded, 1), "vacuum_analyze_s": round(vacuumed, 1)}


def measure_report(pg, db, records):
    conninfo = pg.conninfo(db)
    admin = [admin_path(), "report", "--db", conninfo, "--format", "json"]
    sql = psql_c(pg, db, REPORT_SQL)
    # Once each with the output kept: both must be what they claim to be,
    # and their common figures must agree.
    ours = json.loads(subprocess.run(admin, stdout=subprocess.PIPE, check=True,
                                     timeout=3600).stdout)
    theirs = json.loads(subprocess.run(sql, stdout=subprocess.PIPE, check=True, timeout=3600,
                                       env=pg.psql_env()).stdout)
    mismatch = []
    same = ("conversations", "messages_out", "responses", "first_response_median_s",
            "first_response_p90_s")
    for kind, keys in (("accounts", same + ("messages_in", "automated_out")),
                       ("agents", same)):
        a = {r["name"]: r for r in ours.get(kind, [])}
        b = {r["name"]: r for r in theirs.get(kind) or []}
        if set(a) != set(b):
            mismatch.append("%s: %s vs %s" % (kind, sorted(a), sorted(b)))
            continue
        for name in a:
            for key in keys:
                if a[name].get(key) != b[name].get(key):
                    mismatch.append("%s %s %s: report %s, SQL %s" % (kind, name, key,
                                                                     a[name].get(key),
                                                                     b[name].get(key)))
    if mismatch:
        raise RuntimeError("report and its SQL baseline disagree: " + "; ".join(mismatch))
    env = dict(os.environ, LC_ALL="C.UTF-8")
    report, baseline = [], []
    for _ in range(RUNS):   # alternating, so both see the same machine
        report.append(timed(admin, env=env))
        baseline.append(timed(sql, env=pg.psql_env()))
    return {"records": records,
            "report": {"seconds": round(min(report), 3), "per_s": round(records / min(report)),
                       "runs_s": [round(x, 3) for x in report]},
            "sql": {"seconds": round(min(baseline), 3), "per_s": round(records / min(baseline)),
                    "runs_s": [round(x, 3) for x in baseline]},
            "ratio": round(min(report) / min(baseline), 3),
            "checked": {"accounts": len(ours.get("accounts", [])),
                        "agents": len(ours.get("agents", []))}}


def measure_export(pg, db, records):
    conninfo = pg.conninfo(db)
    admin = [admin_path(), "export", "--db", conninfo]
    copy = psql_c(pg, db, "COPY (%s) TO STDOUT" % EXPORT_SELECT)
    lines = subprocess.run(admin, stdout=subprocess.PIPE, check=True,
                           timeout=3600).stdout.count(b"\n")
    rows = subprocess.run(copy, stdout=subprocess.PIPE, check=True, timeout=3600,
                          env=pg.psql_env()).stdout.count(b"\n")
    if lines != rows:
        raise RuntimeError("export wrote %d lines, COPY %d rows" % (lines, rows))
    env = dict(os.environ, LC_ALL="C.UTF-8")
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(timed(admin, env=env))
        theirs.append(timed(copy, env=pg.psql_env()))
    return {"records": records, "written": lines,
            "export": {"seconds": round(min(ours), 3), "per_s": round(records / min(ours)),
                       "runs_s": [round(x, 3) for x in ours]},
            "copy": {"seconds": round(min(theirs), 3), "per_s": round(records / min(theirs)),
                     "runs_s": [round(x, 3) for x in theirs]},
            "ratio": round(min(theirs) / min(ours), 3)}


def tune(pg):
    """PostgreSQL's stock memory settings instead of the test server's
    16 MB (pgserver.py is sized for databases that live for seconds); still
    fsync off, as in every test."""
    pg.psql("ALTER SYSTEM SET shared_buffers = '128MB'")
    pg.restart()
    return {"version": pg.psql("SHOW server_version").strip(),
            "shared_buffers": pg.psql("SHOW shared_buffers").strip(),
            "work_mem": pg.psql("SHOW work_mem").strip(),
            "fsync": pg.psql("SHOW fsync").strip(),
            "synchronous_commit": pg.psql("SHOW synchronous_commit").strip()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=None,
                        help="backlog a client ships (default 100000; --quick 10000)")
    parser.add_argument("--central", type=int, default=None,
                        help="central records for report and export (default 1000000; "
                             "--quick 40000)")
    parser.add_argument("--agents", type=int, default=4,
                        help="agents' logs the central records come from (default 4)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: checks the benchmark, not the numbers")
    args = parser.parse_args()
    records = args.records or (10000 if args.quick else 100000)
    central = args.central or (40000 if args.quick else 1000000)
    per_agent = central // args.agents
    os.environ.pop("BDM_CLIENT_WRAPPER", None)
    result = {"quick": args.quick}
    work = tempfile.mkdtemp(prefix="bdm-bench-teamlog-")
    try:
        with PgServer() as pg:
            result["server"] = tune(pg)
            start = time.monotonic()
            result["shipping"] = measure_shipping(pg, records, work)
            result["shipping"]["bench_s"] = round(time.monotonic() - start, 1)
            db = pg.createdb("central")
            team_init(pg.conninfo(db))
            start = time.monotonic()
            result["central"] = load_central(pg, db, args.agents, per_agent)
            result["central"]["bench_s"] = round(time.monotonic() - start, 1)
            start = time.monotonic()
            result["report"] = measure_report(pg, db, result["central"]["records"])
            result["report"]["bench_s"] = round(time.monotonic() - start, 1)
            start = time.monotonic()
            result["export"] = measure_export(pg, db, result["central"]["records"])
            result["export"]["bench_s"] = round(time.monotonic() - start, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
