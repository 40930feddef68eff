"""End-to-end test harness: drive bdm-testclient and report TAP.

The test client (tests/client/) is a headless libpurple UI.  It reads one
JSON command per line on stdin and writes one JSON event per line on stdout;
its libpurple debug log goes to stderr, which the harness keeps in a file so
tests can check that no secret ever reaches it.

    from harness import Client, Tap

    t = Tap()

    def test_echo(t):
        with Client(plugin_paths=[build_path("tests/plugins")]) as c:
            c.cmd({"cmd": "account-add", "protocol": "prpl-bdmtest-dummy",
                   "username": "agent", "password": "pw"})
            ...
            ev = c.wait_event("write", conv="alice", flags="recv")
            t.eq(ev["text"], "echo: hi", "echo shown")

    t.run("echo", test_echo)
    t.done()

Commands (Client.cmd adds "id"; an account is named by "protocol" + "username"):
  account-add        protocol, username, password?, alias?, options? {key: str|int|bool}
                     -> undeclared_options (keys the protocol does not declare)
  account-enable / account-disable / account-set-password (password)
  accounts           -> accounts [{account, protocol, alias, enabled, state, has_password}]
  actions            -> actions [labels]      (account must be connected)
  action             label                    runs the protocol action
  send               who, text | compose: true    via purple_conv_im_send
  command            who, line (no leading "/")   -> status ok|failed|not-found|
                     wrong-args|wrong-prpl|wrong-type, cmd_error
  conv-open / conv-close   who              the agent opens (as from the buddy
                     list) or closes the IM window with who (purple_conversation_destroy)
  conversations      -> conversations [{account, protocol, conv, title, type, compose}]
  buddies            -> buddies [{account, protocol, name, alias, local_alias,
                     server_alias, group, online, emblem, tooltip {label: value}}]
                     (emblem and tooltip from the protocol, as the UIs ask)
  compose-get / compose-set   who, text       the "branddm-compose" conversation data
  pref-set           path, type string|int|bool, value;  pref-get  path -> type, value
  plugins            -> plugins [{id, name, type, loaded, path, error}]
  plugin-load        plugin
  plugin-ipc         plugin, command, args [<= 3 strings or null] -> value
                     (the IPC command must take only strings and return a
                     g_malloc'ed string or nothing)
  requests           -> requests [{request, kind}]
  request-answer     request, action (index into the event's "actions"),
                     text? (input/file), choice? (index), fields? {id: value}
  search-button      notify (a searchresults event's notify_id), button ("im",
                     "info", ... or a label), row (0-based): press it
  request-policy     auto: bool, action? (index; default: the request's default)
  quit

Events a test can wait for (every event has "event"):
  ready              {"protocols": [ids], "user_dir", "pid"}
  result             {"id", "cmd", "ok", "error"?, ...command data}
  connection         {"account", "protocol", "state": connecting|connected|disconnected}
  connection-error   {"account", "protocol", "reason": int, "reason_name", "description"}
  write              {"account", "protocol", "conv", "type", "who", "alias", "text",
                      "flags": ["send"|"recv"|"system"|"error"|"no-log"|"auto-reply"|...],
                      "time"}
  received-im        {"account", "protocol", "who", "text", "conv", "flags"}
  sent-im            {"account", "protocol", "who", "text"}
  conversation       {"account", "protocol", "conv", "type"}   (opened)
  conversation-closed {"account", "protocol", "conv"}
  notify             {"type": error|warning|info|formatted|userinfo|searchresults|
                      email|emails|uri, "title", "primary", "secondary", ...}
                     (searchresults: "notify_id", "columns", "rows", "buttons";
                     it stays open until libpurple closes it: "notify-closed")
  request            {"request": N, "kind": action|input|choice|fields|file|folder,
                      "title", "primary", "secondary", "actions": [labels],
                      "default", "account", "protocol", "who", "conv", ...}
  request-closed     {"request": N}
  request-auto-failed {"request": N, "error"}
  buddy / buddy-removed {"account", "protocol", "name", "alias", "local_alias",
                      "server_alias", "group", "online"}

Environment:
  BUILD              build directory (default "build" under the repository root)
  BDM_CLIENT_WRAPPER command to run the client under, e.g.
                     "valgrind --leak-check=full --error-exitcode=99"
  BDM_TIMEOUT_SCALE  multiply every timeout (slow machines, valgrind)
  BDM_KEEP_DIRS=1    keep temporary purple directories for inspection
  BDM_QUIT_ON_CLOSE=1 end every client with quit, never a kill, at close
  BDM_ONLY           regular expression: Tap.run runs only the groups whose
                     name it matches (make check-valgrind picks a scenario)

Sanitizers: when the client is built with SANITIZE=-fsanitize=address,...
the harness sets PURPLE_LEAKCHECK_HELP=1 (libpurple then keeps plugin
modules mapped, so leak stacks name their functions) and, unless
LSAN_OPTIONS is already set, suppresses the few leaks libpurple and
GStreamer make on their own (tests/sanitizer/lsan.supp, with
fast_unwind_on_malloc=0 so the suppressions see whole stacks).  A sanitizer report in the
client's stderr makes the "with Client()" block fail.
"""
import json
import re
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

# Leaks that happen inside libpurple 2.14 / GStreamer / GLib on every run,
# whatever the plugins do; each entry names the allocating function.
LSAN_SUPPRESSIONS_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sanitizer", "lsan.supp")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "ERROR: UndefinedBehaviorSanitizer")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build_dir():
    """The build directory: $BUILD (absolute, or relative to the repository
    root), default <repo>/build."""
    build = os.environ.get("BUILD", "build")
    if not os.path.isabs(build):
        build = os.path.join(REPO_ROOT, build)
    return build


def build_path(*parts):
    """A path inside the build directory."""
    return os.path.join(build_dir(), *parts)


def peak_rss_kb(pid):
    """The process's peak resident memory (VmHWM) in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM for %d" % pid)


def plugin_instrumented():
    """True when the built plugin carries AddressSanitizer (make check-asan):
    memory and speed bounds must allow for its bookkeeping."""
    with open(build_path("plugins", "branddm.so"), "rb") as f:
        return b"__asan_init" in f.read()


def timeout_scale():
    """How much slower than normal this run is allowed to be."""
    try:
        return max(1.0, float(os.environ.get("BDM_TIMEOUT_SCALE", "1")))
    except ValueError:
        return 1.0


class ClientError(Exception):
    """A command answered ok:false, or the client misbehaved."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


class ClientTimeout(ClientError):
    """An awaited event did not arrive in time."""


def _matches(event, name, predicate, fields):
    if name is not None and event.get("event") != name:
        return False
    for key, want in fields.items():
        if key not in event:
            return False
        have = event[key]
        if callable(want):
            if not want(have):
                return False
        elif isinstance(have, list) and not isinstance(want, list):
            # flags="recv" means "recv is among the flags".
            if want not in have:
                return False
        elif have != want:
            return False
    return predicate is None or bool(predicate(event))


def _split_filter(what, fields):
    """wait_event / events_seen accept an event name, a predicate, or None."""
    if what is None or isinstance(what, str):
        return what, None, fields
    if callable(what):
        return None, what, fields
    raise TypeError("filter must be an event name, a callable or None")


class Client:
    """One bdm-testclient process and everything it said.

    purple_dir: the libpurple user directory; a fresh temporary one (removed
    at close()) when None.  plugin_paths: extra plugin directories, default
    [BUILD/plugins] (the BrandDM plugin and modules).  env: extra environment
    variables for the client.
    """

    def __init__(self, purple_dir=None, plugin_paths=None, env=None, args=None):
        self._own_dir = purple_dir is None
        self.purple_dir = purple_dir or tempfile.mkdtemp(prefix="bdm-purple-")
        self.plugin_paths = list(plugin_paths) if plugin_paths is not None \
            else [build_path("plugins")]
        self.env = dict(env or {})
        self.args = list(args or [])
        self.binary = build_path("tests", "bdm-testclient")
        self.proc = None
        self.ready = None
        self._lock = threading.Condition()
        self._events = []           # every event of every run, in order
        self._consumed = set()      # indexes handed out by wait_event
        self._run_start = 0         # index of the first event of this run
        self._eof = True
        self._finished = True       # the last process has been reaped
        self._reader = None
        self._next_id = 1
        self._log_dir = tempfile.mkdtemp(prefix="bdm-client-log-")
        self._stderr_path = os.path.join(self._log_dir, "stderr.log")
        self._stderr_file = None
        self.exit_codes = []

    # ---- process ---------------------------------------------------------

    def start(self, timeout=30):
        """Spawn the client and wait for its ready event (returned)."""
        if self.proc is not None and self.proc.poll() is None:
            raise ClientError("client already running")
        command = shlex.split(os.environ.get("BDM_CLIENT_WRAPPER", ""))
        command += [self.binary, "--purple-dir", self.purple_dir]
        for path in self.plugin_paths:
            command += ["--plugin-path", path]
        command += self.args
        env = dict(os.environ)
        env.setdefault("PURPLE_LEAKCHECK_HELP", "1")
        # The client follows the locale like Pidgin does; tests read English
        # unless they ask for a language (env={"LANGUAGE": ...}).
        env["LC_ALL"] = "C.UTF-8"
        env.pop("LANGUAGE", None)
        if "LSAN_OPTIONS" not in env:
            env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % LSAN_SUPPRESSIONS_FILE
        if "fast_unwind_on_malloc" not in env.get("ASAN_OPTIONS", ""):
            # GLib has no frame pointers: only the slow unwinder sees far
            # enough up a g_malloc stack for the suppressions to match.
            env["ASAN_OPTIONS"] = ":".join(
                filter(None, [env.get("ASAN_OPTIONS"), "fast_unwind_on_malloc=0"]))
        env.update(self.env)
        self._stderr_file = open(self._stderr_path, "ab")
        self._stderr_file.write(("==== start %s\n" % " ".join(command)).encode())
        self._stderr_file.flush()
        with self._lock:
            self._run_start = len(self._events)
            self._eof = False
        self._finished = False
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self._stderr_file, env=env,
                                     cwd=REPO_ROOT)
        self._reader = threading.Thread(target=self._read_events,
                                        args=(self.proc.stdout,), daemon=True)
        self._reader.start()
        self.ready = self.wait_event("ready", timeout=timeout, since=self._run_start)
        return self.ready

    def _read_events(self, stream):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                event = json.loads(line)
                if not isinstance(event, dict) or "event" not in event:
                    raise ValueError("not an event object")
            except ValueError:
                # Anything but an event on stdout is a client bug: keep it
                # visible to the tests instead of dropping it.
                event = {"event": "_bad_output", "line": line}
            with self._lock:
                self._events.append(event)
                self._lock.notify_all()
        with self._lock:
            self._eof = True
            self._lock.notify_all()

    def running(self):
        """True while the client process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def send_line(self, line):
        """Write one raw line to the client (for malformed-input tests)."""
        if not self.running():
            raise ClientError("client is not running\n" + self.stderr_tail())
        try:
            self.proc.stdin.write(line.encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise ClientError("client closed its input\n" + self.stderr_tail())

    def _finish(self, timeout):
        self._finished = True
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            raise ClientError("client did not exit within %.0f s" % timeout)
        finally:
            if self._reader is not None:
                self._reader.join(timeout=5)
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except (OSError, BrokenPipeError):
                    pass
            self._stderr_file.close()
        self.exit_codes.append(code)
        return code

    def quit(self, timeout=20):
        """Send quit, wait for the process to end; returns its exit status."""
        timeout *= timeout_scale()
        if self.running():
            self.cmd({"cmd": "quit"}, timeout=timeout)
            try:
                self.proc.stdin.close()
            except (OSError, BrokenPipeError):
                pass
        return self._finish(timeout)

    def kill(self):
        """SIGKILL the client, as a crash would; returns its exit status."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        return self._finish(10)

    def restart(self, timeout=30):
        """Quit (status must be 0), then start again on the same purple dir."""
        code = self.quit()
        if code != 0:
            raise ClientError("client exited with status %d on quit\n%s"
                              % (code, self.stderr_tail()))
        return self.start(timeout=timeout)

    def close(self):
        """Stop the client if needed and remove temporary directories.
        With BDM_QUIT_ON_CLOSE=1 a running client is asked to quit first, so
        a leak checker wrapping it (make check-valgrind) sees every run end."""
        if self.proc is not None and not self._finished:
            if os.environ.get("BDM_QUIT_ON_CLOSE") == "1" and self.running():
                try:
                    self.quit()
                except ClientError:
                    pass
            if not self._finished:
                self.kill()
        if os.environ.get("BDM_KEEP_DIRS") == "1":
            sys.stderr.write("# kept %s and %s\n" % (self.purple_dir, self._log_dir))
            return
        if self._own_dir:
            shutil.rmtree(self.purple_dir, ignore_errors=True)
        shutil.rmtree(self._log_dir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        problem = None
        if exc_type is None and self.proc is not None and not self._finished:
            # Quit properly so leak checkers (and libpurple's saves) run;
            # a crash or a checker's error status fails the block.
            code = self.quit()
            if code != 0:
                problem = "client exited with status %d\n%s" % (code, self.stderr_tail())
        if exc_type is None and problem is None:
            report = self.sanitizer_report()
            if report is not None:
                problem = "sanitizer report in the client's stderr:\n" + report
        self.close()
        if problem is not None:
            raise ClientError(problem)
        return False

    # ---- commands and events --------------------------------------------

    def cmd(self, command, timeout=10, check=True):
        """Send a command (a dict) and return its result event.  An "id" is
        added when missing.  Raises ClientError on ok:false unless check is
        False."""
        command = dict(command)
        if "id" not in command:
            command["id"] = "h%d" % self._next_id
            self._next_id += 1
        with self._lock:
            since = len(self._events)
        self.send_line(json.dumps(command))
        result = self._wait(lambda e: e.get("event") == "result" and
                            e.get("id") == command["id"], timeout, since,
                            consume=False,
                            what="result of %s" % json.dumps(command))
        if check and not result.get("ok"):
            raise ClientError("%s failed: %s" % (command.get("cmd"),
                                                 result.get("error")), result)
        return result

    def wait_event(self, what=None, timeout=10, since=None, **fields):
        """Wait for the oldest not yet consumed event that matches, consume
        and return it.  what: event name, predicate or None; fields: values
        the event must have (a list field matches if it contains the value;
        a callable value is a predicate on the field).  Events that arrived
        before the call count, so nothing is lost between commands; by
        default only events of the current run (since the last start())
        are searched, pass since=0 for all runs."""
        name, predicate, fields = _split_filter(what, fields)
        if since is None:
            since = self._run_start
        return self._wait(lambda e: _matches(e, name, predicate, fields),
                          timeout, since, consume=True,
                          what="event %s %s" % (name or predicate, fields))

    def saw(self, what=None, timeout=10, since=None, **fields):
        """wait_event that answers None on timeout instead of raising, for
        t.ok(c.saw(...), name); a client that died still raises."""
        try:
            return self.wait_event(what, timeout=timeout, since=since, **fields)
        except ClientTimeout:
            return None

    def _wait(self, test, timeout, since, consume, what):
        deadline = time.monotonic() + timeout * timeout_scale()
        start = 0 if since is None else since
        with self._lock:
            while True:
                for index in range(start, len(self._events)):
                    if consume and index in self._consumed:
                        continue
                    if test(self._events[index]):
                        if consume:
                            self._consumed.add(index)
                        return self._events[index]
                if self._eof:
                    raise ClientError("client exited while waiting for %s (status %s)\n%s"
                                      % (what, self.proc.poll() if self.proc else None,
                                         self.stderr_tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ClientTimeout("timed out waiting for %s\nlast events:\n%s"
                                        % (what, self._tail_events()))
                self._lock.wait(left)

    def events_seen(self, what=None, since=0, **fields):
        """Every event so far that matches, consumed or not: of all runs, or
        from index since (e.g. since=c.run_start for the current run)."""
        name, predicate, fields = _split_filter(what, fields)
        with self._lock:
            return [e for e in self._events[since:] if _matches(e, name, predicate, fields)]

    @property
    def run_start(self):
        """Index of the first event of the current run (since the last
        start()), for since= arguments."""
        return self._run_start

    def no_event(self, what=None, within=1.0, since=None, **fields):
        """True if no matching event (from index since, default: from now)
        arrives within the given seconds: for "this must not happen" checks."""
        name, predicate, fields = _split_filter(what, fields)
        with self._lock:
            start = len(self._events) if since is None else since
        try:
            self._wait(lambda e: _matches(e, name, predicate, fields), within,
                       start, consume=False, what="absent event")
        except ClientTimeout:
            return True
        return False

    def mark(self):
        """The current position in the event stream, for since= arguments."""
        with self._lock:
            return len(self._events)

    def _tail_events(self, count=15):
        return "\n".join(json.dumps(e) for e in self._events[-count:])

    # ---- debug log -------------------------------------------------------

    def stderr_text(self):
        """The client's stderr (libpurple debug log) of every run so far."""
        if self._stderr_file is not None and not self._stderr_file.closed:
            self._stderr_file.flush()
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def sanitizer_report(self):
        """The sanitizer report lines in stderr (ASan, LSan, UBSan), or
        None when there is none."""
        lines = [line for line in self.stderr_text().splitlines()
                 if any(marker in line for marker in SANITIZER_MARKERS)]
        if not lines:
            return None
        text = self.stderr_text()
        start = text.find(lines[0])
        return text[start:start + 4000]

    def stderr_tail(self, lines=30):
        """The last lines of stderr, for error messages."""
        return "\n".join(self.stderr_text().splitlines()[-lines:])


class Tap:
    """A minimal TAP producer: one "ok N - name" line per check."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def diag(self, text):
        """Print text as TAP diagnostics (ignored by the runner)."""
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def ok(self, cond, name, diag=None):
        """Record one check; returns cond so tests can branch on it."""
        self.count += 1
        if cond:
            print("ok %d - %s" % (self.count, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.count, name))
            if diag is not None:
                self.diag(diag)
        sys.stdout.flush()
        return bool(cond)

    def eq(self, got, want, name):
        """Check got == want, showing both on failure."""
        return self.ok(got == want, name,
                       "got:  %r\nwant: %r" % (got, want))

    def run(self, name, fn, *args):
        """Run fn(self, *args); an exception is one failed check "name"
        with its traceback as diagnostics.  With BDM_ONLY set, only groups
        whose name matches it run (a script that runs none fails: done())."""
        only = os.environ.get("BDM_ONLY")
        if only and not re.search(only, name):
            return
        try:
            fn(self, *args)
        except Exception:
            self.ok(False, name, traceback.format_exc())

    def done(self):
        """Print the plan and exit: status 1 if any check failed."""
        print("1..%d" % self.count)
        sys.stdout.flush()
        sys.exit(1 if self.failed or self.count == 0 else 0)
