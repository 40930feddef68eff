#!/usr/bin/env python3
"""The desk through a real libpurple core: templates into the compose box and
out through the policy, templates that ask the agent ({ask:Label}: the
dialog, its answers, cancel, a dialog closed with its conversation),
escalation (by hand, by keyword, to a webhook that
works and one that fails), tags that survive a restart, /resolve with a
closing template, response-time alerts on a shifted clock, the "Waiting
conversations" list, the out-of-hours acknowledgement and the account's
menu (Templates, Policy summary, Open log folder)."""
import json
import os
import re
import time
import urllib.parse

from protocol_suite import Session
from platforms import Facebook
from harness import Tap
from desk_fixtures import (ADA, GRACE, ALAN, KATHERINE, action, buddy_alias, clock,
                           command, compose, events, out_rows, quit_clean, session, sysconf,
                           listed, run_desk_tests, system_write, wait_alias)


# ---- templates ---------------------------------------------------------------

def test_template_insert_and_send(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        t.eq(command(s, who, "tpl")["status"], "ok", "/tpl lists the templates")
        listing = system_write(s, who, r"greeting")
        t.ok(listing and "broken" in listing["text"] and "closing" in listing["text"],
             "the list names every template", listing)
        command(s, who, "tpl gre")
        listing = system_write(s, who, r"greeting")
        t.ok(listing and "broken" not in listing["text"] and "closing" not in listing["text"],
             "/tpl gre lists only what starts with gre", listing)

        r = command(s, who, "tpl greeting")
        t.eq(r["status"], "ok", "/tpl greeting accepted")
        text = compose(s, who)
        t.ok(text is not None and text.startswith("Hello Ada Lovelace, this is ")
             and text.endswith(" from Acme."), "expansion with the customer's name is in the "
             "compose box", text)
        notice = system_write(s, who, r"/tpl greeting send")
        t.ok(notice is not None and "Hello Ada Lovelace" in notice["text"],
             "the conversation shows the text and how to send it as is", notice)
        t.eq(s.emu.sent, [], "inserting sends nothing")

        s.client.cmd({"cmd": "send", "protocol": p.protocol, "username": p.username,
                      "who": who, "compose": True})
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq([m["text"] for m in s.emu.sent], [text], "the compose box went out unchanged")

        # Edited before sending: no longer the template's text.
        command(s, who, "tpl greeting")
        s.client.cmd({"cmd": "compose-set", "protocol": p.protocol, "username": p.username,
                      "who": who, "text": text + " Sorry for the wait."})
        s.client.cmd({"cmd": "send", "protocol": p.protocol, "username": p.username,
                      "who": who, "compose": True})
        s.client.wait_event("write", conv=who, flags="send", timeout=15)

        r = command(s, who, "tpl greeting send")
        t.eq(r["status"], "ok", "/tpl greeting send accepted")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq(len(s.emu.sent), 3, "/tpl NAME send reached the Send API")
        t.eq(s.emu.sent[-1]["text"], text, "sent as expanded")
        rows = out_rows(s)
        t.eq([r[2] for r in rows], ["greeting", None, "greeting"],
             "log rows name the template only where the text is the expansion")
        logged = events(s, "template")
        t.eq([(e[1]["name"], e[1]["send"]) for e in logged],
             [("greeting", False), ("greeting", False), ("greeting", True)],
             "each use is a template event")

        t.eq(command(s, who, "tpl-lang de")["status"], "ok", "/tpl-lang de accepted")
        command(s, who, "tpl greeting")
        text = compose(s, who)
        t.ok(text.startswith("Hallo Ada Lovelace, hier ist "), "the conversation's language "
             "picks the German text", text)
        t.eq(events(s, "template")[-1][1]["locale"], "de", "the event records the locale")
        r = command(s, who, "tpl-lang d3!")
        t.ok(r["status"] != "ok", "a malformed language code is refused", r)
        quit_clean(t, s)


def test_agent_name_from_team(t, p, hook):
    """{agent.name} is what the agent set in their own desk.conf ([team]
    agent), not the login name of the computer."""
    who, name = ADA
    s = Session(p, sysconf=sysconf(hook))
    try:
        os.makedirs(os.path.join(s.client.purple_dir, "branddm"), exist_ok=True)
        with open(os.path.join(s.client.purple_dir, "branddm", "desk.conf"), "w") as f:
            f.write("[team]\nagent=Alice Martin\n")
        s.emu.add_customer_message(who, name, "Hi, where is my order?")
        s.start()
        s.connected()
        s.received(who)
        t.eq(command(s, who, "tpl greeting")["status"], "ok", "/tpl greeting accepted")
        t.eq(compose(s, who), "Hello Ada Lovelace, this is Alice Martin from Acme.",
             "the greeting names the agent as [team] agent says")
        quit_clean(t, s)
    finally:
        s.close()


def test_unknown_placeholder(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        r = command(s, who, "tpl broken")
        t.ok(r["status"] != "ok", "a template with an unknown placeholder is refused", r)
        t.ok("{order.id}" in (r.get("cmd_error") or ""), "the agent is told which placeholder",
             r.get("cmd_error"))
        t.eq(compose(s, who), None, "nothing half-filled in the compose box")
        r = command(s, who, "tpl broken send")
        t.ok(r["status"] != "ok", "and it cannot be sent either", r)
        r = command(s, who, "tpl closing")
        t.ok(r["status"] != "ok" and "{ticket}" in (r.get("cmd_error") or ""),
             "{ticket} before any escalation has no value: refused", r)
        r = command(s, who, "tpl nosuch send")
        t.ok(r["status"] != "ok" and "nosuch" in (r.get("cmd_error") or ""),
             "an unknown template name is refused", r)
        time.sleep(1)
        t.eq(s.emu.sent, [], "nothing reached the Send API")
        t.eq(events(s, "template"), [], "no template use logged")
        quit_clean(t, s)

def ask_request(s, who, since):
    """The {ask:} dialog the desk opened in who's conversation after since."""
    return s.client.saw("request", kind="fields", conv=who, since=since, timeout=10)


def answer(s, req, values, action=0):
    """Answer an {ask:} dialog: values by label, action 0 is OK, 1 Cancel."""
    ids = {f["label"]: f["id"] for f in req["fields"]}
    s.client.cmd({"cmd": "request-answer", "request": req["request"], "action": action,
                  "fields": {ids[label]: value for label, value in values.items()}})


def test_template_asks(t, p, hook):
    """{ask:Label}: one dialog, each label once, in order; the answers are
    filled in and go into the compose box; cancelled, nothing does."""
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        mark = s.client.mark()
        r = command(s, who, "tpl order-status")
        t.eq(r["status"], "ok", "/tpl order-status accepted")
        req = ask_request(s, who, mark)
        t.ok(req is not None, "a dialog asks the agent", req)
        if req is None:
            return
        t.eq([(f["label"], f["type"], f["required"]) for f in req["fields"]],
             [("Order number", "string", True), ("Delivery date", "string", True)],
             "one required field per label, in order; the label used twice is asked once")
        t.ok("order-status" in (req["primary"] or ""), "the dialog names the template", req)
        t.eq(req["actions"], ["Insert", "Cancel"], "Insert or Cancel")
        t.eq(compose(s, who), None, "nothing is inserted before the answer")

        answer(s, req, {"Order number": " A-1042 ", "Delivery date": "Monday <b>"})
        s.client.wait_event("request-closed", request=req["request"])
        notice = system_write(s, who, r"order-status")
        text = "Hi Ada, order A-1042 ships on Monday <b>. Reference: A-1042."
        t.eq(compose(s, who), text, "the answers are filled in, as typed and trimmed")
        t.ok(notice is not None and "Monday &lt;b&gt;. Reference: A-1042." in notice["text"],
             "the conversation shows the filled-in text, the agent's markup escaped", notice)
        t.eq([e[1]["name"] for e in events(s, "template")], ["order-status"],
             "the use is logged once answered")
        t.eq(s.emu.sent, [], "inserting sends nothing")

        # Cancelled: nothing inserted, nothing logged, a short notice.
        s.client.cmd({"cmd": "compose-set", "protocol": p.protocol, "username": p.username,
                      "who": who, "text": None})
        mark = s.client.mark()
        command(s, who, "tpl order-status")
        req = ask_request(s, who, mark)
        answer(s, req, {}, action=1)
        notice = system_write(s, who, r"not used")
        t.ok(notice is not None and "order-status" in notice["text"],
             "cancelling says the template was not used", notice)
        t.eq(compose(s, who), None, "cancelled: nothing in the compose box")
        t.eq(len(events(s, "template")), 1, "cancelled: no template use logged")

        # Refused before anyone is asked, as without {ask:}.
        mark = s.client.mark()
        r = command(s, who, "tpl order-broken")
        t.ok(r["status"] != "ok" and "{order.state}" in (r.get("cmd_error") or ""),
             "a template that cannot be filled in anyway is refused at once", r)
        t.eq(s.client.saw("request", since=mark, timeout=1), None, "and asks nothing")

        # /resolve sends its closing template without asking: refused, as is.
        r = command(s, who, "resolve order-status")
        t.ok(r["status"] != "ok" and "Order number" in (r.get("cmd_error") or ""),
             "/resolve with a closing template that asks is refused, naming the question", r)
        t.eq(events(s, "resolve"), [], "and nothing is resolved")
        quit_clean(t, s)


def test_template_asks_send(t, p, hook):
    """/tpl NAME send with answers: what the agent typed passes the policy
    like anything typed: a card number is blocked, an order number sent."""
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        mark = s.client.mark()
        command(s, who, "tpl order-status send")
        req = ask_request(s, who, mark)
        t.eq(req and req["actions"], ["Send", "Cancel"], "Send or Cancel")
        answer(s, req, {"Order number": "4111 1111 1111 1111", "Delivery date": "Monday"})
        blocked = s.client.saw("write", conv=who, flags="error", since=mark, timeout=10)
        t.ok(blocked is not None and "card" in blocked["text"].lower(),
             "an answer with a card number is blocked by the policy", blocked)
        time.sleep(1)
        t.eq(s.emu.sent, [], "nothing reached the Send API")

        mark = s.client.mark()
        command(s, who, "tpl order-status send")
        req = ask_request(s, who, mark)
        answer(s, req, {"Order number": "A-1042", "Delivery date": "Monday"})
        s.client.wait_event("write", conv=who, flags="send", since=mark, timeout=15)
        t.eq([m["text"] for m in s.emu.sent],
             ["Hi Ada, order A-1042 ships on Monday. Reference: A-1042."],
             "the filled-in template was sent")
        t.eq([r[2] for r in out_rows(s)], ["order-status"], "the log row names the template")
        quit_clean(t, s)


def test_template_ask_closed(t, p, hook):
    """A dialog still open when its conversation closes is closed with it,
    and one still open when the client quits is closed by the desk."""
    who, name = ADA
    with session(p, hook, [ADA, GRACE]) as s:
        mark = s.client.mark()
        command(s, who, "tpl order-status")
        req = ask_request(s, who, mark)
        s.client.cmd({"cmd": "conv-close", "protocol": p.protocol, "username": p.username,
                      "who": who})
        closed = s.client.saw("request-closed", request=req["request"], timeout=10)
        t.ok(closed is not None, "closing the conversation closes its dialog", req)
        pending = s.client.cmd({"cmd": "requests"})["requests"]
        t.eq(pending, [], "no dialog is left open")

        # One left open at quit: the desk closes it on unload (a sanitizer
        # build reports a callback into freed memory or a leak).
        mark = s.client.mark()
        command(s, GRACE[0], "tpl order-status")
        req = ask_request(s, GRACE[0], mark)
        t.ok(req is not None, "a dialog is open in the other conversation", req)
        quit_clean(t, s)
        t.ok(s.client.saw("request-closed", request=req["request"], timeout=1) is not None,
             "and it was closed when the desk unloaded")


def test_history(t, p, hook):
    """/history [N]: earlier messages with the customer from the log, as
    notices in the conversation, oldest first; nothing is sent."""
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        s.emu.add_customer_message(who, name, "It was order 5521, by the way.")
        s.received(who)
        s.send(who, "Thanks Ada, checking 5521.")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        since = len(s.client.events_seen())
        r = command(s, who, "history 2")
        t.ok(r["status"] == "ok", "/history 2 runs", r)
        shown = [e["text"] for e in s.client.events_seen("write", since=since, conv=who)
                 if "system" in e["flags"]]
        t.ok(len(shown) == 2, "it shows the last two messages", shown)
        t.ok(len(shown) == 2 and "5521, by the way" in shown[0] and "checking 5521" in shown[1] and
             all(x.startswith("[earlier, ") for x in shown),
             "oldest first, each marked as earlier", shown)
        t.ok(len(shown) == 2 and name in shown[0], "the customer's message names the customer",
             shown)
        since = len(s.client.events_seen())
        command(s, who, "history")
        shown = [e["text"] for e in s.client.events_seen("write", since=since, conv=who)
                 if "system" in e["flags"]]
        t.ok(len(shown) == 3, "/history alone shows them all (fewer than 20)", shown)
        r = command(s, who, "history 0")
        t.ok(r["status"] != "ok" and "1 to 500" in (r.get("cmd_error") or ""),
             "/history 0 is refused with the usage", r)
        t.eq(len(s.emu.sent), 1, "nothing more was sent")
        quit_clean(t, s)

# ---- escalation ----------------------------------------------------------------

def test_keyword_escalation_webhook(t, p, hook):
    who, name = ADA
    other, other_name = GRACE
    with session(p, hook, [ADA, GRACE]) as s:
        s.emu.add_customer_message(other, other_name, "I have an issue with my parcel")
        s.emu.add_customer_message(who, name, "If this is not fixed my LAWYER will call you")
        notice = system_write(s, who, r"Escalated to legal automatically", timeout=20)
        t.ok(notice is not None, "the keyword escalated the conversation", notice)
        t.ok(notice and "“lawyer”" in notice["text"] and "legal_threat" in notice["text"],
             "the notice names the keyword and the rule", notice and notice["text"])
        posts = hook.wait_posts("/legal", 1)
        t.eq(len(posts), 1, "the legal webhook received one POST")
        body = json.loads(posts[0]["body"]) if posts else {}
        t.eq((body.get("event"), body.get("department"), body.get("urgent"), body.get("trigger")),
             ("escalation", "legal", True, "legal_threat"), "webhook JSON says what happened")
        t.eq(body.get("customer"), {"id": who, "name": name}, "webhook names the customer")
        t.ok("LAWYER" in (body.get("excerpt") or ""), "webhook carries the customer's words")
        t.ok(posts and posts[0]["headers"].get("content-type", "").startswith("application/json"),
             "posted as application/json")
        t.ok(posts and "authorization" not in posts[0]["headers"],
             "the platform token never goes to a webhook")
        t.eq(wait_alias(s, who, listed(name, "waiting, legal, urgent")), listed(name, "waiting, legal, urgent"),
             "the buddy alias shows the escalation")
        escalations = events(s, "escalate")
        t.eq([(e[0], e[1]["department"], e[1]["trigger"]) for e in escalations],
             [(who, "legal", "legal_threat")], "one escalate event, only for the threat")
        deadline = time.monotonic() + 5
        while not events(s, "webhook") and time.monotonic() < deadline:
            time.sleep(0.2)
        t.eq([(e[1]["ok"], e[1]["status"]) for e in events(s, "webhook")], [(True, 200)],
             "the webhook's success is logged")
        t.eq(s.received(other)["text"], "I have an issue with my parcel",
             "the other customer's message arrived")
        t.eq(buddy_alias(s, other), listed(other_name, "waiting"), "\"issue\" does not fire \"sue\"")

        # The same keyword again: no second escalation, no second POST.
        s.emu.add_customer_message(who, name, "My lawyer says hi")
        s.received(who)
        time.sleep(1.5)
        t.eq(len(hook.posts_to("/legal")), 1, "an escalated conversation is not escalated again")
        s.emu.add_customer_message(who, name, "and I want my money back")
        tagged = system_write(s, who, r"Tagged “refund” automatically", timeout=20)
        t.ok(tagged is not None, "a tag-only trigger tags the conversation", tagged)
        t.eq(wait_alias(s, who, listed(name, "waiting, legal, urgent, refund")),
             listed(name, "waiting, legal, urgent, refund"), "the tag joins the badge")
        quit_clean(t, s)


def test_failing_webhook(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        hook.statuses["/legal"] = 500
        hook.statuses["/billing"] = 404
        t.eq(command(s, who, "escalate legal urgent Customer threatens to sue")["status"], "ok",
             "/escalate accepted")
        error = s.client.saw("write", conv=who, flags="error", timeout=20,
                             text=lambda x: "legal" in x and "webhook" in x)
        t.ok(error is not None, "a webhook that keeps failing is shown to the agent", error)
        posts = hook.posts_to("/legal")
        t.eq(len(posts), 3, "tried once and retried twice ([webhook] retries=2)")
        if len(posts) == 3:
            gaps = [posts[i + 1]["time"] - posts[i]["time"] for i in range(2)]
            t.ok(0.8 <= gaps[0] < 3 and 1.8 <= gaps[1] < 4, "backoff 1 s, then 2 s", gaps)
        t.ok(error and "3 attempts" in error["text"] and "500" in error["text"],
             "the error says how often and why", error and error["text"])
        logged = [e[1] for e in events(s, "webhook")]
        t.eq([(e["ok"], e["status"], e["attempts"]) for e in logged], [(False, 500, 3)],
             "the failure is logged")

        mark = s.client.mark()
        t.eq(command(s, who, "escalate billing Refund dispute")["status"], "ok",
             "escalation to billing accepted")
        error = s.client.saw("write", conv=who, flags="error", timeout=10, since=mark,
                             text=lambda x: "billing" in x)
        t.ok(error is not None and "1 attempt" in error["text"],
             "a 404 is final: reported after one attempt", error)
        t.eq(len(hook.posts_to("/billing")), 1, "a 404 is not retried")

        hook.statuses["/technical"] = "hang"
        mark = s.client.mark()
        t.eq(command(s, who, "escalate technical Login broken")["status"], "ok",
             "escalation to technical accepted")
        error = s.client.saw("write", conv=who, flags="error", timeout=25, since=mark,
                             text=lambda x: "technical" in x)
        t.ok(error is not None and "no answer within 2 seconds" in error["text"],
             "a webhook that never answers times out, is retried, then reported", error)
        t.eq(len(hook.posts_to("/technical")), 3, "a timeout is retried like a 5xx")
        quit_clean(t, s)


def test_tags_survive_restart(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        t.eq(command(s, who, "tag vip")["status"], "ok", "/tag vip accepted")
        t.ok(system_write(s, who, r"Tagged “vip”") is not None, "the tag is shown")
        t.eq(wait_alias(s, who, listed(name, "waiting, vip")), listed(name, "waiting, vip"), "alias shows the tag")
        r = command(s, who, "tag vipp")
        t.ok(r["status"] != "ok" and "vip, refund, bug" in (r.get("cmd_error") or ""),
             "an unknown label is refused with the valid ones", r)
        r = command(s, who, "tag vip")
        t.ok(r["status"] != "ok", "tagging twice is refused", r)
        t.eq(command(s, who, "escalate technical App crashes on login")["status"], "ok",
             "/escalate technical accepted")
        t.eq(wait_alias(s, who, listed(name, "waiting, technical, vip")), listed(name, "waiting, technical, vip"),
             "alias shows department and tag")

        s.client.restart()
        s.connected()
        t.eq(buddy_alias(s, who), listed(name, "waiting, technical, vip"),
             "the alias is back after a restart")
        row = [b for b in s.client.cmd({"cmd": "buddies"})["buddies"] if b["name"] == who]
        t.eq(row[0]["emblem"] if row else None, "external",
             "the buddy-list emblem marks the escalated conversation (a globe)")
        tooltip = row[0]["tooltip"] if row else {}
        t.ok(tooltip.get("Escalated", "").startswith("technical, ticket ")
             and tooltip.get("Tags") == "vip",
             "the tooltip names the department, ticket and tags", tooltip)
        listing = action(s, "Escalated conversations")
        t.ok("Ada Lovelace" in listing["text"] and "technical" in listing["text"]
             and "App crashes on login" in listing["text"],
             "the escalation survived the restart", listing["text"])
        s.emu.add_customer_message(who, name, "any news?")
        s.received(who)
        t.eq(buddy_alias(s, who), listed(name, "waiting, technical, vip"), "a poll does not wipe the badge")
        r = command(s, who, "untag vip")
        t.eq(r["status"], "ok", "/untag vip works on the tag from the last session")
        t.eq(wait_alias(s, who, listed(name, "waiting, technical")), listed(name, "waiting, technical"),
             "the alias loses the tag")
        r = command(s, who, "untag vip")
        t.ok(r["status"] != "ok", "untagging what is not tagged is refused", r)
        t.eq([e[1]["label"] for e in events(s, "tag")], ["vip"], "tag logged")
        t.eq([e[1]["label"] for e in events(s, "untag")], ["vip"], "untag logged")
        quit_clean(t, s)


def test_resolve_with_closing_template(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        r = command(s, who, "escalate legl Threatens to sue")
        t.ok(r["status"] != "ok" and "Did you mean “legal”" in (r.get("cmd_error") or ""),
             "a mistyped department is refused with a suggestion", r)
        r = command(s, who, "escalate legal")
        t.ok(r["status"] != "ok", "an escalation needs a reason", r)
        t.eq(command(s, who, "escalate legal urgent Threatens to sue")["status"], "ok",
             "/escalate legal urgent accepted")
        t.ok(system_write(s, who, r"Escalated to legal, urgent: Threatens to sue\. Ticket "
                          r"FACEBOOK-1\.") is not None, "escalation shown with its ticket")
        t.eq(wait_alias(s, who, listed(name, "waiting, legal, urgent")), listed(name, "waiting, legal, urgent"),
             "alias shows the escalation")
        r = command(s, who, "resolve nosuch")
        t.ok(r["status"] != "ok", "an unknown closing template is refused", r)
        t.eq(buddy_alias(s, who), listed(name, "waiting, legal, urgent"), "and nothing was resolved")

        t.eq(command(s, who, "resolve closing")["status"], "ok", "/resolve closing accepted")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq([m["text"] for m in s.emu.sent], ["Thanks Ada, ticket FACEBOOK-1 is closed."],
             "the closing template went out, with the ticket")
        t.eq(wait_alias(s, who, listed(name)), listed(name), "the badge is gone")
        resolved = events(s, "resolve")
        t.eq([(e[1]["department"], e[1]["ticket"], e[1]["template"]) for e in resolved],
             [("legal", "FACEBOOK-1", "closing")], "resolve logged")
        t.eq([r[2] for r in out_rows(s)], ["closing"], "the closing message names its template")
        listing = action(s, "Escalated conversations")
        t.ok("Ada" not in listing["text"], "no longer listed as escalated", listing["text"])
        t.eq(command(s, who, "escalate legal Again")["status"], "ok", "escalate again")
        t.ok(system_write(s, who, r"Ticket FACEBOOK-2\.") is not None,
             "a new escalation gets a new ticket")
        quit_clean(t, s)

# ---- response-time targets ------------------------------------------------------

def test_sla_alerts(t, p, hook):
    who, name = ADA
    created = int(time.time()) - 60
    with session(p, hook, [ADA], created={who: created}) as s:
        t.eq(s.emu.sent, [], "no acknowledgement while the desk is open")
        t.ok(clock(s, "ten").startswith("error"), "a malformed clock offset is refused")
        mark = s.client.mark()
        t.eq(clock(s, 2400 - 60), "ok", "clock moved to 40 minutes of waiting")
        t.ok(s.client.no_event("write", conv=who, within=1.5, since=mark,
                               text=lambda x: "Response time" in x),
             "no alert below 75 %")
        # Let the plugin's own timer fire the warning: 2 s before 75 %.
        offset = 2700 - (time.time() - created) + 2
        clock(s, int(offset))
        warn = s.client.saw("write", conv=who, flags="system", timeout=8,
                            text=lambda x: "Response time warning" in x)
        t.ok(warn is not None, "warned at 75 % by the timer, without a clock jump", warn)
        t.ok(warn and "75 %" in warn["text"] and "1 h" in warn["text"],
             "the warning says how far and the target", warn and warn["text"])
        t.eq(wait_alias(s, who, listed(name, "due soon")), listed(name, "due soon"),
             "the buddy-list row says the answer is due soon")
        mark = s.client.mark()
        clock(s, 3600 + 60)
        breach = s.client.saw("write", conv=who, flags="error", timeout=5,
                              text=lambda x: "Response time overdue" in x)
        t.ok(breach is not None and name in breach["text"], "overdue alert at 100 %", breach)
        note = s.client.saw("notify", type="warning", timeout=5, since=mark)
        t.ok(note is not None and name in (note.get("secondary") or ""),
             "and a warning dialog", note)
        t.eq(wait_alias(s, who, listed(name, "overdue")), listed(name, "overdue"),
             "the buddy-list row says overdue")
        clock(s, 3600 + 120)
        t.ok(s.client.no_event("write", conv=who, within=1.5,
                               text=lambda x: "Response time" in x),
             "each level alerts once")
        alerts = [e[1] for e in events(s, "sla_alert")]
        t.eq([(a["level"], a["target"]) for a in alerts], [("warn", 3600), ("breach", 3600)],
             "both alerts logged with the target")
        waiting = action(s, "Waiting conversations")
        t.ok("Ada Lovelace" in waiting["text"] and "Overdue" in waiting["text"],
             "listed as waiting and overdue", waiting["text"])
        s.send(who, "Sorry, here is your answer")
        s.client.wait_event("write", conv=who, flags="send", timeout=15)
        waiting = action(s, "Waiting conversations")
        t.ok("Ada" not in waiting["text"], "a reply stops the clock", waiting["text"])
        t.eq(wait_alias(s, who, listed(name)), listed(name), "and the row no longer says overdue")
        quit_clean(t, s)


def test_sla_popup_fits(t, p, hook):
    """Seven customers overdue at once: each conversation says so, and the
    pop-up (Finch does not scroll it) names five and counts the rest."""
    customers = [("51%02d" % i, "Customer %d" % i) for i in range(1, 8)]
    created = int(time.time()) - 60
    with session(p, hook, customers, created={who: created for who, _ in customers}) as s:
        mark = s.client.mark()
        clock(s, 3600 + 60)
        note = s.client.saw("notify", type="warning", timeout=8, since=mark)
        secondary = (note or {}).get("secondary") or ""
        lines = secondary.splitlines()
        t.eq(len(lines), 6, "five customers and one line for the rest")
        t.ok(lines and lines[-1].startswith("…and 2 more customers"),
             "the last line counts the two left out", secondary)
        t.eq(sum(1 for l in lines if l.startswith("Response time overdue")), 5,
             "five overdue customers are named")
        for who, name in customers:
            breach = s.client.saw("write", conv=who, flags="error", timeout=5, since=mark,
                                  text=lambda x: "Response time overdue" in x)
            t.ok(breach is not None, "%s's conversation has its own alert" % name, breach)
        quit_clean(t, s)


def test_waiting_list_order(t, p, hook):
    now = int(time.time())
    created = {ADA[0]: now - 600, GRACE[0]: now - 1800, ALAN[0]: now - 60,
               KATHERINE[0]: now - 8 * 86400}
    texts = {KATHERINE[0]: "Eight days ago I said my lawyer would call"}
    with session(p, hook, [ADA, GRACE, ALAN, KATHERINE], created=created, texts=texts) as s:
        listing = action(s, "Waiting conversations")
        text = listing["text"]
        t.eq(listing["type"], "searchresults", "the waiting list is a table")
        t.eq(listing["columns"], ["Customer", "Waiting", "Target", "Due", "Status", "Assigned"],
             "with the waiting time, target, due time and status")
        rows = listing["rows"]
        t.eq([r[0] for r in rows], ["Grace Hopper (5002)", "Ada Lovelace (5001)",
                                     "Alan Turing (5003)"], "most urgent first")
        t.ok(all(r[2] == "1 h 00 min" and re.match(r"(\d\d:\d\d|\w+ \d\d \w+ \d\d:\d\d)$", r[3])
                 and r[4] == "OK" for r in rows), "each due at its time against the 1 h target",
             rows)
        due = [time.strptime(r[3], "%H:%M") for r in rows if re.match(r"\d\d:\d\d$", r[3])]
        t.ok(due == sorted(due), "the due times ascend", rows)
        t.eq(rows[0][1] if rows else None, "30 min", "Grace has waited half an hour")
        t.eq(listing["buttons"], ["im"], "each row can be opened")
        t.eq(buddy_alias(s, GRACE[0]), listed(GRACE[1], "waiting"),
             "the buddy-list row says the customer is waiting")
        mark = s.client.mark()
        s.client.cmd({"cmd": "conv-close", "protocol": p.protocol, "username": p.username,
                      "who": ALAN[0]})
        s.client.cmd({"cmd": "search-button", "notify": listing["notify_id"], "button": "im",
                      "row": 2})
        t.eq(s.client.wait_event("conversation", since=mark, timeout=10)["conv"], ALAN[0],
             "IM on a row opens that customer's conversation")
        positions = [text.find(n) for n in ("Grace Hopper", "Ada Lovelace", "Alan Turing")]
        t.ok(all(pos >= 0 for pos in positions) and positions == sorted(positions),
             "oldest first: Grace, Ada, Alan", text)
        t.ok("Katherine" not in text, "history older than a week is not waiting", text)
        t.eq(events(s, "escalate"), [], "nor does its keyword escalate")
        s.send(GRACE[0], "Here you go")
        s.client.wait_event("write", conv=GRACE[0], flags="send", timeout=15)
        text = action(s, "Waiting conversations")["text"]
        t.ok("Grace" not in text and text.find("Ada") < text.find("Alan"),
             "the answered customer leaves the list", text)
        quit_clean(t, s)

# ---- out of hours --------------------------------------------------------------

def test_out_of_hours_reply(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA], closed=True) as s:
        echo = s.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.ok("auto-reply" in echo["flags"], "the acknowledgement is shown as an auto-reply",
             echo)
        sent = s.emu.sent
        t.eq([m["text"] for m in sent],
             ["This is an automated reply from Acme: we are closed now and will answer you soon."],
             "acknowledged once, with the template")
        t.eq(sent[0]["messaging_type"] if sent else None, "RESPONSE",
             "an automated message never uses the HUMAN_AGENT tag")
        s.emu.add_customer_message(who, name, "hello??")
        s.received(who)
        t.ok(s.client.no_event("write", conv=who, flags="send", within=3),
             "the second message gets no second acknowledgement")
        t.eq(len(s.emu.sent), 1, "still one acknowledgement")
        rows = out_rows(s)
        t.eq([(r[2], r[3]) for r in rows], [("out_of_hours", 1)],
             "logged as automated, with its template")
        quit_clean(t, s)


# ---- the account's menu ------------------------------------------------------

def test_account_menu(t, p, hook):
    who, name = ADA
    with session(p, hook, [ADA]) as s:
        listing = action(s, "Templates")
        text = listing["text"] or ""
        t.ok(all("<b>%s</b>" % n in text for n in ("greeting", "broken", "closing")),
             "Templates lists every template by name", text)
        t.ok("First answer in a new conversation" in text and "(greeting)" in text,
             "with its category and description", text)
        t.ok(text.index("<b>broken</b>") < text.index("<b>closing</b>")
             < text.index("<b>greeting</b>"), "in name order", text)

        summary = action(s, "Policy summary")
        t.ok("card" in (summary["text"] or "").lower(),
             "Policy summary names the rules in force (payment cards among them)", summary)

        mark = s.client.mark()
        s.client.cmd({"cmd": "action", "protocol": p.protocol, "username": p.username,
                      "label": "Open log folder"})
        uri = s.client.wait_event("notify", type="uri", since=mark)
        folder = os.path.join(s.client.purple_dir, "branddm")
        t.eq(uri["uri"], "file://" + urllib.parse.quote(folder),
             "Open log folder opens the folder holding the log")
        info = s.client.wait_event("notify", type="info", since=mark)
        t.eq(info["secondary"], os.path.join(folder, "log.sqlite"),
             "and names the log file (Finch cannot open a file manager)")
        quit_clean(t, s)


t = Tap()
p = Facebook()
tests = [("template into the compose box, then sent", test_template_insert_and_send),
         ("{agent.name} from [team] agent", test_agent_name_from_team),
         ("unknown placeholder refused", test_unknown_placeholder),
         ("{ask:} templates ask the agent", test_template_asks),
         ("{ask:} answers pass the policy when sent", test_template_asks_send),
         ("{ask:} dialogs close with their conversation", test_template_ask_closed),
         ("/history shows earlier messages", test_history),
         ("keyword escalation and webhook", test_keyword_escalation_webhook),
         ("failing webhook shown to the agent", test_failing_webhook),
         ("tags survive a restart; /untag", test_tags_survive_restart),
         ("/resolve with a closing template", test_resolve_with_closing_template),
         ("response-time alerts", test_sla_alerts),
         ("response-time pop-up fits a terminal", test_sla_popup_fits),
         ("waiting conversations, oldest first", test_waiting_list_order),
         ("out-of-hours acknowledgement", test_out_of_hours_reply),
         ("the account's menu", test_account_menu)]
run_desk_tests(t, p, tests)
t.done()
