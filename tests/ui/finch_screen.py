"""Finch in a terminal: tmux runs it headless, types into it and reads the
screen back; the screen is parsed into GNT windows and can be rendered to a
PNG (imported by test_finch.py; not a test itself)."""
import os
import re
import signal
import subprocess
import time

from uitest import scaled

# GNT draws its windows with these; a window's title sits in "┤title├".
TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT = "┌", "┐", "└"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
PALETTE = ["#1c1c1c", "#cd3131", "#4ab74a", "#c8b428", "#3b6fd1", "#b44ab4", "#2aa6b4",
           "#d4d4d4"]
BRIGHT = ["#666666", "#f14c4c", "#6ee06e", "#f5f543", "#6a9dff", "#d670d6", "#29d8e6",
          "#ffffff"]


class Tmux:
    """One private tmux server (its own socket) running one program."""

    def __init__(self, width=140, height=40):
        self.socket = "bdm-ui-%d" % os.getpid()
        self.width, self.height = width, height
        self.running = False

    def _tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              check=check)

    def start(self, argv, env, extra_env, log_path):
        """Run argv in a detached session.  extra_env goes to the program only
        (not to tmux: a sanitizer preload is for the client); its stderr is
        appended to log_path.  When it exits the pane stays, saying so."""
        wrapper = ('"$@" 2>>"$0"; echo "[client exited with status $?]"; '
                   'exec sleep 600')
        command = (["env", "TERM=screen"] + ["%s=%s" % kv for kv in extra_env.items()] +
                   ["sh", "-c", wrapper, log_path] + list(argv))
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d",
                        "-x", str(self.width), "-y", str(self.height), "--"] + command,
                       env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.running = True

    def client_pids(self):
        """Process ids of the program (children of the pane's shell)."""
        out = self._tmux("display-message", "-p", "#{pane_pid}", check=False)
        shell = out.stdout.decode().strip()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == shell:
                pids.append(int(entry))
        return pids

    def stop(self):
        """End the program (SIGTERM, then SIGKILL) and the tmux server."""
        if not self.running:
            return
        pids = self.client_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(os.path.exists("/proc/%d" % p) and
                                                  not _zombie(p) for p in pids):
            time.sleep(0.1)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._tmux("kill-server", check=False)
        self.running = False

    def send_text(self, text):
        """Type text literally."""
        self._tmux("send-keys", "-l", "--", text)

    def send_keys(self, *keys):
        """Press named keys: Enter, F10, Right, M-n ..."""
        self._tmux("send-keys", "--", *keys)

    def screen(self):
        """The screen as plain text lines."""
        return self._tmux("capture-pane", "-p").stdout.decode("utf-8", "replace").split("\n")

    def screen_escaped(self):
        """The screen with its colour escape sequences (SGR)."""
        return self._tmux("capture-pane", "-p", "-e").stdout.decode("utf-8", "replace")

    def wait_for(self, probe, timeout):
        """probe(lines) until it is true (returned) or timeout: None."""
        deadline = time.monotonic() + scaled(timeout)
        while True:
            value = probe(self.screen())
            if value:
                return value
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# ---- GNT windows on a text screen ------------------------------------------

def find_window(lines, title):
    """(top, left, bottom, right) of the window whose title bar holds title,
    or None.  Coordinates are line and column indexes of its corners."""
    for top, line in enumerate(lines):
        at = line.find("┤" + title + "├")
        if at < 0:
            continue
        left = line.rfind(TOP_LEFT, 0, at)
        right = line.find(TOP_RIGHT, at)
        if left < 0 or right < 0:
            continue
        for bottom in range(top + 1, len(lines)):
            if lines[bottom][left:left + 1] == BOTTOM_LEFT:
                return top, left, bottom, right
    return None


def conversation_lines(lines, title):
    """The text lines of a conversation window (history, not the entry),
    without borders and scroll bar; None when the window is not on screen."""
    box = find_window(lines, title)
    if box is None:
        return None
    top, left, bottom, right = box
    # The last column inside the border is the scroll bar.
    return [lines[i][left + 1:right - 1].rstrip() for i in range(top + 1, bottom - 1)]


def entry_text(lines, title):
    """What the conversation window's one-line entry holds (GNT pads it with
    underscores); None when the window is not on screen."""
    box = find_window(lines, title)
    if box is None:
        return None
    top, left, bottom, right = box
    return lines[bottom - 1][left + 1:right].rstrip("_ ")


def is_focused(escaped_screen, title):
    """TRUE when the taskbar (last line) shows title as the focused window:
    GNT draws it white on blue, the others in their own colours."""
    last = escaped_screen.rstrip("\n").split("\n")[-1]
    at = last.find(title)
    if at < 0:
        return False
    background = None
    for m in SGR.finditer(last, 0, at):
        for part in (m.group(1) or "0").split(";"):
            n = int(part) if part.isdigit() else 0
            if n == 0 or n == 49:
                background = None
            elif 40 <= n <= 47:
                background = n
    return background == 44


# ---- screen to PNG ---------------------------------------------------------

def _colour(code, table):
    return table[code] if 0 <= code < len(table) else None


def screen_runs(escaped_line, state):
    """One screen line as (column, text, foreground, background, bold) runs;
    state (a dict) carries the attributes from one line to the next."""
    runs = []
    column = pos = 0
    for m in list(SGR.finditer(escaped_line)) + [None]:
        text = escaped_line[pos:m.start()] if m else escaped_line[pos:]
        if text:
            fg, bg = state.get("fg") or PALETTE[7], state.get("bg")
            if state.get("reverse"):
                fg, bg = bg or PALETTE[0], fg
            runs.append((column, text, fg, bg, bool(state.get("bold"))))
            column += len(text)
        if m is None:
            break
        pos = m.end()
        for part in (m.group(1) or "0").split(";"):
            _apply_sgr(state, int(part) if part.isdigit() else 0)
    return runs


def _apply_sgr(state, n):
    if n == 0:
        state.clear()
    elif n in (1, 22):
        state["bold"] = n == 1
    elif n in (7, 27):
        state["reverse"] = n == 7
    elif 30 <= n <= 37 or 90 <= n <= 97:
        state["fg"] = (PALETTE if n < 90 else BRIGHT)[n % 10]
    elif n == 39:
        state["fg"] = None
    elif 40 <= n <= 47 or 100 <= n <= 107:
        state["bg"] = (PALETTE if n < 100 else BRIGHT)[n % 10]
    elif n == 49:
        state["bg"] = None


def _magick_text(text):
    # convert expands "%x" escapes and backslashes in text arguments.
    return text.replace("\\", "\\\\").replace("%", "%%")


# DejaVu Sans Mono: advance 0.602 em, ascent + descent 1.164 em.  Cells a
# little shorter than the glyphs keep box-drawing lines unbroken.
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
POINTS = 14.95
CELL_W = 9
CELL_H = 17
BASELINE = 13


def render_png(escaped_screen, path):
    """Draw the screen into path as a terminal shows it, colours included,
    with ImageMagick's -annotate (text arguments of label: and pango: are cut
    at 4 KiB).  Returns convert's error text, "" on success."""
    lines = escaped_screen.rstrip("\n").split("\n")
    state = {}
    rows = [screen_runs(line, state) for line in lines]
    columns = max([sum(len(r[1]) for r in row) for row in rows] + [1])
    font = FONT_FILE if os.path.exists(FONT_FILE) else "DejaVu-Sans-Mono"
    command = ["convert", "-size", "%dx%d" % (columns * CELL_W + 8, len(rows) * CELL_H + 8),
               "xc:" + PALETTE[0], "-font", font, "-pointsize", str(POINTS)]
    for y, row in enumerate(rows):
        top = 4 + y * CELL_H
        for column, text, fg, bg, bold in row:
            left = 4 + column * CELL_W
            if bg:
                command += ["-fill", bg, "-stroke", "none", "-draw", "rectangle %d,%d %d,%d"
                            % (left, top, left + len(text) * CELL_W - 1, top + CELL_H - 1)]
            if text.strip():
                # A thin outline: hairline box-drawing strokes stay visible.
                command += ["-fill", fg, "-stroke", fg,
                            "-strokewidth", "0.7" if bold else "0.25", "-annotate",
                            "+%d+%d" % (left, top + BASELINE), _magick_text(text)]
    command += ["-depth", "8", path]
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode == 0 and os.path.exists(path) and os.path.getsize(path) > 0:
        return ""
    return proc.stderr.decode("utf-8", "replace").strip()[:2000] or "convert failed"
