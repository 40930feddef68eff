#!/usr/bin/env python3
"""What the desk's end-to-end tests share (tests/e2e/test_desk.py and the
team tests): the templates and desk.conf they run with, a loopback webhook
server, and small helpers around a Session's client."""
import datetime
import http.server
import json
import re
import threading
import time

from protocol_suite import Session

TEMPLATES = """\
[template greeting]
category=greeting
description=First answer in a new conversation
text=Hello {customer.name}, this is {agent.name} from {brand}.
text[de]=Hallo {customer.name}, hier ist {agent.name} von {brand}.

[template broken]
category=status
text=Your order {order.id} has shipped.

[template closing]
category=closing
text=Thanks {customer.first_name}, ticket {ticket} is closed.

[template order-status]
category=status
description=Where an order is
text=Hi {customer.first_name}, order {ask:Order number} ships on {ask:Delivery date}. Reference: {ask:Order number}.

[template order-broken]
category=status
text=Order {ask:Order number} is {order.state}.

[template out_of_hours]
category=automated
automated=true
text=This is an automated reply from {brand}: we are closed now and will answer you soon.
"""

DESK = """\
[desk]
brand=Acme

[departments]
names=billing;legal;technical;privacy

[department legal]
label=Legal department
webhook={hook}/legal

[department billing]
webhook={hook}/billing

[department technical]
webhook={hook}/technical

[labels]
names=vip;refund;bug

[trigger legal_threat]
keywords=lawyer;attorney;sue
department=legal
urgent=true

[trigger refund]
keywords=refund;money back
tag=refund

[sla]
urgent=2h
urgent_mode=business_hours
normal=1h
normal_mode=business_hours
warn_at=75

[business_hours]
timezone=UTC
days=mon-sun
open=00:00
close=24:00
{holidays}
[webhook]
retries=2
timeout=2

[auto_reply]
enabled=true
template=out_of_hours
"""

ADA = ("5001", "Ada Lovelace")
GRACE = ("5002", "Grace Hopper")
ALAN = ("5003", "Alan Turing")
KATHERINE = ("5004", "Katherine Johnson")


class Webhook:
    """A loopback HTTP server standing in for the departments' webhooks:
    records every POST and answers with the status configured per path."""

    def __init__(self, statuses=None):
        self.statuses = dict(statuses or {})
        self.posts = []
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                with hook.lock:
                    hook.posts.append({"path": self.path, "body": body,
                                       "headers": {k.lower(): v for k, v in self.headers.items()},
                                       "time": time.monotonic()})
                    status = hook.statuses.get(self.path, 200)
                if status == "hang":
                    # Longer than [webhook] timeout: the plugin gives up first.
                    time.sleep(4)
                    status = 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except (BrokenPipeError, ConnectionResetError):
                    pass    # the client quit with this POST in flight

            def log_message(self, fmt, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def posts_to(self, path):
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def wait_posts(self, path, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.posts_to(path)) >= count:
                return self.posts_to(path)
            time.sleep(0.1)
        return self.posts_to(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_today():
    """A [business_hours] holidays line that closes the desk around now."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    days = [today + datetime.timedelta(days=d) for d in (-1, 0, 1)]
    return "holidays=" + ";".join(d.isoformat() for d in days) + "\n"


def sysconf(hook, closed=False):
    return {"templates.conf": TEMPLATES,
            "desk.conf": DESK.format(hook=hook.url, holidays=closed_today() if closed else "")}


def session(p, hook, customers, closed=False, created=None, texts=None):
    s = Session(p, sysconf=sysconf(hook, closed))
    for who, name in customers:
        s.emu.add_customer_message(who, name, (texts or {}).get(who, "Hi, where is my order?"),
                                   created=(created or {}).get(who))
    s.start()
    s.connected()
    for _ in customers:
        s.client.wait_event("write", flags="recv", timeout=20)
    return s


def command(s, who, line):
    return s.command(who, line)


def system_write(s, who, pattern, timeout=10):
    return s.client.saw("write", conv=who, flags="system", timeout=timeout,
                        text=lambda text: re.search(pattern, text or "") is not None)


def events(s, kind):
    rows = s.log_rows("SELECT customer_id, detail, text FROM record WHERE kind=? ORDER BY id",
                      (kind,))
    return [(r[0], json.loads(r[1]) if r[1] else None, r[2]) for r in rows]


def out_rows(s):
    return s.log_rows("SELECT customer_id, text, template_name, automated FROM record "
                      "WHERE kind='message' AND direction=1 ORDER BY id")


def buddy_alias(s, who):
    for b in s.client.cmd({"cmd": "buddies"})["buddies"]:
        if b["name"] == who:
            return b["alias"]
    return None


def listed(name, badge=None, label="Facebook"):
    """A customer's row in the buddy list: name, platform, then the badge."""
    row = "%s · %s" % (name, label)
    return row + " [%s]" % badge if badge else row


def wait_alias(s, who, want, timeout=10):
    deadline = time.monotonic() + timeout
    alias = buddy_alias(s, who)
    while alias != want and time.monotonic() < deadline:
        time.sleep(0.2)
        alias = buddy_alias(s, who)
    return alias


def compose(s, who):
    return s.client.cmd({"cmd": "compose-get", "protocol": s.p.protocol,
                         "username": s.p.username, "who": who})["text"]


def clock(s, seconds):
    return s.client.cmd({"cmd": "plugin-ipc", "plugin": "core-branddm",
                         "command": "set-clock-offset", "args": [str(seconds)]})["value"]


def action(s, label):
    """Run an account action and return the notification it opens.  A list
    (search results) also gets "text": its rows, one per line, cells joined
    with " | "; an empty list's info notice gets its sentence as "text"."""
    mark = s.client.mark()
    s.client.cmd({"cmd": "action", "protocol": s.p.protocol, "username": s.p.username,
                  "label": label})
    ev = s.client.wait_event("notify", since=mark,
                             type=lambda x: x in ("formatted", "searchresults", "info"))
    if ev["type"] == "searchresults":
        ev["text"] = "\n".join(" | ".join(row) for row in ev["rows"])
    elif ev["type"] == "info":
        ev["text"] = ev.get("primary") or ""
    return ev


def run_desk_tests(t, p, tests):
    """Run each (name, fn) as fn(t, p, hook), each with a webhook receiver of its own."""
    for test_name, fn in tests:
        hook = Webhook()
        try:
            t.run(test_name, fn, p, hook)
        finally:
            hook.close()


def quit_clean(t, s):
    """Quit the client as an agent would: libpurple unloads the desk (timers,
    webhooks, commands, signals), and a sanitizer build reports leaks."""
    t.eq(s.client.quit(), 0, "the client quits cleanly")
    t.eq(s.client.sanitizer_report(), None, "no sanitizer report")
