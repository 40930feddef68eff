"""Shared by the team-mode tests: a team database, one emulated Page and a
headless client per agent (tests/e2e/test_team.py, test_team_log.py)."""
import os
import subprocess
import time

from desk_fixtures import Webhook, sysconf
from harness import build_dir, timeout_scale
from protocol_suite import Session

AGENTS = ["Alice Martin", "Bob Keller", "Chen Wei"]


class Team:
    """A team database, one emulated Page and a client per agent."""

    def __init__(self, p, pg, hook, agents, closed=False, db="team", own_conf=None,
                 client_login=None):
        """own_conf: {agent: extra lines of that agent's own desk.conf};
        client_login: (user, password) the clients connect as, instead of
        the server's superuser (the schema is still made by the superuser)."""
        self.p = p
        self.pg = pg
        self.db = pg.createdb(db)
        self.conninfo = pg.conninfo(db)
        init = subprocess.run([os.path.join(build_dir(), "branddm-admin"), "team", "init",
                               "--db", self.conninfo], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=60)
        if init.returncode != 0:
            raise RuntimeError("team init failed: " + init.stdout.decode())
        self.emu = p.make_emulator()
        self.emu.start()
        conf = sysconf(hook, closed)
        client_conninfo = self.conninfo
        if client_login:
            # The group role exists once team init has run.
            pg.create_login_role(client_login[0], client_login[1], member_of=["branddm_agent"])
            client_conninfo = pg.conninfo(db, user=client_login[0], password=client_login[1])
        conf["desk.conf"] += "\n[team]\ndatabase=%s\n" % client_conninfo
        self.conf = conf
        self.sessions = []
        for agent in agents:
            s = Session(p, emu=self.emu, sysconf=conf)
            own_dir = os.path.join(s.client.purple_dir, "branddm")
            os.makedirs(own_dir, exist_ok=True)
            with open(os.path.join(own_dir, "desk.conf"), "w") as f:
                f.write("[team]\nagent=%s\n%s" % (agent, (own_conf or {}).get(agent, "")))
            self.sessions.append(s)

    def start(self):
        for s in self.sessions:
            s.start()
        for s in self.sessions:
            s.connected()
        return self

    def sql(self, query):
        return self.pg.psql(query, db=self.db).strip()

    def close(self):
        for s in self.sessions:
            s.close()
        self.emu.stop()


def wait_for(fn, timeout=15):
    """fn() until it is true or timeout (scaled by BDM_TIMEOUT_SCALE) passed."""
    deadline = time.monotonic() + timeout * timeout_scale()
    value = fn()
    while not value and time.monotonic() < deadline:
        time.sleep(0.2)
        value = fn()
    return value


def run_team_tests(t, pg, tests):
    """Run each (name, fn) as fn(t, pg, hook), each with a webhook receiver of its own."""
    for test_name, fn in tests:
        hook = Webhook()
        try:
            t.run(test_name, fn, pg, hook)
        finally:
            hook.close()
