#!/usr/bin/env python3
"""Team mode through real clients and a real PostgreSQL: several headless
clients, each an agent with their own purple directory, signed in to the
same Page of one Graph emulator and sharing the team database that
tests/e2e/pgserver.py starts.  Whatever must happen once per customer
happens once, whichever clients are online: the out-of-hours
acknowledgement, a keyword trigger and its webhook, ticket numbers; and a
change made in one client (a tag) reaches the others by NOTIFY."""
import re
import time

from desk_fixtures import (ADA, GRACE, action, clock, command, listed, quit_clean,
                           system_write, wait_alias)
from harness import Tap
from pgserver import PgServer
from platforms import Facebook
from team_fixtures import AGENTS, Team, run_team_tests, wait_for


def test_one_auto_reply(t, pg, hook):
    """Out of hours, three clients online: the customer hears from BrandDM once."""
    team = Team(Facebook(), pg, hook, AGENTS, closed=True, db="autoreply").start()
    try:
        who, name = ADA
        team.emu.add_customer_message(who, name, "Hello? Anyone there?")
        for s in team.sessions:
            s.received(who)
        sent = wait_for(lambda: team.emu.sent)
        time.sleep(3)     # every client has polled and decided by now
        texts = [m["text"] for m in team.emu.sent]
        t.eq(len(texts), 1, "exactly one acknowledgement reached the platform (3 clients)")
        t.ok(sent and texts[0].startswith("This is an automated reply from Acme"),
             "it is the automated template", texts)
        holders = team.sql("SELECT agent FROM branddm.claim WHERE action = 'auto_reply'")
        t.ok(holders in AGENTS, "the team database names the one client that sent it", holders)
        for n, s in enumerate(team.sessions):
            shown = s.client.saw("write", conv=who, flags="send", timeout=15)
            t.eq(shown and shown["who"], "Acme (automatic)",
                 "client %d shows the acknowledgement as Acme (automatic)" % (n + 1))
        waiting = team.sql("SELECT waiting_since FROM branddm.conversation WHERE customer = '%s'"
                           % who)
        t.ok(waiting not in ("", "0"), "an automatic reply does not stop the response clock",
             waiting)
        # A second message in the same conversation: still no second reply.
        team.emu.add_customer_message(who, name, "Hello??")
        for s in team.sessions:
            s.received(who)
        time.sleep(2)
        t.eq(len(team.emu.sent), 1, "no acknowledgement for the second message")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_no_reply_to_the_answered(t, pg, hook):
    """Out of hours, Alice (her own acknowledgement off) answers Ada by hand;
    Bob signs on later and sees Ada's message: he must not acknowledge what
    Alice has answered."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], closed=True, db="answered",
                own_conf={AGENTS[0]: "[auto_reply]\nenabled=false\n"})
    alice, bob = team.sessions
    try:
        alice.start()
        alice.connected()
        who, name = ADA
        team.emu.add_customer_message(who, name, "Are you open?")
        alice.received(who)
        time.sleep(1)
        t.eq(team.emu.sent, [], "Alice's client sends no acknowledgement (hers is off)")
        alice.send(who, "We are closed, but I can help you now.")
        alice.client.wait_event("write", conv=who, flags="send", timeout=15)
        bob.start()
        bob.connected()
        bob.received(who)
        time.sleep(3)
        t.eq([m["text"] for m in team.emu.sent], ["We are closed, but I can help you now."],
             "Bob's client does not acknowledge a conversation Alice answered")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_trigger_once(t, pg, hook):
    """A legal threat seen by two clients: one escalation, one webhook POST,
    and both clients show the escalation."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="trigger").start()
    try:
        who, name = ADA
        team.emu.add_customer_message(who, name, "My LAWYER will hear about this")
        for s in team.sessions:
            s.received(who)
        posts = hook.wait_posts("/legal", 1)
        time.sleep(2)
        t.eq(len(hook.posts_to("/legal")), 1, "the legal webhook was called once by the team")
        t.ok(posts, "it was called")
        for n, s in enumerate(team.sessions):
            escalated = listed(name, "waiting, legal, urgent")
            t.eq(wait_alias(s, who, escalated), escalated,
                 "client %d shows the escalation" % (n + 1))
        tickets = team.sql("SELECT ticket FROM branddm.conversation WHERE customer = '%s'" % who)
        t.eq(tickets, "FACEBOOK-1", "the conversation has the team's first ticket")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_unique_tickets(t, pg, hook):
    """Two agents escalate two customers at the same moment: two tickets,
    never the same number twice."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="tickets").start()
    try:
        alice, bob = team.sessions
        for who, name in (ADA, GRACE):
            team.emu.add_customer_message(who, name, "Where is my invoice?")
        for s in team.sessions:
            s.received(ADA[0])
            s.received(GRACE[0])
        command(alice, ADA[0], "escalate billing invoice missing")
        command(bob, GRACE[0], "escalate billing invoice missing")
        a = system_write(alice, ADA[0], r"Escalated to billing", timeout=15)
        b = system_write(bob, GRACE[0], r"Escalated to billing", timeout=15)
        got = sorted(re.search(r"Ticket (\S+)\.", n["text"]).group(1) for n in (a, b) if n)
        t.eq(got, ["FACEBOOK-1", "FACEBOOK-2"], "each customer got a ticket of its own")
        stored = team.sql("SELECT string_agg(ticket, ',' ORDER BY ticket) "
                          "FROM branddm.conversation WHERE ticket IS NOT NULL")
        t.eq(stored, "FACEBOOK-1,FACEBOOK-2", "the team database holds both")
        # Escalating Ada again from Bob's client keeps her ticket.
        ada_ticket = re.search(r"Ticket (\S+)\.", a["text"]).group(1) if a else None
        command(bob, ADA[0], "escalate legal now a legal matter")
        again = system_write(bob, ADA[0], r"Escalated to legal", timeout=15)
        t.ok(again and ada_ticket and "Ticket %s." % ada_ticket in again["text"],
             "a conversation keeps its ticket, whoever escalates it", again and again["text"])
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_tag_reaches_colleague(t, pg, hook):
    """A tag set by Alice shows in Bob's buddy list within a second or so."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="tags").start()
    try:
        alice, bob = team.sessions
        who, name = ADA
        team.emu.add_customer_message(who, name, "Hi, I am a regular customer")
        for s in team.sessions:
            s.received(who)
        t.eq(command(alice, who, "tag vip")["status"], "ok", "Alice tags the conversation")
        t.eq(wait_alias(bob, who, listed(name, "waiting, vip"), timeout=5), listed(name, "waiting, vip"),
             "Bob's buddy list shows the tag")
        t.eq(command(bob, who, "untag vip")["status"], "ok", "Bob removes it")
        t.eq(wait_alias(alice, who, listed(name, "waiting"), timeout=5), listed(name, "waiting"),
             "Alice's buddy list follows")
        t.eq(command(alice, who, "escalate billing double charge")["status"], "ok",
             "Alice escalates to billing")
        t.eq(wait_alias(bob, who, listed(name, "waiting, billing"), timeout=5), listed(name, "waiting, billing"),
             "Bob sees the escalation")
        t.eq(command(bob, who, "resolve")["status"], "ok", "Bob resolves the conversation")
        t.eq(wait_alias(alice, who, listed(name), timeout=5), listed(name),
             "it is resolved for Alice too")
        t.eq(team.sql("SELECT status, coalesce(department, '-'), coalesce(ticket, '-') FROM "
                      "branddm.conversation WHERE customer = '%s'" % who), "resolved|-|-",
             "the team database says resolved, no escalation, no ticket")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_who_said_what(t, pg, hook):
    """Alice answers Ada: Alice's own window and Bob's open window both show
    the reply as Acme (Alice Martin), and Bob's waiting list stops the clock
    at her human reply, while an automatic reply does not stop it."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="authors").start()
    try:
        alice, bob = team.sessions
        who, name = ADA
        team.emu.add_customer_message(who, name, "Is my parcel lost?")
        for s in team.sessions:
            s.received(who)
        alice.send(who, "Let me check that for you.")
        mine = alice.client.wait_event("write", conv=who, flags="send", timeout=15)
        t.eq(mine["who"], "Acme (Alice Martin)", "Alice's window names her as the author")
        seen = bob.client.wait_event("write", conv=who, flags="remote-send", timeout=20)
        t.eq((seen["who"], seen["text"]), ("Acme (Alice Martin)", "Let me check that for you."),
             "Bob's open conversation shows Alice's reply, attributed")
        waiting = wait_for(lambda: team.sql(
            "SELECT waiting_since FROM branddm.conversation WHERE customer = '%s'" % who) == "0")
        t.ok(waiting, "the team's clock stopped at the first human reply")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_assignment(t, pg, hook):
    """The first human reply assigns the conversation to its author, seen by
    every client; a colleague's reply is warned about, naming the assignee;
    /handover and /unassign change it for everybody."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="assign").start()
    try:
        alice, bob = team.sessions
        who, name = ADA
        team.emu.add_customer_message(who, name, "Can someone help me?")
        for s in team.sessions:
            s.received(who)
        alice.send(who, "Hello Ada, I am on it.")
        alice.client.wait_event("write", conv=who, flags="send", timeout=15)
        mine = listed(name, "@Alice Martin")
        t.eq(wait_alias(alice, who, mine), mine, "Alice's buddy list shows her as the assignee")
        t.eq(wait_alias(bob, who, mine), mine, "so does Bob's")
        t.eq(team.sql("SELECT assigned FROM branddm.conversation WHERE customer = '%s'" % who),
             "Alice Martin", "the team database says so")
        bob.send(who, "Hi Ada, Bob here!")
        warned = bob.client.saw("write", conv=who, flags="system", timeout=10,
                                text=lambda x: "Alice Martin is handling this" in (x or ""))
        t.ok(warned is not None, "Bob is warned that Alice handles the conversation", warned)
        time.sleep(1)
        t.eq([m["text"] for m in team.emu.sent], ["Hello Ada, I am on it."],
             "Bob's reply did not go out")
        t.eq(command(alice, who, "handover Bob Keller: she wants a call back")["status"], "ok",
             "Alice hands the conversation over")
        note = system_write(alice, who, r"Handed over to Bob Keller: she wants a call back")
        t.ok(note is not None, "Alice's window says so, with the note", note)
        bobs = listed(name, "@Bob Keller")
        t.eq(wait_alias(bob, who, bobs), bobs, "Bob's buddy list shows him as the assignee")
        t.eq(wait_alias(alice, who, bobs), bobs, "and Alice's")
        bob.send(who, "Hi Ada, Bob here!")
        bob.client.wait_event("write", conv=who, flags="send", timeout=15,
                              text=lambda x: "Bob here" in (x or ""))
        t.eq(len(team.emu.sent), 2, "now Bob's reply goes out")
        t.eq(command(bob, who, "unassign")["status"], "ok", "Bob unassigns it")
        t.eq(wait_alias(alice, who, listed(name)), listed(name),
             "nobody handles it, in Alice's list too")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_alerts_and_waiting(t, pg, hook):
    """Both clients list the same waiting customers; a response-time alert
    goes to the agent the conversation is assigned to, not to colleagues."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="alerts").start()
    try:
        alice, bob = team.sessions
        for who, name in (ADA, GRACE):
            team.emu.add_customer_message(who, name, "Still waiting for my parcel")
        for s in team.sessions:
            s.received(ADA[0])
            s.received(GRACE[0])
        # The seconds waited may tick between the two clients' lists.
        lists = [re.sub(r"\| \d+ s \|", "| N s |", action(s, "Waiting conversations")["text"])
                 for s in team.sessions]
        t.ok(ADA[1] in lists[0] and GRACE[1] in lists[0], "Alice's list has both customers",
             lists[0])
        t.eq(lists[1], lists[0], "Bob's waiting list is the same as Alice's")
        t.eq(command(alice, ADA[0], "assign")["status"], "ok", "Alice takes Ada")
        assigned = listed(ADA[1], "waiting, @Alice Martin")
        t.eq(wait_alias(bob, ADA[0], assigned), assigned,
             "Bob sees that Alice handles Ada")
        marks = [s.client.mark() for s in team.sessions]
        for s in team.sessions:
            clock(s, 50 * 60)   # 50 minutes of a 1 h target: past the 75 % warning
        warned = alice.client.saw("write", conv=ADA[0], flags="system", timeout=10,
                                  since=marks[0], text=lambda x: "Response time warning" in x)
        t.ok(warned is not None, "Alice is warned about her customer", warned)
        t.ok(bob.client.no_event("write", conv=ADA[0], within=3, since=marks[1],
                                 text=lambda x: "Response time" in (x or "")),
             "Bob is not: Ada is Alice's")
        grace = [s.client.saw("write", conv=GRACE[0], flags="system", timeout=10,
                              since=m, text=lambda x: "Response time warning" in x)
                 for s, m in zip(team.sessions, marks)]
        t.ok(all(grace), "both agents are alerted about the customer nobody handles", grace)
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_colleague_typing(t, pg, hook):
    """While Alice types to Ada, Bob, who has Ada's conversation open, sees
    "Alice Martin is replying…" once, not once per keystroke."""
    team = Team(Facebook(), pg, hook, AGENTS[:2], db="typing").start()
    try:
        alice, bob = team.sessions
        who, name = ADA
        team.emu.add_customer_message(who, name, "Hello?")
        for s in team.sessions:
            s.received(who)
        mark = bob.client.mark()
        for _ in range(5):
            alice.client.cmd({"cmd": "typing", "protocol": alice.p.protocol,
                              "username": alice.p.username, "who": who})
        shown = bob.client.saw("write", conv=who, flags="system", timeout=10, since=mark,
                               text=lambda x: "Alice Martin is replying" in (x or ""))
        t.ok(shown is not None, "Bob sees that Alice is replying", shown)
        time.sleep(1)
        t.eq(len(bob.client.events_seen("write", since=mark, conv=who,
                                        text=lambda x: "is replying" in (x or ""))), 1,
             "once, not once per keystroke")
        t.ok(alice.client.no_event("write", conv=who, within=1,
                                   text=lambda x: "is replying" in (x or "")),
             "Alice is not told about herself")
        for s in team.sessions:
            quit_clean(t, s)
    finally:
        team.close()


def test_old_schema(t, pg, hook):
    """A team database left at an older schema is refused with the command
    that fixes it; the client goes on alone."""
    team = Team(Facebook(), pg, hook, AGENTS[:1], db="oldschema")
    s = team.sessions[0]
    try:
        team.sql("UPDATE branddm.meta SET value = '0' WHERE key = 'schema_version'")
        team.start()
        refused = s.client.wait_event("notify", timeout=15,
                                      primary=lambda p: "cannot be used" in (p or ""))
        text = str(refused.get("secondary"))
        t.ok("schema version 0" in text and "branddm-admin team init" in text,
             "the agent is told the schema version and the command to run", text)
        who, name = ADA
        team.emu.add_customer_message(who, name, "Hello")
        t.eq(s.received(who)["text"], "Hello", "messages still arrive")
        quit_clean(t, s)
    finally:
        team.close()


def polls(emu):
    """The API requests of poll cycles (every GET: the conversations list)."""
    return [r for r in emu.requests if r["method"] == "GET" and "conversations" in r["path"]]


def holder(team):
    """The session whose client holds the poll lease (its debug log says so)."""
    for s in team.sessions:
        if s.client.running() and "this client polls for the team" in s.client.stderr_text():
            return s
    return None


def test_one_poller(t, pg, hook):
    """Three clients on one Page make the API requests of one; the customer's
    messages reach all three.  When the lease holder is killed mid-burst,
    another client polls within two intervals, and every message is shown
    once in each remaining client."""
    team = Team(Facebook(), pg, hook, AGENTS, db="lease").start()
    try:
        interval = team.p.poll_interval
        polling = wait_for(lambda: holder(team), timeout=10 * interval)
        t.ok(polling is not None, "one client took the poll lease")
        time.sleep(2 * interval)
        before = len(polls(team.emu))
        time.sleep(6 * interval)
        made = len(polls(team.emu)) - before
        t.ok(made <= 6 + 2, "3 clients made %d poll requests in 6 intervals (one client's "
             "share: 6)" % made)
        who, name = ADA
        team.emu.add_customer_message(who, name, "message 1")
        for s, agent in zip(team.sessions, AGENTS):
            t.eq(s.received(who)["text"], "message 1", "%s's client shows the customer's message"
                 % agent)
        # A burst, and the holder killed in the middle of it.
        survivors = [s for s in team.sessions if s is not polling]
        marks = [s.client.mark() for s in survivors]
        for n in range(2, 7):
            team.emu.add_customer_message(who, name, "message %d" % n)
            time.sleep(0.2)
        polling.client.kill()
        for n in range(7, 12):
            team.emu.add_customer_message(who, name, "message %d" % n)
            time.sleep(0.2)
        want = ["message %d" % n for n in range(2, 12)]
        for s, mark in zip(survivors, marks):
            def shown():
                return [e["text"] for e in s.client.events_seen("write", since=mark, conv=who,
                                                                 flags="recv")]
            wait_for(lambda: len(shown()) >= len(want), timeout=8 * interval + 10)
            time.sleep(interval)
            t.eq(sorted(shown(), key=lambda x: int(x.split()[1])), want,
                 "every message of the burst shown once after the holder died")
        t.ok(wait_for(lambda: holder(team), timeout=4 * interval) is not None,
             "another client polls now")
        for s in survivors:
            quit_clean(t, s)
    finally:
        team.close()


def test_database_away(t, pg, hook):
    """The team database is unreachable at start: the agent is told once,
    works alone, and the acknowledgement that waited goes out once the
    database is back."""
    team = Team(Facebook(), pg, hook, AGENTS[:1], closed=True, db="away")
    s = team.sessions[0]
    try:
        pg.pause()
        team.start()
        warning = s.client.wait_event("notify", timeout=15,
                                      primary=lambda p: "unreachable" in (p or ""))
        t.ok(warning is not None, "the agent is told the team database is unreachable")
        t.ok(warning and "password" not in str(warning).lower(),
             "the notice shows no connection secret")
        who, name = ADA
        team.emu.add_customer_message(who, name, "Hello, anyone?")
        s.received(who)
        time.sleep(2)
        t.eq(team.emu.sent, [], "the acknowledgement waits for the team database")
        pg.resume()
        sent = wait_for(lambda: team.emu.sent, timeout=40)
        t.eq(len(sent or []), 1, "it goes out once the database is back")
        back = s.client.wait_event("notify", timeout=15,
                                   primary=lambda p: "reachable again" in (p or ""))
        t.ok(back is not None, "the agent is told the database is back")
        # Mid-shift: away again while another customer writes, then back.
        pg.pause()
        s.client.wait_event("notify", timeout=30, primary=lambda p: "unreachable" in (p or ""))
        other, other_name = GRACE
        team.emu.add_customer_message(other, other_name, "Hi, anybody?")
        s.received(other)
        time.sleep(2)
        t.eq(len(team.emu.sent), 1, "mid-shift the acknowledgement waits again")
        pg.resume()
        t.ok(wait_for(lambda: len(team.emu.sent) == 2, timeout=40),
             "and goes out once the database is back")
        time.sleep(2)
        t.eq([m["recipient_id"] for m in team.emu.sent], [who, other],
             "one acknowledgement per customer, none twice")
        quit_clean(t, s)
    finally:
        if not pg.running:
            pg.resume()
        team.close()


def test_search_the_team(t, pg, hook):
    """/search reads the team's messages too: a message recorded before this
    client joined (older than the backfill) is found; with the database away
    the log's matches come alone, with a note."""
    team = Team(Facebook(), pg, hook, AGENTS[:1], db="search").start()
    s = team.sessions[0]
    try:
        who, name = ADA
        team.emu.add_customer_message(who, name, "My parcel 88 is late")
        s.received(who)
        team.sql("INSERT INTO branddm.message (platform, account, message_id, customer, "
                 "from_brand, text, created, recorded_at) VALUES ('facebook', '%s', 'm_old', "
                 "'%s', false, 'Where is parcel 77? 100%% paid', %d, now() - interval '30 days')"
                 % (s.p.username, GRACE[0], int(time.time()) - 30 * 86400))
        mark = s.client.mark()
        t.eq(command(s, who, "search PARCEL")["status"], "ok", "/search runs in team mode")
        ev = s.client.wait_event("notify", since=mark, timeout=15)
        rows = ev.get("rows") or []
        t.eq([r[4] for r in rows], ["My parcel 88 is late", "Where is parcel 77? 100% paid"],
             "the log's match and the team's older one, each once, newest first")
        t.ok(len(rows) == 2 and rows[1][1] == GRACE[0] and rows[1][2] == "customer",
             "the team's match names its customer (by id: the team knows no name)", rows)
        mark = s.client.mark()
        command(s, who, "search 100%")
        ev = s.client.wait_event("notify", since=mark, timeout=15)
        t.eq([r[4] for r in ev.get("rows") or []], ["Where is parcel 77? 100% paid"],
             "% is searched for literally, not as a wildcard")
        pg.pause()
        s.client.wait_event("notify", timeout=30, primary=lambda p: "unreachable" in (p or ""))
        mark = s.client.mark()
        command(s, who, "search parcel")
        ev = s.client.wait_event("notify", since=mark, timeout=15)
        t.eq([r[4] for r in ev.get("rows") or []], ["My parcel 88 is late"],
             "with the database away, the log's match still comes")
        t.ok("not reachable" in (ev.get("secondary") or ""), "with a note saying the team "
             "database was not searched", ev.get("secondary"))
        pg.resume()
        quit_clean(t, s)
    finally:
        if not pg.running:
            pg.resume()
        team.close()


t = Tap()
with PgServer() as pg:
    run_team_tests(t, pg, [("one acknowledgement from three clients", test_one_auto_reply),
                           ("no acknowledgement of what a colleague answered",
                            test_no_reply_to_the_answered),
                           ("a trigger and its webhook once", test_trigger_once),
                           ("unique tickets", test_unique_tickets),
                           ("a tag reaches a colleague", test_tag_reaches_colleague),
                           ("who said what", test_who_said_what),
                           ("assignment", test_assignment),
                           ("waiting lists and alerts", test_alerts_and_waiting),
                           ("one poller per account", test_one_poller),
                           ("a colleague is replying", test_colleague_typing),
                           ("an old team schema", test_old_schema),
                           ("the team database away and back", test_database_away),
                           ("/search reaches the team's messages", test_search_the_team)])
t.done()
