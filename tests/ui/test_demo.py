#!/usr/bin/env python3
"""`make demo` as a new user runs it: tools/demo.py in a terminal (tmux)
starts the emulator and Finch with the account set up; customers write on
their own, a conversation opens, a trigger escalates a customer (the buddy
list says so), the agent's reply reaches the customer; quitting Finch stops
everything and removes the demo's directory."""
import glob
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from uitest import Tap, build_path, missing_requirements, wait_until  # noqa: E402
from finch_screen import Tmux, is_focused  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPLY = "Checking order 5521 for you now."


def text(tmux):
    return "\n".join(tmux.screen())


def main():
    t = Tap()
    problems = missing_requirements("finch")
    if problems:
        t.ok(False, "finch, tmux and the BrandDM plugins are available", "\n".join(problems))
        return t.done()
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "branddm-demo-*")))
    tmux = Tmux()
    log = os.path.join(tempfile.gettempdir(), "bdm-demo-test-%d.log" % os.getpid())
    env = dict(os.environ, BUILD=build_path())
    env.pop("DISPLAY", None)
    try:
        tmux.start([sys.executable, os.path.join(ROOT, "tools", "demo.py"), "--fast"], env,
                   {}, log)
        t.ok(wait_until(lambda: "Ada Lovelace" in text(tmux), 40),
             "the account signs on by itself and the first customer shows up", text(tmux))
        t.ok(wait_until(lambda: "has not arrived yet" in text(tmux), 20),
             "her message opens a conversation", text(tmux))
        # New windows do not take the focus: bring Ada's forward (Alt+N).
        title = "Ada Lovelace · Facebook (1000"
        for _ in range(12):
            if is_focused(tmux.screen_escaped(), title):
                break
            tmux.send_keys("M-n")
            wait_until(lambda: is_focused(tmux.screen_escaped(), title), 1)
        t.ok(is_focused(tmux.screen_escaped(), title), "Alt+N brings Ada's conversation forward",
             text(tmux))
        tmux.send_text(REPLY)
        tmux.send_keys("Enter")
        t.ok(wait_until(lambda: REPLY in text(tmux), 20), "the agent's reply shows as sent",
             text(tmux))
        t.ok(wait_until(lambda: re.search(r"Katherine Johnson · Facebook \[(waiting|due soon|"
                                          r"overdue), legal", text(tmux)), 40),
             "the customer who names a lawyer is escalated to legal in the buddy list",
             text(tmux))
        tmux.send_keys("M-q")
        t.ok(wait_until(lambda: "[client exited with status 0]" in text(tmux), 20),
             "quitting Finch ends the demo cleanly", text(tmux))
        t.ok("demo: finch quit; the customers received 1 replies" in text(tmux) and
             REPLY in text(tmux), "and it says what the customers received", text(tmux))
        left = set(glob.glob(os.path.join(tempfile.gettempdir(), "branddm-demo-*"))) - before
        t.eq(sorted(left), [], "the demo's directory is removed")
    finally:
        tmux.stop()
        if os.path.exists(log):
            os.unlink(log)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
