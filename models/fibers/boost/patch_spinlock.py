#!/usr/bin/env python3
"""Writes Boost.Fiber's spinlock_ttas.hpp with one change (meson runs this at configure time).

Boost.Fiber 1.81's spinlock_ttas::lock() starts with
    static thread_local std::minstd_rand generator{ std::random_device{}() };
libstdc++'s std::random_device is 5,000 bytes, and g++ reserves room for it in
every lock() frame, initialised or not. lock() runs on the fiber's own stack
(context::terminate, wait queues, mutexes, our channels), so every fiber
touches a second stack page for a generator it uses only when the lock is
contended. The change moves the generator into a function of its own that
only the contended branch calls: the same lock, the same backoff, the same
layout, 5 KB less stack on the uncontended path (docs/performance.md).

usage: patch_spinlock.py SOURCE_HEADER OUTPUT_HEADER
Fails, naming what it looked for, if the header is not the one this was written for.
"""
import pathlib
import sys

DECLARATION = "        static thread_local std::minstd_rand generator{ std::random_device{}() };\n"
USE = "                const std::size_t z = distribution( generator);\n"
CLASS = "class spinlock_ttas {\n"

GENERATOR = """\
// conclab: the generator of lock()'s backoff, out of lock()'s frame (models/fibers/boost/patch_spinlock.py).
[[gnu::noinline, gnu::cold]] inline std::minstd_rand & spinlock_ttas_generator() noexcept {
    static thread_local std::minstd_rand generator{ std::random_device{}() };
    return generator;
}

"""


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: patch_spinlock.py SOURCE_HEADER OUTPUT_HEADER", file=sys.stderr)
        return 2
    source, output = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    try:
        text = source.read_text()
    except OSError as error:
        print(f"patch_spinlock.py: cannot read {source}: {error.strerror}", file=sys.stderr)
        return 2
    for needle in (DECLARATION, USE, CLASS):
        if text.count(needle) != 1:
            print(f"patch_spinlock.py: {source} is not Boost.Fiber 1.81's spinlock_ttas.hpp: expected exactly one "
                  f"line {needle.strip()!r}, found {text.count(needle)}; update the patch for this Boost version",
                  file=sys.stderr)
            return 2
    text = text.replace(DECLARATION, "")
    text = text.replace(USE, USE.replace("( generator)", "( spinlock_ttas_generator())"))
    text = text.replace(CLASS, GENERATOR + CLASS)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(text)
    partial.replace(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
