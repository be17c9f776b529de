// The peers: programs in real Go and real Rust (peers/) that run conclab's
// scenarios to the same contract, so that each C++ model can be measured
// against the runtime it stands for (docs/calibration.md). A peer speaks a
// case's protocol: `<program> __case REQUEST` prints one JSON line with
// its checksum, what it measured of its measured run, and its latencies in
// conclab's histogram layout. The runner starts it like a case child,
// measures its process the same way (wait4), and checks its answer against
// the contract itself: a peer is never trusted with its own verdict.
#pragma once

#include "src/kit/case.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace conclab {

/// The program a peer runs in: conclab-peer-go (go) or conclab-peer-rust.
std::string_view peer_program(Model peer) noexcept;

/// Where peer programs are looked for: $CONCLAB_PEERS_DIR alone when it is
/// set; else the build directory's peers/ (meson -Dpeers=enabled,
/// ./setup.sh peers), then <prefix>/libexec/conclab beside an installed conclab.
std::vector<std::string> peer_directories();

/// The path of `peer`'s program, or nullopt when it is not built.
std::optional<std::string> peer_executable(Model peer);

/// Why `peer` cannot be run here (not built: how to build it), or empty.
std::string peer_unavailable(Model peer);

/// The scenario metrics a peer may add to every scenario's: the Go
/// collector's cycles and pauses during the measured run.
std::vector<ExtraMetric> const& peer_metrics();

/// Turns a peer's reply (the JSON line it printed) into the case's outcome:
/// latencies through conclab's histogram, the derived metrics computed as
/// for a model, `peak_rss_bytes` from wait4, and the answer checked against
/// scenario.reference (a different one is a wrong answer). A malformed
/// reply is an error outcome naming what is wrong.
CaseOutcome peer_outcome(Scenario const& scenario, CaseRequest const& request, std::string const& reply, double peak_rss_bytes);

/// Runs one case of a peer in its own process (run_child), at most `timeout`.
CaseOutcome run_peer(Scenario const& scenario, CaseRequest const& request, std::chrono::seconds timeout);

}  // namespace conclab
