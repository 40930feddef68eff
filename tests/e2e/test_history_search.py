#!/usr/bin/env python3
"""An agent's memory of a customer, through a real libpurple core: earlier
messages from BrandDM's log shown first whenever a conversation opens (a
returning customer, the agent opening it, a restarted client), never a
just-arrived message twice; [desk] history; and /search over the log."""
import os
import re

from protocol_suite import Session
from platforms import Facebook
from harness import Tap
from desk_fixtures import (ADA, GRACE, Webhook, command, quit_clean, session, sysconf)


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


t = Tap()
p = Facebook()
tests = [("history when a conversation opens", test_history_when_opened),
         ("[desk] history", test_history_setting)]
for test_name, fn in tests:
    hook = Webhook()
    try:
        t.run(test_name, fn, p, hook)
    finally:
        hook.close()
t.done()
