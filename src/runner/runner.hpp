// Runs a scenario's cases: every model x repetition in its own child
// process, models in a different order in each repetition so that drift
// over time and order effects do not favour one model.
#pragma once

#include "src/kit/model.hpp"
#include "src/kit/params.hpp"
#include "src/kit/scenario.hpp"
#include "src/runner/child.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace conclab {

struct RunPlan {
    Scenario const* scenario = nullptr;
    ParamValues params;
    std::vector<ModelId> models;
    unsigned repeat = 5;
    unsigned warmup = 1;
    std::chrono::seconds case_timeout{600};
    bool progress = true;  ///< one line per case on stderr
    bool record_latency = true;  ///< false (--no-latency): cases record no per-item latency
    std::vector<unsigned> cpus = {};  ///< --cpus: the case processes pinned to these CPUs (src/kit/cpus.hpp)
    std::vector<std::pair<ModelId, std::string>> left_out;  ///< models the case could not hold, and why (not run)
};

struct ModelRuns {
    ModelId model;
    std::vector<CaseOutcome> runs;  ///< by repetition
};

struct RunResults {
    RunPlan plan;
    std::vector<ModelRuns> models;               ///< in --models order
    std::vector<std::vector<ModelId>> order;       ///< run order per repetition
    std::vector<std::string> command;            ///< argv, to reproduce
    std::string started_utc;
    nlohmann::json fixture;        ///< the scenario's fixture (e.g. the target server); null if none
    std::string fixture_summary;   ///< one line about it for the table
    bool interrupted = false;      ///< stopped by Ctrl-C: `models` hold the runs that finished
};

/// The run order of repetition `r`: the models rotated by r.
std::vector<ModelId> order_for(std::vector<ModelId> const& models, unsigned repetition);

RunResults execute(RunPlan const& plan, std::vector<std::string> command);

/// True when every case of every model verified its answer.
bool all_ok(RunResults const& results);

/// Items that failed in runs that were otherwise fine (the scenario's
/// `failures` metrics, e.g. url-fetch's request errors), over all runs.
double failed_items(RunResults const& results);

}  // namespace conclab
