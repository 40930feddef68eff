#!/usr/bin/env python3
"""One C style across the tree, checked rather than hoped for.

- A function's return type stands on the line of its name
  ("static gboolean name(...)"), definitions and prototypes alike.
- A pointer's star binds to the name: "char *name", never "char* name".
- No trailing white space, no carriage returns, no tab after a space in
  indentation.
- Every header has an include guard, and every function it declares has a
  "/** ... */" comment right above it (the two-line contract).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Tap, REPO_ROOT  # noqa: E402

t = Tap()


def sources():
    out = subprocess.run(["git", "-C", REPO_ROOT, "ls-files", "--cached", "--others",
                          "--exclude-standard", "*.c", "*.h"],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    return sorted(p for p in out.split() if os.path.exists(os.path.join(REPO_ROOT, p)))


def read(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as f:
        return f.read()


def strip_comments_and_strings(text):
    """Blank out comments and string literals, keeping line numbers."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', blank, text,
                  flags=re.S)


TYPE_ALONE = re.compile(r"^(static |const |unsigned |struct |enum |inline )*[A-Za-z_][\w ]*[\w*]$")
NAME_AT_COLUMN_0 = re.compile(r"^[a-z_][a-z0-9_]*\(")
STAR_ON_TYPE = re.compile(r"\b([A-Z]\w*|char|void|int|long|short|double|float|size_t|"
                          r"g\w+|guint\w*|gint\w*)\*+ +[A-Za-z_]")


def check_file(path, problems):
    text = read(path)
    code = strip_comments_and_strings(text)
    lines = text.split("\n")
    code_lines = code.split("\n")
    for n, line in enumerate(lines, 1):
        if line.endswith((" ", "\t")):
            problems.append("%s:%d: trailing white space" % (path, n))
        if "\r" in line:
            problems.append("%s:%d: carriage return" % (path, n))
        if re.match(r"^\t* +\t", line):
            problems.append("%s:%d: a tab after a space in indentation" % (path, n))
    for n, line in enumerate(code_lines, 1):
        nxt = code_lines[n] if n < len(code_lines) else ""
        if (TYPE_ALONE.match(line) and NAME_AT_COLUMN_0.match(nxt)
                and not line.startswith(("return", "else", "typedef", "#"))):
            problems.append("%s:%d: return type on a line of its own" % (path, n))
        if not line.startswith("#") and STAR_ON_TYPE.search(line):
            problems.append("%s:%d: '*' binds to the type: %s" % (path, n, line.strip()))


PROTOTYPE = re.compile(r"^(?!typedef|static|#|\s|}|{|extern \"C\")[A-Za-z_][\w \*]*\b([a-z_]\w*)\(")


def check_header(path, problems):
    text = read(path)
    guard = re.search(r"#ifndef (\w+_H)\s*\n#define \1\b", text)
    if not guard:
        problems.append("%s: no include guard" % path)
    lines = text.split("\n")
    for n, line in enumerate(lines):
        m = PROTOTYPE.match(line)
        if not m:
            continue
        above = lines[n - 1].rstrip() if n > 0 else ""
        if not above.endswith("*/"):
            problems.append("%s:%d: %s() is not documented" % (path, n + 1, m.group(1)))


def test_style(t):
    files = sources()
    t.ok(len(files) > 100, "the tree's C sources are found (%d)" % len(files))
    problems = []
    for path in files:
        check_file(path, problems)
    t.ok(not problems, "every C file keeps the style (%d files)" % len(files),
         "\n".join(problems[:60]))


def test_headers(t):
    ours = [p for p in sources() if p.endswith(".h") and p.startswith(("plugin/", "include/"))]
    t.ok(len(ours) > 20, "the plugin's headers are found (%d)" % len(ours))
    problems = []
    for path in ours:
        check_header(path, problems)
    t.ok(not problems, "every plugin header has a guard and documents each function",
         "\n".join(problems[:60]))


def test_checker_catches(t):
    """The checks find what they are for (they must be able to fail)."""
    problems = []
    sample = "static gboolean\nfoo(char* x)\n{\n\treturn x != NULL; \n}\n"
    code_lines = strip_comments_and_strings(sample).split("\n")
    for n, line in enumerate(code_lines, 1):
        nxt = code_lines[n] if n < len(code_lines) else ""
        if TYPE_ALONE.match(line) and NAME_AT_COLUMN_0.match(nxt):
            problems.append("type")
        if STAR_ON_TYPE.search(line):
            problems.append("star")
    t.eq(sorted(problems), ["star", "type"], "a planted GNU-style definition and char* are found")
    t.ok(PROTOTYPE.match("gboolean bdm_x(int a);") and not PROTOTYPE.match("static int y(void);"),
         "public prototypes are told from static ones")


t.run("style", test_style)
t.run("headers", test_headers)
t.run("the checker catches", test_checker_catches)
t.done()
