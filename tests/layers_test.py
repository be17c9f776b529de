#!/usr/bin/env python3
"""The layers of the source tree, checked from its includes.

conclab's folders are layers, each allowed to include only itself and the
layers below it (docs/architecture.md draws them):

    app/        the command-line program: commands, options, help
    scenarios/  the scenarios, one folder each, and their registry
    src/        what the scenarios and the program share: the runner,
                measurement, results, reports
    models/     the four runtimes and their channels (nothing above)

An include that runs up a layer (src/ including scenarios/, models/
including src/) fails this test, with the file, the line and the layer it
reached. tests/, bench/ and peers/ sit beside the tree and may include any
layer.

Usage: layers_test.py SOURCE_ROOT
"""
import pathlib
import re
import sys

# each layer and the layers its files may include (itself included)
ALLOWED = {
    "models": {"models"},
    "src": {"src"},
    "scenarios": {"scenarios", "src", "models"},
    "app": {"app", "scenarios", "src", "models"},
}
# include roots that are not layers of the tree: generated headers, libraries
OUTSIDE = re.compile(r'^(conclab_[a-z_]+\.hpp|[^/]+\.h)$')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def violations(root: pathlib.Path):
    for layer, allowed in ALLOWED.items():
        base = root / layer
        if not base.is_dir():
            yield f"{layer}/: the layer's folder is missing"
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in {".cpp", ".hpp", ".h"}:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                if OUTSIDE.match(target):
                    continue
                top = target.split("/", 1)[0]
                if top not in ALLOWED:
                    yield f"{path.relative_to(root)}:{number}: includes {target}, which is in no layer"
                elif top not in allowed:
                    yield (f"{path.relative_to(root)}:{number}: includes {target}: {layer}/ may include only "
                           f"{', '.join(sorted(allowed))} (docs/architecture.md, \"Layers\")")


def main(argv):
    if len(argv) != 2:
        print("usage: layers_test.py SOURCE_ROOT", file=sys.stderr)
        return 2
    found = list(violations(pathlib.Path(argv[1])))
    for problem in found:
        print(problem)
    print(f"{len(found)} include(s) running up a layer" if found else "every include stays in its layer or below")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
