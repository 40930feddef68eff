"""Reading the running Pidgin's libpurple state over D-Bus (libpurple's
im.pidgin.purple.PurpleService, queried with dbus-send), on a private session
bus: what the buddy list draws from (imported by test_pidgin.py; not a test
itself)."""
import os
import re
import subprocess

from uitest import scaled

SERVICE = "im.pidgin.purple.PurpleService"
OBJECT = "/im/pidgin/purple/PurpleObject"
INTERFACE = "im.pidgin.purple.PurpleInterface"


class SessionBus:
    """A private dbus-daemon; env() gives the variables a client needs."""

    def __init__(self):
        self.proc = None
        self.address = None

    def start(self):
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                      "--print-address=1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.address = self.proc.stdout.readline().decode().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("dbus-daemon did not report its address")
        return self.address

    def env(self):
        return {"DBUS_SESSION_BUS_ADDRESS": self.address}

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self.proc = None


def _argument(value):
    if isinstance(value, bool):
        return "int32:%d" % int(value)
    if isinstance(value, int):
        return "int32:%d" % value
    return "string:%s" % value


def call(bus, method, *args):
    """libpurple's method (e.g. "PurpleFindBuddy") with int and str
    arguments: its int or str result, None when the call failed."""
    argv = ["dbus-send", "--session", "--print-reply", "--reply-timeout=%d" % int(scaled(5) * 1000),
            "--dest=" + SERVICE, OBJECT, "%s.%s" % (INTERFACE, method)]
    argv += [_argument(a) for a in args]
    out = subprocess.run(argv, env=dict(os.environ, **bus.env()), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=scaled(10))
    if out.returncode != 0:
        return None
    reply = out.stdout.decode("utf-8", "replace")
    m = re.search(r'^\s*int32 (-?\d+)\s*$', reply, re.M)
    if m:
        return int(m.group(1))
    m = re.search(r'^\s*string "(.*)"\s*$', reply, re.M | re.S)
    return m.group(1) if m else None


def buddy_state(bus, account_name, protocol_id, buddy_name):
    """(alias, online) of a buddy as the buddy list shows it, or None."""
    account = call(bus, "PurpleAccountsFind", account_name, protocol_id)
    if not account:
        return None
    buddy = call(bus, "PurpleFindBuddy", account, buddy_name)
    if not buddy:
        return None
    presence = call(bus, "PurpleBuddyGetPresence", buddy)
    online = call(bus, "PurplePresenceIsOnline", presence) if presence else None
    return call(bus, "PurpleBuddyGetAlias", buddy), online == 1
