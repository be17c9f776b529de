// A case: one model of one scenario with one set of parameters, run in a
// process of its own. The request the runner sends (`conclab __case`) and
// the outcome the child prints back; their JSON is in case_json.hpp.
#pragma once

#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/params.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace conclab {

/// How one case runs, besides its parameters.
struct CaseOptions {
    unsigned warmup = 1;         ///< verified, unmeasured runs before the measured one
    bool record_latency = true;  ///< false (--no-latency): no per-item latency is recorded
    /// --cpus: the CPUs the case's process runs on (set by the runner when it
    /// starts it, src/kit/cpus.hpp); empty: wherever the kernel puts it
    std::vector<unsigned> cpus = {};
};

struct CaseRequest {
    std::string scenario;
    ModelId model;
    ParamValues params;  ///< every parameter of the scenario (the fixture's values included)
    CaseOptions options;
};

struct CaseOutcome {
    /// interrupted: the runner was told to stop (Ctrl-C) and killed the case
    enum class Status { ok, wrong_answer, error, crashed, timeout, interrupted };
    Status status = Status::error;
    std::string message;   ///< why, when not ok
    CaseMetrics metrics;   ///< valid when ok
};

std::string_view to_string(CaseOutcome::Status status) noexcept;

}  // namespace conclab
