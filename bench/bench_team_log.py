#!/usr/bin/env python3
"""Central conversation log benchmarks (team schema 2, docs/LOG.md): a real
PostgreSQL (tests/e2e/pgserver.py), the headless libpurple client
(tests/e2e/harness.py) and branddm-admin, each beside a baseline measured in
the same run on the same server.  Python 3 stdlib only.

  shipping  a client starts with a backlog of N records in its log
            (tests/log_writer generate) and ships it: records per second
            from the client's start until the central count is N (polled
            every 0.2 s), beside the same rows inserted with psql as
            multi-row INSERT statements of 500 rows (the shipper's batch),
            one transaction each, into a scratch table with log_record's
            columns and no index; also shown: the same INSERTs into a table
            with log_record's key and indexes, and COPY.  Rounds alternate
            (baseline, client); best of 3 each
  stall     the client's longest main-loop stall while that backlog drains
            (quick commands every 5 ms, as bench_team.py), beside the same
            client's longest stall while idle with the team database right
            after each drain, for as long as the drain took, with the same
            probing and count polling
  report    branddm-admin report --format json over C central records (A
            agents' logs made by log_writer, loaded with COPY), beside one
            SQL statement in psql computing the same kind of figures from
            the same rows (REPORT_SQL); both runs' common figures must agree
  export    branddm-admin export of those records, beside psql COPY of the
            SELECT the tool runs, both into /dev/null

The SELECT of the tool's cursor is taken from the server's statement log
during an untimed first run, so the baselines read exactly what the tool
reads.  The server is tests/e2e/pgserver.py's (fsync off, as in every test)
with PostgreSQL's stock shared_buffers (128 MB) instead of its 16 MB.
Logs are made once and kept in BUILD/bench/team-log-*.sqlite.

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

# The report's figures in one statement, from the same rows the tool reads
# (one copy of each message, the same WHERE): per account and per agent,
# conversations and messages in and out, and first response times (median
# and p90, nearest rank) of each wait: the customer messages after a human
# reply, answered by the next human reply in the conversation.  What it
# leaves out (so it does less than the tool): business hours (targets in
# wall-clock seconds, not business time), urgency and resolves, blocks by
# rule and escalations by department from the events' JSON details, and the
# author of a reply a client only saw (credited to that client's agent
# here; the benchmark's logs have none).
# {select} is the SELECT the tool's cursor runs, without its ORDER BY (the
# aggregate needs no order; the tool sorts by chain and id).
REPORT_SQL = """
WITH one AS ({select}),
items AS (
  SELECT platform, account, coalesce(customer_id, conversation_id) AS who, direction,
         automated, agent,
         CASE WHEN platform_time > 0 THEN platform_time ELSE logged_time END AS t
  FROM one
  WHERE kind = 'message' AND platform IS NOT NULL AND account IS NOT NULL
    AND coalesce(customer_id, conversation_id) IS NOT NULL
    AND NOT (direction = 1 AND platform_message_id IS NULL)),
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


class Baseline:
    """The same rows into scratch tables with psql: multi-row INSERT
    statements of BATCH rows, one transaction each, into a table with
    log_record's columns and no index (the baseline); the same into a table
    with log_record's primary key and indexes (where the time goes); and
    COPY into the bare table."""

    TABLES = {"bare_insert": "scratch.bare", "indexed_insert": "scratch.indexed",
              "bare_copy": "scratch.copied"}

    def __init__(self, pg, log, records, work):
        self.pg, self.records = pg, records
        self.db = pg.createdb("ship_baseline")
        team_init(pg.conninfo(self.db))
        chain = str(uuid.uuid4())
        self.files = {"bare_insert": os.path.join(work, "bare.sql"),
                      "indexed_insert": os.path.join(work, "indexed.sql"),
                      "bare_copy": os.path.join(work, "rows.copy")}
        start = time.monotonic()
        write_inserts(self.files["bare_insert"], "scratch.bare", chain, read_rows(log))
        write_inserts(self.files["indexed_insert"], "scratch.indexed", chain, read_rows(log))
        write_copy(self.files["bare_copy"], chain, read_rows(log))
        self.prepared_s = time.monotonic() - start
        pg.psql("CREATE SCHEMA scratch;"
                "CREATE TABLE scratch.bare (LIKE branddm.log_record INCLUDING DEFAULTS);"
                "CREATE TABLE scratch.indexed (LIKE branddm.log_record INCLUDING ALL);"
                "CREATE TABLE scratch.copied (LIKE branddm.log_record INCLUDING DEFAULTS);",
                db=self.db)
        self.runs = {name: [] for name in self.TABLES}

    def command(self, name):
        if name == "bare_copy":
            return psql_c(self.pg, self.db, "COPY scratch.copied (%s) FROM STDIN"
                          % ", ".join(SHIPPED))
        return self.pg.psql_command(self.db)

    def run(self):
        """One round of each, into emptied tables."""
        for name, table in self.TABLES.items():
            self.pg.psql("TRUNCATE %s; CHECKPOINT" % table, db=self.db)
            with open(self.files[name]) as rows:
                took = timed(self.command(name), stdin=rows, env=self.pg.psql_env())
            count = int(self.pg.psql("SELECT count(*) FROM %s" % table, db=self.db))
            if count != self.records:
                raise RuntimeError("%s: %d rows for %d records" % (name, count, self.records))
            self.runs[name].append(took)

    def result(self):
        out = {"prepared_s": round(self.prepared_s, 1)}
        for name, runs in self.runs.items():
            out[name] = {"seconds": round(min(runs), 3), "per_s": round(self.records / min(runs)),
                         "runs_s": [round(x, 3) for x in runs]}
        return out

    def close(self):
        self.pg.psql("DROP DATABASE %s WITH (FORCE)" % self.db)
        for path in self.files.values():
            os.unlink(path)


def drain(pg, log, records, index):
    """A client started on a copy of log ships it into a new team database;
    main-loop probes all along, then idle (the same probing and polling) for
    as long as the drain took."""
    db = pg.createdb("ship%d" % index)
    conninfo = pg.conninfo(db)
    team_init(conninfo)
    pg.psql("CHECKPOINT")
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
        draining, drain_s = probe_until(client, poller.done.is_set, 3600)
        if not poller.done.wait(600):
            raise RuntimeError("the backlog did not drain")
        done = next(s for s in poller.samples if s[1] >= records)
        idle, idle_s = probe_until(client, lambda: False, max(1.0, drain_s))
        poller.stop()
        first, batches = pg.psql("SELECT extract(epoch FROM min(shipped_at)),"
                                 " count(DISTINCT shipped_at) FROM branddm.log_record",
                                 db=db).strip().split("|")
        client.quit(timeout=60)
    finally:
        if poller is not None and poller.is_alive():
            poller.stop()
        client.close()
        shutil.rmtree(sysconf, ignore_errors=True)
    pg.psql("DROP DATABASE %s WITH (FORCE)" % db)
    return {"seconds": done[0] - spawned, "ready_s": ready - spawned,
            # From the first batch's transaction to the poll that saw the
            # last record: both on the server's clock.
            "server_s": done[2] - float(first), "transactions": int(batches),
            "draining": draining, "draining_s": drain_s, "idle": idle, "idle_s": idle_s}


def measure_shipping(pg, records, rounds, work):
    log, generated = cached_log(AGENT, records)
    baseline = Baseline(pg, log, records, work)
    drains = []
    try:
        for k in range(rounds):   # alternating, so both see the same machine
            baseline.run()
            drains.append(drain(pg, log, records, k))
    finally:
        baseline.close()
    best = min(drains, key=lambda d: d["seconds"])
    result = {"records": records, "batch": BATCH, "rounds": rounds, "poll_s": POLL_S,
              "generated_s": None if generated is None else round(generated, 1),
              "baseline": baseline.result(),
              # Client start to the poll that saw all N: the headline.
              "seconds": round(best["seconds"], 3),
              "per_s": round(records / best["seconds"]),
              "runs_s": [round(d["seconds"], 3) for d in drains],
              "client_ready_s": round(best["ready_s"], 3),
              # The same drain on the server's clock, from the first batch.
              "server_s": round(best["server_s"], 3),
              "server_per_s": round(records / best["server_s"]),
              "transactions": best["transactions"]}
    result["ratio"] = round(result["per_s"] / result["baseline"]["bare_insert"]["per_s"], 3)
    result["ratio_indexed"] = round(result["per_s"] /
                                    result["baseline"]["indexed_insert"]["per_s"], 3)
    draining = [p for d in drains for p in d["draining"]]
    idle = [p for d in drains for p in d["idle"]]
    idle_median = statistics.median(idle)
    result["stall"] = {
        "draining": dict(summary_ms(draining),
                         seconds=round(sum(d["draining_s"] for d in drains), 2),
                         stall_ms=round((max(draining) - idle_median) * 1000, 3),
                         per_round_max_ms=[round(max(d["draining"]) * 1000, 3) for d in drains]),
        "idle": dict(summary_ms(idle), seconds=round(sum(d["idle_s"] for d in drains), 2),
                     stall_ms=round((max(idle) - idle_median) * 1000, 3),
                     per_round_max_ms=[round(max(d["idle"]) * 1000, 3) for d in drains]),
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


CURSOR = "DECLARE branddm_records NO SCROLL CURSOR FOR "


def run_capturing(pg, db, command):
    """Run branddm-admin once with every statement logged; its output and
    the SELECT of its cursor as the server received it."""
    log = os.path.join(pg.dir, "server.log")
    mark = os.path.getsize(log)
    pg.psql("ALTER DATABASE %s SET log_statement = 'all'" % db)
    try:
        out = subprocess.run(command, stdout=subprocess.PIPE, check=True, timeout=3600).stdout
    finally:
        pg.psql("ALTER DATABASE %s RESET log_statement" % db)
    with open(log, "rb") as f:
        f.seek(mark)
        lines = [line for line in f.read().decode("utf-8", "replace").splitlines()
                 if CURSOR in line]
    if len(lines) != 1:
        raise RuntimeError("%d cursors in the server log for %s" % (len(lines), command[1]))
    return out, lines[0].split(CURSOR, 1)[1].strip()


def measure_report(pg, db, records):
    conninfo = pg.conninfo(db)
    admin = [admin_path(), "report", "--db", conninfo, "--format", "json"]
    # Once each with the output kept: both must be what they claim to be,
    # and their common figures must agree.
    out, select = run_capturing(pg, db, admin)
    ours = json.loads(out)
    order = select.rfind(" ORDER BY ")
    if order < 0:
        raise RuntimeError("the report's SELECT has no ORDER BY: " + select)
    sql = psql_c(pg, db, REPORT_SQL.format(select=select[:order]))
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
    # Not a baseline: what the tool's query alone costs (its rows copied
    # out by the server, nothing computed).
    query = psql_c(pg, db, "COPY (%s) TO STDOUT" % select)
    report, baseline, alone = [], [], []
    for _ in range(RUNS):   # alternating, so both see the same machine
        report.append(timed(admin, env=env))
        baseline.append(timed(sql, env=pg.psql_env()))
        alone.append(timed(query, env=pg.psql_env()))
    return {"records": records, "select": select,
            "report": {"seconds": round(min(report), 3), "per_s": round(records / min(report)),
                       "runs_s": [round(x, 3) for x in report]},
            "sql": {"seconds": round(min(baseline), 3), "per_s": round(records / min(baseline)),
                    "runs_s": [round(x, 3) for x in baseline]},
            "ratio": round(min(report) / min(baseline), 3),
            "select_copy_s": round(min(alone), 3),
            "checked": {"accounts": len(ours.get("accounts", [])),
                        "agents": len(ours.get("agents", []))}}


def measure_export(pg, db, records):
    conninfo = pg.conninfo(db)
    admin = [admin_path(), "export", "--db", conninfo]
    out, select = run_capturing(pg, db, admin)
    lines = out.count(b"\n")
    copy = psql_c(pg, db, "COPY (%s) TO STDOUT" % select)
    rows = subprocess.run(copy, stdout=subprocess.PIPE, check=True, timeout=3600,
                          env=pg.psql_env()).stdout.count(b"\n")
    if lines != rows:
        raise RuntimeError("export wrote %d lines, COPY %d rows" % (lines, rows))
    env = dict(os.environ, LC_ALL="C.UTF-8")
    ours, theirs = [], []
    for _ in range(RUNS):
        ours.append(timed(admin, env=env))
        theirs.append(timed(copy, env=pg.psql_env()))
    return {"records": records, "written": lines, "select": select,
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
    parser.add_argument("--rounds", type=int, default=RUNS,
                        help="client drains, each beside a baseline round (default %d)" % RUNS)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: checks the benchmark, not the numbers")
    args = parser.parse_args()
    records = args.records or (10000 if args.quick else 100000)
    central = args.central or (40000 if args.quick else 1000000)
    per_agent = central // args.agents
    os.environ.pop("BDM_CLIENT_WRAPPER", None)
    result = {"quick": args.quick, "cpus": os.cpu_count(),
              "load_average": [round(x, 2) for x in os.getloadavg()]}
    work = tempfile.mkdtemp(prefix="bdm-bench-teamlog-")
    try:
        with PgServer() as pg:
            result["server"] = tune(pg)
            start = time.monotonic()
            result["shipping"] = measure_shipping(pg, records, args.rounds, work)
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
