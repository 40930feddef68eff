#!/usr/bin/env python3
"""Two customers called alike on two platforms are told apart: with a
Facebook Page and an X account in one client, "Ada Lovelace" on each shows
as "Ada Lovelace · Facebook" and "Ada Lovelace · X" in the buddy list and
in the conversation's title, also after a restart and after a tag."""
import time

from harness import Tap
from protocol_suite import Session, TOKEN
from platforms import Facebook, X

NAME = "Ada Lovelace"
FB_ID, X_ID = "5101", "7101"


def buddy_rows(s):
    return {(b["protocol"], b["name"]): b["alias"]
            for b in s.client.cmd({"cmd": "buddies"})["buddies"]}


def titles(s):
    return {(c["protocol"], c["conv"]): c["title"]
            for c in s.client.cmd({"cmd": "conversations"})["conversations"]}


def add_x(s, x, emu):
    s.client.cmd({"cmd": "account-add", "protocol": x.protocol, "username": x.username,
                  "password": TOKEN, "options": x.account_options(emu)})
    s.client.cmd({"cmd": "account-enable", "protocol": x.protocol, "username": x.username})


def main():
    t = Tap()
    fb, x = Facebook(), X()
    x_emu = x.make_emulator()
    x_emu.start()
    try:
        with Session(fb, sysconf={"desk.conf": "[labels]\nnames=vip\n"}) as s:
            s.emu.add_customer_message(FB_ID, NAME, "Where is my parcel?")
            x_emu.add_customer_message(X_ID, NAME, "My order never came")
            s.start()
            add_x(s, x, x_emu)
            s.connected()
            s.client.wait_event("connection", state="connected", protocol=x.protocol,
                                timeout=20)
            on_fb = s.received(FB_ID)
            on_x = s.received(X_ID, timeout=30)
            t.eq(on_fb["alias"], fb.titled(NAME), "the Facebook message is shown under "
                 "\"Ada Lovelace · Facebook\"")
            t.eq(on_x["alias"], x.titled(NAME), "the X message under \"Ada Lovelace · X\"")
            t.ok(on_fb["alias"] != on_x["alias"], "the two customers are told apart",
                 (on_fb["alias"], on_x["alias"]))

            # Both wait for an answer: the badge says so, after the platform.
            want = ("Ada Lovelace · Facebook [waiting]", "Ada Lovelace · X [waiting]")
            rows = {}
            for _ in range(50):
                rows = buddy_rows(s)
                if (rows.get((fb.protocol, FB_ID)), rows.get((x.protocol, X_ID))) == want:
                    break
                time.sleep(0.2)
            t.eq((rows.get((fb.protocol, FB_ID)), rows.get((x.protocol, X_ID))), want,
                 "the buddy list names each with its platform")
            shown = titles(s)
            t.eq((shown.get((fb.protocol, FB_ID)), shown.get((x.protocol, X_ID))), want,
                 "each conversation's title says the platform")

            r = s.client.cmd({"cmd": "command", "protocol": x.protocol, "username": x.username,
                              "who": X_ID, "line": "tag vip"}, check=False)
            t.eq(r["status"], "ok", "/tag vip on the X customer")
            rows = {}
            for _ in range(50):
                rows = buddy_rows(s)
                if rows.get((x.protocol, X_ID)) == "Ada Lovelace · X [waiting, vip]":
                    break
                time.sleep(0.2)
            t.eq((rows.get((x.protocol, X_ID)), rows.get((fb.protocol, FB_ID))),
                 ("Ada Lovelace · X [waiting, vip]", "Ada Lovelace · Facebook [waiting]"),
                 "the badge follows the platform; the other Ada keeps hers")

            s.client.restart()
            s.connected()
            rows = buddy_rows(s)
            t.eq((rows.get((fb.protocol, FB_ID)), rows.get((x.protocol, X_ID))),
                 ("Ada Lovelace · Facebook [waiting]", "Ada Lovelace · X [waiting, vip]"),
                 "after a restart, before any new message, both keep their platform")
            t.eq(s.client.quit(), 0, "the client quits cleanly")
    finally:
        x_emu.stop()
    t.done()


main()
