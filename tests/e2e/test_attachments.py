#!/usr/bin/env python3
"""Customers' attachments end to end: Graph and X emulators serve messages
with attachments whose links point at a CDN emulator on another loopback
host (127.0.0.2) that takes no token.  A real libpurple core with the built
plugin fetches, checks and saves them; every hostile case (oversize with and
without Content-Length, a program named .png, a decompression-bomb PNG, a
truncated body, expired links, a redirect to another host, a slow server)
must give its own clear line, and nothing may crash or hang."""
import hashlib
import json
import os
import stat
import subprocess
import time

from protocol_suite import Session, TOKEN
from platforms import Facebook, X
from cdn_emulator import CdnEmulator
from harness import Tap

MEDIA_TIMEOUT = 2

# (case, attachment file, kind, declared mime, what the line must say)
HOSTILE = [
    ("oversize (Content-Length)", "big.bin", "file", "application/pdf", "larger than the 25 MB"),
    ("oversize (streamed)", "stream.bin", "file", "application/pdf", "larger than the 25 MB"),
    ("program named .png", "exe.png", "image", "image/png", "content is a program"),
    ("decompression bomb", "bomb.png", "image", "image/png", "too large to show safely"),
    ("truncated download", "truncated.png", "image", "image/png", "cut short"),
    ("expired link (403)", "expired.png", "image", "image/png", "expired or was refused (HTTP 403)"),
    ("gone link (410)", "gone.png", "image", "image/png", "expired or was refused (HTTP 410)"),
    ("redirect to another host", "redirect.png", "image", "image/png", "another address"),
    ("slow server", "slow.png", "image", "image/png", "took too long"),
]


def media_dir(s):
    return os.path.join(s.client.purple_dir, "branddm", "media")


def check_no_token(t, cdn, what):
    reqs = cdn.requests
    t.ok(len(reqs) > 0, "%s: the CDN was asked" % what, reqs)
    leaks = [r for r in reqs if "authorization" in r["headers"] or "access_token" in r["query"]
             or TOKEN in repr(r)]
    t.eq(leaks, [], "%s: the token never reached the CDN host" % what)


def test_graph(t, cdn):
    p = Facebook()
    with Session(p) as s:
        opts = p.account_options(s.emu)
        opts["media_timeout"] = MEDIA_TIMEOUT
        photo_who, photo_name = p.customer(40)
        s.emu.add_customer_message(photo_who, photo_name, "Here is the broken <b>part</b>",
                                   attachments=[{"kind": "image", "url": cdn.url("photo.png"),
                                                 "mime_type": "image/png",
                                                 "name": "../../evil\u202egnp.exe",
                                                 "size": 90, "width": 4, "height": 3}])
        pdf_who, pdf_name = p.customer(41)
        s.emu.add_customer_message(pdf_who, pdf_name, "", attachments=[
            {"kind": "file", "url": cdn.url("manual.pdf"), "mime_type": "application/pdf",
             "name": "receipt.pdf", "size": 120}])
        jpg_who, jpg_name = p.customer(42)
        s.emu.add_customer_message(jpg_who, jpg_name, "jpeg", attachments=[
            {"kind": "image", "url": cdn.url("photo.jpg"), "mime_type": "image/jpeg"}])
        sticker_who, sticker_name = p.customer(43)
        s.emu.add_customer_message(sticker_who, sticker_name, "", sticker=cdn.url("sticker.png"))
        bad_sticker_who, bad_sticker_name = p.customer(44)
        s.emu.add_customer_message(bad_sticker_who, bad_sticker_name, "",
                                   sticker=cdn.url("expired.png"))
        hostile_who = {}
        for i, (case, name, kind, mime, _) in enumerate(HOSTILE):
            who, cname = p.customer(50 + i)
            hostile_who[case] = who
            s.emu.add_customer_message(who, cname, "case %d" % i, attachments=[
                {"kind": kind, "url": cdn.url(name), "mime_type": mime, "name": name}])
        s.client.start()
        s.client.cmd({"cmd": "account-add", "protocol": p.protocol, "username": p.username,
                      "password": TOKEN, "options": opts})
        s.client.cmd({"cmd": "account-enable", "protocol": p.protocol, "username": p.username})
        s.connected()

        ev = s.received(photo_who, timeout=40)
        text = ev["text"]
        data = cdn.files["photo.png"][1]
        digest = hashlib.sha256(data).hexdigest()
        path = os.path.join(media_dir(s), digest + ".png")
        t.ok(text.startswith("Here is the broken &lt;b&gt;part&lt;/b&gt;"),
             "the message text comes first, escaped", text)
        t.ok('<img id="' in text, "the PNG is shown inline (<img id>)", text)
        t.ok(path in text and "image/png" in text, "the line names type and saved path", text)
        t.ok("evil" in text and "../" not in text and "\u202e" not in text,
             "the original name is kept for display only, without path or bidi override", text)
        t.ok(os.path.exists(path), "saved content-addressed as <sha256>.png", path)
        if os.path.exists(path):
            with open(path, "rb") as f:
                t.eq(f.read(), data, "the saved file is the CDN's bytes")
            t.eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "the file is private (0600)")
        t.eq(stat.S_IMODE(os.stat(media_dir(s)).st_mode), 0o700, "the media directory is 0700")

        ev = s.received(pdf_who, timeout=20)
        t.ok("application/pdf" in ev["text"] and "receipt.pdf" in ev["text"] and
             "<img" not in ev["text"] and ev["text"].startswith("Attachment"),
             "a PDF: one line, no inline image, no empty text line", ev["text"])
        ev = s.received(jpg_who, timeout=20)
        t.ok("image/jpeg" in ev["text"] and '<img id="' in ev["text"],
             "a JPEG within the pixel caps is inline", ev["text"])
        ev = s.received(sticker_who, timeout=20)
        t.ok('<img id="' in ev["text"], "a sticker shows as a small image", ev["text"])
        ev = s.received(bad_sticker_who, timeout=20)
        t.eq(ev["text"], "[sticker]", "a sticker that cannot be fetched shows as [sticker]")

        for i, (case, name, _, _, says) in enumerate(HOSTILE):
            ev = s.received(hostile_who[case], timeout=20)
            t.ok(says in ev["text"] and ev["text"].startswith("case %d" % i),
                 "%s: a clear line with the message" % case, ev["text"])
            t.ok("<img" not in ev["text"], "%s: nothing shown inline" % case, ev["text"])
        saved = os.listdir(media_dir(s))
        programs = []
        for f in saved:
            with open(os.path.join(media_dir(s), f), "rb") as fh:
                if fh.read(2) == b"MZ":
                    programs.append(f)
        t.eq(programs, [], "the program was never saved")
        t.ok(not any(".part" in f for f in saved), "no half-written file left", saved)
        check_no_token(t, cdn, "Graph")
        t.ok(s.client.running(), "the client is still running")
        t.eq(s.client.sanitizer_report(), None, "no sanitizer report")


def test_x(t, cdn):
    p = X()
    with Session(p) as s:
        who, name = p.customer(70)
        ton = "https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg"
        s.emu.add_customer_message(who, name, "two photos", media=[
            {"type": "photo", "url": cdn.url("photo.png"), "width": 4, "height": 3},
            {"type": "photo", "url": ton, "width": 800, "height": 600}])
        s.start()
        s.connected()
        ev = s.received(who, timeout=40)
        text = ev["text"]
        t.ok(text.startswith("two photos") and '<img id="' in text,
             "X: the photo from includes.media is fetched and inline", text)
        t.ok(ton in text and "signed by the user" in text,
             "X: ton.twitter.com media gives the link and the reason", text)
        reqs = s.emu.requests
        t.ok(any("attachments.media_keys" in r["query"].get("expansions", "") for r in reqs),
             "X: the poll asks for attachments.media_keys", [r["query"] for r in reqs][:2])
        check_no_token(t, cdn, "X")
        t.eq(s.client.sanitizer_report(), None, "X: no sanitizer report")


def admin(*args):
    build = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), os.environ.get("BUILD", "build"))
    proc = subprocess.run([os.path.join(build, "branddm-admin")] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                          env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE=""))
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_log_export_erase(t, cdn):
    p = Facebook()
    with Session(p) as s:
        a, a_name = p.customer(80)
        b, b_name = p.customer(81)
        photo = {"kind": "image", "url": cdn.url("photo.png"), "mime_type": "image/png",
                 "name": "broken.png"}
        a_mid = s.emu.add_customer_message(a, a_name, "see photo", attachments=[photo])
        s.emu.add_customer_message(b, b_name, "same photo and a manual", attachments=[
            photo, {"kind": "file", "url": cdn.url("manual.pdf"), "mime_type": "application/pdf",
                    "name": "manual.pdf"}])
        s.start()
        s.connected()
        s.received(a, timeout=30)
        s.received(b, timeout=30)
        png_sha = hashlib.sha256(cdn.files["photo.png"][1]).hexdigest()
        pdf_sha = hashlib.sha256(cdn.files["manual.pdf"][1]).hexdigest()
        rows = s.log_rows("SELECT detail FROM record WHERE platform_message_id = ?", (a_mid,))
        detail = json.loads(rows[0][0]) if rows and rows[0][0] else {}
        att = (detail.get("attachments") or [{}])[0]
        t.eq((att.get("name"), att.get("type"), att.get("size"), att.get("sha256"),
              att.get("platform_id"), att.get("saved")),
             ("broken.png", "image/png", len(cdn.files["photo.png"][1]), png_sha,
              a_mid + "_att0", True), "the log record carries the attachment's metadata")
        log = os.path.join(s.client.purple_dir, "branddm", "log.sqlite")
        s.client.quit()
        t.eq(s.client.sanitizer_report(), None, "no sanitizer report, exit included")
        rc, out, err = admin("verify", "--db", log)
        t.eq(rc, 0, "the chain verifies with attachment records (%s)" % err.strip())
        rc, out, err = admin("export", "--db", log, "--format", "csv")
        t.ok(rc == 0 and png_sha in out and pdf_sha in out and "broken.png" in out,
             "export lists the attachments", out[-800:] + err)
        rc, out, err = admin("subject-export", "--customer", b, "--db", log)
        t.ok(rc == 0 and pdf_sha in out and "manual.pdf" in out,
             "subject-export lists the customer's attachments", out[-800:] + err)
        png = os.path.join(media_dir(s), png_sha + ".png")
        pdf = os.path.join(media_dir(s), pdf_sha + ".pdf")
        rc, out, err = admin("erase", "--customer", a, "--db", log)
        t.ok(rc == 0 and os.path.exists(png),
             "erasing one customer keeps a file another customer's record names", out + err)
        rc, out, err = admin("erase", "--customer", b, "--db", log)
        t.ok(rc == 0 and not os.path.exists(png) and not os.path.exists(pdf),
             "erasing the last customer who sent them deletes the files", out + err)
        t.ok("deleted 2 attachment files" in out, "erase says how many files it deleted", out)
        rc, out, err = admin("verify", "--db", log)
        t.eq(rc, 0, "the chain still verifies after the erase (%s)" % err.strip())
        rows = s.log_rows("SELECT detail FROM record WHERE kind = 'message'")
        t.ok(all(png_sha not in (r[0] or "") for r in rows),
             "erased records no longer name the files", rows)


def test_sign_off_mid_download(t, cdn):
    """The agent signs off while a download runs: it is cancelled, the
    message stays unseen (it comes again at the next sign-on), nothing crashes."""
    p = Facebook()
    with Session(p) as s:
        who, name = p.customer(90)
        s.emu.add_customer_message(who, name, "slow photo", attachments=[
            {"kind": "image", "url": cdn.url("slow.png", "oe=1&case=signoff"),
             "mime_type": "image/png"}])
        s.start()
        s.connected()
        asked = False
        for _ in range(150):
            asked = any(r["query"].get("case") == "signoff" for r in cdn.requests)
            if asked:
                break
            time.sleep(0.1)
        t.ok(asked, "the download started")
        s.client.cmd({"cmd": "account-disable", "protocol": p.protocol, "username": p.username})
        t.ok(s.client.no_event("write", within=2, conv=who),
             "the message is not shown while its download was cut off")
        t.ok(s.client.running(), "the client survives signing off mid-download")
        s.client.cmd({"cmd": "account-enable", "protocol": p.protocol, "username": p.username})
        ev = s.received(who, timeout=40)
        t.ok(ev["text"].startswith("slow photo") and "<img" in ev["text"],
             "at the next sign-on the message comes with its photo", ev["text"])
        s.client.quit()
        t.eq(s.client.sanitizer_report(), None, "no sanitizer report")


def main():
    t = Tap()
    cdn = CdnEmulator().start()
    cdn.slow_seconds = MEDIA_TIMEOUT + 4
    try:
        t.run("Graph attachments and hostile files", test_graph, cdn)
        t.run("X attachments", test_x, cdn)
        t.run("log, export and erase", test_log_export_erase, cdn)
        t.run("sign-off mid-download", test_sign_off_mid_download, cdn)
    finally:
        cdn.stop()
    t.done()


main()
