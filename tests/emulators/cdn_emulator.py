#!/usr/bin/env python3
"""A platform CDN for attachments: a second server on ANOTHER loopback host
(127.0.0.2 by default, while the API emulators listen on 127.0.0.1).

Like fbcdn or ton.twitter.com it takes no token: a request carrying an
Authorization header or an access_token parameter is recorded (tests assert
there is none) and still answered, since a real CDN ignores them too.

Paths (GET /media/NAME):
  photo.png       a valid 4×3 PNG          photo.jpg   a valid 8×8 JPEG
  manual.pdf      a PDF                    sticker.png a 2×2 PNG
  cup.png         a 160×100 red PNG (big enough to find on a screenshot)
  big.bin         30 MB with Content-Length (a client must stop at the header)
  stream.bin      30 MB with no Content-Length (a client must stop while reading)
  exe.png         a Windows program served as image/png (wrong magic bytes)
  bomb.png        a PNG whose header declares 100000×100000 pixels
  truncated.png   declares 5000 bytes, sends 100, closes
  expired.png     403, as an expired signed link   gone.png  410
  redirect.png    302 to the same file on 127.0.0.1 (another host)
  slow.png        waits `slow_seconds` before answering
"""
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def png(width, height, pixels=None):
    """A PNG of width×height red pixels; pixels=False gives a tiny IDAT that
    does not match the declared size (a bomb's header, a few bytes of data)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    if pixels is False:
        raw = b"\x00" * 64
    else:
        raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg():
    """An 8×8 grey baseline JPEG, built by hand so it decodes: one block whose
    coefficients are all zero, coded with one-symbol Huffman tables (DC
    category 0 and AC end-of-block are both the code "0")."""
    def seg(marker, data):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data
    dqt = b"\x00" + b"\x01" * 64
    sof = struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"
    one_symbol = b"\x01" + b"\x00" * 15
    dht = b"\x00" + one_symbol + b"\x00" + b"\x10" + one_symbol + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return (b"\xff\xd8" + seg(0xe0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") +
            seg(0xdb, dqt) + seg(0xc0, sof) + seg(0xc4, dht) + seg(0xda, sos) +
            b"\x3f" + b"\xff\xd9")


JPEG = jpeg()
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
BIG = 30 * 1024 * 1024


class CdnEmulator:
    def __init__(self, host="127.0.0.2", redirect_host="127.0.0.1"):
        self.host = host
        self.redirect_host = redirect_host
        self.slow_seconds = 10
        self.lock = threading.Lock()
        self._requests = []
        self._server = None
        self.files = {
            "photo.png": ("image/png", png(4, 3)),
            "sticker.png": ("image/png", png(2, 2)),
            "cup.png": ("image/png", png(160, 100)),
            "photo.jpg": ("image/jpeg", JPEG),
            "manual.pdf": ("application/pdf", PDF),
            "exe.png": ("image/png", EXE),
            "bomb.png": ("image/png", png(100000, 100000, pixels=False)),
        }

    def start(self, port=0):
        emulator = self

        class Handler(_Handler):
            cdn = emulator
        self._server = ThreadingHTTPServer((self.host, port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def origin(self):
        return "http://%s:%d" % (self.host, self._server.server_address[1])

    def url(self, name, query="oe=6A1B2C3D&sig=abc"):
        """A signed-looking link, like fbcdn's."""
        return "%s/media/%s%s" % (self.origin, name, "?" + query if query else "")

    @property
    def requests(self):
        with self.lock:
            return [dict(r) for r in self._requests]

    def record(self, handler):
        parts = urllib.parse.urlsplit(handler.path)
        with self.lock:
            self._requests.append({
                "path": parts.path,
                "query": dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                "headers": {k.lower(): v for k, v in handler.headers.items()},
            })


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cdn = None

    def do_GET(self):
        self.cdn.record(self)
        name = urllib.parse.urlsplit(self.path).path.rsplit("/", 1)[-1]
        try:
            self._answer(name)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, status, ctype, body, extra=None, length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, name):
        if name in self.cdn.files:
            ctype, body = self.cdn.files[name]
            self._send(200, ctype, body)
        elif name == "slow.png":
            time.sleep(self.cdn.slow_seconds)
            self._send(200, "image/png", self.cdn.files["photo.png"][1])
        elif name == "expired.png":
            self._send(403, "text/plain", b"URL signature expired")
        elif name == "gone.png":
            self._send(410, "text/plain", b"Gone")
        elif name == "redirect.png":
            port = self.server.server_address[1]
            self._send(302, "text/plain", b"", {
                "Location": "http://%s:%d/media/photo.png" % (self.cdn.redirect_host, port)})
        elif name == "truncated.png":
            self.close_connection = True
            self._send(200, "image/png", self.cdn.files["photo.png"][1][:30], length=5000)
        elif name in ("big.bin", "stream.bin"):
            self._stream(with_length=(name == "big.bin"))
        else:
            self._send(404, "text/plain", b"not found")

    def _stream(self, with_length):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if with_length:
            self.send_header("Content-Length", str(BIG))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"\x00" * (1 << 20)
        for _ in range(BIG // len(chunk)):
            self.wfile.write(chunk)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    cdn = CdnEmulator(*(sys.argv[1:2] or ["127.0.0.2"])).start(8090)
    print("CDN on", cdn.origin)
    threading.Event().wait()
