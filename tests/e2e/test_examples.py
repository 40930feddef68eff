#!/usr/bin/env python3
"""The shipped example files agree with each other and with README's demo:
every example template, filled in as an agent would use it (answering
what it asks), in every language it has, passes the example policy without
a block; the demo's Page (1000) is not read-only under the example
[agents] list; and the example desk.conf loads (the desk config test
parses it too)."""
import configparser
import os
import re
import subprocess

from harness import Tap, build_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
ADMIN = build_path("branddm-admin")
SAMPLE = {"customer.first_name": "Ada", "customer.name": "Ada Lovelace", "agent.name": "Alice",
          "brand": "Acme", "ticket": "FB-1042"}
# What an agent types when a template asks ({ask:Label}), by label.
ANSWERS = {"Order number": "A-20417", "Shipping date": "12 May",
           "Bestellnummer": "A-20417", "Versanddatum": "12. Mai"}


def check(text, *extra):
    proc = subprocess.run([ADMIN, "policy-check", "--policy",
                           os.path.join(DOCS, "policy.conf.example"), "--platform", "facebook",
                           "--account", "1000", "--agent", "alice"] + list(extra),
                          input=text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60, env=dict(os.environ, LC_ALL="C"))
    return proc.returncode, proc.stdout.decode() + proc.stderr.decode()


def templates():
    kf = configparser.RawConfigParser(strict=False, delimiters=("=",))
    kf.optionxform = str
    kf.read(os.path.join(DOCS, "templates.conf.example"), encoding="utf-8")
    constants = dict(kf.items("constants")) if kf.has_section("constants") else {}
    for section in kf.sections():
        if not section.startswith("template "):
            continue
        for key, text in kf.items(section):
            m = re.fullmatch(r"text(\[(\w+)\])?", key)
            if not m:
                continue
            lang = m.group(2)
            values = dict(SAMPLE)
            for name, value in constants.items():
                base = re.fullmatch(r"(\w+)(\[(\w+)\])?", name)
                if base and base.group(3) in (None, lang):
                    if base.group(3) == lang or base.group(1) not in values:
                        values[base.group(1)] = value
            # "{name|fallback}": the sample value, as a named customer gets it;
            # "{ask:Label}": what the agent answers.
            filled = re.sub(r"\{ask:([^}]*)\}",
                            lambda x: ANSWERS.get(x.group(1).strip(), x.group(0)),
                            text.replace("\\n", "\n"))
            filled = re.sub(r"\{([\w.]+)(?:\|[^}]*)?\}",
                            lambda x: values.get(x.group(1), x.group(0)), filled)
            automated = kf.has_option(section, "automated") and \
                kf.get(section, "automated") == "true"
            yield section[len("template "):], lang or "en", filled, automated


def main():
    t = Tap()
    found = list(templates())
    t.ok(len(found) >= 6, "the example templates are read (%d texts)" % len(found))
    for name, lang, text, automated in found:
        t.ok("{" not in text, "%s [%s]: every placeholder has a sample value" % (name, lang), text)
        code, out = check(text, *(["--automated"] if automated else []))
        t.ok(code in (0, 1), "%s [%s] passes the example policy without a block" % (name, lang),
             out)
    code, out = check("Thanks for waiting, Ada.", "--agent", "somebody")
    t.ok(code == 0, "the demo's Page 1000 is not read-only under the example [agents]", out)
    return t.done()


if __name__ == "__main__":
    raise SystemExit(main())
