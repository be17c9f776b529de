#include "src/results/calibration.hpp"

#include "src/results/aggregate.hpp"
#include "src/results/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace conclab {
namespace {


double median_of(std::vector<double> values) {
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    if (values.empty()) return no_value;
    return summarize(values).median;
}

double value_of(CaseMetrics const& m, std::string const& key) {
    for (auto const& metric : metric_list()) {
        if (metric.key == key) return m.*metric.field;
    }
    return extra_value(m, key);
}

std::vector<double> values_of(CaseRuns const& c, std::string const& key) {
    std::vector<double> out;
    for (auto const& run : c.runs) {
        if (double const v = value_of(run, key); std::isfinite(v) && v > 0) out.push_back(v);
    }
    return out;
}

std::string text_of(ParamValue const& value) {
    if (auto const* number = std::get_if<std::uint64_t>(&value)) return std::to_string(*number);
    return std::get<std::string>(value);
}

}  // namespace

Headline headline(std::string const& scenario) {
    if (scenario == "task-tree") return {"wall_s", "time", false};
    if (scenario == "idle-tasks") return {"bytes_per_task", "bytes/task", false};
    // open loop at a fixed rate: every model that keeps it has the same throughput; the tail is the result
    if (scenario == "cache-service") return {"latency_p999_us", "p99.9", false};
    return {"throughput_per_s", scenario == "url-fetch" ? "requests/s" : scenario == "pipeline" ? "items/s" : "jobs/s", true};
}

std::vector<Headline> judged_by(std::string const& scenario) {
    std::vector<Headline> out{headline(scenario)};
    if (scenario == "idle-tasks") {
        out.push_back({"latency_p50_us", "late p50", false});
        out.push_back({"latency_p99_us", "late p99", false});
        out.push_back({"spawn_s", "spawn time", false});
    } else if (scenario != "task-tree") {
        out.push_back({"latency_p99_us", "p99", false});
    }
    return out;
}

namespace {

// "jobs=1000 work=0 ...": a case's parameters as one key
std::string params_key(ParamValues const& params) {
    std::string out;
    for (auto const& [name, value] : params) out += (out.empty() ? "" : " ") + name + "=" + text_of(value);
    return out;
}

std::size_t pair_of(Model model) noexcept { return static_cast<std::size_t>(is_peer(model) ? counterpart(model) : model); }

struct Group {
    std::string scenario;
    ParamValues params;
    std::array<CaseRuns const*, 4> model{};
    std::array<CaseRuns const*, 4> peer{};
    bool paired() const noexcept {
        for (std::size_t i = 0; i < 4; ++i) {
            if (model[i] != nullptr && peer[i] != nullptr) return true;
        }
        return false;
    }
};

std::vector<Group> group(std::vector<CaseRuns> const& cases) {
    std::vector<Group> groups;
    std::map<std::string, std::size_t> index;
    for (auto const& c : cases) {
        if (c.model.is_variant() || c.runs.empty()) continue;
        auto const key = c.scenario + " " + params_key(c.params);
        auto [it, added] = index.emplace(key, groups.size());
        if (added) groups.push_back({c.scenario, c.params, {}, {}});
        auto& g = groups[it->second];
        (is_peer(c.model.base) ? g.peer : g.model)[pair_of(c.model.base)] = &c;
    }
    std::erase_if(groups, [](Group const& g) { return !g.paired(); });
    return groups;
}

double median_at(CaseRuns const* c, std::string const& key) {
    if (c == nullptr) return no_value;
    std::vector<double> values;
    for (auto const& run : c->runs) values.push_back(value_of(run, key));
    return median_of(values);
}

}  // namespace

bool has_pairs(std::vector<CaseRuns> const& cases) { return !group(cases).empty(); }

Calibration calibrate(std::vector<CaseRuns> const& cases) {
    Calibration out;
    auto const groups = group(cases);
    // a scenario's rows show the parameters in which they differ
    std::map<std::string, std::map<std::string, std::set<std::string>>> seen;
    for (auto const& g : groups) {
        for (auto const& [name, value] : g.params) seen[g.scenario][name].insert(text_of(value));
    }
    for (auto const& g : groups) {
        std::string params;
        for (auto const& [name, value] : g.params) {
            if (seen[g.scenario][name].size() > 1) params += (params.empty() ? "" : " ") + name + "=" + text_of(value);
        }
        // the Go runs' collector figures, once per case, beside each of its rows
        auto const* go = g.peer[0];
        double const gc_cycles = median_at(go, "gc_cycles"), gc_pause_s = median_at(go, "gc_pause_total_s"),
                     gc_pause_max_us = median_at(go, "gc_pause_max_us"), go_p99_us = median_at(go, "latency_p99_us");
        bool primary = true;
        for (auto const& judged : judged_by(g.scenario)) {
            CalibrationRow row{.scenario = g.scenario, .params = params, .headline = judged, .primary = primary, .pairs = {}};
            bool any = false;
            for (std::size_t i = 0; i < 4; ++i) {
                if (g.model[i] == nullptr || g.peer[i] == nullptr) continue;
                auto const model = values_of(*g.model[i], row.headline.metric);
                auto const peer = values_of(*g.peer[i], row.headline.metric);
                row.pairs[i] = ratio_interval(model, peer, row.headline.higher_is_better);
                any = any || std::isfinite(row.pairs[i].ratio);
            }
            row.go_gc_cycles = gc_cycles;
            row.go_gc_pause_s = gc_pause_s;
            row.go_gc_pause_max_us = gc_pause_max_us;
            row.go_p99_us = go_p99_us;
            // the headline row always (a case with no ratio says so); the others where they have one
            if (primary || any) out.rows.push_back(std::move(row));
            primary = false;
        }
    }
    for (std::size_t i = 0; i < 4; ++i) {
        double log_sum = 0;
        std::size_t n = 0;
        for (std::size_t r = 0; r < out.rows.size(); ++r) {
            if (!out.rows[r].primary) continue;
            double const ratio = out.rows[r].pairs[i].ratio;
            if (!std::isfinite(ratio) || ratio <= 0) continue;
            log_sum += std::log(ratio);
            ++n;
            if (!std::isfinite(out.rows[out.worst[i]].pairs[i].ratio) || ratio < out.rows[out.worst[i]].pairs[i].ratio) out.worst[i] = r;
        }
        if (n > 0) out.geomean[i] = std::exp(log_sum / static_cast<double>(n));
    }
    return out;
}

bool diverges(double ratio) noexcept { return std::isfinite(ratio) && ratio > 0 && (ratio > divergence || ratio < 1 / divergence); }

std::string format_calibration(Calibration const& calibration) {
    auto const fixed = [](double value, char const* format) {
        if (!std::isfinite(value)) return std::string{"-"};
        char text[48];
        std::snprintf(text, sizeof text, format, value);
        return std::string{text};
    };
    auto const cell = [&](RatioInterval const& r) {
        if (!std::isfinite(r.ratio)) return std::string{"-"};
        auto out = fixed(r.ratio, "%.2f");
        if (r.confidence > 0) out += " [" + fixed(r.low, "%.2f") + ", " + fixed(r.high, "%.2f") + "]";
        if (diverges(r.ratio)) out += " *";
        return out;
    };
    std::string out =
        "Each conclab model against the real program it stands for: the ratio of their medians, > 1 where conclab's\n"
        "model does better (more per second; for task-tree less time, for idle-tasks fewer bytes per task, for\n"
        "cache-service a lower p99.9; on the rows after a case's first, a lower p99 latency, later timers, a quicker\n"
        "spawn), with the interval of the run-by-run ratios that covers the true ratio";
    double confidence = 1;
    for (auto const& row : calibration.rows) {
        for (auto const& pair : row.pairs) {
            if (pair.confidence > 0) confidence = std::min(confidence, pair.confidence);
        }
    }
    out += confidence < 1 ? " at " + fixed(100 * confidence, "%.0f") + "% or more (Hodges-Lehmann).\n\n" : ".\n\n";
    Table table;
    table.columns = {{.title = "case", .key = "case", .left = true}, {.title = "judged by", .key = "judged_by", .left = true}};
    for (auto const model : all_models) {
        table.columns.push_back({.title = std::string{token(model)} + "/" + std::string{token(counterpart(model))}, .key = {}, .left = true});
    }
    for (auto const& row : calibration.rows) {
        std::vector<std::string> cells{row.scenario + (row.params.empty() ? "" : " " + row.params), row.headline.label};
        for (auto const& pair : row.pairs) cells.push_back(cell(pair));
        table.add(cells);
    }
    std::vector<std::string> means{"geometric mean", ""};
    for (double g : calibration.geomean) means.push_back(fixed(g, "%.2f"));
    table.add(means);
    out += render_text(table);
    out += "worst (the geometric mean and this: each case's first row only):\n";
    for (std::size_t i = 0; i < 4; ++i) {
        if (!std::isfinite(calibration.geomean[i])) continue;
        auto const& row = calibration.rows[calibration.worst[i]];
        out += "  " + std::string{token(all_models[i])} + "/" + std::string{token(counterpart(all_models[i]))} + " " +
               fixed(row.pairs[i].ratio, "%.2f") + ": " + row.scenario + (row.params.empty() ? "" : " " + row.params) + "\n";
    }
    // more than 2x apart: a difference of design, not of noise, named in docs/calibration.md
    std::string apart;
    for (auto const& row : calibration.rows) {
        for (std::size_t i = 0; i < row.pairs.size() && i < all_models.size(); ++i) {
            if (!diverges(row.pairs[i].ratio)) continue;
            apart += "  " + std::string{token(all_models[i])} + "/" + std::string{token(counterpart(all_models[i]))} + " " +
                     fixed(row.pairs[i].ratio, "%.2f") + ": " + row.scenario + (row.params.empty() ? "" : " " + row.params) +
                     (row.primary ? "" : " (" + row.headline.label + ")") + "\n";
        }
    }
    if (!apart.empty()) {
        out += "* more than 2x apart: a model and its peer built differently there, not noise; docs/calibration.md "
               "(\"Where a model and its peer differ\") names the difference:\n" + apart;
    }
    bool gc_header = false;
    for (auto const& row : calibration.rows) {
        if (!row.primary || !std::isfinite(row.go_gc_cycles)) continue;
        if (!gc_header) {
            out += "Go's garbage collector in the go runs (medians): cycles, time paused in all and at most, and p99 latency beside it:\n";
            gc_header = true;
        }
        out += "  " + row.scenario + (row.params.empty() ? "" : " " + row.params) + ": " + fixed(row.go_gc_cycles, "%.0f") + " cycles, " +
               fixed(row.go_gc_pause_s * 1e3, "%.3f") + " ms paused, longest " + fixed(row.go_gc_pause_max_us, "%.0f") + " us; p99 " +
               fixed(row.go_p99_us, "%.0f") + " us\n";
    }
    return out;
}

}  // namespace conclab
