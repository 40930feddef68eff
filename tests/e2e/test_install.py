#!/usr/bin/env python3
"""make install / uninstall / install-user do what README.md says: files land
where libpurple looks (honouring PREFIX and DESTDIR), and a client started
on the per-user install finds BrandDM's protocols."""
import os
import shutil
import subprocess
import tempfile

from harness import Client, Tap, REPO_ROOT, build_dir

t = Tap()


def make(*args):
    env = dict(os.environ, MAKEFLAGS="", MFLAGS="")
    proc = subprocess.run(["make", "-s", "-C", REPO_ROOT, "BUILD=" + build_dir()] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600)
    return proc.returncode, proc.stdout.decode()


def plugindir():
    return subprocess.run(["pkg-config", "--variable=plugindir", "purple"],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()


def pidgin_icondir():
    """Where Pidgin reads protocol icons: its DATADIR, not PREFIX."""
    datadir = subprocess.run(["pkg-config", "--variable=datadir", "pidgin"],
                             stdout=subprocess.PIPE).stdout.decode().strip()
    return os.path.join(datadir or "/usr/share", "pixmaps", "pidgin", "protocols")


def test_system_install(t):
    dest = tempfile.mkdtemp(prefix="bdm-destdir-")
    try:
        code, out = make("install", "DESTDIR=" + dest, "PREFIX=/opt/bdm")
        t.ok(code == 0, "make install succeeds", out)
        pdir = dest + plugindir()
        files = sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []
        t.ok("branddm.so" in files, "loader installed into purple's plugindir", files)
        t.ok({"branddm-facebook.bdm", "branddm-instagram.bdm", "branddm-x.bdm"} <= set(files),
             "every protocol module beside it", files)
        t.ok(os.access(dest + "/opt/bdm/bin/branddm-admin", os.X_OK), "admin tool in PREFIX/bin")
        t.ok(os.path.exists(dest + "/opt/bdm/share/locale/de/LC_MESSAGES/branddm.mo"),
             "German catalogue in PREFIX/share/locale")
        icons = dest + pidgin_icondir()
        wanted = ["%s/branddm-%s.png" % (size, platform) for size in ("16", "22", "48")
                  for platform in ("facebook", "instagram", "x")]
        missing = [w for w in wanted if not os.path.exists(os.path.join(icons, w))]
        t.eq(missing, [], "protocol icons at each size Pidgin reads, in Pidgin's data directory")
        code, out = make("uninstall", "DESTDIR=" + dest, "PREFIX=/opt/bdm")
        t.ok(code == 0, "make uninstall succeeds", out)
        left = [os.path.join(r, f) for r, _, fs in os.walk(dest) for f in fs]
        t.eq(left, [], "uninstall removes every installed file")
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_user_install(t):
    home = tempfile.mkdtemp(prefix="bdm-purple-home-")
    try:
        code, out = make("install-user", "PURPLE_DIR=" + home)
        t.ok(code == 0, "make install-user succeeds", out)
        plugins = os.path.join(home, "plugins")
        t.ok(os.path.exists(os.path.join(plugins, "branddm.so")), "plugin in PURPLE_DIR/plugins")
        # Pidgin and Finch search <purple dir>/plugins; do what they do.
        c = Client(purple_dir=home, plugin_paths=[plugins])
        c.start()
        protocols = c.ready["protocols"]
        c.quit()
        t.ok({"prpl-branddm-facebook", "prpl-branddm-instagram", "prpl-branddm-x"} <= set(protocols),
             "a client on the per-user install has BrandDM's protocols", protocols)
    finally:
        shutil.rmtree(home, ignore_errors=True)


t.run("make install / uninstall with DESTDIR and PREFIX", test_system_install)
t.run("make install-user", test_user_install)
t.done()
