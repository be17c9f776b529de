// Runs one case in a child process (this same executable, `conclab __case`)
// so that its peak RSS and CPU figures belong to it alone.
#pragma once

#include "src/kit/case.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace conclab {

/// What a case process (ours, or a peer: src/runner/peer.hpp) left: the last line
/// it printed, a JSON object with a "status", or, when it printed none,
/// the failure (crashed, timeout, interrupted, error). `peak_rss_bytes`:
/// its whole life's peak RSS, from wait4.
struct ChildReply {
    std::string reply;   ///< empty: see `failure`
    CaseOutcome failure;
    double peak_rss_bytes = 0;
};

/// The most a case process may write to its standard output (a reply is a
/// few KiB, with a latency spectrum some tens): past it the case is killed
/// and failed with "output too large", so a flood cannot take the runner.
inline constexpr std::size_t max_case_output = std::size_t{4} << 20;

/// Starts `argv` (argv[0] is the program), waits at most `timeout` for it
/// to print and exit (also after it closed its output); killed within 0.1 s
/// when the runner is interrupted. With `cpus`, it runs on those CPUs only.
ChildReply run_child(std::vector<std::string> const& argv, std::chrono::seconds timeout, std::vector<unsigned> const& cpus = {});

/// Starts `executable __case request`, waits at most `timeout`, and
/// reads the one JSON line the child prints. Never throws for a child's
/// failure: a crash, a timeout (the child is killed) or garbage output
/// becomes the outcome's status. When the runner is interrupted
/// (src/runner/interrupt.hpp) the child is killed within 0.1 s: `interrupted`.
CaseOutcome run_in_child(std::string const& executable, CaseRequest const& request, std::chrono::seconds timeout);


}  // namespace conclab
