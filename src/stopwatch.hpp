// Measures one run from inside the case's own process: wall clock plus the
// process's CPU time and context switches (getrusage, all threads), and the
// process's peak RSS.
#pragma once

#include "src/metrics.hpp"

#include <chrono>
#include <cstdint>

#include <sys/resource.h>

namespace conclab {

using Clock = std::chrono::steady_clock;

class Stopwatch {
public:
    /// Starts measuring now.
    Stopwatch() noexcept;
    /// Fills wall time, throughput over `items`, CPU, context switches and
    /// peak RSS into `metrics`.
    void stop(std::uint64_t items, CaseMetrics& metrics) const noexcept;

private:
    Clock::time_point start_;
    rusage usage_{};
};

}  // namespace conclab
