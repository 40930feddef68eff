#!/usr/bin/env python3
"""Team-mode benchmarks: several headless libpurple clients (tests/client)
as agents on one Page of the Graph emulator (bench/emulator_proc.py, its
own process), sharing a real PostgreSQL (tests/e2e/pgserver.py).  Python 3
stdlib only.

  requests     API requests per poll interval of a team of 1, 5 and 10
               clients on one account (one poll lease), beside one client
               without a team database in the same run
  propagation  a tag set in one client until the other client's buddy
               list shows it (NOTIFY, fetch, redraw), p50/p99; beside a
               customer's message reaching a client by polling (what a
               change would wait for without NOTIFY)
  stall        the longest main-loop stall of a team client while every
               exchange with the database takes 2 s (a delaying proxy) and
               while the database does not answer at all (a proxy that
               accepts and stays silent), beside the round trip with a
               prompt database

Prints one JSON object.  bench/run-bench runs it as part of `make bench`.
"""
import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, HERE)

from bench_e2e import (Emulator, PAGE_ID, POLL_INTERVAL, PROTOCOL, TOKEN, is_poll,  # noqa: E402
                       summary_ms)
from harness import Client, build_dir  # noqa: E402
from pgserver import PgServer  # noqa: E402

SLOW_DB_SECONDS = 2.0


def team_init(conninfo):
    subprocess.run([os.path.join(build_dir(), "branddm-admin"), "team", "init", "--db", conninfo],
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True, timeout=120)


class Agent:
    """One client: its own purple directory, desk.conf naming the team."""

    def __init__(self, emu, name, conninfo, closed=False):
        self.sysconf = tempfile.mkdtemp(prefix="bdm-bench-team-etc-")
        desk = "[desk]\nbrand=Acme\n[labels]\nnames=vip\n"
        if closed:
            desk += "[business_hours]\ntimezone=UTC\ndays=mon-sun\nopen=00:00\nclose=00:01\n"
        if conninfo is not None:
            desk += "[team]\ndatabase=%s\n" % conninfo
        with open(os.path.join(self.sysconf, "desk.conf"), "w") as f:
            f.write(desk)
        self.client = Client(env={"BRANDDM_SYSCONFDIR": self.sysconf})
        own = os.path.join(self.client.purple_dir, "branddm")
        os.makedirs(own, exist_ok=True)
        with open(os.path.join(own, "desk.conf"), "w") as f:
            f.write("[team]\nagent=%s\n" % name)
        self.client.start(timeout=60)
        self.client.cmd({"cmd": "account-add", "protocol": PROTOCOL, "username": PAGE_ID,
                         "password": TOKEN,
                         "options": {"api_base": emu.base_url, "poll_interval": POLL_INTERVAL}})
        self.client.cmd({"cmd": "account-enable", "protocol": PROTOCOL, "username": PAGE_ID})
        self.client.wait_event("connection", state="connected", timeout=60)

    def probe(self):
        start = time.monotonic()
        self.client.cmd({"cmd": "accounts"})
        return time.monotonic() - start

    def command(self, who, line):
        return self.client.cmd({"cmd": "command", "protocol": PROTOCOL, "username": PAGE_ID,
                                "who": who, "line": line}, check=False)

    def close(self):
        try:
            self.client.quit(timeout=60)
        finally:
            self.client.close()
            shutil.rmtree(self.sysconf, ignore_errors=True)


def idle_requests(emu, seconds):
    """Poll requests per poll interval over the next `seconds`."""
    mark = len(emu.requests())
    start = time.monotonic()
    time.sleep(seconds)
    end = time.monotonic()
    polls = [r for r in emu.requests(mark) if is_poll(r) and start <= r["answered"] < end]
    return round(len(polls) / ((end - start) / POLL_INTERVAL), 3)


def measure_requests(pg, sizes, seconds):
    result = {}
    emu = Emulator()
    try:
        alone = Agent(emu, "Solo", None)
        try:
            time.sleep(POLL_INTERVAL)
            result["one_client_no_team"] = idle_requests(emu, seconds)
        finally:
            alone.close()
    finally:
        emu.close()
    for n in sizes:
        db = pg.createdb("requests%d" % n)
        conninfo = pg.conninfo(db)
        team_init(conninfo)
        emu = Emulator()
        agents = []
        try:
            for k in range(n):
                agents.append(Agent(emu, "Agent %d" % k, conninfo))
            # The lease settles within two intervals of the last sign-on.
            time.sleep(3 * POLL_INTERVAL)
            result["team_of_%d" % n] = idle_requests(emu, seconds)
        finally:
            for a in agents:
                a.close()
            emu.close()
    return result


def wait_alias(agent, who, want, since, timeout=30):
    agent.client.wait_event("buddy", name=who, alias=want, since=since, timeout=timeout)


def measure_propagation(pg, samples, rnd):
    db = pg.createdb("propagation")
    conninfo = pg.conninfo(db)
    team_init(conninfo)
    emu = Emulator()
    alice = bob = None
    try:
        alice = Agent(emu, "Alice", conninfo)
        bob = Agent(emu, "Bob", conninfo)
        who = "8000"
        emu.add([(who, "Propagation", "Hello")])
        for a in (alice, bob):
            a.client.wait_event("write", conv=who, flags="recv", timeout=60)
        changes = []
        for k in range(samples):
            time.sleep(rnd.uniform(0.05, 0.3))
            on = k % 2 == 0
            want = "Propagation [vip]" if on else "Propagation"
            mark = bob.client.mark()
            start = time.monotonic()
            alice.command(who, "tag vip" if on else "untag vip")
            wait_alias(bob, who, want, mark)
            changes.append(time.monotonic() - start)
        polled = []
        for k in range(max(3, samples // 4)):
            time.sleep(rnd.uniform(0, POLL_INTERVAL))
            customer = "%d" % (8100 + k)
            start = time.monotonic()
            emu.add([(customer, "Polled %d" % k, "Are you there?")])
            bob.client.wait_event("write", conv=customer, flags="recv", timeout=60)
            polled.append(time.monotonic() - start)
        return {"change": summary_ms(changes), "by_polling": summary_ms(polled),
                "poll_interval_s": POLL_INTERVAL}
    finally:
        for a in (alice, bob):
            if a is not None:
                a.close()
        emu.close()


class Proxy:
    """TCP on 127.0.0.1 to the server's unix socket: every chunk delayed by
    `delay` seconds, or (silent) connections accepted and never answered."""

    def __init__(self, socket_path, delay=0.0, silent=False):
        self.socket_path, self.delay, self.silent = socket_path, delay, silent
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        self.held = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if self.silent:
                self.held.append(conn)
                continue
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.socket_path)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    def pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                time.sleep(self.delay)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.close()
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.listener.close()
        for c in self.held:
            c.close()


def stall_with(pg, db, proxy, seconds, baseline_probe):
    """Longest probe round trip minus the prompt baseline, while a customer
    writes out of hours (a claim), an agent tags (a save) and replies."""
    conninfo = "hostaddr=127.0.0.1 port=%d dbname=%s user=postgres" % (proxy.port, db)
    emu = Emulator()
    agent = None
    try:
        agent = Agent(emu, "Stalled", conninfo, closed=True)
        emu.add([("8500", "Slow DB", "Hello while the database is slow")])
        agent.client.wait_event("write", conv="8500", flags="recv", timeout=60)
        probes = []
        start = time.monotonic()
        acted = False
        while time.monotonic() - start < seconds:
            if not acted and time.monotonic() - start > 1.0:
                agent.command("8500", "tag vip")
                agent.client.cmd({"cmd": "send", "protocol": PROTOCOL, "username": PAGE_ID,
                                  "who": "8500", "text": "We are on it."})
                acted = True
            probes.append(agent.probe())
            time.sleep(0.005)
        return {"seconds": seconds, "probes": summary_ms(probes),
                "stall_ms": round((max(probes) - baseline_probe) * 1000, 3)}
    finally:
        if agent is not None:
            agent.close()
        emu.close()


def measure_stall(pg, seconds):
    db = pg.createdb("stall")
    team_init(pg.conninfo(db))
    sock = os.path.join(pg.socket_dir, ".s.PGSQL.%d" % pg.port)
    prompt = Proxy(sock)
    emu = Emulator()
    try:
        agent = Agent(emu, "Prompt", "hostaddr=127.0.0.1 port=%d dbname=%s user=postgres"
                      % (prompt.port, db), closed=True)
        try:
            fast = []
            for _ in range(200):
                fast.append(agent.probe())
                time.sleep(0.005)
        finally:
            agent.close()
    finally:
        emu.close()
        prompt.close()
    baseline = statistics.median(fast)
    result = {"baseline": summary_ms(fast), "db_latency_s": SLOW_DB_SECONDS}
    slow = Proxy(sock, delay=SLOW_DB_SECONDS)
    try:
        result["slow_db"] = stall_with(pg, db, slow, seconds, baseline)
    finally:
        slow.close()
    silent = Proxy(sock, silent=True)
    try:
        result["silent_db"] = stall_with(pg, db, silent, seconds, baseline)
    finally:
        silent.close()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10")
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--stall-seconds", type=float, default=10)
    args = parser.parse_args()
    os.environ.pop("BDM_CLIENT_WRAPPER", None)
    rnd = random.Random(20261205)
    result = {}
    with PgServer() as pg:
        result["requests"] = measure_requests(pg, [int(n) for n in args.sizes.split(",")],
                                              args.idle_seconds)
        result["propagation"] = measure_propagation(pg, args.samples, rnd)
        result["stall"] = measure_stall(pg, args.stall_seconds)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
