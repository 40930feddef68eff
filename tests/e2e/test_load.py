#!/usr/bin/env python3
"""Load end to end: 50 conversations × 200 messages waiting in one poll.

The Graph emulator pages everything (25 conversations a page, 25 messages
a page, so the poller follows the conversation list and every
conversation's message edge).  All 10,000 messages must be shown exactly
once, in order within each conversation, all logged before they are shown,
with the client's peak memory bounded and its main loop still answering.
"""
import os
import time

from harness import Tap, timeout_scale, peak_rss_kb, plugin_instrumented
from platforms import Facebook
from protocol_suite import Session, TOKEN

CONVERSATIONS = int(os.environ.get("BDM_LOAD_CONVERSATIONS", "50"))
PER_CONVERSATION = int(os.environ.get("BDM_LOAD_MESSAGES", "200"))
PAGE_SIZE = 25


def memory_bound_mb():
    """Peak memory the whole load may add: the plain build, or sanitizers
    and valgrind with their own bookkeeping."""
    if os.environ.get("BDM_CLIENT_WRAPPER"):
        return 2048
    return 800 if plugin_instrumented() else 150


def slowdown():
    """How much slower than the plain build the client runs here."""
    if os.environ.get("BDM_CLIENT_WRAPPER"):
        return 30
    return 4 if plugin_instrumented() else 1


def text_of(conversation, index):
    return "conversation %02d message %03d" % (conversation, index)


def test_load(t, p):
    total = CONVERSATIONS * PER_CONVERSATION
    with Session(p) as s:
        s.emu.set_page_size(PAGE_SIZE)
        base = int(time.time()) - PER_CONVERSATION - 60
        customers = [p.customer(100 + c) for c in range(CONVERSATIONS)]
        # Oldest first, one second apart within a conversation: a strict order.
        for i in range(PER_CONVERSATION):
            for c, (who, name) in enumerate(customers):
                s.emu.add_customer_message(who, name, text_of(c, i), created=base + i)
        s.start(enable=False)
        pid = s.client.ready["pid"]
        idle = peak_rss_kb(pid)
        started = time.monotonic()
        s.client.cmd({"cmd": "account-enable", "protocol": p.protocol, "username": p.username})
        s.connected()

        deadline = started + 150 * timeout_scale()
        longest_ping = 0.0
        while len(s.client.events_seen("write", since=s.client.run_start, flags="recv")) < total:
            if time.monotonic() > deadline:
                break
            ping_start = time.monotonic()
            s.client.cmd({"cmd": "accounts"}, timeout=30)
            longest_ping = max(longest_ping, time.monotonic() - ping_start)
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        shown = s.client.events_seen("write", since=s.client.run_start, flags="recv")
        t.diag("load: %d of %d messages shown in %.1f s (%.0f/s); longest main-loop answer "
               "%.0f ms" % (len(shown), total, elapsed, len(shown) / max(elapsed, 0.001),
                            longest_ping * 1000))
        t.eq(len(shown), total, "all %d messages shown" % total)
        seen = {}
        for ev in shown:
            seen.setdefault(ev["conv"], []).append(ev["text"])
        expected = {who: [text_of(c, i) for i in range(PER_CONVERSATION)]
                    for c, (who, _) in enumerate(customers)}
        t.eq(sorted(seen), sorted(expected), "every conversation got its messages")
        wrong = [who for who in expected if seen.get(who) != expected[who]]
        t.eq(wrong, [], "exactly once and in order within each conversation")
        t.ok(s.client.no_event("write", flags="recv", within=5),
             "nothing shown again on the next polls")

        rows = s.log_rows("SELECT count(*), count(DISTINCT platform_message_id) FROM record "
                          "WHERE kind='message' AND direction=0")
        t.eq(rows, [(total, total)], "all %d logged, once each" % total)

        gets = [r for r in s.emu.requests if r["method"] == "GET"]
        edges = [r for r in gets if r["path"].endswith("/messages")]
        lists = [r for r in gets if r["path"].endswith("/conversations") and "after" in r["query"]]
        t.ok(len(lists) >= 1 and len(edges) >= CONVERSATIONS,
             "paging followed: %d further conversation pages, %d message pages"
             % (len(lists), len(edges)))

        grew = (peak_rss_kb(pid) - idle) / 1024.0
        bound = memory_bound_mb()
        t.diag("load: peak memory grew by %.1f MB (bound %d MB)" % (grew, bound))
        t.ok(grew < bound, "peak memory bounded (+%.0f MB < %d MB)" % (grew, bound))
        t.ok(longest_ping < 1.0 * timeout_scale() * slowdown(),
             "the main loop kept answering during the load (longest %.0f ms)"
             % (longest_ping * 1000))
        t.ok(TOKEN not in s.client.stderr_text(),
             "hundreds of paging links with access_token: the token never in the debug log")
        code = s.client.quit(timeout=60)
        t.eq(code, 0, "client quits cleanly after the load")
        report = s.client.sanitizer_report()
        t.ok(report is None, "no sanitizer report", report)


def main():
    t = Tap()
    t.run("50 conversations x 200 messages", test_load, Facebook())
    t.done()


if __name__ == "__main__":
    main()
