#include "src/runner/runner.hpp"

#include "src/kit/machine.hpp"
#include "src/kit/units.hpp"
#include "src/runner/case_loop.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace conclab {

std::vector<ModelId> order_for(std::vector<ModelId> const& models, unsigned repetition) {
    std::vector<ModelId> order = models;
    if (!order.empty()) std::rotate(order.begin(), order.begin() + repetition % order.size(), order.end());
    return order;
}

namespace {

// The runs of `conclab run`, by model, and what the fixture said of itself.
class ResultsSink final : public CaseSink {
public:
    explicit ResultsSink(RunResults& results) : results_{results} {}
    void finished(PlannedCase const& c, CaseOutcome const& outcome) override {
        auto it = std::find_if(results_.models.begin(), results_.models.end(), [&](auto const& m) { return m.model == c.model; });
        it->runs.push_back(outcome);
    }
    void fixture_stopped(PlannedCase const&, Fixture const& fixture) override {
        results_.fixture = fixture.describe();
        results_.fixture_summary = fixture.summary();
    }

private:
    RunResults& results_;
};

}  // namespace

RunResults execute(RunPlan const& plan, std::vector<std::string> command) {
    RunResults results{.plan = plan, .models = {}, .order = {}, .command = std::move(command), .started_utc = utc_now(),
                       .fixture = {}, .fixture_summary = {}};
    for (auto const& model : plan.models) results.models.push_back(ModelRuns{model, {}});
    std::vector<PlannedCase> cases;
    for (unsigned rep = 0; rep < plan.repeat; ++rep) {
        results.order.push_back(order_for(plan.models, rep));
        for (auto const& model : results.order.back()) {
            cases.push_back({.scenario = plan.scenario, .combination = 0, .params = plan.params, .model = model,
                             .repetition = rep, .warmup = plan.warmup, .swept = {}});
        }
    }
    ResultsSink collect{results};
    ProgressSink progress{cases.size()};
    std::vector<CaseSink*> sinks{&collect};
    if (plan.progress) sinks.push_back(&progress);
    LoopOptions options{.case_timeout = plan.case_timeout, .record_latency = plan.record_latency, .cpus = plan.cpus, .more = {}};
    bool const until_precise = (plan.precision > 0 || plan.min_time_s > 0) && plan.wanting;
    // after each round: a model that is not yet precise (or timed) enough gets the whole round again, every model with it
    // (the order rotates on, as in a fixed run); the first round that leaves none wanting, or max_repeat, ends them
    if (until_precise) {
        options.more = [&]() -> std::vector<PlannedCase> {
            auto const rounds = static_cast<unsigned>(results.order.size());
            auto const short_of = plan.wanting(results.models);
            if (short_of.empty() || rounds >= plan.max_repeat) return {};
            results.order.push_back(order_for(plan.models, rounds));
            std::vector<PlannedCase> round;
            for (auto const& model : results.order.back()) {
                round.push_back({.scenario = plan.scenario, .combination = 0, .params = plan.params, .model = model,
                                 .repetition = rounds, .warmup = plan.warmup, .swept = {}});
            }
            progress.add(round.size());
            return round;
        };
    }
    auto const loop = run_cases(cases, options, sinks);
    results.interrupted = loop.interrupted;
    if (until_precise && !loop.interrupted) {
        auto const short_of = plan.wanting(results.models);
        std::string asked;
        if (plan.precision > 0) asked = "±" + printed("%.3g", plan.precision * 100) + "%";
        if (plan.min_time_s > 0) asked += (asked.empty() ? "" : " and ") + printed("%.3g", plan.min_time_s) + " s measured";
        results.precise = short_of.empty();
        std::string list;
        for (auto const& s : short_of) list += (list.empty() ? "" : "; ") + s;
        results.stopped_because = short_of.empty()
                                      ? asked + " reached in " + std::to_string(results.order.size()) + " repetition(s)"
                                      : "--max-repeat " + std::to_string(plan.max_repeat) + " reached before " + asked + ": " + list;
    }
    results.plan.repeat = static_cast<unsigned>(results.order.size());  // what was run
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
