#!/usr/bin/env python3
"""Smoke test of bdm-testclient and harness.py against the dummy protocol.

Every client command is exercised end to end through libpurple with
build/tests/plugins/dummy.so (tests/client/dummy_prpl.c), including the
refusals: a harness that cannot see failures cannot test the plugin.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Client, ClientError, Tap, build_path  # noqa: E402

DUMMY = "prpl-bdmtest-dummy"
PLUGINS = [build_path("tests", "plugins")]
TRICKY = 'hi <b>there</b> & "quotes" \u00fcn\u00efc\u00f8d\u00e9 \u2603\nline two\ttab \\ back'


def new_client(**kwargs):
    return Client(plugin_paths=PLUGINS, **kwargs)


def account(username, **extra):
    command = {"protocol": DUMMY, "username": username}
    command.update(extra)
    return command


def add_and_connect(c, username="agent", password="pw", options=None):
    c.cmd(dict(account(username, password=password, options=options or {}),
               cmd="account-add"))
    c.cmd(dict(account(username), cmd="account-enable"))
    return c.wait_event("connection", account=username, state="connected")


def find_account(c, username):
    for item in c.cmd({"cmd": "accounts"})["accounts"]:
        if item["account"] == username and item["protocol"] == DUMMY:
            return item
    return None


def test_ready(t):
    with new_client() as c:
        t.ok(DUMMY in c.ready["protocols"], "ready lists the dummy protocol",
             c.ready["protocols"])
        t.ok("prpl-jabber" in c.ready["protocols"],
             "ready lists libpurple's own protocols too", c.ready["protocols"])
        t.ok(isinstance(c.ready["pid"], int) and c.ready["pid"] == c.proc.pid,
             "ready reports the client's pid")
        t.eq(c.cmd({"cmd": "accounts"})["accounts"], [], "a fresh purple dir has no accounts")
        t.eq(c.quit(), 0, "quit exits with status 0")


def test_accounts(t):
    with new_client() as c:
        r = c.cmd(dict(account("agent", password="pw", alias="Desk",
                                options={"echo_prefix": "E: ", "echo_delay_ms": 20,
                                         "echo_enabled": True, "typo_option": 1}),
                       cmd="account-add"))
        t.eq(r["undeclared_options"], ["typo_option"],
             "account-add reports options the protocol does not declare")
        info = find_account(c, "agent")
        t.eq((info["enabled"], info["state"], info["has_password"], info["alias"]),
             (False, "disconnected", True, "Desk"),
             "a new account is stored disabled, offline, with its password")
        t.ok("pw" not in str(info), "accounts never shows the password")

        r = c.cmd(dict(account("agent", password="x"), cmd="account-add"), check=False)
        t.ok(not r["ok"] and "already exists" in r["error"], "adding it twice is refused",
             r)
        r = c.cmd(dict(account("other", options={"echo_delay_ms": "fast"}),
                       cmd="account-add"), check=False)
        t.ok(not r["ok"] and "echo_delay_ms" in r["error"],
             "an option of the wrong type is refused", r)
        t.eq(find_account(c, "other"), None, "a refused account-add creates nothing")
        r = c.cmd({"cmd": "account-add", "protocol": "prpl-nope", "username": "x"},
                  check=False)
        t.ok(not r["ok"] and "prpl-nope" in r["error"], "an unknown protocol is refused", r)
        r = c.cmd({"cmd": "account-add", "protocol": DUMMY, "username": "x",
                   "options": {"big": 2 ** 40}}, check=False)
        t.ok(not r["ok"] and "32-bit" in r["error"],
             "an integer option beyond a C int is refused", r)

        c.cmd(dict(account("agent"), cmd="account-enable"))
        connecting = c.wait_event("connection", account="agent", state="connecting")
        connected = c.wait_event("connection", account="agent", state="connected")
        t.ok(c.events_seen().index(connecting) < c.events_seen().index(connected),
             "connecting is reported before connected")
        buddy = c.wait_event("buddy", name="alice", alias="Alice Example")
        t.eq((buddy["group"], buddy["server_alias"]), ("Dummy customers", "Alice Example"),
             "the protocol's buddy and server alias are reported")
        t.eq(find_account(c, "agent")["state"], "connected", "accounts shows it connected")
        buddies = c.cmd({"cmd": "buddies"})["buddies"]
        t.eq([(b["name"], b["alias"]) for b in buddies], [("alice", "Alice Example")],
             "buddies lists the buddy with its alias")

        c.cmd(dict(account("agent"), cmd="account-disable"))
        c.wait_event("connection", account="agent", state="disconnected")
        info = find_account(c, "agent")
        t.eq((info["enabled"], info["state"]), (False, "disconnected"),
             "account-disable disconnects and disables")
        r = c.cmd(dict(account("ghost"), cmd="account-enable"), check=False)
        t.ok(not r["ok"] and "ghost" in r["error"], "enabling an unknown account is refused")


def test_send_escapes_typed_text(t):
    with new_client() as c:
        add_and_connect(c, options={"echo_prefix": "E: ", "echo_delay_ms": 30})
        c.cmd(dict(account("agent", who="bob", text="a <b> & c"), cmd="send"))
        mine = c.wait_event("write", conv="bob", flags="send")
        t.eq(mine["text"], "a &lt;b&gt; &amp; c", "typed text is escaped like the UIs' entries do")


def test_send_and_echo(t):
    with new_client() as c:
        add_and_connect(c, options={"echo_prefix": "E: ", "echo_delay_ms": 30})
        # "html": true hands the text to libpurple as markup, unchanged.
        r = c.cmd(dict(account("agent", who="alice", text=TRICKY), cmd="send", html=True))
        t.eq(r["conv"], "alice", "send opens the conversation")
        mine = c.wait_event("write", conv="alice", flags="send")
        t.eq(mine["text"], TRICKY, "the local echo shows the text unchanged")
        sent = c.wait_event("sent-im", who="alice")
        t.eq(sent["text"], TRICKY, "sent-im carries the text")
        got = c.wait_event("received-im", who="alice")
        t.eq(got["text"], "E: " + TRICKY, "the echo arrives with the configured prefix")
        shown = c.wait_event("write", conv="alice", flags="recv")
        t.eq((shown["text"], shown["alias"]), ("E: " + TRICKY, "Alice Example"),
             "the echo is written to the conversation under the buddy's alias")
        t.ok("send" not in shown["flags"], "an incoming message is not flagged send")
        convs = c.cmd({"cmd": "conversations"})["conversations"]
        t.eq([(x["conv"], x["type"], x["account"]) for x in convs], [("alice", "im", "agent")],
             "conversations lists the open IM")

        # Near miss: same send, but the protocol drops it.
        add_and_connect(c, "quiet", options={"echo_enabled": False})
        mark = c.mark()
        c.cmd(dict(account("quiet", who="bob", text="anyone?"), cmd="send"))
        t.ok(c.no_event("received-im", within=0.5, since=mark, account="quiet"),
             "no echo arrives when the protocol swallows the message")

        c.cmd(dict(account("quiet"), cmd="account-disable"))
        c.wait_event("connection", account="quiet", state="disconnected")
        r = c.cmd(dict(account("quiet", who="bob", text="x"), cmd="send"), check=False)
        t.ok(not r["ok"] and "not connected" in r["error"],
             "sending on a disconnected account is refused", r)
        r = c.cmd(dict(account("agent", who="alice"), cmd="send"), check=False)
        t.ok(not r["ok"], "send needs text or compose", r)


def test_commands(t):
    with new_client() as c:
        add_and_connect(c)
        r = c.cmd(dict(account("agent", who="alice", line="dummyecho hello <world>"),
                       cmd="command"))
        t.eq((r["status"], r["cmd_error"]), ("ok", None), "a registered command runs")
        w = c.wait_event("write", conv="alice", flags="system")
        t.ok("hello" in w["text"] and "world" in w["text"],
             "the command's output is written to the conversation", w)
        r = c.cmd(dict(account("agent", who="alice", line="dummyech hello"), cmd="command"))
        t.eq(r["status"], "not-found", "a one-letter typo is not-found")
        r = c.cmd(dict(account("agent", who="alice", line="dummycompose"), cmd="command"))
        t.eq(r["status"], "wrong-args", "a missing argument is wrong-args")
        r = c.cmd(dict(account("agent", who="alice", line="/dummyecho x"), cmd="command"),
                  check=False)
        t.ok(not r["ok"] and "leading" in r["error"], "a line with its slash is refused")
        t.ok(not c.events_seen("sent-im"), "no command line was sent as a message")


def test_requests(t):
    with new_client() as c:
        add_and_connect(c)
        c.cmd(dict(account("agent", label="Ask a question"), cmd="action"))
        req = c.wait_event("request", kind="action")
        t.eq((req["actions"], req["default"], req["primary"]), (["Red", "Blue"], 1, "Pick a colour"),
             "an action request is reported with its labels and default")
        t.ok(c.no_event("notify", within=0.5), "an unanswered request stays pending")
        pending = c.cmd({"cmd": "requests"})["requests"]
        t.eq([p["request"] for p in pending], [req["request"]], "requests lists it")

        r = c.cmd({"cmd": "request-answer", "request": req["request"], "action": 2},
                  check=False)
        t.ok(not r["ok"] and "no action 2" in r["error"], "an action index out of range is refused")
        r = c.cmd({"cmd": "request-answer", "request": req["request"] + 100, "action": 0},
                  check=False)
        t.ok(not r["ok"] and "no pending request" in r["error"], "an unknown request is refused")
        t.eq(len(c.cmd({"cmd": "requests"})["requests"]), 1, "refused answers leave it pending")

        c.cmd({"cmd": "request-answer", "request": req["request"], "action": 0})
        n = c.wait_event("notify", title="Answer")
        t.eq((n["type"], n["primary"]), ("info", "You picked Red"), "the chosen callback ran")
        c.wait_event("request-closed", request=req["request"])
        r = c.cmd({"cmd": "request-answer", "request": req["request"], "action": 0},
                  check=False)
        t.ok(not r["ok"], "an answered request cannot be answered twice")

        c.cmd(dict(account("agent", label="Ask for text"), cmd="action"))
        req = c.wait_event("request", kind="input")
        t.eq((req["actions"], req["default_text"]), (["OK", "Cancel"], "default text"),
             "an input request is reported with its default text")
        c.cmd({"cmd": "request-answer", "request": req["request"], "action": 0,
               "text": "typed <x> & \"y\""})
        n = c.wait_event("notify", primary="You typed")
        t.eq(n["secondary"], "typed <x> & \"y\"", "the input callback got the text")

        c.cmd({"cmd": "request-policy", "auto": True})
        c.cmd(dict(account("agent", label="Ask a question"), cmd="action"))
        n = c.wait_event("notify", title="Answer")
        t.eq(n["primary"], "You picked Blue", "auto policy answers with the default action")
        c.cmd({"cmd": "request-policy", "auto": True, "action": 0})
        c.cmd(dict(account("agent", label="Ask a question"), cmd="action"))
        n = c.wait_event("notify", title="Answer")
        t.eq(n["primary"], "You picked Red", "auto policy can pick another action")
        c.cmd({"cmd": "request-policy", "auto": False})
        c.cmd(dict(account("agent", label="Ask a question"), cmd="action"))
        c.wait_event("request", kind="action")
        t.ok(c.no_event("notify", within=0.5), "with auto off, requests wait again")


def test_missing_password(t):
    with new_client() as c:
        c.cmd(dict(account("nopw"), cmd="account-add"))
        c.cmd(dict(account("nopw"), cmd="account-enable"))
        req = c.wait_event("request", kind="fields")
        ids = [f["id"] for f in req["fields"]]
        t.ok("password" in ids, "libpurple asks for the missing password", req)
        t.ok(c.no_event("connection", within=0.5, state="connected"),
             "the account waits for the answer")
        r = c.cmd({"cmd": "request-answer", "request": req["request"], "action": 0,
                   "fields": {"nonexistent": "x"}}, check=False)
        t.ok(not r["ok"] and "nonexistent" in r["error"], "an unknown field is refused")
        c.cmd({"cmd": "request-answer", "request": req["request"], "action": 0,
               "fields": {"password": "pw"}})
        t.ok(c.saw("connection", account="nopw", state="connected"),
             "answering the password request connects")


def test_notify_and_actions(t):
    with new_client() as c:
        add_and_connect(c)
        labels = c.cmd(dict(account("agent"), cmd="actions"))["actions"]
        t.eq(labels, ["Ask a question", "Ask for text", "Show notice", "Drop connection",
                      "Print to stdout"],
             "actions lists the labels without separators")
        c.cmd(dict(account("agent", label="Show notice"), cmd="action"))
        n = c.wait_event("notify", title="Notice")
        t.eq((n["type"], n["primary"], n["secondary"]),
             ("info", "Dummy notice", "<b>bold</b> & \"quoted\""),
             "a notification arrives with its text intact")
        r = c.cmd(dict(account("agent", label="Show notic"), cmd="action"), check=False)
        t.ok(not r["ok"] and "no action" in r["error"], "a near-miss label is refused")
        c.cmd(dict(account("agent", label="Print to stdout"), cmd="action"))
        c.cmd({"cmd": "accounts"})
        t.ok(not c.events_seen("_bad_output"), "a plugin's printf does not reach the events")
        t.ok("stray output from the dummy protocol" in c.stderr_text(),
             "it lands in the debug log instead")


def test_connection_errors(t):
    with new_client() as c:
        c.cmd(dict(account("bad", password="wrong"), cmd="account-add"))
        c.cmd(dict(account("bad"), cmd="account-enable"))
        e = c.wait_event("connection-error", account="bad")
        t.eq((e["reason"], e["reason_name"], e["description"]),
             (2, "authentication-failed", "Incorrect password"),
             "a refused login reports its reason")
        c.wait_event("connection", account="bad", state="disconnected")
        t.ok(not c.events_seen("connection", account="bad", state="connected"),
             "the refused account never connected")
        c.cmd(dict(account("bad", password="right"), cmd="account-set-password"))
        c.cmd(dict(account("bad"), cmd="account-enable"))
        t.ok(c.saw("connection", account="bad", state="connected"),
             "a corrected password connects")
        c.cmd(dict(account("bad", label="Drop connection"), cmd="action"))
        e = c.wait_event("connection-error", account="bad")
        t.eq(e["reason_name"], "network-error", "a dropped connection is a network error")


def test_prefs(t):
    with new_client() as c:
        base = "/plugins/core/bdmtest"
        for kind, value in (("string", "v\u00e4lue \"q\""), ("int", -42), ("bool", True)):
            path = "%s/%s" % (base, kind)
            r = c.cmd({"cmd": "pref-set", "path": path, "type": kind, "value": value})
            t.eq((r["type"], r["value"]), (kind, value), "pref-set %s answers the value" % kind)
            r = c.cmd({"cmd": "pref-get", "path": path})
            t.eq((r["type"], r["value"]), (kind, value), "pref-get %s reads it back" % kind)
        r = c.cmd({"cmd": "pref-set", "path": base + "/int", "type": "string",
                   "value": "7"}, check=False)
        t.ok(not r["ok"] and "another type" in r["error"], "changing a pref's type is refused")
        t.eq(c.cmd({"cmd": "pref-get", "path": base + "/int"})["value"], -42,
             "the refused set left the value alone")
        r = c.cmd({"cmd": "pref-set", "path": base + "/n", "type": "int", "value": "7"},
                  check=False)
        t.ok(not r["ok"], "a value of the wrong JSON type is refused")
        r = c.cmd({"cmd": "pref-get", "path": base + "/missing"}, check=False)
        t.ok(not r["ok"] and "no pref" in r["error"], "a missing pref is an error")
        r = c.cmd({"cmd": "pref-get", "path": "plugins/x"}, check=False)
        t.ok(not r["ok"], "a relative path is refused")
        r = c.cmd({"cmd": "pref-set", "path": base + "/f", "type": "float", "value": 1},
                  check=False)
        t.ok(not r["ok"] and "float" in r["error"], "an unknown pref type is refused")


def test_ipc(t):
    with new_client() as c:
        def ipc(command, args, **kw):
            return c.cmd({"cmd": "plugin-ipc", "plugin": DUMMY, "command": command,
                          "args": args}, **kw)
        t.eq(ipc("echo-args", ["a", None, "c \"q\""])["value"], "a|(null)|c \"q\"",
             "a three-string IPC command gets its arguments")
        t.eq(ipc("echo-args", [])["value"], "(null)|(null)|(null)",
             "missing arguments are passed as NULL")
        t.eq(ipc("echo-one", ["x"])["value"], "[x]", "a one-argument IPC command works")
        r = ipc("count-args", ["a"], check=False)
        t.ok(not r["ok"] and "string" in r["error"],
             "an IPC command returning an int is refused, not called")
        r = ipc("echo-arg", ["a"], check=False)
        t.ok(not r["ok"] and "no IPC command" in r["error"], "an unknown IPC command is refused")
        r = ipc("echo-args", ["1", "2", "3", "4"], check=False)
        t.ok(not r["ok"], "more than three arguments are refused")
        r = ipc("echo-args", [1], check=False)
        t.ok(not r["ok"], "a non-string argument is refused")
        r = c.cmd({"cmd": "plugin-ipc", "plugin": "core-nope", "command": "x"}, check=False)
        t.ok(not r["ok"] and "core-nope" in r["error"], "an unknown plugin is refused")


def test_compose(t):
    with new_client() as c:
        add_and_connect(c, options={"echo_delay_ms": 10})
        r = c.cmd(dict(account("agent", who="alice"), cmd="compose-get"), check=False)
        t.ok(not r["ok"], "compose-get needs an open conversation")
        c.cmd(dict(account("agent", who="alice", line="dummycompose Hello <b>Alice</b>"),
                   cmd="command"))
        r = c.cmd(dict(account("agent", who="alice"), cmd="compose-get"))
        t.ok(r["text"] is not None and "Alice" in r["text"],
             "a plugin can fill the compose box", r)
        filled = r["text"]
        convs = c.cmd({"cmd": "conversations"})["conversations"]
        t.eq(convs[0]["compose"], filled, "conversations shows the compose box")
        c.cmd(dict(account("agent", who="alice", compose=True), cmd="send"))
        w = c.wait_event("write", conv="alice", flags="send")
        t.eq(w["text"], filled, "send compose:true sends the box")
        t.eq(c.cmd(dict(account("agent", who="alice"), cmd="compose-get"))["text"], None,
             "sending empties the box")
        r = c.cmd(dict(account("agent", who="alice", compose=True), cmd="send"), check=False)
        t.ok(not r["ok"] and "empty" in r["error"], "an empty box sends nothing")
        c.cmd(dict(account("agent", who="bob", text="typed"), cmd="compose-set"))
        t.eq(c.cmd(dict(account("agent", who="bob"), cmd="compose-get"))["text"], "typed",
             "compose-set fills the box of a new conversation")


def test_bad_input(t):
    with new_client() as c:
        for line, name in (("not json", "garbage"), ("[1, 2]", "an array"),
                           ('{"cmd": 5}', "a non-string cmd"), ('{"id": 3}', "no cmd"),
                           ('{"cmd": "send"', "truncated JSON")):
            mark = c.mark()
            c.send_line(line)
            r = c.wait_event("result", since=mark)
            t.ok(r["ok"] is False and r["error"], "%s gets ok:false with a reason" % name, r)
        r = c.cmd({"cmd": "launch-rockets", "id": {"nested": [1, "x"]}}, check=False)
        t.ok(not r["ok"] and "launch-rockets" in r["error"], "an unknown command is refused")
        t.eq(r["id"], {"nested": [1, "x"]}, "any JSON id is echoed unchanged")
        r = c.cmd({"cmd": "send", "id": 7}, check=False)
        t.ok(not r["ok"] and "protocol" in r["error"] and r["id"] == 7,
             "a command with missing members names the member", r)
        r = c.cmd({"cmd": "send", "protocol": DUMMY, "username": 12, "who": "x",
                   "text": "y"}, check=False)
        t.ok(not r["ok"] and "username" in r["error"], "a member of the wrong type is refused")
        t.eq(c.cmd({"cmd": "accounts"})["ok"], True, "the client survives all of it")
        t.ok(not c.events_seen("_bad_output"), "stdout carried nothing but events")


def test_restart(t):
    with new_client() as c:
        add_and_connect(c, options={"echo_prefix": "R: "})
        c.cmd({"cmd": "pref-set", "path": "/plugins/core/bdmtest/kept", "type": "string",
               "value": "yes"})
        c.cmd(dict(account("agent", who="alice", text="before"), cmd="send"))
        c.wait_event("received-im", text="R: before")
        t.eq(c.quit(), 0, "quit exits 0")
        for name in ("accounts.xml", "blist.xml", "prefs.xml"):
            t.ok(os.path.exists(os.path.join(c.purple_dir, name)),
                 "quit saved %s without waiting for the delayed save" % name)

        c.start()
        t.ok(c.saw("connection", account="agent", state="connected"),
             "the enabled account reconnects after a restart")
        t.eq(find_account(c, "agent")["enabled"], True, "it is still enabled")
        t.eq(c.cmd({"cmd": "pref-get", "path": "/plugins/core/bdmtest/kept"})["value"],
             "yes", "prefs survive the restart")
        names = [b["name"] for b in c.cmd({"cmd": "buddies"})["buddies"]]
        t.eq(names, ["alice"], "the buddy list survives without duplicates")
        c.cmd(dict(account("agent", who="alice", text="after"), cmd="send"))
        got = c.wait_event("received-im", text="R: after")
        t.eq(got["who"], "alice", "messages flow after the restart with saved options")
        t.eq(len(c.events_seen("received-im", text="R: before")), 1,
             "events of the first run are still searchable")
        t.eq(c.events_seen("received-im", since=c.run_start, text="R: before"), [],
             "since=run_start limits the search to the current run")

        t.eq(c.kill(), -9, "kill ends the client with SIGKILL")
        c.start()
        t.ok(c.saw("connection", account="agent", state="connected"),
             "a killed client restarts from what was saved")
        t.ok("plugins: probing" in c.stderr_text(), "stderr holds the debug log")
        t.ok("\"event\"" not in c.stderr_text(), "no event went to stderr")


def test_secrets_stay_out_of_log(t):
    secret = "s3cr3t-PW-7f1c"
    with new_client() as c:
        add_and_connect(c, "sec", password=secret)
        c.cmd(dict(account("sec", who="alice", text="hello"), cmd="send"))
        c.wait_event("received-im", account="sec")
        c.quit()
        t.ok(secret not in c.stderr_text(), "the password never reaches the debug log")
        t.ok(not any(secret in str(e) for e in c.events_seen()),
             "the password never appears in an event")


t = Tap()
for test in (test_ready, test_accounts, test_send_escapes_typed_text, test_send_and_echo, test_commands, test_requests,
             test_missing_password, test_notify_and_actions, test_connection_errors,
             test_prefs, test_ipc, test_compose, test_bad_input, test_restart,
             test_secrets_stay_out_of_log):
    t.run(test.__name__, test)
t.done()
