// The calibration view: each C++ model against the real-language program it
// stands for (fibers/go, coroutines/tokio, tbb/rayon, threads/rust-threads),
// case by case, as the ratio of their medians with a confidence interval.
// A ratio above 1 means conclab's model does better. docs/calibration.md.
#pragma once

#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/results/compare.hpp"

#include <array>
#include <span>
#include <string>
#include <vector>

namespace conclab {

/// What a scenario is judged by: worker-pool, pipeline and url-fetch by
/// throughput, task-tree by its time, idle-tasks by the memory per task.
struct Headline {
    std::string metric;  ///< a metric key (metric_list or the scenario's own)
    std::string label;   ///< for the table: "jobs/s", "time", "bytes/task"
    bool higher_is_better = true;
};
Headline headline(std::string const& scenario);
/// The headline, then what else a case is compared on, each a row of its
/// own: the p99 latency where items have one (worker-pool, pipeline,
/// url-fetch), and for idle-tasks how late the timers woke (p50, p99) and
/// how long the spawning took. Only the headline rows make the geometric
/// mean and the worst case.
std::vector<Headline> judged_by(std::string const& scenario);

struct CalibrationRow {
    std::string scenario;
    std::string params;  ///< the parameters that tell this case from the scenario's others
    Headline headline;
    bool primary = true;  ///< the scenario's headline (false: a judged_by row after it)
    std::array<RatioInterval, 4> pairs;  ///< in all_models order; NaN where either side has no runs
    double go_gc_cycles = no_value;      ///< the Go peer's median over its runs
    double go_gc_pause_s = no_value;
    double go_gc_pause_max_us = no_value;
    double go_p99_us = no_value;
};

struct Calibration {
    std::vector<CalibrationRow> rows;
    std::array<double, 4> geomean{no_value, no_value, no_value, no_value};  ///< per pair, over the rows that have it
    std::array<std::size_t, 4> worst{};  ///< per pair, the row with the lowest ratio
};

/// Pairs every case's model runs with its peer's runs.
Calibration calibrate(std::vector<CaseRuns> const& cases);

/// True when some case holds runs of both a model and its peer.
bool has_pairs(std::vector<CaseRuns> const& cases);

/// The table for people.
/// A model and its peer this far apart (either way) on a case differ by
/// design, not by noise: the table marks the ratio and lists the case.
inline constexpr double divergence = 2.0;
bool diverges(double ratio) noexcept;

std::string format_calibration(Calibration const& calibration);

}  // namespace conclab
