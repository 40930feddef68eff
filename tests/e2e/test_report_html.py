#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium lays out a report
with many agents, long names and many rules, and an empty one, in a
1280-pixel window.  Nothing may make the page scroll sideways (tables wrap,
or scroll inside their own box), and "(no data)" in an empty chart must be
inside its chart, not clipped.  A screenshot of each is kept in
tests/artifacts/ for people to look at."""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile

from harness import Tap, build_path

ADMIN = build_path("branddm-admin")
WRITER = build_path("tests", "log_writer")
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "artifacts")
WIDTH = 1280

# Runs in a page that holds the report in an iframe of the window's width:
# the measurements go into the page's title, which --dump-dom prints.
PROBE = """<!DOCTYPE html><html><head><title>pending</title></head>
<body style="margin:0"><iframe id="r" src="%(report)s" width="%(width)d" height="900"
 style="border:0"></iframe>
<script>
document.getElementById('r').addEventListener('load', function () {
  var d = this.contentDocument, w = this.contentWindow, out = {};
  out.scrollWidth = d.documentElement.scrollWidth;
  out.clientWidth = d.documentElement.clientWidth;
  out.nodata = [];
  d.querySelectorAll('svg text').forEach(function (t) {
    if (t.textContent.indexOf('(no data)') < 0) return;
    var svg = t.ownerSVGElement, vb = svg.viewBox.baseVal, b = t.getBBox();
    out.nodata.push({inside: b.x >= 0 && b.y >= 0 && b.x + b.width <= vb.width &&
                             b.y + b.height <= vb.height,
                     right: svg.getBoundingClientRect().right});
  });
  out.tables = [];
  d.querySelectorAll('table').forEach(function (t) {
    out.tables.push({right: t.parentElement.getBoundingClientRect().right});
  });
  document.title = 'RESULT' + JSON.stringify(out);
});
</script></body></html>
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser(*args):
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--hide-scrollbars",
                           "--allow-file-access-from-files", "--virtual-time-budget=5000"]
                          + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, env=dict(os.environ, HOME=tempfile.gettempdir()))
    return proc.stdout.decode("utf-8", "replace")


def measure(report):
    probe = os.path.join(os.path.dirname(report), "probe.html")
    with open(probe, "w") as f:
        f.write(PROBE % {"report": os.path.basename(report), "width": WIDTH})
    dom = browser("--dump-dom", "file://" + probe)
    m = re.search(r"<title>RESULT(.*?)</title>", dom, re.S)
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&")) if m else None


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24]) if head[:8] == b"\x89PNG\r\n\x1a\n" else None


def busy_log(path):
    """Twelve agents with long names, long account ids, many rules."""
    lines = []
    t0 = 1764583200   # 2025-12-01 10:00 UTC, a Monday
    for a in range(12):
        agent_name = "Agent %02d with a rather long display name, Customer Care EMEA" % a
        for c in range(3):
            who = "customer-%d-%d" % (a, c)
            base = t0 + a * 3600 + c * 600
            lines.append({"type": "message", "platform": "facebook",
                          "account": "page-%d-of-a-brand-with-a-long-account-identifier" % (a % 3),
                          "customer": who, "dir": "in", "text": "hello", "id": "in-%s" % who,
                          "platform_time": base, "time": base})
            lines.append({"type": "message", "platform": "facebook",
                          "account": "page-%d-of-a-brand-with-a-long-account-identifier" % (a % 3),
                          "customer": who, "dir": "out", "text": "hi", "id": "out-%s" % who,
                          "platform_time": base + 300, "time": base + 300,
                          "detail": {"sent_elsewhere": True, "author": agent_name}})
        for r in range(6):
            lines.append({"type": "event", "kind": "block", "platform": "facebook",
                          "account": "page-0-of-a-brand-with-a-long-account-identifier",
                          "customer": "customer-%d-0" % a,
                          "detail": {"verdict": "block", "findings": [
                              {"rule": "sensitive.rule_with_a_long_name_%d" % r,
                               "severity": "block"}]}, "time": t0 + r})
    proc = subprocess.run([WRITER, "append", path, "bench"],
                          input="".join(json.dumps(x) + "\n" for x in lines).encode(),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode())


def empty_log(path):
    proc = subprocess.run([WRITER, "append", path, "bench"],
                          input=b'{"type":"state","key":"k","value":"v"}\n',
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode())


def test_layout(t, tmp, name, make_log):
    log = os.path.join(tmp, name + ".sqlite")
    make_log(log)
    report = os.path.join(tmp, name + ".html")
    with open(report, "w") as f:
        code = subprocess.run([ADMIN, "report", "--db", log, "--format", "html",
                               "--until", "2026-01-01"], stdout=f, timeout=60).returncode
    t.eq(code, 0, "%s: report --format html exits 0" % name)
    got = measure(report)
    t.ok(got is not None, "%s: Chromium laid the report out" % name, got)
    if not got:
        return
    t.ok(got["scrollWidth"] <= WIDTH,
         "%s: nothing makes a %d-pixel window scroll sideways (content %d px)"
         % (name, WIDTH, got["scrollWidth"]), got)
    t.ok(all(x["right"] <= WIDTH for x in got["tables"]),
         "%s: every table (or its scroll box) ends inside the window" % name, got["tables"])
    if name == "empty":
        t.ok(len(got["nodata"]) >= 3 and all(n["inside"] for n in got["nodata"]),
             "empty: each \"(no data)\" is drawn inside its chart, not clipped", got["nodata"])
    shot = os.path.join(ARTIFACTS, "report-%s-%d.png" % (name, WIDTH))
    os.makedirs(ARTIFACTS, exist_ok=True)
    browser("--window-size=%d,1600" % WIDTH, "--screenshot=" + shot, "file://" + report)
    t.eq(png_size(shot), (WIDTH, 1600), "%s: a %d-pixel screenshot is kept in tests/artifacts"
         % (name, WIDTH))


def main():
    t = Tap()
    if chromium() is None:
        t.ok(False, "Chromium is installed (make deps installs it)")
        return t.done()
    tmp = tempfile.mkdtemp(prefix="bdm-report-html-")
    try:
        t.run("a busy report", test_layout, tmp, "busy", busy_log)
        t.run("an empty report", test_layout, tmp, "empty", empty_log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    raise SystemExit(main())
