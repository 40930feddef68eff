#!/usr/bin/env python3
"""Graph API emulator: a Facebook Page's Messenger inbox, or its Instagram one.

Speaks the request and response shapes of the real Graph API (see
/work/shared/design.md): GET /{page-id}?fields=..., GET /{page-id}/conversations
with nested messages, GET /{conversation-id}/messages, POST /{page-id}/messages.
It checks what Graph checks: the bearer token (code 190), required parameters
and the send body (code 100), text limits (Messenger 2000 characters,
Instagram 1000 bytes) and the reply window (code 10, subcode 2018278) unless
a HUMAN_AGENT tag is used within 7 days.  Lists are newest first and paged
with cursors; paging.next is an absolute URL on the emulator's own host and,
like Graph's, carries access_token (clients must strip it).  Instagram keeps
only the 20 newest messages of each conversation.

Throttling answers carry Retry-After (real Graph often sends only usage
headers) so tests need not wait a client's 60-second default.
"""
import argparse
import base64
import json
import time

try:
    from emulator_base import EmulatorBase, Response
    from uploads import MultipartError, describe, parse_multipart, sniff
except ImportError:  # imported as tests.emulators.graph_emulator
    from .emulator_base import EmulatorBase, Response
    from .uploads import MultipartError, describe, parse_multipart, sniff

API_VERSION = "v25.0"
REPLY_WINDOW = 24 * 3600
HUMAN_AGENT_WINDOW = 7 * 24 * 3600
UPLOAD_MAX = 25 * 1024 * 1024
# What the Attachment Upload API's "type" must be for a file's content.
UPLOAD_TYPES = {"image": ("image/png", "image/jpeg", "image/gif"), "video": ("video/mp4",),
                "audio": ("audio/mpeg", "audio/mp4"), "file": None}
INSTAGRAM_KEEP = 20
TEXT_LIMIT = {"messenger": (2000, "characters"), "instagram": (1000, "bytes")}
# Fields the emulator knows; Graph answers others with code 100.  Listed
# but never present here: tags.  attachments and sticker appear only when
# asked for, as Graph's do.
MESSAGE_FIELDS = {"id", "message", "from", "to", "created_time", "attachments", "sticker",
                  "tags"}
CONVERSATION_FIELDS = {"id", "participants", "updated_time", "messages", "message_count",
                       "unread_count", "snippet", "can_reply"}


def graph_time(t):
    """Graph's time format: no colon in the offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(t))


def parse_fields(text):
    """'a,b{c,d},e.limit(2){f}' -> {'a': None, 'b': {...}, 'e': {...}}; raises ValueError."""
    fields, i = _parse_field_list(text or "", 0)
    if i != len(text or ""):
        raise ValueError("unbalanced braces in fields")
    return fields


def _parse_field_list(text, i):
    fields = {}
    while i < len(text):
        if text[i] == "}":
            return fields, i
        start = i
        while i < len(text) and text[i] not in ",{}":
            i += 1
        name = text[start:i].strip().split(".")[0]
        sub = None
        if i < len(text) and text[i] == "{":
            sub, i = _parse_field_list(text, i + 1)
            if i >= len(text) or text[i] != "}":
                raise ValueError("unbalanced braces in fields")
            i += 1
        if name:
            fields[name] = sub
        if i < len(text) and text[i] == ",":
            i += 1
    return fields, i


def encode_cursor(offset):
    return base64.urlsafe_b64encode(("off:%d" % offset).encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if text.startswith("off:"):
            return max(0, int(text[4:]))
    except (ValueError, UnicodeDecodeError):
        pass
    raise ValueError("invalid cursor")


def graph_error(message, code, subcode=None, status=400, user_msg=None, headers=None):
    error = {"message": message, "type": "OAuthException", "code": code,
             "fbtrace_id": "AEmuLatorTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_msg:
        error["error_user_title"] = "Message not sent"
        error["error_user_msg"] = user_msg
    return Response(status, {"error": error}, headers)


class GraphEmulator(EmulatorBase):
    base_path = "/" + API_VERSION
    default_page_size = 25

    def __init__(self, platform="messenger", page_id="1000", token="good-token",
                 page_name="Acme"):
        if platform not in ("messenger", "instagram"):
            raise ValueError("platform must be messenger or instagram")
        super().__init__(token)
        self.platform = platform
        self.page_id = page_id
        self.page_name = page_name
        self._customers = {}        # id -> name
        self._conversations = {}    # conversation id -> {"customer_id", "messages": [...]}
        self._by_customer = {}      # customer id -> conversation id
        self._next_id = 1
        self._uploads = {}          # attachment id -> {"type", "name", "mime_type", "size", "sha256"}

    # ---- state ---------------------------------------------------------------

    def _new_id(self, prefix):
        self._next_id += 1
        return "%s%d" % (prefix, self._next_id)

    def _conversation_for(self, customer_id):
        cid = self._by_customer.get(customer_id)
        if cid is None:
            cid = self._new_id("t_" if self.platform == "messenger" else "ig_t_")
            self._by_customer[customer_id] = cid
            self._conversations[cid] = {"customer_id": customer_id, "messages": []}
        return self._conversations[cid]

    def _store(self, conv, message):
        conv["messages"].append(message)
        conv["messages"].sort(key=lambda m: (m["created"], m["seq"]))
        if self.platform == "instagram":
            # Instagram can only ever show the 20 newest messages.
            del conv["messages"][:-INSTAGRAM_KEEP]

    def add_customer_message(self, customer_id, name, text, created=None, attachments=None,
                             sticker=None):
        """A customer writes to the Page; returns the new message id.  attachments:
        dicts with url, and optionally kind (image/video/audio/file), mime_type,
        name, size, width, height; sticker: an image URL."""
        with self.lock:
            self._customers[customer_id] = name
            conv = self._conversation_for(customer_id)
            mid = self._new_id("m_" if self.platform == "messenger" else "aWdf_m_")
            self._store(conv, {
                "id": mid, "from": customer_id, "to": self.page_id, "text": text,
                "created": int(created if created is not None else time.time()),
                "seq": self._next_id, "attachments": list(attachments or []),
                "sticker": sticker,
            })
            return mid

    # ---- hooks -------------------------------------------------------------

    def is_send(self, request):
        return request.method == "POST" and request.segments[-1:] == ["messages"]

    def auth_error(self, expired):
        if expired:
            return graph_error("Error validating access token: Session has expired on "
                               "Saturday, 21-Nov-26 09:00:00 PST.", 190, 463)
        return graph_error("Invalid OAuth access token - Cannot parse access token", 190)

    def rate_limit_error(self, retry_after):
        usage = json.dumps({self.page_id: [{"type": "pages", "call_count": 100,
                                            "estimated_time_to_regain_access": 1}]})
        return graph_error("(#4) Application request limit reached", 4, status=400,
                           headers={"Retry-After": str(retry_after),
                                    "X-Business-Use-Case-Usage": usage})

    # ---- routes --------------------------------------------------------------

    def route(self, request):
        seg = request.segments
        if not seg or seg[0] != API_VERSION:
            return graph_error("Unknown path components: /%s" % "/".join(seg), 2500)
        seg = seg[1:]
        if len(seg) == 2 and seg[1] == "messages" and request.method == "POST":
            if seg[0] not in (self.page_id, "me"):
                return self._no_such_object(seg[0])
            return self._send(request)
        if len(seg) == 2 and seg[1] == "message_attachments" and request.method == "POST":
            if seg[0] not in (self.page_id, "me") or self.platform != "messenger":
                return self._no_such_object(seg[0])
            return self._upload(request)
        if request.method != "GET":
            return graph_error("Unsupported %s request." % request.method, 100)
        try:
            fields = parse_fields(request.query.get("fields", ""))
        except ValueError as exc:
            return graph_error("(#100) %s" % exc, 100)
        if len(seg) == 1 and seg[0] in (self.page_id, "me"):
            return self._page(fields)
        if len(seg) == 2 and seg[0] in (self.page_id, "me") and seg[1] == "conversations":
            error = (self._unknown_field(fields, CONVERSATION_FIELDS, "UnifiedThread") or
                     self._unknown_field(fields.get("messages") or {}, MESSAGE_FIELDS,
                                         "Message"))
            return error or self._conversation_list(request, fields)
        if len(seg) == 2 and seg[0] in self._conversations and seg[1] == "messages":
            error = self._unknown_field(fields, MESSAGE_FIELDS, "Message")
            return error or self._message_list(request, seg[0], fields)
        return self._no_such_object(seg[0] if seg else "")

    def _no_such_object(self, obj):
        return graph_error("Unsupported get request. Object with ID '%s' does not exist, "
                           "cannot be loaded due to missing permissions, or does not "
                           "support this operation." % obj, 100, 33)

    @staticmethod
    def _unknown_field(fields, known, node_type):
        for name in fields:
            if name not in known:
                return graph_error("(#100) Tried accessing nonexisting field (%s) on node "
                                   "type (%s)" % (name, node_type), 100)
        return None

    def _page(self, fields):
        known = {"id": self.page_id, "name": self.page_name,
                 "username": self.page_name.lower().replace(" ", "")}
        out = {"id": self.page_id}
        for name in fields:
            if name not in known:
                return graph_error("(#100) Tried accessing nonexisting field (%s) on node "
                                   "type (Page)" % name, 100)
            out[name] = known[name]
        return Response(200, out)

    def _limit(self, request):
        try:
            asked = int(request.query.get("limit", self.page_size))
        except ValueError:
            asked = self.page_size
        return max(1, min(asked, self.page_size, 100))

    def _person(self, person_id):
        name = self.page_name if person_id == self.page_id else self._customers.get(person_id, "")
        if self.platform == "instagram":
            return {"username": name, "id": person_id}
        return {"name": name, "email": "%s@facebook.com" % person_id, "id": person_id}

    def _render_message(self, msg, fields):
        out = {}
        for name in fields or {"id": None}:
            if name == "id":
                out["id"] = msg["id"]
            elif name == "message":
                out["message"] = msg["text"]
            elif name == "from":
                out["from"] = self._person(msg["from"])
            elif name == "to":
                out["to"] = {"data": [self._person(msg["to"])]}
            elif name == "created_time":
                out["created_time"] = graph_time(msg["created"])
            elif name == "attachments" and msg.get("attachments"):
                out["attachments"] = {"data": [self._render_attachment(msg["id"], i, a)
                                               for i, a in enumerate(msg["attachments"])]}
            elif name == "sticker" and msg.get("sticker"):
                out["sticker"] = msg["sticker"]
        out.setdefault("id", msg["id"])
        return out

    @staticmethod
    def _render_attachment(mid, index, a):
        """Graph's attachment shape: image_data for images, video_data for
        videos, file_url for the rest."""
        out = {"id": "%s_att%d" % (mid, index)}
        for key in ("mime_type", "name", "size"):
            if key in a:
                out[key] = a[key]
        kind = a.get("kind", "file")
        if kind == "image":
            out["image_data"] = {"url": a["url"], "preview_url": a["url"],
                                 "width": a.get("width", 0), "height": a.get("height", 0)}
        elif kind == "video":
            out["video_data"] = {"url": a["url"], "preview_url": a.get("preview_url", "")}
        else:
            out["file_url"] = a["url"]
        return out

    def _paging(self, path, query, offset, shown, total, limit):
        """Graph paging: cursors plus absolute next/previous links with the token."""
        paging = {"cursors": {"before": encode_cursor(offset),
                              "after": encode_cursor(offset + shown)}}
        base = {k: v for k, v in query.items() if k not in ("after", "before")}
        base["access_token"] = self.token
        base["limit"] = str(limit)
        if offset + shown < total:
            q = dict(base, after=encode_cursor(offset + shown))
            paging["next"] = self.origin + path + "?" + _urlencode(q)
        if offset > 0:
            q = dict(base, before=encode_cursor(offset))
            paging["previous"] = self.origin + path + "?" + _urlencode(q)
        return paging

    def _slice(self, request, items):
        limit = self._limit(request)
        try:
            offset = decode_cursor(request.query["after"]) if "after" in request.query else 0
        except ValueError:
            return None, graph_error("(#100) The parameter after is not a valid cursor", 100)
        return (offset, limit, items[offset:offset + limit]), None

    def _conversation_list(self, request, fields):
        platform = request.query.get("platform", "messenger")
        if platform not in ("messenger", "instagram"):
            return graph_error("(#100) param platform must be one of {MESSENGER, INSTAGRAM}",
                               100)
        if request.query.get("user_id"):
            return graph_error("(#100) user_id filtering is not emulated", 100)
        convs = []
        if platform == self.platform:
            convs = sorted(self._conversations.items(),
                           key=lambda kv: -kv[1]["messages"][-1]["created"])
        window, error = self._slice(request, convs)
        if error:
            return error
        offset, limit, shown = window
        data = [self._render_conversation(cid, conv, fields) for cid, conv in shown]
        paging = self._paging(request.path, request.query, offset, len(shown), len(convs), limit)
        return Response(200, {"data": data, "paging": paging})

    def _render_conversation(self, cid, conv, fields):
        out = {"id": cid}
        newest_first = list(reversed(conv["messages"]))
        for name, sub in fields.items():
            if name == "updated_time":
                out["updated_time"] = graph_time(newest_first[0]["created"])
            elif name == "participants":
                out["participants"] = {"data": [self._person(conv["customer_id"]),
                                                self._person(self.page_id)]}
            elif name == "messages":
                out["messages"] = self._nested_messages(cid, newest_first, sub)
            elif name == "message_count":
                out["message_count"] = len(newest_first)
            elif name == "unread_count":
                out["unread_count"] = 0
            elif name == "snippet":
                out["snippet"] = newest_first[0]["text"][:100]
            elif name == "can_reply":
                out["can_reply"] = True
        return out

    def _nested_messages(self, cid, newest_first, sub):
        if self.platform == "instagram":
            # The 20 newest, and no way to page further back.
            return {"data": [self._render_message(m, sub) for m in newest_first]}
        limit = self.page_size
        shown = newest_first[:limit]
        query = {"fields": ",".join(sub or {"id": None})}
        result = {"data": [self._render_message(m, sub) for m in shown]}
        result["paging"] = self._paging("%s/%s/messages" % (self.base_path, cid), query, 0,
                                        len(shown), len(newest_first), limit)
        return result

    def _message_list(self, request, cid, fields):
        newest_first = list(reversed(self._conversations[cid]["messages"]))
        window, error = self._slice(request, newest_first)
        if error:
            return error
        offset, limit, shown = window
        data = [self._render_message(m, fields) for m in shown]
        paging = self._paging(request.path, request.query, offset, len(shown),
                              len(newest_first), limit)
        return Response(200, {"data": data, "paging": paging})

    # ---- sending -------------------------------------------------------------

    def _send_body(self, request):
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = request.json_body()
            return body if isinstance(body, dict) else None
        # Graph also takes form bodies whose values are JSON strings.
        from urllib.parse import parse_qsl
        body = {}
        for key, value in parse_qsl(request.body, keep_blank_values=True):
            try:
                body[key] = json.loads(value) if key in ("recipient", "message") else value
            except ValueError:
                return None
        return body or None

    def _send(self, request):
        body = self._send_body(request)
        if body is None:
            return graph_error("(#100) The request body must be JSON or form data", 100)
        recipient = body.get("recipient")
        message = body.get("message")
        mtype = body.get("messaging_type")
        tag = body.get("tag")
        if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str):
            return graph_error("(#100) param recipient must be non-empty.", 100)
        if mtype not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return graph_error("(#100) param messaging_type must be one of {RESPONSE, "
                               "UPDATE, MESSAGE_TAG}", 100)
        if mtype == "MESSAGE_TAG" and tag != "HUMAN_AGENT":
            return graph_error("(#100) Param tag must be HUMAN_AGENT here", 100)
        if mtype != "MESSAGE_TAG" and tag is not None:
            return graph_error("(#100) tag is only allowed with messaging_type MESSAGE_TAG",
                               100)
        attachment = message.get("attachment") if isinstance(message, dict) else None
        if attachment is not None:
            return self._send_attachment(recipient, message, attachment, mtype, tag)
        if not isinstance(message, dict) or not isinstance(message.get("text"), str) \
                or not message["text"]:
            return graph_error("(#100) param message must contain text or an attachment",
                               100)
        text = message["text"]
        limit, unit = TEXT_LIMIT[self.platform]
        length = len(text.encode("utf-8")) if unit == "bytes" else len(text)
        if length > limit:
            return graph_error("(#100) Length of param message[text] must be less than or "
                               "equal to %d" % limit, 100)
        return self._deliver(recipient["id"], text, mtype, tag, None)

    def _deliver(self, customer, text, mtype, tag, attachment):
        cid = self._by_customer.get(customer)
        if cid is None:
            return graph_error("(#100) No matching user found", 100, 2018001)
        conv = self._conversations[cid]
        last = max((m["created"] for m in conv["messages"] if m["from"] == customer),
                   default=None)
        window = HUMAN_AGENT_WINDOW if mtype == "MESSAGE_TAG" else REPLY_WINDOW
        if last is None or time.time() - last >= window:
            return graph_error("(#10) This message is sent outside of allowed window.",
                               10, 2018278,
                               user_msg="This message is sent outside of allowed window.")
        mid = self._new_id("m_" if self.platform == "messenger" else "aWdf_m_")
        # The brand's own file is not served back by the CDN: the message
        # keeps it for the listing only.
        self._store(conv, {"id": mid, "from": self.page_id, "to": customer, "text": text,
                           "created": int(time.time()), "seq": self._next_id,
                           "sent_attachment": attachment})
        sent = {"recipient_id": customer, "text": text, "messaging_type": mtype,
                "tag": tag, "message_id": mid}
        if attachment is not None:
            sent["attachment"] = dict(attachment)
        self._sent.append(sent)
        return Response(200, {"recipient_id": customer, "message_id": mid})

    def _send_attachment(self, recipient, message, attachment, mtype, tag):
        """message.attachment = {type, payload: {attachment_id}}; never with text."""
        if "text" in message:
            return graph_error("(#100) Only one of text or attachment may be set", 100)
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        aid = payload.get("attachment_id") if isinstance(payload, dict) else None
        if not isinstance(aid, str) or aid not in self._uploads:
            return graph_error("(#100) Attachment ID %s is not valid" % aid, 100)
        upload = self._uploads[aid]
        if attachment.get("type") != upload["type"]:
            return graph_error("(#100) The attachment type %s does not match the uploaded "
                               "%s" % (attachment.get("type"), upload["type"]), 100)
        return self._deliver(recipient["id"], None, mtype, tag, dict(upload, attachment_id=aid))

    def _upload(self, request):
        """The Attachment Upload API: multipart "message" (JSON) + "filedata"."""
        try:
            parts = parse_multipart(request.headers.get("content-type", ""), request.raw_body)
        except MultipartError as exc:
            return graph_error("(#100) %s" % exc, 100)
        try:
            message = json.loads(parts["message"]["data"]) if "message" in parts else None
        except ValueError:
            message = None
        attachment = message.get("attachment") if isinstance(message, dict) else None
        atype = attachment.get("type") if isinstance(attachment, dict) else None
        if atype not in UPLOAD_TYPES:
            return graph_error("(#100) param message[attachment][type] must be one of "
                               "{image, video, audio, file}", 100)
        filedata = parts.get("filedata")
        if filedata is None or filedata["filename"] is None:
            return graph_error("(#100) Upload attachment failure: no filedata", 100)
        if not filedata["data"]:
            return graph_error("(#100) Upload attachment failure: the file is empty", 100)
        if len(filedata["data"]) > UPLOAD_MAX:
            return graph_error("(#100) Upload attachment failure: the file is larger than "
                               "25 MB", 100)
        content = sniff(filedata["data"])
        allowed = UPLOAD_TYPES[atype]
        if (allowed is not None and content not in allowed) or \
                (content is not None and filedata["content_type"] != content):
            return graph_error("(#100) Upload attachment failure: the file is not a valid "
                               "%s" % atype, 100)
        aid = str(1857777774821000 + self._next_id)
        self._next_id += 1
        self._uploads[aid] = dict(describe(filedata), type=atype)
        return Response(200, {"attachment_id": aid})


def _urlencode(query):
    from urllib.parse import urlencode
    return urlencode(query, safe=",{}")


EPILOG = """\
examples (with --port 8080 --page-id 1000 --token demo):
  # a customer writes to the Page
  curl -X POST http://127.0.0.1:8080/_emulator/customer-message \\
       -H 'Content-Type: application/json' \\
       -d '{"customer_id":"501","name":"Ann","text":"Where is my order?"}'
  # what the brand sent
  curl http://127.0.0.1:8080/_emulator/sent
  # the API itself, as BrandDM calls it (api_base http://127.0.0.1:8080/v25.0)
  # (-g: curl must not read the braces of fields= as a URL pattern)
  curl -g -H 'Authorization: Bearer demo' \\
       'http://127.0.0.1:8080/v25.0/1000/conversations?platform=messenger&fields=participants,messages{id,message,from,created_time}'
"""


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Emulate the Graph API messaging edges of a Facebook Page "
                    "(Messenger) or its Instagram account.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--page-id", default="1000")
    parser.add_argument("--page-name", default="Acme")
    parser.add_argument("--token", default="demo")
    parser.add_argument("--platform", choices=("messenger", "instagram"), default="messenger")
    args = parser.parse_args(argv)
    emu = GraphEmulator(platform=args.platform, page_id=args.page_id, token=args.token,
                        page_name=args.page_name)
    print("Graph emulator (%s) on http://127.0.0.1:%d/%s, page %s, token %s"
          % (args.platform, args.port, API_VERSION, args.page_id, args.token), flush=True)
    emu.serve_forever(args.port)


if __name__ == "__main__":
    main()
