#!/usr/bin/env python3
"""Draws a conclab report model into a self-contained HTML page (plots
embedded as PNG, no network needed), plus the same tables as Markdown and
CSV. The numbers, intervals and verdicts are computed by `conclab report`
(report.json); this script only draws them, with matplotlib.

Usage: conclab_report.py REPORT_JSON OUTPUT_DIR
"""
import base64
import csv
import html
import io
import itertools
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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


def models_in(cases):
    """The models of these cases: each of the four, then its peer and its variants, in that order."""
    present = {c["model"] for c in cases}
    order = list(COLORS) + list(PEER_OF)
    rank = {m: i for i, m in enumerate(order)}
    return sorted(present, key=lambda m: (list(COLORS).index(base_of(m)) if base_of(m) in COLORS else 99,
                                          0 if m in COLORS else 1 if m in PEER_OF else 2, rank.get(m, 0), m))
MAX_PANELS = 9


def label(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(one combination)"


def embed(fig, alt):
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def panels(count):
    columns = min(3, count)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.4 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat


def numeric(values):
    return all(isinstance(v, (int, float)) for v in values)


def throughput_charts(scenario, unit):
    """Median throughput (with its confidence interval) against each swept
    parameter, one line per model, one panel per value of the other axes."""
    charts = []
    axes = scenario["axes"]
    for axis, values in axes.items():
        others = [a for a in axes if a != axis]
        combos = list(itertools.product(*[axes[o] for o in others]))[:MAX_PANELS]
        fig, flat = panels(len(combos))
        for ax, combo in zip(flat, combos):
            fixed = dict(zip(others, combo))
            for model in models_in(scenario["cases"]):
                points = []
                for case in scenario["cases"]:
                    p = case["params"]
                    if case["model"] == model and all(p[o] == fixed[o] for o in others):
                        t = case["throughput"]
                        if t["median"] is not None:
                            points.append((p[axis], t["median"], t["ci_low"], t["ci_high"]))
                if not points:
                    continue
                points.sort(key=lambda x: x[0] if numeric([x[0]]) else str(x[0]))
                xs = [x[0] if numeric(values) else str(x[0]) for x in points]
                ys = [x[1] for x in points]
                low = [max(0.0, y - (x[2] if x[2] is not None else y)) for x, y in zip(points, ys)]
                high = [max(0.0, (x[3] if x[3] is not None else y) - y) for x, y in zip(points, ys)]
                ax.errorbar(xs, ys, yerr=[low, high], marker="o", capsize=3, color=color_of(model), linestyle=line_of(model), label=model)
            if numeric(values) and min(values) > 0 and max(values) / min(values) >= 16:
                ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel(axis)
            ax.set_ylabel(f"{unit}/s (median, CI)")
            ax.set_title(label(fixed), fontsize=9)
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8)
        charts.append(embed(fig, f"{scenario['name']}: throughput against {axis}"))
    return charts


def percentile_position(percent):
    """The x of a percentile on a log scale of 1 / (1 - p): 50 -> 1, 99 -> 2, 99.9 -> 3."""
    rest = max(1e-7, 1 - percent / 100)
    return math.log10(1 / rest) if percent < 100 else None


def spectrum_charts(scenario):
    """The latency percentile spectrum per model (HdrHistogram style)."""
    combos = []
    for case in scenario["cases"]:
        key = json.dumps(case["params"], sort_keys=True)
        if key not in combos:
            combos.append(key)
    combos = combos[:MAX_PANELS]
    fig, flat = panels(len(combos))
    drawn = False
    for ax, key in zip(flat, combos):
        for case in scenario["cases"]:
            if json.dumps(case["params"], sort_keys=True) != key or not case["spectrum_us"]:
                continue
            points = [(percentile_position(p), v) for p, v in case["spectrum_us"] if v is not None and v > 0]
            finite = [(x, v) for x, v in points if x is not None and x >= 0.25]
            if not finite:
                continue
            top = max(x for x, _ in finite) + 0.5
            finite += [(top, v) for x, v in points if x is None]  # the maximum, just right of the last percentile
            ax.plot([x for x, _ in finite], [v for _, v in finite], marker=".", color=color_of(case["model"]), linestyle=line_of(case["model"]), label=case["model"])
            drawn = True
        ticks = [0.30103, 1, 2, 3, 4, 5]
        ax.set_xticks(ticks)
        ax.set_xticklabels(["50", "90", "99", "99.9", "99.99", "99.999"])
        ax.set_yscale("log")
        ax.set_xlabel("percentile")
        ax.set_ylabel("latency us")
        ax.set_title(label(json.loads(key)), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    if not drawn:
        plt.close(fig)
        return []
    return [embed(fig, f"{scenario['name']}: latency percentile spectrum")]


def bar_chart(scenario, key, ylabel, title):
    combos = []
    for case in scenario["cases"]:
        k = json.dumps(case["params"], sort_keys=True)
        if k not in combos:
            combos.append(k)
    combos = combos[:12]
    models = models_in(scenario["cases"])
    width = 0.8 / max(1, len(models))
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(combos)), 3.6))
    drawn = False
    for i, model in enumerate(models):
        xs, ys = [], []
        for j, combo in enumerate(combos):
            for case in scenario["cases"]:
                if case["model"] == model and json.dumps(case["params"], sort_keys=True) == combo and case.get(key) is not None:
                    xs.append(j + i * width)
                    ys.append(case[key])
        if xs:
            ax.bar(xs, ys, width=width, color=color_of(model), hatch="//" if line_of(model) != "-" else None, label=model)
            drawn = True
    if not drawn:
        plt.close(fig)
        return []
    ax.set_xticks([j + width * (len(models) - 1) / 2 for j in range(len(combos))])
    ax.set_xticklabels([label(json.loads(c)) for c in combos], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return [embed(fig, f"{scenario['name']}: {title}")]


COLUMNS = [
    ("model", lambda c: c["model"]),
    ("runs", lambda c: c["n"]),
    ("throughput/s", lambda c: c["throughput"]["median"]),
    ("CI low", lambda c: c["throughput"]["ci_low"]),
    ("CI high", lambda c: c["throughput"]["ci_high"]),
    ("p50 us", lambda c: c["latency_p50_us"]),
    ("p99 us", lambda c: c["latency_p99_us"]),
    ("p99.9 us", lambda c: c["latency_p999_us"]),
    ("peak RSS MiB", lambda c: None if c["peak_rss_bytes"] is None else c["peak_rss_bytes"] / 2**20),
    ("KiB/task", lambda c: None if c["bytes_per_task"] is None else c["bytes_per_task"] / 1024),
    ("CPU us/item", lambda c: c["cpu_us_per_item"]),
]


def cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.4e}"
    return str(value)


def table_rows(scenario):
    for case in scenario["cases"]:
        yield [label(case["params"])] + [cell(get(case)) for _, get in COLUMNS]


def problems(scenario):
    """The runs that failed and the models left out, one sentence each: a
    report never drops a model without saying so."""
    lines = []
    failed = {}
    for f in scenario.get("failed", []):
        key = (label(f["params"]), f["model"], f["status"], f["message"])
        failed[key] = failed.get(key, 0) + 1
    for (where, model, status, message), count in failed.items():
        runs = "run" if count == 1 else f"{count} runs"
        lines.append(f"{model} failed ({status}, {runs}) at {where}: {message}")
    for left in scenario.get("left_out", []):
        lines.append(f"{left['model']} left out at {label(left['params'])}: {left['reason']}")
    return lines


def write_markdown(model, path):
    lines = [f"# {model['title']}", ""]
    for scenario in model["scenarios"]:
        lines += [f"## {scenario['name']}", "", scenario["summary"], ""]
        trouble = problems(scenario)
        if trouble:
            lines += ["Not in the numbers below:", ""] + [f"- {line}" for line in trouble] + [""]
        header = ["parameters"] + [name for name, _ in COLUMNS]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in table_rows(scenario)]
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_csv(model, path):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["scenario", "parameters"] + [name for name, _ in COLUMNS])
        for scenario in model["scenarios"]:
            for row in table_rows(scenario):
                writer.writerow([scenario["name"]] + row)


def environment(source):
    machine = source.get("machine") or {}
    build = source.get("conclab") or {}
    rows = [("file", source["file"]), ("started", source.get("started_utc")), ("CPU", machine.get("cpu_model")),
            ("logical CPUs", machine.get("logical_cpus")), ("memory", machine.get("memory_bytes")),
            ("kernel", machine.get("kernel")), ("OS", machine.get("os")), ("governor", machine.get("cpufreq_governor")),
            ("conclab", f"{build.get('version')} ({build.get('git_commit')}), {build.get('build_type')}, {build.get('compiler')}")]
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    command = " ".join(source.get("command") or [])
    return f"<table class='env'>{body}</table><p>To reproduce:</p><pre>{html.escape(command)}</pre>"


def write_html(model, path):
    parts = [f"<h1>{html.escape(model['title'])}</h1>",
             f"<p class='meta'>Generated {html.escape(model['generated_utc'])} by conclab "
             f"{html.escape(str(model['generated_by'].get('version')))}. Medians over repetitions; CI: the median's "
             "confidence interval from order statistics; significance: Mann-Whitney U between the leader and the "
             "runner-up. Methodology: docs/methodology.md in the conclab sources.</p>"]
    for scenario in model["scenarios"]:
        unit = "items"
        parts.append(f"<h2>{html.escape(scenario['name'])}</h2>")
        parts.append(f"<p class='verdict'>{html.escape(scenario['summary'])}</p>")
        trouble = problems(scenario)
        if trouble:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in trouble)
            parts.append(f"<div class='problems'><p>Not in the numbers below:</p><ul>{items}</ul></div>")
        if scenario["verdicts"]:
            items = "".join(f"<li>{html.escape(label(v['params']))}: {html.escape(v['text'])}</li>" for v in scenario["verdicts"])
            parts.append(f"<ul class='verdicts'>{items}</ul>")
        fixed = ", ".join(f"{k}={v}" for k, v in scenario["fixed"].items())
        parts.append(f"<p class='fixed'>Fixed parameters: {html.escape(fixed)}</p>")
        charts = []
        if scenario["axes"]:
            charts += throughput_charts(scenario, unit)
        charts += spectrum_charts(scenario)
        charts += bar_chart(scenario, "bytes_per_task", "bytes per task (RSS growth)", "memory per task")
        charts += bar_chart(scenario, "cpu_us_per_item", "CPU us per item", "CPU per unit of work")
        parts += charts
        header = "".join(f"<th>{html.escape(n)}</th>" for n in ["parameters"] + [name for name, _ in COLUMNS])
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table_rows(scenario))
        parts.append(f"<table class='results'><tr>{header}</tr>{rows}</table>")
        if scenario.get("listing_html"):
            # made and escaped by conclab (src/listing.cpp, as `conclab show --html`): the code of the build that drew this page
            parts.append(f"<details class='listing' id='code-{html.escape(scenario['name'])}'><summary>The code: each model's file of this scenario side by side, "
                         "lined up on its roles</summary>" + scenario["listing_html"] + "</details>")
    if model.get("claims"):
        parts.append("<h2 id='claims'>The claims, answered by measurement</h2>")
        parts.append("<p>Things said in the Go versus Rust debate, each tested by a case of this sweep "
                     "(conclab claims; docs/workshop/07-claims.md says how each is decided).</p>")
        head = "".join(f"<th>{n}</th>" for n in ["claim", "tested by", "measured (medians)", "verdict"])
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c[k])}</td>" for k in ["claim", "evidence", "measured", "verdict"]) + "</tr>"
                       for c in model["claims"])
        parts.append(f"<table class='claims'><tr>{head}</tr>{rows}</table>")
    if model.get("calibration"):
        parts.append("<h2>Calibration: each model against its real Go or Rust peer</h2>")
        parts.append(f"<pre class='calibration'>{html.escape(model['calibration'])}</pre>")
    parts.append("<h2>Environment</h2>")
    parts += [environment(source) for source in model["sources"]]
    style = ("body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
             "text-align:right}th{background:#f3f3f3}.env th,.env td{text-align:left}img.chart{display:block;margin:1em 0;"
             "max-width:100%}.verdict{font-weight:bold}.problems{border-left:4px solid #d62728;background:#fdf0f0;"
             "padding:2px 12px;margin:1em 0}pre{background:#f6f6f6;padding:6px;white-space:pre-wrap}"
             ".listing{overflow-x:auto}.listing table{table-layout:fixed;width:100%}.listing td,.listing th{text-align:left;"
             "vertical-align:top}.listing pre{font-size:11px;margin:0;white-space:pre-wrap;word-break:break-all}"
             "summary{cursor:pointer;font-weight:bold;margin:1em 0}.claims td,.claims th{text-align:left;vertical-align:top}")
    script = ("window.addEventListener('load',function(){var n=0;document.querySelectorAll('img.chart').forEach("
              "function(i){if(i.complete&&i.naturalWidth>0)n++;});document.body.setAttribute('data-charts-shown',n);"
              "document.body.setAttribute('data-charts',document.querySelectorAll('img.chart').length);});")
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(model['title'])}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}<script>{script}</script></body></html>")
    with open(path, "w") as f:
        f.write(page)


def write_whole(path, writer, *args):
    """Writes a regular file through a temporary file beside its real target
    and renames it, so a failure leaves no partial file and a symlink stays a
    link; a device or FIFO is written through, never replaced (as the C++
    side does, src/output_file.cpp)."""
    real = os.path.realpath(path)
    if os.path.exists(real) and not os.path.isfile(real):
        writer(*args, path)
        return
    temporary = real + ".partial"
    try:
        writer(*args, temporary)
        os.replace(temporary, real)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        model = json.load(f)
    out = sys.argv[2]
    write_whole(os.path.join(out, "tables.md"), write_markdown, model)
    write_whole(os.path.join(out, "tables.csv"), write_csv, model)
    write_whole(os.path.join(out, "index.html"), write_html, model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
