#!/usr/bin/env python3
"""The conclab command line as a user meets it: bad input of every kind ends
with one clear message and exit code 2 (and no output file), and a real run
writes JSON and CSV that hold every documented field.

Usage: cli_test.py PATH_TO_CONCLAB [--shard K/N] [TEST ...]

--shard K/N runs every N-th test, from the K-th, of the whole module in
the order of their names (meson runs the N shards side by side; a test
added anywhere lands in one of them).
"""
import csv
import json
import re
import shutil
import os
import stat
import subprocess
import sys
import tempfile
import unittest

CONCLAB = None
MODELS = ["fibers", "coroutines", "tbb", "threads"]
METRICS = ["wall_s", "throughput_per_s", "latency_p50_us", "latency_p90_us", "latency_p99_us",
           "latency_p999_us", "latency_p9999_us", "latency_max_us", "peak_rss_bytes", "user_cpu_s", "sys_cpu_s",
           "cpu_utilization", "voluntary_ctx_switches", "involuntary_ctx_switches", "os_threads", "cpu_per_thread",
           "items_per_cpu_s", "rss_baseline_bytes", "rss_run_peak_bytes", "rss_growth_bytes", "heap_allocations",
           "heap_allocated_bytes", "tasks", "bytes_per_task", "rate_requested", "rate_achieved", "saturated",
           "machine_other_cores", "cpus_allowed"]
PARAMS = ["jobs", "workers", "work", "buffer", "wait_us", "alloc_bytes", "threads", "rate", "arrival", "arrival_seed",
          "background_load"]
PEER_METRICS = ["gc_cycles", "gc_pause_total_s", "gc_pause_max_us", "gc_cpu_s", "gc_cpu_share"]
PEERS = ["go", "tokio", "rayon", "rust-threads"]
OPEN_LOOP_METRICS = ["rate_requested", "rate_achieved", "saturated"]  # null in closed loop
# told only with 10,000 latencies or more (a percentile with a value above it): these runs have 300
FEW_ITEMS_METRICS = ["latency_p9999_us"]
SMALL = ["--jobs", "300", "--workers", "4", "--work", "10", "--repeat", "2", "--warmup", "1", "--quiet"]
# /proc/stat's ticks cannot tell the rest of the machine's load over a run this short (300 jobs: a few ms): the case
# measures it over a probe of its own after the run (issue 36: noise for every run), on up to 22 CPUs; beyond, null
SHORT_RUN_METRICS = [] if (os.cpu_count() or 1) <= 16 else ["machine_other_cores"]


def conclab(*args, timeout=120):
    return subprocess.run([CONCLAB, *args], capture_output=True, text=True, timeout=timeout)


class UsageErrors:
    """One line on stderr naming the problem, nothing on stdout, exit code 2."""

    def assert_usage_error(self, args, *needles):
        result = conclab(*args)
        self.assertEqual(result.returncode, 2, f"{args}: stdout={result.stdout!r} stderr={result.stderr!r}")
        self.assertEqual(result.stdout, "", args)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"{args}: expected one line, got {result.stderr!r}")
        self.assertTrue(lines[0].startswith("conclab: error: "), lines[0])
        for needle in needles:
            self.assertIn(needle, lines[0], args)


class BadInput(UsageErrors, unittest.TestCase):
    def test_an_empty_value_is_refused_not_taken_for_the_default(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "s.jsonl")
            for args, flag in [(["run", "worker-pool", "--jobs", ""], "--jobs"),
                               (["run", "url-fetch", "--requests", ""], "--requests"),
                               (["run", "worker-pool", "--models", "tbb", "--json", ""], "--json"),
                               (["sweep", "worker-pool", "--workers", "", "-o", out], "--workers"),
                               (["report", "", "-o", os.path.join(tmp, "r")], "results"),
                               (["run", "worker-pool", "--jobs=", "--repeat", "1"], "--jobs")]:
                self.assert_usage_error(args, f"{flag}: an empty value")
            self.assertEqual(os.listdir(tmp), [])

    def test_unknown_scenario_names_the_known_ones(self):
        self.assert_usage_error(["run", "bogus"], "unknown scenario 'bogus'", "worker-pool")

    def test_unknown_model_names_the_known_ones(self):
        self.assert_usage_error(["run", "worker-pool", "--models", "fibers,goroutines"],
                                "unknown model 'goroutines'", "fibers,coroutines,tbb,threads")

    def test_model_listed_twice(self):
        self.assert_usage_error(["run", "worker-pool", "--models", "tbb,tbb"], "listed twice")

    def test_empty_model_list(self):
        self.assert_usage_error(["run", "worker-pool", "--models", ""], "--models: an empty value")

    def test_unknown_flag(self):
        self.assert_usage_error(["run", "worker-pool", "--frobnicate", "3"], "--frobnicate", "--help")

    def test_unknown_command(self):
        self.assert_usage_error(["fly"], "fly", "serve")

    def test_slips_get_a_suggestion(self):
        self.assert_usage_error(["run", "worker-pool", "--job", "5"], "unknown option --job (did you mean --jobs?)",
                                "conclab run worker-pool --help")
        self.assert_usage_error(["run", "worker-pool", "--wokrers=4"], "unknown option --wokrers (did you mean --workers?)")
        self.assert_usage_error(["run", "worker-pool", "--models", "fiber"], "unknown model 'fiber' (did you mean fibers?)")
        self.assert_usage_error(["run", "worker-pol"], "unknown scenario 'worker-pol' (did you mean worker-pool?)")
        self.assert_usage_error(["show", "pipelin"], "(did you mean pipeline?)")
        self.assert_usage_error(["swep"], "unknown command 'swep' (did you mean sweep?)")
        self.assert_usage_error(["sweep", "--preset", "workshop-pipline", "-o", "/tmp/conclab-never.jsonl"],
                                "(did you mean workshop-pipeline?)")
        result = conclab("run", "worker-pool", "--frobnicate", "3")
        self.assertNotIn("did you mean", result.stderr)  # nothing close: no guess

    def test_run_with_several_values_points_to_sweep(self):
        self.assert_usage_error(["run", "worker-pool", "--workers", "1,16"], "run takes one value",
                                "conclab sweep worker-pool --workers 1,16 -o FILE.jsonl")
        self.assert_usage_error(["run", "worker-pool", "--workers", "1..64*2"], "conclab sweep worker-pool --workers 1..64*2")
        self.assert_usage_error(["run", "url-fetch", "--keepalive", "on,off"], "conclab sweep url-fetch --keepalive on,off")

    def test_no_command(self):
        self.assert_usage_error([], "no command given")

    def test_run_without_a_scenario(self):
        self.assert_usage_error(["run"], "needs a scenario", "worker-pool")

    def test_negative_jobs(self):
        self.assert_usage_error(["run", "worker-pool", "--jobs", "-1"], "--jobs expects a whole number from 0 to", "'-1'")

    def test_jobs_not_a_number(self):
        self.assert_usage_error(["run", "worker-pool", "--jobs", "many"], "--jobs", "'many'")

    def test_zero_threads(self):
        self.assert_usage_error(["run", "worker-pool", "--threads", "0"], "--threads expects a whole number from 1")

    def test_zero_workers(self):
        self.assert_usage_error(["run", "worker-pool", "--workers", "0"], "--workers expects a whole number from 1")

    def test_absurd_jobs(self):
        self.assert_usage_error(["run", "worker-pool", "--jobs", "99999999999"], "--jobs")

    def test_absurd_total_work(self):
        self.assert_usage_error(["run", "worker-pool", "--jobs", "50000000", "--work", "100000000"],
                                "jobs x work")

    def test_too_many_os_threads_for_the_threads_model(self):
        self.assert_usage_error(["run", "worker-pool", "--workers", "50000", "--models", "fibers,threads"], "OS threads", "--models")

    def test_more_fibers_than_memory_holds_stacks_for(self):
        self.assert_usage_error(["run", "worker-pool", "--workers", "1000000", "--models", "fibers"],
                                "GiB of 128 KiB stacks", "--models")

    def test_many_workers_are_fine_without_the_threads_model(self):
        result = conclab("run", "worker-pool", "--workers", "12000", "--models", "fibers",
                         "--jobs", "100", "--repeat", "1", "--warmup", "0", "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_zero_repeat(self):
        self.assert_usage_error(["run", "worker-pool", "--repeat", "0"], "--repeat")

    def test_json_into_a_missing_directory_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, "missing", "out.json")
            self.assert_usage_error(["run", "worker-pool", "--json", target], "does not exist")
            self.assertFalse(os.path.exists(target))

    def test_json_onto_a_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assert_usage_error(["run", "worker-pool", "--csv", tmp], "is a directory")


class ServeBadInput(UsageErrors, unittest.TestCase):
    def test_port_out_of_range(self):
        self.assert_usage_error(["serve", "--port", "70000"], "--port expects a whole number from 0 to 65535")

    def test_unknown_distribution(self):
        self.assert_usage_error(["serve", "--delay-dist", "gauss", "--delay-mean-us", "5"],
                                "--delay-dist expects fixed, uniform, exp or lognormal", "'gauss'")

    def test_fixed_delay_and_a_distribution_together(self):
        self.assert_usage_error(["serve", "--delay-us", "5", "--delay-dist", "exp", "--delay-mean-us", "5"], "not both")

    def test_distribution_without_a_mean(self):
        self.assert_usage_error(["serve", "--delay-dist", "exp"], "--delay-mean-us")

    def test_host_that_is_not_an_address(self):
        self.assert_usage_error(["serve", "--host", "nowhere", "--port", "0"], "--host nowhere")

    def test_oversized_default_body(self):
        self.assert_usage_error(["serve", "--size", "99999999999"], "--size")

    @staticmethod
    def with_file_limit(limit):
        import resource
        return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    def test_max_connections_beyond_the_open_file_limit(self):
        # a socket per connection: beyond `ulimit -n` accepts fail; the flag given is refused with what fits,
        # the default is lowered to it with a note (nothing said so before, and /health timed out)
        result = subprocess.run([CONCLAB, "serve", "--port", "0", "--max-connections", "5000"], capture_output=True, text=True,
                                timeout=30, preexec_fn=self.with_file_limit(1024))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stderr.strip(), "conclab: error: --max-connections 5000: this process may open 1024 files "
                         "(ulimit -n), a socket per connection and 128 for the server itself: at most 896 fit; lower "
                         "--max-connections or raise the limit")
        server = subprocess.Popen([CONCLAB, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, preexec_fn=self.with_file_limit(1024))
        try:
            self.assertIn("listening on", server.stdout.readline())
        finally:
            server.terminate()
            _, err = server.communicate(timeout=10)
        self.assertIn("--max-connections lowered from its default 10000 to 896", err)


class UrlFetchBadInput(UsageErrors, unittest.TestCase):
    def test_keepalive_takes_on_or_off(self):
        self.assert_usage_error(["run", "url-fetch", "--keepalive", "yes"], "--keepalive expects one of on, off", "'yes'")

    def test_unknown_delay_distribution(self):
        self.assert_usage_error(["run", "url-fetch", "--delay-dist", "pareto"], "--delay-dist expects one of", "lognormal")

    def test_target_that_is_not_http(self):
        self.assert_usage_error(["run", "url-fetch", "--target", "https://127.0.0.1:443"], "only http://", "http://HOST:PORT")

    def test_target_without_a_port(self):
        self.assert_usage_error(["run", "url-fetch", "--target", "http://127.0.0.1"], "no port")

    def test_target_with_a_path(self):
        self.assert_usage_error(["run", "url-fetch", "--target", "http://127.0.0.1:80/api"], "give no path")

    def test_target_that_does_not_resolve(self):
        self.assert_usage_error(["run", "url-fetch", "--target", "http://no-such-host.invalid:80"], "cannot resolve")

    def test_target_that_nobody_listens_on(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.assert_usage_error(["run", "url-fetch", "--target", f"http://127.0.0.1:{port}", "--quiet"],
                                "is not usable", "refused")

    def test_zero_concurrency(self):
        self.assert_usage_error(["run", "url-fetch", "--concurrency", "0"], "--concurrency expects a whole number from 1")

    def test_too_many_os_threads_for_the_threads_model(self):
        self.assert_usage_error(["run", "url-fetch", "--concurrency", "20000", "--requests", "20000", "--models", "threads"],
                                "OS threads", "--models")

    def test_more_bytes_than_a_run_can_hash(self):
        self.assert_usage_error(["run", "url-fetch", "--requests", "100000000", "--size", "1000000"], "64 GiB")

    def test_zero_timeout(self):
        self.assert_usage_error(["run", "url-fetch", "--timeout-ms", "0"], "--timeout-ms expects a whole number from 1")

    def test_fault_flags_of_serve_take_numbers(self):
        self.assert_usage_error(["serve", "--fail-every", "often"], "--fail-every", "'often'")


def start_server(*args):
    """A conclab serve on a free port; returns (process, base URL)."""
    server = subprocess.Popen([CONCLAB, "serve", "--port", "0", "--threads", "1", "--quiet", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = server.stdout.readline()
    return server, first.split()[4]


class UrlFetchRuns(unittest.TestCase):
    SMALL = ["--requests", "60", "--concurrency", "8", "--delay-us", "200", "--repeat", "1", "--warmup", "0", "--quiet"]

    def test_concurrency_beyond_the_open_file_limit_is_refused_with_what_fits(self):
        result = subprocess.run([CONCLAB, "run", "url-fetch", "--concurrency", "1000", "--requests", "1000", "--quiet"],
                                capture_output=True, text=True, timeout=30, preexec_fn=ServeBadInput.with_file_limit(1024))
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("concurrency=1000 needs that many sockets", result.stderr)
        self.assertIn("at most 896 fit", result.stderr)

    def test_the_largest_concurrency_still_starts_the_embedded_server(self):
        # concurrency + 100 once asked serve for more connections than it takes (1,000,000): it exited, the run waited
        result = conclab("run", "url-fetch", "--concurrency", "999901", "--requests", "20", "--models", "coroutines",
                         "--repeat", "1", "--warmup", "0", "--quiet")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(["coroutines", "1/1"], [line.split()[:2] for line in result.stdout.splitlines()], result.stdout)

    def test_embedded_server_run_verifies_every_model_and_stops_the_server(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            csv_path = os.path.join(tmp, "out.csv")
            result = conclab("run", "url-fetch", *self.SMALL, "--json", path, "--csv", csv_path)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("target: embedded conclab serve at http://127.0.0.1:", result.stdout)
            with open(path) as f:
                data = json.load(f)
            with open(csv_path, newline="") as f:
                rows = list(csv.DictReader(f))
        fixture = data["fixture"]
        self.assertEqual(fixture["kind"], "embedded")
        self.assertGreaterEqual(fixture["cpu_s"], 0)
        with self.assertRaises(ProcessLookupError):  # stopped and reaped
            os.kill(fixture["pid"], 0)
        self.assertEqual(data["params"]["target"], "")  # as given; the live URL is in the fixture
        self.assertEqual(data["params"]["keepalive"], "on")
        self.assertEqual(data["metric_units"]["bytes_per_s"], "bytes/s")
        self.assertEqual([r["model"] for r in data["results"]], MODELS)
        for result in data["results"]:
            self.assertEqual(result["status"], "ok")
            run = result["runs"][0]
            self.assertTrue(run["verified"])
            self.assertEqual(run["items"], 60)
            self.assertEqual(run["requests"], 60)
            self.assertEqual(run["errors"], 0)
            for kind in ["connect", "timeout", "http_status", "short_body", "protocol", "checksum"]:
                self.assertEqual(run["errors_" + kind], 0)
            self.assertEqual(run["body_bytes"], 60 * 1024)
            self.assertGreater(run["bytes_per_s"], 0)
            self.assertGreaterEqual(run["connections_opened"], 1)
            self.assertIsInstance(run["server_cpu_s"], (int, float))
            self.assertGreaterEqual(run["latency_p50_us"], 200)  # the server's delay is part of every request
            self.assertIn("server_cpu_s", result["summary"])
        self.assertEqual(len(rows), 4)
        for row in rows:
            self.assertEqual(row["verified"], "true")
            self.assertEqual(row["errors"], "0")

    def test_external_target_with_faults_counts_them_and_exits_1(self):
        server, base = start_server("--fail-every", "10")
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "out.json")
                result = conclab("run", "url-fetch", "--target", base, *self.SMALL, "--json", path)
                with open(path) as f:
                    data = json.load(f)
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("requests failed", result.stderr)
        self.assertIn("errors_http_status 6", result.stdout)
        # a run with failed requests is never shown as verified: not in the table or the JSON
        self.assertRegex(result.stdout, r"\nfibers +0/1 ")
        self.assertIn("not verified", result.stdout)
        self.assertIn("fibers: 1 run(s), 6 of 60 requests failed", result.stdout)
        self.assertEqual(data["fixture"], {"kind": "external", "url": base})
        for result in data["results"]:
            run = result["runs"][0]
            self.assertEqual(run["status"], "ok")  # faults of the server are counted, not a wrong answer
            self.assertEqual(run["errors_http_status"], 6)  # items 9, 19, ..., 59
            self.assertEqual(run["items"], 54)
            self.assertEqual(run["items_failed"], 6)
            self.assertFalse(run["verified"])
            self.assertIsNone(run["server_cpu_s"])  # not measurable on another process tree

    def test_keepalive_off_opens_a_connection_per_request(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            result = conclab("run", "url-fetch", *self.SMALL, "--keepalive", "off", "--models", "coroutines,threads",
                             "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                data = json.load(f)
        for result in data["results"]:
            self.assertEqual(result["runs"][0]["connections_opened"], 60)


class Serve(unittest.TestCase):
    def test_serves_until_interrupted_and_names_its_port(self):
        import signal
        import urllib.request
        server = subprocess.Popen([CONCLAB, "serve", "--port", "0", "--threads", "1", "--size", "32"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = server.stdout.readline()
            self.assertIn("listening on http://127.0.0.1:", first)
            base = first.split()[4]
            with urllib.request.urlopen(base + "/health", timeout=10) as reply:
                self.assertEqual(reply.read(), b"ok")
            with urllib.request.urlopen(base + "/item/0", timeout=10) as reply:
                body = reply.read()
            self.assertEqual(len(body), 32)
            self.assertEqual(body[:8], bytes.fromhex("afcd1d7b39a820e2"))  # mix(0), little-endian
        finally:
            server.send_signal(signal.SIGINT)
            _, err = server.communicate(timeout=10)
        self.assertEqual(server.returncode, 0, err)
        self.assertIn("1 items served", err)


class Help(unittest.TestCase):
    def test_help_exits_zero(self):
        for args in (["--help"], ["run", "--help"], ["run", "worker-pool", "--help"]):
            result = conclab(*args)
            self.assertEqual(result.returncode, 0, args)

    def test_version(self):
        result = conclab("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^conclab \d+\.\d+\.\d+ \(\S+\)\n$")

    def test_markdown_table(self):
        result = conclab("run", "worker-pool", "--jobs", "2000", "--repeat", "2", "--warmup", "0", "--quiet",
                         "--models", "fibers,tbb", "--md", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith("**worker-pool**: jobs=2000"), lines[0])
        header = next(i for i, line in enumerate(lines) if line.startswith("| model |"))
        self.assertTrue(lines[header + 1].startswith("| :--- | :--- | ---: |"), lines[header + 1])
        self.assertTrue(lines[header + 2].startswith("| fibers | 2/2 |"), lines[header + 2])
        self.assertTrue(lines[header + 3].startswith("| tbb | 2/2 |"), lines[header + 3])
        notes = lines[header + 4:]
        self.assertTrue(any(line.startswith("verified:") for line in notes))
        for i in range(1, len(notes)):
            self.assertFalse(notes[i] and notes[i - 1], "each note is a paragraph of its own")
        self.assertIn("jobs/s", result.stderr)  # the terminal's table went to stderr
        self.assertNotIn("|", result.stderr)
        both = conclab("run", "worker-pool", "--md", "-", "--json", "-")
        self.assertEqual(both.returncode, 2)
        self.assertIn("at most one of them may go to standard output", both.stderr)

    def test_help_shows_types_and_each_default_once(self):
        run = conclab("run", "worker-pool", "--help").stdout
        self.assertRegex(run, r"--jobs INT +jobs to run .*\(default 100000\)")
        self.assertRegex(run, r"--repeat INT ")
        self.assertRegex(run, r"--json FILE ")
        self.assertNotIn("TEXT", run)
        threads = next(line for line in run.splitlines() if "--threads" in line)
        self.assertEqual(threads.count("default"), 1, threads)  # "(default: hardware concurrency)", said once
        fetch = conclab("run", "url-fetch", "--help").stdout
        self.assertRegex(fetch, r"--keepalive \{on,off\} ")
        sweep = conclab("sweep", "worker-pool", "--help").stdout
        self.assertRegex(sweep, r"--workers INT\|LIST\|RANGE +worker tasks .*\(default 16\)")
        self.assertEqual(sweep.count("1..64*2"), 1, "the list and range syntax is said once, below the options")
        serve = conclab("serve", "--help").stdout
        self.assertRegex(serve, r"--port PORT ")
        self.assertRegex(serve, r"--fail-rate P ")

    def test_list_as_json(self):
        result = conclab("list", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        listing = json.loads(result.stdout)
        self.assertEqual([s["name"] for s in listing["scenarios"]], ["worker-pool", "url-fetch", "task-tree", "idle-tasks", "pipeline", "cache-service"])
        worker_pool = listing["scenarios"][0]
        jobs = next(p for p in worker_pool["parameters"] if p["name"] == "jobs")
        self.assertEqual((jobs["flag"], jobs["type"], jobs["default"], jobs["min"]), ("--jobs", "integer", 100000, 0))
        keepalive = next(p for p in listing["scenarios"][1]["parameters"] if p["name"] == "keepalive")
        self.assertEqual((keepalive["type"], keepalive["default"], keepalive["choices"]), ("text", "on", ["on", "off"]))
        self.assertEqual([m["token"] for m in listing["models"]], ["fibers", "coroutines", "tbb", "threads"])
        self.assertIn("fibers/guard-pages", [v["token"] for v in listing["variants"]])
        self.assertEqual([p["token"] for p in listing["peers"]], ["go", "tokio", "rayon", "rust-threads"])
        self.assertIn("workshop-pipeline", listing["presets"])

    def test_list_shows_scenarios_models_and_parameters_with_defaults(self):
        result = conclab("list")
        self.assertEqual(result.returncode, 0)
        self.assertIn("worker-pool", result.stdout)
        self.assertIn("url-fetch", result.stdout)
        self.assertIn("one of fixed|uniform|exp|lognormal", result.stdout)
        for model in MODELS:
            self.assertIn(model, result.stdout)
        for flag in ["--jobs", "--workers", "--work", "--buffer", "--wait-us", "--threads"]:
            self.assertIn(flag, result.stdout)
        self.assertIn("default", result.stdout)

    def test_list_shows_the_machines_least_fiber_stack(self):
        result = conclab("list")
        self.assertEqual(result.returncode, 0)
        stack = [line for line in result.stdout.splitlines() if "--stack-kb" in line]
        self.assertEqual(len(stack), 2)  # task-tree and idle-tasks
        for line in stack:
            self.assertIn("default 16 ", line)
            self.assertIn("range 16..8192", line)  # the floor of models/fibers/stack.hpp on every CPU


class FiberStacks(UsageErrors, unittest.TestCase):
    """The default fiber stack runs everywhere; a smaller one than the
    machine's floor is refused before anything runs, saying why."""

    def test_a_stack_below_the_floor_is_refused_with_the_reason(self):
        for scenario in ["task-tree", "idle-tasks"]:
            self.assert_usage_error(["run", scenario, "--stack-kb", "8"], "--stack-kb expects a whole number from 16",
                                    "fiber stacks need at least 16 KiB on this machine", "alternate signal stack")

    def test_the_default_stack_runs_task_tree_and_idle_tasks_in_fibers(self):
        for args in (["task-tree", "--leaves", "1000"], ["idle-tasks", "--tasks", "200", "--wait-ms", "1"]):
            result = conclab("run", *args, "--models", "fibers", "--repeat", "1", "--warmup", "0", "--quiet")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("1/1", result.stdout)


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.json_path = os.path.join(cls.tmp.name, "out.json")
        cls.csv_path = os.path.join(cls.tmp.name, "out.csv")
        cls.result = conclab("run", "worker-pool", *SMALL, "--json", cls.json_path, "--csv", cls.csv_path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_run_succeeds_and_prints_a_row_per_model(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        rows = [line.split()[0] for line in self.result.stdout.splitlines() if line.split()[:1] and line.split()[0] in MODELS]
        self.assertEqual(rows, MODELS)
        for line in self.result.stdout.splitlines():
            if line.split()[:1] and line.split()[0] in MODELS:
                self.assertIn("2/2", line)  # both repetitions verified

    def test_no_partial_file_is_left(self):
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["out.csv", "out.json"])

    def test_json_holds_the_schema_machine_and_parameters(self):
        with open(self.json_path) as f:
            data = json.load(f)
        self.assertEqual(data["schema"], "conclab-results")
        self.assertEqual(data["schema_version"], 2)
        self.assertEqual(data["scenario"], "worker-pool")
        self.assertEqual(data["unit"], "jobs")
        self.assertEqual(data["repeat"], 2)
        self.assertEqual(data["warmup"], 1)
        self.assertEqual(set(data["params"]), set(PARAMS))
        self.assertEqual(data["params"]["jobs"], 300)
        for key in ["cpu_model", "logical_cpus", "usable_cpus", "memory_bytes", "kernel", "os", "arch"]:
            self.assertIn(key, data["machine"])
        for key in ["version", "git_commit", "build_type", "compiler", "libraries", "heap_counting"]:
            self.assertIn(key, data["conclab"])
        for lib in ["boost", "onetbb", "cli11", "nlohmann_json", "moodycamel_concurrentqueue"]:
            self.assertIn(lib, data["conclab"]["libraries"])
        self.assertEqual(data["command"][1:3], ["run", "worker-pool"])
        self.assertEqual(len(data["run_order"]), 2)
        self.assertNotEqual(data["run_order"][0], data["run_order"][1])
        # every scenario's own metrics are listed, with the Go peer's collector figures (docs/results-schema.md)
        self.assertEqual(set(data["metric_units"]), set(METRICS + PEER_METRICS))

    def test_json_holds_every_metric_of_every_run(self):
        with open(self.json_path) as f:
            data = json.load(f)
        self.assertEqual([r["model"] for r in data["results"]], MODELS)
        for result in data["results"]:
            self.assertEqual(result["status"], "ok")
            self.assertEqual(result["failures"], 0)
            self.assertEqual(len(result["runs"]), 2)
            for metric in METRICS:
                summary = result["summary"][metric]
                if metric in OPEN_LOOP_METRICS + FEW_ITEMS_METRICS + SHORT_RUN_METRICS or (
                        metric.startswith("heap_") and not data["conclab"]["heap_counting"]):
                    self.assertEqual(summary["n"], 0, metric)  # no values: none summarized
                    continue
                self.assertEqual(summary["n"], 2, metric)
                self.assertLessEqual(summary["min"], summary["median"], metric)
                self.assertLessEqual(summary["median"], summary["max"], metric)
            for run in result["runs"]:
                self.assertEqual(run["status"], "ok")
                self.assertTrue(run["verified"])
                self.assertEqual(run["checksum"], run["expected_checksum"])
                self.assertRegex(run["checksum"], r"^0x[0-9a-f]{16}$")
                self.assertEqual(run["items"], 300)
                self.assertEqual(run["latency_count"], 300)
                for metric in METRICS:
                    if metric in OPEN_LOOP_METRICS + FEW_ITEMS_METRICS + SHORT_RUN_METRICS:
                        self.assertIsNone(run[metric], metric)
                        continue
                    if metric.startswith("heap_") and not data["conclab"]["heap_counting"]:
                        self.assertIsNone(run[metric], metric)  # sanitizer builds keep their own operator new
                        continue
                    self.assertIsInstance(run[metric], (int, float), metric)
                self.assertGreater(run["wall_s"], 0)
                self.assertGreater(run["peak_rss_bytes"], 0)

    def test_csv_has_a_row_per_run_with_every_column(self):
        with open(self.csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 8)
        for row in rows:
            self.assertEqual(row["status"], "ok")
            self.assertEqual(row["verified"], "true")
            for column in PARAMS + METRICS:
                if column.startswith("heap_") or column in OPEN_LOOP_METRICS + FEW_ITEMS_METRICS + SHORT_RUN_METRICS:
                    continue  # empty in sanitizer builds, closed loop, with few items or in a short run (see the JSON test)
                self.assertNotEqual(row[column], "", column)


class OpenLoopAndOptions(UsageErrors, unittest.TestCase):
    def test_a_background_load_is_made_recorded_and_seen(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.json")
            result = conclab("run", "worker-pool", "--jobs", "400000", "--models", "threads", "--repeat", "1", "--warmup", "0",
                             "--quiet", "--background-load", "1", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("background_load=1", result.stdout)
            with open(path) as f:
                data = json.load(f)
            self.assertEqual(data["params"]["background_load"], 1)
            # the busy thread is the runner's, not the case's: it shows as the rest of the machine's CPU
            self.assertGreater(data["results"][0]["runs"][0]["machine_other_cores"], 0.5)
        self.assert_usage_error(["run", "worker-pool", "--background-load", "2000"], "--background-load", "1024")

    def test_a_sweep_summary_marks_the_cases_run_on_a_busy_machine(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            result = conclab("sweep", "worker-pool", "--jobs", "400000", "--models", "threads", "--repeat", "3", "--warmup", "0",
                             "--quiet", "--background-load", "0,1", "-o", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            busy = [line for line in result.stdout.splitlines() if "background_load=1" in line]
            quiet = [line for line in result.stdout.splitlines() if "background_load=0" in line]
            self.assertEqual(len(busy), 1, result.stdout)
            self.assertIn("[machine busy:", busy[0])
            self.assertEqual(len(quiet), 1, result.stdout)


    def test_open_loop_reports_requested_and_achieved_rates(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            result = conclab("run", "worker-pool", "--jobs", "400", "--rate", "20000", "--arrival", "poisson",
                             "--repeat", "1", "--warmup", "0", "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                data = json.load(f)
        self.assertEqual(data["params"]["rate"], 20000)
        self.assertEqual(data["params"]["arrival"], "poisson")
        for result in data["results"]:
            run = result["runs"][0]
            self.assertEqual(run["rate_requested"], 20000)
            self.assertGreater(run["rate_achieved"], 0)
            self.assertIn(run["saturated"], (0, 1))
            spectrum = run["latency_spectrum_us"]
            self.assertEqual(spectrum[-1][0], 100)
            self.assertEqual(spectrum[-1][1], run["latency_max_us"])

    def test_no_latency_leaves_latencies_empty(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            result = conclab("run", "worker-pool", "--jobs", "400", "--no-latency", "--repeat", "1", "--warmup", "0",
                             "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                data = json.load(f)
        self.assertFalse(data["latency_recorded"])
        for result in data["results"]:
            run = result["runs"][0]
            self.assertEqual(run["latency_count"], 0)
            self.assertIsNone(run["latency_p50_us"])
            self.assertTrue(run["verified"])

    def test_summary_has_confidence_interval_and_spread(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            result = conclab("run", "worker-pool", "--jobs", "300", "--models", "tbb", "--repeat", "6", "--warmup", "0",
                             "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                data = json.load(f)
        summary = data["results"][0]["summary"]["throughput_per_s"]
        self.assertEqual(summary["n"], 6)
        self.assertAlmostEqual(summary["ci_level"], 0.96875)
        self.assertLessEqual(summary["ci_low"], summary["median"])
        self.assertLessEqual(summary["median"], summary["ci_high"])
        self.assertIsInstance(summary["cv"], float)
        self.assertIsInstance(summary["outlier_runs"], list)
        self.assertIn("CI +-", result.stdout)

    def test_unknown_arrival(self):
        self.assert_usage_error(["run", "worker-pool", "--arrival", "bursty"], "--arrival expects one of constant, poisson")

    def test_open_loop_longer_than_an_hour(self):
        self.assert_usage_error(["run", "worker-pool", "--rate", "1", "--jobs", "100000"], "more than an hour")

    def test_open_loop_for_url_fetch_too(self):
        self.assert_usage_error(["run", "url-fetch", "--rate", "1", "--requests", "100000"], "more than an hour")


def read_sweep(path):
    with open(path) as f:
        lines = [json.loads(line) for line in f]
    return lines[0], lines[1:]


def case_keys(cases):
    return [(c["case"]["scenario"], json.dumps(c["case"]["params"], sort_keys=True), c["case"]["model"],
             c["case"]["repetition"]) for c in cases]


def sweep_grid(workers="1,4", jobs="300", *extra):
    return ["sweep", "worker-pool", "--workers", workers, "--work", "0..20+10", "--jobs", jobs, "--models", "tbb,threads",
            "--repeat", "2", "--warmup", "0", "--quiet", *extra]


class Sweeps(UsageErrors, unittest.TestCase):
    GRID = sweep_grid()

    def test_grid_runs_every_case_once_into_a_json_lines_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            result = conclab(*self.GRID, "-o", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            header, cases = read_sweep(path)
        self.assertEqual(header["schema"], "conclab-sweep")
        self.assertEqual(header["grids"][0]["axes"], {"workers": [1, 4], "work": [0, 10, 20]})
        self.assertEqual(len(cases), 2 * 3 * 2 * 2)
        self.assertEqual(len(set(case_keys(cases))), len(cases))
        for case in cases:
            self.assertEqual(case["status"], "ok")
            self.assertTrue(case["metrics"]["verified"])
        self.assertIn("work=10 workers=4", result.stdout)  # the summary per combination

    def test_a_killed_sweep_resumes_without_redoing_or_losing_cases(self):
        import signal
        import time
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            grid = sweep_grid("1,4", "400", "--wait-us", "100")  # slower cases: the kill lands mid-sweep
            sweep = subprocess.Popen([CONCLAB, *grid, "-o", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
            deadline = time.time() + 60
            while time.time() < deadline and sweep.poll() is None:
                if os.path.exists(path) and sum(1 for _ in open(path)) >= 4:
                    break
                time.sleep(0.01)
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait()
            with open(path) as f:
                before = [line for line in f]
            self.assertGreaterEqual(len(before), 4)
            self.assertLess(len(before) - 1, 24, "the sweep finished before it could be killed")
            with open(path, "a") as f:
                f.write('{"case": {"scenario": "worker-po')  # a write cut off by the kill
            result = conclab(*grid, "-o", path, "--resume")
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                after = [line for line in f]
            header, cases = read_sweep(path)
        self.assertEqual(after[:len(before)], before)  # finished cases untouched
        self.assertEqual(len(cases), 24)
        self.assertEqual(len(set(case_keys(cases))), 24)

    def test_shards_merge_into_the_cases_of_one_sweep(self):
        with tempfile.TemporaryDirectory() as tmp:
            whole, part1, part2, merged = (os.path.join(tmp, n) for n in ["w.jsonl", "1.jsonl", "2.jsonl", "m.jsonl"])
            for path, extra in [(whole, []), (part1, ["--shard", "1/2"]), (part2, ["--shard", "2/2"])]:
                result = conclab(*self.GRID, *extra, "-o", path)
                self.assertEqual(result.returncode, 0, result.stderr)
            result = conclab("merge", part1, part2, "-o", merged)
            self.assertEqual(result.returncode, 0, result.stderr)
            _, whole_cases = read_sweep(whole)
            _, cases1 = read_sweep(part1)
            _, cases2 = read_sweep(part2)
            header, merged_cases = read_sweep(merged)
        self.assertFalse(set(case_keys(cases1)) & set(case_keys(cases2)))
        self.assertEqual(sorted(case_keys(merged_cases)), sorted(case_keys(whole_cases)))
        self.assertEqual(header["shard"], "merged")
        self.assertEqual(len(header["merged_from"]), 2)

    def test_an_existing_file_needs_resume(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            with open(path, "w") as f:
                f.write("keep me\n")
            self.assert_usage_error([*self.GRID, "-o", path], "exists", "--resume")
            with open(path) as f:
                self.assertEqual(f.read(), "keep me\n")
            self.assert_usage_error([*self.GRID, "-o", path, "--resume"], "not a conclab sweep file")

    def test_resume_with_another_grid_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            self.assertEqual(conclab(*self.GRID, "-o", path).returncode, 0)
            self.assert_usage_error([*sweep_grid("1,8"), "-o", path, "--resume"], "another sweep")

    def test_merge_refuses_parts_of_different_sweeps_and_non_sweep_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            a, b, out = (os.path.join(tmp, n) for n in ["a.jsonl", "b.jsonl", "out.jsonl"])
            self.assertEqual(conclab(*self.GRID, "-o", a).returncode, 0)
            self.assertEqual(conclab(*sweep_grid("1,8"), "-o", b).returncode, 0)
            self.assert_usage_error(["merge", a, b, "-o", out], "another sweep")
            self.assertFalse(os.path.exists(out))
            with open(b, "w") as f:
                f.write('{"schema": "conclab-results"}\n')
            self.assert_usage_error(["merge", a, b, "-o", out], "not a conclab sweep file")

    def test_a_grid_too_large_is_refused_before_anything_is_built_or_written(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.jsonl")
            # 10^12 combinations once grew to 8 GB and ended in bad_alloc; 10^6 left a header-only file
            self.assert_usage_error(["sweep", "worker-pool", "--workers", "1..10000+1", "--work", "0..9999+1",
                                     "--jobs", "1..10000+1", "-o", path], "cases", "at most 100000")
            self.assert_usage_error(["sweep", "worker-pool", "--workers", "1..1000+1", "--work", "0..999+1",
                                     "--models", "tbb", "-o", path],
                                    "3000000 cases (worker-pool: 1000 workers x 1000 work x 1 models x 3 repetitions)")
            self.assertEqual(os.listdir(tmp), [])

    def test_bad_ranges_shards_and_presets(self):
        self.assert_usage_error(["sweep", "worker-pool", "--workers", "1..64", "-o", "/tmp/x.jsonl"], "FROM..TO*FACTOR")
        self.assert_usage_error(["sweep", "worker-pool", "--shard", "3/2", "-o", "/tmp/x.jsonl"], "--shard expects K/N")
        self.assert_usage_error(["sweep", "--preset", "laptop", "-o", "/tmp/x.jsonl"], "--preset expects workshop, workshop-numbers")
        self.assert_usage_error(["sweep", "worker-pool"], "needs -o")
        self.assert_usage_error(["sweep", "-o", "/tmp/x.jsonl"], "needs a scenario")
        self.assert_usage_error(["sweep", "bogus", "-o", "/tmp/x.jsonl"], "unknown scenario 'bogus'")
        self.assert_usage_error(["sweep", "worker-pool", "--workers", "1,20000", "--models", "threads", "-o", "/tmp/x.jsonl"],
                                "workers=20000", "OS threads")
        self.assertFalse(os.path.exists("/tmp/x.jsonl"))


    def test_slurm_writes_the_job_array_of_exactly_this_sweep(self):
        with tempfile.TemporaryDirectory() as tmp:
            grid = os.path.join(tmp, "my grid.toml")
            with open(grid, "w") as f:
                f.write('[worker-pool]\nmodels = ["tbb", "threads"]\nworkers = [1, 2, 4]\njobs = 2000\n')
            result = subprocess.run([CONCLAB, "sweep", "--grid", "my grid.toml", "--warmup", "0", "--slurm", "job.sh",
                                     "--sbatch=--time=00:30:00", "--sbatch=--partition=big", "-o", "out/all.jsonl"],
                                    cwd=tmp, capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 2, result.stderr)  # out/ does not exist: nothing is written
            self.assertIn("directory out does not exist", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "job.sh")))
            os.mkdir(os.path.join(tmp, "out"))
            result = subprocess.run([CONCLAB, "sweep", "--grid", "my grid.toml", "--warmup", "0", "--slurm", "job.sh",
                                     "--sbatch=--time=00:30:00", "--sbatch=--partition=big", "-o", "out/all.jsonl"],
                                    cwd=tmp, capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(tmp, "job.sh")) as f:
                script = f.read()
            self.assertEqual(os.listdir(os.path.join(tmp, "out")), [])  # nothing measured, no part begun
        self.assertIn("a job array of 3 task(s), 3 combination(s)", result.stdout)  # at most 8 tasks: here the 3 combinations
        self.assertIn(f"merge {tmp}/out/all.part-*-of-3.jsonl -o {tmp}/out/all.jsonl", result.stdout)
        for line in ["#SBATCH --array=1-3", "#SBATCH --exclusive", "#SBATCH --requeue", "#SBATCH --time=00:30:00",
                     "#SBATCH --partition=big", f"#SBATCH --output={tmp}/out/all.slurm-%A_%a.log", f"cd {tmp}",
                     f"sweep=(sweep --grid '{tmp}/my grid.toml' --warmup 0)", f"parts={tmp}/out/all.part-",
                     f"conclab={CONCLAB}" if " " not in CONCLAB else "conclab='"]:
            self.assertIn(line, script)
        self.assertNotRegex(script, r"@[A-Z_]+@")  # every field filled in
        self.assertIn("--slurm job.sh", script.splitlines()[1])  # the command that wrote it, on its first comment
        syntax = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        self.assertEqual(syntax.returncode, 0, syntax.stderr)

    def test_slurm_refuses_what_cannot_make_a_job_array(self):
        with tempfile.TemporaryDirectory() as tmp:
            script, out = os.path.join(tmp, "job.sh"), os.path.join(tmp, "all.jsonl")
            base = [*self.GRID, "-o", out, "--slurm", script]
            self.assert_usage_error([*base, "--resume"], "give neither")
            self.assert_usage_error([*base, "--shard", "1/2"], "give neither")
            self.assert_usage_error([*base, "--slurm-tasks", "7"], "6 combination(s)", "at most that many")
            self.assert_usage_error([*base, "--slurm-tasks", "0"], "--slurm-tasks")
            self.assert_usage_error([*base, "--sbatch=time=1:00:00"], "expected one sbatch option")
            self.assert_usage_error([*self.GRID, "-o", "-", "--slurm", script], "needs -o FILE")
            self.assert_usage_error([*self.GRID, "-o", out, "--submit"], "go with --slurm")
            self.assert_usage_error([*self.GRID, "-o", os.path.join(tmp, "a b.jsonl"), "--slurm", script], "cannot hold spaces")
            self.assertEqual(os.listdir(tmp), [])
            with open(script, "w") as f:
                f.write("mine\n")
            self.assert_usage_error(base, "exists", "never overwritten")
            with open(script) as f:
                self.assertEqual(f.read(), "mine\n")
            os.unlink(script)
            # --submit where there is no sbatch: the script is written (whole), the submission refused, exit 2
            env = dict(os.environ, PATH="/nonexistent")
            result = subprocess.run([CONCLAB, *base, "--submit"], capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("sbatch", result.stderr)
            self.assertIn("the script is written", result.stderr)
            self.assertTrue(os.path.exists(script))


class Pinning(UsageErrors, unittest.TestCase):
    """--cpus: every case process on those CPUs (ours and the peers'), the embedded server on the others, recorded."""

    def usable(self):
        return sorted(os.sched_getaffinity(0))

    def test_cases_run_on_the_cpus_given_and_the_results_say_so(self):
        cpu = self.usable()[-1]
        models = "fibers,threads" + (",go,tokio" if os.environ.get("CONCLAB_PEERS_BUILT") else "")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.json")
            result = conclab("run", "worker-pool", "--cpus", str(cpu), "--models", models, "--jobs", "2000", "--repeat", "1",
                             "--warmup", "0", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(f"each pinned to CPUs {cpu} (--cpus)", result.stdout)
            with open(path) as f:
                data = json.load(f)
        self.assertEqual(data["cpus"], str(cpu))
        for r in data["results"]:
            self.assertEqual([run["cpus_allowed"] for run in r["runs"]], [1], r["model"])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.json")
            self.assertEqual(conclab("run", "worker-pool", "--models", "tbb", "--jobs", "200", "--repeat", "1", "--quiet", "--json",
                                     path).returncode, 0)
            with open(path) as f:
                data = json.load(f)
        self.assertIsNone(data["cpus"])
        self.assertEqual(data["results"][0]["runs"][0]["cpus_allowed"], len(self.usable()))

    def test_the_embedded_server_runs_on_the_other_cpus(self):
        usable = self.usable()
        if len(usable) < 2:
            self.skipTest("one CPU here: nothing is left for the server")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.json")
            result = conclab("run", "url-fetch", "--cpus", str(usable[0]), "--models", "coroutines", "--requests", "100",
                             "--repeat", "1", "--warmup", "0", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                data = json.load(f)
        others = usable[1:]
        expected = f"{others[0]}-{others[-1]}" if len(others) > 1 and others == list(range(others[0], others[-1] + 1)) else str(others[0])
        self.assertEqual(data["fixture"]["cpus"], expected)
        self.assertIn(f"CPUs {expected}, beside the cases'", result.stdout)

    def test_a_sweep_records_them_and_resumes_only_with_them(self):
        cpu = str(self.usable()[0])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            grid = ["sweep", "worker-pool", "--workers", "1,2", "--jobs", "200", "--models", "tbb", "--repeat", "1", "--warmup", "0",
                    "--quiet"]
            self.assertEqual(conclab(*grid, "--cpus", cpu, "-o", path).returncode, 0)
            with open(path) as f:
                header = json.loads(f.readline())
            self.assertEqual(header["cpus"], cpu)
            self.assert_usage_error([*grid, "-o", path, "--resume"], "another sweep", "--cpus")
            self.assertEqual(conclab(*grid, "--cpus", cpu, "-o", path, "--resume").returncode, 0)

    def test_cpus_that_cannot_be_used_are_refused(self):
        usable = self.usable()
        self.assert_usage_error(["run", "worker-pool", "--cpus", f"0-{usable[-1] + 1}"], f"CPU(s) {usable[-1] + 1} cannot be used here")
        self.assert_usage_error(["run", "worker-pool", "--cpus", "3-1"], "runs backwards", "0-7")
        self.assert_usage_error(["sweep", "worker-pool", "--cpus", "x", "-o", "/tmp/never.jsonl"], "'x' is no CPU number")
        self.assertFalse(os.path.exists("/tmp/never.jsonl"))


class UntilPrecise(UsageErrors, unittest.TestCase):
    """run --precision / --min-time: repetitions until each model's median is that precise, up to --max-repeat."""

    def run_json(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "r.json")
            result = conclab("run", "worker-pool", "--jobs", "2000", "--models", "tbb,threads", "--warmup", "0", "--quiet",
                             "--json", path, *args)
            with open(path) as f:
                return result, json.load(f)

    def test_an_unreachable_precision_stops_at_the_maximum_and_says_so(self):
        result, data = self.run_json("--repeat", "3", "--precision", "0.1", "--max-repeat", "5")
        self.assertEqual(result.returncode, 0, result.stderr)  # the numbers stand, with a warning
        self.assertEqual(data["repeat"], 5)
        self.assertEqual([len(r["runs"]) for r in data["results"]], [5, 5])
        self.assertEqual([run["repetition"] for run in data["results"][0]["runs"]], [0, 1, 2, 3, 4])
        self.assertFalse(data["until_precise"]["reached"])
        self.assertEqual(data["until_precise"]["max_repeat"], 5)
        self.assertEqual(data["until_precise"]["precision_percent"], 0.1)
        self.assertIn("conclab: warning: --max-repeat 5 reached before ±0.1%: ", result.stderr)
        self.assertIn("until precise: --max-repeat 5 reached", result.stdout)
        self.assertEqual(len(data["run_order"]), 5)

    def test_a_time_asked_for_is_reached_and_then_it_stops(self):
        result, data = self.run_json("--repeat", "2", "--min-time", "0.001", "--work", "10000")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(data["repeat"], 2)  # 2000 jobs of 10 us each take 10 ms or so a run, past a millisecond: no more
        self.assertTrue(data["until_precise"]["reached"])
        self.assertIn("until precise: 0.001 s measured reached in 2 repetition(s)", result.stdout)
        result, data = self.run_json("--repeat", "2")
        self.assertIsNone(data["until_precise"])

    def test_what_cannot_be_asked(self):
        base = ["run", "worker-pool", "--jobs", "100"]
        self.assert_usage_error([*base, "--max-repeat", "9"], "--max-repeat bounds --precision or --min-time")
        self.assert_usage_error([*base, "--precision", "2", "--repeat", "9", "--max-repeat", "5"], "is below --repeat 9")
        self.assert_usage_error([*base, "--precision", "0"], "--precision expects a percent from 0.1 to 100")
        self.assert_usage_error([*base, "--min-time", "soon"], "--min-time expects seconds")


class Compare(UsageErrors, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.base = os.path.join(cls.tmp.name, "base.json")
        result = conclab("run", "worker-pool", "--jobs", "300", "--models", "tbb,fibers", "--repeat", "5", "--warmup", "0",
                         "--quiet", "--json", cls.base)
        assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def derived(self, name, change):
        """A copy of the base results with each run changed by change(model, repetition, run)."""
        with open(self.base) as f:
            data = json.load(f)
        for result in data["results"]:
            for run in result["runs"]:
                change(result["model"], run["repetition"], run)
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            json.dump(data, f)
        return path

    def test_a_planted_regression_is_flagged(self):
        def slower_tbb(model, rep, run):
            if model == "tbb":
                # far beyond the spread of repetitions: 300 jobs take about 100 us, and
                # on a busy 2-core machine one run in five can take 5x the others (0.2 flaked)
                run["throughput_per_s"] *= 0.01
        path = self.derived("slow.json", slower_tbb)
        result = conclab("compare", self.base, path, "--fail-on-regression", "10")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("tbb", result.stderr)
        self.assertNotIn("fibers", result.stderr)  # unchanged: not flagged
        # as benchstat: per metric a table; the change of the medians with its interval, ~ where there is none
        throughput = result.stdout.split("throughput (items per second; higher is better)\n")[1].split("\n\n")[0]
        rows = {line.split()[1]: line for line in throughput.splitlines()[1:] if line.startswith("worker-pool")}
        # the interval's ends are run-by-run ratios: as wide as the runs' spread (under ASan ±90%), so only their form is held
        self.assertRegex(rows["tbb"], r"^worker-pool tbb +\S+/s ± \S+%? +\S+/s ± \S+%? +-99\.0% \[-\d+\.\d%, -\d+\.\d%\] +0\.\d{3} +5\+5$")
        self.assertRegex(rows["fibers"], r"^worker-pool fibers +\S+/s ± \S+ +\S+/s ± \S+ +~ +1\.000 +5\+5$")
        self.assertNotIn("e+0", result.stdout)  # human units, never an exponent
        self.assertIn("the change of the medians and its 9", result.stdout)  # what the intervals are, with their levels
        self.assertIn("worker-pool, in every case: ", result.stdout)
        self.assertIn("jobs=300", result.stdout.split("worker-pool, in every case: ")[1])

    def test_json_markdown_alpha_and_decimal_gates(self):
        # 100 times slower: no two runs overlap however noisy the base (5 vs 5, p = 0.008 < 0.01); half was not enough
        # for an ASan build, whose runs of 300 jobs spread more than 2x
        path = self.derived("slow2.json", lambda model, rep, run: run.update(throughput_per_s=run["throughput_per_s"] * 0.01)
                            if model == "tbb" else None)
        out = os.path.join(self.tmp.name, "cmp.json")
        md = os.path.join(self.tmp.name, "cmp.md")
        result = conclab("compare", self.base, path, "--json", out, "--md", md, "--alpha", "0.01", "--fail-on-regression", "2.5")
        self.assertEqual(result.returncode, 1, result.stderr)  # 99% worse, past 2.5%
        with open(out) as f:
            data = json.load(f)
        self.assertEqual(data["schema"], "conclab-comparison")
        self.assertEqual(data["alpha"], 0.01)
        tbb = next(c for c in data["cases"] if c["model"] == "tbb")
        throughput = next(m for m in tbb["metrics"] if m["metric"] == "throughput_per_s")
        self.assertAlmostEqual(throughput["ratio"], 0.01, places=6)
        self.assertLessEqual(throughput["ratio_low"], 0.01)
        self.assertGreaterEqual(throughput["ratio_high"], 0.01)
        self.assertEqual(throughput["verdict"], "worse")
        self.assertEqual(throughput["base"]["n"], 5)
        with open(md) as f:
            markdown = f.read()
        self.assertIn("**throughput (items per second; higher is better)**", markdown)
        self.assertIn("| case | base | new | vs base | p | n |", markdown)
        # at alpha 0.01, 5 runs a side can still tell (smallest p 0.008); the JSON alone on stdout, the tables on stderr
        result = conclab("compare", self.base, path, "--json", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["alpha"], 0.05)
        self.assertIn("throughput (items per second", result.stderr)
        self.assert_usage_error(["compare", self.base, path, "--alpha", "0.7"], "--alpha expects a significance level from 1e-06 to 0.5")
        self.assert_usage_error(["compare", self.base, path, "--fail-on-regression", "five"], "--fail-on-regression expects a percent")
        self.assert_usage_error(["compare", self.base, path, "--json", "-", "--md", "-"], "cannot both go to standard output")

    def test_a_side_measured_on_a_busy_machine_is_named(self):
        quiet = self.derived("quiet.json", lambda model, rep, run: run.update(machine_other_cores=0.0))
        busy = self.derived("busy.json", lambda model, rep, run: run.update(machine_other_cores=1.5 if model == "tbb" else 0.0))
        result = conclab("compare", quiet, busy, "--json", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("busy machine: the rest of the machine kept cores busy during these runs", result.stderr)
        self.assertIn("worker-pool tbb (new 1.50)", result.stderr)
        self.assertNotIn("worker-pool fibers (", result.stderr)
        cases = {c["model"]: c for c in json.loads(result.stdout)["cases"]}
        self.assertEqual((cases["tbb"]["base_other_cores"], cases["tbb"]["new_other_cores"]), (0.0, 1.5))

    def test_noise_is_not_flagged(self):
        # the same values in another order: nothing changed but which run got which
        with open(self.base) as f:
            data = json.load(f)
        shuffled = {r["model"]: [run["throughput_per_s"] for run in r["runs"]][::-1] for r in data["results"]}
        path = self.derived("same.json", lambda model, rep, run: run.update(throughput_per_s=shuffled[model][rep]))
        result = conclab("compare", self.base, path, "--fail-on-regression", "5")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("geometric mean of new/base: 1.000 (+0.0%)", result.stdout)
        self.assertNotRegex(result.stdout, r"[+-]\d+\.\d% \[")  # no change shown where none is significant: ~

    def test_provenance_is_said_first_and_a_gate_across_machines_is_refused(self):
        result = conclab("compare", self.base, self.base)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("both measured on "), result.stdout[:200])
        with open(self.base) as f:
            data = json.load(f)
        data["machine"]["cpu_model"] = "AMD EPYC 9654 96-Core Processor"
        data["machine"]["logical_cpus"] = data["machine"]["usable_cpus"] = 192
        data["conclab"]["git_commit"] = "0123456789ab"
        data["conclab"]["cxx_flags"] = "-std=c++20 -O2 -g"
        other = os.path.join(self.tmp.name, "epyc.json")
        with open(other, "w") as f:
            json.dump(data, f)
        result = conclab("compare", self.base, other)
        self.assertEqual(result.returncode, 0, result.stderr)
        head = result.stdout.split("\n\n")[0]
        self.assertIn("note: machines differ: ", head)
        self.assertIn(f"AMD EPYC 9654 96-Core Processor, 192 logical CPUs, x86_64 ({other})", head)
        self.assertIn("note: builds differ: ", head)
        self.assertIn("-O2 -g", head)
        self.assertIn("note: conclab commits differ: ", head)
        self.assert_usage_error(["compare", self.base, other, "--fail-on-regression", "5"], "across machines", "--across-machines")
        result = conclab("compare", self.base, other, "--fail-on-regression", "5", "--across-machines")
        self.assertEqual(result.returncode, 0, result.stderr)
        # another build alone is no reason to refuse: -O2 against -O3 is a question a user asks
        with open(self.base) as f:
            data["machine"] = json.load(f)["machine"]
        with open(other, "w") as f:
            json.dump(data, f)
        result = conclab("compare", self.base, other, "--fail-on-regression", "5")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("machines differ", result.stdout)
        self.assertIn("note: builds differ", result.stdout)
        # and the report says it at the top of its page and tables
        out = os.path.join(self.tmp.name, "report-prov")
        data["machine"]["logical_cpus"] = 64
        with open(other, "w") as f:
            json.dump(data, f)
        result = conclab("report", self.base, other, "-o", out)
        if result.returncode == 0:  # without matplotlib the report is refused; report.json is the model either way
            with open(os.path.join(out, "tables.md")) as f:
                tables = f.read()
            self.assertIn("**The files come from different machines, builds or commits**", tables.split("## ")[0])
            self.assertIn("machines differ", tables.split("## ")[0])
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
            self.assertLess(page.index("machines differ"), page.index("<h2>"))

    def test_files_that_cannot_be_compared(self):
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write("{not json")
        self.assert_usage_error(["compare", self.base, bad], "not JSON")
        self.assert_usage_error(["compare", self.base, os.path.join(self.tmp.name, "missing.json")], "cannot be read")
        other = self.derived("other.json", lambda model, rep, run: None)
        with open(other) as f:
            data = json.load(f)
        data["params"]["jobs"] = 301
        with open(other, "w") as f:
            json.dump(data, f)
        self.assert_usage_error(["compare", self.base, other], "no case in common")
        self.assert_usage_error(["compare", self.base, self.base, "--fail-on-regression", "-1"], "--fail-on-regression")


class Report(UsageErrors, unittest.TestCase):
    def test_report_renders_its_charts_in_headless_chromium_without_console_errors(self):
        import shutil
        with tempfile.TemporaryDirectory() as tmp:
            sweep, results, out = (os.path.join(tmp, n) for n in ["s.jsonl", "r.json", "report"])
            self.assertEqual(conclab(*sweep_grid("2,16"), "-o", sweep).returncode, 0)  # as text, 16 would sort before 2
            self.assertEqual(conclab("run", "url-fetch", "--requests", "40", "--concurrency", "4", "--repeat", "2",
                                     "--warmup", "0", "--quiet", "--json", results).returncode, 0)
            result = conclab("report", sweep, results, "-o", out, "--title", "test report", timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(sorted(os.listdir(out)), ["index.html", "report.json", "tables.csv", "tables.md"])
            with open(os.path.join(out, "report.json")) as f:
                model = json.load(f)
            self.assertEqual([s["name"] for s in model["scenarios"]], ["url-fetch", "worker-pool"])
            worker_pool = model["scenarios"][1]
            self.assertEqual(set(worker_pool["axes"]), {"workers", "work"})
            self.assertEqual(len(worker_pool["verdicts"]), 6)  # one per combination
            for verdict in worker_pool["verdicts"]:
                self.assertFalse(verdict["significant"])  # 2 runs a side can never be significant
            with open(os.path.join(out, "tables.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual(len(rows), 6 * 2 + 4)
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
            self.assertNotIn("http://", page.replace("http://127.0.0.1", ""))  # nothing to fetch: it opens offline
            # each scenario's code, side by side, as `conclab show --html` makes it; no claims without a workshop sweep
            self.assertEqual(page.count("<details class='listing' id='code-"), 2)
            self.assertIn(conclab("show", "worker-pool", "--html").stdout, page)
            self.assertNotIn("claims", model)
            import re
            # every chart titled and captioned; a single run (url-fetch here) has its throughput chart too
            titles = re.findall(r"<figure><img class='chart' [^>]*><figcaption><b>([^<]+)\.</b> [^<]{40,}</figcaption></figure>", page)
            self.assertEqual(len(titles), page.count("<img"))
            for title in ["Throughput: requests per second", "Throughput: jobs per second", "Throughput against work",
                          "Tail latency: p99", "Latency at every percentile", "Memory: peak RSS", "Memory per task", "CPU per item"]:
                self.assertIn(title, titles)
            self.assertIn("Log scale", page)  # each scale is said in its caption
            # human units, parameter values sorted as numbers
            with open(os.path.join(out, "tables.md")) as f:
                markdown = f.read()
            self.assertNotRegex(markdown, r"\de[+-]\d")  # no 1.1611e+07
            self.assertNotRegex(markdown, r"\| \d{6,}")  # no raw byte counts
            self.assertRegex(markdown, r"\| \d+(\.\d+)? (KiB|MiB) \|")
            self.assertRegex(markdown, r"\| \d+(\.\d+)? (µs|ms) \|")
            rows = [line.split(" | ")[0] for line in markdown.splitlines() if line.startswith("| work=0 ")]
            self.assertEqual(rows[0], "| work=0 workers=2")
            self.assertEqual(rows[-1], "| work=0 workers=16")
            self.assertNotIn("max-width:1400px", page)  # the page takes the window's width
            chromium = shutil.which("chromium")
            if chromium is None:
                self.skipTest("chromium is not installed (./setup.sh test installs it)")
            browser = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                                      "--v=0", "--virtual-time-budget=5000", "--dump-dom",
                                      "file://" + os.path.join(out, "index.html")],
                                     capture_output=True, text=True, timeout=120)
            # and a screenshot, to look at by hand (CONCLAB_REPORT_SCREENSHOT=FILE keeps it)
            shot = os.environ.get("CONCLAB_REPORT_SCREENSHOT") or os.path.join(tmp, "report.png")
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1600,4000",
                            "--screenshot=" + shot, "file://" + os.path.join(out, "index.html")], capture_output=True, timeout=120)
            with open(shot, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertEqual(browser.returncode, 0, browser.stderr[-2000:])
        body = re.search(r'<body data-charts-shown="(\d+)" data-charts="(\d+)">', browser.stdout)
        self.assertIsNotNone(body, "the page's load script did not run")
        shown, charts = int(body.group(1)), int(body.group(2))
        self.assertGreaterEqual(charts, 6)
        self.assertEqual(shown, charts)  # every chart decoded and laid out
        console = [line for line in browser.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
        self.assertEqual(console, [])

    def test_claims_from_the_workshop_sweep_in_the_docs(self):
        readme = os.environ.get("CONCLAB_README")
        self.assertIsNotNone(readme, "meson passes README.md as CONCLAB_README")
        results = os.path.join(os.path.dirname(readme), "docs", "workshop", "results")
        measured = os.path.join(results, "workshop-2cores.jsonl")
        cache_service = os.path.join(results, "cache-service-2cores.jsonl")
        result = conclab("claims", measured, cache_service)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("| claim | tested by | measured (medians) | verdict |"))
        self.assertIn("9 of 9 claims answered", result.stdout)
        answers = json.loads(conclab("claims", measured, cache_service, "--json").stdout)
        self.assertEqual(len(answers), 9)
        self.assertTrue(all(a["answered"] for a in answers))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "report")
            result = conclab("report", measured, cache_service, "-o", out, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(out, "report.json")) as f:
                self.assertEqual(json.load(f)["claims"], answers)
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
            self.assertIn("The claims, answered by measurement", page)
            self.assertEqual(page.count("<details class='listing' id='code-"), 6)
            self.assertIn("cache-service: worst latency per window over time", page)

    def test_a_sweep_over_threads_is_drawn_as_scaling_curves(self):
        with tempfile.TemporaryDirectory() as tmp:
            sweep, out = os.path.join(tmp, "s.jsonl"), os.path.join(tmp, "report")
            result = conclab("sweep", "worker-pool", "--threads", "1,2", "--workers", "1,2", "--jobs", "300", "--models", "tbb,threads",
                             "--repeat", "1", "--warmup", "0", "--quiet", "-o", sweep)
            self.assertEqual(result.returncode, 0, result.stderr)
            result = conclab("report", sweep, "-o", out, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(out, "report.json")) as f:
                scaling = json.load(f)["scenarios"][0]["scaling"]
            with open(os.path.join(out, "tables.md")) as f:
                tables = f.read()
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
        # tbb on its threads, one curve per workers; threads (the control group) on its workers, one per --threads
        axes = sorted((s["model"], s["axis"], json.dumps(s["others"])) for s in scaling["series"])
        self.assertEqual(axes, [("tbb", "threads", '{"workers": 1}'), ("tbb", "threads", '{"workers": 2}'),
                                ("threads", "workers", '{"threads": 1}'), ("threads", "workers", '{"threads": 2}')])
        for s in scaling["series"]:
            one, two = s["points"]
            self.assertEqual((one[0], one[2], one[3]), (1, 1.0, 1.0))
            self.assertAlmostEqual(two[2], two[1] / one[1])  # speedup: throughput at 2 over at 1
            self.assertAlmostEqual(two[3], two[2] / 2)       # efficiency: per thread
        self.assertIn("Scaling: throughput at T threads against 1 thread", tables)
        self.assertIn("| threads (by workers) threads=1 |", tables)
        self.assertIn("worker-pool: speedup and efficiency against threads", page)
        if os.cpu_count() < 4:
            self.assertIn("too few points for a curve", scaling["note"])

    def test_claims_of_a_file_without_the_workshops_cases_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            results = os.path.join(tmp, "r.json")
            self.assertEqual(conclab("run", "worker-pool", "--jobs", "100", "--repeat", "1", "--warmup", "0", "--quiet",
                                     "--json", results).returncode, 0)
            self.assert_usage_error(["claims", results], "no claim can be answered", "--preset workshop")
            self.assert_usage_error(["claims"], "files")

    def test_report_of_something_else_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w") as f:
                f.write("[1, 2]")
            self.assert_usage_error(["report", bad, "-o", os.path.join(tmp, "out")], "not a conclab results file")
            self.assertFalse(os.path.exists(os.path.join(tmp, "out")))
            self.assert_usage_error(["report", os.path.join(tmp, "missing.json"), "-o", os.path.join(tmp, "out")],
                                    "cannot be read")


class Baselines(UsageErrors, unittest.TestCase):
    """Named baselines, as criterion's --save-baseline / --baseline (issue 36): run and sweep save, compare and report
    read by name, `baselines` lists, saves and deletes; kept in $CONCLAB_BASELINES (docs/sweeps.md)."""
    RUN = ["run", "worker-pool", "--jobs", "300", "--models", "tbb,fibers", "--repeat", "4", "--warmup", "0", "--quiet"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.kept = os.environ.get("CONCLAB_BASELINES")
        cls.directory = os.path.join(cls.tmp.name, "baselines")
        os.environ["CONCLAB_BASELINES"] = cls.directory
        cls.after = os.path.join(cls.tmp.name, "after.json")
        result = conclab(*cls.RUN, "--save-baseline", "main")
        assert result.returncode == 0, result.stderr
        result = conclab(*cls.RUN, "--json", cls.after)
        assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        if cls.kept is None:
            os.environ.pop("CONCLAB_BASELINES", None)
        else:
            os.environ["CONCLAB_BASELINES"] = cls.kept
        cls.tmp.cleanup()

    def test_run_saves_and_compare_and_report_read_it_by_name(self):
        with open(os.path.join(self.directory, "main.json")) as f:
            saved = json.load(f)
        self.assertEqual(saved["schema"], "conclab-results")
        self.assertEqual(sorted(r["model"] for r in saved["results"]), ["fibers", "tbb"])
        result = conclab("compare", "--baseline", "main", self.after)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"case +main +new +vs main +p +n")
        out = os.path.join(self.tmp.name, "report")
        result = conclab("report", "--baseline", "main", self.after, "--label", "after", "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "report.json")) as f:
            model = json.load(f)
        self.assertEqual(model["comparison"]["labels"], ["main", "after"])
        self.assertEqual(len(model["comparison"]["changes"][0]["cases"]), 2)
        self.assertEqual([e["label"] for e in model["scenarios"][0]["earlier"]], ["main"])

    def test_listed_with_what_they_hold(self):
        result = conclab("baselines", "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        listed = json.loads(result.stdout)
        self.assertEqual(listed["directory"], self.directory)
        main = next(b for b in listed["baselines"] if b["name"] == "main")
        self.assertEqual(main["kind"], "run")
        self.assertIn("--save-baseline main", main["command"])
        self.assertRegex(conclab("baselines").stdout, r"\nmain +run +20\d\d-")

    def test_a_sweep_is_saved_whole_and_a_file_saved_by_hand(self):
        sweep = os.path.join(self.tmp.name, "s.jsonl")
        result = conclab(*sweep_grid("1", "300"), "-o", sweep, "--save-baseline", "grid")
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(sweep, "rb") as a, open(os.path.join(self.directory, "grid.jsonl"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertEqual(conclab("baselines", "save", "by-hand", self.after).returncode, 0)
        with open(self.after, "rb") as a, open(os.path.join(self.directory, "by-hand.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        # saved again as a sweep: replaced, one file per name
        self.assertEqual(conclab("baselines", "save", "by-hand", sweep).returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.directory, "by-hand.json")))
        self.assertTrue(os.path.exists(os.path.join(self.directory, "by-hand.jsonl")))
        self.assertEqual(conclab("baselines", "delete", "by-hand").returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.directory, "by-hand.jsonl")))

    def test_bad_names_and_missing_baselines_are_refused_before_anything_runs(self):
        self.assert_usage_error([*self.RUN, "--save-baseline", "../up"], "--save-baseline '../up'", "letters, digits")
        self.assert_usage_error(["compare", "--baseline", "mian", self.after], "no such baseline", "did you mean main?")
        self.assert_usage_error(["compare", "--baseline", "main", self.after, self.after], "takes one file")
        self.assert_usage_error(["report", "--baseline", "nothing", self.after, "-o", os.path.join(self.tmp.name, "x")],
                                "--baseline nothing: no such baseline")
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "x")))
        self.assert_usage_error([*sweep_grid("1", "300"), "-o", "-", "--save-baseline", "s"], "needs -o to be a file")
        self.assert_usage_error(["baselines", "delete", "nothing"], "no such baseline")
        with open(os.path.join(self.directory, "main.json"), "rb") as f:
            before = f.read()
        self.assert_usage_error(["baselines", "save", "main", __file__],
                                "not a conclab results or sweep file")
        with open(os.path.join(self.directory, "main.json"), "rb") as f:
            self.assertEqual(f.read(), before)  # nothing replaced by a file that is no results

    def test_the_directory_follows_xdg_data_home(self):
        with tempfile.TemporaryDirectory() as data:
            env = {k: v for k, v in os.environ.items() if k != "CONCLAB_BASELINES"}
            env["XDG_DATA_HOME"] = data
            result = subprocess.run([CONCLAB, "baselines", "--json"], capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(json.loads(result.stdout)["directory"], os.path.join(data, "conclab", "baselines"))
            env.pop("XDG_DATA_HOME")
            env["HOME"] = data
            result = subprocess.run([CONCLAB, "baselines", "--json"], capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(json.loads(result.stdout)["directory"], os.path.join(data, ".local", "share", "conclab", "baselines"))


class ManualAndCompletion(unittest.TestCase):
    """The man page and the bash completion meson installs, made from the command line itself (issue 36): every
    command, every scenario's every flag, nothing that --help does not have."""

    def test_the_man_page_has_every_command_and_flag(self):
        result = conclab("__man")
        self.assertEqual(result.returncode, 0, result.stderr)
        page = result.stdout
        self.assertTrue(page.startswith('.\\" Generated by `conclab __man`'))
        self.assertIn(".TH CONCLAB 1", page)
        listed = json.loads(conclab("list", "--json").stdout)
        for command in ["list", "run", "sweep", "merge", "compare", "report", "baselines", "show", "calibration", "claims", "serve"]:
            self.assertIn(f'.SS "conclab {command}', page, command)
        for scenario in listed["scenarios"]:
            self.assertIn('.SS "conclab run ' + scenario["name"].replace("-", "\\-") + '"', page)
            for param in scenario["parameters"]:
                self.assertIn("\\fB" + param["flag"].replace("-", "\\-") + "\\fR", page, param["flag"])
        for flag in ["--fail-on-regression", "--save-baseline", "--baseline", "--label", "--precision"]:
            self.assertIn("\\fB" + flag.replace("-", "\\-") + "\\fR", page, flag)
        for section in ["EXIT STATUS", "ENVIRONMENT", "CONCLAB_BASELINES", "FILES"]:
            self.assertIn(section, page)
        # roff: no help text line is read as a request (a line starting with . or ' that is not one of ours)
        for line in page.splitlines():
            if line.startswith((".", "'")):
                self.assertRegex(line, r"^\.(\\\"|TH|SH|SS|TP|PP|B|I|br) ?", line)
        if shutil.which("man"):
            with tempfile.NamedTemporaryFile("w", suffix=".1") as f:
                f.write(page)
                f.flush()
                shown = subprocess.run(["man", "-l", f.name], capture_output=True, text=True, env={**os.environ, "MANWIDTH": "80"})
                self.assertEqual(shown.returncode, 0, shown.stderr)
                self.assertIn("conclab run worker-pool", shown.stdout)

    def complete(self, *words, env=None):
        script = conclab("__completion").stdout
        with tempfile.NamedTemporaryFile("w", suffix=".bash") as f:
            f.write(script + "\nCOMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _conclab; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
            f.flush()
            result = subprocess.run(["bash", f.name, "conclab", *words], capture_output=True, text=True, timeout=30,
                                    env={**os.environ, **(env or {})})
        self.assertEqual(result.stderr, "")
        return [w for w in result.stdout.splitlines() if w]

    def test_bash_completes_commands_scenarios_flags_and_values(self):
        self.assertIn("baselines", self.complete(""))
        self.assertEqual(self.complete("run", "w"), ["worker-pool"])
        self.assertEqual(sorted(self.complete("run", "worker-pool", "--wo")), ["--work", "--workers"])
        self.assertIn("fibers,tbb", self.complete("run", "worker-pool", "--models", "fibers,t"))
        self.assertEqual(self.complete("run", "worker-pool", "--arrival", ""), ["constant", "poisson"])
        self.assertIn("workshop", self.complete("sweep", "--preset", "work"))
        self.assertIn("--fail-on-regression", self.complete("compare", "--f"))
        with tempfile.TemporaryDirectory() as saved:
            for name in ["main.json", "nightly.jsonl"]:
                open(os.path.join(saved, name), "w").close()
            self.assertEqual(self.complete("compare", "--baseline", "", env={"CONCLAB_BASELINES": saved}), ["main", "nightly"])


class Show(UsageErrors, unittest.TestCase):
    """conclab show: a scenario's model files side by side, from the files compiled in."""

    def test_every_scenario_side_by_side_within_the_width(self):
        for scenario in ["worker-pool", "url-fetch", "task-tree", "idle-tasks", "pipeline", "cache-service"]:
            for width in ["89", "200"]:
                result = conclab("show", scenario, "--width", width)
                self.assertEqual(result.returncode, 0, result.stderr)
                lines = result.stdout.splitlines()
                self.assertTrue(all(len(line) <= int(width) for line in lines), scenario)
                self.assertIn("── [run] ", result.stdout)
                if width == "200":  # four columns of 47: side by side, the titles (model, then file) on top
                    self.assertEqual(lines[0].split(), ["fibers", "│", "coroutines", "│", "tbb", "│", "threads"])
                    self.assertIn(f"scenarios/{scenario.replace('-', '_')}/coroutines.cpp", lines[1])
                else:  # 89: four columns would be 20 wide; two pairs, each headed by its models
                    self.assertTrue(lines[0].startswith("══ fibers and coroutines (1-2 of 4) "), lines[0])
                    self.assertIn("══ tbb and threads (3-4 of 4) ", result.stdout)

    def test_chosen_models_in_the_order_given(self):
        result = conclab("show", "worker-pool", "--models", "threads,fibers", "--width", "120")
        self.assertEqual(result.returncode, 0, result.stderr)
        first = result.stdout.splitlines()[0]
        self.assertEqual(first.split(), ["threads", "│", "fibers"])
        self.assertNotIn("coroutines", first)
        self.assertIn("sleep_for", result.stdout)  # the code itself, not a summary

    def test_html_for_the_workshop_and_the_report(self):
        result = conclab("show", "idle-tasks", "--html", "--models", "coroutines,threads")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith('<table class="listing">\n<tr><th>coroutines: scenarios/idle_tasks/coroutines.cpp</th>'))
        self.assertIn("<b>[task]</b>", result.stdout)
        self.assertIn("&lt;", result.stdout)  # the code's < are escaped
        self.assertNotIn("\n\n", result.stdout)  # Markdown would end the HTML block at a blank line
        self.assertNotIn("fibers:", result.stdout)
        self.assert_usage_error(["show", "idle-tasks", "--html", "--width", "100"], "--width is for the terminal")

    def test_bad_show_arguments(self):
        self.assert_usage_error(["show", "bogus"], "unknown scenario 'bogus'", "worker-pool")
        self.assert_usage_error(["show", "pipeline", "--models", "go"], "--models expects fibers, coroutines, tbb or threads", "'go'")
        self.assert_usage_error(["show", "pipeline", "--models", "tbb,tbb"], "tbb twice")
        self.assert_usage_error(["show", "pipeline", "--width", "50"], "--width expects a whole number from 89")
        self.assert_usage_error(["show"], "scenario")


class ResultsFiles(UsageErrors, unittest.TestCase):
    """report, compare, merge and --resume read results files alike (docs/reliability.md): a corrupt line is
    refused with its file and line, a cut-off last line is left out with a note, a run given twice counts once,
    two different results for one run are refused, and merge names the shards it lacks."""
    GRID = sweep_grid("1", "300")  # 1 x 3 x 2 models x 2 repetitions = 12 cases

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.sweep = os.path.join(cls.tmp.name, "s.jsonl")
        cls.results = os.path.join(cls.tmp.name, "r.json")
        for args in ([*cls.GRID, "-o", cls.sweep],
                     ["run", "worker-pool", "--jobs", "300", "--models", "tbb,fibers", "--repeat", "2", "--warmup", "0",
                      "--quiet", "--json", cls.results]):
            result = conclab(*args)
            assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def sweep_copy(self, name, edit):
        with open(self.sweep) as f:
            lines = f.readlines()
        with open(self.path(name), "w") as f:
            f.writelines(edit(lines))
        return self.path(name)

    def run_copy(self, name, change=lambda run: None):
        with open(self.results) as f:
            data = json.load(f)
        change(data["results"][0]["runs"][1])
        with open(self.path(name), "w") as f:
            json.dump(data, f)
        return self.path(name)

    def report_runs(self, *inputs):
        out = tempfile.mkdtemp(dir=self.tmp.name)
        result = conclab("report", *inputs, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "report.json")) as f:
            cases = [c for s in json.load(f)["scenarios"] for c in s["cases"]]
        return result, sorted({c["n"] for c in cases}), len(cases)

    def test_a_corrupt_line_anywhere_is_refused_by_every_reader(self):
        bad = self.sweep_copy("bad.jsonl", lambda lines: lines[:3] + ['{"case": garbage\n'] + lines[4:])
        # report and compare once skipped it (exit 0, a run silently gone); merge and --resume refused it
        self.assert_usage_error(["report", bad, "-o", self.path("out")], "bad.jsonl: line 4")
        self.assert_usage_error(["compare", self.sweep, bad], "bad.jsonl: line 4")
        self.assert_usage_error(["calibration", bad], "bad.jsonl: line 4")
        self.assert_usage_error(["merge", bad, "-o", self.path("out.jsonl")], "bad.jsonl: line 4")
        self.assert_usage_error([*self.GRID, "-o", bad, "--resume"], "bad.jsonl: line 4")
        self.assertFalse(os.path.exists(self.path("out")))
        self.assertFalse(os.path.exists(self.path("out.jsonl")))

    def test_a_cut_off_last_line_is_left_out_with_a_note(self):
        cut = self.sweep_copy("cut.jsonl", lambda lines: lines + [lines[1][:40]])
        result, n, cases = self.report_runs(cut)
        self.assertIn("cut.jsonl: line 14 is cut off", result.stderr)
        self.assertEqual((n, cases), ([2], 6))

    def test_a_run_given_twice_counts_once(self):
        # two overlapping inputs once made 4 runs of --repeat 2, and a p-value the data does not have
        result, n, _ = self.report_runs(self.results, self.run_copy("same.json"))
        self.assertEqual(n, [2])
        self.assertIn("counted once", result.stderr)
        twice = self.sweep_copy("twice.jsonl", lambda lines: lines + [lines[2]])
        result, n, cases = self.report_runs(twice)
        self.assertEqual((n, cases), ([2], 6))
        self.assertIn("twice.jsonl: line 14 repeats line 3", result.stderr)
        # --resume writes the file back without the repeated line, then runs nothing
        result = conclab(*self.GRID, "-o", twice, "--resume")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("line 14 repeats line 3", result.stderr)
        _, cases = read_sweep(twice)
        self.assertEqual(len(cases), 12)
        self.assertEqual(len(set(case_keys(cases))), 12)

    def test_two_results_for_one_run_are_before_and_after_in_a_report_and_refused_by_merge(self):
        other = self.run_copy("other.json", lambda run: run.update(throughput_per_s=run["throughput_per_s"] * 2))
        # the same cases measured twice: report shows them as before and after (issue 36), one set per file, named by it
        out = self.path("change")
        result = conclab("report", self.results, other, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "report.json")) as f:
            model = json.load(f)
        self.assertEqual(model["comparison"]["labels"], ["r.json", "other.json"])
        change = model["comparison"]["changes"][0]
        self.assertEqual((change["base_label"], change["label"]), ("r.json", "other.json"))
        self.assertEqual(sorted(c["model"] for c in change["cases"]), ["fibers", "tbb"])
        self.assertEqual([s["set"] for s in model["sources"]], ["r.json", "other.json"])
        with open(os.path.join(out, "tables.md")) as f:
            tables = f.read()
        self.assertIn("## other.json against r.json", tables)
        self.assertIn("| case | r.json | other.json | vs r.json | p | n |", tables)
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        self.assertIn("Before and after: other.json against r.json", page)
        self.assertIn("Throughput: other.json against r.json", page)
        # files join a set in order until one measures its cases again: the sweep (other cases) goes with other.json
        result = conclab("report", self.results, other, self.sweep, "-o", self.path("grouped"))
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.path("grouped"), "report.json")) as f:
            grouped = json.load(f)
        self.assertEqual(grouped["comparison"]["labels"], ["r.json", "other.json + s.jsonl"])
        self.assertEqual([s["set"] for s in grouped["sources"]], ["r.json", "other.json + s.jsonl", "other.json + s.jsonl"])
        # labels name the sets; a label for each file, or one for all; anything else is refused
        result = conclab("report", self.results, other, "--label", "main", "--label", "fix", "-o", self.path("labelled"))
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.path("labelled"), "report.json")) as f:
            self.assertEqual(json.load(f)["comparison"]["labels"], ["main", "fix"])
        self.assert_usage_error(["report", self.results, other, "--label", "a", "--label", "b", "--label", "c", "-o",
                                 self.path("x")], "--label given 3 times for 2 files")
        # one label for both: one set, and two results for one run cannot both be right
        self.assert_usage_error(["report", self.results, other, "--label", "both", "-o", self.path("x")], "r.json", "other.json",
                                "repetition 1", "different results", "--label")
        self.assertFalse(os.path.exists(self.path("x")))
        changed = self.sweep_copy("changed.jsonl", lambda lines: lines + [lines[2].replace('"items":300', '"items":301')])
        self.assert_usage_error(["merge", self.sweep, changed, "-o", self.path("out.jsonl")], "changed.jsonl: line 14",
                                "different results")
        self.assertFalse(os.path.exists(self.path("out.jsonl")))

    def test_report_writes_to_conclab_report_when_no_directory_is_given(self):
        with tempfile.TemporaryDirectory() as here:
            result = subprocess.run([CONCLAB, "report", self.results], capture_output=True, text=True, timeout=120, cwd=here)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(sorted(os.listdir(os.path.join(here, "conclab-report"))),
                             ["index.html", "report.json", "tables.csv", "tables.md"])
            self.assertIn("report: conclab-report/index.html", result.stderr)
        self.assert_usage_error(["report"], "report needs results")

    def test_a_busy_machine_is_flagged_in_the_report_whatever_the_runs_length(self):
        # issue 36: noise was flagged only in run's table, for runs of 0.5 s or more; the report never said it
        with open(self.results) as f:
            data = json.load(f)
        for result in data["results"]:
            for run in result["runs"]:
                run["machine_other_cores"] = 1.5 if result["model"] == "tbb" else 0.1
        busy = self.path("busy.json")
        with open(busy, "w") as f:
            json.dump(data, f)
        out = self.path("busy-report")
        result = conclab("report", busy, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(out, "report.json")) as f:
            scenario = json.load(f)["scenarios"][0]
        flags = {c["model"]: (c["noisy"], c["machine_other_cores"]) for c in scenario["cases"]}
        self.assertEqual(flags, {"tbb": (True, 1.5), "fibers": (False, 0.1)})
        self.assertTrue(any("tbb at" in line and "kept 1.50 cores busy" in line for line in scenario["problems"]), scenario["problems"])
        self.assertEqual(sorted(row[2] for row in scenario["table"]["rows"]), ["yes", "yes, busy"])
        self.assertTrue(scenario["verdicts"][0]["noisy"])
        self.assertIn("the machine was busy (1.50 other cores)", scenario["verdicts"][0]["text"])
        with open(os.path.join(out, "tables.md")) as f:
            tables = f.read()
        self.assertIn("kept 1.50 cores busy", tables)
        # the interval's level where its columns are (issue 36 item 3): 2 runs a case, [min, max] covers 50%
        self.assertIn("CI low, CI high: the median's 50% confidence interval", tables)
        with open(os.path.join(out, "index.html")) as f:
            self.assertIn("CI low, CI high: the median&#x27;s 50% confidence interval", f.read())

    def test_merge_names_the_shards_it_lacks_and_a_partial_merge_resumes(self):
        first, third, merged = self.path("1of3.jsonl"), self.path("3of3.jsonl"), self.path("partial.jsonl")
        for path, shard in [(first, "1/3"), (third, "3/3")]:
            result = conclab(*self.GRID, "--shard", shard, "-o", path)
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_usage_error(["merge", first, third, "-o", merged], "shard 2/3 is missing", "--allow-partial")
        self.assertFalse(os.path.exists(merged))
        result = conclab("merge", first, third, "--allow-partial", "-o", merged)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("2/3", result.stderr)
        header, cases = read_sweep(merged)
        self.assertEqual(header["missing_shards"], ["2/3"])
        self.assertLess(len(cases), 12)
        result = conclab(*self.GRID, "-o", merged, "--resume")  # the whole sweep's command fills the gap
        self.assertEqual(result.returncode, 0, result.stderr)
        _, cases = read_sweep(merged)
        self.assertEqual(len(cases), 12)
        self.assertEqual(len(set(case_keys(cases))), 12)


def leftover_cases(marker, grace_s=5.0):
    """Processes of conclab cases whose request holds `marker` that still run `grace_s` after the runner ended
    (none must outlive an interrupted run). A case killed as the runner ends may take a moment to go: under ASan, a
    case ending as Ctrl-C arrives has LeakSanitizer's tracer, a clone with the case's command line, which dies with
    its parent (PR_SET_PDEATHSIG) a little later. What is still there after the grace is left behind."""
    import time
    deadline = time.monotonic() + grace_s
    while True:
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        command = f.read().decode(errors="replace")
                except OSError:
                    continue
                if "__case" in command and marker in command:
                    found.append(pid)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


class Interruption(unittest.TestCase):
    """Ctrl-C: the case in flight stops at once, finished results stay in valid files, exit 130, no child left."""

    # tbb finishes in a fraction of a second, threads (one worker, 2 s of waits) is stopped mid-case
    RUN = ["run", "worker-pool", "--models", "tbb,threads", "--workers", "1", "--wait-us", "500", "--jobs", "4001",
           "--threads", "16", "--repeat", "1", "--warmup", "0"]

    def interrupt_after_first_case(self, args):
        import signal
        process = subprocess.Popen([CONCLAB, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        first = process.stderr.readline()  # the first case's progress line
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        out, err = process.communicate(timeout=60)  # a hang fails here
        return process.returncode, first, out, err

    def test_an_interrupted_run_keeps_what_finished(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            code, first, out, err = self.interrupt_after_first_case([*self.RUN, "--json", path])
            self.assertIn("tbb", first)
            self.assertEqual(code, 130, err)  # communicate()'s timeout guards against a hang; no speed is asserted
            self.assertIn("INTERRUPTED", out)
            with open(path) as f:
                data = json.load(f)
        self.assertTrue(data["interrupted"])
        runs = {r["model"]: r["runs"] for r in data["results"]}
        self.assertEqual(len(runs["tbb"]), 1)
        self.assertEqual(runs["tbb"][0]["status"], "ok")
        self.assertEqual(runs["threads"], [])
        self.assertEqual(leftover_cases('"jobs":4001'), [])

    def test_an_interrupted_sweep_leaves_a_valid_file_that_resumes(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            sweep = ["sweep", *self.RUN[1:], "--quiet", "-o", path]
            sweep.remove("--quiet")  # the progress lines tell when the first case is done
            code, first, out, err = self.interrupt_after_first_case(sweep)
            self.assertEqual(code, 130, err)
            self.assertIn("--resume", err)
            header, cases = read_sweep(path)  # every line complete JSON
            self.assertEqual(len(cases), 1)
            self.assertEqual(leftover_cases('"jobs":4001'), [])
            result = conclab(*sweep, "--resume", timeout=120)
            self.assertEqual(result.returncode, 0, result.stderr)
            header, cases = read_sweep(path)
        self.assertEqual(sorted(c["case"]["model"] for c in cases), ["tbb", "threads"])


class FailedRuns(unittest.TestCase):
    def test_a_case_past_its_timeout_fails_the_run_but_keeps_the_others(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            # 2000 jobs x 1 ms blocking sleep on 1 thread: ~2 s in tbb; the others take longer
            result = conclab("run", "worker-pool", "--models", "tbb", "--jobs", "3000", "--wait-us", "1000",
                             "--threads", "1", "--repeat", "1", "--warmup", "0", "--case-timeout", "1",
                             "--quiet", "--json", path)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertIn("FAILED", result.stdout)
            self.assertIn("timeout", result.stdout)
            with open(path) as f:
                data = json.load(f)
            self.assertEqual(data["results"][0]["status"], "failed")
            self.assertEqual(data["results"][0]["runs"][0]["status"], "timeout")


TINY = ["--jobs", "200", "--workers", "2", "--work", "0", "--models", "tbb,threads", "--repeat", "1", "--warmup", "0",
        "--quiet"]


class OutputPaths(UsageErrors, unittest.TestCase):
    RUN = ["run", "worker-pool", "--jobs", "100", "--models", "tbb", "--repeat", "1", "--warmup", "0", "--quiet"]

    @unittest.skipUnless(os.path.ismount("/sys"), "needs sysfs at /sys, where no file can be created")
    def test_a_directory_where_no_file_can_be_created_is_refused_before_any_case(self):
        # access() says root may write /sys; creating a file there fails. Once every case ran, then the write failed.
        self.assert_usage_error([*self.RUN, "--json", "/sys/conclab-results.json"], "--json /sys/conclab-results.json",
                                "cannot create a file in /sys")
        self.assert_usage_error([*self.RUN, "--csv", "/sys/conclab.csv"], "--csv /sys/conclab.csv")

    def test_results_are_kept_in_a_file_named_on_stderr_when_the_final_write_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run([CONCLAB, *self.RUN, "--json", "/dev/full"], capture_output=True, text=True, timeout=60,
                                    env={**os.environ, "TMPDIR": tmp})
            self.assertEqual(result.returncode, 1, result.stderr)
            kept = os.listdir(tmp)
            self.assertEqual(len(kept), 1, kept)
            self.assertIn("cannot write /dev/full", result.stderr)
            self.assertIn("the results are in " + os.path.join(tmp, kept[0]) + " instead", result.stderr)
            with open(os.path.join(tmp, kept[0])) as f:
                data = json.load(f)
            self.assertEqual(data["results"][0]["runs"][0]["status"], "ok")

    """Output paths never damage anything: - is standard output, a device, FIFO
    or symlink is written through and stays what it was, a regular file is
    replaced whole beside its real target (run as root in CI, as a user would)."""

    def test_json_dash_is_standard_output_and_the_table_goes_to_stderr(self):
        result = conclab("run", "worker-pool", *TINY, "--json", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["schema"], "conclab-results")  # stdout holds the JSON alone
        self.assertIn("tbb", result.stderr)  # the table
        self.assertFalse(os.path.exists("-"))

    def test_csv_dash_is_standard_output(self):
        result = conclab("run", "worker-pool", *TINY, "--csv", "-")
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = list(csv.DictReader(result.stdout.splitlines()))
        self.assertEqual(sorted(r["model"] for r in rows), ["tbb", "threads"])

    def test_both_to_standard_output_is_refused(self):
        self.assert_usage_error(["run", "worker-pool", *TINY, "--json", "-", "--csv", "-"], "at most one")

    def test_dev_stdout_is_written_through_not_replaced(self):
        # a pipe behind /dev/stdout -> /proc/self/fd/1: the symlink must survive (as root it could be renamed over)
        before = os.readlink("/dev/stdout")
        result = conclab("run", "worker-pool", *TINY, "--json", "/dev/stdout")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["schema"], "conclab-results")
        self.assertTrue(os.path.islink("/dev/stdout"))
        self.assertEqual(os.readlink("/dev/stdout"), before)

    def test_a_fifo_is_written_through(self):
        import threading
        with tempfile.TemporaryDirectory() as tmp:
            fifo = os.path.join(tmp, "pipe")
            os.mkfifo(fifo)
            got = []

            def read_all():
                with open(fifo) as f:
                    got.append(f.read())
            reader = threading.Thread(target=read_all)
            reader.start()
            result = conclab("run", "worker-pool", *TINY, "--json", fifo)
            reader.join(timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
            self.assertEqual(sorted(os.listdir(tmp)), ["pipe"])
        self.assertEqual(json.loads(got[0])["schema"], "conclab-results")

    def test_dev_null_stays_a_device(self):
        result = conclab("run", "worker-pool", *TINY, "--csv", "/dev/null")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))

    def test_a_symlink_stays_a_link_and_its_target_is_replaced_whole(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "real"))
            target = os.path.join(tmp, "real", "out.json")
            with open(target, "w") as f:
                f.write("old")
            link = os.path.join(tmp, "link.json")
            os.symlink("real/out.json", link)  # relative, resolved from the link's directory
            result = conclab("run", "worker-pool", *TINY, "--json", link)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(os.path.islink(link))
            with open(target) as f:
                self.assertEqual(json.load(f)["schema"], "conclab-results")
            self.assertEqual(sorted(os.listdir(tmp)), ["link.json", "real"])  # no temporary beside the link
            self.assertEqual(os.listdir(os.path.join(tmp, "real")), ["out.json"])

    def test_a_dangling_symlink_creates_its_target(self):
        with tempfile.TemporaryDirectory() as tmp:
            link = os.path.join(tmp, "link.csv")
            os.symlink(os.path.join(tmp, "new.csv"), link)
            result = conclab("run", "worker-pool", *TINY, "--csv", link)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(os.path.islink(link))
            self.assertTrue(os.path.isfile(os.path.join(tmp, "new.csv")))

    def test_sweep_and_merge_to_standard_output_and_through_symlinks(self):
        with tempfile.TemporaryDirectory() as tmp:
            grid = sweep_grid("1", "200")
            streamed = conclab(*grid, "-o", "-")
            self.assertEqual(streamed.returncode, 0, streamed.stderr)
            lines = [json.loads(line) for line in streamed.stdout.splitlines()]
            self.assertEqual(lines[0]["schema"], "conclab-sweep")
            self.assertEqual(len(lines) - 1, 3 * 2 * 2)
            self.assertIn("tbb", streamed.stderr)  # the summary went to stderr
            self.assert_usage_error([*grid, "-o", "-", "--resume"], "--resume needs -o to be a file")
            part = os.path.join(tmp, "part.jsonl")
            with open(part, "w") as f:
                f.write(streamed.stdout)
            link = os.path.join(tmp, "merged-link.jsonl")
            os.symlink("merged.jsonl", link)
            merged = conclab("merge", part, "-o", link)
            self.assertEqual(merged.returncode, 0, merged.stderr)
            self.assertTrue(os.path.islink(link))
            self.assertEqual(len(read_sweep(os.path.join(tmp, "merged.jsonl"))[1]), 3 * 2 * 2)
            to_stdout = conclab("merge", part, "-o", "-")
            self.assertEqual(to_stdout.returncode, 0, to_stdout.stderr)
            self.assertEqual(json.loads(to_stdout.stdout.splitlines()[0])["shard"], "merged")
            sweep_link = os.path.join(tmp, "sweep-link.jsonl")
            os.symlink("sweep.jsonl", sweep_link)
            self.assertEqual(conclab(*grid, "-o", sweep_link).returncode, 0)
            self.assertTrue(os.path.islink(sweep_link))
            self.assertEqual(len(read_sweep(os.path.join(tmp, "sweep.jsonl"))[1]), 3 * 2 * 2)

    def test_report_files_behind_symlinks_stay_links(self):
        with tempfile.TemporaryDirectory() as tmp:
            results = os.path.join(tmp, "r.json")
            self.assertEqual(conclab("run", "worker-pool", *TINY, "--json", results).returncode, 0)
            out = os.path.join(tmp, "report")
            os.mkdir(out)
            os.mkdir(os.path.join(tmp, "kept"))
            os.symlink(os.path.join(tmp, "kept", "tables.md"), os.path.join(out, "tables.md"))
            os.symlink(os.path.join(tmp, "kept", "report.json"), os.path.join(out, "report.json"))
            result = conclab("report", results, "-o", out, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(os.path.islink(os.path.join(out, "tables.md")))
            self.assertTrue(os.path.islink(os.path.join(out, "report.json")))
            self.assertEqual(sorted(os.listdir(os.path.join(tmp, "kept"))), ["report.json", "tables.md"])
            self.assert_usage_error(["report", results, "-o", "-"], "-o expects a directory")


class FailuresAreNeverSilent(UsageErrors, unittest.TestCase):
    """A failed case or a left-out model shows in the sweep's progress and in
    the report, with its reason; a regression gate that can never fire is refused."""

    def test_sweep_progress_and_report_name_failed_cases_and_left_out_models(self):
        with tempfile.TemporaryDirectory() as tmp:
            sweep, tree, out = (os.path.join(tmp, n) for n in ["s.jsonl", "t.jsonl", "report"])
            # threads: one worker sleeping 1 ms per job, 6 s in all, past a 2 s case timeout; tbb on 32 threads
            # sleeps 0.19 s (10x within the timeout, for a loaded machine under a sanitizer)
            result = conclab("sweep", "worker-pool", "--models", "tbb,threads", "--workers", "1", "--jobs", "6000",
                             "--wait-us", "1000", "--threads", "32", "--repeat", "1", "--warmup", "0",
                             "--case-timeout", "2", "-o", sweep)
            self.assertEqual(result.returncode, 1, result.stderr)
            failed_lines = [line for line in result.stderr.splitlines() if "threads #1" in line]
            self.assertEqual(len(failed_lines), 1, result.stderr)
            self.assertIn("timeout: ", failed_lines[0])  # the status and its reason, not just "error"
            self.assertIn("2 s", failed_lines[0])
            # task-tree: threads cannot hold 20000 leaves (OS threads), so the sweep leaves it out of that combination
            result = conclab("sweep", "task-tree", "--leaves", "10,20000", "--repeat", "1", "--warmup", "0", "--quiet",
                             "-o", tree)
            self.assertEqual(result.returncode, 0, result.stderr)
            header, _ = read_sweep(tree)
            self.assertEqual([(entry["model"], entry["params"]["leaves"]) for entry in header["left_out"]],
                             [("threads", 20000)])
            result = conclab("report", sweep, tree, "-o", out, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(out, "report.json")) as f:
                model = {s["name"]: s for s in json.load(f)["scenarios"]}
            self.assertEqual([(f["model"], f["status"]) for f in model["worker-pool"]["failed"]], [("threads", "timeout")])
            self.assertEqual([(left["model"], left["params"]) for left in model["task-tree"]["left_out"]],
                             [("threads", {"leaves": 20000})])
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
            with open(os.path.join(out, "tables.md")) as f:
                markdown = f.read()
            for text in (page, markdown):
                self.assertIn("threads failed (timeout, run) at", text)
                self.assertIn("threads left out at leaves=20000: ", text)
                self.assertIn("OS thread", text)

    def test_run_json_records_left_out_models_and_the_report_names_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            results, out = os.path.join(tmp, "r.json"), os.path.join(tmp, "report")
            result = conclab("run", "task-tree", "--leaves", "20000", "--repeat", "1", "--warmup", "0", "--quiet",
                             "--json", results)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(results) as f:
                self.assertEqual([entry["model"] for entry in json.load(f)["left_out"]], ["threads"])
            self.assertEqual(conclab("report", results, "-o", out, timeout=300).returncode, 0)
            with open(os.path.join(out, "tables.md")) as f:
                self.assertIn("threads left out at", f.read())

    def test_a_regression_gate_that_could_never_fire_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, now = os.path.join(tmp, "base.json"), os.path.join(tmp, "new.json")
            for path in (base, now):
                self.assertEqual(conclab("run", "worker-pool", *TINY[:-5], "--repeat", "3", "--warmup", "0", "--quiet",
                                         "--json", path).returncode, 0)
            self.assert_usage_error(["compare", base, now, "--fail-on-regression", "5"],
                                    "could never fire", "smallest possible p is 0.1", "at least 4 repetitions")
            plain = conclab("compare", base, now)  # without the gate it compares as before
            self.assertEqual(plain.returncode, 0, plain.stderr)


class MoreScenarios(UsageErrors, unittest.TestCase):
    """task-tree, idle-tasks and pipeline through the CLI: every model verified,
    their own metrics in the JSON, and models that cannot run a case left out
    with a reason (no --models) or refused (--models names them)."""

    def run_json(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.json")
            result = conclab("run", *args, "--repeat", "1", "--warmup", "0", "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(path) as f:
                return json.load(f), result

    def test_list_names_the_new_scenarios(self):
        listing = conclab("list").stdout
        for name in ["task-tree", "idle-tasks", "pipeline", "--leaves", "--fanout", "--stack-kb", "--wait-ms", "--parallelism"]:
            self.assertIn(name, listing)

    def test_task_tree_in_every_model(self):
        data, _ = self.run_json("task-tree", "--leaves", "2000", "--fanout", "10")
        self.assertEqual([r["model"] for r in data["results"]], MODELS)
        for result in data["results"]:
            run = result["runs"][0]
            self.assertTrue(run["verified"], result)
            self.assertEqual(run["items"], 3111)  # 2000 leaves + 1000 + 100 + 10 + 1 parents
            self.assertEqual(run["checksum"], f"0x{2000 * 1999 // 2:016x}")
            self.assertGreater(run["ns_per_task"], 0)

    def test_a_tree_too_big_for_os_threads_leaves_threads_out_and_says_why(self):
        data, result = self.run_json("task-tree", "--leaves", "20000")
        self.assertEqual([r["model"] for r in data["results"]], ["fibers", "coroutines", "tbb"])
        self.assertIn("conclab: threads left out: leaves=20000", result.stderr)
        self.assertIn("8889 leaves fit", result.stderr)

    def test_naming_a_model_that_cannot_run_the_case_is_an_error(self):
        self.assert_usage_error(["run", "task-tree", "--leaves", "20000", "--models", "fibers,threads"], "OS thread", "8889 leaves fit")
        self.assert_usage_error(["run", "idle-tasks", "--tasks", "1000000", "--models", "tbb"], "vm.max_map_count")
        self.assert_usage_error(["run", "task-tree", "--stack-kb", "8"], "--stack-kb")

    def test_a_sweep_leaves_a_model_out_of_the_combinations_it_cannot_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            result = conclab("sweep", "task-tree", "--leaves", "10,20000", "--repeat", "1", "--warmup", "0",
                             "--quiet", "-o", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            header, cases = read_sweep(path)
        self.assertIn("threads left out of task-tree", result.stderr)
        by_leaves = {}
        for case in cases:
            self.assertEqual(case["status"], "ok")
            by_leaves.setdefault(case["case"]["params"]["leaves"], []).append(case["case"]["model"])
        self.assertEqual(sorted(by_leaves[10]), sorted(MODELS))
        self.assertEqual(sorted(by_leaves[20000]), ["coroutines", "fibers", "tbb"])

    def test_idle_tasks_in_every_model(self):
        data, _ = self.run_json("idle-tasks", "--tasks", "300", "--wait-ms", "30")
        self.assertEqual([r["model"] for r in data["results"]], MODELS)
        for result in data["results"]:
            run = result["runs"][0]
            self.assertTrue(run["verified"], result)
            self.assertEqual(run["items"], 300)
            self.assertEqual(run["latency_count"], 300)
            self.assertGreaterEqual(run["wall_s"], 0.03)  # a timer never fires early
            self.assertLessEqual(run["peak_alive"], 300)
            self.assertIn("spawn_s", run)
            self.assertIn("heap_bytes_per_task", run)

    def test_pipeline_in_every_model(self):
        data, _ = self.run_json("pipeline", "--items", "3000", "--parallelism", "3", "--buffer", "7")
        self.assertEqual([r["model"] for r in data["results"]], MODELS)
        for result in data["results"]:
            run = result["runs"][0]
            self.assertTrue(run["verified"], result)
            self.assertEqual(run["items"], 3000)
            self.assertEqual(run["latency_count"], 3000)


class NarrowTerminals(unittest.TestCase):
    """Issue 36 item 7: at 80 columns the run table was 82 wide and its notes ran to 181 characters."""

    def test_the_run_table_and_its_notes_fit_the_width(self):
        for width in (80, 100):
            result = subprocess.run([CONCLAB, "run", "worker-pool", *SMALL], capture_output=True, text=True, timeout=120,
                                    env={**os.environ, "COLUMNS": str(width)})
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = result.stdout.splitlines()
            self.assertLessEqual(max(len(line) for line in lines), width, result.stdout)
            self.assertTrue(any(line.startswith("fibers ") for line in lines))
        # what was left out to fit is named, and --wide keeps every column whatever the width
        narrow = subprocess.run([CONCLAB, "run", "worker-pool", *SMALL], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "COLUMNS": "80"}).stdout
        self.assertIn("Left out to fit 80 columns: cores", narrow.replace("\n  ", " "))
        wide = subprocess.run([CONCLAB, "run", "worker-pool", *SMALL, "--wide"], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "COLUMNS": "80"}).stdout
        self.assertRegex(wide, r"\nmodel +verified .* cores .*invol cs\n")
        # no width asked (a pipe without COLUMNS): nothing left out
        piped = subprocess.run([CONCLAB, "run", "worker-pool", *SMALL], capture_output=True, text=True, timeout=120,
                               env={k: v for k, v in os.environ.items() if k != "COLUMNS"}).stdout
        self.assertNotIn("Left out to fit", piped)
        self.assertRegex(piped, r"\nmodel +verified .*RSS MiB +cores\n")

    def test_list_lines_up_every_variant_within_the_width(self):
        result = subprocess.run([CONCLAB, "list"], capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "100"})
        lines = result.stdout.splitlines()
        self.assertLessEqual(max(len(line) for line in lines), 100)
        variants = [line for line in lines if re.match(r"^  [a-z]+/[a-z-]+ +\(", line)]
        self.assertGreaterEqual(len(variants), 10)
        self.assertEqual(len({line.index("(") for line in variants}), 1, variants)  # coroutines/beast-streams too

    def test_show_pairs_the_models_when_narrow_and_marks_what_differs(self):
        result = subprocess.run([CONCLAB, "show", "worker-pool", "--width", "100"], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertLessEqual(max(len(line) for line in lines), 100)
        self.assertTrue(lines[0].startswith("══ fibers and coroutines (1-2 of 4) "), lines[0])
        self.assertIn("══ tbb and threads (3-4 of 4) ", result.stdout)
        self.assertIn("scenarios/worker_pool/coroutines.cpp", result.stdout)  # a path whole, not cut mid-word
        self.assertTrue(any(line.startswith("+ ") for line in lines))  # code where the models differ, marked
        self.assertIn("+ code that not every other model has in that role", result.stdout)
        wide = subprocess.run([CONCLAB, "show", "worker-pool", "--width", "180"], capture_output=True, text=True, timeout=60).stdout
        self.assertNotIn("══", wide)  # four columns fit side by side


class Variants(UsageErrors, unittest.TestCase):
    """A variant runs beside its model as a model of its own, everywhere:
    the table, the JSON (with its base model), sweeps, reports and compare."""

    def test_list_names_every_variant_with_what_it_changes(self):
        result = conclab("list")
        self.assertEqual(result.returncode, 0)
        for token in ["fibers/guard-pages", "tbb/suspend", "tbb/ordered", "fibers/ordered"]:
            line = [line for line in result.stdout.splitlines() if line.strip().startswith(token + " ")]
            self.assertEqual(len(line), 1, token)
        self.assertIn("(url-fetch)", result.stdout)
        self.assertIn("(every scenario)", result.stdout)

    def test_a_model_and_its_variant_side_by_side(self):
        with tempfile.TemporaryDirectory() as tmp:
            path, out = os.path.join(tmp, "r.json"), os.path.join(tmp, "report")
            result = conclab("run", "worker-pool", "--jobs", "300", "--workers", "2", "--models", "fibers,fibers/guard-pages",
                             "--repeat", "2", "--warmup", "0", "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            rows = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("fibers")]
            self.assertEqual(rows, ["fibers", "fibers/guard-pages"])
            with open(path) as f:
                data = json.load(f)
            self.assertEqual([(r["model"], r["base_model"]) for r in data["results"]],
                             [("fibers", "fibers"), ("fibers/guard-pages", "fibers")])
            compared = conclab("compare", path, path)
            self.assertEqual(compared.returncode, 0, compared.stderr)
            self.assertIn("fibers/guard-pages", compared.stdout)
            self.assertEqual(conclab("report", path, "-o", out, timeout=300).returncode, 0)
            with open(os.path.join(out, "report.json")) as f:
                models = {case["model"] for case in json.load(f)["scenarios"][0]["cases"]}
            self.assertEqual(models, {"fibers", "fibers/guard-pages"})

    def test_a_sweep_runs_a_variant_of_its_scenario(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            result = conclab("sweep", "pipeline", "--items", "200,400", "--models", "tbb,tbb/ordered", "--repeat", "1",
                             "--warmup", "0", "--quiet", "-o", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            header, cases = read_sweep(path)
        self.assertEqual(header["schema_version"], 2)
        self.assertEqual(sorted((c["case"]["model"], c["case"]["base_model"]) for c in cases),
                         [("tbb", "tbb"), ("tbb", "tbb"), ("tbb/ordered", "tbb"), ("tbb/ordered", "tbb")])

    def test_a_variant_of_another_scenario_or_none_is_refused(self):
        self.assert_usage_error(["run", "worker-pool", "--models", "tbb/suspend"], "variant of url-fetch only")
        self.assert_usage_error(["run", "worker-pool", "--models", "fibers/turbo"], "unknown model 'fibers/turbo'",
                                "fibers/guard-pages")


class Peers(UsageErrors, unittest.TestCase):
    """The real Go and Rust programs as models (docs/calibration.md). Without
    them the commands say how to build them; with them (-Dpeers=enabled,
    which meson tells this test in CONCLAB_PEERS_BUILT) every scenario runs
    in a model and its peer side by side, and a sweep ends with the ratios."""

    NOWHERE = {"CONCLAB_PEERS_DIR": "/nonexistent/conclab-peers"}

    def without_peers(self, *args):
        return subprocess.run([CONCLAB, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **self.NOWHERE})

    def test_a_peer_that_is_not_built_says_how_to_build_it(self):
        for peer in PEERS:
            result = self.without_peers("run", "worker-pool", "--models", f"fibers,{peer}", "--jobs", "100")
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertEqual(result.stdout, "")
            self.assertIn(f"{peer} is a real-", result.stderr)
            self.assertIn("./setup.sh peers", result.stderr)
        listed = self.without_peers("list")
        self.assertIn("none built here: ./setup.sh peers builds go,tokio,rayon,rust-threads", listed.stdout)

    def test_peer_tokens_are_checked(self):
        self.assert_usage_error(["run", "worker-pool", "--models", "go/fast"], "unknown model 'go/fast'", "the peers go,tokio")
        self.assert_usage_error(["calibration"], "files is required")

    def test_calibration_needs_a_model_beside_its_peer(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "models.json")
            result = conclab("run", "worker-pool", "--jobs", "200", "--models", "fibers,tbb", "--repeat", "1", "--quiet", "--json", path)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assert_usage_error(["calibration", path], "both a model and its peer", "--preset calibration")

    def test_the_calibration_preset_asks_for_the_peers(self):
        result = self.without_peers("sweep", "--preset", "calibration", "-o", "/tmp/conclab-calibration-never.jsonl")
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("./setup.sh peers", result.stderr)
        self.assertFalse(os.path.exists("/tmp/conclab-calibration-never.jsonl"))

    def test_open_loop_leaves_the_peers_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            stub = os.path.join(tmp, "conclab-peer-go")  # a peer that is "built": refused before it would run
            with open(stub, "w") as f:
                f.write("#!/bin/sh\nexit 3\n")
            os.chmod(stub, 0o755)
            result = subprocess.run([CONCLAB, "run", "worker-pool", "--models", "fibers,go", "--rate", "1000", "--jobs", "100"],
                                    capture_output=True, text=True, timeout=60, env={**os.environ, "CONCLAB_PEERS_DIR": tmp})
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("go runs closed loop only", result.stderr)

    SMALL = {
        "worker-pool": ["--jobs", "2000"],
        "url-fetch": ["--requests", "300", "--concurrency", "8", "--delay-us", "100"],
        "task-tree": ["--leaves", "1000"],
        "idle-tasks": ["--tasks", "500", "--wait-ms", "20"],
        "pipeline": ["--items", "2000"],
    }

    def test_every_scenario_runs_beside_the_peers(self):
        if not os.environ.get("CONCLAB_PEERS_BUILT"):
            self.skipTest("the peers are not built in this build (./setup.sh peers)")
        models = ["fibers", "go", "coroutines", "tokio", "tbb", "rayon", "threads", "rust-threads"]
        for scenario, small in self.SMALL.items():
            with self.subTest(scenario=scenario), tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "r.json")
                result = conclab("run", scenario, *small, "--models", ",".join(models), "--repeat", "1", "--quiet",
                                 "--json", path, timeout=300)
                self.assertEqual(result.returncode, 0, result.stderr)
                rows = [line.split()[0] for line in result.stdout.splitlines() if line.split()[:1] and line.split()[0] in models]
                self.assertEqual(rows, models, result.stdout)  # one table, in the order asked
                with open(path) as f:
                    data = json.load(f)
                for entry in data["results"]:
                    self.assertEqual(entry["status"], "ok", entry)
                    self.assertEqual(entry["base_model"], entry["model"])
                    run = entry["runs"][0]
                    self.assertTrue(run["verified"])
                    self.assertGreater(run["peak_rss_bytes"], 0)
                go = next(e for e in data["results"] if e["model"] == "go")
                self.assertIn("gc_cycles", go["runs"][0])

    def test_a_sweep_of_models_and_peers_ends_with_the_ratios(self):
        if not os.environ.get("CONCLAB_PEERS_BUILT"):
            self.skipTest("the peers are not built in this build (./setup.sh peers)")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "s.jsonl")
            result = conclab("sweep", "worker-pool", "--jobs", "1000,2000", "--models", "fibers,go,tbb,rayon", "--repeat", "3",
                             "--warmup", "0", "--quiet", "-o", path, timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("fibers/go", result.stdout)
            again = conclab("calibration", path)
            self.assertEqual(again.returncode, 0, again.stderr)
            lines = [line for line in again.stdout.splitlines() if line.startswith("worker-pool jobs=")]
            # each case: its headline row (jobs/s), then its p99 row
            rows = [line for line in lines if " jobs/s " in line]
            self.assertEqual(len(rows), 2, again.stdout)
            self.assertEqual(len([line for line in lines if " p99 " in line]), 2, again.stdout)
            for row in rows:
                cells = row.split()
                # fibers/go and tbb/rayon have a ratio and an interval, the other two pairs none
                self.assertRegex(row, r"jobs/s\s+\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\]", row)
                self.assertEqual(cells.count("-"), 2, row)
            self.assertIn("at 90% or more", again.stdout)
            # the report has the same view, and charts the peers beside their models
            out = os.path.join(tmp, "report")
            report = conclab("report", path, "-o", out, timeout=300)
            self.assertEqual(report.returncode, 0, report.stderr)
            with open(os.path.join(out, "index.html")) as f:
                page = f.read()
            self.assertIn("Calibration: each model against its real Go or Rust peer", page)
            self.assertIn("fibers/go", page)


def on_terminal(*args, env=None, timeout=120):
    """conclab with stdout and stderr on a pseudo-terminal, as a user at a terminal meets it: (exit code, all it wrote)."""
    import pty
    import select
    master, slave = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen([CONCLAB, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=environment)
    os.close(slave)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                process.kill()
                raise AssertionError(f"{args}: no output for {timeout} s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        process.wait(timeout=timeout)
    return process.returncode, out.decode(errors="replace")


class TerminalOutput(UsageErrors, unittest.TestCase):
    """On a terminal: a progress bar with the time left, colour (unless NO_COLOR, TERM=dumb or --color never);
    in a pipe: plain lines; the default table narrow, --wide all of it."""

    RUN = ["run", "worker-pool", "--jobs", "300", "--workers", "4", "--work", "10", "--repeat", "2", "--warmup", "0"]
    BOLD, GREEN, RED = "\033[1m", "\033[32m", "\033[1;31m"

    def test_a_run_on_a_terminal_shows_a_progress_bar_with_the_time_left_and_colour(self):
        code, out = on_terminal(*self.RUN)
        self.assertEqual(code, 0, out)
        self.assertIn("\r\033[K[", out)  # the bar, redrawn in place
        self.assertRegex(out, r"8/8 cases, \dm\d\ds left, ")
        # the case running now named on the bar (issue 36: it never said which), cut to the terminal's line
        self.assertRegex(out, r"0/8 cases, \? left, 0 failed · now worker-pool \S+ #1")
        for width in (100, 90):
            _, narrow = on_terminal(*self.RUN, env={"COLUMNS": str(width)})  # a pty of no size: $COLUMNS is the width
            bars = [line.split("\n")[0] for line in narrow.split("\r\033[K") if "cases," in line]
            self.assertTrue(all(len(re.sub(r"\033\[[0-9;]*m", "", bar)) <= width for bar in bars), bars)
            self.assertTrue(any("· now worker-pool" in bar for bar in bars), bars)
        self.assertIn(self.BOLD + "model" + "\033[0m", out)
        self.assertIn(self.GREEN + "2/2" + "\033[0m", out)

    def test_no_color_dumb_terminals_and_color_never_turn_colour_off_on_a_terminal(self):
        for env, flags in [({"NO_COLOR": "1"}, []), ({"TERM": "dumb"}, []), ({}, ["--color", "never"]),
                           ({}, ["--colour=never"])]:
            with self.subTest(env=env, flags=flags):
                code, out = on_terminal(*self.RUN, *flags, env=env)
                self.assertEqual(code, 0, out)
                self.assertIn("8/8 cases", out)  # still a bar: colour and progress are separate choices
                self.assertNotIn("\033[1m", out)
                self.assertNotIn("\033[32m", out)

    def test_in_a_pipe_progress_is_plain_lines_and_colour_only_when_asked(self):
        result = conclab(*self.RUN)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("\033", result.stdout + result.stderr)
        self.assertRegex(result.stderr, r"(?m)^\[8/8, \dm\d\ds left\] worker-pool ")
        for env in [{}, {"NO_COLOR": "1"}]:  # an explicit --color always wins over NO_COLOR
            forced = subprocess.run([CONCLAB, "--color", "always", *self.RUN], capture_output=True, text=True, timeout=120,
                                    env={**os.environ, **env})
            self.assertEqual(forced.returncode, 0, forced.stderr)
            self.assertIn(self.BOLD + "model", forced.stdout)

    def test_errors_are_red_when_coloured_and_a_bad_color_is_named(self):
        result = conclab("run", "bogus", "--color", "always")
        self.assertEqual(result.returncode, 2)
        self.assertTrue(result.stderr.startswith("conclab: " + self.RED + "error:\033[0m unknown scenario 'bogus'"), result.stderr)
        self.assert_usage_error(["run", "worker-pool", "--color", "sometimes"], "--color expects never, auto or always, got 'sometimes'")
        self.assert_usage_error(["list", "--color"], "--color expects never, auto or always")
        self.assertIn("--color", conclab("--help").stdout)

    def test_the_default_table_keeps_the_most_read_columns_and_wide_shows_all(self):
        def header(result):
            self.assertEqual(result.returncode, 0, result.stderr)
            return next(line for line in result.stdout.splitlines() if line.startswith("model "))
        narrow = conclab(*self.RUN, "--quiet")
        self.assertEqual(header(narrow).split(), ["model", "verified", "wall", "jobs/s", "CI", "+-", "p50", "us", "p99", "us",
                                                  "p99.9", "us", "RSS", "MiB", "cores"])
        self.assertIn("--wide adds p90 us, p99.99 us, max us, KiB/task, user s, sys s, vol cs, invol cs.", narrow.stdout)
        table = [line for line in narrow.stdout.splitlines() if line.split()[:1] in (["model"], *[[m] for m in MODELS])]
        self.assertEqual(len(table), 5, narrow.stdout)
        self.assertLessEqual(max(len(line) for line in table), 100)
        wide = conclab(*self.RUN, "--quiet", "--wide")
        for column in ["p90 us", "max us", "KiB/task", "user s", "sys s", "vol cs", "invol cs"]:
            self.assertIn(column, header(wide))
        self.assertNotIn("--wide adds", wide.stdout)
        markdown = conclab(*self.RUN, "--quiet", "--wide", "--md", "-")
        self.assertIn("| invol cs |", markdown.stdout)


class WorkshopCommandsAsWritten(unittest.TestCase):
    """Issue 36 item 9: the workshop's commands work as written. `claims *.jsonl` was refused once workshop.jsonl
    stood beside the step files; "..." left the reader to guess a command; every "then try" command is whole."""

    def test_no_wildcard_over_the_step_files_and_no_elided_command(self):
        workshop = os.path.join(os.path.dirname(os.environ["CONCLAB_README"]), "docs", "workshop")
        for name in sorted(os.listdir(workshop)):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(workshop, name)) as f:
                text = f.read()
            self.assertNotRegex(text, r"conclab (claims|report) \*\.jsonl", name)
        with open(os.path.join(workshop, "handout.md")) as f:
            handout = f.read()
        commands = re.findall(r"`(conclab [^`]*|\.\.\. [^`]*)`", handout)
        self.assertGreater(len(commands), 20)
        for command in commands:
            self.assertFalse(command.startswith("..."), command)
            if command.startswith("conclab run "):  # each parses: a scenario, and flags that scenario has
                args = command.split()[1:]
                scenario = args[1]
                flags = {p["flag"] for s in json.loads(conclab("list", "--json").stdout)["scenarios"] if s["name"] == scenario
                         for p in s["parameters"]}
                flags |= {"--models", "--repeat", "--threads", "--wide", "--help"}
                for arg in args[2:]:
                    if arg.startswith("--"):
                        self.assertIn(arg, flags, command)
        self.assertIn("| look at |", handout)


class ReadmeStaysTrue(unittest.TestCase):
    """The README's example tables have the columns `run` prints today: each
    example block starts with the line `run` prints first ("worker-pool: ..."),
    and its header line must equal the one a small run of that scenario prints."""

    SMALL_RUNS = {
        "worker-pool": ["--jobs", "200", "--workers", "2"],
        "url-fetch": ["--requests", "20", "--concurrency", "2"],
        "task-tree": ["--leaves", "100"],
        "idle-tasks": ["--tasks", "20", "--wait-ms", "1"],
        "pipeline": ["--items", "200"],
    }

    def examples(self):
        readme = os.environ.get("CONCLAB_README")
        self.assertIsNotNone(readme, "meson passes README.md as CONCLAB_README")
        with open(readme) as f:
            blocks = f.read().split("```")[1::2]  # the fenced blocks
        found = []
        for block in blocks:
            lines = block.strip("\n").splitlines()
            headers = [line for line in lines if line.split()[:2] == ["model", "verified"]]
            if headers:
                self.assertIn(":", lines[0], f"an example table without its first line: {lines[0]!r}")
                found.append((lines[0].split(":")[0], headers[0]))
        return found

    def test_every_example_table_has_the_columns_run_prints(self):
        examples = self.examples()
        self.assertGreaterEqual(len(examples), 2)
        for scenario, header in examples:
            self.assertIn(scenario, self.SMALL_RUNS, f"README example of an unknown scenario {scenario!r}")
            result = conclab("run", scenario, *self.SMALL_RUNS[scenario], "--repeat", "1", "--warmup", "0", "--quiet",
                             timeout=300)
            self.assertEqual(result.returncode, 0, result.stderr)
            printed = [line for line in result.stdout.splitlines() if line.split()[:2] == ["model", "verified"]]
            self.assertEqual(len(printed), 1, result.stdout)
            self.assertEqual(header.split(), printed[0].split(),
                             f"README's {scenario} example has other columns than `conclab run {scenario}` prints: "
                             "regenerate it (the commands are next to it)")


def shard(spec):
    """The tests of shard K of N ("K/N"): every N-th, from the K-th, by name."""
    k, n = (int(x) for x in spec.split("/"))
    if not 1 <= k <= n:
        raise SystemExit(f"cli_test.py: --shard expects K/N with 1 <= K <= N, not {spec}")

    def flat(suite):
        for test in suite:
            yield from flat(test) if isinstance(test, unittest.TestSuite) else [test]

    tests = sorted(flat(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])), key=lambda t: t.id())
    return unittest.TestSuite(tests[k - 1::n])


if __name__ == "__main__":
    CONCLAB = os.path.abspath(sys.argv.pop(1))
    if len(sys.argv) > 2 and sys.argv[1] == "--shard":
        result = unittest.TextTestRunner(verbosity=2).run(shard(sys.argv[2]))
        sys.exit(0 if result.wasSuccessful() else 1)
    unittest.main(verbosity=2)
