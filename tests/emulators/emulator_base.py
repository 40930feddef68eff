"""Common machinery of the platform API emulators (Python 3 stdlib only).

An emulator is an HTTP server on 127.0.0.1 in a background thread that
speaks one platform's API closely enough for BrandDM's end-to-end tests: it
checks the bearer token, logs every API request, and can be told to
misbehave (raw faults, throttling, truncated JSON, an expired token, latency).
Subclasses supply the routes and the platform's own error shapes.

Every public method is safe to call from any thread while the server runs.
"""
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL_PREFIX = "/_emulator/"


class Response:
    """What a route answers: status, body (dict/list → JSON, str, bytes) and headers.

    Fault answers only: reset_after (bytes) sends the headers and that many
    bytes of the body, then resets the connection (TCP RST); stream_size
    announces and sends a body of that many bytes, made of body repeated,
    without ever holding it whole."""

    def __init__(self, status, body=None, headers=None, reset_after=None, stream_size=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.reset_after = reset_after
        self.stream_size = stream_size

    def encoded_body(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


class Request:
    """One parsed HTTP request, as routes see it."""

    def __init__(self, method, raw_path, headers, body, raw_body=None):
        parts = urllib.parse.urlsplit(raw_path)
        # Uploads are binary: body is text for the JSON routes, raw_body the bytes.
        self.raw_body = raw_body if raw_body is not None else body.encode("utf-8")
        self.method = method
        self.path = parts.path
        # Segments are unescaped one by one, so "%2F" inside an id stays
        # part of that id instead of creating a new segment.
        self.segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        self.query = {k: v for k, v in pairs}
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def json_body(self):
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def bearer_token(self):
        auth = self.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None


class _Fault:
    def __init__(self, count, response, sends_only, wraps_route=False, gzip_encoded=False):
        self.count = count
        self.response = response
        self.sends_only = sends_only
        self.wraps_route = wraps_route      # answer normally, then break the connection
        self.gzip_encoded = gzip_encoded


class EmulatorBase:
    """Server lifecycle, request log and fault injection; subclass per platform."""

    #: Path prefix of the API ("/v25.0", "/2"); base_url ends with it.
    base_path = ""
    #: Default page size of list endpoints.
    default_page_size = 25

    def __init__(self, token):
        self.token = token
        self.lock = threading.RLock()
        self._requests = []
        self._sent = []
        self._faults = []
        self._rate_limited = 0
        self._rate_limit_retry_after = 2
        self._malformed = 0
        self._token_expired = False
        self._latency = 0.0
        self._send_answer_delay = 0.0
        self.page_size = self.default_page_size
        self._server = None
        self._thread = None
        self.port = None

    # ---- lifecycle -----------------------------------------------------

    def start(self, port=0, host="127.0.0.1"):
        """Start serving in a daemon thread; returns the port (port 0 = any free one)."""
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = _Server((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self.port

    def stop(self):
        """Stop serving and wait for the server thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def serve_forever(self, port, host="127.0.0.1"):
        """Standalone use: serve until interrupted."""
        self.start(port, host)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def origin(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def base_url(self):
        """What goes into an account's api_base."""
        return self.origin + self.base_path

    # ---- what tests read -------------------------------------------------

    @property
    def requests(self):
        """Every API request so far (not control requests), oldest first: dicts of
        method, path, query, headers (lower-case names), body, status, and time
        (time.monotonic() when answered, for checking poll intervals)."""
        with self.lock:
            return [dict(r) for r in self._requests]

    @property
    def sent(self):
        """Every send the platform accepted, oldest first."""
        with self.lock:
            return [dict(s) for s in self._sent]

    # ---- what tests change -----------------------------------------------

    def fail_next(self, count, status, body=None, headers=None):
        """The next `count` API requests get this raw answer."""
        with self.lock:
            self._faults.append(_Fault(count, Response(status, body, headers), False))

    def fail_next_send(self, count, status, body=None, headers=None):
        """The next `count` sends get this raw answer; other requests are untouched."""
        with self.lock:
            self._faults.append(_Fault(count, Response(status, body, headers), True))

    def fail_next_upload(self, count, status, body=None, headers=None):
        """The next `count` file uploads get this raw answer; other requests are untouched."""
        with self.lock:
            self._faults.append(_Fault(count, Response(status, body, headers), "upload"))

    def reset_next(self, count, after_bytes=0, sends_only=False):
        """The next `count` API requests (or sends) are answered normally, but
        the connection is reset after the headers and `after_bytes` bytes of
        the body: the request was acted on, the client never learns it."""
        with self.lock:
            self._faults.append(_Fault(count, Response(0, reset_after=after_bytes), sends_only,
                                       wraps_route=True))

    def giant_next(self, count, size, gzip_encoded=False):
        """The next `count` API requests get 200 and a body of `size` bytes
        (JSON-looking, never complete).  With gzip_encoded the body is sent
        gzip-compressed (a decompression bomb: a few kB on the wire)."""
        with self.lock:
            self._faults.append(_Fault(count, Response(200, b'{"data":[{"id":"',
                                                       {"Content-Type": "application/json"},
                                                       stream_size=size), False,
                                       gzip_encoded=gzip_encoded))

    def set_malformed_next(self, count):
        """The next `count` API requests answer 200 with truncated JSON."""
        with self.lock:
            self._malformed = count

    def expire_token(self):
        """From now on the token gets the platform's expired-token error."""
        with self.lock:
            self._token_expired = True

    def rate_limit_next(self, count, retry_after=2):
        """The next `count` API requests get the platform's throttling error."""
        with self.lock:
            self._rate_limited = count
            self._rate_limit_retry_after = retry_after

    def set_page_size(self, n):
        """Items per page of list endpoints (at most what the client asks for)."""
        if n < 1:
            raise ValueError("page size must be at least 1")
        with self.lock:
            self.page_size = n

    def delay_next_send_answer(self, seconds):
        """The next send is acted on at once but answered `seconds` later, so a
        poll in between already lists the message it sent."""
        with self.lock:
            self._send_answer_delay = float(seconds)

    def set_latency(self, seconds):
        """Delay every answer by this many seconds."""
        with self.lock:
            self._latency = float(seconds)

    # ---- for subclasses ----------------------------------------------------

    def is_send(self, request):
        """True when the request sends a message (for fail_next_send)."""
        raise NotImplementedError

    def is_upload(self, request):
        """True when the request uploads a file (Graph's message_attachments, X's
        media/upload), for fail_next_upload."""
        return request.path.endswith(("/message_attachments", "/media/upload"))

    def auth_error(self, expired):
        """The platform's answer to a missing, wrong or expired token."""
        raise NotImplementedError

    def rate_limit_error(self, retry_after):
        """The platform's throttling answer."""
        raise NotImplementedError

    def route(self, request):
        """Answer an authenticated API request; called with self.lock held."""
        raise NotImplementedError

    def control(self, request):
        """Answer /_emulator/... requests (no auth, not logged)."""
        name = request.path[len(CONTROL_PREFIX):]
        if name == "customer-message" and request.method == "POST":
            data = request.json_body()
            if not isinstance(data, dict) or not all(
                    isinstance(data.get(k), str) and data.get(k)
                    for k in ("customer_id", "text")):
                return Response(400, {"error": "need JSON {customer_id, name, text}"})
            created = data.get("created")
            mid = self.add_customer_message(data["customer_id"],
                                            data.get("name") or data["customer_id"],
                                            data["text"], created)
            return Response(200, {"message_id": mid})
        if name == "sent" and request.method == "GET":
            return Response(200, self.sent)
        if name == "requests" and request.method == "GET":
            return Response(200, self.requests)
        return Response(404, {"error": "unknown control endpoint"})

    def add_customer_message(self, customer_id, name, text, created=None):
        raise NotImplementedError

    def truncated_json(self):
        return b'{"data":[{"id":"1","message":"trunc'

    # ---- dispatch ------------------------------------------------------------

    def _take_fault(self, request):
        for fault in self._faults:
            if fault.count > 0 and (not fault.sends_only or
                                    (self.is_upload(request) if fault.sends_only == "upload"
                                     else self.is_send(request))):
                fault.count -= 1
                if fault.gzip_encoded:
                    return _Fault(1, Response(fault.response.status, fault.response.body,
                                              dict(fault.response.headers,
                                                   **{"Content-Encoding": "gzip"}),
                                              stream_size=fault.response.stream_size), False)
                return fault
        self._faults = [f for f in self._faults if f.count > 0]
        return None

    def dispatch(self, request):
        if request.path.startswith(CONTROL_PREFIX):
            with self.lock:
                return self.control(request)
        with self.lock:
            latency = self._latency
        if latency:
            time.sleep(latency)
        with self.lock:
            response = self._answer(request)
            self._requests.append({
                "method": request.method, "path": request.path,
                "query": dict(request.query), "headers": dict(request.headers),
                "body": request.body, "status": response.status,
                "time": time.monotonic(),
            })
            delay = 0.0
            if self._send_answer_delay and self.is_send(request):
                delay, self._send_answer_delay = self._send_answer_delay, 0.0
        if delay:
            time.sleep(delay)
        return response

    def _answer(self, request):
        fault = self._take_fault(request)
        if fault is not None and fault.wraps_route:
            # The platform acts on the request; only the answer is lost.
            answer = self._answer(request)
            return Response(answer.status, answer.body, answer.headers,
                            reset_after=fault.response.reset_after)
        if fault is not None:
            return fault.response
        if self._rate_limited > 0:
            self._rate_limited -= 1
            return self.rate_limit_error(self._rate_limit_retry_after)
        if self._malformed > 0:
            self._malformed -= 1
            return Response(200, self.truncated_json(),
                            {"Content-Type": "application/json"})
        token = request.bearer_token()
        if token != self.token or self._token_expired:
            return self.auth_error(expired=(token == self.token))
        try:
            return self.route(request)
        except Exception as exc:  # a bug here must show, not hang the client
            return Response(500, {"emulator_error": repr(exc)})


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client hanging up (as BrandDM does on a body that is too large)
        # is part of the tests, not an emulator bug worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator = None

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = raw.decode("utf-8", "replace")
        request = Request(self.command, self.path, dict(self.headers.items()), body, raw)
        response = self.emulator.dispatch(request)
        if response.stream_size is not None:
            self._stream(response)
            return
        payload = response.encoded_body()
        self.send_response(response.status)
        headers = {k.lower(): (k, v) for k, v in response.headers.items()}
        if "content-type" not in headers and payload:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        for name, value in headers.values():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.reset_after is not None:
            self.wfile.write(payload[:response.reset_after])
            self.wfile.flush()
            self._reset()
            return
        self.wfile.write(payload)

    def _reset(self):
        """Abort the connection with a TCP RST (SO_LINGER 0), as a dying proxy does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _stream(self, response):
        """A body of response.stream_size bytes made of response.body repeated,
        sent in 1 MiB chunks (or gzip-compressed whole, which is small).  A
        client that hangs up ends it."""
        chunk = (response.body * (2 ** 20 // len(response.body) + 1))[:2 ** 20]

        def pieces():
            left = response.stream_size
            while left > 0:
                yield chunk[:min(left, len(chunk))]
                left -= len(chunk)

        compressed = None
        if response.headers.get("Content-Encoding") == "gzip":
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
            compressed = b"".join(compressor.compress(p) for p in pieces()) + compressor.flush()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length",
                         str(len(compressed) if compressed is not None else response.stream_size))
        self.end_headers()
        try:
            for piece in ([compressed] if compressed is not None else pieces()):
                self.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = _handle

    def log_message(self, fmt, *args):  # keep test output clean
        pass
