#include "src/results/scaling.hpp"

#include "src/results/aggregate.hpp"
#include "src/kit/units.hpp"
#include "src/runner/case_json.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace conclab {

namespace {

double median_of(std::vector<CaseMetrics> const& runs, double CaseMetrics::*field) {
    std::vector<double> values;
    for (auto const& run : runs) values.push_back(run.*field);
    return summarize(values).median;
}

std::uint64_t number_at(ParamValues const& params, std::string const& name) {
    auto const it = params.find(name);
    return it != params.end() && std::holds_alternative<std::uint64_t>(it->second) ? std::get<std::uint64_t>(it->second) : 0;
}

// The parameter that sets this model's OS threads, when it is swept among
// its cases: --threads for the runtimes with a pool (fibers, coroutines,
// tbb and their peers: GOMAXPROCS, Tokio's and Rayon's worker threads);
// for the control group, whose every task is an OS thread, its workers
// (worker-pool) or transform tasks (pipeline). Empty when none is swept.
std::string thread_axis(ModelId const& model, std::vector<CaseRuns const*> const& cases, std::vector<std::string> const& swept) {
    bool const control_group = held_to_limits_of(model.base) == Model::threads;
    for (auto const* name : control_group ? std::vector<char const*>{"workers", "parallelism"} : std::vector<char const*>{"threads"}) {
        if (std::find(swept.begin(), swept.end(), name) == swept.end()) continue;
        std::set<std::uint64_t> values;
        for (auto const* c : cases) {
            if (auto const value = number_at(c->params, name); value > 0) values.insert(value);
        }
        if (values.size() >= 2) return name;
    }
    return {};
}

}  // namespace

ScalingCurves scaling(std::vector<CaseRuns const*> const& cases, std::vector<std::string> const& swept) {
    ScalingCurves out;
    // by model, each beside its peer: fibers, go, coroutines, tokio, ...; variants after their model
    std::map<std::tuple<int, bool, std::string>, std::vector<CaseRuns const*>> by_model;
    for (auto const* c : cases) {
        auto const base = is_peer(c->model.base) ? counterpart(c->model.base) : c->model.base;
        by_model[{static_cast<int>(base), is_peer(c->model.base), c->model.variant}].push_back(c);
    }
    for (auto const& [rank, of_model] : by_model) {
        auto const model = token(of_model.front()->model);
        auto const axis = thread_axis(of_model.front()->model, of_model, swept);
        if (axis.empty()) {
            out.without_axis.push_back(model);
            continue;
        }
        // the other parameters that vary among this model's cases: a curve per combination of them
        std::vector<std::string> others;
        for (auto const& name : swept) {
            if (name == axis) continue;
            std::set<std::string> values;
            for (auto const* c : of_model) {
                if (c->params.count(name) != 0) values.insert(to_text(c->params.at(name)));
            }
            if (values.size() > 1) others.push_back(name);
        }
        std::map<ParamValues, std::map<std::uint64_t, double>> by_others;  // the others' values -> threads -> median
        for (auto const* c : of_model) {
            auto const threads = number_at(c->params, axis);
            auto const median = median_of(c->runs, &CaseMetrics::throughput_per_s);
            if (threads == 0 || !std::isfinite(median) || median <= 0) continue;
            ParamValues values;
            for (auto const& name : others) {
                if (c->params.count(name) != 0) values[name] = c->params.at(name);
            }
            by_others[values][threads] = median;
        }
        for (auto const& [values, by_threads] : by_others) {
            auto const one = by_threads.find(1);
            if (one == by_threads.end() || by_threads.size() < 2) continue;
            ScalingSeries series{model, axis, values, {}};
            for (auto const& [threads, throughput] : by_threads) {
                double const speedup = throughput / one->second;
                series.points.push_back({threads, throughput, speedup, speedup / static_cast<double>(threads)});
            }
            out.series.push_back(std::move(series));
        }
    }
    return out;
}

std::string scaling_note(std::uint64_t most, unsigned cores) {
    if (most >= 4 && cores >= 4) return {};
    return "measured up to " + std::to_string(most) + " thread(s) on a machine of " + std::to_string(cores) +
           " hardware thread(s): too few points for a curve. Where a scheduler stops scaling (its shared queue, its "
           "stealing, its spinning) shows from 8 or more cores: run --preset scaling on a bigger machine (docs/sweeps.md, \"Scaling\")";
}

nlohmann::json scaling_json(ScalingCurves const& curves, unsigned cores) {
    auto const& series = curves.series;
    if (series.empty()) return nullptr;
    nlohmann::json list = nlohmann::json::array();
    std::uint64_t most = 0;
    for (auto const& s : series) {
        nlohmann::json points = nlohmann::json::array();
        for (auto const& p : s.points) {
            points.push_back({p.threads, p.throughput, p.speedup, p.efficiency});
            most = std::max(most, p.threads);
        }
        list.push_back({{"model", s.model}, {"axis", s.axis}, {"others", params_to_json(s.others)}, {"points", std::move(points)}});
    }
    auto const note = scaling_note(most, cores);
    return {{"cores", cores},
            {"note", note.empty() ? nlohmann::json(nullptr) : nlohmann::json(note)},
            {"without_axis", curves.without_axis},
            {"series", std::move(list)}};
}

std::string scaling_markdown(ScalingCurves const& curves, unsigned cores) {
    auto const& series = curves.series;
    if (series.empty()) return {};
    std::set<std::uint64_t> columns;
    std::uint64_t most = 0;
    for (auto const& s : series) {
        for (auto const& p : s.points) {
            columns.insert(p.threads);
            most = std::max(most, p.threads);
        }
    }
    std::string out = "Scaling: throughput at T threads against 1 thread, the speedup (efficiency: the speedup per thread; "
                      "the ideal is T up to the machine's " + std::to_string(cores) + " hardware threads).\n\n| model |";
    std::string rule = "|---|";
    for (auto const t : columns) {
        out += " " + std::to_string(t) + " |";
        rule += "---:|";
    }
    out += "\n" + rule + "\n";
    for (auto const& s : series) {
        std::string name = s.model + (s.axis == "threads" ? "" : " (by " + s.axis + ")");
        for (auto const& [param, value] : s.others) name += " " + param + "=" + to_text(value);
        out += "| " + name + " |";
        for (auto const t : columns) {
            auto const p = std::find_if(s.points.begin(), s.points.end(), [&](ScalingPoint const& q) { return q.threads == t; });
            out += p == s.points.end() ? " - |" : " " + printed("%.2f", p->speedup) + "x (" + printed("%.0f", 100 * p->efficiency) + "%) |";
        }
        out += "\n";
    }
    if (!curves.without_axis.empty()) {
        std::string names;
        for (auto const& m : curves.without_axis) names += (names.empty() ? "" : ", ") + m;
        out += "\nNo curve for " + names + ": no parameter swept here sets its OS threads.\n";
    }
    if (auto const note = scaling_note(most, cores); !note.empty()) out += "\nNote: " + note + ".\n";
    return out + "\n";
}

}  // namespace conclab
