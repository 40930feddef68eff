"""A minimal BrandDM host in Python: drives a built protocol module (.bdm)
through ctypes and performs its requests with urllib.

It exists so tests can check that the C modules and the emulators speak the
same API: the module builds a request, this host adds the bearer token (as
the real plugin does) and performs it, and the module parses the answer.
The ctypes structures mirror include/branddm/protocol.h (ABI version 2).
"""
import ctypes
import ctypes.util
import time
import urllib.error
import urllib.request

c_char_p = ctypes.c_char_p
c_size_t = ctypes.c_size_t
c_int = ctypes.c_int
c_longlong = ctypes.c_longlong

_glib = ctypes.CDLL(ctypes.util.find_library("glib-2.0") or "libglib-2.0.so.0")
_glib.g_free.argtypes = [ctypes.c_void_p]
_glib.g_free.restype = None

BDM_MODULE_MAGIC = 0x42444D31
ERROR_CLASSES = ["NONE", "AUTH", "RATE_LIMIT", "WINDOW", "INVALID", "TRANSIENT",
                 "MALFORMED", "REFUSED"]


class BdmError(ctypes.Structure):
    _fields_ = [("cls", c_int), ("code", c_int), ("subcode", c_int),
                ("retry_after", c_longlong), ("message", c_char_p)]


class BdmHeader(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("value", c_char_p)]


class BdmRequest(ctypes.Structure):
    _fields_ = [("method", c_char_p), ("url", c_char_p),
                ("headers", ctypes.POINTER(BdmHeader)), ("n_headers", c_size_t),
                ("body", ctypes.c_void_p), ("body_len", c_size_t),
                ("content_type", c_char_p), ("idempotent", c_int),
                ("timeout_seconds", c_int)]


class BdmResponse(ctypes.Structure):
    _fields_ = [("status", ctypes.c_long), ("body", c_char_p), ("body_len", c_size_t),
                ("content_type", c_char_p), ("headers", ctypes.POINTER(BdmHeader)),
                ("n_headers", c_size_t), ("now", c_longlong)]


class BdmAccountCtx(ctypes.Structure):
    pass


GET_OPTION = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.POINTER(BdmAccountCtx), c_char_p)
DEBUG = ctypes.CFUNCTYPE(None, ctypes.POINTER(BdmAccountCtx), c_int, c_char_p)
BdmAccountCtx._fields_ = [("api_base", c_char_p), ("account_id", c_char_p),
                          ("self_id", c_char_p), ("now", c_longlong),
                          ("get_option", GET_OPTION), ("host_data", ctypes.c_void_p),
                          # ABI 2: the module called and its data (bdm_ctx_bind)
                          ("module", ctypes.c_void_p), ("module_data", ctypes.c_void_p),
                          ("debug", DEBUG)]


class BdmIdentity(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("name", c_char_p)]


class BdmConversation(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("customer_id", c_char_p), ("customer_name", c_char_p),
                ("updated", c_longlong)]


class BdmMessage(ctypes.Structure):
    _fields_ = [("id", c_char_p), ("conversation_id", c_char_p), ("sender_id", c_char_p),
                ("sender_name", c_char_p), ("recipient_id", c_char_p), ("text", c_char_p),
                ("created", c_longlong), ("from_brand", c_int)]


class BdmPollPage(ctypes.Structure):
    _fields_ = [("conversations", ctypes.POINTER(BdmConversation)),
                ("n_conversations", c_size_t),
                ("messages", ctypes.POINTER(BdmMessage)), ("n_messages", c_size_t),
                ("next", ctypes.POINTER(ctypes.c_void_p)), ("n_next", c_size_t),
                ("not_before", c_longlong), ("gap", c_int),
                # ABI 2
                ("attachments", ctypes.c_void_p), ("n_attachments", c_size_t)]


class BdmSendInput(ctypes.Structure):
    _fields_ = [("recipient_id", c_char_p), ("conversation_id", c_char_p),
                ("text", c_char_p), ("last_customer_message", c_longlong),
                ("allow_human_agent", c_int), ("automated", c_int),
                # ABI 2: the module reads them, so the mirror must have them
                ("attachment_id", c_char_p), ("attachment_kind", c_int)]


class BdmUploadInput(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("len", c_size_t), ("name", c_char_p),
                ("mime_type", c_char_p), ("kind", c_int), ("recipient_id", c_char_p)]


class BdmUploadResult(ctypes.Structure):
    _fields_ = [("attachment_id", c_char_p), ("text_separate", c_int)]


# BdmAttachmentKind
ATTACHMENT_KINDS = {"file": 0, "image": 1, "video": 2, "audio": 3}


class BdmSendResult(ctypes.Structure):
    _fields_ = [("message_id", c_char_p), ("conversation_id", c_char_p)]


_P = ctypes.POINTER
_CTX = _P(BdmAccountCtx)
_ERR = _P(BdmError)


class BdmModule(ctypes.Structure):
    _fields_ = [
        ("magic", ctypes.c_uint), ("abi_version", c_int), ("struct_size", c_size_t),
        ("protocol_id", c_char_p), ("name", c_char_p), ("platform", c_char_p),
        ("default_api_base", c_char_p), ("username_label", c_char_p),
        ("password_label", c_char_p), ("options", ctypes.c_void_p),
        ("flags", ctypes.c_uint), ("text_limit", c_size_t), ("text_limit_in_bytes", c_int),
        ("min_poll_interval", c_longlong),
        ("build_whoami", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmRequest), _ERR)),
        ("parse_whoami", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmResponse), _P(BdmIdentity), _ERR)),
        ("build_poll", ctypes.CFUNCTYPE(c_int, _CTX, c_char_p, _P(BdmRequest), _ERR)),
        ("parse_poll", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmResponse), _P(BdmPollPage), _ERR)),
        ("check_send", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmSendInput), _ERR)),
        ("build_send", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmSendInput), _P(BdmRequest), _ERR)),
        ("parse_send", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmResponse), _P(BdmSendResult), _ERR)),
        # ABI 2
        ("platform_label", c_char_p), ("module_data", ctypes.c_void_p),
        ("build_upload", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmUploadInput), _P(BdmRequest),
                                          _ERR)),
        ("parse_upload", ctypes.CFUNCTYPE(c_int, _CTX, _P(BdmResponse), _P(BdmUploadResult),
                                          _ERR)),
    ]


def _text(value):
    return value.decode("utf-8") if value is not None else None


def _free_strings(struct):
    """g_free every char * field of a module-filled struct."""
    for name, ftype in struct._fields_:
        if ftype is c_char_p:
            offset = getattr(type(struct), name).offset
            _glib.g_free(ctypes.c_void_p.from_buffer(struct, offset).value)


class ModuleError(Exception):
    """A module call failed; cls is the BdmErrorClass name."""

    def __init__(self, err):
        self.cls = ERROR_CLASSES[err.cls] if 0 <= err.cls < len(ERROR_CLASSES) else err.cls
        self.code = err.code
        self.subcode = err.subcode
        self.retry_after = err.retry_after
        self.message = _text(err.message)
        super().__init__("%s (%d/%d): %s" % (self.cls, self.code, self.subcode, self.message))


class ModuleHost:
    """One account driven through one module, against one API base."""

    def __init__(self, path, api_base, account_id, token, options=None):
        self.lib = ctypes.CDLL(path)
        entry = self.lib.branddm_module_entry
        entry.restype = ctypes.POINTER(BdmModule)
        self.module = entry().contents
        if self.module.magic != BDM_MODULE_MAGIC:
            raise ValueError("%s: bad magic" % path)
        self.token = token
        self.options = {k: v.encode() for k, v in (options or {}).items()}
        self._keep = [api_base.encode(), account_id.encode()]
        self.ctx = BdmAccountCtx()
        self.ctx.api_base = self._keep[0]
        self.ctx.account_id = self._keep[1]
        self._get_option = GET_OPTION(self._option)
        self.ctx.get_option = self._get_option
        # As the host's bdm_ctx_bind: every call knows its module and data.
        self.ctx.module = ctypes.addressof(self.module)
        self.ctx.module_data = self.module.module_data
        self.requests = []   # (method, url, headers dict) as the module built them

    def _option(self, _ctx, key):
        value = self.options.get(key.decode())
        return ctypes.cast(ctypes.c_char_p(value), ctypes.c_void_p).value if value else None

    def _now(self):
        self.ctx.now = int(time.time())
        return self.ctx.now

    @staticmethod
    def _check(rc, err):
        if rc != 0:
            error = ModuleError(err)
            _glib.g_free(ctypes.c_void_p.from_buffer(err, BdmError.message.offset).value)
            raise error

    def _perform(self, req):
        """Do the HTTP request as the plugin would; returns (status, body, headers)."""
        headers = {_text(req.headers[i].name): _text(req.headers[i].value)
                   for i in range(req.n_headers)}
        body = ctypes.string_at(req.body, req.body_len) if req.body else None
        if req.content_type:
            headers["Content-Type"] = _text(req.content_type)
        self.requests.append((_text(req.method), _text(req.url), dict(headers)))
        headers["Authorization"] = "Bearer " + self.token
        http = urllib.request.Request(_text(req.url), data=body, method=_text(req.method),
                                      headers=headers)
        try:
            with urllib.request.urlopen(http, timeout=10) as resp:
                return resp.status, resp.read(), dict(resp.headers.items())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers.items())
        finally:
            for i in range(req.n_headers):
                _free_strings(req.headers[i])
            _glib.g_free(ctypes.cast(req.headers, ctypes.c_void_p))
            _glib.g_free(req.body)
            _free_strings(req)

    def _exchange(self, build, parse, out, *args):
        err = BdmError()
        req = BdmRequest()
        self._now()
        self._check(build(ctypes.byref(self.ctx), *args, ctypes.byref(req), ctypes.byref(err)), err)
        status, body, headers = self._perform(req)
        hdrs = (BdmHeader * max(1, len(headers)))()
        keep = []
        for i, (name, value) in enumerate(headers.items()):
            keep.append((name.lower().encode(), value.encode()))
            hdrs[i].name, hdrs[i].value = keep[-1]
        resp = BdmResponse(status=status, body=body, body_len=len(body),
                           content_type=headers.get("Content-Type", "").encode(),
                           headers=hdrs, n_headers=len(headers), now=self._now())
        self._check(parse(ctypes.byref(self.ctx), ctypes.byref(resp), ctypes.byref(out),
                          ctypes.byref(err)), err)
        return out

    # ---- the ABI, Pythonically ---------------------------------------------------

    def whoami(self):
        ident = self._exchange(self.module.build_whoami, self.module.parse_whoami,
                               BdmIdentity())
        result = {"id": _text(ident.id), "name": _text(ident.name)}
        _free_strings(ident)
        self._keep.append(result["id"].encode())
        self.ctx.self_id = self._keep[-1]
        return result

    def poll_page(self, cursor=None):
        """One page: {"conversations", "messages", "next", "not_before", "gap"}."""
        page = self._exchange(self.module.build_poll, self.module.parse_poll, BdmPollPage(),
                              cursor.encode() if cursor else None)
        result = {"conversations": [], "messages": [], "next": [],
                  "not_before": page.not_before, "gap": page.gap}
        for i in range(page.n_conversations):
            c = page.conversations[i]
            result["conversations"].append({"id": _text(c.id),
                                            "customer_id": _text(c.customer_id),
                                            "customer_name": _text(c.customer_name),
                                            "updated": c.updated})
            _free_strings(c)
        for i in range(page.n_messages):
            msg = page.messages[i]
            result["messages"].append({k: (_text(getattr(msg, k)) if t is c_char_p
                                           else getattr(msg, k)) for k, t in msg._fields_})
            _free_strings(msg)
        for i in range(page.n_next):
            result["next"].append(_text(ctypes.cast(page.next[i], c_char_p).value))
            _glib.g_free(page.next[i])
        for ptr in (page.conversations, page.messages, page.next):
            _glib.g_free(ctypes.cast(ptr, ctypes.c_void_p))
        return result

    def poll_all(self, max_pages=100):
        """Follow every cursor, as the host does: (pages, messages by id)."""
        pages, queue, messages = [], [None], {}
        while queue and len(pages) < max_pages:
            page = self.poll_page(queue.pop(0))
            pages.append(page)
            for msg in page["messages"]:
                messages.setdefault(msg["id"], msg)
            queue.extend(page["next"])
        return pages, messages

    def _send_input(self, recipient, text, last_customer_message, human_agent, automated,
                    attachment=None):
        self._keep.extend([recipient.encode(), text.encode()])
        inp = BdmSendInput(recipient_id=self._keep[-2], conversation_id=None,
                           text=self._keep[-1], last_customer_message=last_customer_message,
                           allow_human_agent=int(human_agent), automated=int(automated))
        if attachment is not None:
            self._keep.append(attachment[0].encode())
            inp.attachment_id = self._keep[-1]
            inp.attachment_kind = ATTACHMENT_KINDS[attachment[1]]
        return inp

    def can_upload(self):
        """BDM_MODULE_HAS(module, build_upload), as the host asks it."""
        declared = min(self.module.struct_size, ctypes.sizeof(BdmModule))
        end = BdmModule.parse_upload.offset + ctypes.sizeof(ctypes.c_void_p)
        return self.module.abi_version >= 2 and declared >= end and \
            bool(self.module.build_upload) and bool(self.module.parse_upload)

    def upload(self, data, name, mime_type, kind, recipient="0"):
        """Upload a file (bytes); returns the platform's attachment/media id."""
        buf = ctypes.create_string_buffer(data, len(data))
        self._keep.extend([name.encode(), mime_type.encode(), recipient.encode(), buf])
        inp = BdmUploadInput(data=ctypes.cast(buf, ctypes.c_void_p), len=len(data),
                             name=self._keep[-4], mime_type=self._keep[-3],
                             kind=ATTACHMENT_KINDS[kind], recipient_id=self._keep[-2])
        result = self._exchange(self.module.build_upload, self.module.parse_upload,
                                BdmUploadResult(), ctypes.byref(inp))
        out = _text(result.attachment_id)
        _free_strings(result)
        return out

    def check_send(self, recipient, text, last_customer_message, human_agent=False,
                   automated=False):
        err = BdmError()
        self._now()
        inp = self._send_input(recipient, text, last_customer_message, human_agent, automated)
        self._check(self.module.check_send(ctypes.byref(self.ctx), ctypes.byref(inp),
                                           ctypes.byref(err)), err)

    def send(self, recipient, text, last_customer_message, human_agent=False, automated=False,
             attachment=None):
        """attachment: (id from upload(), kind) to send that file."""
        inp = self._send_input(recipient, text, last_customer_message, human_agent, automated,
                               attachment)
        result = self._exchange(self.module.build_send, self.module.parse_send,
                                BdmSendResult(), ctypes.byref(inp))
        out = {"message_id": _text(result.message_id),
               "conversation_id": _text(result.conversation_id)}
        _free_strings(result)
        return out
