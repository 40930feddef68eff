"""A throw-away PostgreSQL server for tests: team mode's shared database.

    from pgserver import PgServer

    with PgServer() as pg:
        pg.createdb("team")
        conninfo = pg.conninfo("team")          # "host=DIR port=PORT dbname=team user=postgres"
        pg.psql("CREATE TABLE t (x int)", db="team")
        out = pg.psql("SELECT count(*) FROM t", db="team")   # "0\\n" (unaligned, tuples only)
        pg.create_login_role("ada", "S3cretPW!", member_of=["branddm_agent"])
        pg.psql("SELECT 1", db="team", user="ada", password="S3cretPW!")

The server runs from a fresh temporary directory on a unix socket only
(listen_addresses=''), so nothing is reachable from the network and any
number of servers (parallel tests) can run side by side.  PostgreSQL refuses
to run as root, which the tests and CI are: as root, initdb, pg_ctl and psql
run as the "postgres" user the Debian package creates (runuser); as another
user, as that user.

Authentication: the superuser "postgres" connects without a password
(trust); every other role must give its password (scram-sha-256), so tests
of wrong passwords fail as they would on a real server.

The server is fast and quiet, not durable: fsync, full_page_writes and
synchronous_commit are off, and it logs to DIR/server.log (shown in the
exception when it fails to start).  stop() runs whatever happens: at the end
of the "with" block, at interpreter exit, and, should the test process be
killed outright (a runner's timeout), from a small watcher process that sees
its pipe close and stops the server and removes the directory.

Missing server binaries raise PgServerError: a test that needs the server
must fail, never skip (install the Debian package postgresql: make deps).
BDM_PG_BINDIR overrides where the binaries are looked for.
"""
import atexit
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile

DEFAULT_BINDIR = "/usr/lib/postgresql/15/bin"
SERVER_USER = "postgres"
BINARIES = ("initdb", "pg_ctl", "postgres", "psql")

# Small and not durable: a test database lives for seconds.
SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "shared_buffers": "16MB",
    "max_connections": "40",
    "max_wal_senders": "0",
    "wal_level": "minimal",
    "logging_collector": "off",
    "log_min_messages": "warning",
}

HBA = """\
# Written by tests/e2e/pgserver.py: the superuser by trust, every other
# role by password, unix socket only.
local all postgres trust
local all all scram-sha-256
"""

# The watcher: reads its stdin until the test process (the only writer)
# is gone, then makes sure the server is stopped and the directory removed.
WATCHER = r"""
import json, os, shutil, subprocess, sys
sys.stdin.buffer.read()
cmd, data, top = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
if os.path.isdir(data):
    subprocess.run(cmd + ["-D", data, "-m", "immediate", "-w", "stop"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
shutil.rmtree(top, ignore_errors=True)
"""


class PgServerError(RuntimeError):
    """The server could not be set up, started or stopped, or psql failed."""


def find_bindir():
    """The directory of initdb, pg_ctl, postgres and psql, or PgServerError."""
    candidates = []
    if os.environ.get("BDM_PG_BINDIR"):
        candidates.append(os.environ["BDM_PG_BINDIR"])
    candidates.append(DEFAULT_BINDIR)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, b), os.X_OK) for b in BINARIES):
            return bindir
    raise PgServerError("PostgreSQL server binaries (%s) not found in %s: install the Debian "
                        "package postgresql (make deps), or set BDM_PG_BINDIR"
                        % (", ".join(BINARIES), " or ".join(candidates)))


def free_port():
    """A TCP port nobody listens on.  The server listens on a socket file
    named after it only, but a free one keeps its name unlike any other's."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quote_value(value):
    """A libpq connection-string value, quoted when it must be."""
    value = str(value)
    if value and not any(c in value for c in " \t\n\r\f\v'\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_ident(name):
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text):
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class PgServer:
    """One PostgreSQL server in a temporary directory; started by the
    constructor (or start=False and .start()), stopped by .stop()."""

    def __init__(self, start=True):
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                pw = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PgServerError("running as root, and there is no %r user to run the "
                                    "server as (the Debian package postgresql creates it)"
                                    % SERVER_USER)
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
        self.dir = None
        self.data = None
        self.port = None
        self._watcher = None
        self._running = False
        if start:
            self.start()

    # ---- running programs ---------------------------------------------------

    def _cmd(self, program, *args, as_server_user=True):
        """program of the server's bindir as the server's user (as_server_user
        False: as whoever runs the command, e.g. a shell that is that user)."""
        cmd = [os.path.join(self.bindir, program)] + list(args)
        if self.as_root and as_server_user:
            cmd = ["runuser", "-u", SERVER_USER, "--"] + cmd
        return cmd

    def _run(self, cmd, what, timeout=120, **kwargs):
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, **kwargs)
        if proc.returncode != 0:
            raise PgServerError("%s failed (exit %d): %s\n%s" % (
                what, proc.returncode, " ".join(cmd), proc.stdout.decode("utf-8", "replace")))
        return proc.stdout.decode("utf-8", "replace")

    def _server_log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # ---- life cycle -------------------------------------------------------------

    def start(self):
        """initdb in a new temporary directory and start the server."""
        if self._running:
            return
        try:
            self.dir = tempfile.mkdtemp(prefix="bdm-pg-")
            if self.as_root:
                os.chown(self.dir, self._uid, self._gid)
            os.chmod(self.dir, 0o700)
            self.data = os.path.join(self.dir, "data")
            self._start_watcher()
            atexit.register(self.stop)
            self._run(self._cmd("initdb", "-D", self.data, "-A", "trust", "-U", SERVER_USER,
                                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"),
                      "initdb")
            self.port = free_port()
            with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
                f.write("\n# tests/e2e/pgserver.py\n")
                for key, value in SETTINGS.items():
                    f.write("%s = %s\n" % (key, value))
            with open(os.path.join(self.data, "pg_hba.conf"), "w") as f:
                f.write(HBA)
            self._pg_ctl_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _pg_ctl_start(self):
        options = "-k %s -p %d -c listen_addresses=''" % (self.dir, self.port)
        try:
            self._run(self._cmd("pg_ctl", "-D", self.data, "-l",
                                os.path.join(self.dir, "server.log"), "-o", options, "-w",
                                "-t", "60", "start"), "pg_ctl start")
        except PgServerError as exc:
            raise PgServerError("%s\nserver log:\n%s" % (exc, self._server_log()))
        self._running = True

    def _start_watcher(self):
        # A new session: a signal to the test's process group must not take
        # the watcher with it before it has cleaned up.
        self._watcher = subprocess.Popen(
            [sys.executable, "-c", WATCHER, json.dumps(self._cmd("pg_ctl")), self.data, self.dir],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def stop(self):
        """Stop the server and remove its directory; safe to call again."""
        try:
            if self._running:
                self._running = False
                subprocess.run(self._cmd("pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                                         "stop"),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60)
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            if self._watcher is not None:
                # Closing the pipe lets the watcher end: nothing is left to do.
                try:
                    self._watcher.stdin.close()
                    self._watcher.wait(timeout=60)
                except Exception:
                    pass
                self._watcher = None

    def restart(self):
        """Stop the server (fast: sessions are ended) and start it again on
        the same directory and port; data is kept."""
        if not self._running:
            raise PgServerError("restart: the server is not running")
        self._run(self._cmd("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"),
                  "pg_ctl stop")
        self._running = False
        self._pg_ctl_start()

    def down(self):
        """Stop the server (fast: sessions are cut) and leave it down; its
        data stays for up().  Not a crash: with the test settings (fsync and
        synchronous_commit off) a crash could lose committed work."""
        if not self._running:
            raise PgServerError("down: the server is not running")
        self._run(self._cmd("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"),
                  "pg_ctl stop")
        self._running = False

    def up(self):
        """Start the server again on its data and port after down()."""
        if not self._running:
            self._pg_ctl_start()

    @property
    def running(self):
        """True while the server runs (not stopped, not paused)."""
        return self._running

    def pause(self):
        """Stop the server (sessions are ended) but keep its data: the team
        database is away until resume()."""
        if not self._running:
            raise PgServerError("pause: the server is not running")
        self._run(self._cmd("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"),
                  "pg_ctl stop")
        self._running = False

    def resume(self):
        """Start a paused server again on the same directory and port."""
        if self._running or not self.dir:
            raise PgServerError("resume: the server is not paused")
        self._pg_ctl_start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # ---- using it -----------------------------------------------------------------

    @property
    def socket_dir(self):
        """The directory of the server's socket (libpq's host)."""
        return self.dir

    def conninfo(self, dbname="postgres", user="postgres", password=None, **extra):
        """A keyword connection string: "host=DIR port=PORT dbname=... user=..."
        (password= and any extra keyword=value only when given)."""
        parts = [("host", self.dir), ("port", self.port), ("dbname", dbname), ("user", user)]
        if password is not None:
            parts.append(("password", password))
        parts += sorted(extra.items())
        return " ".join("%s=%s" % (k, quote_value(v)) for k, v in parts)

    def uri(self, dbname="postgres", user="postgres", password=None):
        """The same as a postgresql:// URI (the socket directory percent-encoded
        in the host part, the password in the user part)."""
        from urllib.parse import quote
        userinfo = quote(user, safe="")
        if password is not None:
            userinfo += ":" + quote(password, safe="")
        return "postgresql://%s@%s:%d/%s" % (userinfo, quote(self.dir, safe=""), self.port,
                                             quote(dbname, safe=""))

    def psql_command(self, db="postgres", user="postgres", inside_psql=False):
        """The psql command line psql() runs, for tests that run it themselves
        (in parallel, say): unaligned, tuples only, no psqlrc, stop at the
        first error; SQL on stdin.  inside_psql: for psql's \\! shell, which
        already runs as the server's user."""
        return self._cmd("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", self.dir, "-p", str(self.port), "-U", user, "-d", db, "-f", "-",
                         as_server_user=not inside_psql)

    def psql_env(self, password=None):
        """The environment for psql_command: PGPASSWORD when given, and no
        PG* variable of the caller's that could point elsewhere."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        if password is not None:
            env["PGPASSWORD"] = password
        return env

    def psql(self, sql, db="postgres", user="postgres", password=None, check=True, timeout=60):
        """Run sql (one or more statements) with psql; its stdout.  Raises
        PgServerError with psql's messages when it fails (unless check=False:
        then (returncode, stdout, stderr))."""
        proc = subprocess.run(self.psql_command(db, user), input=sql.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.psql_env(password), timeout=timeout)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        if not check:
            return proc.returncode, out, err
        if proc.returncode != 0:
            raise PgServerError("psql (db %s, user %s) failed (exit %d): %s\nSQL: %s"
                                % (db, user, proc.returncode, err.strip(), sql))
        return out

    def createdb(self, name):
        """Create database name (owned by postgres)."""
        self.psql("CREATE DATABASE %s" % quote_ident(name))
        return name

    def create_login_role(self, name, password, member_of=(), db=None):
        """A role that logs in with password (scram-sha-256), optionally a
        member of the given group roles, with CONNECT on db when given."""
        sql = "CREATE ROLE %s LOGIN PASSWORD %s;" % (quote_ident(name), quote_literal(password))
        for group in member_of:
            sql += "GRANT %s TO %s;" % (quote_ident(group), quote_ident(name))
        if db is not None:
            sql += "GRANT CONNECT ON DATABASE %s TO %s;" % (quote_ident(db), quote_ident(name))
        self.psql(sql)
        return name
