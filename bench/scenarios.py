#!/usr/bin/env python3
"""`meson test --benchmark`'s scenario comparison: `conclab sweep --preset
quick` (every scenario at its defaults in the four models, 3 runs each,
about a minute on 2 cores) into OUT, beside the microbenchmarks' JSON.
The previous OUT is kept as OUT-previous.jsonl, so that
`conclab compare OUT-previous.jsonl OUT` shows what a change did.

usage: scenarios.py CONCLAB OUT"""
import os
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.rsplit("\n", 1)[-1], file=sys.stderr)
        return 2
    conclab, out = sys.argv[1], sys.argv[2]
    previous = out.removesuffix(".jsonl") + "-previous.jsonl"
    if os.path.exists(out):
        os.replace(out, previous)
    status = subprocess.call([conclab, "sweep", "--preset", "quick", "--output", out])
    if status == 0:
        print(f"scenarios: {out}")
        if os.path.exists(previous):
            print(f"against the run before: {conclab} compare {previous} {out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
