#include "src/results/compare.hpp"

#include "src/results/aggregate.hpp"
#include "src/results/report.hpp"
#include "src/results/table.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/units.hpp"
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
#include <optional>
#include <set>
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



// P(U <= u) for the Mann-Whitney U of samples of m and n under the null,
// exactly (counting arrangements) for small samples, else normally.
double mann_whitney_cdf(std::size_t m, std::size_t n, std::size_t u) {
    if (m * n > 400) {
        double const mean = static_cast<double>(m * n) / 2;
        double const sd = std::sqrt(static_cast<double>(m * n * (m + n + 1)) / 12);
        return 0.5 * std::erfc(-((static_cast<double>(u) + 0.5 - mean) / sd) / std::sqrt(2.0));
    }
    // count[i][j][v]: arrangements of i and j values with U = v, built up one value at a time
    std::vector<std::vector<std::vector<double>>> count(m + 1, std::vector<std::vector<double>>(n + 1));
    for (std::size_t i = 0; i <= m; ++i) {
        for (std::size_t j = 0; j <= n; ++j) {
            auto& here = count[i][j];
            here.assign(i * j + 1, 0.0);
            if (i == 0 || j == 0) {
                here[0] = 1;
                continue;
            }
            // the largest value is from the first sample (adds j to U) or from the second
            for (std::size_t v = 0; v < count[i - 1][j].size(); ++v) here[v + j] += count[i - 1][j][v];
            for (std::size_t v = 0; v < count[i][j - 1].size(); ++v) here[v] += count[i][j - 1][v];
        }
    }
    double total = 0, below = 0;
    for (std::size_t v = 0; v < count[m][n].size(); ++v) {
        total += count[m][n][v];
        if (v <= u) below += count[m][n][v];
    }
    return below / total;
}

}  // namespace

double other_cores_median(std::vector<CaseMetrics> const& runs) {
    std::vector<double> other;
    for (auto const& run : runs) other.push_back(run.machine_other_cores);  // NaN left out by summarize
    return summarize(other).median;
}

RatioInterval ratio_interval(std::span<double const> model, std::span<double const> peer, bool higher_is_better, double alpha) {
    RatioInterval out;
    if (model.empty() || peer.empty()) return out;
    auto const better = [&](double m, double p) { return higher_is_better ? m / p : p / m; };
    out.ratio = better(summarize(model).median, summarize(peer).median);
    std::vector<double> ratios;
    for (double m : model) {
        for (double p : peer) ratios.push_back(better(m, p));
    }
    std::sort(ratios.begin(), ratios.end());
    std::size_t const mn = ratios.size();
    if (mn < 2) return out;
    // [r(k), r(mn+1-k)] covers with 1 - 2 P(U <= k-1); the largest k that reaches 1 - alpha, else the widest
    std::size_t k = 1;
    while (k + 1 <= mn / 2 && 1 - 2 * mann_whitney_cdf(model.size(), peer.size(), k) >= 1 - alpha) ++k;
    out.confidence = 1 - 2 * mann_whitney_cdf(model.size(), peer.size(), k - 1);
    out.low = ratios[k - 1];
    out.high = ratios[mn - k];
    return out;
}

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
    OnceEach once{"give the files one at a time, or leave one out (report: a --label for each, to compare them)"};
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
        double const lower = mann_whitney_cdf(m, n, static_cast<std::size_t>(std::floor(std::min(u, 2 * mean - u) + 1e-9)));
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
        CaseChange change{.scenario = c.scenario, .params = std::move(params), .values = c.params, .model = c.model,
                          .base_runs = b.runs.size(), .new_runs = c.runs.size(), .base_other_cores = other_cores_median(b.runs),
                          .new_other_cores = other_cores_median(c.runs), .metrics = {}};
        for (auto const& t : tracked) {
            std::vector<double> before, after;
            for (auto const& r : b.runs) {
                if (std::isfinite(r.*t.field)) before.push_back(r.*t.field);
            }
            for (auto const& r : c.runs) {
                if (std::isfinite(r.*t.field)) after.push_back(r.*t.field);
            }
            if (before.empty() || after.empty()) continue;
            MetricChange m{.metric = t.key, .higher_is_better = t.higher_is_better};
            m.base_spread = summarize(before);
            m.now_spread = summarize(after);
            m.base = m.base_spread.median;
            m.now = m.now_spread.median;
            m.ratio = m.base != 0 ? m.now / m.base : no_value;
            m.change = ratio_interval(after, before, true, alpha);  // new / base
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

namespace {

struct MetricShown {
    char const* key;
    char const* title;  ///< the table's heading
    std::string (*human)(double);
};
std::string per_second(double value) { return human_count(value) + "/s"; }
std::string per_cpu_second(double value) { return human_count(value) + "/CPU-s"; }
constexpr MetricShown shown[] = {
    {"throughput_per_s", "throughput (items per second; higher is better)", per_second},
    {"latency_p50_us", "p50 latency (lower is better)", human_us},
    {"latency_p99_us", "p99 latency (lower is better)", human_us},
    {"items_per_cpu_s", "items per CPU-second (higher is better)", per_cpu_second},
    {"peak_rss_bytes", "peak RSS (lower is better)", human_bytes},
};

std::string percent(double ratio) {
    auto text = printed("%+.1f%%", (ratio - 1) * 100);
    return text == "-0.0%" ? "+0.0%" : text;
}

// "1.32M/s ± 3%": the median and the larger half of its interval, as a share of it
std::string median_with_spread(Spread const& s, std::string (*human)(double)) {
    if (!std::isfinite(s.median)) return "-";
    double const half = relative_half_width(s);
    if (!std::isfinite(half)) return human(s.median);
    // the share as it is, however wide (2765%: one run in five 28x slower), never a bare "∞" that reads as "no interval"
    return human(s.median) + " ± " + printed(half < 0.0995 ? "%.1f%%" : "%.0f%%", half * 100);
}

// scenario -> parameter -> the values it takes among the compared cases
std::map<std::string, std::map<std::string, std::set<std::string>>> values_seen(Comparison const& comparison) {
    std::map<std::string, std::map<std::string, std::set<std::string>>> seen;
    for (auto const& c : comparison.cases) {
        for (auto const& [name, value] : c.values) seen[c.scenario][name].insert(to_text(value));
    }
    return seen;
}

}  // namespace

std::vector<std::string> case_names(Comparison const& comparison) {
    auto seen = values_seen(comparison);
    std::vector<std::string> names;
    for (auto const& c : comparison.cases) {
        std::string name = c.scenario;
        for (auto const& [param, value] : c.values) {
            if (seen[c.scenario][param].size() > 1) name += " " + param + "=" + to_text(value);
        }
        names.push_back(name + " " + std::string{token(c.model)});
    }
    return names;
}

ComparisonTables comparison_tables(Comparison const& comparison) {
    ComparisonTables out;
    // a case is named by what varies among the cases of its scenario; what does not is said once, below
    auto const seen = values_seen(comparison);
    auto const names = case_names(comparison);
    std::set<std::string> levels;            // the medians' interval levels shown, said once below
    std::set<std::string> levels_of_change;  // and the changes'
    for (auto const& metric : shown) {
        Table table;
        table.columns = {{.title = "case", .key = {}, .left = true}, {.title = comparison.base_label}, {.title = comparison.now_label},
                         {.title = "vs " + comparison.base_label, .key = {}, .left = true}, {.title = "p"}, {.title = "n"}};
        double log_sum = 0;
        std::size_t logs = 0;
        for (std::size_t i = 0; i < comparison.cases.size(); ++i) {
            auto const& c = comparison.cases[i];
            auto const m = std::find_if(c.metrics.begin(), c.metrics.end(), [&](MetricChange const& x) { return x.metric == metric.key; });
            if (m == c.metrics.end()) continue;
            if (m->base_spread.n >= 2) levels.insert(coverage_text(m->base_spread.ci_level));
            if (m->now_spread.n >= 2) levels.insert(coverage_text(m->now_spread.ci_level));
            std::string change = "~";
            std::optional<colour::Style> paint;
            if (m->verdict != 0) {
                change = percent(m->ratio);
                if (std::isfinite(m->change.low)) change += " [" + percent(m->change.low) + ", " + percent(m->change.high) + "]";
                if (m->change.confidence > 0) levels_of_change.insert(coverage_text(m->change.confidence));
                paint = m->verdict > 0 ? colour::Style::green : colour::Style::red;
            }
            if (m->ratio > 0 && std::isfinite(m->ratio)) {
                log_sum += std::log(m->ratio);
                ++logs;
            }
            table.rows.push_back({{.text = names[i]},
                                  {.text = median_with_spread(m->base_spread, metric.human)},
                                  {.text = median_with_spread(m->now_spread, metric.human)},
                                  {.text = change, .plain = {}, .style = paint},
                                  {.text = printed("%.3f", m->p)},
                                  {.text = std::to_string(m->base_spread.n) + "+" + std::to_string(m->now_spread.n)}});
        }
        if (table.rows.empty()) continue;
        if (table.rows.size() > 1 && logs > 0) {
            double const geomean = std::exp(log_sum / static_cast<double>(logs));
            table.rows.push_back({{.text = "geomean"}, {.text = ""}, {.text = ""}, {.text = percent(geomean)}, {.text = ""}, {.text = ""}});
        }
        out.tables.emplace_back(metric.title, std::move(table));
    }
    std::string level_list;
    for (auto const& l : levels) level_list += (level_list.empty() ? "" : ", ") + l;
    std::string change_levels;
    for (auto const& l : levels_of_change) change_levels += (change_levels.empty() ? "" : ", ") + l;
    if (change_levels.empty()) change_levels = coverage_text(1 - comparison.alpha);
    out.notes.push_back("± the larger half of the median's interval (order statistics, " +
                        (level_list.empty() ? std::string{"none: one run"} : level_list + " coverage") + "); vs " +
                        comparison.base_label + ": the change of the medians and its " + change_levels +
                        " interval (Hodges-Lehmann: the run-by-run ratios), ~ where the Mann-Whitney U test finds no difference at p < " +
                        printed("%.2g", comparison.alpha) + ".");
    out.notes.push_back(std::to_string(comparison.cases.size()) + " matched case(s); throughput, geometric mean of " +
                        comparison.now_label + "/" + comparison.base_label + ": " + printed("%.3f", comparison.throughput_geomean) +
                        " (" + percent(comparison.throughput_geomean) + ").");
    for (auto const& [scenario, params] : seen) {
        std::string fixed;
        for (auto const& [param, values] : params) {
            if (values.size() == 1 && param != "target") fixed += " " + param + "=" + *values.begin();
        }
        if (!fixed.empty()) out.notes.push_back(scenario + ", in every case:" + fixed + ".");
    }
    // noise, said where the numbers are: a side whose runs had the rest of the machine busy
    std::string noisy;
    for (std::size_t i = 0; i < comparison.cases.size(); ++i) {
        auto const& c = comparison.cases[i];
        std::string sides;
        for (auto const& [label, busy] : {std::pair{&comparison.base_label, c.base_other_cores}, std::pair{&comparison.now_label, c.new_other_cores}}) {
            if (busy_machine(busy)) sides += (sides.empty() ? "" : ", ") + *label + " " + printed("%.2f", busy);
        }
        if (!sides.empty()) noisy += (noisy.empty() ? "" : "; ") + names[i] + " (" + sides + ")";
    }
    if (!noisy.empty()) {
        out.notes.push_back("busy machine: the rest of the machine kept cores busy during these runs (median other cores), so "
                            "part of their change may be the machine's: " + noisy + ".");
    }
    if (comparison.only_in_base + comparison.only_in_new > 0) {
        out.notes.push_back(std::to_string(comparison.only_in_base) + " case(s) only in " + comparison.base_label + ", " +
                            std::to_string(comparison.only_in_new) + " only in " + comparison.now_label + ": not compared.");
    }
    return out;
}

std::string format_comparison(Comparison const& comparison, ComparisonStyle style, bool colour) {
    bool const markdown = style == ComparisonStyle::markdown;
    auto const tables = comparison_tables(comparison);
    std::string out;
    for (auto const& [title, table] : tables.tables) {
        out += markdown ? "**" + title + "**\n\n" : colour::paint(title, colour::Style::bold, colour) + "\n";
        out += (markdown ? render_markdown(table) : render_text(table, colour)) + "\n";
    }
    for (auto const& note : tables.notes) out += note + "\n";
    return out;
}

nlohmann::json comparison_json(Comparison const& comparison) {
    auto const number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    auto const side = [&](Spread const& s) {
        return nlohmann::json{{"median", number(s.median)}, {"ci_low", number(s.ci_low)}, {"ci_high", number(s.ci_high)},
                              {"ci_level", number(s.ci_level)}, {"n", s.n}};
    };
    nlohmann::json cases = nlohmann::json::array();
    auto const names = case_names(comparison);
    for (std::size_t i = 0; i < comparison.cases.size(); ++i) {
        auto const& c = comparison.cases[i];
        nlohmann::json metrics = nlohmann::json::array();
        for (auto const& m : c.metrics) {
            metrics.push_back({{"metric", m.metric},
                               {"higher_is_better", m.higher_is_better},
                               {"base", side(m.base_spread)},
                               {"new", side(m.now_spread)},
                               {"ratio", number(m.ratio)},
                               {"ratio_low", number(m.change.low)},
                               {"ratio_high", number(m.change.high)},
                               {"ratio_level", m.change.confidence},
                               {"change_text", percent(m.ratio)},  // "+12.3%": as the tables print it
                               {"p", m.p},
                               {"verdict", m.verdict > 0 ? "better" : m.verdict < 0 ? "worse" : "no change"}});
        }
        cases.push_back({{"name", names[i]}, {"base_other_cores", number(c.base_other_cores)}, {"new_other_cores", number(c.new_other_cores)},
                         {"scenario", c.scenario}, {"params", c.params}, {"model", token(c.model)}, {"base_runs", c.base_runs},
                         {"new_runs", c.new_runs}, {"metrics", std::move(metrics)}});
    }
    return {{"schema", "conclab-comparison"}, {"alpha", comparison.alpha}, {"base_label", comparison.base_label},
            {"label", comparison.now_label}, {"cases", std::move(cases)},
            {"throughput_geomean", number(comparison.throughput_geomean)}, {"only_in_base", comparison.only_in_base},
            {"only_in_new", comparison.only_in_new}};
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
