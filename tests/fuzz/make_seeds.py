#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/).

The protocol seeds are real exchanges: each built module (BUILD/plugins)
talks to its emulator through tests/emulators/module_host.py, and every
response it parsed is stored in the input format of fuzz_module.c with the
emulator's origin replaced by the platform's real one, so that paging links
are on the API origin as they would be in production.  Hostile variants
(spoofed paging links, wrong types, huge numbers, markup, broken UTF-8)
and the configuration and text seeds are written out by hand below.

    BUILD=build python3 tests/fuzz/make_seeds.py     # then review and commit
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "emulators"))

from graph_emulator import GraphEmulator, graph_time  # noqa: E402
from x_emulator import XEmulator, usage_capped_problem  # noqa: E402
from module_host import ModuleHost, ModuleError  # noqa: E402

TOKEN = "seed-token"
NOW = 1795000000          # fuzz_module.c's FUZZ_NOW; the emulators use the real clock
SEP = "\n%%\n"


def build_dir():
    build = os.environ.get("BUILD", "build")
    return build if os.path.isabs(build) else os.path.join(REPO, build)


class RecordingHost(ModuleHost):
    """A ModuleHost that keeps every response it received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responses = []

    def _perform(self, req):
        status, body, headers = super()._perform(req)
        self.responses.append((status, body, headers))
        return status, body, headers


def seed(op, status, body, headers=None, now=NOW):
    head = "%s %d %d\n" % (op, status, now)
    head += "".join("%s: %s\n" % (k, v) for k, v in (headers or {}).items())
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    return head.encode("utf-8") + SEP[1:].encode() + data


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def captured(host, origin, real_origin):
    """The host's responses with the emulator's origin made the real one."""
    out = []
    for status, body, headers in host.responses:
        body = body.replace(origin.encode(), real_origin.encode())
        keep = {k.lower(): v for k, v in headers.items()
                if k.lower() in ("content-type", "retry-after") or k.lower().startswith("x-rate")}
        out.append((status, body, keep))
    host.responses.clear()
    return out


def graph_attachment_seeds(msg, conv):
    """Poll pages whose messages carry attachments, well- and ill-formed."""
    cdn = "https://scontent.xx.fbcdn.net/v/t1.png?oe=6A1B2C3D"
    image = {"id": "a1", "mime_type": "image/png", "name": "photo.png", "size": 1234,
             "image_data": {"url": cdn, "preview_url": cdn, "width": 640, "height": 480}}
    video = {"id": "a2", "mime_type": "video/mp4", "name": "clip.mp4", "size": 99,
             "video_data": {"url": cdn + "&v=1"}}
    file_ = {"id": "a3", "mime_type": "application/pdf", "name": "../../receipt\u202e.pdf",
             "file_url": cdn + "&f=1"}

    def page(**fields):
        return {"data": [dict(conv, messages={"data": [dict(msg, message="", **fields)]})]}
    return {
        "good": page(attachments={"data": [image, video, file_]}, sticker=cdn + "&s=1"),
        "no-url": page(attachments={"data": [{"id": "a4", "mime_type": "image/png"}]}),
        "wrong-types": page(attachments={"data": [
            {"id": ["x"], "mime_type": 5, "name": {"a": 1}, "size": "huge",
             "image_data": {"url": 7, "width": -5, "height": 1e300}},
            {"image_data": [], "video_data": "x", "file_url": None}, 3, None]},
            sticker=12),
        "not-a-list": page(attachments={"data": {"id": "a5"}}),
        "null": page(attachments=None),
        "numbers-overflow": page(attachments={"data": [dict(image, size=1e99, image_data={
            "url": cdn, "width": 99999999999999999999, "height": -1})]}),
        "many": page(attachments={"data": [dict(image, id="a%d" % i) for i in range(300)]}),
    }


def graph_seeds(target, platform, page_id, module):
    emu = GraphEmulator(platform=platform, page_id=page_id, token=TOKEN, page_name="Acme")
    emu.start()
    real = "https://graph.facebook.com"
    try:
        emu.set_page_size(2)
        for i in range(3):
            emu.add_customer_message("50%02d" % i, "Customer <b>%d</b>" % i,
                                     "Hello & <a href='x'>%d</a> \u00e9\U0001F600" % i)
        for i in range(3):
            emu.add_customer_message("5000", "Customer 0", "more %d" % i)
        host = RecordingHost(os.path.join(build_dir(), "plugins", "branddm-%s.bdm" % module),
                             emu.base_url, page_id, TOKEN)
        host.whoami()
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "whoami-%d" % i, seed("w", status, body, headers))
        host.poll_all()
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "poll-%d" % i, seed("p", status, body, headers))
        host.send("5000", "Thanks, on it", int(time.time()) - 60)
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "send-%d" % i, seed("s", status, body, headers))
        # The platform's own error answers, as the emulator gives them.
        faults = {
            "expired": lambda: emu.expire_token(),
            "throttled": lambda: emu.rate_limit_next(1, retry_after=30),
            "server-500": lambda: emu.fail_next(1, 500, {"error": {"message": "oops",
                                                                 "code": 2}}),
            "truncated": lambda: emu.set_malformed_next(1),
        }
        for name, arm in faults.items():
            arm()
            for op, call in (("p", lambda: host.poll_page()),
                             ("s", lambda: host.send("5000", "hi", int(time.time())))):
                try:
                    call()
                except ModuleError:
                    pass
                for status, body, headers in captured(host, emu.origin, real):
                    write(target, "%s-%s" % (name, op), seed(op, status, body, headers))
                    break
            emu._token_expired = False
        try:
            host.send("5000", "late", int(time.time()) - 3 * 86400)
        except ModuleError:
            pass
        host.responses.clear()
    finally:
        emu.stop()

    msg = {"id": "m_1", "message": "hi", "created_time": graph_time(NOW - 5),
           "from": {"id": "5001", "name": "Eve"}, "to": {"data": [{"id": page_id}]}}
    conv = {"id": "t_1", "updated_time": graph_time(NOW),
            "participants": {"data": [{"id": "5001", "name": "Eve"}, {"id": page_id}]},
            "messages": {"data": [msg]}}
    hostile = {
        "next-other-host": {"data": [conv], "paging": {"next": "https://evil.example/v25.0/x"}},
        "next-userinfo": {"data": [conv], "paging": {
            "next": "https://graph.facebook.com@evil.example/v25.0/t_1/messages"}},
        "next-backslash": {"data": [conv], "paging": {
            "next": "https://evil.example\\@graph.facebook.com/v25.0/t_1/messages"}},
        "next-port": {"data": [conv], "paging": {"next": "https://graph.facebook.com:444/x"}},
        "next-http": {"data": [conv], "paging": {"next": "http://graph.facebook.com/v25.0/x"}},
        "next-token": {"data": [conv], "paging": {
            "next": "https://graph.facebook.com/v25.0/t_1/messages?access_token=LEAK&after=x"}},
        "wrong-types": {"data": [{"id": 5, "messages": {"data": [{"id": ["m"], "message": 7,
                                                                  "created_time": {}}]}}],
                        "paging": {"next": 12}},
        "huge-numbers": {"data": [{"id": "t_2", "updated_time": 1e308, "messages": {"data": [
            dict(msg, id="m_2", created_time="99999999999999999999")]}}]},
        "nulls": {"data": [None, {"id": None, "messages": None}], "paging": None},
        "from-brand": {"data": [dict(conv, messages={"data": [
            dict(msg, id="m_3", **{"from": {"id": page_id}, "to": {"data": [{"id": "5001"}]}})]})]},
        "deep": json.loads("[" * 200 + "]" * 200) and {"data": json.loads("[" * 200 + "]" * 200)},
        "messages-edge": {"data": [msg, dict(msg, id="m_4", created_time="2026-11-18T10:00:00Z")],
                          "paging": {"cursors": {"after": "QVFI"}}},
    }
    for name, body in graph_attachment_seeds(msg, conv).items():
        hostile["attachments-" + name] = body
    for name, body in hostile.items():
        write(target, "hostile-" + name, seed("p", 200, json.dumps(body)))
    write(target, "hostile-html-200", seed("p", 200, "<html><body>Service Unavailable</body>"
                                           "</html>", {"content-type": "text/html"}))
    write(target, "hostile-bad-utf8", seed("p", 200, b'{"data":[{"id":"t","message":"\xff\xfe"}]}'))
    write(target, "hostile-nul", seed("p", 200, b'{"data":[]}\x00{"data":1}'))
    write(target, "error-window", seed("s", 400, json.dumps({"error": {
        "message": "(#10) outside window", "code": 10, "error_subcode": 2018278}})))
    write(target, "error-retry-date", seed("p", 400, json.dumps({"error": {"code": 4}}),
                                           {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    write(target, "error-retry-huge", seed("p", 503, "", {"retry-after": "99999999999999999"}))
    write(target, "error-int-overflow", seed("s", 400, '{"error":{"code":1e99,'
                                                       '"error_subcode":-1e99}}'))
    write(target, "send-no-id", seed("s", 200, '{"recipient_id":"5000"}'))
    write(target, "upload-ok", seed("u", 200, '{"attachment_id":"1857777774821032"}'))
    write(target, "upload-no-id", seed("u", 200, '{"attachment_id":null}'))
    write(target, "upload-failed", seed("u", 400, json.dumps({"error": {
        "message": "(#100) Upload attachment failure.", "type": "OAuthException", "code": 100}})))
    write(target, "cursor-link", "c 0\n%%\nhttps://graph.facebook.com/v25.0/t_1/messages"
                                 "?fields=id&access_token=LEAK&after=QVFI")
    write(target, "cursor-evil", "c 0\n%%\nhttps://graph.facebook.com.evil.example/v25.0/x")
    write(target, "text-emoji", "t 0\n%%\n" + "\U0001F600" * 700)
    write(target, "text-long", "t 0\n%%\n" + "a" * 2001)


def x_seeds():
    target = "fuzz_x"
    emu = XEmulator(user_id="2000", token=TOKEN, name="Acme")
    emu.start()
    real = "https://api.x.com"
    try:
        emu.set_page_size(2)
        for i in range(4):
            emu.add_customer_message("30%02d" % i, "Cust %d" % i, "DM <i>%d</i> \u00fc" % i)
        emu.add_participants_join("3000-2000", ["3000", "2000"])
        host = RecordingHost(os.path.join(build_dir(), "plugins", "branddm-x.bdm"),
                             emu.base_url, "2000", TOKEN)
        host.whoami()
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "whoami-%d" % i, seed("w", status, body, headers))
        host.poll_all()
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "poll-%d" % i, seed("p", status, body, headers))
        host.send("3000", "Thanks", int(time.time()))
        for i, (status, body, headers) in enumerate(captured(host, emu.origin, real)):
            write(target, "send-%d" % i, seed("s", status, body, headers))
        emu.rate_limit_next(1, retry_after=30)
        try:
            host.poll_page()
        except ModuleError:
            pass
        for status, body, headers in captured(host, emu.origin, real):
            write(target, "throttled-p", seed("p", status, body, headers))
        emu.expire_token()
        try:
            host.poll_page()
        except ModuleError:
            pass
        for status, body, headers in captured(host, emu.origin, real):
            write(target, "expired-p", seed("p", status, body, headers))
    finally:
        emu.stop()
    problem = {"content-type": "application/problem+json"}
    write(target, "usage-capped", seed("p", 429, json.dumps(usage_capped_problem()), problem))
    write(target, "reset-past", seed("p", 429, '{"title":"Too Many Requests"}',
                                     {"x-rate-limit-reset": "1"}))
    write(target, "errors-only", seed("p", 200, json.dumps({"errors": [
        {"detail": "Could not find user", "title": "Not Found Error"}]})))
    write(target, "wrong-types", seed("p", 200, json.dumps({
        "data": [{"id": 1, "text": ["x"], "event_type": "MessageCreate", "sender_id": {},
                  "created_at": 5}], "meta": {"next_token": 7},
        "includes": {"users": [{"id": None}]}})))
    write(target, "next-token-evil", seed("p", 200, json.dumps({
        "data": [], "meta": {"result_count": 0,
                             "next_token": "x&pagination_token=y#@evil.example/"}})))
    media_event = {"id": "9", "event_type": "MessageCreate", "text": "",
                   "dm_conversation_id": "3000-2000", "sender_id": "3000",
                   "created_at": "2026-11-18T10:00:00.000Z",
                   "attachments": {"media_keys": ["3_1", "3_2", "3_missing", 5]}}
    media = [{"media_key": "3_1", "type": "photo", "width": 4, "height": 3,
              "url": "https://ton.twitter.com/1.1/ton/data/dm/1/2/a.jpg"},
             {"media_key": "3_2", "type": "video", "preview_image_url": "https://pbs.twimg.com/p.jpg",
              "variants": [{"bit_rate": 1, "content_type": "video/mp4", "url": "https://video.twimg.com/a.mp4"},
                           {"bit_rate": "x", "content_type": "video/mp4", "url": 5},
                           {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/a.m3u8"}]},
             {"media_key": 7, "type": ["photo"]}, None]
    write(target, "media", seed("p", 200, json.dumps({
        "data": [media_event], "includes": {"media": media}, "meta": {"result_count": 1}})))
    write(target, "media-wrong-types", seed("p", 200, json.dumps({
        "data": [dict(media_event, attachments={"media_keys": "3_1"}),
                 dict(media_event, id="10", attachments=[1])],
        "includes": {"media": {"media_key": "3_1"}}, "meta": {"result_count": 2}})))
    write(target, "send-201-no-event", seed("s", 201, '{"data":{"dm_conversation_id":"1-2"}}'))
    write(target, "upload-ok", seed("u", 200, '{"data":{"id":"1880028106020515840",'
                                              '"media_key":"3_1880028106020515840"}}'))
    write(target, "upload-v11", seed("u", 200, '{"media_id":7105113633453547530000,'
                                               '"media_id_string":["x"]}'))
    write(target, "upload-refused", seed("u", 400, '{"title":"Invalid Request",'
                                                   '"detail":"media type unrecognized."}'))
    write(target, "cursor-token", "c 0\n%%\n7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i")
    write(target, "text-long", "t 0\n%%\n" + "x" * 10001)


def text_seeds():
    texts = {
        "plain": "Thanks for waiting, your order ships today.",
        "card": "My card is 4111 1111 1111 1111 exp 12/29 cvv 123",
        "iban": "Pay to DE89 3704 0044 0532 0130 00 please",
        "email-phone": "Mail me at ada@example.com or call +49 30 1234567",
        "links": "See https://acme.example/help and http://bit.ly/abc and www.evil.example",
        "zero-width": "c\u200ball m\u200be at 4111\u200b1111\u200b1111\u200b1111",
        "rtl-override": "Visit \u202eelpmaxe.live\u202c now",
        "homoglyph": "https://\u0430cme.example/login",
        "password": "Your password is hunter2, token sk_live_0123456789abcdef0123",
        "offensive": "That is a damn stupid question",
        "long": "word " * 900,
        "combining": "e\u0301" * 300,
        "empty": "",
    }
    for name, text in texts.items():
        for flags in (0, 0x1d):
            write("fuzz_policy", "%s-%02x" % (name, flags), bytes([flags]) + text.encode())
    write("fuzz_policy", "invalid-utf8", b"\x08card 4111 1111 \xff\xfe 1111 1111 \xc3")
    # Also checked as a file to send: the text is its name and its content.
    write("fuzz_policy", "attach-pdf-double", b"\x00%PDF-1.7 invoice.pdf.exe")
    write("fuzz_policy", "attach-png-bidi", b"\x00\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x10\0\0\0\x10\0"
          + "label\u202efdp.exe".encode())
    write("fuzz_policy", "attach-program", b"\x00MZ\x90\0 setup.exe. ")
    return texts


def config_seeds(texts):
    def doc(name):
        with open(os.path.join(REPO, "docs", name), encoding="utf-8") as f:
            return f.read()

    templates = doc("templates.conf.example")
    tricky_templates = ("[template a]\ntext=Hi {customer.first_name}, {{literal}} {hours}\n"
                        "text[de]=Hallo {customer.name}\nautomated=true\n\n"
                        "[template b]\ntext=unbalanced {brand\nlocked=true\n\n"
                        "[constants]\nhours=9-5\nlocked=true\n")
    user_templates = ("[template greeting]\ntext=Yo {agent.name}\n\n[template new]\n"
                      "category=\ncategory=x\ntext={ticket}{platform}{nope}\n")
    write("fuzz_templates", "example", templates + SEP + SEP + "Hello {customer.name}")
    write("fuzz_templates", "tricky", tricky_templates + SEP + user_templates + SEP +
          "{{{{}}}} {customer.first_name} {hours")
    write("fuzz_templates", "locked-override", tricky_templates + SEP + tricky_templates +
          SEP + "}{")
    ask_templates = ("[template order]\ntext=Order {ask:Order number}, {ask: Order number } "
                     "for {customer.first_name|there}\ntext[de]=Nr. {ask:Bestellnummer}\n\n"
                     "[template late]\ntext={ask:Date} {ticket}\n")
    write("fuzz_templates", "ask", ask_templates + SEP + SEP +
          "{ask:Größe (cm)} {ask:Order number}{{ask:x}} {ask:Order number} {ticket|none}")
    write("fuzz_templates", "binary", b"[template \xff]\ntext=\x00\n" + SEP.encode() +
          b"\n" + SEP.encode() + b"{customer.\xc3}")

    policy, desk = doc("policy.conf.example"), doc("desk.conf.example")
    message = texts["card"] + " I will sue, refund now"
    write("fuzz_config", "policy-example", "policy" + SEP + policy + SEP + SEP + message)
    write("fuzz_config", "policy-user", "policy" + SEP + policy + SEP +
          "[rules]\nsensitive.card=off\n[links]\nallow=evil.example\n" + SEP + message)
    write("fuzz_config", "policy-broken", "policy" + SEP + "[rules\nx=" + SEP + SEP + message)
    write("fuzz_config", "desk-example", "desk" + SEP + desk + SEP + SEP + message)
    write("fuzz_config", "desk-user", "desk" + SEP + desk + SEP +
          "[business_hours]\ntimezone=Pacific/Kiritimati\ndays=sun\nopen=23:59\nclose=00:00\n"
          "holidays=2026-12-25,2027-01-01\n[sla]\nnormal=1d\nurgent=1s\n" + SEP + message)
    write("fuzz_config", "desk-closed-always", "desk" + SEP +
          "[business_hours]\ndays=\nholidays=\n[sla]\nnormal=365d\n" + SEP + SEP + "legal")
    write("fuzz_config", "templates-example", "templates" + SEP + templates + SEP + SEP)


def main():
    graph_seeds("fuzz_facebook", "messenger", "1000", "facebook")
    graph_seeds("fuzz_instagram", "instagram", "1784000", "instagram")
    x_seeds()
    config_seeds(text_seeds())


if __name__ == "__main__":
    main()
