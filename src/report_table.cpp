#include "src/aggregate.hpp"
#include "src/report.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace conclab {
namespace {

std::string format(char const* pattern, double value) {
    char text[48];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

// three significant digits, with a k/M/G suffix for large counts
std::string count(double value) {
    if (!std::isfinite(value)) return "-";
    double const magnitude = std::fabs(value);
    if (magnitude >= 1e9) return format("%.3gG", value / 1e9);
    if (magnitude >= 1e6) return format("%.3gM", value / 1e6);
    if (magnitude >= 1e4) return format("%.3gk", value / 1e3);
    return format("%.0f", value);
}

std::string three_digits(double value) {
    if (!std::isfinite(value)) return "-";
    if (std::fabs(value) >= 1000) return format("%.0f", value);
    return format("%.3g", value);
}

std::string duration(double seconds) {
    if (!std::isfinite(seconds)) return "-";
    if (seconds < 1) return three_digits(seconds * 1e3) + " ms";
    return three_digits(seconds) + " s";
}

// a scaled scenario metric: three significant digits, or a count
std::string scaled(double value) {
    if (!std::isfinite(value)) return "-";
    if (std::fabs(value) >= 1e4 || value == std::floor(value)) return count(value);
    return three_digits(value);
}

std::string cpu_seconds(double seconds) { return std::isfinite(seconds) ? format("%.3f", seconds) : "-"; }

std::string mib(double bytes) { return std::isfinite(bytes) ? format("%.1f", bytes / (1024.0 * 1024.0)) : "-"; }

struct Column {
    std::string title;
    bool left = false;
};

}  // namespace

std::string format_table(RunResults const& results) {
    auto const& plan = results.plan;
    std::vector<Column> columns{
        {"model", true}, {"verified", true}, {"wall"}, {plan.scenario->unit + "/s"}, {"spread"},
    };
    std::vector<ExtraMetric const*> extra_columns, noted;
    for (auto const& metric : plan.scenario->metrics) {
        if (!metric.title.empty()) {
            extra_columns.push_back(&metric);
            columns.push_back({metric.title});
        }
        if (metric.noted) noted.push_back(&metric);
    }
    for (char const* title : {"p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "RSS MiB", "user s", "sys s", "cores",
                              "vol cs", "invol cs"}) {
        columns.push_back({title});
    }
    std::vector<std::string> notes;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> failures;
    for (auto const& model : results.models) {
        std::vector<CaseMetrics> ok;
        for (auto const& run : model.runs) {
            if (run.status == CaseOutcome::Status::ok) {
                ok.push_back(run.metrics);
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
        if (throughput.n > 1 && throughput.median > 0) {
            spread = format("%.1f%%", 100.0 * (throughput.max - throughput.min) / throughput.median);
        }
        auto const extra_median = [&](std::string const& key) {
            std::vector<double> values;
            for (auto const& m : ok) values.push_back(extra_value(m, key));
            return summarize(values).median;
        };
        std::vector<std::string> row{
            std::string{token(model.model)},
            std::to_string(ok.size()) + "/" + std::to_string(model.runs.size()),
            duration(median(&CaseMetrics::wall_s).median),
            count(throughput.median),
            spread,
        };
        for (auto const* metric : extra_columns) row.push_back(scaled(extra_median(metric->key) * metric->scale));
        std::string noted_here;
        for (auto const* metric : noted) {
            double const value = extra_median(metric->key);
            if (std::isfinite(value) && value != 0) noted_here += (noted_here.empty() ? "" : ", ") + metric->key + " " + count(value);
        }
        if (!noted_here.empty()) notes.push_back(std::string{token(model.model)} + ": " + noted_here);
        row.insert(row.end(), {
            three_digits(median(&CaseMetrics::latency_p50_us).median),
            three_digits(median(&CaseMetrics::latency_p90_us).median),
            three_digits(median(&CaseMetrics::latency_p99_us).median),
            three_digits(median(&CaseMetrics::latency_p999_us).median),
            three_digits(median(&CaseMetrics::latency_max_us).median),
            mib(median(&CaseMetrics::peak_rss_bytes).median),
            cpu_seconds(median(&CaseMetrics::user_cpu_s).median),
            cpu_seconds(median(&CaseMetrics::sys_cpu_s).median),
            format("%.2f", median(&CaseMetrics::cpu_utilization).median),
            count(median(&CaseMetrics::voluntary_ctx_switches).median),
            count(median(&CaseMetrics::involuntary_ctx_switches).median),
        });
        rows.push_back(std::move(row));
    }

    std::vector<std::size_t> width(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        width[c] = columns[c].title.size();
        for (auto const& row : rows) width[c] = std::max(width[c], row[c].size());
    }
    auto const line = [&](auto const& cell) {
        std::string out;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            std::string const text = cell(c);
            std::string const pad(width[c] - text.size(), ' ');
            out += c == 0 ? "" : "  ";
            out += columns[c].left ? text + pad : pad + text;
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };

    std::string out = plan.scenario->name + ": " + format_params(plan.scenario->params, plan.params) + "\n";
    if (!results.fixture_summary.empty()) out += results.fixture_summary + "\n";
    out += std::to_string(plan.repeat) + " repetition(s) per model, each in its own process after " +
           std::to_string(plan.warmup) + " warm-up run(s); medians shown, spread = (max - min) / median of " +
           plan.scenario->unit + "/s\n\n";
    out += line([&](std::size_t c) { return columns[c].title; });
    for (auto const& row : rows) out += line([&](std::size_t c) { return row[c]; });
    out += "\nverified: runs whose checksum matched the reference, with each of the " + plan.scenario->unit +
           " done exactly once. RSS: peak of the case's process. user/sys s: CPU of the measured run; cores = (user + sys) / wall.\n";
    out += "vol/invol cs: context switches. Metrics: docs/scenarios.md.\n";
    if (!notes.empty()) {
        out += "\nMedians of per-run counts that are not zero:\n";
        for (auto const& note : notes) out += "  " + note + "\n";
    }
    if (!failures.empty()) {
        out += "\nFAILED runs (not counted above):\n";
        for (auto const& failure : failures) out += "  " + failure + "\n";
    }
    return out;
}

}  // namespace conclab
