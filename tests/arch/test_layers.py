#!/usr/bin/env python3
"""The layers' one-way dependencies, checked where they matter: at link level.

plugin/host/ (the protocol host) must never call plugin/desk/ (the desk
listens to the host's signals and answers its hook table instead); plugin/core/
(UI-free engines shared with branddm-admin) calls neither, nor the loader;
protocols/ (sans-I/O modules) call nothing of the plugin.  An object's
undefined symbols are what it calls; another layer's defined globals are
what it offers: where the two meet, a dependency points the wrong way.
"""
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Tap, REPO_ROOT, build_dir  # noqa: E402

t = Tap()


def objects(folder):
    """The built objects of a source folder (relative to the repository)."""
    return sorted(glob.glob(os.path.join(build_dir(), "obj", folder, "*.o")))


def nm(path, *flags):
    out = subprocess.run(["nm", "--format=posix"] + list(flags) + [path],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def undefined(paths):
    """symbol -> the objects that call it."""
    calls = {}
    for p in paths:
        for sym in nm(p, "--undefined-only"):
            calls.setdefault(sym, []).append(os.path.basename(p))
    return calls


def defined(paths):
    """symbol -> the object that defines it (global text and data only)."""
    offers = {}
    for p in paths:
        for sym in nm(p, "--defined-only", "--extern-only"):
            offers[sym] = os.path.basename(p)
    return offers


def violations(callers, callees):
    """Every (caller object, symbol, callee object) where callers use callees."""
    calls = undefined(callers)
    offers = defined(callees)
    return sorted((obj, sym, offers[sym]) for sym, objs in calls.items() if sym in offers
                  for obj in objs)


def show(found):
    return "\n".join("%s calls %s (defined in %s)" % v for v in found)


LAYERS = {
    "host": objects("plugin/host"),
    "desk": objects("plugin/desk"),
    "core": objects("plugin/core"),
    # plugin/ itself holds only the loader (objects of an older flat layout
    # may linger in a build folder; they are no layer).
    "loader": [p for p in objects("plugin") if os.path.basename(p) == "loader.o"],
    "protocols": objects("protocols"),
}


def test_layers_built(t):
    # Without objects every check below would pass by default.
    for name, objs in sorted(LAYERS.items()):
        t.ok(len(objs) > 0, "%s objects are built (%d)" % (name, len(objs)))


def test_one_way(t):
    host, desk, core = LAYERS["host"], LAYERS["desk"], LAYERS["core"]
    loader, protocols = LAYERS["loader"], LAYERS["protocols"]
    found = violations(host, desk)
    t.ok(not found, "no host object calls the desk", show(found))
    found = violations(host + desk, loader)
    t.ok(not found, "neither host nor desk calls up into the loader", show(found))
    found = violations(core, host + desk + loader)
    t.ok(not found, "core engines call neither host, desk nor loader", show(found))
    found = violations(protocols, host + desk + core + loader)
    t.ok(not found, "protocol modules call nothing of the plugin", show(found))
    # The other direction is the design: the desk uses the host.
    t.ok(violations(desk, host), "the desk does use the host (the check sees real calls)")


def test_check_catches_a_wrong_call(t):
    """A host object that called a desk function must be caught."""
    desk = LAYERS["desk"]
    offered = sorted(s for s in defined(desk) if s.startswith("bdm_desk_"))
    if not t.ok(offered, "the desk offers bdm_desk_* functions"):
        return
    target = offered[0]
    with tempfile.TemporaryDirectory(prefix="bdm-layers-") as tmp:
        src = os.path.join(tmp, "bad_host.c")
        obj = os.path.join(tmp, "bad_host.o")
        with open(src, "w") as f:
            f.write("void %s(void);\nvoid bad_host_call(void) { %s(); }\n" % (target, target))
        subprocess.run(["cc", "-c", src, "-o", obj], check=True)
        found = violations(LAYERS["host"] + [obj], desk)
    t.ok(any(v[0] == "bad_host.o" and v[1] == target for v in found),
         "a planted host object calling %s is reported" % target, show(found))


def test_exports(t):
    """Only the entry points leave the shared objects."""
    plugins = os.path.join(build_dir(), "plugins")
    expected = {
        "branddm.so": {"purple_init_plugin"},
        "branddm-facebook.bdm": {"branddm_module_entry"},
        "branddm-instagram.bdm": {"branddm_module_entry"},
        "branddm-x.bdm": {"branddm_module_entry"},
        "branddm-pidgin.so": {"purple_init_plugin"},
        "branddm-finch.so": {"purple_init_plugin"},
    }
    for name, want in sorted(expected.items()):
        path = os.path.join(plugins, name)
        if not t.ok(os.path.exists(path), "%s is built" % name):
            continue
        out = subprocess.run(["nm", "-D", "--defined-only", "--format=posix", path],
                             stdout=subprocess.PIPE, check=True).stdout.decode()
        got = {line.split()[0] for line in out.splitlines()
               if line.strip() and line.split()[1] in "TDBRVW"}
        # The linker adds its own markers to some objects; none are ours.
        got = {s for s in got if not s.startswith("_")}
        t.eq(got, want, "%s exports only its entry point" % name)


t.run("layers built", test_layers_built)
t.run("one-way dependencies", test_one_way)
t.run("the check catches a wrong call", test_check_catches_a_wrong_call)
t.run("exports", test_exports)
t.done()
