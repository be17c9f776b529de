#!/usr/bin/env python3
"""Nothing overwritten, nothing orphaned, nothing passed off as a result
(docs/reliability.md): what a hostile or careless user, a hostile target, a
broken peer or a killed runner can do, and what conclab does instead. Each
test reproduces one way things went wrong before 2026-12-06.

Usage: trust_test.py PATH_TO_CONCLAB [TEST ...] | [--without CLASS]
The hostile-target tests run every peer too when CONCLAB_PEERS_BUILT is set
(meson sets it in a build with -Dpeers=enabled).
"""
import base64
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

CONCLAB = None
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ["fibers", "coroutines", "tbb", "threads"]
PEERS = ["go", "tokio", "rayon", "rust-threads"]
QUICK = ["--jobs", "200", "--models", "tbb", "--repeat", "1", "--warmup", "0", "--quiet"]


def conclab(*args, timeout=120, env=None, **kwargs):
    return subprocess.run([CONCLAB, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kwargs)


def read(path):
    with open(path) as f:
        return f.read()


def case_processes(marker):
    """Processes still running this conclab's `__case` whose command line holds `marker`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in line and line.startswith(CONCLAB + " __case"):
            found.append(int(pid))
    return found


def wait_gone(marker, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end and case_processes(marker):
        time.sleep(0.05)
    return case_processes(marker)


class Temp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def assert_usage_error(self, result, *fragments):
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertEqual(len([line for line in result.stderr.splitlines() if "error:" in line]), 1, result.stderr)


class NothingOverwritten(Temp):
    """Item 1: output files are created so that no existing name is followed."""

    def test_a_planted_partial_link_is_never_followed(self):
        # another user plants res.json.partial -> a file of root's: the run (as root) must not write through it
        victim = self.path("victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        os.symlink(victim, self.path("res.json.partial"))
        result = conclab("run", "worker-pool", *QUICK, "--json", self.path("res.json"))
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertTrue(os.path.islink(self.path("res.json.partial")))
        with open(self.path("res.json")) as f:
            self.assertEqual(json.load(f)["schema"], "conclab-results")
        self.assertFalse(os.path.islink(self.path("res.json")))
        leftovers = [n for n in os.listdir(self.tmp) if n.startswith(".res.json")]
        self.assertEqual(leftovers, [])

    def test_a_link_another_user_planted_in_a_shared_directory_is_not_followed(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to make a link owned by another user")
        shared = self.path("shared")
        os.mkdir(shared)
        os.chmod(shared, 0o1777)  # as /tmp: sticky and world-writable
        victim = self.path("victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        planted = os.path.join(shared, "res.json")
        os.symlink(victim, planted)
        os.lchown(planted, 65534, 65534)  # nobody's link
        result = conclab("run", "worker-pool", *QUICK, "--json", planted)
        self.assert_usage_error(result, "owned by another user", "not followed")
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        # the user's own link there is still followed, and stays a link
        os.lchown(planted, 0, 0)
        result = conclab("run", "worker-pool", *QUICK, "--json", planted)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.islink(planted))
        with open(victim) as f:
            self.assertEqual(json.load(f)["schema"], "conclab-results")

    def test_no_new_name_is_made_under_dev(self):
        name = f"/dev/conclab-no-such-device-{os.getpid()}"
        result = conclab("run", "worker-pool", *QUICK, "--json", name)
        self.assert_usage_error(result, "no such device")
        self.assertFalse(os.path.exists(name))
        for flag in ["--csv", "--md"]:
            self.assertFalse(os.path.exists(name), flag)
        # sweeps too
        result = conclab("sweep", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "1", "-o", name)
        self.assert_usage_error(result, "no such device")
        self.assertFalse(os.path.exists(name))

    def test_a_block_device_is_never_written(self):
        devices = [os.path.join("/dev", n) for n in sorted(os.listdir("/dev"))
                   if stat.S_ISBLK(os.stat(os.path.join("/dev", n)).st_mode)] if os.path.isdir("/dev") else []
        if not devices:
            self.skipTest("no block device in /dev here")
        result = conclab("run", "worker-pool", *QUICK, "--json", devices[0])
        self.assert_usage_error(result, "block device")

    def test_two_outputs_naming_one_file_are_refused_before_anything_runs(self):
        target = self.path("out")
        with open(target, "w") as f:
            f.write("keep\n")
        os.symlink(target, self.path("link"))
        os.link(target, self.path("hard"))
        for other in [target, self.path("link"), self.path("hard"), os.path.join(self.tmp, ".", "out")]:
            with self.subTest(other=other):
                result = conclab("run", "worker-pool", *QUICK, "--json", target, "--csv", other)
                self.assert_usage_error(result, "name the same file")
                self.assertEqual(result.stdout, "")
                with open(target) as f:
                    self.assertEqual(f.read(), "keep\n")
        # a new name given twice, too
        result = conclab("run", "worker-pool", *QUICK, "--md", self.path("new.md"), "--json", self.path("new.md"))
        self.assert_usage_error(result, "name the same file")
        self.assertFalse(os.path.exists(self.path("new.md")))
        # /dev/null twice is fine: a device takes every write
        result = conclab("run", "worker-pool", *QUICK, "--json", "/dev/null", "--csv", "/dev/null")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_when_no_fallback_can_be_written_the_places_tried_are_named(self):
        # the final write fails (/dev/full) and $TMPDIR cannot take the results either
        result = conclab("run", "worker-pool", *QUICK, "--json", "/dev/full",
                         env={"TMPDIR": "/proc/conclab-no-such-dir"}, cwd="/proc")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("/proc/conclab-no-such-dir", result.stderr)
        self.assertIn("set TMPDIR to a writable directory", result.stderr)
        self.assertIn("tbb", result.stdout)  # the table was printed before


def start_serve(*args):
    server = subprocess.Popen([CONCLAB, "serve", "--port", "0", "--quiet", *args], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    return server, line.split("http://")[1].split()[0]


class NothingPassedOffAsAResult(Temp):
    """Item 2: a run with failed items is not a result, in sweep, report, compare and claims."""

    def sweep_against_failures(self, path, models="fibers,threads"):
        server, address = start_serve("--fail-every", "2", "--delay-us", "0")
        try:
            return conclab("sweep", "url-fetch", "--target", f"http://{address}", "--requests", "20", "--concurrency", "2",
                           "--models", models, "--repeat", "3", "--warmup", "0", "--quiet", "-o", path)
        finally:
            server.terminate()
            server.wait(timeout=10)
            server.stdout.close()

    def test_a_sweep_with_failed_items_exits_1_and_names_the_cases(self):
        path = self.path("s.jsonl")
        result = self.sweep_against_failures(path)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("are not results", result.stderr)
        self.assertIn("10 of 20 items failed", result.stderr)
        self.assertEqual(result.stderr.count("not verified"), 6, result.stderr)  # 2 models x 3 repetitions
        self.assertIn("NOT VERIFIED", result.stdout)  # the summary shows no median for them
        self.assertNotRegex(result.stdout, r"fibers [0-9.]+[kM]? \(")

    def test_report_marks_them_and_never_ranks_them(self):
        path = self.path("s.jsonl")
        self.sweep_against_failures(path)
        out = self.path("report")
        # the report's own files too are never written through a planted link (item 1)
        os.mkdir(out)
        victim = self.path("victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        for name in ["index.html.partial", "tables.md.partial", "tables.csv.partial"]:
            os.symlink(victim, os.path.join(out, name))
        result = conclab("report", path, "-o", out, timeout=300)
        if result.returncode != 0 and "matplotlib" in result.stderr:
            self.skipTest("no matplotlib here")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "tables.md")) as f:
            tables = f.read()
        self.assertIn("NOT VERIFIED", tables)
        self.assertIn("not ranked", tables)
        self.assertNotIn("leads", tables)
        self.assertNotIn("significant (p < 0.05)", tables)
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        self.assertIn("NOT VERIFIED", page)
        self.assertIn("not ranked", page)
        charts = [base64.b64decode(src).decode() for src in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)]
        self.assertTrue(any('id="not-verified' in chart for chart in charts), "no chart marks the runs")  # the red ✗
        with open(os.path.join(out, "tables.csv")) as f:
            self.assertIn(",no,", f.read().replace("NOT VERIFIED", "no"))
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")

    def test_compare_refuses_to_judge_them(self):
        first, second = self.path("a.jsonl"), self.path("b.jsonl")
        self.sweep_against_failures(first)
        self.sweep_against_failures(second)
        result = conclab("compare", first, second)
        self.assert_usage_error(result, "nothing to compare", "failed items")
        self.assertIn("not verified", result.stderr)

    def test_claims_refuse_to_judge_them(self):
        # the workshop's sweep in the docs, with one of the GC claim's runs carrying failed items
        source = os.path.join(HERE, "..", "docs", "workshop", "results", "workshop-2cores.jsonl")
        if not os.path.exists(source):
            self.skipTest("docs/workshop/results/workshop-2cores.jsonl is not here")
        lines = read(source).splitlines()
        changed = False
        for i, line in enumerate(lines[1:], start=1):
            case = json.loads(line)
            c = case["case"]
            if c["scenario"] == "worker-pool" and c["params"].get("alloc_bytes", 0) > 0 and c["model"] == "go" and not changed:
                case["metrics"]["items_failed"] = 3
                case["metrics"]["verified"] = False
                lines[i] = json.dumps(case)
                changed = True
        self.assertTrue(changed, "the workshop sweep has no GC claim case for go")
        path = self.path("w.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        result = conclab("claims", path)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("not judged: go had runs with failed items", result.stdout)
        self.assertIn("cannot decide here", result.stdout)
        good = conclab("claims", source)
        self.assertEqual(good.returncode, 0, good.stderr)


class OneWriterPerSweepFile(Temp):
    """Item 3: a sweep file is locked for as long as a sweep writes it."""

    def test_a_second_writer_is_refused_at_once_with_the_holders_pid(self):
        path = self.path("s.jsonl")
        grid = ["sweep", "worker-pool", "--jobs", "200", "--wait-us", "2000", "--workers", "1", "--models", "tbb",
                "--repeat", "40", "--warmup", "0", "--quiet", "-o", path]
        first = subprocess.Popen([CONCLAB, *grid], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (os.path.exists(path) and read(path).count("\n") >= 2):
                time.sleep(0.05)
            started = time.monotonic()
            second = conclab(*grid, "--resume")
            self.assertLess(time.monotonic() - started, 10)
            self.assert_usage_error(second, "is being written by another sweep", f"pid {first.pid}")
            # a fresh start on the name is refused as before (it exists)
            self.assert_usage_error(conclab(*grid), "exists; --resume")
        finally:
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=60)
        # once the first has ended, resume takes the file and finishes it, each case once
        resumed = conclab(*grid, "--resume", timeout=300)
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        with open(path) as f:
            cases = [json.loads(line) for line in f.read().splitlines()[1:]]
        self.assertEqual(len(cases), 40)
        self.assertEqual(sorted(c["case"]["repetition"] for c in cases), list(range(40)))

    def test_a_new_sweep_file_appears_whole_with_its_header(self):
        path = self.path("s.jsonl")
        result = conclab("sweep", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "1", "--warmup", "0",
                         "--quiet", "-o", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["s.jsonl"])  # no temporary name left
        with open(path) as f:
            self.assertEqual(json.loads(f.readline())["schema"], "conclab-sweep")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o644, 0o644)


def stand_in_peer(directory, script):
    """A conclab-peer-go that runs `script` (sh) instead of Go: a case process that misbehaves."""
    path = os.path.join(directory, "conclab-peer-go")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script + "\n")
    os.chmod(path, 0o755)
    return {"CONCLAB_PEERS_DIR": directory}


class NothingOrphaned(Temp):
    """Items 4 and 5: case processes die with their parent; a case's output is bounded; its deadline holds."""

    def long_run(self, json_path):
        # each case waits 3000 x 10 ms, one at a time: 30 s, far longer than the test waits for it to go
        return subprocess.Popen([CONCLAB, "run", "worker-pool", "--jobs", "3000", "--workers", "1", "--wait-us", "10000",
                                 "--models", "threads", "--repeat", "3", "--warmup", "0", "--quiet", "--json", json_path],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for_case(self, marker):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not case_processes(marker):
            time.sleep(0.02)
        self.assertTrue(case_processes(marker), "no case process started")

    def test_a_case_dies_with_a_killed_runner(self):
        run = self.long_run(self.path("k.json"))
        marker = '"jobs":3000,'
        self.wait_for_case(marker)
        run.kill()  # SIGKILL: no handler runs
        run.wait(timeout=10)
        left = wait_gone(marker, seconds=3)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        self.assertEqual(left, [], "a case process outlived its runner")

    def test_termination_signals_keep_the_finished_runs(self):
        for sig in [signal.SIGHUP, signal.SIGUSR1, signal.SIGALRM, signal.SIGTERM]:
            with self.subTest(signal=sig.name):
                path = self.path(f"{sig.name}.json")
                run = subprocess.Popen([CONCLAB, "run", "worker-pool", "--jobs", "300", "--workers", "1", "--wait-us", "2000",
                                        "--models", "threads", "--repeat", "100", "--warmup", "0", "--json", path],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                # the signal comes once the first run has finished (its progress line), however slow the build
                seen = ""
                while "#1: ok" not in seen:
                    line = run.stderr.readline()
                    self.assertNotEqual(line, "", "the run ended before its first repetition was reported")
                    seen += line
                run.send_signal(sig)
                out, err = run.communicate(timeout=60)
                self.assertEqual(run.returncode, 128 + sig.value, err)
                with open(path) as f:
                    data = json.load(f)
                self.assertTrue(data["interrupted"])
                self.assertGreaterEqual(len(data["results"][0]["runs"]), 1, err)
                self.assertEqual(wait_gone('"wait_us":2000'), [])

    def test_a_closed_pipe_does_not_lose_the_json(self):
        path = self.path("p.json")
        # the progress lines go on after head has gone: each is a write to a closed pipe
        shell = f"'{CONCLAB}' run worker-pool --jobs 200 --models tbb,threads --repeat 3 --warmup 0 --json '{path}' 2>&1 | head -1"
        result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.stdout.count("\n"), 1)
        with open(path) as f:
            self.assertEqual([len(r["runs"]) for r in json.load(f)["results"]], [3, 3])

    def test_a_case_that_floods_its_output_is_failed_not_the_runner(self):
        env = stand_in_peer(self.tmp, "exec yes 'flooding the runner'")
        started = time.monotonic()
        result = conclab("run", "worker-pool", "--jobs", "100", "--models", "tbb,go", "--repeat", "1", "--warmup", "0",
                         "--quiet", "--json", self.path("f.json"), env=env, timeout=120)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("output too large", result.stdout + result.stderr)
        self.assertLess(time.monotonic() - started, 60)
        with open(self.path("f.json")) as f:
            data = json.load(f)
        self.assertEqual([r["status"] for r in data["results"]], ["ok", "failed"])

    def test_the_case_deadline_holds_after_its_output_closes(self):
        env = stand_in_peer(self.tmp, "exec >&- ; exec sleep 600")
        started = time.monotonic()
        result = conclab("run", "worker-pool", "--jobs", "100", "--models", "go", "--repeat", "1", "--warmup", "0",
                         "--quiet", "--case-timeout", "2", env=env, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertLess(time.monotonic() - started, 20)
        self.assertIn("no result after 2 s", result.stdout + result.stderr)

    def test_ctrl_c_still_acts_after_a_case_closed_its_output(self):
        started = self.path("started")
        env = stand_in_peer(self.tmp, f"touch '{started}'; exec >&- ; exec sleep 600")
        run = subprocess.Popen([CONCLAB, "run", "worker-pool", "--jobs", "100", "--models", "go", "--repeat", "1",
                                "--warmup", "0", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env})
        deadline = time.monotonic() + 60
        while not os.path.exists(started) and time.monotonic() < deadline:  # the case runs: the runner's handlers are in
            time.sleep(0.02)
        time.sleep(0.3)  # and has closed its output
        run.send_signal(signal.SIGINT)
        run.communicate(timeout=10)
        self.assertEqual(run.returncode, 130)


class NothingTakenOnTrust(Temp):
    """Item 7: a peer's (or a case's) report is checked for plausibility."""

    def reply(self, metrics):
        base = {"checksum": "0", "items": 100, "wall_s": 0.01, "user_cpu_s": 0.01, "sys_cpu_s": 0, "peak_rss_bytes": 1,
                "voluntary_ctx_switches": 0, "involuntary_ctx_switches": 0, "os_threads": 1}
        base.update(metrics)
        return json.dumps({"status": "ok", "metrics": base})

    def run_with(self, metrics, *extra):
        # the right checksum for worker-pool --jobs 100 at the defaults, from a real run
        real = conclab("run", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "1", "--warmup", "0",
                       "--quiet", "--json", self.path("real.json"), *extra)
        self.assertEqual(real.returncode, 0, real.stderr)
        with open(self.path("real.json")) as f:
            checksum = json.load(f)["results"][0]["runs"][0]["checksum"]
        env = stand_in_peer(self.tmp, f"echo '{self.reply({'checksum': checksum, **metrics})}'")
        return conclab("run", "worker-pool", "--jobs", "100", "--models", "go", "--repeat", "1", "--warmup", "0",
                       "--quiet", *extra, env=env)

    def test_the_right_checksum_with_impossible_numbers_is_no_result(self):
        for metrics, why in [({"items": 10**15, "wall_s": 1e-9}, "items done"),
                             ({"wall_s": 1e-12}, "beyond 1e+10 a second"),
                             ({"wall_s": -1}, "not a positive time"),
                             ({"user_cpu_s": -3}, "cannot be negative"),
                             ({"items": 100.5}, "whole number"),
                             ({"items": -100}, "whole number")]:
            with self.subTest(metrics=metrics):
                result = self.run_with(metrics)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertIn(why, result.stdout + result.stderr)
                self.assertNotIn("1/1", result.stdout)

    def test_faster_than_its_waits_is_no_result(self):
        result = self.run_with({"wall_s": 0.001}, "--wait-us", "1000", "--workers", "10")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("below the 0.01 s its waits take", result.stdout + result.stderr)


class ReadersRefuseWhatIsNoFile(Temp):
    """Item 8: readers bound what they take."""

    def sweep(self):
        path = self.path("s.jsonl")
        result = conclab("sweep", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "2", "--warmup", "0",
                         "--quiet", "-o", path)
        self.assertEqual(result.returncode, 0, result.stderr)
        return path

    def test_a_fifo_or_a_device_is_refused_not_waited_on(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        for command in [["report", fifo, "-o", self.path("r")], ["compare", fifo, fifo], ["claims", fifo],
                        ["calibration", fifo], ["merge", fifo, "-o", self.path("m.jsonl")]]:
            with self.subTest(command=command[0]):
                self.assert_usage_error(conclab(*command, timeout=20), "a FIFO")
        self.assert_usage_error(conclab("merge", "/dev/zero", "-o", self.path("m.jsonl"), timeout=20), "a device")
        self.assertFalse(os.path.exists(self.path("m.jsonl")))

    def test_deeply_nested_json_is_refused_not_a_crash(self):
        path = self.sweep()
        lines = read(path).splitlines()
        case = json.loads(lines[2])
        case["metrics"] = {"nested": "@"}  # a case line whose metrics hide 200,000 levels of arrays
        with open(path, "w") as f:
            f.write("\n".join([lines[0], json.dumps(case).replace('"@"', "[" * 200000 + "]" * 200000), lines[1]]) + "\n")
        for command in [["merge", path, "-o", self.path("m.jsonl")], ["report", path, "-o", self.path("r")]]:
            with self.subTest(command=command[0]):
                self.assert_usage_error(conclab(*command, timeout=60), "line 2")
        resume = conclab("sweep", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "2", "--warmup", "0",
                         "--quiet", "-o", path, "--resume")
        self.assert_usage_error(resume, "line 2")

    def test_negative_or_fractional_repetitions_and_negative_times_are_refused(self):
        path = self.sweep()
        lines = read(path).splitlines()
        for field, value, why in [("repetition", -1, "repetition"), ("repetition", 1.5, "repetition"),
                                  ("wall_s", -0.5, "not a positive time"), ("user_cpu_s", -1, "cannot be negative"),
                                  ("items", 2.5, "whole number")]:
            with self.subTest(field=field, value=value):
                case = json.loads(lines[2])
                if field == "repetition":
                    case["case"]["repetition"] = value
                else:
                    case["metrics"][field] = value
                bad = self.path(f"bad-{field}.jsonl")
                with open(bad, "w") as f:
                    f.write("\n".join([lines[0], lines[1], json.dumps(case)]) + "\n")
                self.assert_usage_error(conclab("report", bad, "-o", self.path("r")), why)
                self.assert_usage_error(conclab("compare", bad, path), why)


class TomlGrids(Temp):
    """Item 8: TOML grids with an empty or repeated list."""

    def grid(self, text):
        path = self.path("g.toml")
        with open(path, "w") as f:
            f.write(text)
        return conclab("sweep", "--grid", path, "-o", self.path("s.jsonl"))

    def test_an_empty_model_list_is_refused_not_a_crash(self):
        self.assert_usage_error(self.grid("[worker-pool]\nmodels = []\njobs = [100]\n"), "models", "empty")
        self.assertFalse(os.path.exists(self.path("s.jsonl")))

    def test_a_repeated_model_or_value_is_refused_before_a_file_is_written(self):
        for text, why in [("[worker-pool]\nmodels = ['tbb', 'tbb']\njobs = [100]\n", "tbb"),
                          ("[worker-pool]\nmodels = ['tbb']\njobs = [100, 100]\n", "100")]:
            with self.subTest(text=text):
                self.assert_usage_error(self.grid(text), "twice", why)
                self.assertFalse(os.path.exists(self.path("s.jsonl")))


class HostileTargets(Temp):
    """Item 6: a hostile fetch target, against all four models and (when built) all four peers: every
    request ends as a counted fault within its deadline, in bounded memory, and the run is not verified."""

    MODES = ["silent", "garbage", "endless-chunked", "lying-length", "huge-status-body", "many-headers", "endless-line",
             "http09", "redirect-loop", "slow-drip", "smuggled"]

    def test_every_client_counts_every_request_as_a_fault_within_its_deadline(self):
        models = MODELS + (PEERS if os.environ.get("CONCLAB_PEERS_BUILT") else [])
        for mode in self.MODES:
            with self.subTest(mode=mode):
                server = subprocess.Popen([sys.executable, os.path.join(HERE, "hostile_target.py"), mode, "--lifetime-s", "120"],
                                          stdout=subprocess.PIPE, text=True)
                try:
                    port = server.stdout.readline().split()[-1]
                    path = self.path(f"{mode}.json")
                    started = time.monotonic()
                    result = conclab("run", "url-fetch", "--target", f"http://127.0.0.1:{port}", "--requests", "2",
                                     "--concurrency", "2", "--timeout-ms", "1000", "--models", ",".join(models), "--repeat", "1",
                                     "--warmup", "0", "--quiet", "--case-timeout", "60", "--json", path, timeout=300)
                    took = time.monotonic() - started
                finally:
                    server.kill()
                    server.wait()
                    server.stdout.close()
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                with open(path) as f:
                    data = json.load(f)
                for entry in data["results"]:
                    self.assertEqual(entry["status"], "ok", f"{mode} {entry['model']}: {entry.get('error')}")
                    run = entry["runs"][0]
                    self.assertFalse(run["verified"], f"{mode} {entry['model']}")
                    self.assertEqual(run["items_failed"], 2, f"{mode} {entry['model']}")
                    # two requests of 1 s deadline each, two at a time: about a second, never the case timeout
                    self.assertLess(run["wall_s"], 3.0, f"{mode} {entry['model']}")
                    self.assertLess(run["peak_rss_bytes"], 192 << 20, f"{mode} {entry['model']}")
                self.assertLess(took, 40 + 8 * len(models), mode)


def main():
    global CONCLAB
    CONCLAB = os.path.abspath(sys.argv[1])
    rest = sys.argv[2:]
    if rest[:1] == ["--without"]:  # every test but those of one class (meson runs that class on its own)
        left_out = rest[1]
        suite = unittest.TestSuite(test for group in unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
                                   for test in group if type(test).__name__ != left_out)
        sys.exit(0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
