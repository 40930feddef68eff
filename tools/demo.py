#!/usr/bin/env python3
"""make demo: BrandDM's main job in one command, without a real Page.

Starts the Graph emulator (tests/emulators/graph_emulator.py) as the
Messenger Page "Acme Demo", makes a throw-away purple directory with the
plugin and the Page's account already set up, and runs Finch in this
terminal (or Pidgin with DEMO_UI=pidgin when there is a display).  A
scripted stream of customers writes over a few minutes: several at once,
one asking for a refund (a trigger escalates it to billing), one naming a
lawyer (urgent, legal), one coming back later.  Answer them; what the
customers received is printed when the client quits.  Quitting the client
stops everything this started and removes the directory (DEMO_KEEP=1 keeps
it, and prints where).

Options: --fast (the stream in seconds, for tests), --ui finch|pidgin.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulators"))

from graph_emulator import GraphEmulator  # noqa: E402
from purple_profile import accounts_xml  # noqa: E402

PAGE_ID, TOKEN, PAGE_NAME = "1000", "demo", "Acme Demo"
PROTOCOL = "prpl-branddm-facebook"
UI_IDS = {"finch": "gnt-purple", "pidgin": "gtk-gaim"}

# (seconds after the start, customer id, name, text)
STREAM = [
    (3, "5001", "Ada Lovelace", "Hi! My order 5521 has not arrived yet. Can you check?"),
    (8, "5002", "Grace Hopper", "Do you ship to Norway? And how long does it take?"),
    (25, "5003", "Alan Turing", "The kettle I bought is broken. I want a refund, please."),
    (50, "5004", "Katherine Johnson",
     "Third time I write about the double charge. My lawyer will hear about this."),
    (90, "5001", "Ada Lovelace", "Any news about order 5521?"),
    (120, "5005", "Hedy Lamarr", "Thanks for the quick help yesterday, all sorted!"),
    (180, "5002", "Grace Hopper", "Hello? Still waiting for an answer about Norway."),
]

DESK_CONF = """\
# The demo's desk: a brand name, tags, and two triggers (no webhooks).
[desk]
brand=Acme

[labels]
names=vip;refund;bug

[trigger refund]
keywords=refund;money back;chargeback
department=billing
tag=refund

[trigger legal]
keywords=lawyer;attorney;sue;lawsuit;court
department=legal
urgent=true
"""


# Finch: a buddy list wide enough for "Katherine Johnson · Facebook [waiting,
# legal…", conversations to its right, wide enough for a customer's line.
PREFS_XML = """\
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='finch'>
  <pref name='blist'>
   <pref name='size'><pref name='width' type='int' value='56'/>
    <pref name='height' type='int' value='24'/></pref>
   <pref name='position'><pref name='x' type='int' value='0'/>
    <pref name='y' type='int' value='0'/></pref>
  </pref>
  <pref name='conversations'>
   <pref name='size'><pref name='width' type='int' value='82'/>
    <pref name='height' type='int' value='24'/></pref>
   <pref name='position'><pref name='x' type='int' value='57'/>
    <pref name='y' type='int' value='0'/></pref>
  </pref>
 </pref>
</pref>
"""


def build_dir():
    return os.environ.get("BUILD", os.path.join(ROOT, "build"))


def make_purple_dir(api_base):
    """A purple directory with the plugin files linked in, the account and
    the demo's desk.conf and the example templates."""
    top = tempfile.mkdtemp(prefix="branddm-demo-")
    purple = os.path.join(top, "purple")
    plugins = os.path.join(purple, "plugins")
    os.makedirs(plugins)
    os.makedirs(os.path.join(purple, "branddm"))
    os.makedirs(os.path.join(top, "etc"))
    built = os.path.join(build_dir(), "plugins")
    for name in os.listdir(built):
        os.symlink(os.path.join(built, name), os.path.join(plugins, name))
    with open(os.path.join(purple, "accounts.xml"), "w") as f:
        f.write(accounts_xml(PROTOCOL, PAGE_ID, TOKEN, api_base, UI_IDS.values(),
                             alias=PAGE_NAME))
    with open(os.path.join(purple, "prefs.xml"), "w") as f:
        f.write(PREFS_XML)
    with open(os.path.join(purple, "branddm", "desk.conf"), "w") as f:
        f.write(DESK_CONF)
    shutil.copy(os.path.join(ROOT, "docs", "templates.conf.example"),
                os.path.join(purple, "branddm", "templates.conf"))
    return top, purple


def stream(emu, fast, stop):
    """Customers write on schedule until the client quits."""
    scale = 0.1 if fast else 1.0
    started = 0.0
    for at, who, name, text in STREAM:
        if stop.wait((at - started) * scale):
            return
        started = at
        emu.add_customer_message(who, name, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="the customers' stream in seconds instead of minutes")
    parser.add_argument("--ui", default=os.environ.get("DEMO_UI", "finch"),
                        choices=("finch", "pidgin"), help="the client (default finch)")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(build_dir(), "plugins", "branddm.so")):
        sys.exit("demo: BrandDM is not built: run make deps && make first")
    if args.ui == "pidgin" and not os.environ.get("DISPLAY"):
        sys.exit("demo: DEMO_UI=pidgin needs a display (DISPLAY is not set); "
                 "Finch runs in a terminal: make demo")
    if shutil.which(args.ui) is None:
        sys.exit("demo: %s is not installed: run make deps" % args.ui)

    emu = GraphEmulator(platform="messenger", page_id=PAGE_ID, token=TOKEN,
                        page_name=PAGE_NAME)
    emu.start()
    top, purple = make_purple_dir(emu.base_url)
    stop = threading.Event()
    writer = threading.Thread(target=stream, args=(emu, args.fast, stop), daemon=True)
    env = dict(os.environ, BRANDDM_SYSCONFDIR=os.path.join(top, "etc"))
    code = 1
    try:
        writer.start()
        code = subprocess.call([args.ui, "-c", purple], env=env)
    except KeyboardInterrupt:
        code = 130
    finally:
        stop.set()
        sent = list(emu.sent)
        emu.stop()
        if os.environ.get("DEMO_KEEP") == "1":
            print("demo: the purple directory is kept: %s" % purple)
        else:
            shutil.rmtree(top, ignore_errors=True)
    print("demo: %s quit; the customers received %d replies%s" % (
        args.ui, len(sent), ":" if sent else "."))
    for m in sent:
        print("  to %s: %s" % (m.get("recipient_id"), json.dumps(m.get("text"))))
    return code


if __name__ == "__main__":
    sys.exit(main())
