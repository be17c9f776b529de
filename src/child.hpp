// Runs one case in a child process (this same executable, `conclab __case`)
// so that its peak RSS and CPU figures belong to it alone.
#pragma once

#include "src/metrics.hpp"

#include <chrono>
#include <string>

namespace conclab {

struct CaseOutcome {
    /// interrupted: the runner was told to stop (Ctrl-C) and killed the case
    enum class Status { ok, wrong_answer, error, crashed, timeout, interrupted };
    Status status = Status::error;
    std::string message;   ///< why, when not ok
    CaseMetrics metrics;   ///< valid when ok
};

std::string_view to_string(CaseOutcome::Status status) noexcept;

/// Starts `executable __case request_json`, waits at most `timeout`, and
/// reads the one JSON line the child prints. Never throws for a child's
/// failure: a crash, a timeout (the child is killed) or garbage output
/// becomes the outcome's status. When the runner is interrupted
/// (src/interrupt.hpp) the child is killed within 0.1 s: `interrupted`.
CaseOutcome run_in_child(std::string const& executable, std::string const& request_json, std::chrono::seconds timeout);

/// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace conclab
