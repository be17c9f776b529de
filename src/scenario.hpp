// What the runner knows of a scenario. Each scenario folder provides one
// Scenario value; src/cli/registry.cpp lists them.
#pragma once

#include "src/metrics.hpp"
#include "src/model.hpp"
#include "src/params.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

struct Scenario {
    std::string name;      ///< the token on the command line and in JSON: "worker-pool"
    std::string summary;   ///< one line
    std::string unit;      ///< what throughput counts: "jobs"
    std::vector<ParamSpec> params;
    /// Refuses combinations that cannot run (with a message saying why and
    /// what would work); returns an empty string when all is well.
    std::string (*validate)(ParamValues const& values, std::span<Model const> models);
    /// Runs one case in this process: builds the model's runtime, does
    /// `warmup` verified runs, then one measured run, verified after.
    /// Throws WrongAnswer when a run's answer is not the reference.
    CaseMetrics (*run_case)(Model model, ParamValues const& values, unsigned warmup);
};

}  // namespace conclab
