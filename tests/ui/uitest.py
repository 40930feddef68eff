"""What the real-client tests share: the purple directory `make install-user`
would leave, the Graph emulator behind it, and the checks that the clients
and the built plugins are there (imported by test_finch.py and
test_pidgin.py; not a test itself).

    from uitest import ClientSetup, Tap

    t = Tap()
    setup = ClientSetup("finch", t)        # fails the test clearly if finch is missing
    with setup:
        setup.emu.add_customer_message(...)
        ...
    t.done()

Environment: BUILD (build directory), BDM_TIMEOUT_SCALE (slow machines),
BDM_KEEP_DIRS=1 (keep the purple directory for inspection).  Artifacts
(screenshots, screen dumps, client logs) go to tests/artifacts/.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "emulators"))

from harness import Tap, build_path, timeout_scale  # noqa: E402,F401
from graph_emulator import GraphEmulator  # noqa: E402
import purple_profile  # noqa: E402

ARTIFACTS = os.path.join(REPO_ROOT, "tests", "artifacts")
TOKEN = "ui-token-SECRET-7c1e"
PAGE_ID = "1000"
PAGE_NAME = "Acme"
PROTOCOL = "prpl-branddm-facebook"
UI_IDS = {"finch": "gnt-purple", "pidgin": "gtk-gaim"}

# Three templates: one with a placeholder and characters that are markup
# elsewhere, one to choose from a menu, one that asks the agent for a value.
TEMPLATES = """\
[template greeting]
category=greeting
description=First answer in a new conversation
text=Hi {customer.first_name}, thanks for waiting & <sorry> for the delay.

[template closing]
category=closing
description=Last answer before resolving
text=Glad we could help, {customer.first_name}. Have a good day!

[template order-status]
category=status
description=Where an order is
text=Hi {customer.first_name}, order {ask:Order number} is on its way.
"""

# What each client needs besides the BrandDM build, and the Debian package.
TOOLS = {
    "finch": [("finch", "finch"), ("tmux", "tmux"), ("convert", "imagemagick")],
    "pidgin": [("pidgin", "pidgin"), ("Xvfb", "xvfb"), ("xdotool", "xdotool"),
               ("import", "imagemagick")],
}
PLUGIN_FILES = ["branddm.so", "branddm-facebook.bdm", "branddm-pidgin.so", "branddm-finch.so"]


def scaled(seconds):
    """A timeout, stretched by BDM_TIMEOUT_SCALE."""
    return seconds * timeout_scale()


def wait_until(probe, timeout, interval=0.2):
    """Call probe() until it returns something true (returned) or timeout
    seconds pass (None)."""
    deadline = time.monotonic() + scaled(timeout)
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def missing_requirements(client):
    """Human-readable problems that stop the test before it starts: a client
    program not installed, or a plugin file not built."""
    problems = []
    for program, package in TOOLS[client]:
        if shutil.which(program) is None:
            problems.append("%s is not installed (Debian package %s; `make deps`)"
                            % (program, package))
    for name in PLUGIN_FILES:
        if not os.path.exists(build_path("plugins", name)):
            problems.append("%s is not built (`make`)" % build_path("plugins", name))
    return problems


def sanitizer_env():
    """When the plugins were built with AddressSanitizer (make check-asan),
    the uninstrumented client must preload the same runtime or refuse to load
    them.  Only libasan: preloading libubsan as well deadlocks Pidgin in
    glibc's gettext lock before main() gets anywhere (libubsan still comes in
    with the plugins).  Leak checking stays off: GTK keeps memory to the end."""
    try:
        out = subprocess.run(["ldd", build_path("plugins", "branddm.so")],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             check=False).stdout.decode()
    except OSError:
        return {}
    preload = re.findall(r"libasan\S* => (\S+)", out)
    if not preload:
        return {}
    return {"LD_PRELOAD": preload[0],
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1"}


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:",
                     "ERROR: UndefinedBehaviorSanitizer")


def accounts_xml(api_base, ui_ids):
    """accounts.xml with one enabled Facebook Page account, as the Add
    Account dialog would save it (enabled is a per-UI setting)."""
    return purple_profile.accounts_xml(PROTOCOL, PAGE_ID, TOKEN, api_base, ui_ids)


# Window geometry that keeps the conversation window clear of the buddy
# list, so screen dumps and screenshots show it whole.
PREFS_XML = """\
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='finch'>
  <pref name='blist'>
   <pref name='size'><pref name='width' type='int' value='44'/>
    <pref name='height' type='int' value='30'/></pref>
   <pref name='position'><pref name='x' type='int' value='0'/>
    <pref name='y' type='int' value='0'/></pref>
  </pref>
  <pref name='conversations'>
   <pref name='size'><pref name='width' type='int' value='94'/>
    <pref name='height' type='int' value='30'/></pref>
   <pref name='position'><pref name='x' type='int' value='46'/>
    <pref name='y' type='int' value='0'/></pref>
  </pref>
 </pref>
 <pref name='pidgin'>
  <pref name='blist'>
   <pref name='x' type='int' value='0'/><pref name='y' type='int' value='0'/>
   <pref name='width' type='int' value='320'/><pref name='height' type='int' value='520'/>
  </pref>
  <pref name='conversations'>
   <pref name='im'>
    <pref name='width' type='int' value='720'/><pref name='height' type='int' value='420'/>
   </pref>
  </pref>
 </pref>
</pref>
"""


class ClientSetup:
    """A Graph emulator with one customer-free Page, and a purple directory
    for one client: the plugin files linked into plugins/ as install-user
    copies them, the account, the templates and the window geometry.

    t: the Tap to report a missing requirement on.  The constructor exits
    the test (status 1, one "not ok") when something is missing: the clients
    must be installed for `make check`, never silently skipped."""

    def __init__(self, client, t):
        problems = missing_requirements(client)
        if problems:
            t.ok(False, "%s and the BrandDM plugins are available" % client,
                 "\n".join(problems))
            t.done()
        self.client = client
        self.emu = GraphEmulator(platform="messenger", page_id=PAGE_ID, token=TOKEN,
                                 page_name=PAGE_NAME)
        self.dir = tempfile.mkdtemp(prefix="bdm-%s-" % client)
        self.log_path = os.path.join(self.dir, "branddm", "log.sqlite")
        self.env = dict(os.environ)
        self.env.update(sanitizer_env())
        # An empty stand-in for /etc/branddm: the test's templates are the user's.
        self.sysconf = os.path.join(self.dir, "etc-branddm")
        self.env["BRANDDM_SYSCONFDIR"] = self.sysconf
        self.env.pop("DISPLAY", None)
        os.makedirs(ARTIFACTS, exist_ok=True)

    def __enter__(self):
        self.emu.start()
        plugins = os.path.join(self.dir, "plugins")
        os.makedirs(plugins)
        os.makedirs(os.path.join(self.dir, "branddm"))
        os.makedirs(self.sysconf)
        for name in os.listdir(build_path("plugins")):
            os.symlink(build_path("plugins", name), os.path.join(plugins, name))
        self.write("accounts.xml", accounts_xml(self.emu.base_url, UI_IDS.values()))
        self.write("prefs.xml", PREFS_XML)
        self.write(os.path.join("branddm", "templates.conf"), TEMPLATES)
        return self

    def __exit__(self, *exc):
        self.emu.stop()
        if os.environ.get("BDM_KEEP_DIRS") == "1":
            print("# purple directory kept: %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def write(self, relative, text):
        with open(os.path.join(self.dir, relative), "w", encoding="utf-8") as f:
            f.write(text)

    def artifact(self, name):
        """Path of a file in tests/artifacts/, named after the client."""
        return os.path.join(ARTIFACTS, "%s-%s" % (self.client, name))

    # ---- what the tests read ---------------------------------------------

    def polled_with_token(self):
        """The conversation listings the emulator answered for our token."""
        return [r for r in self.emu.requests
                if r["path"].endswith("/conversations") and r["status"] == 200
                and r["headers"].get("authorization") == "Bearer " + TOKEN]

    def sent_texts(self, customer_id):
        return [s["text"] for s in self.emu.sent if s["recipient_id"] == customer_id]

    def log_rows(self, sql, args=()):
        """Rows of the conversation log, read-only (the client has it open)."""
        if not os.path.exists(self.log_path):
            return []
        db = sqlite3.connect("file:%s?mode=ro" % self.log_path, uri=True, timeout=5)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def purple_log_text(self):
        """Everything libpurple's own conversation logs (logs/...) hold,
        but for the accounts' ".system" logs (signing on and off)."""
        texts = []
        for root, _dirs, files in os.walk(os.path.join(self.dir, "logs")):
            if os.sep + ".system" in root:
                continue
            for name in files:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    texts.append(f.read())
        return "\n".join(texts)

    def blocks_logged(self, customer_id):
        """Policy blocks the log holds for customer_id: (text, detail) pairs."""
        return self.log_rows("SELECT text, detail FROM record WHERE kind='block' "
                             "AND customer_id=? ORDER BY id", (customer_id,))
