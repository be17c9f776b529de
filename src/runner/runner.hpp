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
#include <functional>
#include <vector>

namespace conclab {

struct ModelRuns {
    ModelId model;
    std::vector<CaseOutcome> runs;  ///< by repetition
};

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
    /// Until precise (run --precision, --min-time): after `repeat` rounds,
    /// one more round of every model at a time while a model's throughput
    /// median is less precise than `precision` (the larger half of its
    /// interval over the median; 0: not asked) or its measured runs took
    /// less than `min_time_s` in all (0: not asked), up to `max_repeat`.
    double precision = 0;
    double min_time_s = 0;
    unsigned max_repeat = 0;
    /// The models still short of what was asked, each with how far ("fibers ±3.4%"): given by the
    /// command (it judges with the results layer's statistics); empty: stop.
    std::function<std::vector<std::string>(std::vector<ModelRuns> const&)> wanting = {};
    std::vector<std::pair<ModelId, std::string>> left_out;  ///< models the case could not hold, and why (not run)
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
    /// --precision / --min-time: why the repetitions stopped where they did ("" when not asked)
    std::string stopped_because = {};
    bool precise = true;           ///< false when max_repeat ended them before the precision or time asked
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
