#!/usr/bin/env python3
"""X API v2 emulator: one brand account's direct messages.

Speaks the shapes of the real API (see /work/shared/design.md):
GET /2/users/me, GET /2/dm_events (newest first, last 30 days, paged with
next_token/pagination_token, includes.users for expansions=sender_id) and
POST /2/dm_conversations/with/{participant_id}/messages (HTTP 201).  It
checks what X checks: the bearer token (401), parameter values (400
problem+json with "errors"), the 10,000-character text limit, and per-user
rate limits with x-rate-limit-limit/remaining/reset headers on every answer
(429 when spent): 300 reads and 200 sends per 15 minutes by default.
"""
import argparse
import base64
import time

try:
    from emulator_base import EmulatorBase, Response
    from uploads import MultipartError, describe, parse_multipart, sniff
except ImportError:  # imported as tests.emulators.x_emulator
    from .emulator_base import EmulatorBase, Response
    from .uploads import MultipartError, describe, parse_multipart, sniff

WINDOW = 15 * 60
HISTORY = 30 * 24 * 3600
TEXT_LIMIT = 10000
# media_category: the types X takes in it and their size limit.
MEDIA_CATEGORIES = {"dm_image": (("image/png", "image/jpeg"), 5 * 1024 * 1024),
                    "dm_gif": (("image/gif",), 15 * 1024 * 1024),
                    "dm_video": (("video/mp4",), 512 * 1024 * 1024)}
EVENT_FIELDS = {"id", "text", "event_type", "dm_conversation_id", "created_at", "sender_id",
                "participant_ids", "referenced_tweets", "attachments"}
DEFAULT_EVENT_FIELDS = ("id", "event_type", "text")
EXPANSIONS = {"sender_id", "participant_ids", "referenced_tweets.id", "attachments.media_keys"}
USER_FIELDS = {"id", "name", "username", "created_at", "description", "profile_image_url",
               "protected", "verified"}
MEDIA_FIELDS = {"media_key", "type", "url", "preview_image_url", "variants", "width", "height",
                "duration_ms", "alt_text"}
PROBLEMS = "https://api.twitter.com/2/problems/"


def x_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def problem(status, title, detail, ptype="about:blank", errors=None, headers=None):
    body = {"title": title, "detail": detail, "type": ptype, "status": status}
    if errors:
        body["errors"] = errors
    return Response(status, body, dict(headers or {},
                                       **{"Content-Type": "application/problem+json"}))


def invalid_request(parameter, value, message):
    return problem(400, "Invalid Request",
                   "One or more parameters to your request was invalid.",
                   PROBLEMS + "invalid-request",
                   errors=[{"parameters": {parameter: [value]}, "message": message}])


def usage_capped_problem():
    """The body X sends when the app's monthly cap is spent (arrives as a 429)."""
    return {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
            "type": PROBLEMS + "usage-capped", "period": "Monthly", "scope": "Product",
            "status": 429}


def conversation_id(a, b):
    """One-to-one conversation ids put the numerically smaller id first."""
    return "%s-%s" % tuple(sorted((a, b), key=int))


class XEmulator(EmulatorBase):
    base_path = "/2"
    default_page_size = 100

    def __init__(self, user_id="2000", token="good-token", name="Acme", username=None):
        if not user_id.isdigit():
            raise ValueError("X user ids are numeric")
        super().__init__(token)
        self.user_id = user_id
        self._uploads = {}          # media id -> what was uploaded (sending)
        self.users = {user_id: {"name": name,
                                "username": username or name.lower().replace(" ", "")}}
        self._events = []           # newest last
        self._media = {}            # media_key -> includes.media item
        self._next_id = 1900000000000000000
        self._limits = {"read": 300, "send": 200}
        self._calls = {"read": [], "send": []}

    # ---- state ---------------------------------------------------------------

    def _new_id(self):
        self._next_id += 1
        return str(self._next_id)

    def add_customer_message(self, customer_id, name, text, created=None, media=None):
        """A customer sends the brand a DM; returns the dm_event id.  media: dicts
        with type (photo/video/animated_gif), url (photos) or variants (videos),
        and optionally width, height, preview_image_url."""
        if not str(customer_id).isdigit():
            raise ValueError("X user ids are numeric")
        with self.lock:
            self.users[customer_id] = {"name": name, "username": name.lower().replace(" ", "_")}
            eid = self._add_event(customer_id, conversation_id(customer_id, self.user_id),
                                  text, created)
            if media:
                keys = []
                for i, item in enumerate(media):
                    key = "3_%s%d" % (eid, i)
                    self._media[key] = dict(item, media_key=key)
                    keys.append(key)
                self._event_by_id(eid)["media_keys"] = keys
            return eid

    def add_participants_join(self, conversation, participant_ids, created=None):
        """A group-conversation event that is not a message (clients must skip it)."""
        with self.lock:
            eid = self._new_id()
            self._events.append({"id": eid, "event_type": "ParticipantsJoin",
                                 "dm_conversation_id": conversation,
                                 "participant_ids": list(participant_ids),
                                 "created": int(created if created is not None else time.time())})
            return eid

    def _event_by_id(self, eid):
        return next(e for e in self._events if e["id"] == eid)

    def _add_event(self, sender, conv, text, created=None):
        eid = self._new_id()
        self._events.append({"id": eid, "event_type": "MessageCreate", "text": text,
                             "dm_conversation_id": conv, "sender_id": sender,
                             "created": int(created if created is not None else time.time())})
        self._events.sort(key=lambda e: (e["created"], int(e["id"])))
        return eid

    def set_rate_limits(self, reads=None, sends=None):
        """Requests allowed per 15 minutes (X: 300 dm_events reads, 200 sends)."""
        with self.lock:
            if reads is not None:
                self._limits["read"] = reads
            if sends is not None:
                self._limits["send"] = sends

    # ---- hooks -------------------------------------------------------------

    def is_send(self, request):
        return request.method == "POST" and request.segments[-1:] == ["messages"]

    def auth_error(self, expired):
        return problem(401, "Unauthorized", "Unauthorized")

    def rate_limit_error(self, retry_after):
        reset = int(time.time()) + int(retry_after)
        return problem(429, "Too Many Requests", "Too Many Requests",
                       headers={"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                                "x-rate-limit-reset": str(reset)})

    def truncated_json(self):
        return b'{"data":[{"id":"1900000000000000001","text":"trunc'

    # ---- rate limits -----------------------------------------------------------

    def _spend(self, bucket):
        """Count one call; returns (allowed, headers)."""
        now = time.time()
        calls = [t for t in self._calls[bucket] if t > now - WINDOW]
        limit = self._limits[bucket]
        allowed = len(calls) < limit
        if allowed:
            calls.append(now)
        self._calls[bucket] = calls
        reset = int((calls[0] if calls else now) + WINDOW)
        headers = {"x-rate-limit-limit": str(limit),
                   "x-rate-limit-remaining": str(max(0, limit - len(calls))),
                   "x-rate-limit-reset": str(reset)}
        return allowed, headers

    # ---- routes --------------------------------------------------------------

    def route(self, request):
        seg = request.segments
        if not seg or seg[0] != "2":
            return self._not_found(request)
        seg = seg[1:]
        bucket = "send" if self.is_send(request) else "read"
        allowed, headers = self._spend(bucket)
        if not allowed:
            return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)
        if request.method == "GET" and seg == ["users", "me"]:
            response = self._me(request)
        elif request.method == "GET" and seg == ["dm_events"]:
            response = self._dm_events(request)
        elif request.method == "POST" and len(seg) == 4 and seg[:2] == ["dm_conversations", "with"] \
                and seg[3] == "messages":
            response = self._send(request, seg[2])
        elif request.method == "POST" and seg == ["media", "upload"]:
            response = self._upload(request)
        else:
            response = self._not_found(request)
        response.headers.update(headers)
        return response

    def _not_found(self, request):
        return problem(404, "Not Found Error", "Could not find %s %s" % (request.method,
                                                                        request.path),
                       PROBLEMS + "resource-not-found")

    def _list_param(self, request, name, allowed):
        values = [v for v in request.query.get(name, "").split(",") if v]
        for value in values:
            if value not in allowed:
                return None, invalid_request(name, value, "The `%s` query parameter value "
                                             "[%s] is not one of %s" % (name, value,
                                                                        sorted(allowed)))
        return values, None

    def _render_user(self, uid, fields):
        user = self.users.get(uid, {"name": uid, "username": uid})
        out = {"id": uid, "name": user["name"], "username": user["username"]}
        for name in fields:
            if name in ("protected", "verified"):
                out[name] = False
        return out

    def _me(self, request):
        fields, error = self._list_param(request, "user.fields", USER_FIELDS)
        if error:
            return error
        return Response(200, {"data": self._render_user(self.user_id, fields)})

    def _dm_events(self, request):
        fields, error = self._list_param(request, "dm_event.fields", EVENT_FIELDS)
        if error:
            return error
        expansions, error = self._list_param(request, "expansions", EXPANSIONS)
        if error:
            return error
        user_fields, error = self._list_param(request, "user.fields", USER_FIELDS)
        if error:
            return error
        media_fields, error = self._list_param(request, "media.fields", MEDIA_FIELDS)
        if error:
            return error
        raw_max = request.query.get("max_results", "100")
        if not raw_max.isdigit() or not 1 <= int(raw_max) <= 100:
            return invalid_request("max_results", raw_max, "The `max_results` query parameter "
                                   "value [%s] is not between 1 and 100" % raw_max)
        offset = 0
        if "pagination_token" in request.query:
            offset = self._decode_token(request.query["pagination_token"])
            if offset is None:
                return invalid_request("pagination_token", request.query["pagination_token"],
                                       "The `pagination_token` query parameter value is "
                                       "not valid")
        limit = min(int(raw_max), self.page_size)
        oldest = time.time() - HISTORY
        events = [e for e in reversed(self._events) if e["created"] >= oldest]
        shown = events[offset:offset + limit]
        meta = {"result_count": len(shown)}
        if offset + len(shown) < len(events):
            meta["next_token"] = self._encode_token(offset + len(shown))
        if offset > 0:
            meta["previous_token"] = self._encode_token(max(0, offset - limit))
        body = {"meta": meta}
        if shown:
            wanted = set(DEFAULT_EVENT_FIELDS) | set(fields)
            body["data"] = [self._render_event(e, wanted) for e in shown]
        if shown and "sender_id" in expansions:
            senders = []
            for e in shown:
                if "sender_id" in e and e["sender_id"] not in senders:
                    senders.append(e["sender_id"])
            body["includes"] = {"users": [self._render_user(u, user_fields) for u in senders]}
        keys = [k for e in shown for k in e.get("media_keys", [])]
        if keys and "attachments.media_keys" in expansions:
            wanted_media = {"media_key", "type"} | set(media_fields)
            body.setdefault("includes", {})["media"] = [
                {k: v for k, v in self._media[key].items() if k in wanted_media}
                for key in keys]
        return Response(200, body)

    @staticmethod
    def _render_event(event, wanted):
        out = {}
        for name in ("id", "event_type", "text", "dm_conversation_id", "sender_id",
                     "participant_ids"):
            if name in wanted and name in event:
                out[name] = event[name]
        if "created_at" in wanted:
            out["created_at"] = x_time(event["created"])
        if "attachments" in wanted and event.get("media_keys"):
            out["attachments"] = {"media_keys": list(event["media_keys"])}
        return out

    @staticmethod
    def _encode_token(offset):
        return base64.b32encode(("p%d" % offset).encode()).decode().rstrip("=")

    @staticmethod
    def _decode_token(token):
        try:
            text = base64.b32decode(token + "=" * (-len(token) % 8)).decode()
            return int(text[1:]) if text.startswith("p") else None
        except (ValueError, UnicodeDecodeError):
            return None

    def _send(self, request, participant):
        if not participant.isdigit():
            return invalid_request("participant_id", participant, "The `participant_id` "
                                   "path parameter value [%s] is not a valid user id"
                                   % participant)
        body = request.json_body()
        if not request.headers.get("content-type", "").startswith("application/json") \
                or not isinstance(body, dict):
            return problem(400, "Invalid Request", "The request body must be JSON.",
                           PROBLEMS + "invalid-request")
        text = body.get("text")
        media, error = self._attached_media(body)
        if error is not None:
            return error
        if media is not None and text is None:
            text = ""
        elif not isinstance(text, str) or not text:
            return invalid_request("text", str(text), "A message needs `text` or "
                                   "`attachments`")
        if len(text) > TEXT_LIMIT:
            return invalid_request("text", text[:20] + "...", "The text of a direct message "
                                   "may have at most %d characters" % TEXT_LIMIT)
        if participant == self.user_id:
            return problem(403, "Forbidden", "You cannot send a direct message to yourself.")
        if participant not in self.users:
            return problem(403, "Forbidden",
                           "You are not permitted to send messages to this user.")
        conv = conversation_id(participant, self.user_id)
        eid = self._add_event(self.user_id, conv, text)
        sent = {"recipient_id": participant, "text": text, "messaging_type": None,
                "tag": None, "message_id": eid}
        if media is not None:
            sent["attachment"] = media
        self._sent.append(sent)
        return Response(201, {"data": {"dm_conversation_id": conv, "dm_event_id": eid}})

    def _attached_media(self, body):
        """(media or None, error or None) of a DM's "attachments": one known media id."""
        if "attachments" not in body:
            return None, None
        atts = body["attachments"]
        if not isinstance(atts, list) or len(atts) != 1 or not isinstance(atts[0], dict):
            return None, invalid_request("attachments", str(atts), "A direct message takes "
                                         "exactly one attachment")
        mid = atts[0].get("media_id")
        if not isinstance(mid, str) or mid not in self._uploads:
            return None, invalid_request("attachments.media_id", str(mid), "The media id "
                                         "[%s] is not a valid uploaded media" % mid)
        return dict(self._uploads[mid], media_id=mid), None

    def _upload(self, request):
        """POST /2/media/upload: multipart media, media_category, media_type."""
        try:
            parts = parse_multipart(request.headers.get("content-type", ""), request.raw_body)
        except MultipartError as exc:
            return problem(400, "Invalid Request", str(exc), PROBLEMS + "invalid-request")
        category = parts.get("media_category", {}).get("data", b"").decode("utf-8", "replace")
        if category not in MEDIA_CATEGORIES:
            return invalid_request("media_category", category, "The `media_category` value "
                                   "[%s] is not one of [%s]" % (category,
                                                                ",".join(MEDIA_CATEGORIES)))
        media = parts.get("media")
        if media is None or not media["data"]:
            return invalid_request("media", "", "The `media` field is required")
        types, limit = MEDIA_CATEGORIES[category]
        content = sniff(media["data"])
        declared = parts.get("media_type", {}).get("data", b"").decode("utf-8", "replace")
        if content not in types or (declared and declared != content):
            return invalid_request("media", declared or str(content), "media type "
                                   "unrecognized.")
        if len(media["data"]) > limit:
            return invalid_request("media", str(len(media["data"])), "File size exceeds "
                                   "%d bytes." % limit)
        mid = str(1880028106020515000 + len(self._uploads) + 1)
        self._uploads[mid] = dict(describe(media), category=category)
        return Response(200, {"data": {"id": mid, "media_key": "3_" + mid,
                                       "size": len(media["data"]), "expires_after_secs": 86400}})


EPILOG = """\
examples (with --port 8081 --user-id 2000 --token demo):
  # a customer sends the brand a DM
  curl -X POST http://127.0.0.1:8081/_emulator/customer-message \\
       -H 'Content-Type: application/json' \\
       -d '{"customer_id":"3001","name":"Carla","text":"Is the shop open on Sunday?"}'
  # what the brand sent
  curl http://127.0.0.1:8081/_emulator/sent
  # the API itself, as BrandDM calls it (api_base http://127.0.0.1:8081/2)
  curl -H 'Authorization: Bearer demo' \\
       'http://127.0.0.1:8081/2/dm_events?dm_event.fields=id,text,sender_id,created_at&expansions=sender_id'
"""


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Emulate the X API v2 direct-message endpoints of one brand account.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--user-id", default="2000")
    parser.add_argument("--name", default="Acme")
    parser.add_argument("--token", default="demo")
    args = parser.parse_args(argv)
    emu = XEmulator(user_id=args.user_id, token=args.token, name=args.name)
    print("X emulator on http://127.0.0.1:%d/2, user %s, token %s"
          % (args.port, args.user_id, args.token), flush=True)
    emu.serve_forever(args.port)


if __name__ == "__main__":
    main()
