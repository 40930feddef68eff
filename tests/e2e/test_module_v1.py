#!/usr/bin/env python3
"""A protocol module built for ABI version 1 still works in today's host.

build/tests/v1-plugins/branddm-oldfake.bdm is compiled against the frozen
version-1 header (tests/unit/fixtures/v1/branddm/protocol.h): its BdmModule
ends before platform_label and module_data.  Loaded next to the real modules
into a real libpurple core, it must sign in, deliver a polled message (its
name standing in for the platform label it cannot have) and send a reply
through the host, with the host adding the token as always.
"""
import http.server
import threading
import time

from harness import Client, Tap, build_path

TOKEN = "old-token-SECRET-77"
PROTOCOL = "prpl-branddm-oldfake"
USERNAME = "brand1"


class OldFake(http.server.ThreadingHTTPServer):
    """The toy platform v1_module.c speaks: tab-separated lines."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.messages = []       # (id, sender, name, text, created)
        self.sent = []           # (recipient, text)
        self.auth = set()        # Authorization headers seen
        self.lock = threading.Lock()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.auth.add(self.headers.get("Authorization"))
            if self.path == "/me":
                return self.reply("%s\tOld Brand\n" % USERNAME)
            if self.path == "/messages":
                return self.reply("".join("%s\t%s\t%s\t%s\t%d\n" % m for m in srv.messages))
        self.reply("no such path", 404)

    def do_POST(self):
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        with srv.lock:
            srv.auth.add(self.headers.get("Authorization"))
            if self.path != "/send" or "\n" not in body:
                return self.reply("bad send", 400)
            who, text = body.split("\n", 1)
            srv.sent.append((who, text))
            self.reply("sent-%d\n" % len(srv.sent))


def test_v1_module(t):
    emu = OldFake()
    threading.Thread(target=emu.serve_forever, daemon=True).start()
    emu.messages.append(("m1", "77", "Ada Old", "Is my <order> on its way?", int(time.time()) - 5))
    client = Client(plugin_paths=[build_path("plugins"), build_path("tests", "v1-plugins")])
    try:
        protocols = client.start()["protocols"]
        t.ok(PROTOCOL in protocols and "prpl-branddm-facebook" in protocols,
             "the version-1 module is offered beside today's modules", protocols)
        client.cmd({"cmd": "account-add", "protocol": PROTOCOL, "username": USERNAME,
                    "password": TOKEN,
                    "options": {"api_base": emu.base_url, "poll_interval": 1}})
        client.cmd({"cmd": "account-enable", "protocol": PROTOCOL, "username": USERNAME})
        client.wait_event("connection", state="connected", protocol=PROTOCOL, timeout=15)
        ev = client.wait_event("write", conv="77", flags="recv", timeout=20)
        t.eq(ev["text"], "Is my &lt;order&gt; on its way?", "the polled message is shown, escaped")
        t.eq(ev["alias"], "Ada Old · Old Fake Messenger",
             "the module's name stands in for the platform label v1 lacks")

        client.cmd({"cmd": "send", "protocol": PROTOCOL, "username": USERNAME, "who": "77",
                    "text": "Yes, it left today"})
        echo = client.wait_event("write", conv="77", flags="send", timeout=15)
        t.eq(echo["text"], "Yes, it left today", "the reply is echoed once the platform took it")
        t.eq(emu.sent, [("77", "Yes, it left today")], "exactly one reply reached the platform")
        t.eq(emu.auth, {"Bearer " + TOKEN}, "the host added the token to every request")
        later = client.no_event("write", within=3, conv="77", flags="recv")
        t.ok(later, "the message is not delivered twice by later polls")
    finally:
        client.close()
        emu.shutdown()
        emu.server_close()


t = Tap()
t.run("version-1 module end to end", test_v1_module)
t.done()
