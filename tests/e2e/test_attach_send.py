#!/usr/bin/env python3
"""Agents' files to customers, end to end: /attach and Send File in a real
libpurple core with the built plugin, against the Graph and X emulators,
which parse the multipart uploads strictly and check the content's type as
the platforms do.  The policy checks every file before anything leaves
(type by content, size, suspicious names, the caption through the text
rules); a file that passes is uploaded with its progress in the transfer
window, sent by its id, archived content-addressed and logged with its
metadata; failures are told in plain words."""
import hashlib
import html
import json
import os
import stat
import tempfile
import time

from protocol_suite import Session
from platforms import Facebook, Instagram, X
from cdn_emulator import png
from harness import Tap

CARD = "4111 1111 1111 1111"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode." + b"\x00" * 64


def plain(text):
    return html.unescape(text.replace("<br>", "\n"))


def connected(p, who, name, sysconf=None):
    s = Session(p, sysconf=sysconf)
    s.emu.add_customer_message(who, name, "My order arrived broken")
    s.start()
    s.connected()
    s.received(who)
    return s


def attach(s, who, line):
    return s.command(who, "attach " + line)


def notice(s, who, since, flags="error", timeout=10):
    ev = s.client.saw("write", conv=who, flags=flags, since=since, timeout=timeout)
    return plain(ev["text"]) if ev else ""


def uploads(s):
    return [r for r in s.emu.requests
            if r["path"].endswith("/message_attachments") or r["path"].endswith("/media/upload")]


def sent_file_write(s, who, since, timeout=20):
    return s.client.saw("write", conv=who, flags="send", since=since, timeout=timeout,
                        text=lambda x: "Attachment" in (x or ""))


def xfer_done(s, since, name, timeout=20):
    """The transfer of name that started after since completed (its own
    number: an earlier transfer of the same name reports "done" too)."""
    added = s.client.saw("xfer", since=since, change="add", filename=name, timeout=timeout)
    if added is None:
        return None
    return s.client.saw("xfer", since=since, status="done", xfer=added["xfer"],
                        timeout=timeout)


def out_records(s):
    return s.log_rows("SELECT text, detail, platform_message_id FROM record "
                      "WHERE kind='message' AND direction=1 ORDER BY id")


def write_files(tmp):
    files = {
        "label.png": png(40, 20),
        "manual.pdf": PDF,
        "invoice.pdf.exe": PDF,
        "report.pdf": EXE,
        "notes.zip": b"PK\x03\x04" + b"\x00" * 40,
        "empty.pdf": b"",
    }
    paths = {}
    for name, data in files.items():
        paths[name] = os.path.join(tmp, name)
        with open(paths[name], "wb") as f:
            f.write(data)
    paths["huge.pdf"] = os.path.join(tmp, "huge.pdf")
    with open(paths["huge.pdf"], "wb") as f:
        f.truncate(26 * 1024 * 1024)
    spaced = os.path.join(tmp, "return label.pdf")
    with open(spaced, "wb") as f:
        f.write(PDF)
    paths["return label.pdf"] = spaced
    return files, paths


def check_archived(t, s, data, ext, what):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(s.client.purple_dir, "branddm", "media", digest + ext)
    t.ok(os.path.exists(path), "%s: archived content-addressed as <sha256>%s" % (what, ext), path)
    if os.path.exists(path):
        with open(path, "rb") as f:
            t.eq(f.read(), data, "%s: the archive holds the bytes sent" % what)
        t.eq(stat.S_IMODE(os.stat(path).st_mode), 0o600, "%s: the archive is private" % what)
    return digest


def test_facebook(t, tmp):
    p = Facebook()
    files, paths = write_files(tmp)
    who, name = p.customer(1)
    with connected(p, who, name) as s:
        # A photo with a caption: upload, the Send API by id, the caption apart.
        mark = s.client.mark()
        r = attach(s, who, "%s Your return label" % paths["label.png"])
        t.eq(r["status"], "ok", "/attach PATH caption is accepted")
        ev = sent_file_write(s, who, mark)
        t.ok(ev is not None, "the sent photo is shown in the conversation")
        text = ev["text"] if ev else ""
        t.ok('<img id="' in text and "image/png" in text and "label.png" in text,
             "the sent photo: inline, with its name and type", text)
        t.ok(xfer_done(s, mark, "label.png") is not None,
             "the transfer window shows the photo's transfer completed")
        added = s.client.events_seen("xfer", since=mark, change="add", filename="label.png")
        t.eq(len(added), 1, "the transfer was added to the transfer window once")
        progress = s.client.events_seen("xfer", since=mark, change="progress",
                                        filename="label.png")
        t.ok(any(e["bytes_sent"] > 0 for e in progress),
             "the transfer window saw the upload's progress", progress[-3:])
        caption = s.client.saw("write", conv=who, flags="send", since=mark, timeout=20,
                               text="Your return label")
        t.ok(caption is not None, "the caption follows as a message of its own (Messenger)")
        sent = s.emu.sent
        files_sent = [x for x in sent if x.get("attachment")]
        t.eq(len(files_sent), 1, "the platform received one file message")
        if files_sent:
            a = files_sent[0]["attachment"]
            t.eq(a.get("sha256"), hashlib.sha256(files["label.png"]).hexdigest(),
                 "the platform received exactly the file's bytes")
            t.eq(a.get("type"), "image", "sent as an image")
            t.eq(files_sent[0]["text"], None, "the file message carries no text")
        t.ok(any(x.get("text") == "Your return label" for x in sent),
             "the caption was sent as text")
        ups = uploads(s)
        t.eq(len(ups), 1, "one upload request")
        if ups:
            t.ok(ups[0]["headers"].get("content-type", "").startswith("multipart/form-data"),
                 "the upload is multipart/form-data", ups[0]["headers"])
        digest = check_archived(t, s, files["label.png"], ".png", "the photo")
        rows = [r for r in out_records(s) if r[1] and digest in r[1]]
        t.eq(len(rows), 1, "the sent photo is logged once, with its sha256")
        if rows:
            detail = json.loads(rows[0][1])["attachments"][0]
            t.eq((detail["name"], detail["type"], detail["size"]),
                 ("label.png", "image/png", len(files["label.png"])),
                 "the log keeps the file's name, type and size")
            t.ok(detail.get("platform_id"), "the log keeps the platform's attachment id", detail)
            t.ok(rows[0][2], "the log keeps the message id")

        # Dropped on the conversation (send_file with a name): a PDF, no caption.
        mark = s.client.mark()
        r = s.client.cmd({"cmd": "send-file", "protocol": p.protocol, "username": p.username,
                          "who": who, "file": paths["manual.pdf"]})
        t.ok(r["offered"], "Send File is offered on Facebook")
        t.ok(xfer_done(s, mark, "manual.pdf") is not None, "a dropped PDF is sent")
        ev = sent_file_write(s, who, mark)
        t.ok(ev is not None and "application/pdf" in ev["text"] and "<img" not in ev["text"],
             "the PDF: one line, no image", ev and ev["text"])
        check_archived(t, s, files["manual.pdf"], ".pdf", "the PDF")

        # Send File from the menu: libpurple asks for the file.
        mark = s.client.mark()
        s.client.cmd({"cmd": "send-file", "protocol": p.protocol, "username": p.username,
                      "who": who})
        req = s.client.saw("request", kind="file", since=mark, timeout=10)
        t.ok(req is not None, "Send File asks which file to send")
        if req:
            s.client.cmd({"cmd": "request-answer", "request": req["request"], "action": 0,
                          "text": paths["return label.pdf"]}, check=False)
            t.ok(xfer_done(s, mark, "return label.pdf") is not None,
                 "the chosen file (a name with a space) is sent")

        # A quoted path with a space through /attach.
        mark = s.client.mark()
        attach(s, who, '"%s"' % paths["return label.pdf"])
        t.ok(xfer_done(s, mark, "return label.pdf") is not None,
             "/attach \"PATH with spaces\" sends it")

        # The policy stops these before any upload.
        blocked = [
            ("report.pdf", "program", "a program named .pdf"),
            ("invoice.pdf.exe", "Suspicious file name", "a double extension ending in .exe"),
            ("notes.zip", "Allowed types", "a type the policy does not allow (zip)"),
            ("huge.pdf", "up to 25 MB", "a file over the platforms' 25 MB"),
            ("empty.pdf", "empty", "an empty file"),
        ]
        for fname, says, what in blocked:
            before = len(uploads(s))
            mark = s.client.mark()
            attach(s, who, paths[fname])
            text = notice(s, who, mark)
            t.ok(text.startswith("Not sent") and says in text,
                 "%s: refused in plain words" % what, text)
            t.eq(len(uploads(s)), before, "%s: nothing was uploaded" % what)
            if len(uploads(s)) != before:
                t.diag(json.dumps([(r["path"], r["status"]) for r in uploads(s)]))
            t.eq(s.client.events_seen("xfer", since=mark, change="add"), [],
                 "%s: no transfer appears" % what)
        blocks = s.log_rows("SELECT detail FROM record WHERE kind='block'")
        rules = [f["rule"] for (d,) in blocks for f in json.loads(d).get("attachment", {})
                 .get("findings", [])]
        t.ok("attachment.type" in rules and "attachment.name" in rules and
             "attachment.size" in rules, "the blocks are logged with their rules", rules)

        # The caption goes through the text rules.
        before = len(uploads(s))
        mark = s.client.mark()
        attach(s, who, "%s card %s" % (paths["manual.pdf"], CARD))
        text = notice(s, who, mark)
        t.ok("In the caption" in text and CARD not in text,
             "a card number in the caption stops the file, the number not repeated", text)
        t.eq(len(uploads(s)), before, "the caption's block uploads nothing")

        # A missing file, and bad usage.
        mark = s.client.mark()
        attach(s, who, os.path.join(tmp, "nope.pdf"))
        t.ok("cannot be read" in notice(s, who, mark), "a missing file: a clear line")
        t.ok(attach(s, who, "")["status"] != "ok", "/attach without a path shows its usage")

        # Not a regular file: a FIFO would block a reader forever, a folder
        # is no file.
        fifo = os.path.join(tmp, "pipe.pdf")
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
        for target, what in ((fifo, "a FIFO"), (tmp, "a folder")):
            mark = s.client.mark()
            attach(s, who, target)
            t.ok("is not a file" in notice(s, who, mark), "%s: refused at once" % what)

        # Cancelled in the transfer window while the upload runs: nothing
        # is sent, nothing logged as sent.
        sent_before = len(s.emu.sent)
        records_before = len(out_records(s))
        s.emu.set_latency(3)
        mark = s.client.mark()
        attach(s, who, paths["manual.pdf"])
        added = s.client.saw("xfer", since=mark, change="add", filename="manual.pdf",
                             timeout=10)
        t.ok(added is not None, "the upload's transfer is listed")
        if added:
            s.client.cmd({"cmd": "xfer-cancel", "xfer": added["xfer"]})
            t.ok(s.client.saw("xfer", since=mark, xfer=added["xfer"], status="cancel-local",
                              timeout=5) is not None, "the transfer is cancelled")
        time.sleep(4)
        s.emu.set_latency(0)
        t.eq(len(s.emu.sent), sent_before, "a cancelled upload sends no message")
        t.eq(len(out_records(s)), records_before, "and logs no reply")

        # The platform refuses the upload.
        mark = s.client.mark()
        s.emu.fail_next_upload(1, 400, {"error": {"message": "(#100) Upload attachment failure",
                                           "type": "OAuthException", "code": 100}})
        attach(s, who, paths["manual.pdf"])
        text = notice(s, who, mark, timeout=20)
        t.ok(text.startswith("Not sent") and "could not be uploaded" in text,
             "an upload the platform refuses: said in plain words", text)
        t.ok(s.client.saw("xfer", since=mark, status="cancel-local", timeout=5) is not None,
             "the transfer ends as cancelled")

        # The token expires during an upload: the account says so and stops.
        mark = s.client.mark()
        s.emu.fail_next_upload(1, 401, {"error": {"message": "Error validating access token: "
                                           "Session has expired", "type": "OAuthException",
                                           "code": 190, "error_subcode": 463}})
        attach(s, who, paths["manual.pdf"])
        text = notice(s, who, mark, timeout=20)
        t.ok("could not be uploaded" in text, "an expired token: the file is not sent", text)
        t.ok(s.client.saw("connection-error", since=mark, timeout=10) is not None,
             "an expired token ends the connection with its reason")
        leaks = [e for e in s.client.events_seen(since=0) if "EAAB" in json.dumps(e)]
        t.eq(leaks, [], "no token in any event")


def test_warn_and_override(t, tmp):
    p = Facebook()
    files, paths = write_files(tmp)
    who, name = p.customer(2)
    sysconf = {"policy.conf": "[rule attachment.type]\nseverity = warn\n"
                              "allow = image/*; application/pdf\n"}
    with connected(p, who, name, sysconf=sysconf) as s:
        mark = s.client.mark()
        attach(s, who, paths["notes.zip"])
        text = notice(s, who, mark, flags="system")
        t.ok(text.startswith("⚠ Check before sending") and "/attach-anyway" in text,
             "a warned file waits, saying how to send it anyway", text)
        t.eq(len(uploads(s)), 0, "nothing uploaded on a warning")
        t.ok(s.command(who, "attach-anyway")["status"] != "ok", "/attach-anyway needs a reason")
        mark = s.client.mark()
        t.eq(s.command(who, "attach-anyway the customer asked for the archive")["status"], "ok",
             "/attach-anyway REASON is accepted")
        t.ok(xfer_done(s, mark, "notes.zip") is not None, "the warned file is sent after it")
        overrides = s.log_rows("SELECT detail FROM record WHERE kind='override'")
        t.ok(any("the customer asked for the archive" in d and
                 hashlib.sha256(files["notes.zip"]).hexdigest() in d for (d,) in overrides),
             "the override is logged with the reason and the file's sha256", overrides)
        t.ok(s.command(who, "attach-anyway again")["status"] != "ok",
             "an override is used once")


def test_x(t, tmp):
    p = X()
    files, paths = write_files(tmp)
    who, name = p.customer(3)
    with connected(p, who, name) as s:
        mark = s.client.mark()
        attach(s, who, "%s Here is the label" % paths["label.png"])
        ev = sent_file_write(s, who, mark, timeout=30)
        t.ok(ev is not None and ev["text"].startswith("Here is the label") and
             '<img id="' in ev["text"], "X: the photo and its caption in one message",
             ev and ev["text"])
        t.ok(xfer_done(s, mark, "label.png") is not None, "X: the transfer completes")
        sent = [x for x in s.emu.sent if x.get("attachment")]
        t.eq(len(sent), 1, "X: one DM with media")
        if sent:
            t.eq(sent[0]["text"], "Here is the label", "X: the caption is the DM's text")
            t.eq(sent[0]["attachment"].get("sha256"),
                 hashlib.sha256(files["label.png"]).hexdigest(), "X: the media is the file")
            t.eq(sent[0]["attachment"].get("category"), "dm_image", "X: uploaded as dm_image")
        rows = out_records(s)
        t.ok(any(r[0] == "Here is the label" and r[1] and "sha256" in r[1] for r in rows),
             "X: logged as one reply with its caption and attachment", rows)
        mark = s.client.mark()
        attach(s, who, paths["invoice.pdf.exe"])
        t.ok("Suspicious file name" in notice(s, who, mark), "X: a double extension is refused too")


def test_instagram(t, tmp):
    p = Instagram()
    _, paths = write_files(tmp)
    who, name = p.customer(4)
    with connected(p, who, name) as s:
        r = s.client.cmd({"cmd": "send-file", "protocol": p.protocol, "username": p.username,
                          "who": who, "file": paths["label.png"]})
        t.ok(not r["offered"], "Instagram: Send File is not offered")
        mark = s.client.mark()
        attach(s, who, paths["label.png"])
        text = notice(s, who, mark)
        t.ok("cannot send files on Instagram" in text, "Instagram: /attach says why not", text)
        t.eq(uploads(s), [], "Instagram: nothing uploaded")


def main():
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="bdm-attach-") as tmp:
        t.run("Facebook: /attach, Send File, policy, failures", test_facebook, tmp)
        t.run("a warned file and /attach-anyway", test_warn_and_override, tmp)
        t.run("X: media upload and one DM", test_x, tmp)
        t.run("Instagram: no file sending", test_instagram, tmp)
    return t.done()


if __name__ == "__main__":
    raise SystemExit(main())
