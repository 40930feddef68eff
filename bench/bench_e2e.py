#!/usr/bin/env python3
"""End-to-end benchmarks: the headless libpurple client (tests/client) with
the built plugin, against the Graph API emulator (Facebook Messenger) over
loopback HTTP, with the real SQLite log.  Python 3 stdlib only.

  latency   from the start of the poll request that returns a customer's
            message to the client's "write" event for it (the wait for
            the poll timer excluded), and from the message appearing
  idle      API requests of an idle account over --idle-seconds, per hour
            and per poll interval (poll_interval = 2 s)
  stall     the longest main-loop stall while the API answers slowly
            (2 s per request): round trips of quick commands, the longest
            minus the median round trip with a fast API
  memory    peak RSS (VmHWM) of the client holding --conversations
            conversations (one message each, pages of 100), against the
            same client with no account

Prints one JSON object.  bench/run-bench runs it as part of `make bench`.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Client  # noqa: E402

PAGE_ID = "1000"
TOKEN = "bench-token-7d1e"
PROTOCOL = "prpl-branddm-facebook"
POLL_INTERVAL = 2           # seconds: the Facebook module's minimum
SLOW_API_SECONDS = 2.0


class Emulator:
    """bench/emulator_proc.py in its own process (see there why)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "emulator_proc.py"), PAGE_ID, TOKEN],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = json.loads(self.proc.stdout.readline())["base_url"]

    def call(self, **command):
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process ended")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError("emulator: %s" % answer["error"])
        return answer

    def add(self, customers):
        """customers: [(id, name, text)]; returns the message ids."""
        return self.call(op="add", customers=customers)["ids"]

    def requests(self, since=0):
        return self.call(op="requests", since=since)["requests"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Rig:
    """An emulator, a client, and the brand account between them."""

    def __init__(self, connect=True, page_size=None, customers=()):
        self.sysconf = tempfile.mkdtemp(prefix="bdm-bench-etc-")
        self.emu = Emulator() if connect else None
        if self.emu is not None and page_size:
            self.emu.call(op="page_size", n=page_size)
        if self.emu is not None and customers:
            self.emu.add(customers)
        self.client = Client(env={"BRANDDM_SYSCONFDIR": self.sysconf})
        self.client.start(timeout=60)
        if self.emu is not None:
            self.client.cmd({"cmd": "account-add", "protocol": PROTOCOL, "username": PAGE_ID,
                             "password": TOKEN,
                             "options": {"api_base": self.emu.base_url,
                                         "poll_interval": POLL_INTERVAL}})
            self.client.cmd({"cmd": "account-enable", "protocol": PROTOCOL,
                             "username": PAGE_ID})
            self.client.wait_event("connection", state="connected", timeout=60)

    def probe(self):
        """Round trip of a quick command through the client's main loop, in s."""
        start = time.monotonic()
        self.client.cmd({"cmd": "accounts"})
        return time.monotonic() - start

    def memory_kb(self):
        """{"VmHWM": kB, "VmRSS": kB} of the client process."""
        out = {}
        with open("/proc/%d/status" % self.client.proc.pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0])
        return out

    def close(self):
        try:
            self.client.quit(timeout=60)
        finally:
            self.client.close()
            if self.emu is not None:
                self.emu.close()
            shutil.rmtree(self.sysconf, ignore_errors=True)


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(p / 100.0 * len(ordered) + 0.999999)))
    return ordered[rank - 1]


def summary_ms(values):
    return {"count": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 3),
            "p99_ms": round(percentile(values, 99) * 1000, 3),
            "max_ms": round(max(values) * 1000, 3)}


def is_poll(request):
    return request["method"] == "GET" and request["path"].endswith("/conversations")


def measure_latency(rig, samples, rnd):
    """Customer messages at random moments of the poll cycle."""
    from_poll, from_appearing = [], []
    for k in range(samples):
        time.sleep(rnd.uniform(0, POLL_INTERVAL))
        who = "%d" % (7000 + k)
        seen_before = len(rig.emu.requests())
        added = time.monotonic()
        rig.emu.add([(who, "Latency %d" % k, "Where is my order %d?" % k)])
        rig.client.wait_event("write", conv=who, flags="recv", timeout=30)
        shown = time.monotonic()
        polls = [r for r in rig.emu.requests(seen_before) if is_poll(r) and
                 r["answered"] >= added]
        if not polls:
            raise RuntimeError("no poll request answered after message %d was added" % k)
        from_poll.append(shown - max(polls[0]["arrived"], added))
        from_appearing.append(shown - added)
    return {"from_poll_request": summary_ms(from_poll),
            "from_appearing": summary_ms(from_appearing)}


def measure_idle(rig, seconds):
    """Requests of an idle account; extrapolated to an hour."""
    mark = len(rig.emu.requests())
    start = time.monotonic()
    time.sleep(seconds)
    end = time.monotonic()
    window = [r for r in rig.emu.requests(mark) if start <= r["answered"] < end]
    polls = len([r for r in window if is_poll(r)])
    intervals = (end - start) / POLL_INTERVAL
    return {"seconds": round(end - start, 1), "requests": len(window),
            "poll_requests": polls, "poll_interval_s": POLL_INTERVAL,
            "requests_per_hour": round(len(window) * 3600.0 / (end - start), 1),
            "requests_per_poll_interval": round(len(window) / intervals, 3)}


def measure_stall(rig, seconds):
    """Quick commands while every API request takes SLOW_API_SECONDS."""
    fast = []
    for _ in range(200):
        fast.append(rig.probe())
        time.sleep(0.005)
    baseline = statistics.median(fast)
    rig.emu.call(op="latency", seconds=SLOW_API_SECONDS)
    slow = []
    start = time.monotonic()
    # A customer message and an agent's reply both wait on the slow API
    # during the probes: polling and sending must not hold the loop.
    rig.emu.add([("7999", "Slow API", "Hello while the API is slow")])
    sent = False
    while time.monotonic() - start < seconds:
        if not sent and time.monotonic() - start > 1.0:
            rig.client.cmd({"cmd": "send", "protocol": PROTOCOL, "username": PAGE_ID,
                            "who": "7000", "text": "Thanks, we are looking into it."})
            sent = True
        slow.append(rig.probe())
        time.sleep(0.005)
    rig.emu.call(op="latency", seconds=0)
    slowest = max(slow)
    return {"api_latency_s": SLOW_API_SECONDS, "seconds": seconds,
            "baseline": summary_ms(fast), "slow_api": summary_ms(slow),
            "stall_ms": round((slowest - baseline) * 1000, 3)}


def wait_for_writes(client, count, timeout):
    deadline = time.monotonic() + timeout
    while True:
        seen = len(client.events_seen("write", flags="recv"))
        if seen >= count:
            return seen
        if time.monotonic() > deadline:
            raise RuntimeError("only %d of %d messages shown after %d s"
                               % (seen, count, timeout))
        time.sleep(0.5)


def measure_memory(conversations):
    idle = Rig(connect=False)
    try:
        idle.probe()
        baseline = idle.memory_kb()
    finally:
        idle.close()
    customers = [("%d" % (100000 + i), "Customer %d" % i, "Hello, question number %d" % i)
                 for i in range(conversations)]
    start = time.monotonic()
    loaded = Rig(page_size=100, customers=customers)
    try:
        wait_for_writes(loaded.client, conversations, timeout=600)
        took = time.monotonic() - start
        held = loaded.memory_kb()
        open_convs = len(loaded.client.cmd({"cmd": "conversations"})["conversations"])
    finally:
        loaded.close()
    return {"conversations": conversations, "open_conversations": open_convs,
            "seconds_to_show_all": round(took, 1),
            "baseline_kb": baseline, "loaded_kb": held,
            "per_conversation_kb": round((held["VmHWM"] - baseline["VmHWM"]) /
                                         float(conversations), 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-samples", type=int, default=15)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--stall-seconds", type=float, default=12)
    parser.add_argument("--conversations", type=int, default=10000)
    args = parser.parse_args()
    # The measurement must see the client itself, not a wrapper around it.
    os.environ.pop("BDM_CLIENT_WRAPPER", None)
    rnd = random.Random(20260321)
    result = {}
    rig = Rig()
    try:
        # The first message opens the log and the first conversation: not timed.
        rig.emu.add([("6999", "Warm-up", "hello")])
        rig.client.wait_event("write", conv="6999", flags="recv", timeout=30)
        result["latency"] = measure_latency(rig, args.latency_samples, rnd)
        result["idle"] = measure_idle(rig, args.idle_seconds)
        result["stall"] = measure_stall(rig, args.stall_seconds)
    finally:
        rig.close()
    result["memory"] = measure_memory(args.conversations)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
