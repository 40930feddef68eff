#!/usr/bin/env python3
"""Instagram end to end: the shared suite plus Instagram's 1000-byte limit."""
from protocol_suite import Session, run_suite
from platforms import Instagram


def test_byte_limit(t, p):
    with Session(p) as s:
        who, name = p.customer(30)
        s.emu.add_customer_message(who, name, "Können Sie helfen?")
        s.start()
        s.connected()
        s.received(who)
        # 600 characters but 1200 bytes: over Instagram's limit, which counts bytes.
        s.send(who, "ü" * 600)
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("1000" in ev["text"], "agent told about the 1000-byte limit", ev["text"])
        t.eq(s.emu.sent, [], "over-long message never reached the platform")
        s.send(who, "ü" * 400)
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq(len(s.emu.sent), 1, "a message under 1000 bytes goes out")


run_suite(Instagram(), extra=[("1000-byte limit", test_byte_limit)])
