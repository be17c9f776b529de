#!/usr/bin/env python3
"""Adding a scenario is its folder and one line (plus its Go and Rust peers).

The scenario folders are listed once, in scenarios/meson.build; the build,
the registry (scenarios/conclab_scenario_list.hpp is generated from that
list), the listings, the tests and the presets read that list or the
registry. This test holds the tree to it:

1. scenarios/meson.build lists every folder under scenarios/ that has a
   meson.build, each once, and nothing else;
2. no other file names every scenario in its code (comments left out): a
   file that does is a second list, which the next scenario would have to
   be added to. The peers (each program's dispatch on the scenario's name)
   and the docs are where a new scenario is written anyway, and the
   presets choose their cases scenario by scenario; the few files
   that name each scenario for a reason of its own are listed below with
   that reason.

A failure names the file and what it lists. Usage: lists_test.py SOURCE_ROOT
"""
import pathlib
import re
import subprocess
import sys

# Files that name every scenario today, not as a list a new one must join.
NOT_LISTS = {
    # the claims each cite the scenario that answers them; a new scenario adds no claim by itself
    "src/results/claims.cpp",
    # the fuzzing of exactly-once, written per scenario's parameters; a new scenario is covered
    # by the registry test's small case until it gets its own fuzzing
    "tests/exactly_once_test.cpp",
    # the command line's tests use the scenarios as examples of their flags
    "tests/cli_test.py",
}
# written for a new scenario anyway: its docs and peers; and the presets, which choose cases
# scenario by scenario (a new one joins a preset when someone chooses its cases)
BESIDE = ("docs/", "peers/", "src/runner/presets/")
CODE = {".cpp", ".hpp", ".py", ".build", ".toml", ".sh", ".in"}


def listed_folders(root: pathlib.Path):
    text = (root / "scenarios" / "meson.build").read_text(encoding="utf-8")
    match = re.search(r"^scenario_folders = \[(.*?)^\]", text, re.S | re.M)
    if not match:
        return None
    return re.findall(r"'([a-z_]+)'", match.group(1))


def without_comments(path: pathlib.Path, text: str) -> str:
    if path.suffix in {".py", ".build", ".toml", ".sh"}:
        return "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#include") else line
                         for line in text.splitlines())
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def names(folder: str):
    return {folder, folder.replace("_", "-")}


def problems(root: pathlib.Path, files):
    folders = listed_folders(root)
    if folders is None:
        yield "scenarios/meson.build: no `scenario_folders = [...]` list"
        return
    on_disk = sorted(p.parent.name for p in (root / "scenarios").glob("*/meson.build"))
    if sorted(folders) != on_disk:
        yield f"scenarios/meson.build lists {sorted(folders)}, the folders with a meson.build are {on_disk}"
    if len(set(folders)) != len(folders):
        yield "scenarios/meson.build lists a folder twice"
    for name in files:
        path = root / name
        if (path.suffix not in CODE or name.startswith(BESIDE) or name in NOT_LISTS
                or name == "scenarios/meson.build" or not path.is_file()):
            continue
        if any(name.startswith(f"scenarios/{folder}/") for folder in folders):
            continue
        code = without_comments(path, path.read_text(encoding="utf-8", errors="replace"))
        if all(any(re.search(rf"(?<![a-z_-]){re.escape(n)}(?![a-z_-])", code) for n in names(f)) for f in folders):
            yield (f"{name}: names every scenario ({', '.join(folders)}): a second list of them; read "
                   "the registry or scenarios/meson.build's list instead (docs/architecture.md)")


def self_check():
    """The check finds a planted list, and lets a file that names a few scenarios be."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "scenarios" / "a_b").mkdir(parents=True)
        (root / "scenarios" / "c").mkdir()
        (root / "scenarios" / "a_b" / "meson.build").write_text("")
        (root / "scenarios" / "c" / "meson.build").write_text("")
        (root / "scenarios" / "meson.build").write_text("scenario_folders = [\n  'a_b',\n  'c',\n]\n")
        (root / "src").mkdir()
        (root / "src" / "list.cpp").write_text('auto all = {"a-b", "c"};\n')
        (root / "src" / "one.cpp").write_text('auto one = "a-b";  // not c\n')
        found = list(problems(root, ["scenarios/meson.build", "src/list.cpp", "src/one.cpp"]))
        return len(found) == 1 and found[0].startswith("src/list.cpp")


def main(argv):
    if len(argv) != 2:
        print("usage: lists_test.py SOURCE_ROOT", file=sys.stderr)
        return 2
    if not self_check():
        print("self-check failed: the planted list was not found")
        return 1
    root = pathlib.Path(argv[1])
    listing = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True)
    if listing.returncode == 0:
        files = listing.stdout.split()
    else:  # a tree without git (a release tarball): every file but build folders and hidden ones
        files = [p.relative_to(root).as_posix() for p in root.rglob("*")
                 if not any(part.startswith((".", "build")) for part in p.relative_to(root).parts)]
    found = list(problems(root, files))
    for problem in found:
        print(problem)
    print(f"{len(found)} list(s) of the scenarios besides scenarios/meson.build" if found
          else "the scenarios are listed once: a new one is its folder and one line (plus its peers)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
