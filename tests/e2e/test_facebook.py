#!/usr/bin/env python3
"""Facebook Page Messenger end to end: the shared suite plus Messenger's
24-hour window and HUMAN_AGENT tag."""
import time

from protocol_suite import Session, run_suite, TOKEN
from platforms import Facebook


def test_window_closed(t, p):
    with Session(p) as s:
        who, name = p.customer(20)
        s.emu.add_customer_message(who, name, "old question", created=int(time.time()) - 3 * 86400)
        s.start()
        s.connected()
        s.received(who)
        s.send(who, "Sorry for the delay")
        ev = s.client.saw("write", conv=who, flags="error", timeout=10,
                          text=lambda x: "Not sent" in x)
        t.ok(ev is not None and "24 hours" in ev["text"], "agent told the 24-hour window is closed",
             ev)
        t.eq(s.emu.sent, [], "nothing reached the Send API")


def test_human_agent_tag(t, p):
    with Session(p) as s:
        who, name = p.customer(21)
        s.emu.add_customer_message(who, name, "old question", created=int(time.time()) - 3 * 86400)
        s.client.start()
        opts = p.account_options(s.emu)
        opts["human_agent"] = True
        s.client.cmd({"cmd": "account-add", "protocol": p.protocol, "username": p.username,
                      "password": TOKEN, "options": opts})
        s.client.cmd({"cmd": "account-enable", "protocol": p.protocol, "username": p.username})
        s.connected()
        s.received(who)
        s.send(who, "Sorry for the delay, here is your answer")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        sent = s.emu.sent
        t.eq(len(sent), 1, "reply sent within 7 days with the human-agent option")
        t.eq((sent[0]["messaging_type"], sent[0]["tag"]), ("MESSAGE_TAG", "HUMAN_AGENT"),
             "sent as MESSAGE_TAG / HUMAN_AGENT")


run_suite(Facebook(), extra=[("24-hour window closed", test_window_closed),
                             ("HUMAN_AGENT tag", test_human_agent_tag)])
