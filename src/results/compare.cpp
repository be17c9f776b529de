#include "src/results/compare.hpp"

#include "src/results/aggregate.hpp"
#include "src/results/report.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/sweep.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace conclab {
namespace {

struct Tracked {
    char const* key;
    bool higher_is_better;
    double CaseMetrics::*field;
};
constexpr Tracked tracked[] = {
    {"throughput_per_s", true, &CaseMetrics::throughput_per_s},
    {"latency_p50_us", false, &CaseMetrics::latency_p50_us},
    {"latency_p99_us", false, &CaseMetrics::latency_p99_us},
    {"items_per_cpu_s", true, &CaseMetrics::items_per_cpu_s},
    {"peak_rss_bytes", false, &CaseMetrics::peak_rss_bytes},
};

std::string key_of(CaseRuns const& c) {
    return c.scenario + " " + params_to_json(c.params).dump() + " " + std::string{token(c.model)};
}



// P(U <= u) for sample sizes m, n without ties: the number of arrangements
// with each U, counted by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
double exact_cdf(std::size_t m, std::size_t n, double u) {
    std::vector<std::vector<std::vector<double>>> f(m + 1, std::vector<std::vector<double>>(n + 1));
    for (std::size_t i = 0; i <= m; ++i) {
        for (std::size_t j = 0; j <= n; ++j) {
            f[i][j].assign(i * j + 1, 0.0);
            if (i == 0 || j == 0) {
                f[i][j][0] = 1;
                continue;
            }
            for (std::size_t k = 0; k <= i * j; ++k) {
                double count = k < f[i][j - 1].size() ? f[i][j - 1][k] : 0;
                if (k >= j && k - j < f[i - 1][j].size()) count += f[i - 1][j][k - j];
                f[i][j][k] = count;
            }
        }
    }
    double total = 0, below = 0;
    for (std::size_t k = 0; k < f[m][n].size(); ++k) {
        total += f[m][n][k];
        if (static_cast<double>(k) <= u + 1e-9) below += f[m][n][k];
    }
    return below / total;
}

}  // namespace

double smallest_possible_p(std::size_t n1, std::size_t n2) {
    if (n1 == 0 || n2 == 0) return 1;
    double arrangements = 1;  // C(n1 + n2, n1), built up exactly enough in doubles
    for (std::size_t k = 1; k <= n1; ++k) arrangements = arrangements * static_cast<double>(n2 + k) / static_cast<double>(k);
    return std::min(1.0, 2 / arrangements);
}

std::size_t runs_needed(double alpha) {
    std::size_t n = 1;
    while (smallest_possible_p(n, n) >= alpha) ++n;
    return n;
}

namespace {

// One run as read from a file, before runs given twice are told apart.
struct RunEntry {
    std::string key;    ///< case_key: scenario, params, model, repetition
    std::string where;  ///< "FILE: line N" or "FILE (model repetition R)", for messages
    std::string scenario;
    ParamValues params;
    std::string model;
    unsigned repetition = 0;
    nlohmann::json run;        ///< a sweep's case line, or a results file's run
    bool sweep_line = false;   ///< the metrics are run["metrics"], else the run itself
};

}  // namespace

// A case from a file written before a runner parameter existed, as it would be written today: the
// parameter at the value it had then (background_load 0, added 2026-12-06), so old and new results compare.
ParamValues as_today(ParamValues params) {
    params.try_emplace("background_load", std::uint64_t{0});
    return params;
}

ResultsFile read_results(std::vector<std::string> const& paths) {
    ResultsFile out;
    std::vector<RunEntry> entries;
    std::vector<std::string> notes;  // what is left out, for stderr
    auto const left_out = [&](nlohmann::json const& list, std::string const& scenario, ParamValues const& params) {
        if (!list.is_array()) return;  // files from before left-out models were recorded
        for (auto const& entry : list) {
            LeftOutModel l{entry.value("scenario", scenario), entry.contains("params") ? as_today(params_from_json(entry.at("params"))) : params,
                           entry.at("model").get<std::string>(), entry.value("reason", "")};
            // the same left-out model named by two shards' headers: once
            if (std::none_of(out.left_out.begin(), out.left_out.end(), [&](LeftOutModel const& o) {
                    return o.scenario == l.scenario && o.params == l.params && o.model == l.model;
                })) {
                out.left_out.push_back(std::move(l));
            }
        }
    };
    for (auto const& path : paths) {
        auto const text = read_results_text(path);
        try {
            auto const head = parse_bounded(std::string_view{text}.substr(0, text.find('\n')));
            if (!head.is_discarded() && head.is_object() && head.value("schema", "") == "conclab-sweep") {
                // the sweep reader: a corrupt line is refused with its line number, a cut-off last line left out
                auto file = read_sweep_file(path);
                notes.insert(notes.end(), file.notes.begin(), file.notes.end());
                left_out(file.header.value("left_out", nlohmann::json{}), "", {});
                for (std::size_t i = 0; i < file.cases.size(); ++i) {
                    auto const& c = file.cases[i].at("case");
                    auto const scenario = c.at("scenario").get<std::string>();
                    auto params = as_today(params_from_json(c.at("params")));
                    auto const model = c.at("model").get<std::string>();
                    auto const repetition = repetition_from_json(c.at("repetition"));
                    entries.push_back({case_key(scenario, params, model, repetition), path + ": line " + std::to_string(file.lines[i]),
                                       scenario, std::move(params), model, repetition, std::move(file.cases[i]), true});
                }
                continue;
            }
            auto const json = parse_bounded(text, text.size());
            if (json.is_discarded()) throw UsageError{path + ": not JSON; expected a conclab results or sweep file"};
            if (!json.is_object() || json.value("schema", "") != "conclab-results") {
                throw UsageError{path + ": not a conclab results file (no \"schema\": \"conclab-results\")"};
            }
            if (auto const version = json.value("schema_version", 0); version < 1 || version > results_schema_version) {
                throw UsageError{path + ": results schema version " + json.at("schema_version").dump() + ", this conclab reads 1 to " +
                                 std::to_string(results_schema_version)};
            }
            auto const scenario = json.at("scenario").get<std::string>();
            auto const params = as_today(params_from_json(json.at("params")));
            left_out(json.value("left_out", nlohmann::json{}), scenario, params);
            for (auto const& result : json.at("results")) {
                auto const model = result.at("model").get<std::string>();
                for (auto const& run : result.at("runs")) {
                    auto const repetition = repetition_from_json(run.at("repetition"));
                    entries.push_back({case_key(scenario, params, model, repetition),
                                       path + " (" + model + " repetition " + std::to_string(repetition) + ")", scenario, params, model,
                                       repetition, run, false});
                }
            }
        } catch (UsageError const&) {
            throw;
        } catch (std::exception const& e) {
            throw UsageError{path + ": malformed (" + std::string{e.what()} + ")"};
        }
    }
    // A run given twice (two overlapping files) is read once: counted twice it made 4 runs of --repeat 2 and a
    // p-value the data does not have. Two different results for one run cannot both be right: refused.
    OnceEach once{"give the files one at a time, or leave one out"};
    std::map<std::string, CaseRuns> cases;
    for (auto const& e : entries) {
        auto const describe = [&] { return describe_case(e.scenario, params_to_json(e.params), e.model, e.repetition); };
        if (!once.take(e.key, e.run, describe, e.where)) continue;
        try {
            if (e.run.value("status", "") != "ok") {
                out.failed.push_back({e.scenario, e.params, e.model, e.run.value("status", ""), e.run.value("error", "")});
                continue;
            }
            auto const model = parse_model_id(e.model);
            if (!model) throw std::invalid_argument{"unknown model '" + e.model + "'"};
            CaseRuns c{e.scenario, e.params, *model, {}};
            cases.try_emplace(key_of(c), c).first->second.runs.push_back(metrics_from_json(e.sweep_line ? e.run.at("metrics") : e.run));
        } catch (std::exception const& error) {
            throw UsageError{e.where + ": malformed (" + std::string{error.what()} + ")"};
        }
    }
    // A run with failed items (or a checksum off) is no result: its whole case is set apart, shown marked
    // by the report and never ranked, tested or judged (judging on the runs that happened to pass would
    // pick the survivors). Until 2026-12-06 such runs were compared, ranked and claimed on as data.
    for (auto& [key, c] : cases) {
        bool const all_verified = std::all_of(c.runs.begin(), c.runs.end(), [](CaseMetrics const& m) { return verified(m); });
        (all_verified ? out.cases : out.unverified).push_back(std::move(c));
    }
    notes.insert(notes.end(), once.notes().begin(), once.notes().end());
    for (auto const& note : notes) std::fprintf(stderr, "conclab: %s\n", note.c_str());
    return out;
}

ResultsFile read_results(std::string const& path) { return read_results(std::vector<std::string>{path}); }

std::vector<std::string> describe_unverified(std::vector<CaseRuns> const& unverified) {
    std::vector<std::string> out;
    for (auto const& c : unverified) {
        std::size_t bad = 0;
        std::uint64_t failed = 0, attempted = 0;
        for (auto const& m : c.runs) {
            if (!verified(m)) ++bad;
            failed += m.items_failed;
            attempted += m.items + m.items_failed;
        }
        std::string params;
        for (auto const& [name, value] : c.params) {
            if (name != "target") params += " " + name + "=" + to_text(value);
        }
        out.push_back(c.scenario + params + " " + std::string{token(c.model)} + ": " + std::to_string(bad) + " of " +
                      std::to_string(c.runs.size()) + " run(s) not verified (" + std::to_string(failed) + " of " +
                      std::to_string(attempted) + " items failed" + (failed == 0 ? ", a checksum off" : "") + ")");
    }
    return out;
}

std::vector<CaseRuns> load_results(std::string const& path) { return read_results(path).cases; }

double mann_whitney_p(std::span<double const> a, std::span<double const> b) {
    std::size_t const m = a.size(), n = b.size();
    if (m == 0 || n == 0) return 1;
    // U of `a`: pairs where a wins, ties counting a half
    double u = 0;
    for (double x : a) {
        for (double y : b) u += x > y ? 1.0 : (x == y ? 0.5 : 0.0);
    }
    std::vector<double> all(a.begin(), a.end());
    all.insert(all.end(), b.begin(), b.end());
    std::sort(all.begin(), all.end());
    bool const ties = std::adjacent_find(all.begin(), all.end()) != all.end();
    double const mean = static_cast<double>(m * n) / 2;
    if (!ties && m + n <= 40) {
        double const lower = exact_cdf(m, n, std::min(u, 2 * mean - u));
        return std::min(1.0, 2 * lower);
    }
    // normal approximation, variance corrected for ties, with continuity correction
    double tie_term = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j] == all[i]) ++j;
        double const t = static_cast<double>(j - i);
        tie_term += t * t * t - t;
        i = j;
    }
    double const total = static_cast<double>(m + n);
    double const variance = static_cast<double>(m * n) / 12.0 * ((total + 1) - tie_term / (total * (total - 1)));
    if (variance <= 0) return 1;
    double const z = (std::fabs(u - mean) - 0.5) / std::sqrt(variance);
    return std::min(1.0, std::erfc(std::max(0.0, z) / std::sqrt(2.0)));
}

Comparison compare(std::vector<CaseRuns> const& base, std::vector<CaseRuns> const& now, double alpha) {
    Comparison out;
    out.alpha = alpha;
    std::map<std::string, CaseRuns const*> by_key;
    for (auto const& c : base) by_key[key_of(c)] = &c;
    double log_sum = 0;
    std::size_t logs = 0;
    std::map<std::string, bool> matched;
    for (auto const& c : now) {
        auto const it = by_key.find(key_of(c));
        if (it == by_key.end()) {
            ++out.only_in_new;
            continue;
        }
        matched[it->first] = true;
        auto const& b = *it->second;
        std::string params;
        for (auto const& [name, value] : c.params) params += (params.empty() ? "" : " ") + name + "=" + to_text(value);
        CaseChange change{.scenario = c.scenario, .params = std::move(params), .model = c.model, .base_runs = b.runs.size(),
                          .new_runs = c.runs.size(), .metrics = {}};
        for (auto const& t : tracked) {
            std::vector<double> before, after;
            for (auto const& r : b.runs) {
                if (std::isfinite(r.*t.field)) before.push_back(r.*t.field);
            }
            for (auto const& r : c.runs) {
                if (std::isfinite(r.*t.field)) after.push_back(r.*t.field);
            }
            if (before.empty() || after.empty()) continue;
            MetricChange m{t.key, t.higher_is_better, summarize(before).median, summarize(after).median, 0, 1, 0};
            m.ratio = m.base != 0 ? m.now / m.base : no_value;
            m.p = mann_whitney_p(after, before);
            if (m.p < alpha && m.now != m.base) m.verdict = (m.now > m.base) == t.higher_is_better ? 1 : -1;
            if (m.metric == "throughput_per_s" && m.ratio > 0 && std::isfinite(m.ratio)) {
                log_sum += std::log(m.ratio);
                ++logs;
            }
            change.metrics.push_back(m);
        }
        out.cases.push_back(std::move(change));
    }
    out.only_in_base = base.size() - matched.size();
    out.throughput_geomean = logs > 0 ? std::exp(log_sum / static_cast<double>(logs)) : no_value;
    return out;
}

std::string format_comparison(Comparison const& comparison) {
    std::string out;
    char line[512];
    for (auto const& c : comparison.cases) {
        out += c.scenario + " " + std::string{token(c.model)} + " (" + std::to_string(c.base_runs) + " vs " +
               std::to_string(c.new_runs) + " runs) " + c.params + "\n";
        for (auto const& m : c.metrics) {
            char const* verdict = m.verdict > 0 ? "better" : (m.verdict < 0 ? "WORSE" : "no significant change");
            std::snprintf(line, sizeof line, "  %-18s %12.4g -> %12.4g  %+7.1f%%  p=%.3g  %s\n", m.metric.c_str(), m.base, m.now,
                          (m.ratio - 1) * 100, m.p, verdict);
            out += line;
        }
    }
    std::snprintf(line, sizeof line,
                  "\n%zu matched cases; throughput, geometric mean of new/base: %.3f (%+.1f%%). Significance: Mann-Whitney U, "
                  "p < %.2g.\n",
                  comparison.cases.size(), comparison.throughput_geomean, (comparison.throughput_geomean - 1) * 100, comparison.alpha);
    out += line;
    if (comparison.only_in_base + comparison.only_in_new > 0) {
        out += std::to_string(comparison.only_in_base) + " case(s) only in the base, " + std::to_string(comparison.only_in_new) +
               " only in the new file: not compared.\n";
    }
    return out;
}

std::vector<std::string> regressions(Comparison const& comparison, double percent) {
    std::vector<std::string> out;
    for (auto const& c : comparison.cases) {
        for (auto const& m : c.metrics) {
            if (m.verdict >= 0 || (m.metric != "throughput_per_s" && m.metric != "latency_p99_us")) continue;
            double const worse_by = m.higher_is_better ? (1 - m.ratio) * 100 : (m.ratio - 1) * 100;
            if (worse_by <= percent) continue;
            char text[96];
            std::snprintf(text, sizeof text, ": %s %.1f%% worse (p=%.3g)", m.metric.c_str(), worse_by, m.p);
            out.push_back(c.scenario + " " + c.params + " " + std::string{token(c.model)} + text);
        }
    }
    return out;
}

}  // namespace conclab
