#!/usr/bin/env python3
"""The layers of the source tree, checked from its includes.

conclab's folders are layers, each allowed to include only itself and the
layers below it (docs/architecture.md, "Layers", draws them):

    app/                 the command-line program: one file per command
    scenarios/registry.* the list of scenarios and variants the runner offers
    scenarios/           the scenarios, one folder each (the kit and the models only)
    src/results/         what is made of finished runs: comparison, calibration,
                         claims, the report model and its renderings
    src/runner/          running cases: child processes, peers, case loop, sweeps
    src/kit/             what a scenario file may use: parameters, measurement,
                         the machine, processes, model tokens, units
    models/              the four runtimes and their channels (nothing above)

An include that runs up a layer (src/kit/ including src/runner/, a scenario
folder including the runner, models/ including src/) fails this test, with
the file, the line and the layer it reached. tests/, bench/ and peers/ sit
beside the tree and may include any layer. Each layer is also a library of
its own (src/meson.build, scenarios/meson.build), linked only with the
ones below it.

Usage: layers_test.py SOURCE_ROOT
"""
import pathlib
import re
import sys
import tempfile

# each layer: the path prefix of its files (the most specific first) and the
# layers its files may include (itself included)
LAYERS = [
    ("models", "models/", {"models"}),
    ("kit", "src/kit/", {"kit"}),
    ("runner", "src/runner/", {"runner", "kit"}),
    ("results", "src/results/", {"results", "runner", "kit"}),
    ("registry", "scenarios/registry.", {"registry", "scenarios", "runner", "kit", "models"}),
    ("scenarios", "scenarios/", {"scenarios", "kit", "models"}),
    ("app", "app/", {"app", "registry", "scenarios", "results", "runner", "kit", "models"}),
]
# include roots that are not layers of the tree: generated headers, libraries
OUTSIDE = re.compile(r'^(conclab_[a-z_]+\.hpp|[^/]+\.h)$')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path: str):
    for name, prefix, _ in LAYERS:
        if path.startswith(prefix):
            return name
    return None


def violations(root: pathlib.Path):
    allowed = {name: may for name, _, may in LAYERS}
    for top in sorted({prefix.split("/", 1)[0] for _, prefix, _ in LAYERS}):
        if not (root / top).is_dir():
            yield f"{top}/: the layer's folder is missing"
            continue
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in {".cpp", ".hpp", ".h"}:
                continue
            relative = path.relative_to(root).as_posix()
            layer = layer_of(relative)
            if layer is None:
                yield f"{relative}: in no layer (src/ holds only kit/, runner/ and results/)"
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                if OUTSIDE.match(target):
                    continue
                reached = layer_of(target)
                if reached is None:
                    yield f"{relative}:{number}: includes {target}, which is in no layer"
                elif reached not in allowed[layer]:
                    yield (f"{relative}:{number}: includes {target} ({reached}): {layer} may include only "
                           f"{', '.join(sorted(allowed[layer]))} (docs/architecture.md, \"Layers\")")


def self_check():
    """The check finds what it is for: a tree with one include of each kind."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        files = {
            "models/m.hpp": '#include "src/kit/params.hpp"\n',               # up: wrong
            "src/kit/params.hpp": '#include "src/runner/case_loop.hpp"\n',   # up: wrong
            "src/runner/case_loop.hpp": '#include "src/kit/params.hpp"\n',   # down: fine
            "src/results/report.hpp": '#include "src/runner/case_loop.hpp"\n',
            "scenarios/w/fibers.cpp": '#include "src/runner/peer.hpp"\n',    # a scenario file reaching the runner: wrong
            "scenarios/registry.cpp": '#include "src/runner/peer.hpp"\n',    # the registry may
            "app/main.cpp": '#include "scenarios/registry.hpp"\n',
        }
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        found = list(violations(root))
        expected = ["models/m.hpp:1", "src/kit/params.hpp:1", "scenarios/w/fibers.cpp:1"]
        if sorted(f.split(": ", 1)[0] for f in found) != sorted(expected):
            print("self-check failed: expected", expected, "found", found)
            return False
    return True


def main(argv):
    if len(argv) != 2:
        print("usage: layers_test.py SOURCE_ROOT", file=sys.stderr)
        return 2
    if not self_check():
        return 1
    found = list(violations(pathlib.Path(argv[1])))
    for problem in found:
        print(problem)
    print(f"{len(found)} include(s) running up a layer" if found else "every include stays in its layer or below")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
