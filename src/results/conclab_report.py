#!/usr/bin/env python3
"""Draws a conclab report model into a self-contained HTML page (charts
embedded as SVG, each titled and captioned; no network needed), and
writes the tables conclab made as Markdown (human units) and CSV (plain
numbers). The numbers, intervals, verdicts and table cells are computed
by `conclab report` (report.json); this script only draws them, with
matplotlib, formatting its axis ticks on conclab's unit scales.

Usage: conclab_report.py REPORT_JSON OUTPUT_DIR
"""
import base64
import html
import io
import itertools
import json
import math
import os
import stat
import tempfile
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

COLORS = {"fibers": "#1f77b4", "coroutines": "#ff7f0e", "tbb": "#2ca02c", "threads": "#d62728"}
# The real Go and Rust programs (docs/calibration.md) take their model's colour, dashed or hatched.
PEER_OF = {"go": "fibers", "tokio": "coroutines", "rayon": "tbb", "rust-threads": "threads"}


def base_of(model):
    base = model.split("/")[0]
    return PEER_OF.get(base, base)


def color_of(model):
    return COLORS.get(base_of(model), "#7f7f7f")


def line_of(model):
    """Solid for a model, dashed for its peer, dotted for a variant."""
    return "--" if model in PEER_OF else ":" if "/" in model else "-"


def models_in(cases, failed=()):
    """The models of these cases (and of the failed runs): each of the four, then its peer and its variants, in that order."""
    present = {c["model"] for c in cases} | {f["model"] for f in failed}
    order = list(COLORS) + list(PEER_OF)
    rank = {m: i for i, m in enumerate(order)}
    return sorted(present, key=lambda m: (list(COLORS).index(base_of(m)) if base_of(m) in COLORS else 99,
                                          0 if m in COLORS else 1 if m in PEER_OF else 2, rank.get(m, 0), m))
# Small multiples: the latency spectra of up to this many combinations, five to a row.
MAX_SPECTRA = 60
# A line chart per value of the other axes: up to this many panels.
MAX_PANELS = 12
# Values that span this ratio or more are drawn on a log axis (as dots); under it, on a linear axis from zero.
LOG_SPAN = 20


# --- numbers in human units: conclab's scales (src/kit/units.hpp), given in the model as data ---------------

UNITS = {}  # filled from the model's "units" by use_units()


def use_units(units):
    """Takes conclab's unit scales (the report model's "units")."""
    UNITS.clear()
    UNITS.update(units)


def three_digits(value):
    text = f"{value:.3g}"
    return f"{value:.0f}" if "e" in text else text  # 999.7 is 1000, not 1e+03


def in_units(value, scale):
    """`value` on conclab's scale `scale` ("count", "bytes", "us"): the first step whose rounded value is at
    least its `least`, else the base unit; never an exponent. The same rule as src/kit/units.cpp's in_units."""
    if value is None or not math.isfinite(value):
        return "-"
    spec = UNITS[scale]
    for limit, suffix, least in spec["steps"]:
        text = three_digits(value / limit)
        rounded = abs(float(text))
        if rounded >= least:  # in a unit, three significant digits always: 1.00M beside 995k, 1.20 ms
            decimals = min(2, max(0, 2 - math.floor(math.log10(rounded)))) if rounded > 0 else 2
            return f"{value / limit:.{decimals}f}" + suffix
    return (f"{value:.0f}" if spec["base_whole"] else three_digits(value)) + spec["base_suffix"]


def human_count(value):
    return in_units(value, "count")


def human_bytes(value):
    return in_units(value, "bytes")


def human_us(value):
    return in_units(value, "us")


# --- order: parameter values sorted as numbers, models in their fixed order ---------------------------

def value_key(value):
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def params_key(params):
    return tuple(value_key(params[k]) for k in sorted(params))


def combinations(scenario):
    """The scenario's parameter combinations, each once, sorted by value (workers=2 before workers=16)."""
    seen = {}
    for case in scenario["cases"] + scenario.get("failed", []):  # a combination whose runs all failed keeps its row, marked
        seen.setdefault(json.dumps(case["params"], sort_keys=True), case["params"])
    return sorted(seen.values(), key=params_key)


def failed_at(scenario):
    """(params as JSON, model) of the runs that failed, with their status: marked where their value would be."""
    out = {}
    for f in scenario.get("failed", []):
        out.setdefault((json.dumps(f["params"], sort_keys=True), f["model"]), f["status"])
    return out


def interval_words(scenario):
    """What the whiskers are, with their level: it follows the runs (75% with 3, 94% with 5)."""
    levels = scenario.get("interval_levels")
    return f"the median's {levels} confidence interval" if levels else "none: one run per case, so no interval"


def cases_in_order(scenario):
    rank = {m: i for i, m in enumerate(models_in(scenario["cases"]))}
    return sorted(scenario["cases"], key=lambda c: (params_key(c["params"]), rank[c["model"]]))


def label(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(one combination)"


def swept_label(params, scenario):
    """A combination by its swept parameters only (the fixed ones are said once, above the charts)."""
    swept = {k: v for k, v in params.items() if k in scenario["axes"]}
    return label(swept if swept else {})


# --- figures: every chart has a title, a caption saying what to read, and honest scales --------------

def figure(fig, title, caption, alt):
    """The chart as SVG (sharp at any width, no network: embedded), with its title and caption."""
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.75 / height))  # a fixed band on top for the title and, under it, the legend
    fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, y=1 - 0.1 / height, ha="left", va="top")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"<figure><img class='chart' alt='{html.escape(alt, quote=True)}' src='data:image/svg+xml;base64,{data}'>"
            f"<figcaption><b>{html.escape(title)}.</b> {html.escape(caption)}</figcaption></figure>")


def span_of(values):
    positive = [v for v in values if v is not None and v > 0]
    return (max(positive) / min(positive)) if positive else 1.0


def scale_axis(axis, values, formatter, which):
    """Log where the values span decades (said in the caption), else linear from zero; ticks in human units."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    log = span_of(values) >= LOG_SPAN
    set_scale = axis.set_xscale if which == "x" else axis.set_yscale
    ticks = axis.xaxis if which == "x" else axis.yaxis
    if log:
        set_scale("log")
        positive = [v for v in values if v is not None and v > 0]
        (axis.set_xlim if which == "x" else axis.set_ylim)(min(positive) / 1.5, max(positive) * (2.2 if which == "x" else 1.5))
        # 1-2-5 ticks over a few decades, one a decade beyond (labels must not overlap)
        ticks.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if span_of(values) <= 1000 else (1.0,), numticks=10))
        ticks.set_minor_formatter(NullFormatter())
    else:
        top = max([v for v in values if v is not None] + [1e-9])
        (axis.set_xlim if which == "x" else axis.set_ylim)(0, top * 1.12)  # room for the value labels
        if formatter is human_bytes:  # steps of 1, 2 or 5 KiB, MiB, GiB, not 19.1 MiB
            from matplotlib.ticker import MultipleLocator
            unit = next((u for u in (2**30, 2**20, 2**10) if top >= u), 1)
            step = next((k * unit for k in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if top / (k * unit) <= 6), top / 5)
            ticks.set_major_locator(MultipleLocator(step))
    ticks.set_major_formatter(FuncFormatter(lambda v, _: formatter(v)))
    return log


def scale_note(log, values):
    return (f" Log scale: the values span {span_of(values):.0f}x." if log else " Linear scale from zero.")


def models_legend(fig, ax):
    """The models' legend in one row under the chart's title, in the band figure() keeps above the plots: eight
    models and their peers side by side do not fit beside a title."""
    handles, labels = ax.get_legend_handles_labels()
    for other in fig.axes:  # every model of every panel, once, in the first panel's order then the others'
        for handle, name in zip(*other.get_legend_handles_labels()):
            if name not in labels:
                handles.append(handle)
                labels.append(name)
    if handles:
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.005, 1 - 0.3 / fig.get_figheight()), ncol=min(10, len(labels)),
                   fontsize=9, frameon=False, handlelength=2.5, columnspacing=1.2)


def earlier_marks(scenario, value_of):
    """The earlier sets' values (before/after reports): [(label, {(params as JSON, model): value})]."""
    out = []
    for earlier in scenario.get("earlier", []):
        values = {}
        for case in earlier["cases"]:
            value = value_of(case)
            if value is not None and math.isfinite(value):
                values[(json.dumps(case["params"], sort_keys=True), case["model"])] = value
        out.append((earlier["label"], values))
    return out


EARLIER_MARKERS = ["|", "1", "2", "3"]
EARLIER_WORDS = ["a black bar (|)", "a black Y", "a black upturned Y", "a black sideways Y"]


def per_combination_chart(scenario, value_of, quantity, formatter, title, caption, errors_of=None, with_earlier=False):
    """One row per combination (sorted by value), one mark per model: grouped bars on a linear axis, or dots on a
    log axis where the values span decades. Readable for a grid of 50 combinations (the chart grows downwards).
    A model's failed runs are marked where its value would be; with_earlier, the earlier sets' medians too."""
    combos = combinations(scenario)
    models = models_in(scenario["cases"], scenario.get("failed", []))
    failures = failed_at(scenario)
    marks = {}
    unverified = {(json.dumps(c["params"], sort_keys=True), c["model"]): bool(c.get("unverified")) for c in scenario["cases"]}
    for case in scenario["cases"]:
        value = value_of(case)
        if value is not None and math.isfinite(value):
            marks[(json.dumps(case["params"], sort_keys=True), case["model"])] = (value, errors_of(case) if errors_of else None)
    if not marks:
        return []
    earlier = earlier_marks(scenario, value_of) if with_earlier else []
    values = [v for v, _ in marks.values()]
    rows = len(combos)
    fig, ax = plt.subplots(figsize=(11, 1.4 + rows * (0.32 if rows > 12 else 0.22 * max(2, len(models)))))
    whiskers = [e[i] for _, e in marks.values() if e for i in (0, 1) if e[i] is not None]  # every whisker inside the axis
    log = scale_axis(ax, values + whiskers + [v for _, vs in earlier for v in vs.values()], formatter, "x")
    band = 0.8 / max(1, len(models))
    failed_marked = False
    for i, model in enumerate(models):
        ys, xs, low, high, flags = [], [], [], [], []
        for j, params in enumerate(combos):
            key = (json.dumps(params, sort_keys=True), model)
            y = j + (i - (len(models) - 1) / 2) * band
            mark = marks.get(key)
            if mark is None:
                if key in failures:  # no value: the failure stands where it would be, never a silent hole
                    ax.annotate(f"✗ {model} failed ({failures[key]})", (0.005, y), xycoords=("axes fraction", "data"), va="center",
                                fontsize=7, color="#d62728", fontweight="bold", gid="failed")
                    failed_marked = True
                continue
            value, error = mark
            flags.append(unverified.get(key, False))
            ys.append(y)
            xs.append(value)
            low.append(max(0.0, value - error[0]) if error and error[0] is not None else 0.0)
            high.append(max(0.0, error[1] - value) if error and error[1] is not None else 0.0)
            for k, (earlier_label, earlier_values) in enumerate(earlier):
                if key in earlier_values:
                    ax.plot([earlier_values[key]], [y], EARLIER_MARKERS[k % len(EARLIER_MARKERS)], color="#222", markersize=11,
                            markeredgewidth=2, zorder=5, gid="earlier", label=f"median in {earlier_label}" if i == 0 and j == 0 else None)
        if not xs:
            continue
        bad = [(x + up, y) for x, y, up, flagged in zip(xs, ys, high, flags) if flagged]
        for x, y in bad:  # a run with failed items is no result: its mark says so where it stands
            ax.annotate("✗ not verified", (x, y), xytext=(4 if rows * len(models) > 40 else 40, 0), textcoords="offset points",
                        va="center", fontsize=7, color="#d62728", fontweight="bold", gid="not-verified")
        style = dict(color=color_of(model), label=model)
        if rows * len(models) <= 40:  # each mark's value beside it, while that stays legible
            for x, y, up in zip(xs, ys, high):
                ax.annotate(formatter(x), (x + up, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7,
                            color="#333")
        if log:
            ax.errorbar(xs, ys, xerr=[low, high] if errors_of else None, fmt="o", markersize=5, capsize=2,
                        markerfacecolor="white" if line_of(model) != "-" else color_of(model), **style)
        else:
            ax.barh(ys, xs, height=band * 0.9, xerr=[low, high] if errors_of else None, capsize=2,
                    hatch="//" if line_of(model) != "-" else None, edgecolor="white" if line_of(model) == "-" else color_of(model),
                    **{**style, "color": color_of(model) if line_of(model) == "-" else "white"})
    ax.set_yticks(range(rows))
    ax.set_yticklabels([swept_label(p, scenario) for p in combos], fontsize=8)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xlabel(quantity)
    if rows > 15:  # a tall chart: its scale on top too
        ax.tick_params(axis="x", labeltop=True)
    ax.grid(True, axis="x", which="major", alpha=0.3)
    models_legend(fig, ax)
    notes = ""
    if failed_marked:
        notes += " A red ✗ … failed: that model's runs there failed (the reason is listed above the charts); no value."
    if earlier:
        notes += " " + " ".join(f"{EARLIER_WORDS[k % len(EARLIER_WORDS)].capitalize()}: the median in {name}."
                                for k, (name, _) in enumerate(earlier))
    return [figure(fig, title, caption + notes + scale_note(log, values), f"{scenario['name']}: {title}")]


def throughput_lines(scenario, unit):
    """Median throughput (whiskers: its confidence interval) against each numeric swept parameter, one line per
    model, one panel per value of the other axes; the earlier sets (before/after) dotted, failed runs marked."""
    charts = []
    axes = scenario["axes"]
    models = models_in(scenario["cases"], scenario.get("failed", []))
    failures = failed_at(scenario)
    for axis, values in axes.items():
        if not numeric(values) or len(values) < 2:
            continue
        others = [a for a in axes if a != axis]
        ordered = sorted(values)
        wide = ordered[-1] / max(ordered[0], 1e-300) >= 16 if ordered[0] > 0 else ordered[-1] / min([v for v in ordered if v > 0] + [1]) >= 16
        # log2 where the values allow it; with a 0 among values that span decades, equally spaced in their order
        place = (lambda v: v) if not wide else (lambda v: math.log2(v)) if ordered[0] > 0 else (lambda v: ordered.index(v))
        spacing = ("" if not wide else f" {axis} on a log scale." if ordered[0] > 0 else
                   f" The {axis} values are equally spaced, in their order (they include 0 and span decades).")
        # models side by side a little, so that whiskers at one x do not hide each other
        width = place(ordered[-1]) - place(ordered[0])
        dodge = {m: (i - (len(models) - 1) / 2) * width * 0.012 for i, m in enumerate(models)}
        combos = sorted(itertools.product(*[sorted(axes[o], key=value_key) for o in others]), key=lambda c: [value_key(v) for v in c])
        shown = combos[:MAX_PANELS]
        fig, flat = panels(len(shown))
        every = []
        marked = failed_drawn = False
        for ax, combo in zip(flat, shown):
            fixed = dict(zip(others, combo))
            here = lambda c: all(c["params"].get(o) == fixed[o] for o in others)  # noqa: E731
            for model in models:
                points = sorted((c["params"][axis], c["throughput"]) for c in scenario["cases"]
                                if c["model"] == model and c["throughput"]["median"] is not None and here(c))
                for k, earlier in enumerate(scenario.get("earlier", [])):
                    before = sorted((c["params"][axis], c["throughput"]["median"]) for c in earlier["cases"]
                                    if c["model"] == model and axis in c["params"] and c["throughput"]["median"] is not None and here(c))
                    if before:
                        ax.plot([place(x) + dodge[model] for x, _ in before], [y for _, y in before], marker="o", markersize=3,
                                markerfacecolor="white", color=color_of(model), linestyle=":", alpha=0.55, gid="earlier")
                        every += [y for _, y in before]
                if points:
                    xs = [place(x) + dodge[model] for x, _ in points]
                    ys = [t["median"] for _, t in points]
                    low = [max(0.0, t["median"] - t["ci_low"]) if t["ci_low"] is not None else 0.0 for _, t in points]
                    high = [max(0.0, t["ci_high"] - t["median"]) if t["ci_high"] is not None else 0.0 for _, t in points]
                    ax.errorbar(xs, ys, yerr=[low, high], marker="o", capsize=3, color=color_of(model), linestyle=line_of(model),
                                label=model)
                    every += ys + [y - d for y, d in zip(ys, low)] + [y + u for y, u in zip(ys, high)]  # whiskers inside the axis
                bad = [(place(c["params"][axis]) + dodge[model], c["throughput"]["median"]) for c in scenario["cases"]
                       if c["model"] == model and c.get("unverified") and c["throughput"]["median"] is not None and here(c)]
                if bad:  # runs with failed items: a red cross over the point, and said in the caption
                    ax.plot([x for x, _ in bad], [y for _, y in bad], "x", color="#d62728", markersize=11, markeredgewidth=2,
                            label="not verified" if not marked else None, gid="not-verified")
                    marked = True
                # a value where every run failed: a red ✗ on the axis at its x, never a silent hole in the line
                lost = [place(v) + dodge[model] for v in ordered
                        if (json.dumps({**fixed, axis: v}, sort_keys=True), model) in failures]
                if lost:
                    ax.plot(lost, [0.03] * len(lost), "X", color=color_of(model), markeredgecolor="#d62728", markersize=9,
                            transform=ax.get_xaxis_transform(), clip_on=False, gid="failed")
                    failed_drawn = True
            ax.set_title(label(fixed), fontsize=9)
            ax.set_xlabel(axis)
            ax.set_xticks([place(v) for v in ordered])
            ax.set_xticklabels([human_count(v) for v in ordered], fontsize=8)
            ax.grid(True, which="major", alpha=0.3)
        if not every:
            plt.close(fig)
            continue
        logs = [scale_axis(ax, every, human_count, "y") for ax in flat[:len(shown)]]
        flat[0].set_ylabel(f"{unit}/s")
        earlier_names = [e["label"] for e in scenario.get("earlier", [])]
        if earlier_names:  # one legend entry for the earlier sets' dotted lines
            flat[0].plot([], [], color="#555", linestyle=":", marker="o", markerfacecolor="white", markersize=3,
                         label=", ".join(earlier_names) + " (dotted)")
        models_legend(fig, flat[0])
        more = f" The first {MAX_PANELS} of {len(combos)} panels are drawn; the table below has them all." if len(combos) > MAX_PANELS else ""
        charts.append(figure(fig, f"Throughput against {axis}",
                             f"Median {unit}/s as {axis} grows, the other swept parameters fixed per panel (whiskers: "
                             f"{interval_words(scenario)}; the models are set a little apart so that none hides another). "
                             f"Where lines cross, the faster model changes; where whiskers overlap, the data cannot tell the "
                             f"models apart.{more}{spacing}" +
                             (f" Dotted, hollow: the medians in {', '.join(earlier_names)}." if earlier_names else "") +
                             (" A red ✗: runs with failed items, not verified, no result." if marked else "") +
                             (" A cross on the axis: every run of that model failed there (listed above the charts)."
                              if failed_drawn else "") + scale_note(logs[0], every),
                             f"{scenario['name']}: throughput against {axis}"))
    return charts


def panels(count, columns=3, size=(3.6, 2.8), share=False):
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(max(11, size[0] * columns), size[1] * rows + 0.8), squeeze=False,
                             sharex=share, sharey=share)
    flat = [ax for row in axes for ax in row]
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat


def numeric(values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def percentile_position(percent):
    """The x of a percentile on a log scale of 1 / (1 - p): 50 -> 0.3, 90 -> 1, 99 -> 2, 99.9 -> 3."""
    rest = max(1e-7, 1 - percent / 100)
    return math.log10(1 / rest) if percent < 100 else None


def spectrum_charts(scenario):
    """The latency percentile spectrum per model (HdrHistogram style): small multiples sharing their axes, five to a
    row, one per combination (up to MAX_SPECTRA), so that a grid of 50 stays readable and heights compare."""
    combos = [c for c in combinations(scenario)
              if any(case["spectrum_us"] and case["params"] == c for case in scenario["cases"])]
    if not combos:
        return []
    shown = combos[:MAX_SPECTRA]
    few = len(shown) <= 3
    fig, flat = panels(len(shown), columns=3 if few else 5, size=(3.6, 2.8) if few else (2.2, 1.7), share=True)
    every = []
    unverified_drawn = False
    right = 1.0  # the x of the rightmost point drawn
    for ax, params in zip(flat, shown):
        for case in cases_in_order(scenario):
            if case["params"] != params or not case["spectrum_us"]:
                continue
            points = [(percentile_position(p), v) for p, v in case["spectrum_us"] if v is not None and v > 0]
            finite = [(x, v) for x, v in points if x is not None and x >= 0.25]
            if not finite:
                continue
            top = max(x for x, _ in finite) + 0.5
            right = max(right, top + 0.1)
            finite += [(top, v) for x, v in points if x is None]  # the maximum, just right of the last percentile
            bad = bool(case.get("unverified"))  # runs with failed items: drawn thin and dotted, crossed at the end, said below
            ax.plot([x for x, _ in finite], [v for _, v in finite], color=color_of(case["model"]),
                    linestyle=":" if bad else line_of(case["model"]), linewidth=0.8 if bad else 1.2, label=case["model"])
            if bad:
                ax.plot([finite[-1][0]], [finite[-1][1]], "x", color="#d62728", markersize=8, markeredgewidth=2, gid="not-verified")
                unverified_drawn = True
            every += [v for _, v in finite]
        ax.set_title(swept_label(params, scenario), fontsize=8 if not few else 9)
        ax.grid(True, which="major", alpha=0.3)
    if not every:
        plt.close(fig)
        return []
    log = scale_axis(flat[0], every, human_us, "y")  # shared: one call scales every panel
    ticks = [t for t in [(0.30103, "50"), (1, "90"), (2, "99"), (3, "99.9"), (4, "99.99"), (5, "99.999")] if t[0] <= right]
    flat[0].set_xticks([x for x, _ in ticks])
    flat[0].set_xticklabels([name for _, name in ticks], fontsize=7)
    flat[0].set_xlim(0.2, right)
    for ax in flat[:len(shown)]:
        ax.tick_params(labelsize=7)
    flat[0].set_ylabel("latency")
    models_legend(fig, flat[0])
    more = f" The first {MAX_SPECTRA} of {len(combos)} combinations are drawn." if len(combos) > MAX_SPECTRA else ""
    return [figure(fig, "Latency at every percentile",
                   "Each model's latency from the median (left) through p99 and p99.9 to the maximum (right end), one panel per "
                   "combination. The panels share their axes, so heights compare across panels; a line that climbs at the "
                   f"right is a long tail, the one-in-a-thousand wait users feel.{more}" +
                   (" Dotted, with a red ✗: runs with failed items, not verified, no result." if unverified_drawn else "") +
                   scale_note(log, every),
                   f"{scenario['name']}: latency percentile spectra")]


def timeline_charts(scenario):
    """The worst latency in each window of a run over time (scenarios that keep a timeline: cache-service), one line
    per model, a panel per combination: a collector's cycle or a stalled thread is a spike where it happened."""
    combos = [c for c in combinations(scenario)
              if any(case.get("timeline") and case["params"] == c for case in scenario["cases"])]
    if not combos:
        return []
    shown = combos[:MAX_SPECTRA]
    fig, flat = panels(len(shown), columns=1 if len(shown) == 1 else 2, size=(11, 3.2) if len(shown) == 1 else (5.6, 2.6),
                       share=True)
    every, window = [], None
    for ax, params in zip(flat, shown):
        for case in cases_in_order(scenario):
            timeline = case.get("timeline")
            if case["params"] != params or not timeline:
                continue
            window = timeline["window_s"]
            points = [(i * window, v) for i, v in enumerate(timeline["worst_us"]) if v is not None and v > 0]
            if not points:
                continue
            bad = bool(case.get("unverified"))
            ax.plot([t for t, _ in points], [v for _, v in points], color=color_of(case["model"]),
                    linestyle=":" if bad else line_of(case["model"]), linewidth=0.8 if bad else 1.1, label=case["model"])
            every += [v for _, v in points]
        ax.set_title(swept_label(params, scenario), fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=7)
    if not every:
        plt.close(fig)
        return []
    log = scale_axis(flat[0], every, human_us, "y")
    flat[0].set_ylabel("worst latency")
    flat[-1 if len(shown) == 1 else 0].set_xlabel("seconds into the measured run")
    models_legend(fig, flat[0])
    more = f" The first {MAX_SPECTRA} of {len(combos)} combinations are drawn." if len(combos) > MAX_SPECTRA else ""
    return [figure(fig, "The worst latency over time",
                   f"The longest wait of any request completed in each {human_us(window * 1e6)} window of the measured run "
                   "(the run whose maximum is the median of the runs), one line per model. A flat line is a steady service; "
                   "a spike is a moment every request then in flight waited through: a garbage collection, a stalled "
                   f"thread, the machine's other work.{more}" + scale_note(log, every),
                   f"{scenario['name']}: worst latency per window over time")]


def scaling_charts(scenario):
    """Speedup and efficiency against the runtime threads (conclab computes both: throughput at T threads over
    throughput at 1 thread, and that per thread), one line per model beside the ideal, a row per value of the other
    swept parameters."""
    scaling = scenario.get("scaling")
    if not scaling or not scaling.get("series"):
        return []
    series = scaling["series"]
    cores = scaling["cores"]
    keys = sorted({json.dumps(s["others"], sort_keys=True) for s in series}, key=lambda k: params_key(json.loads(k)))
    shown = keys[:MAX_PANELS]
    fig, grid = plt.subplots(len(shown), 2, figsize=(11, 3.0 * len(shown) + 0.8), squeeze=False)
    threads = sorted({p[0] for s in series for p in s["points"]})
    place = math.log2
    ideal_x = [place(t) for t in threads]
    for row, key in zip(grid, shown):
        speedup_ax, efficiency_ax = row
        ideal = [min(t, cores) for t in threads]
        speedup_ax.plot(ideal_x, ideal, color="#999999", linestyle="-", linewidth=3, alpha=0.5)
        efficiency_ax.plot(ideal_x, [i / t for i, t in zip(ideal, threads)], color="#999999", linestyle="-", linewidth=3,
                           alpha=0.5)
        speedup_ax.annotate("ideal", (ideal_x[-1], ideal[-1]), textcoords="offset points", xytext=(-6, -2), ha="right",
                            va="top", fontsize=8, color="#777777")
        ordered = models_in([{"model": s["model"]} for s in series])
        for model in ordered:
            for s in series:
                if s["model"] != model or json.dumps(s["others"], sort_keys=True) != key:
                    continue
                xs = [place(p[0]) for p in s["points"]]
                speedup_ax.plot(xs, [p[2] for p in s["points"]], marker="o", color=color_of(model), linestyle=line_of(model),
                                label=model)
                efficiency_ax.plot(xs, [p[3] for p in s["points"]], marker="o", color=color_of(model), linestyle=line_of(model))
        others = json.loads(key)
        for ax, name in ((speedup_ax, "speedup (x one thread)"), (efficiency_ax, "efficiency (speedup per thread)")):
            ax.set_xticks(ideal_x)
            ax.set_xticklabels([str(t) for t in threads], fontsize=8)
            ax.set_xlabel("OS threads (the control group: its workers or transform tasks)" if any(
                s["axis"] != "threads" for s in series) else "runtime threads")
            ax.set_ylabel(name, fontsize=9)
            ax.grid(True, which="major", alpha=0.3)
            if cores < threads[-1]:
                ax.axvline(place(cores), color="#999999", linestyle=":", linewidth=1)
            if others:
                ax.set_title(label(others), fontsize=9)
        speedup_ax.set_ylim(bottom=0)
        efficiency_ax.set_ylim(0, max(1.1, efficiency_ax.get_ylim()[1]))
        efficiency_ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0%}"))
    models_legend(fig, grid[0][0])
    note = f" {scaling['note'][0].upper()}{scaling['note'][1:]}." if scaling.get("note") else ""
    if scaling.get("without_axis"):
        note += f" No curve for {', '.join(scaling['without_axis'])}: no parameter swept here sets its OS threads."
    more = f" The first {MAX_PANELS} of {len(keys)} rows are drawn; tables.md has them all." if len(keys) > MAX_PANELS else ""
    beyond = (f" The dotted line is the machine's {cores} hardware threads: past it the threads share cores, and the ideal "
              "stays flat." if cores < threads[-1] else "")
    return [figure(fig, "Scaling: speedup and efficiency against threads",
                   "Left: each model's median throughput at T OS threads over its own at one thread (T is --threads for a "
                   "runtime with a pool of threads and its peer; for the control group, threads and rust-threads, whose every "
                   "task is an OS thread, its workers or transform tasks); the grey line is the "
                   f"ideal, T up to the machine's {cores} hardware threads. Right: the same per thread (100% is perfect). A "
                   "line that bends away from the ideal shows where the runtime stops turning threads into work: a shared "
                   f"queue, stealing that costs more than it brings, threads spinning for work.{beyond}{more}{note}",
                   f"{scenario['name']}: speedup and efficiency against threads")]


def scenario_charts(scenario, unit):
    charts = []
    throughput = lambda c: c["throughput"]["median"]  # noqa: E731
    charts += per_combination_chart(
        scenario, throughput, f"{unit}/s (median)", human_count, f"Throughput: {unit} per second",
        f"Median {unit}/s of each model at each combination, whiskers {interval_words(scenario)}. Longer is faster; "
        "where two models' whiskers overlap, this data cannot rank them.",
        errors_of=lambda c: (c["throughput"]["ci_low"], c["throughput"]["ci_high"]), with_earlier=True)
    charts += throughput_lines(scenario, unit)
    charts += scaling_charts(scenario)
    charts += per_combination_chart(
        scenario, lambda c: c["latency_p99_us"], "p99 latency", human_us, "Tail latency: p99",
        f"The 99th-percentile latency of each model: one {unit[:-1] if unit.endswith('s') else unit} in a hundred waited at "
        "least this long. Shorter is better.")
    charts += spectrum_charts(scenario)
    charts += timeline_charts(scenario)
    charts += per_combination_chart(
        scenario, lambda c: c["peak_rss_bytes"], "peak RSS", human_bytes, "Memory: peak RSS",
        "The peak resident memory of each case's process (median over runs). Its floor is the program and its runtime; "
        "what rises above it as tasks are added is what the tasks cost.")
    charts += per_combination_chart(
        scenario, lambda c: c["bytes_per_task"], "bytes per task", human_bytes, "Memory per task",
        "The RSS growth during the run divided by the tasks alive at once: the memory one goroutine, future, task or "
        "thread costs here (stacks included).")
    charts += per_combination_chart(
        scenario, lambda c: c["cpu_us_per_item"], f"CPU time per {unit[:-1] if unit.endswith('s') else unit}", human_us,
        "CPU per item",
        "User plus system CPU time spent per item, whatever the wall clock: a model can win on time by burning more cores. "
        "Shorter is cheaper.")
    return charts


# --- before and after: each later set against the first, as `conclab compare` shows it -----------------

def change_chart(change):
    """The change of throughput per case: the ratio of medians with its interval, on a log axis around 1 (no
    change); green where significantly better, red where worse, grey where the test finds no difference (~)."""
    rows = [(c["name"], m) for c in change["cases"] for m in c["metrics"]
            if m["metric"] == "throughput_per_s" and m["ratio"] is not None]
    if not rows:
        return []
    fig, ax = plt.subplots(figsize=(11, 1.3 + 0.3 * len(rows)))
    every = [1.0]
    for y, (name, m) in enumerate(rows):
        low = m["ratio_low"] if m["ratio_low"] is not None else m["ratio"]
        high = m["ratio_high"] if m["ratio_high"] is not None else m["ratio"]
        colour = {"better": "#2ca02c", "worse": "#d62728"}.get(m["verdict"], "#888")
        ax.errorbar([m["ratio"]], [y], xerr=[[m["ratio"] - low], [high - m["ratio"]]], fmt="o", color=colour, capsize=3,
                    markersize=6, gid=m["verdict"].replace(" ", "-"))
        text = "~" if m["verdict"] == "no change" else m["change_text"]  # conclab's own "+12.3%"
        ax.annotate(text, (high, y), xytext=(5, 0), textcoords="offset points", va="center", fontsize=8, color=colour)
        every += [low, high, m["ratio"]]
    ax.set_xscale("log")
    spread = max(max(every) / 1.0, 1.0 / min(every), 1.05) ** 1.25  # symmetric around 1, room for the labels
    ax.set_xlim(1 / spread, spread)
    ax.axvline(1.0, color="#444", linewidth=1)
    steps = [1 / 4, 1 / 2, 2 / 3, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1, 1.25, 1.5, 2.0, 4.0, 10.0]
    gap = 2 * math.log(spread) / 9  # ticks at least a ninth of the axis apart, outward from no change
    ticks = [1.0]
    for side in ([v for v in reversed(steps) if v < 1], [v for v in steps if v > 1]):
        last = 1.0
        for v in side:
            if 1 / spread <= v <= spread and abs(math.log(v / last)) >= gap:
                ticks.append(v)
                last = v
    ax.set_xticks(sorted(ticks))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{(v - 1) * 100:+.0f}%"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([name for name, _ in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(f"throughput in {change['label']} against {change['base_label']}")
    ax.grid(True, axis="x", alpha=0.3)
    levels = sorted({f"{m['ratio_level'] * 100:.0f}%" for _, m in rows if m["ratio_level"]})
    return [figure(fig, f"Throughput: {change['label']} against {change['base_label']}",
                   f"The change of each case's median throughput, right of the line faster; whiskers: the change's "
                   f"{' to '.join(levels) if levels else ''} interval (Hodges-Lehmann, from the run-by-run ratios). Green: "
                   f"significantly faster, red: significantly slower, grey and ~: no difference the Mann-Whitney U test finds at "
                   f"p < {change['alpha']:g}. Log scale, even around no change.",
                   f"throughput change, {change['label']} against {change['base_label']}")]


def comparison_html(model):
    """The before/after section: per later set, the change chart, then compare's tables (made by conclab)."""
    comparison = model.get("comparison")
    if not comparison:
        return []
    labels = comparison["labels"]
    parts = [f"<h2 id='change'>Before and after: {html.escape(', '.join(labels[1:]))} against {html.escape(labels[0])}</h2>",
             "<p>The sets compared case by case (same scenario, parameters and model), as <code>conclab compare</code> does; "
             f"the sections below show {html.escape(labels[-1])} whole, with the medians in "
             f"{html.escape(', '.join(labels[:-1]))} marked on its throughput charts.</p>"]
    for change in comparison["changes"]:
        if len(comparison["changes"]) > 1:
            parts.append(f"<h3>{html.escape(change['label'])} against {html.escape(change['base_label'])}</h3>")
        if not change["cases"]:
            parts.append("<p class='problems'>No case in common (same scenario, parameters and model).</p>")
            continue
        parts += change_chart(change)
        for table in change["tables"]:
            cells = table["table"]
            header = "".join(f"<th>{html.escape(n)}</th>" for n in cells["columns"])
            body = "".join("<tr>" + "".join(f"<td class='{mark}'>{html.escape(text)}</td>" if mark else f"<td>{html.escape(text)}</td>"
                                             for text, mark in zip(row, marks)) + "</tr>"
                           for row, marks in zip(cells["rows"], cells["marks"]))
            parts.append(f"<p class='table-title'>{html.escape(table['title'])}</p><table class='change'><tr>{header}</tr>{body}</table>")
        parts.append("".join(f"<p class='meta'>{html.escape(note)}</p>" for note in change["notes"]))
    return parts


# --- tables: made by conclab (src/results/table.hpp: the same cells as `conclab run`'s units), placed here --

def environment(source):
    machine = source.get("machine") or {}
    build = source.get("conclab") or {}
    rows = [("file", source["file"]), ("started", source.get("started_utc")), ("CPU", machine.get("cpu_model")),
            ("logical CPUs", machine.get("logical_cpus")), ("memory", human_bytes(machine["memory_bytes"]) if isinstance(machine.get("memory_bytes"), (int, float)) else None),
            ("kernel", machine.get("kernel")), ("OS", machine.get("os")), ("governor", machine.get("cpufreq_governor")),
            ("conclab", f"{build.get('version')} ({build.get('git_commit')}), {build.get('build_type')}, {build.get('compiler')}")]
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    command = " ".join(source.get("command") or [])
    return f"<table class='env'>{body}</table><p>To reproduce:</p><pre>{html.escape(command)}</pre>"


def write_html(model, f):
    parts = [f"<h1>{html.escape(model['title'])}</h1>",
             f"<p class='meta'>Generated {html.escape(model['generated_utc'])} by conclab "
             f"{html.escape(str(model['generated_by'].get('version')))}. Medians over repetitions; CI: the median's "
             "confidence interval from order statistics; significance: Mann-Whitney U between the leader and the "
             "runner-up. Methodology: docs/methodology.md in the conclab sources.</p>"]
    provenance = model.get("provenance") or {}
    if provenance.get("differences"):
        items = "".join(f"<li>{html.escape(line)}</li>" for line in provenance["differences"])
        parts.append("<div class='problems provenance'><p>The files come from different machines, builds or commits: a "
                     f"difference between them may be that, not the models'.</p><ul>{items}</ul></div>")
    elif provenance.get("machine"):
        build = f", {provenance['build']}" if provenance.get("build") else ""
        parts.append(f"<p class='meta provenance'>Measured on {html.escape(provenance['machine'])}; conclab "
                     f"{html.escape(provenance.get('commit') or '?')}{html.escape(build)}.</p>")
    parts += comparison_html(model)
    for scenario in model["scenarios"]:
        unit = scenario.get("unit", "items")
        parts.append(f"<h2>{html.escape(scenario['name'])}</h2>")
        parts.append(f"<p class='verdict'>{html.escape(scenario['summary'])}</p>")
        trouble = scenario.get("problems", [])
        if trouble:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in trouble)
            parts.append(f"<div class='problems'><p>Not in the numbers below, or marked there:</p><ul>{items}</ul></div>")
        verdicts = sorted(scenario["verdicts"], key=lambda v: params_key(v["params"]))
        if verdicts:
            items = "".join(f"<li>{html.escape(swept_label(v['params'], scenario))}: {html.escape(v['text'])}</li>" for v in verdicts)
            listed = f"<ul class='verdicts'>{items}</ul>"
            # a grid's fifty verdicts would bury the charts: folded, one click away
            parts.append(listed if len(verdicts) <= 8 else
                         f"<details><summary>The verdict at each of the {len(verdicts)} combinations</summary>{listed}</details>")
        fixed = ", ".join(f"{k}={v}" for k, v in scenario["fixed"].items())
        parts.append(f"<p class='fixed'>Fixed parameters: {html.escape(fixed)}</p>")
        parts += scenario_charts(scenario, unit)
        header = "".join(f"<th>{html.escape(n)}</th>" for n in scenario["table"]["columns"])
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in scenario["table"]["rows"])
        parts.append(f"<table class='results'><tr>{header}</tr>{rows}</table>")
        if scenario.get("table_note"):
            parts.append(f"<p class='meta'>{html.escape(scenario['table_note'])}</p>")
        if scenario.get("listing_html"):
            # made and escaped by conclab (src/results/listing.cpp, as `conclab show --html`): the code of the build that drew this page
            parts.append(f"<details class='listing' id='code-{html.escape(scenario['name'])}'><summary>The code: each model's file of this scenario side by side, "
                         "lined up on its roles</summary>" + scenario["listing_html"] + "</details>")
    if model.get("claims"):
        parts.append("<h2 id='claims'>The claims, answered by measurement</h2>")
        parts.append("<p>Things said in the Go versus Rust debate, each tested by a case of this sweep "
                     "(conclab claims; docs/workshop/08-claims.md says how each is decided).</p>")
        head = "".join(f"<th>{n}</th>" for n in ["claim", "tested by", "measured (medians)", "verdict"])
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c[k])}</td>" for k in ["claim", "evidence", "measured", "verdict"]) + "</tr>"
                       for c in model["claims"])
        parts.append(f"<table class='claims'><tr>{head}</tr>{rows}</table>")
    if model.get("calibration"):
        parts.append("<h2>Calibration: each model against its real Go or Rust peer</h2>")
        parts.append(f"<pre class='calibration'>{html.escape(model['calibration'])}</pre>")
    parts.append("<h2>Environment</h2>")
    parts += [environment(source) for source in model["sources"]]
    style = ("body{font-family:sans-serif;margin:1.5em 2em;color:#222}figure{margin:1.5em 0}"
             "figcaption{max-width:75em;font-size:14px;line-height:1.4;color:#333}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
             "text-align:right}th{background:#f3f3f3}.env th,.env td{text-align:left}img.chart{display:block;margin:0.5em 0;"
             "width:100%;max-width:1800px;height:auto}.verdict{font-weight:bold}.problems{border-left:4px solid #d62728;background:#fdf0f0;"
             "padding:2px 12px;margin:1em 0}pre{background:#f6f6f6;padding:6px;white-space:pre-wrap}"
             ".listing{overflow-x:auto}.listing table{table-layout:fixed;width:100%}.listing td,.listing th{text-align:left;"
             "vertical-align:top}.listing pre{font-size:11px;margin:0;white-space:pre-wrap;word-break:break-all}"
             "summary{cursor:pointer;font-weight:bold;margin:1em 0}td.better{color:#1a7f1a;font-weight:bold}"
             "td.worse{color:#c62828;font-weight:bold}.change td:first-child{text-align:left}.table-title{font-weight:bold;margin:1em 0 0}"
             ".claims td,.claims th{text-align:left;vertical-align:top}")
    script = ("window.addEventListener('load',function(){var n=0;document.querySelectorAll('img.chart').forEach("
              "function(i){if(i.complete&&i.naturalWidth>0)n++;});document.body.setAttribute('data-charts-shown',n);"
              "document.body.setAttribute('data-charts',document.querySelectorAll('img.chart').length);});")
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(model['title'])}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}<script>{script}</script></body></html>")
    f.write(page)


def write_whole(path, writer, *args):
    """Writes a regular file through a new temporary file beside its real
    target and renames it, so a failure leaves no partial file and a symlink
    stays a link; a character device or FIFO is written through, never
    replaced (as the C++ side does, src/runner/output_file.cpp). The temporary name
    is made with O_EXCL (mkstemp): a name planted beside the target, a link
    to another file, is never opened; only a regular file, or nothing, is
    replaced."""
    real = os.path.realpath(path)
    if os.path.exists(real) and not os.path.isfile(real):
        mode = os.stat(real).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise OSError(f"{path} is neither a regular file, a character device nor a FIFO: not written")
        with open(path, "w", newline="") as f:
            writer(*args, f)
        return
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(real) or ".", prefix="." + os.path.basename(real) + ".partial-")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", newline="") as f:
            writer(*args, f)
            f.flush()
            os.fdatasync(f.fileno())
        if os.path.lexists(real) and not stat.S_ISREG(os.lstat(real).st_mode):
            raise OSError(f"{real} is no longer a regular file: not replaced")
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def current_umask():
    """The umask, read without changing it (Linux: /proc/self/status)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        model = json.load(f)
    use_units(model["units"])
    out = sys.argv[2]
    write_whole(os.path.join(out, "tables.md"), lambda m, f: f.write(m["tables_markdown"]), model)
    write_whole(os.path.join(out, "tables.csv"), lambda m, f: f.write(m["tables_csv"]), model)
    write_whole(os.path.join(out, "index.html"), write_html, model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
