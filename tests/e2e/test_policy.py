#!/usr/bin/env python3
"""Pre-send policy through a real libpurple core: what is blocked never
reaches the platform, what warns goes out only after /send-anyway, and the
log records both.  The notice has one heading, quotes the offending part
(masked when it is sensitive) instead of character positions, tells a
warning from a block, and the refused text goes back into the message box
instead of being repeated."""
import html
import json
import os
import re

from protocol_suite import Session, TOKEN
from platforms import Facebook
from harness import Tap

CARD = "4111 1111 1111 1111"


def connected_session(p, who, name, sysconf=None, first_text="Hi, I need help"):
    s = Session(p, sysconf=sysconf)
    s.emu.add_customer_message(who, name, first_text)
    s.start()
    s.connected()
    s.received(who)
    return s


def plain(notice):
    """A notice as the agent reads it: the write event's HTML as text."""
    return html.unescape(notice.replace("<br>", "\n"))


def compose(s, who):
    """What the desk put into the conversation's message box (None: nothing)."""
    return s.client.cmd({"cmd": "compose-get", "protocol": s.p.protocol,
                         "username": s.p.username, "who": who})["text"]


def events(s, kind):
    return s.log_rows("SELECT detail, text FROM record WHERE kind=? ORDER BY id", (kind,))


def test_card_blocked(t, p):
    who, name = p.customer(1)
    with connected_session(p, who, name) as s:
        text = "Thanks, your card %s is on file" % CARD
        s.send(who, text)
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        notice = plain(ev["text"])
        t.ok("Payment card number" in notice, "the rule is named in plain words", notice)
        t.eq(notice.count("Not sent"), 1, "one heading: \"Not sent\" once")
        t.ok(notice.startswith("Not sent") and "was not sent" not in notice,
             "the heading comes first and is not repeated in other words", notice)
        t.ok("«•••• •••• •••• 1111»" in notice,
             "the card number is quoted masked, its last four digits shown", notice)
        t.ok("4111" not in notice, "the rest of the card number is not shown", notice)
        t.ok("characters" not in notice and not re.search(r"\d+\s*[–-]\s*\d+", notice),
             "no character positions", notice)
        t.ok("Thanks, your card" not in notice and "is on file" not in notice,
             "the refused text is not repeated in the notice", notice)
        t.ok("back in the message box" in notice, "the notice says where the text went", notice)
        t.eq(compose(s, who), text, "the refused text is back in the message box")
        t.ok(s.client.no_event("write", conv=who, flags="send", within=2), "no local echo")
        t.eq(s.emu.sent, [], "blocked message never reached the Send API")
        blocks = events(s, "block")
        t.eq(len(blocks), 1, "the block is in the log")
        t.ok("sensitive.card" in (blocks[0][0] or ""), "log names the rule", blocks)
        t.ok(CARD.encode() not in s.log_file_bytes(), "the card number itself is not written to the log")


def test_warn_then_override(t, p):
    who, name = p.customer(2)
    with connected_session(p, who, name) as s:
        text = "Limited time offer: buy now and save!"
        s.send(who, text)
        ev = s.client.wait_event("write", conv=who, flags="system", timeout=10)
        notice = plain(ev["text"])
        t.ok("/send-anyway" in notice, "agent told how to override", notice)
        t.ok(notice.startswith("⚠ Check before sending"), "a warning has its own heading",
             notice)
        t.ok("Not sent" not in notice, "not the heading of a block", notice)
        t.ok("error" not in ev["flags"], "a warning is a notice, not an error (not red)",
             ev["flags"])
        t.ok("«Limited time offer»" in notice or "«buy now»" in notice.lower(),
             "the promotional words are quoted", notice)
        t.ok(s.client.no_event("write", conv=who, flags="error", within=1),
             "and no error notice besides")
        t.eq(compose(s, who), text, "the warned text is back in the message box")
        t.eq(s.emu.sent, [], "warned message not sent before the override")
        r = s.command(who, "send-anyway")
        t.ok(r.get("status") != "ok" and s.emu.sent == [], "an override needs a reason", r)
        r = s.command(who, "send-anyway customer asked for current offers")
        t.eq(r.get("status"), "ok", "override accepted", )
        echo = s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq(echo["text"], text, "overridden message echoed once sent")
        t.eq([m["text"] for m in s.emu.sent], [text], "sent exactly once after the override")
        overrides = events(s, "override")
        t.eq(len(overrides), 1, "override logged")
        detail = json.loads(overrides[0][0])
        t.eq(detail.get("reason"), "customer asked for current offers", "override reason logged")
        t.eq(len(events(s, "warn")), 1, "warning logged")
        out = s.log_rows("SELECT text FROM record WHERE kind='message' AND direction=1")
        t.eq(out, [(text,)], "the sent message is logged")


def test_block_cannot_be_overridden(t, p):
    who, name = p.customer(3)
    with connected_session(p, who, name) as s:
        s.send(who, "Buy now: card %s" % CARD)
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        notice = plain(ev["text"])
        t.ok(notice.startswith("Not sent") and "Check before sending" not in notice,
             "a block with a warning among its findings has the block's one heading", notice)
        t.ok("Promotional wording (warning only): «Buy now»" in notice,
             "the warning among the blocks says it is one", notice)
        r = s.command(who, "send-anyway I really want to")
        t.ok(r.get("status") != "ok", "/send-anyway refuses a blocked message", r)
        t.eq(s.emu.sent, [], "still nothing sent")


def test_first_contact_blocked(t, p):
    with Session(p) as s:
        s.start()
        s.connected()
        s.send("777", "Hello! We have news for you.")
        ev = s.client.wait_event("write", conv="777", flags="error", timeout=10)
        t.ok("not written" in ev["text"] or "first" in ev["text"].lower(),
             "unsolicited first contact refused in plain words", ev["text"])
        t.eq(s.emu.sent, [], "nothing reached the platform")


def test_policy_acknowledgement(t, p):
    who, name = p.customer(4)
    sysconf = {"policy.conf": "[policy]\nversion = 2026-11\n"}
    with connected_session(p, who, name, sysconf=sysconf) as s:
        s.send(who, "Happy to help.")
        req = s.client.wait_event("request", timeout=10)
        t.ok("policy" in (req.get("primary") or "").lower(), "agent asked to acknowledge the new policy", req)
        secondary = req.get("secondary") or ""
        t.ok(len(secondary.splitlines()) <= 4,
             "the dialog's text is a few lines, not the whole policy", secondary)
        t.ok("2026-11" in secondary and re.search(r"\d+ rules block sending, \d+ rules warn",
                                                  secondary),
             "it names the version and counts the rules", secondary)
        t.ok("/policy show" in secondary, "and says where the whole policy is", secondary)
        t.ok("Rules:" not in secondary and "Settings:" not in secondary,
             "the full summary is not in the dialog", secondary)
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("acknowledge" in ev["text"].lower(), "send refused until acknowledged", ev["text"])
        t.eq(compose(s, who), "Happy to help.", "the refused text is back in the message box")
        t.eq(s.emu.sent, [], "nothing sent before the acknowledgement")
        refusals = [json.loads(d) for d, _ in events(s, "refuse")]
        t.eq([f["rule"] for r in refusals for f in r["findings"]], ["policy.not_acknowledged"],
             "the refusal is logged")
        ack_index = next(i for i, a in enumerate(req["actions"]) if "cknowledge" in a)
        s.client.cmd({"cmd": "request-answer", "request": req["request"], "action": ack_index})
        # Enter on the message box sends what was put back.
        s.client.cmd({"cmd": "send", "protocol": p.protocol, "username": p.username,
                      "who": who, "compose": True})
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq([m["text"] for m in s.emu.sent], ["Happy to help."], "sent after acknowledging")
        acks = events(s, "policy_ack")
        t.eq(len(acks), 1, "acknowledgement recorded in the log")
        t.ok("2026-11" in (acks[0][0] or ""), "with the policy version")


def test_unauthorised_agent(t, p):
    who, name = p.customer(5)
    sysconf = {"policy.conf": "[agents]\nfacebook:%s = somebody-else\n" % p.username}
    with connected_session(p, who, name, sysconf=sysconf) as s:
        s.send(who, "Hello")
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("not authorised" in ev["text"], "read-only agent told why", ev["text"])
        t.eq(s.emu.sent, [], "nothing sent by an unauthorised agent")
        blocks = [json.loads(d) for d, _ in events(s, "block")]
        t.eq([f["rule"] for b in blocks for f in b["findings"]], ["agent.unauthorised"],
             "the refusal is logged like every block, under its own rule")


def test_broken_policy_file(t, p):
    who, name = p.customer(6)
    with connected_session(p, who, name) as s:
        user_policy = os.path.join(s.client.purple_dir, "branddm", "policy.conf")
        with open(user_policy, "w") as f:
            f.write("[rule sensitive.card]\nseverity = maybe\n")
        s.command(who, "policy reload")
        ev = s.client.wait_event("write", conv=who, flags="system", timeout=10)
        t.ok("policy.conf" in ev["text"], "error names the file", ev["text"])
        t.ok("previous policy stays" in ev["text"], "and says the last good policy stays in force")
        s.send(who, "card %s" % CARD)
        s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.eq(s.emu.sent, [], "the policy in force still blocks cards")


def test_command_typo_never_sent(t, p):
    who, name = p.customer(7)
    with connected_session(p, who, name) as s:
        r = s.command(who, "tpll greeting")
        t.ok(r.get("status") in ("not-found", "not_found", "PURPLE_CMD_STATUS_NOT_FOUND")
             or "not" in str(r.get("status")).lower(), "libpurple reports an unknown command", r)
        s.send(who, "/tpll greeting")
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("command" in ev["text"].lower(), "a mistyped command is refused, not sent", ev["text"])
        t.eq(s.emu.sent, [], "the customer never receives '/tpll'")
        refusals = [json.loads(d) for d, _ in events(s, "refuse")]
        t.eq([f["rule"] for r in refusals for f in r["findings"]], ["desk.mistyped_command"],
             "the refusal is logged")


def test_bypass_still_checked(t, p):
    who, name = p.customer(8)
    with connected_session(p, who, name) as s:
        # Another plugin (or an away auto-reply) calling serv_send_im directly.
        s.client.cmd({"cmd": "serv-send", "protocol": p.protocol, "username": p.username,
                      "who": who, "text": "card %s" % CARD})
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("card" in ev["text"].lower(), "the protocol's send_im applies the policy itself",
             ev["text"])
        s.client.cmd({"cmd": "serv-send", "protocol": p.protocol, "username": p.username,
                      "who": who, "text": "We are closed now.", "auto_reply": True})
        ev = s.client.wait_event("write", conv=who, flags="error", timeout=10)
        t.ok("automated" in ev["text"].lower(),
             "an automatic reply must say it is automated", ev["text"])
        t.eq(s.emu.sent, [], "nothing got past send_im")


t = Tap()
p = Facebook()
for name, fn in [("card number blocked", test_card_blocked),
                 ("warning, then /send-anyway", test_warn_then_override),
                 ("a block cannot be overridden", test_block_cannot_be_overridden),
                 ("no unsolicited first contact", test_first_contact_blocked),
                 ("policy acknowledgement", test_policy_acknowledgement),
                 ("authorised agents", test_unauthorised_agent),
                 ("broken policy file", test_broken_policy_file),
                 ("mistyped /command", test_command_typo_never_sent),
                 ("checks hold when other plugins call serv_send_im", test_bypass_still_checked)]:
    t.run(name, fn, p)
t.done()
