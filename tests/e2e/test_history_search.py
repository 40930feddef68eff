#!/usr/bin/env python3
"""An agent's memory of a customer, through a real libpurple core: earlier
messages from BrandDM's log shown first whenever a conversation opens (a
returning customer, the agent opening it, a restarted client), never a
just-arrived message twice; [desk] history; and /search over the log."""
import os
import re
import time

from protocol_suite import Session
from platforms import Facebook
from harness import Tap
from desk_fixtures import (ADA, GRACE, command, quit_clean, run_desk_tests, session, sysconf)


def conv_writes(s, who, since):
    return s.client.events_seen("write", since=since, conv=who)


def earlier(writes):
    return [w["text"] for w in writes if "system" in w["flags"]
            and w["text"].startswith("[earlier, ")]


def open_conv(s, who):
    return s.client.cmd({"cmd": "conv-open", "protocol": s.p.protocol,
                         "username": s.p.username, "who": who})


def close_conv(s, who):
    return s.client.cmd({"cmd": "conv-close", "protocol": s.p.protocol,
                         "username": s.p.username, "who": who})


def test_history_when_opened(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        first = conv_writes(s, who, 0)
        t.eq(earlier(first), [], "a first-time customer's conversation shows no history")
        s.send(who, "Thanks Ada, order 5521 left on Monday.")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        close_conv(s, who)

        # She comes back with two messages in one poll: the conversation opens
        # on the first; neither may show as "earlier" and then again as new.
        mark = s.client.mark()
        s.emu.add_customer_message(who, name, "any news?")
        s.emu.add_customer_message(who, name, "hello??")
        s.client.wait_event("write", conv=who, flags="recv", since=mark, timeout=20,
                            text="hello??")
        writes = conv_writes(s, who, mark)
        lines = earlier(writes)
        t.eq(len(lines), 2, "the returning customer's conversation opens with the two "
             "earlier messages")
        t.ok(len(lines) == 2 and "Hi, where is my order?" in lines[0] and name in lines[0]
             and "order 5521 left" in lines[1] and "Acme" in lines[1],
             "oldest first, each with who wrote it", lines)
        order = [w["text"] for w in writes]
        t.ok(order.index(lines[-1]) < order.index("any news?") if lines and
             "any news?" in order else False, "history comes before the new message", order)
        recv = [w["text"] for w in writes if "recv" in w["flags"]]
        t.eq(recv, ["any news?", "hello??"], "each new message shown once")
        t.ok(not any("any news?" in x or "hello??" in x for x in lines),
             "the new messages are not in the history", lines)

        # The agent opens the conversation from the buddy list.
        close_conv(s, who)
        mark = s.client.mark()
        open_conv(s, who)
        lines = earlier(conv_writes(s, who, mark))
        t.eq(len(lines), 4, "opened from the buddy list: all four earlier messages")
        t.ok(len(lines) == 4 and "hello??" in lines[-1], "the newest last", lines)

        # Restarted, the client still remembers.
        t.eq(s.client.quit(), 0, "the client quits cleanly")
        s.emu.add_customer_message(who, name, "still there?")
        s.client.start()
        s.connected()
        mark = s.client.run_start
        s.client.wait_event("write", conv=who, flags="recv", since=mark, timeout=20)
        lines = earlier(conv_writes(s, who, mark))
        t.eq(len(lines), 4, "after a restart the conversation opens with its history")
        t.ok(not any("still there?" in x for x in lines), "without the new message", lines)
        quit_clean(t, s)


def test_history_setting(t, p, hook):
    """[desk] history = N in the agent's desk.conf; 0 turns it off, and
    /history still works."""
    who, name = GRACE
    for lines_wanted in (1, 0):
        s = Session(p, sysconf=sysconf(hook))
        try:
            os.makedirs(os.path.join(s.client.purple_dir, "branddm"), exist_ok=True)
            with open(os.path.join(s.client.purple_dir, "branddm", "desk.conf"), "w") as f:
                f.write("[desk]\nhistory=%d\n" % lines_wanted)
            s.emu.add_customer_message(who, name, "My card was charged twice.")
            s.start()
            s.connected()
            s.received(who)
            s.send(who, "Sorry Grace, looking into it.")
            s.client.wait_event("write", conv=who, flags="send", timeout=15)
            close_conv(s, who)
            mark = s.client.mark()
            open_conv(s, who)
            got = earlier(conv_writes(s, who, mark))
            t.eq(len(got), lines_wanted, "history=%d shows %d line(s)" % (lines_wanted,
                                                                       lines_wanted))
            mark = s.client.mark()
            t.eq(command(s, who, "history")["status"], "ok", "/history runs")
            t.eq(len(earlier(conv_writes(s, who, mark))), 2, "/history shows both regardless")
            quit_clean(t, s)
        finally:
            s.close()
    s = Session(p, sysconf=sysconf(hook))
    try:
        os.makedirs(os.path.join(s.client.purple_dir, "branddm"), exist_ok=True)
        with open(os.path.join(s.client.purple_dir, "branddm", "desk.conf"), "w") as f:
            f.write("[desk]\nhistory=lots\n")
        s.start()
        s.connected()
        ev = s.client.wait_event("notify", type="error", timeout=15)
        t.ok(re.search(r"history", ev.get("secondary") or "") is not None and
             "whole number" in (ev.get("secondary") or ""),
             "a malformed history setting is named", ev)
        quit_clean(t, s)
    finally:
        s.close()


def search(s, who, text):
    mark = s.client.mark()
    r = command(s, who, "search " + text)
    if r["status"] != "ok":
        return r, None
    return r, s.client.wait_event("notify", since=mark, timeout=15)


def test_search(t, p, hook):
    ada, ada_name = ADA
    grace, grace_name = GRACE
    texts = {ada: "Hi, where is my order?",
             grace: "My refund for order 77 has not arrived <b>yet</b>\nplease help"}
    now = int(time.time())
    with session(p, hook, [ADA, GRACE], texts=texts,
                 created={ada: now - 120, grace: now - 60}) as s:
        s.send(ada, "Your order 5521 shipped on Monday.")
        s.client.wait_event("write", conv=ada, flags="send", timeout=15)
        s.send(grace, "Sorry Grace, checking the refund.")
        s.client.wait_event("write", conv=grace, flags="send", timeout=15)

        r, ev = search(s, ada, "order")
        t.eq(r["status"], "ok", "/search order runs")
        t.eq(ev and ev["type"], "searchresults", "the matches come as an openable list")
        rows = ev["rows"] if ev else []
        t.eq(ev and ev["columns"], ["When", "Customer", "From", "Account", "Message"],
             "with time, customer, author, account and message")
        t.eq([row[4] for row in rows],
             ["Your order 5521 shipped on Monday.",
              "My refund for order 77 has not arrived <b>yet</b> please help",
              "Hi, where is my order?"],
             "every message containing the word, newest first, on one line each")
        t.ok(len(rows) == 3 and rows[0][1] == "%s (%s)" % (ada_name, ada) and
             rows[0][2] == "Acme" and rows[2][2] == "customer" and
             rows[1][1] == "%s (%s)" % (grace_name, grace),
             "each row names the customer and who wrote it", rows)
        t.ok(all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d$", row[0]) for row in rows),
             "and when", rows)
        t.ok(all(p.username in row[3] for row in rows), "and the account", rows)
        t.ok("3 messages contain" in (ev or {}).get("primary", ""), "the heading counts them",
             ev and ev.get("primary"))
        t.eq(ev and ev["buttons"], ["im"], "each row can be opened")

        # Open Grace's conversation from the list.
        close_conv(s, grace)
        mark = s.client.mark()
        s.client.cmd({"cmd": "search-button", "notify": ev["notify_id"], "button": "im",
                      "row": 1})
        opened = s.client.wait_event("conversation", since=mark, timeout=10)
        t.eq(opened["conv"], grace, "IM on a row opens that customer's conversation")
        lines = earlier(conv_writes(s, grace, mark))
        t.ok(len(lines) == 2 and "refund for order 77" in lines[0],
             "opened from the list, with its history", lines)

        r, ev = search(s, ada, "ORDÉR")
        t.eq(len(ev["rows"]) if ev and "rows" in ev else None, 3,
             "case and accents do not matter")
        r, ev = search(s, ada, "refund")
        t.eq([row[4] for row in ev["rows"]] if ev and "rows" in ev else None,
             ["Sorry Grace, checking the refund.",
              "My refund for order 77 has not arrived <b>yet</b> please help"],
             "a narrower word finds fewer")
        r, ev = search(s, ada, "parcel")
        t.ok(ev is not None and ev["type"] == "info" and "parcel" in ev["primary"],
             "no match: said plainly", ev)
        r, ev = search(s, ada, "x")
        t.ok(r["status"] != "ok" and "Usage: /search" in (r.get("cmd_error") or ""),
             "a one-letter search is refused with the usage", r)
        r, ev = search(s, ada, "%")
        t.ok(r["status"] != "ok", "punctuation alone is refused too", r)
        t.eq(len(s.emu.sent), 2, "searching sends nothing")
        quit_clean(t, s)


t = Tap()
p = Facebook()
tests = [("history when a conversation opens", test_history_when_opened),
         ("/search", test_search),
         ("[desk] history", test_history_setting)]
run_desk_tests(t, p, tests)
t.done()
