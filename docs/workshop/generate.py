#!/usr/bin/env python3
"""Refreshes what docs/workshop shows from the code and the results, so
nothing in it is typed by hand: every block

    <!-- generated: conclab ARGS... -->
    ...
    <!-- end generated -->

in docs/workshop/*.md is replaced by what `conclab ARGS...` prints, run in
docs/workshop/ (`show SCENARIO --html` for listings, `claims FILE` for the
claims table).

Usage: generate.py CONCLAB           rewrite the stale blocks
       generate.py CONCLAB --check   change nothing; exit 1 naming each stale
                                     block and the command that refreshes it
"""
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCK = re.compile(r"(<!-- generated: conclab (?P<args>[^\n]*?) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def generated(conclab, args):
    result = subprocess.run([conclab] + shlex.split(args), cwd=HERE, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"generate.py: conclab {args} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


def main(argv):
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--check"):
        print(__doc__, file=sys.stderr)
        return 2
    conclab, check = os.path.abspath(argv[1]), len(argv) == 3
    stale, blocks = [], 0
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".md"):
            continue
        path = os.path.join(HERE, name)
        with open(path) as f:
            text = f.read()

        def refresh(match):
            nonlocal blocks
            blocks += 1
            body = generated(conclab, match["args"])
            if body != match["body"]:
                stale.append(f"docs/workshop/{name}: `conclab {match['args']}` prints something else now")
            return match.group(1) + body + match.group(4)

        new = BLOCK.sub(refresh, text)
        if new != text and not check:
            with open(path + ".partial", "w") as f:
                f.write(new)
            os.replace(path + ".partial", path)
    if check:
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print(f"{len(stale)} of {blocks} generated blocks are stale: docs/workshop/generate.py {argv[1]} refreshes them",
                  file=sys.stderr)
            return 1
        print(f"{blocks} generated blocks in docs/workshop are up to date")
        return 0
    print(f"{blocks} generated blocks, {len(stale)} refreshed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
