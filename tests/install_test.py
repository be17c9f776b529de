#!/usr/bin/env python3
"""`meson install --destdir` into a scratch directory, then the installed
tree checked: every file meson says it installs is there with its mode
(programs and the report script runnable, 0755), and the installed conclab
works from there: --version, a run, and a report drawn by the installed
script (PREFIX/libexec/conclab/conclab_report.py, where it looks).

usage: install_test.py MESON BUILD_DIR"""
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

MESON, BUILD = sys.argv[1], sys.argv[2]
RUNNABLE = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH  # 0755


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix="conclab-install-")
        cls.destdir = cls.scratch.name
        subprocess.run([MESON, "install", "-C", BUILD, "--destdir", cls.destdir, "--no-rebuild", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        cls.installed = json.loads(subprocess.run([MESON, "introspect", BUILD, "--installed"], check=True,
                                                  capture_output=True, text=True).stdout)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def at(self, installed_path):
        return os.path.join(self.destdir, installed_path.lstrip("/"))

    def installed_as(self, suffix):
        paths = [path for path in self.installed.values() if path.endswith(suffix)]
        self.assertEqual(len(paths), 1, f"one installed file ending {suffix}: {self.installed}")
        return self.at(paths[0])

    def test_every_file_is_there_and_programs_are_runnable(self):
        self.assertTrue(self.installed)
        for source, path in self.installed.items():
            with self.subTest(path=path):
                mode = stat.S_IMODE(os.stat(self.at(path)).st_mode)
                self.assertEqual(mode, RUNNABLE, f"{path} (from {source}) has mode {oct(mode)}, expected 0o755")

    def test_report_script_is_where_conclab_looks_not_in_bin(self):
        conclab = self.installed_as("/bin/conclab")
        script = self.installed_as("/conclab_report.py")
        self.assertEqual(script, os.path.join(os.path.dirname(os.path.dirname(conclab)), "libexec", "conclab",
                                              "conclab_report.py"))
        with open(script) as f:
            self.assertTrue(f.readline().startswith("#!"), "a runnable script starts with #!")

    def test_installed_conclab_runs_and_draws_a_report(self):
        conclab = self.installed_as("/bin/conclab")
        version = subprocess.run([conclab, "--version"], check=True, capture_output=True, text=True).stdout
        self.assertRegex(version, r"^conclab \d+\.\d+\.\d+")
        with tempfile.TemporaryDirectory() as work:
            results = os.path.join(work, "r.json")
            subprocess.run([conclab, "run", "worker-pool", "--jobs", "2000", "--repeat", "1", "--warmup", "0",
                            "--models", "fibers,threads", "--json", results], check=True, capture_output=True)
            done = subprocess.run([conclab, "report", results, "-o", os.path.join(work, "report")],
                                  capture_output=True, text=True)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertTrue(os.path.getsize(os.path.join(work, "report", "index.html")) > 0)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
