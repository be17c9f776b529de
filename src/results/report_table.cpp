#include "src/kit/cpus.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/units.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/report.hpp"
#include "src/results/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <string>
#include <vector>

namespace conclab {
namespace {

std::string duration(double seconds) { return human_us(seconds * 1e6); }

// a scaled scenario metric: three significant digits, or a count
std::string scaled(double value) {
    if (!std::isfinite(value)) return "-";
    if (std::fabs(value) >= 1e4 || value == std::floor(value)) return human_count(value);
    return three_digits(value);
}

std::string cores(double value) { return std::isfinite(value) ? printed("%.2f", value) : "-"; }

std::string cpu_seconds(double seconds) { return std::isfinite(seconds) ? printed("%.3f", seconds) : "-"; }

// KiB per task; "~0" where the RSS fell during the run (nothing measurable, not a task giving memory back)
std::string kib(double bytes) { return !std::isfinite(bytes) ? "-" : bytes < 0 ? "~0" : three_digits(bytes / 1024.0); }

std::string mib(double bytes) { return std::isfinite(bytes) ? printed("%.1f", bytes / (1024.0 * 1024.0)) : "-"; }

struct Column {
    std::string title;
    bool left = false;
    bool wide = false;  ///< only in the --wide table
};

}  // namespace

std::string format_table(RunResults const& results, TableStyle style) {
    using colour::paint;
    using colour::Style;
    auto const& plan = results.plan;
    std::vector<Column> columns{
        {"model", true, false}, {"verified", true, false}, {"wall", false, false}, {plan.scenario->unit + "/s", false, false},
        {"CI +-", false, false},
    };
    std::vector<ExtraMetric const*> extra_columns, noted;
    for (auto const& metric : plan.scenario->metrics) {
        if (!metric.title.empty()) {
            extra_columns.push_back(&metric);
            columns.push_back({metric.title, false, metric.wide});
        }
        if (metric.noted) noted.push_back(&metric);
    }
    // the default table: the most-read columns (about 100 characters); --wide: all of them
    for (auto const& [title, wide] : std::initializer_list<std::pair<char const*, bool>>{
             {"p50 us", false}, {"p90 us", true}, {"p99 us", false}, {"p99.9 us", false}, {"p99.99 us", true}, {"max us", true}, {"RSS MiB", false},
             {"KiB/task", true}, {"user s", true}, {"sys s", true}, {"cores", false}, {"vol cs", true}, {"invol cs", true}}) {
        columns.push_back({title, false, wide});
    }
    std::vector<std::string> notes;
    double ci_level = 1;
    std::vector<std::pair<std::string, Spread>> ranked;  // models with verified runs: their throughput
    std::vector<std::string> outliers;
    std::vector<std::string> noisy;
    double rate_requested = no_value;
    std::vector<std::string> saturated_models;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> all_verified;  // per row: every run verified (the verified cell green, else red)
    std::vector<std::string> failures;
    std::vector<std::string> unverified;  // runs that finished with failed items
    for (auto const& model : results.models) {
        std::vector<CaseMetrics> ok;
        std::size_t verified_runs = 0;
        std::uint64_t failed = 0, attempted = 0;
        for (auto const& run : model.runs) {
            if (run.status == CaseOutcome::Status::ok) {
                ok.push_back(run.metrics);
                if (verified(run.metrics)) {
                    ++verified_runs;
                } else {
                    failed += run.metrics.items_failed;
                    attempted += run.metrics.items + run.metrics.items_failed;
                }
            } else {
                failures.push_back(std::string{token(model.model)} + ": " + std::string{to_string(run.status)} + ": " + run.message);
            }
        }
        auto const median = [&](double CaseMetrics::*field) {
            std::vector<double> values;
            for (auto const& m : ok) values.push_back(m.*field);
            return summarize(values);
        };
        auto const throughput = median(&CaseMetrics::throughput_per_s);
        std::string spread = "-";
        if (double const half = relative_half_width(throughput); std::isfinite(half)) {
            spread = printed("%.1f%%", 100.0 * half);
            ci_level = std::min(ci_level, throughput.ci_level);
        }
        if (throughput.n > 0) ranked.push_back({std::string{token(model.model)}, throughput});
        if (auto const runs = ok.size() - verified_runs; runs > 0) {
            unverified.push_back(std::string{token(model.model)} + ": " + std::to_string(runs) + " run(s), " + std::to_string(failed) +
                                 " of " + std::to_string(attempted) + " " + plan.scenario->unit + " failed");
        }
        for (auto position : throughput.outliers) {
            outliers.push_back(std::string{token(model.model)} + " " + human_count(ok[position].throughput_per_s) + "/s");
        }
        auto const extra_median = [&](std::string const& key) {
            std::vector<double> values;
            for (auto const& m : ok) values.push_back(extra_value(m, key));
            return summarize(values).median;
        };
        std::vector<std::string> row{
            std::string{token(model.model)},
            std::to_string(verified_runs) + "/" + std::to_string(model.runs.size()),
            duration(median(&CaseMetrics::wall_s).median),
            human_count(throughput.median),
            spread,
        };
        for (auto const* metric : extra_columns) {
            double const value = extra_median(metric->key) * metric->scale;
            // seconds as a duration (67.2 µs, 1.20 s), as the wall column: never "6.72e-05"
            row.push_back(metric->unit == "s" && metric->scale == 1 ? duration(value) : scaled(value));
        }
        std::string noted_here;
        for (auto const* metric : noted) {
            double const value = extra_median(metric->key);
            if (std::isfinite(value) && value != 0) noted_here += (noted_here.empty() ? "" : ", ") + metric->key + " " + human_count(value);
        }
        if (!noted_here.empty()) notes.push_back(std::string{token(model.model)} + ": " + noted_here);
        for (auto const& m : ok) {
            if (std::isfinite(m.rate_requested)) rate_requested = m.rate_requested;
        }
        if (auto const saturated = median(&CaseMetrics::saturated); saturated.n > 0 && saturated.max > 0) {
            saturated_models.push_back(std::string{token(model.model)} + " (" + human_count(median(&CaseMetrics::rate_achieved).median) +
                                       "/s achieved, median)");
        }
        for (std::size_t rep = 0; rep < model.runs.size(); ++rep) {
            auto const& run = model.runs[rep];
            // /proc/stat counts in 10 ms ticks: only runs of half a second or more say something
            // a run too short for /proc/stat's ticks has no figure (NaN): never marked either way
            if (run.status == CaseOutcome::Status::ok && run.metrics.machine_other_cores > 0.25) {
                noisy.push_back(std::string{token(model.model)} + " repetition " + std::to_string(rep + 1) + " (" +
                                printed("%.2f", run.metrics.machine_other_cores) + " cores)");
            }
        }
        row.insert(row.end(), {
            three_digits(median(&CaseMetrics::latency_p50_us).median),
            three_digits(median(&CaseMetrics::latency_p90_us).median),
            three_digits(median(&CaseMetrics::latency_p99_us).median),
            three_digits(median(&CaseMetrics::latency_p999_us).median),
            three_digits(median(&CaseMetrics::latency_p9999_us).median),
            three_digits(median(&CaseMetrics::latency_max_us).median),
            mib(median(&CaseMetrics::peak_rss_bytes).median),
            kib(median(&CaseMetrics::bytes_per_task).median),
            cpu_seconds(median(&CaseMetrics::user_cpu_s).median),
            cpu_seconds(median(&CaseMetrics::sys_cpu_s).median),
            cores(median(&CaseMetrics::cpu_utilization).median),
            human_count(median(&CaseMetrics::voluntary_ctx_switches).median),
            human_count(median(&CaseMetrics::involuntary_ctx_switches).median),
        });
        rows.push_back(std::move(row));
        all_verified.push_back(verified_runs > 0 && verified_runs == model.runs.size());
    }

    // the columns this table shows, and those --wide adds (named in the note below the table)
    std::vector<std::size_t> shown;
    std::string hidden;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (style.wide || !columns[c].wide) {
            shown.push_back(c);
        } else {
            hidden += (hidden.empty() ? "" : ", ") + columns[c].title;
        }
    }
    {
        std::vector<Column> kept;
        for (auto c : shown) kept.push_back(columns[c]);
        for (auto& row : rows) {
            std::vector<std::string> cells;
            for (auto c : shown) cells.push_back(std::move(row[c]));
            row = std::move(cells);
        }
        columns = std::move(kept);
    }
    bool const colour = style.colour && style.format == TableFormat::text;
    bool const markdown = style.format == TableFormat::markdown;
    auto const make_table = [&] {
        Table made;
        for (auto const& column : columns) made.columns.push_back({.title = column.title, .key = {}, .left = column.left});
        for (std::size_t r = 0; r < rows.size(); ++r) {
            std::vector<TableCell> cells;
            for (auto const& text : rows[r]) cells.push_back({.text = text});
            cells[1].style = all_verified[r] ? Style::green : Style::red;  // the verified column
            made.rows.push_back(std::move(cells));
        }
        return made;
    };
    // a terminal narrower than the table: the least-read columns left out until it fits, and said (--wide keeps all)
    std::vector<std::string> narrowed;
    if (style.format == TableFormat::text && style.width > 0 && !style.wide) {
        std::vector<std::string> drop_order{"cores", "p99.9 us"};
        for (auto const* metric : extra_columns) drop_order.push_back(metric->title);
        for (char const* title : {"wall", "RSS MiB", "p50 us", "CI +-"}) drop_order.emplace_back(title);
        for (auto const& title : drop_order) {
            if (text_width(render_text(make_table())) <= style.width) break;
            auto const at = std::find_if(columns.begin(), columns.end(), [&](Column const& c) { return c.title == title; });
            if (at == columns.end()) continue;
            auto const index = static_cast<std::size_t>(at - columns.begin());
            columns.erase(at);
            for (auto& row : rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(index));
            narrowed.push_back(title);
        }
    }
    Table const table = make_table();
    std::string out = (markdown ? "**" + plan.scenario->name + "**" : plan.scenario->name) + ": " +
                      format_params(plan.scenario->params, plan.params) + "\n";
    if (!results.fixture_summary.empty()) out += (markdown ? "\n" : "") + results.fixture_summary + "\n";
    out += (markdown ? "\n" : "") + std::to_string(plan.repeat) + " repetition(s) per model, each in its own process after " +
           std::to_string(plan.warmup) + " warm-up run(s), models in rotated order" +
           (plan.cpus.empty() ? std::string{} : ", each pinned to CPUs " + format_cpu_list(plan.cpus) + " (--cpus)") + "; medians shown\n";
    if (!results.stopped_because.empty()) out += (markdown ? "\n" : "") + std::string{"until precise: "} + results.stopped_because + "\n";
    out += "\n";
    auto const table_start = out.size();
    out += markdown ? render_markdown(table) : render_text(table, colour);
    auto const table_end = out.size();
    out += "\nverified: runs whose checksum matched the reference, with each of the " + plan.scenario->unit +
           " done exactly once and none failed. RSS: peak of the case's process.";
    if (hidden.empty()) {
        out += " KiB/task: the run's RSS growth per task alive at once.\n"
               "user/sys s: CPU of the measured run; cores = (user + sys) / wall. vol/invol cs: context switches. "
               "All figures: docs/methodology.md.\n";
    } else {
        std::string left_out;
        for (auto const& title : narrowed) left_out += (left_out.empty() ? "" : ", ") + title;
        out += " cores: CPU of the measured run / wall.\n" +
               (narrowed.empty() ? std::string{}
                                 : "Left out to fit " + std::to_string(style.width) + " columns: " + left_out + ". ") +
               "--wide adds " + (left_out.empty() ? hidden : left_out + ", " + hidden) + ". All figures: docs/methodology.md.\n";
    }
    if (ci_level < 1) {
        out += "CI +-: half-width of the " + printed("%.3g", ci_level * 100) + "% confidence interval of the median " +
               plan.scenario->unit + "/s, from order statistics (95% needs 6 or more repetitions).\n";
    }
    // which models the data can rank: neighbours by median whose intervals overlap cannot be told apart
    std::sort(ranked.begin(), ranked.end(), [](auto const& a, auto const& b) { return a.second.median > b.second.median; });
    for (std::size_t i = 1; i < ranked.size(); ++i) {
        if (ranked[i - 1].second.n > 1 && ranked[i].second.n > 1 && overlap(ranked[i - 1].second, ranked[i].second)) {
            out += paint("warning:", Style::yellow, colour) + " " + ranked[i - 1].first + " and " + ranked[i].first + " cannot be ranked: their " +
                   plan.scenario->unit + "/s intervals overlap (more --repeat, or longer runs, may separate them)\n";
        }
    }
    if (std::isfinite(rate_requested)) {
        out += "open loop: " + human_count(rate_requested) + " " + plan.scenario->unit +
               "/s due on a fixed schedule; latencies count from when each was due.";
        if (saturated_models.empty()) {
            out += " Every model kept the rate.\n";
        } else {
            out += " Saturated (below 90% of the rate in some run):";
            for (std::size_t i = 0; i < saturated_models.size(); ++i) out += (i == 0 ? " " : ", ") + saturated_models[i];
            out += "\n";
        }
    }
    if (!noisy.empty()) {
        out += "noisy runs (other processes kept cores busy meanwhile):";
        for (std::size_t i = 0; i < noisy.size(); ++i) out += (i == 0 ? " " : ", ") + noisy[i];
        out += "\n";
    }
    if (!outliers.empty()) {
        out += "outlier runs (beyond 1.5 IQR, kept in the medians):";
        for (std::size_t i = 0; i < outliers.size(); ++i) out += (i == 0 ? " " : ", ") + outliers[i];
        out += "\n";
    }
    if (!notes.empty()) {
        out += "\nMedians of per-run counts that are not zero:\n";
        for (auto const& note : notes) out += "  " + note + "\n";
    }
    if (results.interrupted) {
        std::size_t finished = 0;
        for (auto const& model : results.models) finished += model.runs.size();
        out += "\n" + paint("INTERRUPTED:", Style::yellow, colour) + " " + std::to_string(finished) + " of " + std::to_string(plan.repeat * plan.models.size()) +
               " runs finished before the stop; the figures above are from those only.\n";
    }
    if (!unverified.empty()) {
        out += "\n" + paint("not verified:", Style::red, colour) + " runs that finished with failed " + plan.scenario->unit +
               " (counted by kind above; their figures are in the medians, over the " + plan.scenario->unit + " done):\n";
        for (auto const& line : unverified) out += "  " + line + "\n";
    }
    if (!failures.empty()) {
        out += "\n" + paint("FAILED runs", Style::red, colour) + " (not counted above):\n";
        for (auto const& failure : failures) out += "  " + failure + "\n";
    }
    if (markdown) {
        // every note line a paragraph of its own, as Markdown joins single lines
        std::string notes;
        for (auto i = table_end; i < out.size(); ++i) {
            if (out[i] == '\n' && (i + 1 >= out.size() || out[i + 1] != '\n') && (i == 0 || out[i - 1] != '\n')) notes += '\n';
            notes += out[i];
        }
        out = out.substr(0, table_end) + notes;
    }
    if (style.format == TableFormat::text && style.width > 0) {
        // the lines above and below the table wrapped at the terminal's width; the table itself fits, or is left whole
        return wrap(out.substr(0, table_start), style.width) + out.substr(table_start, table_end - table_start) +
               wrap(out.substr(table_end), style.width);
    }
    return out;
}

}  // namespace conclab
