#!/usr/bin/env python3
"""The report script's own rules (src/results/conclab_report.py): numbers
in conclab's human units (the scales conclab gives it, applied as conclab
applies them: checked against conclab's own formatting of samples), never
an exponent; parameter values sorted as numbers; the scale of an axis
chosen by the span of its values.

usage: report_script_test.py PATH_TO_conclab_report.py PATH_TO_conclab"""
import importlib.util
import json
import subprocess
import sys
import unittest

spec = importlib.util.spec_from_file_location("conclab_report", sys.argv.pop(1))
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)
CONCLAB_UNITS = json.loads(subprocess.run([sys.argv.pop(1), "__units"], capture_output=True, text=True, check=True).stdout)
report.use_units(CONCLAB_UNITS["units"])


class HumanUnits(unittest.TestCase):
    def test_the_script_formats_as_conclab_does(self):
        for scale, value, text in CONCLAB_UNITS["samples"]:
            self.assertEqual(report.in_units(value, scale), text, f"{value} on {scale}")

    def test_counts(self):
        self.assertEqual(report.human_count(11611000.0), "11.6M")
        self.assertEqual(report.human_count(58500), "58.5k")
        self.assertEqual(report.human_count(999), "999")
        self.assertEqual(report.human_count(0.473), "0.473")
        self.assertEqual(report.human_count(None), "-")
        self.assertEqual(report.human_count(999600), "1M")  # not 1e+03k
        self.assertEqual(report.human_count(999.7), "1000")

    def test_bytes(self):
        self.assertEqual(report.human_bytes(25276510208), "23.5 GiB")
        self.assertEqual(report.human_bytes(13332480.0), "12.7 MiB")
        self.assertEqual(report.human_bytes(2662.4), "2.6 KiB")
        self.assertEqual(report.human_bytes(410), "410 B")
        self.assertEqual(report.human_bytes(1023.9 * 1024), "1 MiB")
        self.assertEqual(report.human_bytes(1020 * 1024), "1020 KiB")  # not 1.02e+03 KiB

    def test_durations_in_microseconds(self):
        self.assertEqual(report.human_us(0.47), "0.47 µs")
        self.assertEqual(report.human_us(850), "850 µs")
        self.assertEqual(report.human_us(1200), "1.2 ms")
        self.assertEqual(report.human_us(2.5e6), "2.5 s")
        self.assertEqual(report.human_us(999.7), "1 ms")


class Order(unittest.TestCase):
    def test_combinations_sort_by_value_not_text(self):
        # by each parameter in the order of their names, as their labels read ("mode=a workers=2")
        scenario = {"axes": {"workers": [1, 2, 16]}, "cases": [
            {"params": {"workers": w, "mode": m}, "model": "fibers"} for w in (16, 2, 1) for m in ("b", "a")]}
        self.assertEqual([(c["workers"], c["mode"]) for c in report.combinations(scenario)],
                         [(1, "a"), (2, "a"), (16, "a"), (1, "b"), (2, "b"), (16, "b")])

    def test_models_in_their_fixed_order_with_peers_and_variants_after_their_model(self):
        cases = [{"model": m} for m in ["threads", "go", "fibers/shared-queue", "tbb", "fibers"]]
        self.assertEqual(report.models_in(cases), ["fibers", "go", "fibers/shared-queue", "tbb", "threads"])


class Scales(unittest.TestCase):
    def test_log_only_where_values_span_decades(self):
        self.assertLess(report.span_of([100, 1500]), report.LOG_SPAN)
        self.assertGreaterEqual(report.span_of([0.5, 338000]), report.LOG_SPAN)
        self.assertEqual(report.span_of([None, 0, 5]), 1.0)
        self.assertIn("Linear scale from zero", report.scale_note(False, [1, 2]))
        self.assertIn("span 100x", report.scale_note(True, [1, 100]))


class Timeline(unittest.TestCase):
    """cache-service's spikes over time: a chart of one line per model where the cases carry a timeline, none where not."""

    def scenario(self, timelines):
        return {"name": "cache-service", "axes": {}, "cases": [
            {"params": {}, "model": model, "timeline": timeline} for model, timeline in timelines.items()]}

    def test_drawn_one_line_per_model_with_stalls_left_out(self):
        charts = report.timeline_charts(self.scenario({
            "go": {"window_s": 0.1, "worst_us": [120.0, 48000.0, None, 130.0]},
            "tokio": {"window_s": 0.1, "worst_us": [90.0, 110.0, 95.0]}}))
        self.assertEqual(len(charts), 1)
        self.assertIn("worst latency per window over time", charts[0])
        self.assertIn("100 ms window", charts[0])

    def test_none_without_timelines(self):
        self.assertEqual(report.timeline_charts(self.scenario({"fibers": None, "go": None})), [])
        self.assertEqual(report.timeline_charts({"name": "worker-pool", "axes": {}, "cases": [{"params": {}, "model": "fibers"}]}), [])


class Scaling(unittest.TestCase):
    """Speedup and efficiency against threads: one chart per scenario with conclab's numbers, beside the ideal."""

    def scenario(self, cores, note=None, without=()):
        series = [{"model": "fibers", "axis": "threads", "others": {}, "points": [[1, 100.0, 1.0, 1.0], [2, 180.0, 1.8, 0.9],
                                                                                   [4, 200.0, 2.0, 0.5]]},
                  {"model": "threads", "axis": "workers", "others": {}, "points": [[1, 50.0, 1.0, 1.0], [2, 95.0, 1.9, 0.95]]}]
        return {"name": "worker-pool", "axes": {"threads": [1, 2, 4]}, "cases": [],
                "scaling": {"cores": cores, "note": note, "without_axis": list(without), "series": series}}

    def test_drawn_with_the_ideal_and_what_the_curve_lacks(self):
        charts = report.scaling_charts(self.scenario(2, "measured up to 4 thread(s) on a machine of 2 hardware thread(s): too few",
                                                     without=["tbb"]))
        self.assertEqual(len(charts), 1)
        self.assertIn("Scaling: speedup and efficiency against threads", charts[0])
        self.assertIn("Measured up to 4 thread(s) on a machine of 2", charts[0])  # the note, in the caption
        self.assertIn("No curve for tbb", charts[0])
        self.assertIn("The dotted line is the machine&#x27;s 2 hardware threads", charts[0])  # 4 threads on 2 cores: beyond them
        self.assertIn("its workers or transform tasks", charts[0])

    def test_none_without_a_curve(self):
        self.assertEqual(report.scaling_charts({"name": "worker-pool", "axes": {}, "cases": []}), [])
        self.assertEqual(report.scaling_charts({"name": "worker-pool", "axes": {}, "cases": [], "scaling": None}), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
