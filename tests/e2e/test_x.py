#!/usr/bin/env python3
"""X (API v2 direct messages) end to end: the shared suite plus X's own
rules (the brand's own messages and other event types are never delivered)."""
from protocol_suite import Session, run_suite
from platforms import X


def test_ignores_own_and_other_events(t, p):
    with Session(p) as s:
        who, name = p.customer(40)
        s.emu.add_customer_message(who, name, "hello X")
        pair = sorted([who, p.username], key=int)
        s.emu.add_participants_join("%s-%s" % tuple(pair), [who])
        s.start()
        s.connected()
        ev = s.received(who)
        t.eq(ev["text"], "hello X", "customer DM delivered")
        s.send(who, "Hi from the brand")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.ok(s.client.no_event("write", conv=who, flags="recv", within=p.poll_interval * 2.5),
             "neither the brand's own message nor a join event is delivered as a DM")


run_suite(X(), extra=[("own messages and other events ignored", test_ignores_own_and_other_events)])
