// url-fetch's fixture in the runner's process: without --target it starts
// `conclab serve` on a free loopback port as a child process, waits for
// /health, hands its URL and pid to every case, and stops it at the end
// (its CPU over the whole run comes from wait4). With --target it checks
// that the server answers /health, and that is all.
#pragma once

#include "src/kit/scenario.hpp"

#include <memory>

namespace conclab::url_fetch {

/// Scenario::setup for url-fetch. Throws UsageError when --target does not
/// answer /health; std::runtime_error when the embedded server does not start.
std::unique_ptr<Fixture> setup_fixture(ParamValues const& values);

}  // namespace conclab::url_fetch
