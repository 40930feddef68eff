#!/usr/bin/env python3
"""Sanity checks of the platform API emulators over real HTTP (urllib), and a
contract check that the built protocol modules and the emulators agree.

Prints TAP.  The module checks load $BUILD/plugins/branddm-*.bdm (BUILD
defaults to ./build); `make check` builds them first.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "emulators"))

from graph_emulator import GraphEmulator  # noqa: E402
from x_emulator import XEmulator, usage_capped_problem  # noqa: E402
from module_host import ModuleError, ModuleHost  # noqa: E402

TOKEN = "good-token"
BUILD = os.environ.get("BUILD") or os.path.join(HERE, "..", "..", "build")
HOUR = 3600
DAY = 24 * HOUR

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def equal(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def call(method, url, token=TOKEN, body=None, content_type="application/json"):
    """One HTTP request: (status, parsed JSON or raw text, headers)."""
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, raw, hdrs = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as exc:
        status, raw, hdrs = exc.code, exc.read(), exc.headers
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return status, parsed, {k.lower(): v for k, v in hdrs.items()}


def module_path(name):
    path = os.path.join(BUILD, "plugins", "branddm-%s.bdm" % name)
    check(os.path.exists(path), "module not built: %s" % path)
    return path


class Graph:
    """A started Graph emulator for one test."""

    def __init__(self, platform="messenger"):
        self.emu = GraphEmulator(platform=platform, page_id="1000", token=TOKEN,
                                 page_name="Acme")
        self.emu.start()
        self.platform = platform

    def __enter__(self):
        return self.emu

    def __exit__(self, *exc):
        self.emu.stop()


def conversations_url(emu, platform="messenger", extra=""):
    return (emu.base_url + "/1000/conversations?platform=%s&fields=participants,"
            "updated_time,messages{id,message,from,to,created_time}%s" % (platform, extra))


def graph_send(emu, recipient, text, mtype="RESPONSE", tag=None):
    body = {"recipient": {"id": recipient}, "messaging_type": mtype, "message": {"text": text}}
    if tag:
        body["tag"] = tag
    return call("POST", emu.base_url + "/1000/messages", body=body)


def graph_code(body):
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return error.get("code"), error.get("error_subcode")


# ---- Graph: authentication ------------------------------------------------------------

@test
def graph_requires_bearer_token():
    with Graph() as emu:
        for token in (None, "wrong-token", TOKEN + "x"):
            status, body, _ = call("GET", emu.base_url + "/1000?fields=id,name", token=token)
            equal(status, 400, "status for token %r" % token)
            equal(graph_code(body)[0], 190, "code for token %r" % token)
        status, body, _ = call("GET", emu.base_url + "/1000?fields=id,name")
        equal(status, 200, "good token")
        equal(body, {"id": "1000", "name": "Acme"}, "whoami body")
        status, body, _ = call("GET", emu.base_url + "/1000?fields=id,favourite_colour")
        equal(graph_code(body)[0], 100, "unknown field")


@test
def graph_expired_token():
    with Graph() as emu:
        emu.expire_token()
        status, body, _ = call("GET", emu.base_url + "/1000?fields=id")
        equal(graph_code(body), (190, 463), "expired token code/subcode")
        check("expired" in body["error"]["message"], "message says expired")


# ---- Graph: lists and paging ----------------------------------------------------------

@test
def graph_field_validation():
    with Graph() as emu:
        emu.add_customer_message("501", "Ann", "hi")
        base = emu.base_url + "/1000/conversations?platform=messenger&fields="
        for fields in ("participants,bogus", "messages{id,bogus}", "messages{id", "messagesid"):
            status, body, _ = call("GET", base + fields)
            equal((status, graph_code(body)[0]), (400, 100), "fields=%s" % fields)
        status, body, _ = call("GET", base + "snippet,message_count,messages{id,message}")
        equal(status, 200, "known fields")
        conv = body["data"][0]
        equal((conv["snippet"], conv["message_count"]), ("hi", 1), "extra fields rendered")
        equal(sorted(conv["messages"]["data"][0]), ["id", "message"], "only asked fields")
        status, body, _ = call("GET", emu.base_url + "/%s/messages?fields=id,bogus" % conv["id"])
        equal(graph_code(body)[0], 100, "messages edge checks fields too")


@test
def graph_conversation_paging():
    with Graph() as emu:
        now = time.time()
        for i in range(5):
            emu.add_customer_message("50%d" % i, "Customer %d" % i, "hello %d" % i,
                                     created=now - 100 * i)
        emu.set_page_size(2)
        url, seen, pages = conversations_url(emu), [], 0
        while url:
            status, body, _ = call("GET", url)
            equal(status, 200, "page status")
            check(len(body["data"]) <= 2, "page size honoured")
            seen += [c["participants"]["data"][0]["id"] for c in body["data"]]
            url = body.get("paging", {}).get("next")
            if url:
                check(url.startswith(emu.origin + "/v25.0/"), "next is absolute on own host")
                check("access_token=" in url, "next carries the token, as Graph's does")
                check("after=" in url, "next has an after cursor")
            pages += 1
        equal(pages, 3, "pages for 5 conversations of 2")
        equal(seen, ["500", "501", "502", "503", "504"], "newest first, no repeats")


@test
def graph_nested_messages_paging():
    with Graph() as emu:
        now = time.time()
        ids = [emu.add_customer_message("501", "Ann", "msg %d" % i, created=now - 50 + i)
               for i in range(5)]
        emu.set_page_size(2)
        status, body, _ = call("GET", conversations_url(emu))
        conv = body["data"][0]
        nested = conv["messages"]
        equal([m["id"] for m in nested["data"]], [ids[4], ids[3]], "inline newest two")
        check(nested["data"][0]["created_time"].endswith("+0000"), "Graph time format")
        url = nested["paging"]["next"]
        check("/%s/messages?" % conv["id"] in url, "nested next is the messages edge")
        got = []
        while url:
            status, page, _ = call("GET", url)
            equal(status, 200, "messages page")
            got += [m["id"] for m in page["data"]]
            url = page["paging"].get("next")
            check("previous" in page["paging"], "later pages link back")
        equal(got, [ids[2], ids[1], ids[0]], "older messages, newest first")


@test
def graph_instagram_keeps_20_newest():
    with Graph("instagram") as emu:
        now = time.time()
        ids = [emu.add_customer_message("601", "ann.ig", "m%d" % i, created=now - 100 + i)
               for i in range(25)]
        status, body, _ = call("GET", conversations_url(emu, "instagram"))
        equal(status, 200, "status")
        nested = body["data"][0]["messages"]
        equal([m["id"] for m in nested["data"]], list(reversed(ids[5:])), "20 newest")
        check("paging" not in nested or "next" not in nested["paging"], "no link to older")
        person = body["data"][0]["participants"]["data"][0]
        equal(person, {"username": "ann.ig", "id": "601"}, "Instagram participant shape")
        status, body, _ = call("GET", conversations_url(emu, "messenger"))
        equal(body["data"], [], "no Messenger conversations on the Instagram inbox")
        status, body, _ = call("GET", conversations_url(emu, "myspace"))
        equal(graph_code(body)[0], 100, "bad platform")


# ---- Graph: sending -------------------------------------------------------------------

@test
def graph_send_accepted_and_listed():
    with Graph() as emu:
        emu.add_customer_message("501", "Ann", "Where is my order?")
        status, body, _ = graph_send(emu, "501", "On its way!")
        equal(status, 200, "send status")
        check(body["recipient_id"] == "501" and body["message_id"], "send answer")
        equal(emu.sent, [{"recipient_id": "501", "text": "On its way!",
                          "messaging_type": "RESPONSE", "tag": None,
                          "message_id": body["message_id"]}], "sent log")
        status, listing, _ = call("GET", conversations_url(emu))
        newest = listing["data"][0]["messages"]["data"][0]
        equal(newest["from"]["id"], "1000", "brand's message listed, from the Page")
        equal(newest["message"], "On its way!", "text")


@test
def graph_send_window():
    with Graph() as emu:
        now = time.time()
        emu.add_customer_message("501", "Ann", "old", created=now - 25 * HOUR)
        emu.add_customer_message("502", "Bob", "older", created=now - 8 * DAY)
        status, body, _ = graph_send(emu, "501", "late reply")
        equal(graph_code(body), (10, 2018278), "RESPONSE after 24 h")
        status, body, _ = graph_send(emu, "501", "human reply", "MESSAGE_TAG", "HUMAN_AGENT")
        equal(status, 200, "HUMAN_AGENT within 7 days")
        status, body, _ = graph_send(emu, "502", "too late", "MESSAGE_TAG", "HUMAN_AGENT")
        equal(graph_code(body), (10, 2018278), "HUMAN_AGENT after 7 days")
        equal([s["text"] for s in emu.sent], ["human reply"], "only the accepted send")
        equal(emu.sent[0]["tag"], "HUMAN_AGENT", "tag recorded")


@test
def graph_send_validation():
    with Graph() as emu:
        emu.add_customer_message("501", "Ann", "hi")
        url = emu.base_url + "/1000/messages"
        cases = [
            ({"messaging_type": "RESPONSE", "message": {"text": "x"}}, (100, None)),
            ({"recipient": {"id": "999"}, "messaging_type": "RESPONSE",
              "message": {"text": "x"}}, (100, 2018001)),
            ({"recipient": {"id": "501"}, "message": {"text": "x"}}, (100, None)),
            ({"recipient": {"id": "501"}, "messaging_type": "RESPONSE", "message": {}},
             (100, None)),
            ({"recipient": {"id": "501"}, "messaging_type": "RESPONSE", "tag": "HUMAN_AGENT",
              "message": {"text": "x"}}, (100, None)),
            ({"recipient": {"id": "501"}, "messaging_type": "MESSAGE_TAG",
              "tag": "CONFIRMED_EVENT_UPDATE", "message": {"text": "x"}}, (100, None)),
            ({"recipient": {"id": "501"}, "messaging_type": "RESPONSE",
              "message": {"text": "é" * 2001}}, (100, None)),
        ]
        for body, expected in cases:
            status, answer, _ = call("POST", url, body=body)
            equal(status, 400, "status for %s" % json.dumps(body)[:60])
            equal(graph_code(answer), expected, "code for %s" % json.dumps(body)[:60])
        status, _, _ = call("POST", url, body="{not json")
        equal(status, 400, "non-JSON body")
        equal(emu.sent, [], "nothing accepted")
        # The near miss: exactly 2000 characters (4000 bytes) is fine.
        status, _, _ = graph_send(emu, "501", "é" * 2000)
        equal(status, 200, "2000 characters")
        # Graph also takes form bodies with JSON values.
        form = "recipient=%7B%22id%22%3A%22501%22%7D&messaging_type=RESPONSE" \
               "&message=%7B%22text%22%3A%22form%22%7D"
        status, _, _ = call("POST", url, body=form,
                            content_type="application/x-www-form-urlencoded")
        equal(status, 200, "form body")


@test
def graph_instagram_byte_limit():
    with Graph("instagram") as emu:
        emu.add_customer_message("601", "ann.ig", "hi")
        status, _, _ = graph_send(emu, "601", "é" * 500)          # 1000 bytes
        equal(status, 200, "1000 bytes")
        status, body, _ = graph_send(emu, "601", "€" * 334)       # 334 chars, 1002 bytes
        equal(graph_code(body)[0], 100, "1002 bytes refused")
        check("1000" in body["error"]["message"], "limit named")
        equal(len(emu.sent), 1, "one accepted")


# ---- Graph: fault injection and bookkeeping ---------------------------------------------

@test
def graph_fault_injection():
    with Graph() as emu:
        emu.add_customer_message("501", "Ann", "hi")
        whoami = emu.base_url + "/1000?fields=id"
        emu.fail_next(2, 503, "<html>busy</html>", {"Content-Type": "text/html"})
        for i in range(2):
            status, body, hdrs = call("GET", whoami)
            equal((status, body), (503, "<html>busy</html>"), "raw fault %d" % i)
            equal(hdrs["content-type"], "text/html", "fault header")
        equal(call("GET", whoami)[0], 200, "after the faults")

        emu.fail_next_send(1, 500)
        equal(call("GET", whoami)[0], 200, "GET untouched by a send fault")
        status, body, _ = graph_send(emu, "501", "x")
        equal((status, body), (500, None), "send fault, empty body")
        equal(graph_send(emu, "501", "y")[0], 200, "next send fine")

        emu.set_malformed_next(1)
        status, body, _ = call("GET", whoami)
        equal(status, 200, "malformed status")
        check(isinstance(body, str) and body.startswith("{"), "truncated JSON text")

        emu.rate_limit_next(1, retry_after=3)
        status, body, hdrs = call("GET", whoami)
        equal(graph_code(body)[0], 4, "throttled code")
        equal(hdrs.get("retry-after"), "3", "Retry-After")
        equal(call("GET", whoami)[0], 200, "after throttling")

        emu.set_latency(0.3)
        start = time.monotonic()
        call("GET", whoami)
        check(time.monotonic() - start >= 0.3, "latency applied")


@test
def graph_request_log_and_control():
    with Graph() as emu:
        port = emu.port
        status, body, _ = call("POST", "http://127.0.0.1:%d/_emulator/customer-message" % port,
                               token=None,
                               body={"customer_id": "501", "name": "Ann", "text": "hi"})
        equal(status, 200, "control: customer message")
        mid = body["message_id"]
        call("GET", emu.base_url + "/1000?fields=id,name", token="nope")
        status, _, _ = graph_send(emu, "501", "hello Ann")
        status, sent, _ = call("GET", "http://127.0.0.1:%d/_emulator/sent" % port, token=None)
        equal([s["text"] for s in sent], ["hello Ann"], "control: sent")
        log = emu.requests
        equal([(r["method"], r["path"], r["status"]) for r in log],
              [("GET", "/v25.0/1000", 400), ("POST", "/v25.0/1000/messages", 200)],
              "API requests only, with status")
        equal(log[0]["query"], {"fields": "id,name"}, "query as dict")
        equal(log[0]["headers"].get("authorization"), "Bearer nope", "lower-case headers")
        check(json.loads(log[1]["body"])["message"]["text"] == "hello Ann", "body kept")
        status, listing, _ = call("GET", conversations_url(emu))
        equal(listing["data"][0]["messages"]["data"][1]["id"], mid, "injected message listed")


# ---- contract: the built modules against the emulators ----------------------------------

@test
def contract_facebook_module():
    with Graph() as emu:
        now = int(time.time())
        for i in range(3):
            emu.add_customer_message("50%d" % i, "Customer %d" % i, "hi <b>%d</b>" % i,
                                     created=now - 60 * (i + 1))
        for i in range(4):
            emu.add_customer_message("500", "Customer 0", "more %d" % i, created=now - 10 + i)
        emu.set_page_size(2)
        host = ModuleHost(module_path("facebook"), emu.base_url, "1000", TOKEN)
        equal(host.whoami(), {"id": "1000", "name": "Acme"}, "whoami")
        pages, messages = host.poll_all()
        equal(len(messages), 7, "every message across list and nested pages")
        check(len(pages) > 2, "followed several cursors")
        equal(messages[[k for k, m in messages.items() if m["text"] == "hi <b>1</b>"][0]]
              ["sender_id"], "501", "sender")
        for log in emu.requests:
            check("access_token" not in log["query"], "no token in URL: %s" % log["path"])
            equal(log["headers"].get("authorization"), "Bearer " + TOKEN, "bearer header")
            equal(log["status"], 200, "every poll request accepted")
        result = host.send("501", "Thanks!", last_customer_message=now - 120)
        equal(emu.sent[-1]["message_id"], result["message_id"], "send id")
        equal(emu.sent[-1]["messaging_type"], "RESPONSE", "messaging type")
        # A window refusal happens before any HTTP.
        before = len(emu.requests)
        try:
            host.send("501", "late", last_customer_message=now - 2 * DAY)
            raise AssertionError("send outside the window was built")
        except ModuleError as exc:
            equal(exc.cls, "WINDOW", "window class")
        equal(len(emu.requests), before, "no request for a refused send")
        # The emulator's own refusal parses to the same class.
        emu.add_customer_message("777", "Old", "x", created=now - 2 * DAY)
        try:
            host.send("777", "human", last_customer_message=now - 60)   # host thinks recent
            raise AssertionError("emulator accepted an out-of-window send")
        except ModuleError as exc:
            equal((exc.cls, exc.code, exc.subcode), ("WINDOW", 10, 2018278), "platform window")


@test
def contract_facebook_errors():
    with Graph() as emu:
        host = ModuleHost(module_path("facebook"), emu.base_url, "1000", TOKEN)
        cases = [
            (lambda: emu.rate_limit_next(1, retry_after=3), ("RATE_LIMIT", 4, 3)),
            (lambda: emu.set_malformed_next(1), ("MALFORMED", 0, 0)),
            (lambda: emu.fail_next(1, 502, "<html>Bad Gateway</html>"), ("TRANSIENT", 0, 0)),
            (emu.expire_token, ("AUTH", 190, 0)),
        ]
        for arrange, expected in cases:
            arrange()
            try:
                host.poll_page()
                raise AssertionError("poll succeeded despite %r" % (expected,))
            except ModuleError as exc:
                equal((exc.cls, exc.code, exc.retry_after), expected, "error class")
        bad = ModuleHost(module_path("facebook"), emu.base_url, "1000", "stolen")
        try:
            bad.whoami()
            raise AssertionError("whoami with a wrong token succeeded")
        except ModuleError as exc:
            equal((exc.cls, exc.code), ("AUTH", 190), "wrong token")


@test
def contract_instagram_module():
    with Graph("instagram") as emu:
        now = int(time.time())
        for i in range(22):
            emu.add_customer_message("601", "ann.ig", "m%d" % i, created=now - 100 + i)
        emu.add_customer_message("602", "bob.ig", "hello", created=now - 5)
        host = ModuleHost(module_path("instagram"), emu.base_url, "1000", TOKEN)
        equal(host.whoami()["id"], "1000", "whoami")
        pages, messages = host.poll_all()
        equal(len(messages), 21, "20 newest of one conversation plus one")
        equal(pages[0]["gap"], 1, "full conversation flagged as a possible gap")
        names = {c["customer_id"]: c["customer_name"] for c in pages[0]["conversations"]}
        equal(names, {"601": "ann.ig", "602": "bob.ig"}, "usernames as names")
        host.send("602", "é" * 500, last_customer_message=now - 5)
        try:
            host.check_send("602", "€" * 334, last_customer_message=now - 5)
            raise AssertionError("1002 bytes passed the module's check")
        except ModuleError as exc:
            equal(exc.cls, "INVALID", "byte limit class")
        equal(len(emu.sent), 1, "one send")


# ---- X --------------------------------------------------------------------------------

class X:
    """A started X emulator for one test."""

    def __init__(self):
        self.emu = XEmulator(user_id="2000", token=TOKEN, name="Acme")
        self.emu.start()

    def __enter__(self):
        return self.emu

    def __exit__(self, *exc):
        self.emu.stop()


DM_EVENTS = ("/dm_events?dm_event.fields=id,text,event_type,dm_conversation_id,created_at,"
             "sender_id&expansions=sender_id&user.fields=name,username&max_results=100")


def x_send(emu, participant, text):
    return call("POST", emu.base_url + "/dm_conversations/with/%s/messages" % participant,
                body={"text": text})


@test
def x_requires_bearer_token():
    with X() as emu:
        for token in (None, "wrong-token"):
            status, body, _ = call("GET", emu.base_url + "/users/me", token=token)
            equal(status, 401, "status for token %r" % token)
            equal(body["title"], "Unauthorized", "problem title")
        status, body, hdrs = call("GET", emu.base_url + "/users/me")
        equal(status, 200, "good token")
        equal(body, {"data": {"id": "2000", "name": "Acme", "username": "acme"}}, "me")
        check(hdrs["content-type"].startswith("application/json"), "JSON answer")
        emu.expire_token()
        equal(call("GET", emu.base_url + "/users/me")[0], 401, "expired token")


@test
def x_dm_events_paging():
    with X() as emu:
        now = time.time()
        ids = [emu.add_customer_message("30%d" % i, "Customer %d" % i, "hi %d" % i,
                                        created=now - 100 + i) for i in range(5)]
        emu.add_customer_message("999", "Too Old", "ancient", created=now - 31 * DAY)
        emu.set_page_size(2)
        url, got, pages = emu.base_url + DM_EVENTS, [], 0
        while url:
            status, body, _ = call("GET", url)
            equal(status, 200, "page status")
            equal(body["meta"]["result_count"], len(body["data"]), "result_count")
            for event in body["data"]:
                equal(event["event_type"], "MessageCreate", "event type")
                check(event["created_at"].endswith(".000Z"), "X time format")
                equal(event["dm_conversation_id"],
                      "-".join(sorted((event["sender_id"], "2000"), key=int)),
                      "numerically smaller id first in the conversation id")
            names = {u["id"]: u["name"] for u in body["includes"]["users"]}
            check(all(names.get(e["sender_id"]) for e in body["data"]), "senders expanded")
            got += [e["id"] for e in body["data"]]
            token = body["meta"].get("next_token")
            url = emu.base_url + DM_EVENTS + "&pagination_token=" + token if token else None
            pages += 1
        equal(pages, 3, "pages")
        equal(got, list(reversed(ids)), "newest first, 30 days only")
        for bad in ("&max_results=0", "&max_results=101", "&pagination_token=garbage!",
                    "&dm_event.fields=id,colour"):
            status, body, _ = call("GET", emu.base_url + "/dm_events?x=1" + bad)
            equal(status, 400, "invalid %s" % bad)
            check(body.get("errors"), "errors list for %s" % bad)
        status, body, _ = call("GET", emu.base_url + "/dm_events?max_results=1")
        equal(sorted(body["data"][0]), ["event_type", "id", "text"], "default fields")


@test
def x_send_accepted_and_refused():
    with X() as emu:
        emu.add_customer_message("3001", "Carla", "hi")
        status, body, hdrs = x_send(emu, "3001", "Hello Carla")
        equal(status, 201, "send status")
        equal(body["data"]["dm_conversation_id"], "2000-3001", "conversation id")
        check("x-rate-limit-remaining" in hdrs, "rate headers on sends")
        equal(emu.sent, [{"recipient_id": "3001", "text": "Hello Carla", "messaging_type": None,
                          "tag": None, "message_id": body["data"]["dm_event_id"]}], "sent log")
        equal(x_send(emu, "3001", "é" * 10000)[0], 201, "10000 characters")
        status, body, _ = x_send(emu, "3001", "é" * 10001)
        equal((status, body["title"]), (400, "Invalid Request"), "10001 characters")
        equal(x_send(emu, "4040", "hi")[0], 403, "unknown participant")
        equal(x_send(emu, "30a1", "hi")[0], 400, "non-numeric participant")
        equal(x_send(emu, "3001", "")[0], 400, "empty text")
        equal(len(emu.sent), 2, "two accepted")
        status, body, _ = call("GET", emu.base_url + DM_EVENTS)
        equal(body["data"][0]["sender_id"], "2000", "brand's message listed first")


@test
def x_rate_limits():
    with X() as emu:
        emu.set_rate_limits(reads=2)
        remaining = [call("GET", emu.base_url + "/users/me")[2]["x-rate-limit-remaining"]
                     for _ in range(2)]
        equal(remaining, ["1", "0"], "remaining counts down")
        status, body, hdrs = call("GET", emu.base_url + DM_EVENTS)
        equal(status, 429, "over the limit")
        check(int(hdrs["x-rate-limit-reset"]) > time.time(), "reset in the future")
    with X() as emu:
        emu.rate_limit_next(1, retry_after=5)
        status, body, hdrs = call("GET", emu.base_url + "/users/me")
        equal((status, hdrs["x-rate-limit-remaining"]), (429, "0"), "injected throttling")
        check(abs(int(hdrs["x-rate-limit-reset"]) - (time.time() + 5)) <= 2, "reset")
        equal(call("GET", emu.base_url + "/users/me")[0], 200, "then fine")


@test
def x_fault_injection():
    with X() as emu:
        emu.add_customer_message("3001", "Carla", "hi")
        emu.fail_next(1, 503)
        equal(call("GET", emu.base_url + "/users/me")[:2], (503, None), "raw fault")
        emu.fail_next_send(1, 429, usage_capped_problem())
        equal(call("GET", emu.base_url + "/users/me")[0], 200, "GET untouched")
        status, body, _ = x_send(emu, "3001", "x")
        equal((status, body["title"]), (429, "UsageCapExceeded"), "send fault")
        emu.set_malformed_next(1)
        status, body, _ = call("GET", emu.base_url + DM_EVENTS)
        check(status == 200 and isinstance(body, str), "truncated JSON")
        emu.add_participants_join("1582838223456", ["3001", "3002"])
        status, body, _ = call("GET", emu.base_url + DM_EVENTS)
        equal(body["data"][0]["event_type"], "ParticipantsJoin", "join events listed")
        check("text" not in body["data"][0], "join has no text")


@test
def contract_x_module():
    with X() as emu:
        now = int(time.time())
        emu.add_customer_message("3001", "Carla", "Is the shop open <today>?", created=now - 50)
        emu.add_customer_message("150", "Dan", "hello", created=now - 40)
        emu.add_participants_join("1582838223456", ["3001", "150"], created=now - 30)
        emu.set_page_size(2)
        host = ModuleHost(module_path("x"), emu.base_url, "2000", TOKEN)
        equal(host.whoami(), {"id": "2000", "name": "Acme"}, "whoami")
        host.send("3001", "Yes, until 6pm.", last_customer_message=0)
        pages, messages = host.poll_all()
        equal(len(pages), 2, "two pages of two events")
        equal(sorted(m["text"] for m in messages.values()),
              ["Is the shop open <today>?", "Yes, until 6pm.", "hello"], "messages")
        mine = [m for m in messages.values() if m["from_brand"]]
        equal([(m["recipient_id"], m["conversation_id"]) for m in mine],
              [("3001", "2000-3001")], "brand's message")
        dan = [m for m in messages.values() if m["sender_id"] == "150"][0]
        equal((dan["sender_name"], dan["recipient_id"]), ("Dan", "2000"), "customer message")
        customers = {c["customer_id"] for p in pages for c in p["conversations"]}
        equal(customers, {"3001", "150"}, "conversations")
        emu.fail_next_send(1, 429, usage_capped_problem(), {"x-rate-limit-reset": str(now + 60)})
        try:
            host.send("3001", "again", last_customer_message=0)
            raise AssertionError("usage-capped send succeeded")
        except ModuleError as exc:
            equal(exc.cls, "REFUSED", "usage cap is not retried")
        emu.rate_limit_next(1, retry_after=30)
        try:
            host.poll_page()
            raise AssertionError("throttled poll succeeded")
        except ModuleError as exc:
            equal(exc.cls, "RATE_LIMIT", "throttled")
            check(25 <= exc.retry_after <= 31, "retry_after from reset: %d" % exc.retry_after)
        # Allow exactly one more read (injected throttling did not count).
        spent = [r for r in emu.requests if r["method"] == "GET" and r["status"] != 429]
        emu.set_rate_limits(reads=len(spent) + 1)
        page = host.poll_page()
        check(page["not_before"] > time.time(), "last allowed read sets not_before")
        for log in emu.requests:
            equal(log["headers"].get("authorization"), "Bearer " + TOKEN, "bearer header")


# ---- sending files: the modules' uploads against the emulators -------------------------

PNG = (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"
       b"\r\n--not-a-boundary\r\n" + bytes(range(256)))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def expect_module_error(fn, cls, what):
    try:
        fn()
    except ModuleError as exc:
        equal(exc.cls, cls, what)
        return exc
    raise AssertionError("%s: no error" % what)


@test
def contract_facebook_sends_files():
    with Graph() as emu:
        now = int(time.time())
        emu.add_customer_message("501", "Ann", "my order is broken", created=now - 60)
        host = ModuleHost(module_path("facebook"), emu.base_url, "1000", TOKEN)
        check(host.can_upload(), "the Facebook module sends files")
        for data, name, mime, kind in ((PNG, "photo.png", "image/png", "image"),
                                       (PDF, "return label.pdf", "application/pdf", "file")):
            aid = host.upload(data, name, mime, kind, "501")
            upload = emu.requests[-1]
            equal((upload["path"], upload["status"]), ("/v25.0/1000/message_attachments", 200),
                  "upload request")
            check(upload["headers"]["content-type"].startswith("multipart/form-data; boundary="),
                  "multipart upload")
            sent = host.send("501", "", last_customer_message=now - 60, attachment=(aid, kind))
            last = emu.sent[-1]
            equal(last["message_id"], sent["message_id"], "send id")
            equal((last["attachment"]["attachment_id"], last["attachment"]["type"]),
                  (aid, kind), "the send names the uploaded attachment")
            equal((last["attachment"]["name"], last["attachment"]["mime_type"],
                   last["attachment"]["size"]), (name, mime, len(data)),
                  "the emulator got the file whole")
            equal(last["attachment"]["sha256"], hashlib.sha256(data).hexdigest(), "same bytes")
        for log in emu.requests:
            check("access_token" not in log["query"], "no token in URL: %s" % log["path"])


@test
def contract_facebook_upload_failures():
    with Graph() as emu:
        now = int(time.time())
        emu.add_customer_message("501", "Ann", "hi", created=now - 60)
        host = ModuleHost(module_path("facebook"), emu.base_url, "1000", TOKEN)
        # Declared an image, but the content is a PDF: refused by the platform.
        exc = expect_module_error(lambda: host.upload(PDF, "x.png", "image/png", "image"),
                                  "INVALID", "wrong content")
        check("not a valid image" in exc.message, "the platform's reason: %s" % exc.message)
        exc = expect_module_error(
            lambda: host.send("501", "", now - 60, attachment=("999", "file")),
            "INVALID", "unknown attachment id")
        check("999" in exc.message, "names the id")
        emu.fail_next(1, 400, {"error": {"message": "(#100) Upload attachment failure.",
                                         "type": "OAuthException", "code": 100}})
        exc = expect_module_error(lambda: host.upload(PNG, "a.png", "image/png", "image"),
                                  "INVALID", "HTTP 400")
        check("Upload attachment failure" in exc.message, "reason kept: %s" % exc.message)
        emu.expire_token()
        expect_module_error(lambda: host.upload(PNG, "a.png", "image/png", "image"), "AUTH",
                            "expired token")


@test
def contract_instagram_sends_no_files():
    with Graph("instagram") as emu:
        host = ModuleHost(module_path("instagram"), emu.base_url, "1000", TOKEN)
        check(not host.can_upload(), "no upload functions: the host says it cannot")
        status, body, _ = call("POST", emu.base_url + "/1000/message_attachments", body="x",
                               content_type="multipart/form-data; boundary=b")
        equal(status, 400, "the emulator takes no Instagram uploads either")


@test
def contract_x_sends_images():
    with X() as emu:
        emu.add_customer_message("3001", "Carla", "photo please")
        host = ModuleHost(module_path("x"), emu.base_url, "2000", TOKEN)
        check(host.can_upload(), "the X module sends files")
        mid = host.upload(PNG, "photo.png", "image/png", "image", "3001")
        upload = emu.requests[-1]
        equal((upload["path"], upload["status"]), ("/2/media/upload", 200), "upload on the base")
        sent = host.send("3001", "Here it is", 0, attachment=(mid, "image"))
        last = emu.sent[-1]
        equal((last["message_id"], last["text"]), (sent["message_id"], "Here it is"), "the DM")
        equal((last["attachment"]["media_id"], last["attachment"]["category"],
               last["attachment"]["size"]), (mid, "dm_image", len(PNG)), "names the media")
        equal(last["attachment"]["sha256"], hashlib.sha256(PNG).hexdigest(), "same bytes")
        mid = host.upload(PNG, "again.png", "image/png", "image", "3001")
        host.send("3001", "", 0, attachment=(mid, "image"))
        equal((emu.sent[-1]["text"], emu.sent[-1]["attachment"]["media_id"]), ("", mid),
              "a picture without text")


@test
def contract_x_upload_failures():
    with X() as emu:
        emu.add_customer_message("3001", "Carla", "hi")
        host = ModuleHost(module_path("x"), emu.base_url, "2000", TOKEN)
        exc = expect_module_error(lambda: host.upload(PDF, "l.pdf", "application/pdf", "file"),
                                  "REFUSED", "documents")
        check("link" in exc.message, "what to do instead: %s" % exc.message)
        check(not any(r["path"] == "/2/media/upload" for r in emu.requests),
              "refused before any upload")
        exc = expect_module_error(lambda: host.upload(PDF, "x.png", "image/png", "image"),
                                  "INVALID", "content is not the image it claims")
        check("media type unrecognized" in exc.message, "X's reason: %s" % exc.message)
        expect_module_error(lambda: host.send("3001", "", 0, attachment=("123", "image")),
                            "INVALID", "unknown media id")
        emu.expire_token()
        expect_module_error(lambda: host.upload(PNG, "a.png", "image/png", "image"), "AUTH",
                            "expired token")


def preload_sanitizer_runtime():
    """Modules from `make check-asan` need the ASan runtime loaded first, which
    python3 does not do: run this script again with it preloaded.  Leak
    checking stays off there (Python itself never frees everything); the
    unit tests check the modules for leaks."""
    path = os.path.join(BUILD, "plugins", "branddm-facebook.bdm")
    if not os.path.exists(path) or "libasan" in os.environ.get("LD_PRELOAD", ""):
        return
    deps = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout
    found = re.search(r"libasan\.so\S* => (\S+)", deps)
    if not found:
        return
    env = dict(os.environ, LD_PRELOAD=found.group(1),
               ASAN_OPTIONS="detect_leaks=0:" + os.environ.get("ASAN_OPTIONS", ""))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    preload_sanitizer_runtime()
    print("1..%d" % len(TESTS), flush=True)
    failed = 0
    for number, fn in enumerate(TESTS, 1):
        try:
            fn()
            print("ok %d - %s" % (number, fn.__name__), flush=True)
        except Exception:  # report and carry on with the next check
            failed += 1
            print("not ok %d - %s" % (number, fn.__name__), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
