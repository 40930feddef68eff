#!/usr/bin/env python3
"""Replay every fuzz seed and regression input through its target (TAP).

Each target was built without libFuzzer but with AddressSanitizer and
UndefinedBehaviorSanitizer ($BUILD/fuzz-replay/replay-<target>, see
tests/fuzz.mk).  One check per regression input, named after its file (so
a crash that comes back names the bug), and one per target for its seed
corpus.  A replay process that dies is run again on the inputs after the
one that killed it, so one crash does not hide another.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARGETS = ["fuzz_facebook", "fuzz_instagram", "fuzz_x", "fuzz_templates", "fuzz_policy",
           "fuzz_config", "fuzz_team_notice"]


def build_dir():
    build = os.environ.get("BUILD", "build")
    return build if os.path.isabs(build) else os.path.join(REPO, build)


def inputs(kind, target):
    folder = os.path.join(HERE, kind, target)
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if not name.startswith(".") and not name.startswith("README"))


def replay(binary, files):
    """{file: None if it replayed cleanly, else the sanitizer/abort report}."""
    results = {}
    pending = list(files)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    while pending:
        proc = subprocess.run([binary] + pending, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300, env=env)
        done = [line[5:] for line in proc.stdout.decode("utf-8", "replace").splitlines()
                if line.startswith("done ")]
        for path in done:
            results[path] = None
        pending = pending[len(done):]
        if proc.returncode == 0 and not pending:
            break
        report = proc.stderr.decode("utf-8", "replace")[-3000:] or \
            "exit status %d" % proc.returncode
        if not pending:
            # Every input returned, and then the process failed: a leak at exit.
            results[done[-1] if done else binary] = report
            break
        results[pending[0]] = report
        pending = pending[1:]
    return results


def main():
    count = failed = 0

    def check(ok, name, diag=None):
        nonlocal count, failed
        count += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", count, name))
        if not ok:
            failed += 1
            for line in (diag or "").splitlines():
                print("# " + line)
        sys.stdout.flush()

    for target in TARGETS:
        binary = os.path.join(build_dir(), "fuzz-replay", "replay-" + target)
        seeds = inputs("corpus", target)
        regressions = inputs("regressions", target)
        if not os.access(binary, os.X_OK):
            check(False, "%s: replay program built" % target, binary + " is missing")
            continue
        check(len(seeds) >= 3, "%s: has a seed corpus (%d inputs)" % (target, len(seeds)))
        results = replay(binary, seeds + regressions)
        bad = {p: r for p, r in results.items() if p in seeds and r is not None}
        check(not bad, "%s: every seed replays without a sanitizer report" % target,
              "\n".join("%s:\n%s" % (os.path.relpath(p, REPO), r) for p, r in bad.items()))
        for path in regressions:
            report = results.get(path, "not replayed")
            check(report is None, "%s: regression %s stays fixed"
                  % (target, os.path.basename(path)), report)
    print("1..%d" % count)
    return 1 if failed or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
