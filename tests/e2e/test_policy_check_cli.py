#!/usr/bin/env python3
"""branddm-admin policy-check end to end: the message on stdin, the verdict
on stdout (text or JSON), the exit status (0 allow, 1 warn, 2 block, 3 usage
or policy-file error) and the error messages on stderr.

The tool is $BUILD/branddm-admin (BUILD defaults to "build").  Speaks TAP.
"""
import json
import os
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")
TOOL = os.path.join(BUILD, "branddm-admin")
CARD = "4111 1111 1111 1111"

results = []


def run(args, stdin, env_extra=None):
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    env = dict(os.environ, LC_ALL="C", LANGUAGE="")
    env.update(env_extra or {})
    proc = subprocess.run([TOOL, "policy-check"] + args, input=data,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, timeout=60)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def verdict_json(args, stdin):
    code, out, err = run(["--json"] + args, stdin)
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, None, "not JSON: %r %r" % (out, err)


def rules(doc):
    return [f["rule"] for f in doc["findings"]] if doc else []


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def main():
    if not os.access(TOOL, os.X_OK):
        print("1..1")
        print("not ok 1 - %s is not built" % TOOL)
        return 1
    tmp = tempfile.mkdtemp(prefix="policy_cli-")
    empty = write(tmp, "empty.conf", "# only the built-in defaults\n")
    acme = write(tmp, "acme.conf",
                 "[policy]\nversion = 5\n"
                 "[rule links.domain]\nallow = acme.com\n"
                 "[agents]\nfacebook:1000 = alice\n* = *\n")
    broken = write(tmp, "broken.conf", "[policy]\nversion = 1\nnot a setting\n")
    unknown = write(tmp, "unknown.conf", "[rule sensitive.cards]\nseverity = block\n")

    # Exit status is the verdict.
    code, out, err = run(["--policy", empty], "Thanks for writing, we are on it.\n")
    check("clean message exits 0", code == 0 and out.startswith("verdict: allow"), out + err)

    code, out, err = run(["--policy", empty], "Your card %s is noted\n" % CARD)
    check("card exits 2", code == 2, out + err)
    check("text output names rule, severity, span",
          "sensitive.card\tblock\t10-29\t" in out and out.startswith("verdict: block"), out)

    code, out, err = run(["--policy", empty], "Write to bob@example.com\n")
    check("third-party e-mail exits 1", code == 1 and "sensitive.email\twarn\t" in out, out)

    code, out, err = run(["--policy", empty], "Your card 4111 1111 1111 1112 is noted\n")
    check("Luhn-invalid card exits 0", code == 0, out)

    code, out, err = run(["--policy", empty], "Order 123456789012 has shipped\n")
    check("order number exits 0", code == 0, out)

    # JSON.
    text = "Buy now: " + CARD
    code, doc, err = verdict_json(["--policy", empty], text + "\n")
    check("--json parses", doc is not None, err)
    if doc is not None:
        card = [f for f in doc["findings"] if f["rule"] == "sensitive.card"]
        check("--json verdict and findings",
              code == 2 and doc["verdict"] == "block"
              and rules(doc) == ["outreach.promotional", "sensitive.card"], doc)
        check("--json spans are byte offsets of the text without its newline",
              len(card) == 1 and text.encode()[card[0]["start"]:card[0]["end"]] == CARD.encode()
              and card[0]["end"] == len(text.encode()), doc)
        check("--json finding fields",
              all(set(f) == {"rule", "severity", "start", "end", "explanation"}
                  for f in doc["findings"]) and card and card[0]["severity"] == "block", doc)

    # Context options.
    code, doc, err = verdict_json(["--policy", empty, "--first-contact"], "Hello there")
    check("--first-contact blocks", code == 2 and rules(doc) == ["outreach.first_contact"], doc)

    code, doc, err = verdict_json(["--policy", empty, "--automated"], "We got your message.")
    check("--automated without disclosure blocks",
          code == 2 and rules(doc) == ["outreach.automated_disclosure"], doc)
    code, doc, err = verdict_json(["--policy", empty, "--automated"],
                                  "This is an automated reply: we got your message.")
    check("--automated with disclosure passes", code == 0 and rules(doc) == [], doc)

    code, doc, err = verdict_json(["--policy", empty, "--window-refusal", "window closed"],
                                  "Sorry for the wait")
    check("--window-refusal blocks with the reason",
          code == 2 and rules(doc) == ["platform.window"]
          and "window closed" in doc["findings"][0]["explanation"], doc)

    code, doc, err = verdict_json(["--policy", empty, "--platform", "instagram"], "a" * 1000)
    check("instagram: 1000 bytes pass", code == 0, doc)
    code, doc, err = verdict_json(["--policy", empty, "--platform", "instagram"],
                                  "a" * 999 + "\u00e9")
    check("instagram: 1001 bytes are too long",
          code == 2 and rules(doc) == ["platform.length"], doc)
    code, doc, err = verdict_json(["--policy", empty, "--platform", "facebook"], "\u00e9" * 2000)
    check("facebook: 2000 characters pass", code == 0, doc)
    code, doc, err = verdict_json(["--policy", empty], "\u00e9" * 3000)
    check("no --platform: no length limit", code == 0, doc)

    # A policy file: allow-list and agents.
    code, doc, err = verdict_json(["--policy", acme, "--platform", "facebook",
                                   "--account", "1000", "--agent", "alice"],
                                  "See https://help.acme.com/returns")
    check("--policy allow-list lets acme.com pass", code == 0, doc)
    code, doc, err = verdict_json(["--policy", empty], "See https://help.acme.com/returns")
    check("without an allow-list the link is blocked",
          code == 2 and rules(doc) == ["links.domain"], doc)
    code, doc, err = verdict_json(["--policy", acme], "See https://acme.com.evil.io/")
    check("allow-list suffix trick is blocked", code == 2 and rules(doc) == ["links.domain"], doc)
    code, doc, err = verdict_json(["--policy", acme, "--platform", "facebook",
                                   "--account", "1000", "--agent", "mallory"], "Hello")
    check("--agent not listed is blocked",
          code == 2 and rules(doc) == ["agent.unauthorised"], doc)
    code, doc, err = verdict_json(["--policy", acme, "--platform", "x",
                                   "--account", "77", "--agent", "mallory"], "Hello")
    check("--agent allowed by '*' passes", code == 0, doc)

    # Broken text.
    code, doc, err = verdict_json(["--policy", empty], b"caf\xc3 " + CARD.encode())
    check("invalid UTF-8 is reported, the rest still checked",
          code == 2 and rules(doc) == ["text.encoding", "sensitive.card"], (doc, err))
    code, out, err = run(["--policy", empty], b"abc\x00def")
    check("a NUL byte is a usage error", code == 3 and "NUL" in err, err)

    # Errors: exit 3 with a clear message on stderr.
    code, out, err = run(["--policy", broken], "hi")
    check("broken policy file exits 3 naming file and line",
          code == 3 and broken + ":3" in err and out == "", err)
    code, out, err = run(["--policy", unknown], "hi")
    check("unknown rule id exits 3 naming it",
          code == 3 and unknown + ":1" in err and "sensitive.cards" in err, err)
    code, out, err = run(["--policy", os.path.join(tmp, "missing.conf")], "hi")
    check("missing --policy file exits 3", code == 3 and "missing.conf" in err, err)
    code, out, err = run(["--bogus"], "hi")
    check("unknown option exits 3", code == 3 and "--bogus" in err, err)
    code, out, err = run(["--policy", empty, "extra"], "hi")
    check("stray argument exits 3", code == 3 and "extra" in err, err)
    code, out, err = run(["--help"], "")
    check("--help exits 0 and lists the options",
          code == 0 and "--policy" in out and "--first-contact" in out, out + err)

    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)

    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("# %s" % str(detail).replace("\n", "\n# "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
