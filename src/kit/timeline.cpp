#include "src/kit/timeline.hpp"

#include <algorithm>
#include <cmath>

namespace conclab {

LatencyTimeline::LatencyTimeline(Clock::duration expected, Clock::duration window)
    : window_{std::max(window, Clock::duration{1})},
      windows_{static_cast<std::size_t>((2 * std::max(expected, Clock::duration::zero()) + std::chrono::seconds{10}) / window_) + 1},
      worst_ns_{std::make_unique<std::atomic<std::int64_t>[]>(windows_)} {
    start(Clock::now());
}

void LatencyTimeline::start(Clock::time_point start) noexcept {
    start_ = start;
    for (std::size_t i = 0; i < windows_; ++i) worst_ns_[i].store(-1, std::memory_order_relaxed);
}

void LatencyTimeline::record(Clock::time_point completed, Clock::duration latency) noexcept {
    auto const since = std::max(completed - start_, Clock::duration::zero());
    auto const index = std::min(static_cast<std::size_t>(since / window_), windows_ - 1);
    auto const ns = std::max<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count(), 0);
    auto& worst = worst_ns_[index];
    // a relaxed load first: most completions are not the window's worst and write nothing
    for (auto seen = worst.load(std::memory_order_relaxed); ns > seen && !worst.compare_exchange_weak(seen, ns, std::memory_order_relaxed);) {
    }
}

std::vector<double> LatencyTimeline::worst_us() const {
    std::size_t end = windows_;
    while (end > 0 && worst_ns_[end - 1].load(std::memory_order_relaxed) < 0) --end;
    std::vector<double> out(end);
    for (std::size_t i = 0; i < end; ++i) {
        auto const ns = worst_ns_[i].load(std::memory_order_relaxed);
        out[i] = ns < 0 ? std::nan("") : static_cast<double>(ns) / 1000.0;
    }
    return out;
}

}  // namespace conclab
