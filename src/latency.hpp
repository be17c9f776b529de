// Latency percentiles from the recorded per-item latencies (exact: the
// values are sorted; nearest-rank definition).
#pragma once

#include "src/metrics.hpp"

#include <cstdint>
#include <span>

namespace conclab {

/// Nearest-rank percentile of sorted values: the smallest value with at
/// least q of all values at or below it. q in (0, 1].
std::uint64_t percentile_sorted(std::span<std::uint64_t const> sorted, double q) noexcept;

/// Sorts `latencies_ns` in place and fills the latency fields of `metrics`.
void summarize_latencies(std::span<std::uint64_t> latencies_ns, CaseMetrics& metrics);

}  // namespace conclab
