#include "src/results/report_model.hpp"

#include "src/kit/machine.hpp"
#include "src/results/baselines.hpp"
#include "src/results/provenance.hpp"
#include "src/results/scaling.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/calibration.hpp"
#include "src/results/compare.hpp"
#include "src/results/table.hpp"
#include "src/kit/units.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/sweep.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

namespace conclab {
namespace {

// The header of a results or sweep file: where and how it was made.
nlohmann::json source_of(std::string const& path, nlohmann::json const& head) {
    auto const value = [&](char const* key) { return head.is_object() && head.contains(key) ? head.at(key) : nlohmann::json(nullptr); };
    return {{"file", path},
            {"kind", head.value("schema", "") == "conclab-sweep" ? "sweep" : "results"},
            {"command", value("command")},
            {"machine", value("machine")},
            {"conclab", value("conclab")},
            {"started_utc", value("started_utc")}};
}

// The spectrum of the run whose throughput is the median one: a real
// distribution, not an average of several.
nlohmann::json median_spectrum(std::vector<CaseMetrics> const& runs) {
    if (runs.empty()) return nlohmann::json::array();
    std::vector<std::size_t> order(runs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return runs[a].throughput_per_s < runs[b].throughput_per_s; });
    auto const& run = runs[order[order.size() / 2]];
    nlohmann::json out = nlohmann::json::array();
    for (auto const& [percent, us] : run.latency_spectrum_us) out.push_back({percent, us});
    return out;
}

// The timeline of worst latencies (scenarios that keep one) of the run
// whose worst latency is the median one: a run as it was, its spikes
// where they happened, neither the calmest nor the stormiest.
nlohmann::json median_timeline(std::vector<CaseMetrics> const& runs) {
    std::vector<CaseMetrics const*> with;
    for (auto const& run : runs) {
        if (!run.latency_timeline_us.empty()) with.push_back(&run);
    }
    if (with.empty()) return nullptr;
    std::sort(with.begin(), with.end(), [](auto const* a, auto const* b) { return a->latency_max_us < b->latency_max_us; });
    auto const& run = *with[with.size() / 2];
    nlohmann::json worst = nlohmann::json::array();
    for (double us : run.latency_timeline_us) worst.push_back(std::isfinite(us) ? nlohmann::json(us) : nlohmann::json(nullptr));
    return {{"window_s", run.timeline_window_s}, {"worst_us", std::move(worst)}};
}

std::vector<double> values_of(std::vector<CaseMetrics> const& runs, double CaseMetrics::*field) {
    std::vector<double> out;
    for (auto const& r : runs) out.push_back(r.*field);
    return out;
}

// A case's median throughput and its interval, as the charts take it.
nlohmann::json throughput_of(std::vector<CaseMetrics> const& runs) {
    auto const throughput = summarize(values_of(runs, &CaseMetrics::throughput_per_s));
    return {{"median", number_or_null(throughput.median)},
            {"ci_low", number_or_null(throughput.ci_low)},
            {"ci_high", number_or_null(throughput.ci_high)},
            {"ci_level", throughput.ci_level}};
}

// --- the report's tables: built here with the one table model and units, rendered as Markdown and CSV here;
// the script puts the same cells in the page ---------------------------------------------------------------

// Parameter values in order: numbers by value before texts, each parameter by name (as labels read).
bool params_before(nlohmann::json const& a, nlohmann::json const& b) {
    auto ia = a.begin();
    auto ib = b.begin();
    for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
        auto const& x = ia.value();
        auto const& y = ib.value();
        if (x == y) continue;
        if (x.is_number() != y.is_number()) return x.is_number();
        return x.is_number() ? x.get<double>() < y.get<double>() : x.dump() < y.dump();
    }
    return a.size() < b.size();
}

// The four models in their order, each followed by its peer, then its variants by name.
std::tuple<int, int, std::string> model_rank(std::string const& token_text) {
    auto const slash = token_text.find('/');
    auto const base = parse_model(std::string_view{token_text}.substr(0, slash));
    if (!base) return {99, 3, token_text};
    auto const own = is_peer(*base) ? counterpart(*base) : *base;
    return {static_cast<int>(own), slash != std::string::npos ? 2 : is_peer(*base) ? 1 : 0, token_text};
}

std::string label_of(nlohmann::json const& params) {
    std::string out;
    for (auto const& [name, value] : params.items()) {
        out += (out.empty() ? "" : " ") + name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    }
    return out.empty() ? "(one combination)" : out;
}

// A table's cells for the page: {"columns": [titles], "rows": [[texts]], "marks": [[style]]}, a cell's mark
// "better" (green), "worse" (red) or "" (src/results/table.hpp's cells, as the terminal colours them).
nlohmann::json cells_json(Table const& table) {
    nlohmann::json rows = nlohmann::json::array(), marks = nlohmann::json::array();
    for (auto const& row : table.rows) {
        nlohmann::json texts = nlohmann::json::array(), styles = nlohmann::json::array();
        for (auto const& cell : row) {
            texts.push_back(cell.text);
            styles.push_back(cell.style == colour::Style::green ? "better" : cell.style == colour::Style::red ? "worse" : "");
        }
        rows.push_back(std::move(texts));
        marks.push_back(std::move(styles));
    }
    nlohmann::json headings = nlohmann::json::array();
    for (auto const& column : table.columns) headings.push_back(column.title);
    return {{"columns", std::move(headings)}, {"rows", std::move(rows)}, {"marks", std::move(marks)}};
}

double number(nlohmann::json const& value) { return value.is_number() ? value.get<double>() : no_value; }

// The scenario's cases as one table: a row per combination and model, in order.
Table case_table(nlohmann::json const& scenario) {
    struct Col {
        char const* title;
        char const* key;
        double (*value)(nlohmann::json const&);
        std::string (*human)(double);
    };
    static Col const numbers[] = {
        {"throughput/s", "throughput_per_s", [](nlohmann::json const& c) { return number(c["throughput"]["median"]); }, human_count},
        {"CI low", "throughput_ci_low", [](nlohmann::json const& c) { return number(c["throughput"]["ci_low"]); }, human_count},
        {"CI high", "throughput_ci_high", [](nlohmann::json const& c) { return number(c["throughput"]["ci_high"]); }, human_count},
        {"p50", "latency_p50_us", [](nlohmann::json const& c) { return number(c["latency_p50_us"]); }, human_us},
        {"p99", "latency_p99_us", [](nlohmann::json const& c) { return number(c["latency_p99_us"]); }, human_us},
        {"p99.9", "latency_p999_us", [](nlohmann::json const& c) { return number(c["latency_p999_us"]); }, human_us},
        {"peak RSS", "peak_rss_bytes", [](nlohmann::json const& c) { return number(c["peak_rss_bytes"]); }, human_bytes},
        {"per task", "bytes_per_task", [](nlohmann::json const& c) { return number(c["bytes_per_task"]); }, human_bytes_per_task},
        {"CPU/item", "cpu_us_per_item", [](nlohmann::json const& c) { return number(c["cpu_us_per_item"]); }, human_us},
    };
    Table table;
    table.columns = {{.title = "parameters", .key = "parameters", .left = true},
                     {.title = "model", .key = "model", .left = true},
                     {.title = "verified", .key = "verified", .left = true},
                     {.title = "runs", .key = "runs", .left = false}};
    for (auto const& col : numbers) table.columns.push_back({.title = col.title, .key = col.key, .left = false});
    std::vector<nlohmann::json const*> cases;
    for (auto const& c : scenario["cases"]) cases.push_back(&c);
    std::stable_sort(cases.begin(), cases.end(), [](auto const* a, auto const* b) {
        if (params_before((*a)["params"], (*b)["params"])) return true;
        if (params_before((*b)["params"], (*a)["params"])) return false;
        return model_rank((*a)["model"].template get<std::string>()) < model_rank((*b)["model"].template get<std::string>());
    });
    for (auto const* c : cases) {
        // runs with failed items are no result: shown, and marked in every table (and chart) they are in
        std::vector<TableCell> row{{.text = label_of((*c)["params"])},
                                   {.text = (*c)["model"].get<std::string>()},
                                   {.text = c->contains("unverified") ? "NOT VERIFIED" : (*c).value("noisy", false) ? "yes, busy" : "yes"},
                                   {.text = std::to_string((*c)["n"].get<std::size_t>())}};
        for (auto const& col : numbers) {
            double const value = col.value(*c);
            row.push_back({.text = col.human(value), .plain = plain_number(value)});
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

// The runs that failed and the models left out, one sentence each: a report never drops a model without saying so.
std::vector<std::string> problems_of(nlohmann::json const& scenario) {
    std::vector<std::string> lines;
    std::vector<std::pair<std::string, int>> failed;  // in order of first appearance
    for (auto const& f : scenario["failed"]) {
        auto const key = f["model"].get<std::string>() + " failed (" + f["status"].get<std::string>() + ", @RUNS@) at " +
                         label_of(f["params"]) + ": " + f["message"].get<std::string>();
        auto const known = std::find_if(failed.begin(), failed.end(), [&](auto const& p) { return p.first == key; });
        if (known == failed.end()) {
            failed.emplace_back(key, 1);
        } else {
            ++known->second;
        }
    }
    for (auto const& [key, count] : failed) {
        auto line = key;
        line.replace(line.find("@RUNS@"), 6, count == 1 ? std::string{"run"} : std::to_string(count) + " runs");
        lines.push_back(std::move(line));
    }
    for (auto const& left : scenario["left_out"]) {
        lines.push_back(left["model"].get<std::string>() + " left out at " + label_of(left["params"]) + ": " +
                        left["reason"].get<std::string>());
    }
    for (auto const& c : scenario["cases"]) {
        if (!c.value("noisy", false)) continue;
        lines.push_back(c["model"].get<std::string>() + " at " + label_of(c["params"]) + ": the rest of the machine kept " +
                        printed("%.2f", c["machine_other_cores"].get<double>()) +
                        " cores busy during its runs (median): its numbers are partly the machine's; marked \"busy\" in the table");
    }
    for (auto const& c : scenario["cases"]) {
        if (!c.contains("unverified")) continue;
        auto const& bad = c["unverified"];
        lines.push_back(c["model"].get<std::string>() + " NOT VERIFIED at " + label_of(c["params"]) + ": " + bad["runs"].dump() +
                        " of " + c["n"].dump() + " run(s) had failed items (" + bad["items_failed"].dump() + " of " +
                        bad["items"].dump() + " failed); its numbers are shown marked ✗, never ranked");
    }
    return lines;
}

}  // namespace

nlohmann::json units_json() {
    nlohmann::json out = nlohmann::json::object();
    for (auto const* scale : unit_scales) {
        nlohmann::json steps = nlohmann::json::array();
        for (auto const& step : scale->steps) {
            if (step.limit > 0) steps.push_back({step.limit, std::string{step.suffix}, step.least});
        }
        out[std::string{scale->name}] = {{"steps", steps}, {"base_suffix", std::string{scale->base_suffix}}, {"base_whole", scale->base_whole}};
    }
    return out;
}

namespace {

}  // namespace

std::vector<ReportSet> report_sets(std::vector<std::string> const& files, std::vector<std::string> const& labels,
                                   std::vector<std::string> const& baselines) {
    std::vector<ReportSet> sets;
    auto const add = [&](std::string const& label, std::string const& file) {
        auto const known = std::find_if(sets.begin(), sets.end(), [&](ReportSet const& s) { return s.label == label; });
        if (known != sets.end()) {
            known->files.push_back(file);
        } else {
            sets.push_back({label, {file}});
        }
    };
    for (auto const& name : baselines) {
        if (std::any_of(sets.begin(), sets.end(), [&](ReportSet const& s) { return s.label == name; })) {
            throw UsageError{"--baseline " + name + " is given twice"};
        }
        sets.push_back({name, {baseline_file(name, "--baseline")}});
    }
    auto const clashes = [&](std::string const& label) {
        if (std::any_of(sets.begin(), sets.begin() + static_cast<std::ptrdiff_t>(baselines.size()),
                        [&](ReportSet const& s) { return s.label == label; })) {
            throw UsageError{"--label " + label + " is also a --baseline's name; give the files another label"};
        }
    };
    if (labels.size() == 1) {
        clashes(labels.front());
        for (auto const& file : files) add(labels.front(), file);
    } else if (labels.size() == files.size() && !labels.empty()) {
        for (std::size_t i = 0; i < files.size(); ++i) {
            clashes(labels[i]);
            add(labels[i], files[i]);
        }
    } else if (!labels.empty()) {
        throw UsageError{"--label given " + std::to_string(labels.size()) + " times for " + std::to_string(files.size()) +
                         " files: give one label (for all the files) or one per file, in order (files of one label are one set)"};
    } else {
        // no labels: files in order join one set (a sweep's parts, several scenarios, a run given twice counted once)
        // until one holds different results for a run the set has: the same cases measured again, a new set (before,
        // then after); "p1 p2 q1 q2" is two sets when q1 measured p1's cases again
        auto const name_of = [&](std::string const& file) {
            auto name = std::filesystem::path{file}.filename().string();
            // two files of one name in different directories: the path tells them apart
            auto const same = std::count_if(files.begin(), files.end(), [&](std::string const& f) {
                return std::filesystem::path{f}.filename().string() == name;
            });
            return same > 1 ? file : name;
        };
        std::vector<std::vector<std::string>> groups;
        bool one_set = true;  // the usual case, read once: no file measures another's cases again
        try {
            if (!files.empty()) read_results(files);
        } catch (ConflictingResults const&) {
            one_set = false;
        }
        if (one_set && !files.empty()) groups.push_back(files);
        for (auto const& file : one_set ? std::vector<std::string>{} : files) {
            if (!groups.empty()) {
                auto joined = groups.back();
                joined.push_back(file);
                try {
                    read_results(joined);
                    groups.back() = std::move(joined);
                    continue;
                } catch (ConflictingResults const&) {
                }
            }
            read_results(file);  // a file that conflicts with itself is refused here, naming it
            groups.push_back({file});
        }
        for (auto const& group : groups) {
            std::string label = name_of(group.front());
            if (group.size() == 2) label += " + " + name_of(group.back());
            if (group.size() > 2) label += " + " + std::to_string(group.size() - 1) + " more";
            if (groups.size() == 1 && group.size() > 1) label = sets.empty() ? "results" : "now";
            sets.push_back({std::move(label), group});
        }
    }
    if (sets.empty()) throw UsageError{"report needs results: files, or --baseline NAME"};
    return sets;
}

nlohmann::json build_report(std::vector<ReportSet> const& sets, std::string const& title, double alpha) {
    nlohmann::json sources = nlohmann::json::array();
    std::vector<CaseRuns> all;
    std::vector<FailedRun> failed;
    std::vector<LeftOutModel> left_out;
    std::vector<CaseRuns> unverified;
    // the set shown whole: the last (after); the earlier ones are compared with it
    auto const& inputs = sets.back().files;
    // one set of runs: throws UsageError for what is not a results or sweep file, or a corrupt one
    auto file = read_results(inputs);
    std::vector<ResultsFile> earlier;
    for (std::size_t i = 0; i + 1 < sets.size(); ++i) earlier.push_back(read_results(sets[i].files));
    std::vector<Provenance> origins;  // where the numbers come from: each file's header, read once for both
    for (auto const& set : sets) {
        for (auto const& input : set.files) {
            auto const head = file_header(input);
            sources.push_back(source_of(input, head));
            sources.back()["set"] = set.label;
            for (auto& p : provenance_of(input, head)) origins.push_back(std::move(p));
        }
    }
    failed = std::move(file.failed);
    left_out = std::move(file.left_out);
    all = std::move(file.cases);
    unverified = std::move(file.unverified);

    std::map<std::string, std::vector<CaseRuns const*>> by_scenario;
    for (auto const& c : all) by_scenario[c.scenario].push_back(&c);
    // a scenario whose every run failed still gets its section: to say so
    for (auto const& f : failed) by_scenario.try_emplace(f.scenario);
    for (auto const& l : left_out) by_scenario.try_emplace(l.scenario);
    // runs with failed items: shown, marked, in every table and chart they belong to; never ranked
    std::map<std::string, std::vector<CaseRuns const*>> unverified_by_scenario;
    for (auto const& c : unverified) {
        by_scenario.try_emplace(c.scenario);
        unverified_by_scenario[c.scenario].push_back(&c);
    }
    nlohmann::json scenarios = nlohmann::json::array();
    // the machine's hardware threads, where the ideal scaling line turns flat: the first file's
    auto const& first_machine = sources.front().at("machine");
    unsigned const cores = first_machine.is_object() && first_machine.value("logical_cpus", 0U) > 0 ? first_machine.value("logical_cpus", 0U)
                                                                                                  : hardware_threads();
    std::map<std::string, std::string> scaling_tables;  // scenario -> its scaling table for tables.md
    for (auto const& [scenario, cases] : by_scenario) {
        // parameters that vary are the axes; the others are fixed
        std::map<std::string, std::set<std::string>> seen;
        auto const see = [&](ParamValues const& params) {
            for (auto const& [name, value] : params) seen[name].insert(params_to_json({{name, value}}).at(name).dump());
        };
        for (auto const* c : cases) see(c->params);
        for (auto const* c : unverified_by_scenario[scenario]) see(c->params);
        for (auto const& f : failed) {
            if (f.scenario == scenario) see(f.params);
        }
        nlohmann::json axes = nlohmann::json::object(), fixed = nlohmann::json::object();
        for (auto const& [name, values] : seen) {
            if (name == "target") continue;  // the embedded server's URL changes every run
            nlohmann::json list = nlohmann::json::array();
            for (auto const& v : values) list.push_back(nlohmann::json::parse(v));
            std::sort(list.begin(), list.end());
            if (list.size() > 1) {
                axes[name] = list;
            } else {
                fixed[name] = list.front();
            }
        }
        auto const swept = [&](ParamValues const& params) {
            nlohmann::json out = nlohmann::json::object();
            for (auto const& [name, values] : axes.items()) {
                if (params.count(name) != 0) out[name] = params_to_json({{name, params.at(name)}}).at(name);
            }
            return out;
        };
        // Failed runs and left-out models, next to the charts: a report never
        // drops a model without saying so.
        nlohmann::json failures = nlohmann::json::array();
        for (auto const& f : failed) {
            if (f.scenario != scenario) continue;
            failures.push_back({{"params", swept(f.params)}, {"model", f.model}, {"status", f.status}, {"message", f.message}});
        }
        nlohmann::json omitted = nlohmann::json::array();
        std::set<std::string> omitted_seen;
        for (auto const& l : left_out) {
            if (l.scenario != scenario) continue;
            nlohmann::json entry{{"params", swept(l.params)}, {"model", l.model}, {"reason", l.reason}};
            if (omitted_seen.insert(entry.dump()).second) omitted.push_back(std::move(entry));
        }

        nlohmann::json rows = nlohmann::json::array();
        std::map<std::string, std::vector<CaseRuns const*>> by_combination;
        std::map<std::string, std::vector<std::string>> unverified_at;  // combination -> models with failed items there
        std::vector<CaseRuns const*> shown = cases;
        for (auto const* c : unverified_by_scenario[scenario]) shown.push_back(c);
        for (auto const* c : shown) {
            bool const is_verified = std::find(cases.begin(), cases.end(), c) != cases.end();
            if (is_verified) {
                by_combination[swept(c->params).dump()].push_back(c);
            } else {
                unverified_at[swept(c->params).dump()].push_back(std::string{token(c->model)});
            }
            auto throughput = throughput_of(c->runs);
            throughput["cv"] = number_or_null(summarize(values_of(c->runs, &CaseMetrics::throughput_per_s)).cv);
            auto const median = [&](double CaseMetrics::*field) { return number_or_null(summarize(values_of(c->runs, field)).median); };
            auto const cpu_per_item = summarize(values_of(c->runs, &CaseMetrics::items_per_cpu_s)).median;
            // the rest of the machine during these runs (median; NaN where a run was too short to tell, or a peer's)
            double const busy = other_cores_median(c->runs);
            rows.push_back({{"params", swept(c->params)},
                            {"model", token(c->model)},
                            {"n", c->runs.size()},
                            {"throughput", std::move(throughput)},
                            {"latency_p50_us", median(&CaseMetrics::latency_p50_us)},
                            {"latency_p99_us", median(&CaseMetrics::latency_p99_us)},
                            {"latency_p999_us", median(&CaseMetrics::latency_p999_us)},
                            {"peak_rss_bytes", median(&CaseMetrics::peak_rss_bytes)},
                            {"bytes_per_task", median(&CaseMetrics::bytes_per_task)},
                            {"cpu_us_per_item", number_or_null(cpu_per_item > 0 ? 1e6 / cpu_per_item : no_value)},
                            {"machine_other_cores", number_or_null(busy)},
                            {"noisy", busy_machine(busy)},
                            {"spectrum_us", median_spectrum(c->runs)},
                            {"timeline", median_timeline(c->runs)}});
            if (!is_verified) {
                std::size_t bad = 0;
                std::uint64_t failed_items = 0, attempted = 0;
                for (auto const& m : c->runs) {
                    bad += verified(m) ? 0 : 1;
                    failed_items += m.items_failed;
                    attempted += m.items + m.items_failed;
                }
                rows.back()["unverified"] = {{"runs", bad}, {"items_failed", failed_items}, {"items", attempted}};
            }
        }

        // per combination: the leader by median throughput against the runner-up
        nlohmann::json verdicts = nlohmann::json::array();
        std::map<std::string, int> leads;
        std::size_t significant = 0;
        for (auto const& [key, models] : unverified_at) {
            std::string names;
            for (auto const& m : models) names += (names.empty() ? "" : ", ") + m;
            verdicts.push_back({{"params", nlohmann::json::parse(key)},
                                {"leader", nullptr},
                                {"runner_up", nullptr},
                                {"ratio", nullptr},
                                {"p", nullptr},
                                {"significant", false},
                                {"not_ranked", true},
                                {"text", "not ranked: " + names + " had runs with failed items (not verified), which are no result"}});
        }
        for (auto const& [key, group] : by_combination) {
            if (group.size() < 2 || unverified_at.count(key) != 0) continue;
            std::vector<std::pair<double, CaseRuns const*>> ranked;
            for (auto const* c : group) ranked.emplace_back(summarize(values_of(c->runs, &CaseMetrics::throughput_per_s)).median, c);
            std::sort(ranked.begin(), ranked.end(), [](auto const& a, auto const& b) { return a.first > b.first; });
            auto const& [best, leader] = ranked[0];
            auto const& [second, runner_up] = ranked[1];
            double const p = mann_whitney_p(values_of(leader->runs, &CaseMetrics::throughput_per_s),
                                            values_of(runner_up->runs, &CaseMetrics::throughput_per_s));
            bool const is_significant = p < 0.05;
            // the rest of the machine busy during either side's runs: said with the verdict (claims give none then)
            double busiest = 0;
            for (auto const* side : {leader, runner_up}) {
                if (double const busy = other_cores_median(side->runs); std::isfinite(busy)) busiest = std::max(busiest, busy);
            }
            bool const noisy = busy_machine(busiest);
            ++leads[std::string{token(leader->model)}];
            if (is_significant) ++significant;
            char text[384];
            std::snprintf(text, sizeof text, "%s leads, %.2fx %s (Mann-Whitney p = %.3g%s)%s", std::string{token(leader->model)}.c_str(),
                          second > 0 ? best / second : 0.0, std::string{token(runner_up->model)}.c_str(), p,
                          is_significant ? "" : ": not significant, repeat more to be sure",
                          noisy ? printed("; but the machine was busy (%.2f other cores): measure again on a quiet one", busiest).c_str() : "");
            verdicts.push_back({{"params", nlohmann::json::parse(key)},
                                {"leader", token(leader->model)},
                                {"runner_up", token(runner_up->model)},
                                {"ratio", number_or_null(second > 0 ? best / second : no_value)},
                                {"p", p},
                                {"significant", is_significant},
                                {"noisy", noisy},
                                {"text", text}});
        }
        std::string summary;
        if (!unverified_at.empty()) {
            summary += std::to_string(unverified_at.size()) + " combination(s) not ranked: runs with failed items there (marked). ";
        }
        for (auto const& [model, count] : leads) {
            summary += (summary.empty() ? "" : ", ") + model + " leads in " + std::to_string(count) + " of " +
                       std::to_string(verdicts.size() - unverified_at.size());
        }
        if (!leads.empty()) {
            summary += " combination(s) by median throughput; " + std::to_string(significant) + " of these leads are significant (p < 0.05).";
        }
        std::vector<std::string> swept_names;
        for (auto const& [name, values] : axes.items()) swept_names.push_back(name);
        auto const curves = scaling(cases, swept_names);
        scaling_tables[scenario] = scaling_markdown(curves, cores);
        // the earlier sets' throughput at the cases this one's charts draw (their fixed parameters alike), for the charts
        nlohmann::json before = nlohmann::json::array();
        for (std::size_t i = 0; i < earlier.size(); ++i) {
            nlohmann::json points = nlohmann::json::array();
            for (auto const& c : earlier[i].cases) {
                if (c.scenario != scenario) continue;
                bool const alike = std::all_of(fixed.items().begin(), fixed.items().end(), [&](auto const& item) {
                    auto const it = c.params.find(item.key());
                    return it == c.params.end() || params_to_json({{it->first, it->second}}).at(it->first) == item.value();
                });
                if (!alike) continue;
                points.push_back({{"params", swept(c.params)}, {"model", token(c.model)}, {"n", c.runs.size()},
                                  {"throughput", throughput_of(c.runs)}});
            }
            before.push_back({{"label", sets[i].label}, {"cases", std::move(points)}});
        }
        // the level of the throughput intervals drawn (it follows the runs: 75% with 3, 94% with 5)
        std::vector<double> levels;
        for (auto const& row : rows) {
            if (row["n"].get<std::size_t>() >= 2) levels.push_back(row["throughput"]["ci_level"].get<double>());
        }
        scenarios.push_back({{"name", scenario},
                             {"interval_levels", coverage_range(levels)},
                             {"earlier", std::move(before)},
                             {"scaling", scaling_json(curves, cores)},
                             {"axes", std::move(axes)},
                             {"fixed", std::move(fixed)},
                             {"cases", std::move(rows)},
                             {"verdicts", std::move(verdicts)},
                             {"failed", std::move(failures)},
                             {"left_out", std::move(omitted)},
                             {"summary", summary}});
    }
    // the tables: Markdown and CSV rendered here; each scenario's cells for the page
    std::string markdown = "# " + title + "\n\n";
    // where the numbers come from, said first when the files disagree on it
    auto const differ = differences(origins);
    nlohmann::json provenance = {{"differences", differ.lines}, {"machine", origins.front().machine},
                                 {"build", origins.front().build}, {"commit", origins.front().commit}};
    if (differ.lines.empty()) {
        markdown += "Measured on " + origins.front().machine + "; conclab " + origins.front().commit +
                    (origins.front().build.empty() ? std::string{} : ", " + origins.front().build) + ".\n\n";
    } else {
        markdown += "**The files come from different machines, builds or commits**: a difference between them may be that, not the models'.\n\n";
        for (auto const& line : differ.lines) markdown += "- " + line + "\n";
        markdown += "\n";
    }
    // before and after: each later set against the first, as compare shows it
    nlohmann::json comparison = nullptr;
    if (sets.size() >= 2) {
        nlohmann::json changes = nlohmann::json::array();
        for (std::size_t i = 1; i < sets.size(); ++i) {
            auto const& now = i + 1 == sets.size() ? all : earlier[i].cases;
            auto change = compare(earlier.front().cases, now, alpha);
            change.base_label = sets.front().label;
            change.now_label = sets[i].label;
            auto const text = format_comparison(change, ComparisonStyle::markdown);
            markdown += "## " + sets[i].label + " against " + sets.front().label + "\n\n";
            markdown += change.cases.empty() ? std::string{"No case in common (same scenario, parameters and model).\n\n"} : text + "\n";
            auto json = comparison_json(change);
            auto const laid_out = comparison_tables(change);
            nlohmann::json tables = nlohmann::json::array();
            for (auto const& [heading, table] : laid_out.tables) tables.push_back({{"title", heading}, {"table", cells_json(table)}});
            json["tables"] = std::move(tables);
            json["notes"] = laid_out.notes;
            changes.push_back(std::move(json));
        }
        nlohmann::json labels = nlohmann::json::array();
        for (auto const& set : sets) labels.push_back(set.label);
        comparison = {{"labels", std::move(labels)}, {"alpha", alpha}, {"changes", std::move(changes)}};
    }
    Table every_case;  // CSV: one file for every scenario, the scenario a column of its own
    for (auto& scenario : scenarios) {
        auto const table = case_table(scenario);
        auto const trouble = problems_of(scenario);
        markdown += "## " + scenario["name"].get<std::string>() + "\n\n" + scenario["summary"].get<std::string>() + "\n\n";
        if (!trouble.empty()) {
            markdown += "Not in the numbers below, or marked there:\n\n";
            for (auto const& line : trouble) markdown += "- " + line + "\n";
            markdown += "\n";
        }
        markdown += render_markdown(table) + "\n";
        // the interval's level, said where its columns are (it follows the runs: 75% with 3, 94% with 5)
        auto const levels = scenario["interval_levels"].get<std::string>();
        scenario["table_note"] = levels.empty() ? std::string{"CI low, CI high: none, one run per case."}
                                                : "CI low, CI high: the median's " + levels +
                                                      " confidence interval (order statistics; its level follows the runs).";
        markdown += scenario["table_note"].get<std::string>() + "\n\n";
        markdown += scaling_tables[scenario["name"].get<std::string>()];
        if (every_case.columns.empty()) {
            every_case.columns = table.columns;
            every_case.columns.insert(every_case.columns.begin(), {.title = "scenario", .key = "scenario", .left = true});
        }
        for (auto row : table.rows) {
            row.insert(row.begin(), {.text = scenario["name"].get<std::string>()});
            every_case.rows.push_back(std::move(row));
        }
        scenario["table"] = cells_json(table);
        scenario["problems"] = trouble;
    }
    return {{"schema", "conclab-report"},
            {"title", title},
            {"generated_utc", utc_now()},
            {"generated_by", describe_build()},
            {"sources", std::move(sources)},
            {"comparison", std::move(comparison)},
            {"provenance", std::move(provenance)},
            {"scenarios", std::move(scenarios)},
            {"tables_markdown", std::move(markdown)},
            {"tables_csv", render_csv(every_case)},
            {"units", units_json()},
            // each model against its real Go or Rust peer, where both ran (docs/calibration.md)
            {"calibration", has_pairs(all) ? nlohmann::json(format_calibration(calibrate(all))) : nlohmann::json(nullptr)}};
}

}  // namespace conclab
