// Scaling: how a model's throughput grows with its threads. Per model and
// per value of the other swept parameters, the median throughput at each
// thread count against one thread: the speedup, and the efficiency (the
// speedup per thread). The report draws it beside the ideal line, which
// rises with the threads up to the machine's cores and stays flat beyond.
#pragma once

#include "src/results/compare.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace conclab {

struct ScalingPoint {
    std::uint64_t threads = 0;
    double throughput = 0;  ///< median
    double speedup = 0;     ///< throughput / throughput at 1 thread
    double efficiency = 0;  ///< speedup / threads
};

struct ScalingSeries {
    std::string model;
    std::string axis;    ///< the parameter that sets its OS threads: "threads", or the control group's "workers" or "parallelism"
    ParamValues others;  ///< the values of the other parameters that vary among the model's cases
    std::vector<ScalingPoint> points;  ///< by threads, 1 first
};

struct ScalingCurves {
    std::vector<ScalingSeries> series;
    std::vector<std::string> without_axis;  ///< models none of whose swept parameters sets their OS threads
};

/// The curves of `cases` (one scenario's verified cases; `swept` the names
/// of its swept parameters). Per model, the axis is the parameter that
/// sets its OS threads, if swept among its cases: --threads for the
/// runtimes with a pool and their peers, the workers or transform tasks
/// (parallelism) for the control group (threads, rust-threads), whose
/// every one is an OS thread. A series per value of the other parameters
/// that vary among the model's cases, measured at 1 and at least one more.
ScalingCurves scaling(std::vector<CaseRuns const*> const& cases, std::vector<std::string> const& swept);

/// What the curves can show on a machine of `cores` hardware threads when
/// `most` threads were measured: empty when they make a curve, else why
/// not ("1 and 2 threads only on 2 cores: ...").
std::string scaling_note(std::uint64_t most, unsigned cores);

/// For the report model: {"cores", "note", "without_axis", "series": [{"model", "axis", "others", "points":
/// [[threads, throughput, speedup, efficiency]...]}]}; null when there is no series.
nlohmann::json scaling_json(ScalingCurves const& curves, unsigned cores);

/// The speedups as a Markdown table: a row per series, a column per thread count ("1.85x (92%)").
std::string scaling_markdown(ScalingCurves const& curves, unsigned cores);

}  // namespace conclab
