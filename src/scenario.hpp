// What the runner knows of a scenario. Each scenario folder provides one
// Scenario value; src/cli/registry.cpp lists them.
#pragma once

#include "src/metrics.hpp"
#include "src/model.hpp"
#include "src/params.hpp"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conclab {

/// What a scenario keeps running around its cases in the runner's process,
/// such as url-fetch's target server. Built before the first case, stopped
/// after the last.
class Fixture {
public:
    virtual ~Fixture() = default;
    /// Values every case gets on top of the run's parameters (the live
    /// target's URL, say); the results keep the parameters as given.
    virtual ParamValues case_values() const = 0;
    /// Ends what the fixture runs (idempotent); facts gathered on the way,
    /// such as the server's CPU, are in describe() afterwards.
    virtual void stop() = 0;
    /// For the results: a JSON object, and one line for the table.
    virtual nlohmann::json describe() const = 0;
    virtual std::string summary() const = 0;
};

struct Scenario {
    std::string name;      ///< the token on the command line and in JSON: "worker-pool"
    std::string summary;   ///< one line
    std::string unit;      ///< what throughput counts: "jobs"
    std::vector<ParamSpec> params;
    std::vector<ExtraMetric> metrics;  ///< the scenario's own metrics, beyond metric_list()
    /// Refuses combinations that cannot run (with a message saying why and
    /// what would work); returns an empty string when all is well.
    std::string (*validate)(ParamValues const& values, std::span<Model const> models);
    /// Runs one case in this process: builds the model's runtime, does
    /// `warmup` verified runs, then one measured run, verified after.
    /// Throws WrongAnswer when a run's answer is not the reference.
    CaseMetrics (*run_case)(Model model, ParamValues const& values, unsigned warmup);
    /// Builds the scenario's fixture, or returns nullptr when it needs none;
    /// throws UsageError when what the parameters name cannot be used (an
    /// unreachable target). nullptr: the scenario never needs one.
    std::unique_ptr<Fixture> (*setup)(ParamValues const& values) = nullptr;
};

/// The models of `models` that `scenario` refuses to run with `values`,
/// each with the reason (validate() asked one model at a time).
inline std::vector<std::pair<Model, std::string>> refused_models(Scenario const& scenario, ParamValues const& values,
                                                                 std::span<Model const> models) {
    std::vector<std::pair<Model, std::string>> refused;
    for (Model model : models) {
        Model const one[] = {model};
        if (auto problem = scenario.validate(values, std::span<Model const>{one}); !problem.empty()) {
            refused.emplace_back(model, std::move(problem));
        }
    }
    return refused;
}

}  // namespace conclab
