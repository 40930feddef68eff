#!/usr/bin/env python3
"""make check-valgrind: end-to-end scripts with the headless client under
valgrind's memcheck, then every client run's report read back.

A run passes when valgrind saw no memory error and no definitely lost block
whose stack passes through BrandDM's plugin code (plugin/, protocols/).
Reports made wholly inside libpurple, GLib, GStreamer, PulseAudio or the
dynamic loader (glibc's SSE strncmp reading past an RPATH string) are
counted as a diagnostic, not failures: they are not ours to fix
(tests/sanitizer/lsan.supp names the same leaks for ASan).

The scenario: the shared protocol suite's receive/reply with hostile markup,
restart, paging and malformed-JSON groups against the Graph emulator, and
the desk's templates, keyword escalation with a webhook, tags across a
restart and the waiting list, history and /search, customers' attachments
with every hostile case and a sign-off mid-download, agents' files sent,
refused and cancelled through /attach, and two team clients sharing a PostgreSQL, shipping their logs and
applying an erasure order (BDM_ONLY picks the groups).  TAP on stdout; the scripts' own checks
count too, so a scenario that fails under valgrind fails here."""
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import Tap  # noqa: E402

RECORD = re.compile(r"^==\d+== (.*(?:definitely lost|Invalid|uninitialised|Mismatched|"
                    r"overlap|Syscall param).*)$")


def our_directories():
    """Where BrandDM's plugin code lives: a frame in one of these is ours.
    (The test client is not the product; its main() is on every stack.)"""
    return tuple(os.path.join(ROOT, d) + os.sep for d in ("plugin", "protocols", "include"))


def records(log_text):
    """(headline, [frames]) for every error and definite leak in a report."""
    found, current = [], None
    for line in log_text.splitlines():
        m = RECORD.match(line)
        if m:
            current = (m.group(1), [])
            found.append(current)
        elif current is not None:
            body = re.sub(r"^==\d+==\s*", "", line)
            if body.startswith(("at ", "by ")):
                current[1].append(body)
            elif body == "":
                current = None
    return found


def is_ours(frames, directories):
    for frame in frames:
        m = re.search(r"\((/[^:()]+):\d+\)", frame)
        if m and m.group(1).startswith(directories):
            return True
        if re.search(r"\(in [^)]*/(branddm[^/)]*\.so|[^/)]+\.bdm)\)", frame):
            return True
    return False


SCENARIO = [
    ("tests/e2e/test_facebook.py", "receive and reply|restart|paging|malformed JSON"),
    ("tests/e2e/test_desk.py", "template into the compose box|keyword escalation|tags survive|"
     "waiting conversations"),
    # History when a conversation opens, /search and its openable list.
    ("tests/e2e/test_history_search.py", "history when a conversation opens|/search"),
    # Customers' attachments: fetched, checked (every hostile case), saved, shown.
    ("tests/e2e/test_attachments.py", "Graph attachments and hostile files|sign-off"),
    # Agents' files: checked, uploaded with progress, cancelled, refused, sent.
    ("tests/e2e/test_attach_send.py", "Facebook: /attach|X: media upload"),
    # Team mode: claims, tickets, NOTIFY, the poll lease, on a real PostgreSQL.
    ("tests/e2e/test_team.py", "trigger and its webhook|assignment"),
    # The central log: shipping, and an erasure order applied by two clients.
    ("tests/e2e/test_team_log.py", "erasure across the team"),
]


def main():
    t = Tap()
    ours_in = our_directories()
    with tempfile.TemporaryDirectory(prefix="bdm-valgrind-") as logs:
        env = dict(os.environ,
                   BDM_QUIT_ON_CLOSE="1",
                   BDM_CLIENT_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite "
                   "--num-callers=30 --fullpath-after= --log-file=%s/client.%%p.log" % logs,
                   BDM_TIMEOUT_SCALE=os.environ.get("BDM_TIMEOUT_SCALE", "10"))
        for script, only in SCENARIO:
            run = subprocess.run([sys.executable, os.path.join(ROOT, script)],
                                 env=dict(env, BDM_ONLY=only), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
            lines = run.stdout.splitlines()
            failed = [l for i, l in enumerate(lines) if l.startswith("not ok")
                      or (l.startswith("#") and any(x.startswith("not ok")
                                                   for x in lines[max(0, i - 15):i]))]
            passed = [l for l in lines if l.startswith("ok")]
            t.ok(run.returncode == 0 and passed and not any(l.startswith("not ok") for l in failed),
                 "%s under valgrind: %d checks pass" % (os.path.basename(script), len(passed)),
                 "\n".join(failed or lines[-20:]))
        reports = sorted(glob.glob(os.path.join(logs, "client.*.log")))
        t.ok(reports, "valgrind wrote a report for every client run (%d)" % len(reports))
        theirs = 0
        for path in reports:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            name = os.path.basename(path)
            t.ok("HEAP SUMMARY" in text and "LEAK SUMMARY" in text
                 or "All heap blocks were freed" in text,
                 "%s: the client quit and valgrind checked its heap" % name, text[-2000:])
            ours = [r for r in records(text) if is_ours(r[1], ours_in)]
            theirs += sum(1 for r in records(text) if r not in ours)
            t.ok(not ours, "%s: no memory error and no definite leak from BrandDM's code"
                 % name,
                 "\n\n".join(h + "\n  " + "\n  ".join(f) for h, f in ours)[:6000])
        print("# reports wholly inside libpurple and system libraries (not ours): %d" % theirs)
    t.done()


if __name__ == "__main__":
    main()
