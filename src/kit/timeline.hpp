// The worst latency in each window of a run (100 ms by default), windows
// counted from the run's start by when items *completed*: a collector's
// pause or a stalled thread shows as a spike at the moment it happened,
// which a histogram of the whole run averages away. Many threads record at
// once: one relaxed atomic maximum per window, no locks.
#pragma once

#include "src/kit/stopwatch.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

namespace conclab {

class LatencyTimeline {
public:
    static constexpr std::chrono::milliseconds default_window{100};

    /// Room for `expected` of run (completions later than twice that, plus
    /// ten seconds, count in the last window).
    explicit LatencyTimeline(Clock::duration expected, Clock::duration window = default_window);
    LatencyTimeline(LatencyTimeline const&) = delete;
    LatencyTimeline& operator=(LatencyTimeline const&) = delete;

    /// Windows count from `start`; the counts from before are cleared.
    void start(Clock::time_point start) noexcept;
    /// An item that completed at `completed` after `latency`. Thread-safe.
    void record(Clock::time_point completed, Clock::duration latency) noexcept;
    /// The worst latency of each window in microseconds, from the first
    /// window to the last one with a completion; NaN for a window in which
    /// nothing completed (a stall).
    std::vector<double> worst_us() const;
    double window_s() const noexcept { return std::chrono::duration<double>(window_).count(); }

private:
    Clock::duration window_;
    std::size_t windows_;
    std::unique_ptr<std::atomic<std::int64_t>[]> worst_ns_;  // -1: nothing completed
    Clock::time_point start_{};
};

}  // namespace conclab
