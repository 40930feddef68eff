#!/usr/bin/env python3
"""A Graph API emulator in a process of its own, for the end-to-end
benchmarks (Python 3 stdlib only).

The emulator of tests/emulators answers from threads of the process that
runs it; in the benchmark process those threads would compete for the GIL
with the thread that times the client, and a few milliseconds of Python
scheduling would pass for a stall of the client.  So it runs here, driven
by one JSON command per line on stdin, one JSON answer per line on stdout:

  {"op": "add", "customers": [[id, name, text], ...]}   -> {"ids": [...]}
  {"op": "latency", "seconds": S}                       -> {}
  {"op": "page_size", "n": N}                           -> {}
  {"op": "requests", "since": I}  -> {"requests": [{"method", "path", "status",
                                     "arrived", "answered"}], "total": N}
  {"op": "quit"}

"arrived" is when the request reached the emulator, "answered" when its
state was read (after any latency): CLOCK_MONOTONIC seconds, the clock
time.monotonic() of every process on the machine reads.
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "emulators"))

from graph_emulator import GraphEmulator  # noqa: E402


class TimedGraphEmulator(GraphEmulator):
    """GraphEmulator that also records when each API request arrived and
    when it was answered, in the order of its request log."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.timings = []   # (arrived, answered), parallel to self._requests

    def dispatch(self, request):
        request.arrived = time.monotonic()
        return super().dispatch(request)

    def _answer(self, request):
        # Called with the lock held, right before the request is appended
        # to the log under the same lock: the two lists stay parallel.
        self.timings.append((getattr(request, "arrived", None), time.monotonic()))
        return super()._answer(request)


def serve(emu, stdin, stdout):
    for line in stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        op = command.get("op")
        answer = {}
        if op == "add":
            answer["ids"] = [emu.add_customer_message(cid, name, text)
                             for cid, name, text in command["customers"]]
        elif op == "latency":
            emu.set_latency(command["seconds"])
        elif op == "page_size":
            emu.set_page_size(command["n"])
        elif op == "requests":
            since = command.get("since", 0)
            with emu.lock:
                log = emu._requests[since:]
                timings = emu.timings[since:]
                answer["total"] = len(emu._requests)
            answer["requests"] = [
                {"method": r["method"], "path": r["path"], "status": r["status"],
                 "arrived": t[0], "answered": t[1]} for r, t in zip(log, timings)]
        elif op == "quit":
            return
        else:
            answer["error"] = "unknown op %r" % op
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()


def main():
    emu = TimedGraphEmulator(platform="messenger", page_id=sys.argv[1], token=sys.argv[2],
                             page_name="Acme")
    emu.start()
    sys.stdout.write(json.dumps({"base_url": emu.base_url}) + "\n")
    sys.stdout.flush()
    try:
        serve(emu, sys.stdin, sys.stdout)
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
