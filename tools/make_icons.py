#!/usr/bin/env python3
"""Draw BrandDM's protocol icons: one per platform, as PNGs at the sizes
Pidgin looks for (pixmaps/pidgin/protocols/{16,22,48}/<list_icon>.png) and
as SVG (protocols/scalable/<list_icon>.svg, used by notification plugins).

    python3 tools/make_icons.py [OUTDIR]      # default: data/icons

Plain Python (zlib and struct): no imaging library to install.  Each icon is
a few shapes described once; the PNGs are rasterised from them with 4x4
supersampling, the SVGs written from the same numbers, so both agree.  The
output is deterministic: running it again changes no byte.

The designs are simple marks in each platform's colours, not the platforms'
trademarked logos: a blue speech bubble with a zigzag (Messenger), a
gradient rounded square with a camera outline (Instagram), a black square
with a white X."""
import math
import os
import struct
import sys
import zlib

SIZES = (16, 22, 48)
SAMPLES = 4


# ---- shapes: signed distance (negative inside), in unit coordinates --------

def rounded_square(x0, y0, x1, y1, r):
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r

    def sdf(x, y):
        qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
        outside = math.hypot(max(qx, 0), max(qy, 0))
        return outside + min(max(qx, qy), 0) - r
    return sdf


def circle(cx, cy, r):
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def ring(sdf, width):
    return lambda x, y: abs(sdf(x, y)) - width / 2


def segment(ax, ay, bx, by, width):
    def sdf(x, y):
        px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
        h = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - dx * h, py - dy * h) - width / 2
    return sdf


def polyline(points, width):
    parts = [segment(a[0], a[1], b[0], b[1], width) for a, b in zip(points, points[1:])]
    return lambda x, y: min(p(x, y) for p in parts)


def triangle(a, b, c):
    def sdf(x, y):
        def side(p, q):
            return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])
        s = [side(a, b), side(b, c), side(c, a)]
        return -1.0 if all(v >= 0 for v in s) or all(v <= 0 for v in s) else 1.0
    return sdf


def union(*sdfs):
    return lambda x, y: min(s(x, y) for s in sdfs)


# ---- colours ------------------------------------------------------------

def hex_rgb(value):
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def solid(value):
    rgb = hex_rgb(value)
    return lambda x, y: rgb


def gradient(stops, x0, y0, x1, y1):
    """Linear gradient along (x0, y0) -> (x1, y1); stops: [(offset, "#rrggbb")]."""
    rgbs = [(o, hex_rgb(c)) for o, c in stops]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy

    def colour(x, y):
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length2))
        for (o1, c1), (o2, c2) in zip(rgbs, rgbs[1:]):
            if t <= o2:
                f = (t - o1) / (o2 - o1) if o2 > o1 else 0
                return tuple(round(a + (b - a) * f) for a, b in zip(c1, c2))
        return rgbs[-1][1]
    return colour


# ---- the icons: layers painted in order, and their SVG ------------------

BUBBLE = [(0.0, "#00b2ff"), (1.0, "#0062e0")]
BOLT = [(0.22, 0.62), (0.42, 0.41), (0.55, 0.54), (0.78, 0.36)]
INSTA = [(0.0, "#fdc15c"), (0.35, "#f2623b"), (0.65, "#d42b7e"), (1.0, "#6a3fc9")]


def icons():
    return {
        "branddm-facebook": {
            "layers": [
                (union(circle(0.5, 0.47, 0.44), triangle((0.16, 0.72), (0.36, 0.86), (0.14, 0.98))),
                 gradient(BUBBLE, 0.5, 0.0, 0.5, 1.0)),
                (polyline(BOLT, 0.1), solid("#ffffff")),
            ],
            "svg": (
                '<linearGradient id="g" x1="0" y1="0" x2="0" y2="1">'
                + "".join('<stop offset="%g" stop-color="%s"/>' % s for s in BUBBLE)
                + '</linearGradient>'
                '<circle cx="0.5" cy="0.47" r="0.44" fill="url(#g)"/>'
                '<path d="M0.16 0.72 L0.36 0.86 L0.14 0.98 Z" fill="url(#g)"/>'
                '<polyline points="%s" fill="none" stroke="#ffffff" stroke-width="0.1" '
                'stroke-linecap="round" stroke-linejoin="round"/>'
                % " ".join("%g,%g" % p for p in BOLT)),
        },
        "branddm-instagram": {
            "layers": [
                (rounded_square(0.04, 0.04, 0.96, 0.96, 0.24),
                 gradient(INSTA, 0.1, 0.95, 0.9, 0.05)),
                (ring(rounded_square(0.22, 0.22, 0.78, 0.78, 0.16), 0.08), solid("#ffffff")),
                (ring(circle(0.5, 0.5, 0.13), 0.08), solid("#ffffff")),
                (circle(0.665, 0.335, 0.045), solid("#ffffff")),
            ],
            "svg": (
                '<linearGradient id="g" x1="0.1" y1="0.95" x2="0.9" y2="0.05">'
                + "".join('<stop offset="%g" stop-color="%s"/>' % s for s in INSTA)
                + '</linearGradient>'
                '<rect x="0.04" y="0.04" width="0.92" height="0.92" rx="0.24" fill="url(#g)"/>'
                '<rect x="0.22" y="0.22" width="0.56" height="0.56" rx="0.16" fill="none" '
                'stroke="#ffffff" stroke-width="0.08"/>'
                '<circle cx="0.5" cy="0.5" r="0.13" fill="none" stroke="#ffffff" '
                'stroke-width="0.08"/>'
                '<circle cx="0.665" cy="0.335" r="0.045" fill="#ffffff"/>'),
        },
        "branddm-x": {
            "layers": [
                (rounded_square(0.04, 0.04, 0.96, 0.96, 0.2), solid("#0f1419")),
                (segment(0.27, 0.25, 0.73, 0.75, 0.14), solid("#ffffff")),
                (segment(0.27, 0.75, 0.73, 0.25, 0.07), solid("#ffffff")),
            ],
            "svg": (
                '<rect x="0.04" y="0.04" width="0.92" height="0.92" rx="0.2" fill="#0f1419"/>'
                '<g stroke="#ffffff" stroke-linecap="round">'
                '<line x1="0.27" y1="0.25" x2="0.73" y2="0.75" stroke-width="0.14"/>'
                '<line x1="0.27" y1="0.75" x2="0.73" y2="0.25" stroke-width="0.07"/></g>'),
        },
    }


def rasterise(layers, size):
    """RGBA rows: each pixel averages SAMPLES x SAMPLES points; a point takes
    the colour of the last layer that covers it."""
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r = g = b = a = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES) / size
                    y = (py + (sy + 0.5) / SAMPLES) / size
                    colour = None
                    for sdf, paint in layers:
                        if sdf(x, y) <= 0:
                            colour = paint(x, y)
                    if colour is not None:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = SAMPLES * SAMPLES
            if a == 0:
                row += bytes(4)
            else:
                row += bytes((round(r / a), round(g / a), round(b / a), round(255 * a / n)))
        rows.append(bytes(row))
    return rows


def png(rows, size):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def svg(body):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" '
            'viewBox="0 0 1 1">%s</svg>\n' % body)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "icons")
    for name, icon in icons().items():
        for size in SIZES:
            os.makedirs(os.path.join(out, str(size)), exist_ok=True)
            with open(os.path.join(out, str(size), name + ".png"), "wb") as f:
                f.write(png(rasterise(icon["layers"], size), size))
        os.makedirs(os.path.join(out, "scalable"), exist_ok=True)
        with open(os.path.join(out, "scalable", name + ".svg"), "w", encoding="utf-8") as f:
            f.write(svg(icon["svg"]))


if __name__ == "__main__":
    main()
