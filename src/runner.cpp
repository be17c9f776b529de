#include "src/runner.hpp"

#include "src/case_json.hpp"
#include "src/interrupt.hpp"
#include "src/machine.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace conclab {

std::vector<Model> order_for(std::vector<Model> const& models, unsigned repetition) {
    std::vector<Model> order = models;
    if (!order.empty()) std::rotate(order.begin(), order.begin() + repetition % order.size(), order.end());
    return order;
}

RunResults execute(RunPlan const& plan, std::vector<std::string> command) {
    RunResults results{.plan = plan, .models = {}, .order = {}, .command = std::move(command), .started_utc = utc_now(),
                       .fixture = {}, .fixture_summary = {}};
    for (Model model : plan.models) results.models.push_back(ModelRuns{model, {}});
    auto const executable = self_executable();
    std::size_t const total = plan.models.size() * plan.repeat;
    std::size_t done = 0;
    for (unsigned rep = 0; rep < plan.repeat; ++rep) {
        results.order.push_back(order_for(plan.models, rep));
        for (Model model : results.order.back()) {
            auto params = params_to_json(plan.params);
            params.update(params_to_json(plan.case_values));
            if (!plan.record_latency) params["record_latency"] = 0;
            nlohmann::json const request{{"scenario", plan.scenario->name},
                                         {"model", token(model)},
                                         {"params", std::move(params)},
                                         {"warmup", plan.warmup}};
            auto outcome = run_in_child(executable, request.dump(), plan.case_timeout);
            if (outcome.status == CaseOutcome::Status::interrupted || interrupted()) {
                results.interrupted = true;  // the case in flight is dropped, the finished ones are kept
                return results;
            }
            ++done;
            if (plan.progress) {
                if (outcome.status == CaseOutcome::Status::ok) {
                    std::fprintf(stderr, "[%zu/%zu] %-10s repetition %u/%u: %.3f s, checksum verified\n", done, total,
                                 std::string{token(model)}.c_str(), rep + 1, plan.repeat, outcome.metrics.wall_s);
                } else {
                    std::fprintf(stderr, "[%zu/%zu] %-10s repetition %u/%u: %s: %s\n", done, total,
                                 std::string{token(model)}.c_str(), rep + 1, plan.repeat,
                                 std::string{to_string(outcome.status)}.c_str(), outcome.message.c_str());
                }
            }
            auto it = std::find_if(results.models.begin(), results.models.end(), [&](auto const& m) { return m.model == model; });
            it->runs.push_back(std::move(outcome));
        }
    }
    return results;
}

bool all_ok(RunResults const& results) {
    for (auto const& model : results.models) {
        for (auto const& run : model.runs) {
            if (run.status != CaseOutcome::Status::ok) return false;
        }
    }
    return true;
}

double failed_items(RunResults const& results) {
    double total = 0;
    for (auto const& model : results.models) {
        for (auto const& run : model.runs) {
            if (run.status != CaseOutcome::Status::ok) continue;
            for (auto const& metric : results.plan.scenario->metrics) {
                double const value = extra_value(run.metrics, metric.key);
                if (metric.failures && value > 0) total += value;
            }
        }
    }
    return total;
}

}  // namespace conclab
