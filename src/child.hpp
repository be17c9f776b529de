// Runs one case in a child process (this same executable, `conclab __case`)
// so that its peak RSS and CPU figures belong to it alone.
#pragma once

#include "src/case.hpp"

#include <chrono>
#include <string>

namespace conclab {

/// Starts `executable __case request`, waits at most `timeout`, and
/// reads the one JSON line the child prints. Never throws for a child's
/// failure: a crash, a timeout (the child is killed) or garbage output
/// becomes the outcome's status. When the runner is interrupted
/// (src/interrupt.hpp) the child is killed within 0.1 s: `interrupted`.
CaseOutcome run_in_child(std::string const& executable, CaseRequest const& request, std::chrono::seconds timeout);

/// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace conclab
