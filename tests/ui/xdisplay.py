"""Pidgin on a virtual screen: Xvfb picks a free display, xdotool finds,
arranges and types into windows, ImageMagick's import takes screenshots
(imported by test_pidgin.py; not a test itself)."""
import os
import signal
import subprocess
import time

from uitest import scaled


class Xvfb:
    """A private X server on the first free display number."""

    def __init__(self, size="1280x800x24"):
        self.size = size
        self.proc = None
        self.display = None

    def start(self, timeout=10):
        # -displayfd: the server chooses a free display and writes its number
        # to the pipe once it accepts connections.  No race, no lock files.
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                                      self.size, "-nolisten", "tcp", "-noreset"],
                                     pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(write_fd)
        number = b""
        deadline = time.monotonic() + scaled(timeout)
        with os.fdopen(read_fd, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not report a display number")
        self.display = ":" + number.strip().decode()
        return self.display

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Client:
    """A GUI program on the virtual screen, with its stdout and stderr in
    log_path."""

    def __init__(self, argv, env, log_path):
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        """SIGTERM, then SIGKILL, to the program and anything it started."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Screen:
    """xdotool and import on one display."""

    def __init__(self, display):
        self.env = dict(os.environ, DISPLAY=display)

    def _run(self, *argv, check=False):
        return subprocess.run(list(argv), env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=check, timeout=30)

    def windows(self, name_regex):
        """Ids of the mapped windows whose name matches name_regex."""
        out = self._run("xdotool", "search", "--onlyvisible", "--name", name_regex)
        return [line for line in out.stdout.decode().split() if line.isdigit()]

    def wait_window(self, name_regex, timeout):
        """The first window matching name_regex, waiting up to timeout; None."""
        deadline = time.monotonic() + scaled(timeout)
        while True:
            found = self.windows(name_regex)
            if found:
                return found[0]
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.2)

    def name(self, window):
        return self._run("xdotool", "getwindowname", window).stdout.decode().strip()

    def place(self, window, x, y, width=None, height=None):
        """Move (and resize) a window: there is no window manager to do it."""
        self._run("xdotool", "windowmove", "--sync", window, str(x), str(y))
        if width and height:
            self._run("xdotool", "windowsize", "--sync", window, str(width), str(height))

    def geometry(self, window):
        """(x, y, width, height) of a window on the screen, from xwininfo;
        None when it cannot be read."""
        out = self._run("xwininfo", "-id", window).stdout.decode()
        keys = ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")
        values = {}
        for line in out.splitlines():
            key, _, value = line.strip().partition(":")
            if key in keys and value.strip().lstrip("-").isdigit():
                values[key] = int(value)
        if len(values) != len(keys):
            return None
        return tuple(values[k] for k in keys)

    def focus(self, window):
        self._run("xdotool", "windowfocus", "--sync", window)

    def type(self, text):
        """Type text into the focused window, as keystrokes."""
        self._run("xdotool", "type", "--delay", "12", "--", text)

    def key(self, *keys):
        """Press keys (xdotool names: Return, alt+t, Down ...)."""
        self._run("xdotool", "key", "--delay", "60", *keys)

    def click(self, window, x, y):
        """Click at (x, y) inside window."""
        self._run("xdotool", "mousemove", "--window", window, str(x), str(y), "click", "1")

    def screenshot(self, path, window="root", crop=None):
        """The whole screen, one window, or a crop ("WxH+X+Y") of the screen
        as PNG; the error text, "" on success."""
        argv = ["import", "-window", window]
        if crop:
            argv += ["-crop", crop, "+repage"]
        out = self._run(*argv, path)
        if out.returncode == 0 and os.path.exists(path) and os.path.getsize(path) > 0:
            return ""
        return out.stderr.decode("utf-8", "replace").strip() or "import failed"


def pixels_differing(first, second):
    """How many pixels two same-sized screenshots differ in (ImageMagick's
    compare), or None when they cannot be compared."""
    out = subprocess.run(["compare", "-metric", "AE", first, second, "null:"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    text = out.stderr.decode("utf-8", "replace").strip().split(" ")[0]
    try:
        return int(float(text))
    except ValueError:
        return None


def rgba(path):
    """(width, height, RGBA bytes) of an image file (ImageMagick), or None."""
    size = subprocess.run(["identify", "-format", "%w %h", path + "[0]"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = subprocess.run(["convert", path + "[0]", "-depth", "8", "rgba:-"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        width, height = (int(v) for v in size.stdout.decode().split())
    except ValueError:
        return None
    if data.returncode != 0 or len(data.stdout) != width * height * 4:
        return None
    return width, height, data.stdout


def find_image(screenshot, icon, tolerance=6):
    """Where (x, y) icon appears in screenshot, or None: every fully opaque
    pixel of the icon must be there within tolerance per channel (the
    semi-transparent edge is blended with whatever is behind it)."""
    shot, small = rgba(screenshot), rgba(icon)
    if shot is None or small is None:
        return None
    sw, sh, sp = shot
    iw, ih, ip = small
    opaque = [(x, y, ip[(y * iw + x) * 4:(y * iw + x) * 4 + 3])
              for y in range(ih) for x in range(iw) if ip[(y * iw + x) * 4 + 3] == 255]
    if not opaque:
        return None

    def close(at, want):
        return all(abs(sp[at + i] - want[i]) <= tolerance for i in range(3))

    fx, fy, first = opaque[0]
    for oy in range(sh - ih + 1):
        for ox in range(sw - iw + 1):
            if not close(((oy + fy) * sw + ox + fx) * 4, first):
                continue
            if all(close(((oy + y) * sw + ox + x) * 4, want) for x, y, want in opaque):
                return ox, oy
    return None
