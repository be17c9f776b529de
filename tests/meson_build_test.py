#!/usr/bin/env python3
"""The build's own promises, read back from `meson introspect`: every
GoogleTest binary is declared with the gtest protocol (one result per test
case), `meson test --benchmark` writes each microbenchmark's JSON and the
scenario comparison's beside them, and in a sanitizer build the test set-up
that makes a report fail a test is the one in force.

usage: meson_build_test.py MESON BUILD_DIR"""
import json
import os
import subprocess
import sys
import unittest

MESON, BUILD = sys.argv[1], sys.argv[2]


def introspect(what):
    return json.loads(subprocess.run([MESON, "introspect", BUILD, what], check=True, capture_output=True, text=True).stdout)


def option(name):
    return next(o["value"] for o in introspect("--buildoptions") if o["name"] == name)


class Build(unittest.TestCase):
    def test_googletest_binaries_use_the_gtest_protocol(self):
        # the test binaries are this project's *_test executables; the rest (python3, benchmarks) are not GoogleTest
        gtest = [t for t in introspect("--tests") if os.path.basename(t["cmd"][0]).endswith("_test")]
        self.assertGreater(len(gtest), 20)
        for test in gtest:
            with self.subTest(test=test["name"]):
                self.assertEqual(test["protocol"], "gtest")

    def test_benchmarks_write_json_beside_each_other(self):
        if not option("benchmarks"):
            self.skipTest("built with -Dbenchmarks=false")
        outputs = {}
        for bench in introspect("--benchmarks"):
            out = [a.split("=", 1)[1] for a in bench["cmd"] if a.startswith("--benchmark_out=")]
            if bench["name"] == "scenarios":
                self.assertIn("sweep", open(bench["cmd"][1]).read())  # bench/scenarios.py runs the sweep
                out = [bench["cmd"][-1]]
                self.assertTrue(out[0].endswith(".jsonl"))
            else:
                self.assertIn("--benchmark_out_format=json", bench["cmd"])
            self.assertEqual(len(out), 1, bench["cmd"])
            outputs[bench["name"]] = out[0]
        self.assertIn("scenarios", outputs)
        self.assertEqual({os.path.dirname(path) for path in outputs.values()}, {os.path.join(BUILD, "bench")})
        self.assertEqual(len(set(outputs.values())), len(outputs), "each benchmark its own file")

    def test_sanitizer_builds_run_tests_under_their_setup(self):
        sanitize = option("b_sanitize")
        if "address" in sanitize:
            self.assertIn("detect_leaks=1", os.environ.get("ASAN_OPTIONS", ""))
            self.assertIn("halt_on_error=1", os.environ.get("UBSAN_OPTIONS", ""))
        elif "thread" in sanitize:
            self.assertIn("tsan.supp", os.environ.get("TSAN_OPTIONS", ""))
        else:
            self.skipTest("not a sanitizer build")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
