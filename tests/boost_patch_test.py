#!/usr/bin/env python3
"""models/fibers/boost/patch_spinlock.py: the change it makes, and its refusal of a header it does not know.

usage: boost_patch_test.py PATCH_SCRIPT SOURCE_HEADER
"""
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT, HEADER = sys.argv[1], pathlib.Path(sys.argv[2])


def patch(source: pathlib.Path, output: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, str(source), str(output)], capture_output=True, text=True)


def lock_body(text: str) -> str:
    start = text.index("    void lock() noexcept {")
    return text[start:text.index("    bool try_lock() noexcept {", start)]


class PatchSpinlock(unittest.TestCase):
    def test_the_generator_leaves_lock_and_only_the_contended_branch_calls_it(self):
        with tempfile.TemporaryDirectory() as work:
            output = pathlib.Path(work) / "out" / "spinlock_ttas.hpp"
            result = patch(HEADER, output)
            self.assertEqual(result.returncode, 0, result.stderr)
            original, patched = HEADER.read_text(), output.read_text()
            self.assertIn("std::random_device", lock_body(original))
            self.assertNotIn("std::random_device", lock_body(patched))
            self.assertNotIn("thread_local", lock_body(patched))
            self.assertEqual(lock_body(patched).count("spinlock_ttas_generator()"), 1)
            contended = lock_body(patched).index("// spinlock now contended")
            self.assertGreater(lock_body(patched).index("spinlock_ttas_generator()"), contended)
            # the generator, as it was, in a function of its own that is never inlined into lock()
            self.assertIn("[[gnu::noinline, gnu::cold]] inline std::minstd_rand & spinlock_ttas_generator() noexcept {\n"
                          "    static thread_local std::minstd_rand generator{ std::random_device{}() };", patched)
            # nothing else changed: the lines of the original are all there, in order
            kept = iter(patched.splitlines())
            for line in original.splitlines():
                if "static thread_local std::minstd_rand generator" in line or "distribution( generator)" in line:
                    continue
                self.assertIn(line, kept, f"line lost or moved: {line!r}")

    def test_a_header_it_does_not_know_is_refused_and_nothing_is_written(self):
        with tempfile.TemporaryDirectory() as work:
            source = pathlib.Path(work) / "spinlock_ttas.hpp"
            source.write_text(HEADER.read_text().replace("std::random_device{}()", "std::random_device{}() + 1"))
            output = pathlib.Path(work) / "out" / "spinlock_ttas.hpp"
            result = patch(source, output)
            self.assertEqual(result.returncode, 2)
            self.assertIn("expected exactly one line", result.stderr)
            self.assertIn("static thread_local std::minstd_rand generator", result.stderr)
            self.assertFalse(output.exists())

    def test_a_missing_header_is_named(self):
        with tempfile.TemporaryDirectory() as work:
            result = patch(pathlib.Path(work) / "nowhere.hpp", pathlib.Path(work) / "out.hpp")
            self.assertEqual(result.returncode, 2)
            self.assertIn("nowhere.hpp", result.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
