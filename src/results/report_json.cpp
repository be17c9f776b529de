#include "src/kit/cpus.hpp"
#include "src/kit/machine.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/report.hpp"
#include "src/runner/case_json.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <vector>

namespace conclab {
namespace {

// The repetition numbers of the outliers: positions among the verified runs
// mapped back to the runs' own numbers.
nlohmann::json outlier_runs(ModelRuns const& model, std::vector<std::size_t> const& positions) {
    std::vector<std::size_t> ok;
    for (std::size_t rep = 0; rep < model.runs.size(); ++rep) {
        if (model.runs[rep].status == CaseOutcome::Status::ok) ok.push_back(rep);
    }
    auto out = nlohmann::json::array();
    for (auto position : positions) out.push_back(ok.at(position));
    return out;
}

nlohmann::json summary_of(ModelRuns const& model, std::vector<ExtraMetric> const& extra) {
    nlohmann::json summary = nlohmann::json::object();
    auto const add = [&](std::string const& key, auto const& value_of) {
        std::vector<double> values;
        for (auto const& run : model.runs) {
            if (run.status == CaseOutcome::Status::ok) values.push_back(value_of(run.metrics));
        }
        auto const spread = summarize(values);
        summary[key] = {{"median", number_or_null(spread.median)},
                        {"min", number_or_null(spread.min)},
                        {"max", number_or_null(spread.max)},
                        {"n", spread.n},
                        {"ci_low", number_or_null(spread.ci_low)},
                        {"ci_high", number_or_null(spread.ci_high)},
                        {"ci_level", spread.ci_level},
                        {"cv", number_or_null(spread.cv)},
                        {"outlier_runs", outlier_runs(model, spread.outliers)}};
    };
    for (auto const& metric : metric_list()) add(std::string{metric.key}, [&](CaseMetrics const& m) { return m.*metric.field; });
    for (auto const& metric : extra) add(metric.key, [&](CaseMetrics const& m) { return extra_value(m, metric.key); });
    return summary;
}

}  // namespace

nlohmann::json results_to_json(RunResults const& results) {
    auto const& plan = results.plan;
    nlohmann::json models = nlohmann::json::array();
    for (auto const& model : results.models) {
        nlohmann::json runs = nlohmann::json::array();
        std::size_t failures = 0;
        for (std::size_t rep = 0; rep < model.runs.size(); ++rep) {
            auto const& run = model.runs[rep];
            nlohmann::json entry{{"repetition", rep}, {"status", to_string(run.status)}};
            if (run.status == CaseOutcome::Status::ok) {
                entry.update(metrics_to_json(run.metrics));
            } else {
                entry["error"] = run.message;
                ++failures;
            }
            runs.push_back(std::move(entry));
        }
        models.push_back({{"model", token(model.model)},
                          {"base_model", token(model.model.base)},
                          {"status", failures == 0 ? "ok" : "failed"},
                          {"failures", failures},
                          {"summary", summary_of(model, plan.scenario->metrics)},
                          {"runs", std::move(runs)}});
    }
    nlohmann::json order = nlohmann::json::array();
    for (auto const& rep : results.order) {
        nlohmann::json names = nlohmann::json::array();
        for (auto const& m : rep) names.push_back(token(m));
        order.push_back(std::move(names));
    }
    nlohmann::json left_out = nlohmann::json::array();
    for (auto const& [model, reason] : plan.left_out) left_out.push_back({{"model", token(model)}, {"reason", reason}});
    nlohmann::json units = nlohmann::json::object();
    for (auto const& metric : metric_list()) units[std::string{metric.key}] = metric.unit;
    for (auto const& metric : plan.scenario->metrics) units[metric.key] = metric.unit;
    return {
        {"schema", "conclab-results"},
        {"schema_version", results_schema_version},
        {"started_utc", results.started_utc},
        {"command", results.command},
        {"conclab", describe_build()},
        {"machine", describe_machine()},
        {"scenario", plan.scenario->name},
        {"unit", plan.scenario->unit},
        {"params", params_to_json(plan.params)},
        {"fixture", results.fixture},
        {"repeat", plan.repeat},
        {"warmup", plan.warmup},
        {"latency_recorded", plan.record_latency},
        // run --precision / --min-time: what was asked, and whether the repetitions reached it (repeat: how many were run)
        {"until_precise", plan.precision > 0 || plan.min_time_s > 0
                              ? nlohmann::json{{"precision_percent", plan.precision > 0 ? nlohmann::json(plan.precision * 100) : nlohmann::json(nullptr)},
                                               {"min_time_s", plan.min_time_s > 0 ? nlohmann::json(plan.min_time_s) : nlohmann::json(nullptr)},
                                               {"max_repeat", plan.max_repeat},
                                               {"reached", results.precise},
                                               {"why", results.stopped_because}}
                              : nlohmann::json(nullptr)},
        {"cpus", plan.cpus.empty() ? nlohmann::json(nullptr) : nlohmann::json(format_cpu_list(plan.cpus))},
        {"interrupted", results.interrupted},
        {"run_order", std::move(order)},
        {"metric_units", std::move(units)},
        {"results", std::move(models)},
        {"left_out", std::move(left_out)},
    };
}

}  // namespace conclab
