#!/usr/bin/env python3
"""The translations stay complete and are what staff actually see.

Static part: a template of the CURRENT sources (`make pot-check`, the very
xgettext command `make pot` uses) must be fully translated, without fuzzy
entries, in every po/*.po; msgfmt --check accepts each catalogue; every file
that marks strings is in POTFILES; no string reaches xgettext cut short by a
format macro; plural lookups name BrandDM's text domain.

End to end: the headless client loads the built plugin under LANGUAGE=<lang>
and is driven against the Facebook emulator.  A reply with a card number is
blocked and the notice in the conversation is in that language; so is a
plural message (/tpl reload).  A language with no catalogue falls back to
English, so the translated notices cannot come from anywhere but the
catalogue.
"""
import gettext
import glob
import html
import os
import re
import shutil
import subprocess
import tempfile

from harness import REPO_ROOT, Tap, build_path
from platforms import Facebook
from protocol_suite import Session

CARD = "4111 1111 1111 1111"
# A language BrandDM has no catalogue for: the near-miss control.
UNTRANSLATED_LANGUAGE = "fr"
SOURCE_DIRS = ("include", "plugin", "protocols", "tools")

# The messages a blocked card number shows, outermost first.
BLOCK_PARTS = (
    "Not sent: this message breaks the message policy.",
    "Payment card number",
    "This looks like a payment card number. Never send card details in chat; point the "
    "customer to the secure payment page instead.",
    "Your message is back in the message box: correct it and send it again.",
)
RELOAD_SINGULAR = "%u template loaded."
RELOAD_PLURAL = "%u templates loaded."

# What a translation must carry over unchanged (printf directives are
# msgfmt --check's job): template placeholders, HTML entities, product names.
PLACEHOLDER = re.compile(r"\{[^{}\s]+\}")
ENTITY = re.compile(r"&[A-Za-z]+;|&#[0-9]+;")
PRODUCT_NAMES = ("BrandDM", "HUMAN_AGENT", "Messenger", "Instagram", "Pidgin", "Finch")
FORMAT_DIRECTIVE = re.compile(r"%(?:[0-9]+\$)?[-+ #0']*[0-9*]*(?:\.[0-9*]+)?"
                              r"(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcsp]")


# ---- PO files ------------------------------------------------------------------

def _unquote(text):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
                  text)


def read_po(path):
    """The entries of a PO file: dicts with msgctxt, msgid, msgid_plural,
    msgstr ({form index: text}), flags and refs; obsolete (#~) ones dropped."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                finish()
                entry, key = None, None
                continue
            if entry is None:
                entry = {"flags": set(), "refs": [], "msgstr": {}}
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                entry["refs"].extend(line[2:].split())
            elif line.startswith("#"):
                pass
            elif line.startswith('"'):
                value = _unquote(line[1:-1])
                if isinstance(key, int):
                    entry["msgstr"][key] += value
                else:
                    entry[key] += value
            else:
                m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"$', line)
                if m is None:
                    raise ValueError("%s: cannot read line %r" % (path, line))
                key = m.group(1)
                if key == "msgstr":
                    key = int(m.group(2) or 0)
                    entry["msgstr"][key] = _unquote(m.group(3))
                else:
                    entry[key] = _unquote(m.group(3))
    finish()
    return [e for e in entries if not e.get("obsolete")]


def message_key(entry):
    return (entry.get("msgctxt"), entry["msgid"])


def nplurals(header):
    m = re.search(r"^Plural-Forms:.*nplurals\s*=\s*(\d+)", header, re.M)
    return int(m.group(1)) if m else None


def describe(entry):
    where = ", ".join(entry["refs"][:2]) or "?"
    return "%s: %r" % (where, entry["msgid"])


# ---- make and the sources ---------------------------------------------------------

def run_make(*args):
    """make -s in the repository, without the outer make's job server."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(["make", "-s", "--no-print-directory"] + list(args), cwd=REPO_ROOT,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def make_template(path, sources=None):
    """The .pot of the listed sources (default: POTFILES) via make pot-check."""
    args = ["pot-check", "POT=" + path]
    if sources is not None:
        args.append("POTFILES=" + " ".join(sources))
    result = run_make(*args)
    if result.returncode != 0:
        raise RuntimeError("make pot-check failed:\n" + result.stderr)
    return [e for e in read_po(path) if e["msgid"] != ""]


def all_sources():
    found = []
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(REPO_ROOT, top)):
            found += [os.path.relpath(os.path.join(dirpath, name), REPO_ROOT)
                      for name in files if name.endswith((".c", ".h"))]
    return sorted(found)


def without_comments(code):
    """C code with its comments blanked out, line numbers kept."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: " " + "\n" * m.group(0).count("\n"),
                  code, flags=re.S)


def truncated(msgid):
    """True when the string ends inside a % directive: xgettext stopped at a
    macro (G_GINT64_FORMAT) the program pastes in at compile time."""
    return msgid.replace("%%", "").endswith("%")


# ---- static checks ------------------------------------------------------------------

def check_sources(t, ctx):
    with tempfile.TemporaryDirectory(prefix="bdm-pot-") as tmp:
        everything = make_template(os.path.join(tmp, "all.pot"), all_sources())
    listed = {message_key(e) for e in ctx["template"]}
    missing = [e for e in everything if message_key(e) not in listed]
    t.ok(not missing, "every source file that marks strings is in POTFILES",
         "\n".join("not in any fragment's POTFILES: " + describe(e) for e in missing))

    cut = [e for e in ctx["template"]
           if truncated(e["msgid"]) or truncated(e.get("msgid_plural", ""))]
    t.ok(not cut, "no marked string is cut short by a format macro (xgettext cannot expand "
         "G_GINT64_FORMAT: use PRId64 from <inttypes.h>, which it understands)",
         "\n".join("cut at the macro, so never translated: " + describe(e) for e in cut))

    with open(os.path.join(REPO_ROOT, "include", "branddm", "i18n.h"), encoding="utf-8") as f:
        ngettext_defined = re.search(r"#\s*define\s+ngettext\b", f.read()) is not None
    wrong = []
    for path in ctx["potfiles"]:
        with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as f:
            code = without_comments(f.read())
        for m in re.finditer(r"(?<![\w])(ngettext|dngettext|g_dngettext)\s*\(\s*(\w*)", code):
            line = code.count("\n", 0, m.start()) + 1
            if m.group(1) == "ngettext" and not ngettext_defined:
                wrong.append("%s:%d: ngettext() looks in the host program's domain" % (path, line))
            elif m.group(1) != "ngettext" and m.group(2) != "GETTEXT_PACKAGE":
                wrong.append("%s:%d: %s() without GETTEXT_PACKAGE" % (path, line, m.group(1)))
    t.ok(not wrong, "plural lookups use the branddm domain "
         "(dngettext(GETTEXT_PACKAGE, ...); Pidgin's own domain is the default)", "\n".join(wrong))


def check_catalogue(t, ctx, lang):
    po_path = os.path.join(REPO_ROOT, "po", lang + ".po")
    entries = read_po(po_path)
    header = next((e["msgstr"].get(0, "") for e in entries if e["msgid"] == ""), "")
    forms = nplurals(header)
    t.ok(forms is not None and "charset=UTF-8" in header and ("Language: %s\n" % lang) in header,
         "%s: header names the language, UTF-8 and the plural forms" % lang, header)

    translations = {message_key(e): e for e in entries if e["msgid"] != ""}
    untranslated = []
    for want in ctx["template"]:
        have = translations.get(message_key(want))
        if have is None:
            untranslated.append("missing: " + describe(want))
            continue
        strings = [have["msgstr"].get(i, "") for i in range(forms if "msgid_plural" in want else 1)]
        if "fuzzy" in have["flags"]:
            untranslated.append("fuzzy: " + describe(want))
        elif any(s == "" for s in strings) or ("msgid_plural" in want) != ("msgid_plural" in have):
            untranslated.append("untranslated: " + describe(want))
    t.ok(not untranslated, "%s: every message of the current sources has a reviewed translation "
         "(%d messages)" % (lang, len(ctx["template"])),
         "%d to do (make update-po, then translate; see po/README):\n%s"
         % (len(untranslated), "\n".join(untranslated)))

    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po_path],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    stats = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    t.ok(result.returncode == 0 and re.fullmatch(r"\d+ translated messages?\.", stats),
         "%s: msgfmt --check accepts the catalogue, nothing fuzzy or untranslated" % lang,
         result.stdout)

    damaged = []
    for e in entries:
        if e["msgid"] == "" or not e["msgstr"].get(0):
            continue
        sources = [e["msgid"]] + ([e["msgid_plural"]] if "msgid_plural" in e else [])
        for i, text in sorted(e["msgstr"].items()):
            source = sources[min(i, len(sources) - 1)]
            for name, pattern in (("placeholders", PLACEHOLDER), ("entities", ENTITY)):
                if sorted(pattern.findall(text)) != sorted(pattern.findall(source)):
                    damaged.append("%s changed: %s -> %r" % (name, describe(e), text))
            if (text.startswith("\n"), text.endswith("\n"), text.count("\n")) != \
               (source.startswith("\n"), source.endswith("\n"), source.count("\n")):
                damaged.append("line breaks changed: %s -> %r" % (describe(e), text))
            lost = [p for p in PRODUCT_NAMES if p in source and p not in text]
            if lost:
                damaged.append("%s translated away: %s -> %r" % (", ".join(lost), describe(e), text))
    t.ok(not damaged, "%s: translations keep placeholders, entities, line breaks and product names"
         % lang, "\n".join(damaged))

    mo_path = ctx["mo"][lang]
    t.ok(os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path),
         "%s: the compiled catalogue beside the plugin is up to date" % lang,
         "%s is missing or older than %s: run make" % (mo_path, po_path))


# ---- end to end -----------------------------------------------------------------------

def shown(text):
    """A message as BrandDM writes it into a conversation: escaped, <br> lines."""
    return html.escape(text, quote=True).replace("&#x27;", "&#39;").replace("\n", "<br>")


def literal_pieces(text):
    return [piece for piece in FORMAT_DIRECTIVE.split(text) if piece.strip()]


def client_environment(lang):
    """What the client's environment needs for an agent whose desktop
    language is lang.  LANG is C.UTF-8 (always there on Debian): glibc
    honours LANGUAGE unless the locale is plain C.  Empty LC_ALL and
    LC_MESSAGES count as unset, so the caller's own cannot win.  The client
    calls setlocale(LC_ALL, "") at start-up, as Pidgin and Finch do."""
    return {"LANGUAGE": lang, "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}


def catalogue_for(lang, ctx):
    mo_path = ctx["mo"].get(lang)
    if mo_path is None:
        return gettext.NullTranslations()
    with open(mo_path, "rb") as f:
        return gettext.GNUTranslations(f)


def run_agent(ctx, lang):
    """Block a card number and reload the templates with the client in lang;
    returns both notices as written into the conversation, and what the
    platform received."""
    p = Facebook()
    who, name = p.customer(1)
    with Session(p) as s:
        s.client.env.update(client_environment(lang))
        s.emu.add_customer_message(who, name, "Hello, I need help with my order")
        s.start()
        s.connected()
        s.received(who)
        s.send(who, "Thanks, your card %s is on file" % CARD)
        block = s.client.wait_event("write", conv=who, flags="error", timeout=15)["text"]
        sent = list(s.emu.sent)
        mark = s.client.mark()
        s.command(who, "tpl reload")
        # The answer names the count (0: no templates are configured).
        reload = s.client.wait_event("write", conv=who, flags="system", since=mark, timeout=10,
                                     text=lambda text: re.search(r"(^|\D)0(\D|$)", text))["text"]
        return block, reload, sent


def check_agent(t, ctx, lang):
    catalogue = catalogue_for(lang, ctx)
    block, reload, sent = run_agent(ctx, lang)
    t.eq(sent, [], "%s: the reply with a card number never reached the platform" % lang)

    english_expected = lang not in ctx["mo"]
    language = "English (no %s catalogue)" % lang if english_expected else lang
    missing = []
    for msgid in BLOCK_PARTS:
        wanted = catalogue.gettext(msgid)
        if not english_expected and wanted == msgid:
            missing.append("the catalogue has no translation of %r" % msgid)
        missing += ["%r is not in the notice" % shown(piece) for piece in literal_pieces(wanted)
                    if shown(piece) not in block]
        if not english_expected:
            missing += ["English %r is in the notice" % piece for piece in literal_pieces(msgid)
                        if len(piece.strip()) > 3 and piece not in wanted
                        and shown(piece) in block]
    t.ok(not missing, "%s: the block notice is in %s" % (lang, language),
         "\n".join(missing + ["notice: " + block]))

    wanted = shown(catalogue.ngettext(RELOAD_SINGULAR, RELOAD_PLURAL, 0) % 0)
    t.ok(reload == wanted and (english_expected or reload != shown(RELOAD_PLURAL % 0)),
         "%s: a plural message (/tpl reload, no templates) is in %s" % (lang, language),
         "got:  %r\nwant: %r" % (reload, wanted))


# ---- main ---------------------------------------------------------------------------------

def prepare(t, ctx):
    linguas = run_make("print-linguas")
    ctx["languages"] = sorted(os.path.basename(p)[:-3]
                              for p in glob.glob(os.path.join(REPO_ROOT, "po", "*.po")))
    t.eq(linguas.stdout.split(), ctx["languages"],
         "po.mk's LINGUAS builds every po/*.po catalogue")
    ctx["mo"] = {lang: build_path("plugins", "branddm-locale", lang, "LC_MESSAGES", "branddm.mo")
                 for lang in ctx["languages"]}
    potfiles = run_make("print-potfiles")
    ctx["potfiles"] = potfiles.stdout.split()
    ctx["template"] = make_template(os.path.join(ctx["tmp"], "current.pot"))
    t.ok(potfiles.returncode == 0 and ctx["potfiles"] and len(ctx["template"]) > 100,
         "make pot-check extracts the current sources' messages (%d from %d files)"
         % (len(ctx["template"]), len(ctx["potfiles"])), potfiles.stderr)


def main():
    t = Tap()
    ctx = {"tmp": tempfile.mkdtemp(prefix="bdm-i18n-")}
    try:
        t.run("template of the current sources", prepare, ctx)
        if "template" not in ctx:
            t.done()
        t.run("sources", check_sources, ctx)
        for lang in ctx["languages"]:
            t.run("%s catalogue" % lang, check_catalogue, ctx, lang)
        for lang in ctx["languages"] + [UNTRANSLATED_LANGUAGE]:
            t.run("%s end to end" % lang, check_agent, ctx, lang)
    finally:
        shutil.rmtree(ctx["tmp"], ignore_errors=True)
    t.done()


if __name__ == "__main__":
    main()
