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
        self.assertEqual(report.human_count(999600), "1.00M")  # not 1e+03k, nor "1M" beside "995k"
        self.assertEqual(report.human_count(995000), "995k")
        self.assertEqual(report.human_count(999.7), "1000")

    def test_bytes(self):
        self.assertEqual(report.human_bytes(25276510208), "23.5 GiB")
        self.assertEqual(report.human_bytes(13332480.0), "12.7 MiB")
        self.assertEqual(report.human_bytes(2662.4), "2.60 KiB")
        self.assertEqual(report.human_bytes(410), "410 B")
        self.assertEqual(report.human_bytes(1023.9 * 1024), "1.00 MiB")
        self.assertEqual(report.human_bytes(1020 * 1024), "1020 KiB")  # not 1.02e+03 KiB

    def test_durations_in_microseconds(self):
        self.assertEqual(report.human_us(0.47), "0.47 µs")
        self.assertEqual(report.human_us(850), "850 µs")
        self.assertEqual(report.human_us(1200), "1.20 ms")
        self.assertEqual(report.human_us(2.5e6), "2.50 s")
        self.assertEqual(report.human_us(999.7), "1.00 ms")


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


class Captured:
    """report.figure replaced while a chart is drawn: the figure kept (not closed) to look at its axes."""

    def __enter__(self):
        self.figures = []
        self.original = report.figure

        def keep(fig, title, caption, alt):
            self.figures.append((fig, title, caption))
            return f"<figure>{title}: {caption}</figure>"
        report.figure = keep
        return self

    def __exit__(self, *exc):
        report.figure = self.original
        for fig, _, _ in self.figures:
            report.plt.close(fig)


def gids(fig):
    return [a.get_gid() for ax in fig.axes for a in ax.get_children() + ax.lines + ax.texts if a.get_gid()]


def case(model, jobs, median, low, high, n=3, level=0.75):
    return {"params": {"jobs": jobs}, "model": model, "n": n,
            "throughput": {"median": median, "ci_low": low, "ci_high": high, "ci_level": level, "cv": 0.1}}


class ThroughputAgainstAnAxis(unittest.TestCase):
    """Issue 36: whiskers inside the axes, models set apart, failed combinations marked, the interval's level said,
    the earlier set of a before/after report drawn."""

    def scenario(self, **extra):
        cases = [case("fibers", 100, 1000.0, 900.0, 1100.0), case("fibers", 1000, 5000.0, 4000.0, 9000.0),
                 case("threads", 100, 1000.0, 950.0, 1050.0)]
        return {"name": "worker-pool", "axes": {"jobs": [100, 1000]}, "fixed": {}, "cases": cases,
                "interval_levels": "75%", **extra}

    def test_every_whisker_inside_the_axis(self):
        with Captured() as shot:
            report.throughput_lines(self.scenario(), "jobs")
        fig, title, caption = shot.figures[0]
        self.assertEqual(title, "Throughput against jobs")
        self.assertGreaterEqual(fig.axes[0].get_ylim()[1], 9000.0)  # the highest whisker's end, not the highest median

    def test_the_level_of_the_intervals_is_said(self):
        with Captured() as shot:
            report.throughput_lines(self.scenario(), "jobs")
        self.assertIn("the median's 75% confidence interval", shot.figures[0][2])
        with Captured() as shot:
            report.throughput_lines(self.scenario(interval_levels=""), "jobs")
        self.assertIn("one run per case, so no interval", shot.figures[0][2])

    def test_models_at_one_value_are_set_apart(self):
        with Captured() as shot:
            report.throughput_lines(self.scenario(), "jobs")
        ax = shot.figures[0][0].axes[0]
        xs = {c.get_label(): c.lines[0].get_xdata()[0] for c in ax.containers}
        self.assertNotEqual(xs["fibers"], xs["threads"])  # jobs=100: two whiskers, not one over the other

    def test_a_failed_combination_is_marked_where_its_point_would_be(self):
        failed = [{"params": {"jobs": 1000}, "model": "threads", "status": "timeout", "message": "too slow"}]
        with Captured() as shot:
            report.throughput_lines(self.scenario(failed=failed), "jobs")
        fig, _, caption = shot.figures[0]
        self.assertIn("failed", gids(fig))
        self.assertIn("every run of that model failed there", caption)
        with Captured() as shot:
            report.throughput_lines(self.scenario(), "jobs")
        self.assertNotIn("failed", gids(shot.figures[0][0]))

    def test_the_earlier_set_is_drawn_dotted_and_named(self):
        earlier = [{"label": "before", "cases": [case("fibers", 100, 800.0, 700.0, 900.0), case("fibers", 1000, 20000.0, 1.0, 1.0)]}]
        with Captured() as shot:
            report.throughput_lines(self.scenario(earlier=earlier), "jobs")
        fig, _, caption = shot.figures[0]
        self.assertIn("earlier", gids(fig))
        self.assertIn("the medians in before", caption)
        self.assertGreaterEqual(fig.axes[0].get_ylim()[1], 20000.0)


class PerCombination(unittest.TestCase):
    def test_a_model_that_failed_at_a_combination_is_marked_there(self):
        scenario = {"name": "worker-pool", "axes": {"jobs": [100, 1000]}, "fixed": {}, "interval_levels": "88%",
                    "cases": [case("fibers", 100, 1000.0, 900.0, 1100.0), case("threads", 100, 900.0, 800.0, 950.0),
                              case("fibers", 1000, 1200.0, 1100.0, 1300.0)],
                    "failed": [{"params": {"jobs": 1000}, "model": "threads", "status": "crashed", "message": "signal 11"}]}
        with Captured() as shot:
            report.per_combination_chart(scenario, lambda c: c["throughput"]["median"], "jobs/s", report.human_count,
                                         "Throughput: jobs per second", f"whiskers {report.interval_words(scenario)}.",
                                         errors_of=lambda c: (c["throughput"]["ci_low"], c["throughput"]["ci_high"]))
        fig, title, caption = shot.figures[0]
        self.assertEqual(title, "Throughput: jobs per second")
        self.assertIn("failed", gids(fig))
        self.assertTrue(any("threads failed (crashed)" in t.get_text() for t in fig.axes[0].texts))
        self.assertIn("88% confidence interval", caption)
        self.assertGreaterEqual(fig.axes[0].get_xlim()[1], 1300.0)  # the whiskers inside


def change(verdicts):
    cases = []
    for i, (verdict, ratio, low, high) in enumerate(verdicts):
        cases.append({"name": f"worker-pool jobs={i} fibers", "metrics": [
            {"metric": "throughput_per_s", "ratio": ratio, "ratio_low": low, "ratio_high": high, "ratio_level": 0.95,
             "verdict": verdict, "change_text": f"{(ratio - 1) * 100:+.1f}%"}]})
    return {"label": "after", "base_label": "main", "alpha": 0.05, "cases": cases, "notes": ["± the larger half"],
            "tables": [{"title": "throughput (items per second; higher is better)",
                        "table": {"columns": ["case", "main", "after", "vs main", "p", "n"],
                                  "rows": [["worker-pool fibers", "1M/s ± 3%", "1.2M/s ± 2%", "+20% [+15%, +25%]", "0.008", "5+5"]],
                                  "marks": [["", "", "", "better", "", ""]]}}]}


class BeforeAndAfter(unittest.TestCase):
    def test_the_change_chart_colours_by_verdict_and_holds_every_whisker(self):
        with Captured() as shot:
            report.change_chart(change([("better", 1.2, 1.15, 1.25), ("worse", 0.5, 0.3, 0.6), ("no change", 1.0, 0.9, 1.1)]))
        fig, title, caption = shot.figures[0]
        self.assertEqual(title, "Throughput: after against main")
        self.assertEqual(sorted({g for g in gids(fig) if g in ("better", "worse", "no-change")}), ["better", "no-change", "worse"])
        low, high = fig.axes[0].get_xlim()
        self.assertLessEqual(low, 0.3)
        self.assertGreaterEqual(high, 1.25)
        self.assertIn("95% interval", caption)
        self.assertGreater(len(fig.axes[0].get_xticks()), 2)  # a scale to read, not one tick at +0%

    def test_the_section_shows_compare_tables_marked(self):
        model = {"comparison": {"labels": ["main", "after"], "alpha": 0.05, "changes": [change([("better", 1.2, 1.15, 1.25)])]}}
        with Captured():
            page = "".join(report.comparison_html(model))
        self.assertIn("Before and after: after against main", page)
        self.assertIn("<td class='better'>+20% [+15%, +25%]</td>", page)
        self.assertIn("<th>vs main</th>", page)
        self.assertEqual(report.comparison_html({"comparison": None}), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
