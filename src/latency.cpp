#include "src/latency.hpp"

#include <algorithm>
#include <cmath>

namespace conclab {

std::uint64_t percentile_sorted(std::span<std::uint64_t const> sorted, double q) noexcept {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

void summarize_latencies(std::span<std::uint64_t> latencies_ns, CaseMetrics& metrics) {
    metrics.latency_count = latencies_ns.size();
    if (latencies_ns.empty()) return;  // percentiles stay no_value
    std::sort(latencies_ns.begin(), latencies_ns.end());
    std::span<std::uint64_t const> const sorted{latencies_ns};
    auto const us = [&](double q) { return static_cast<double>(percentile_sorted(sorted, q)) / 1000.0; };
    metrics.latency_p50_us = us(0.50);
    metrics.latency_p90_us = us(0.90);
    metrics.latency_p99_us = us(0.99);
    metrics.latency_p999_us = us(0.999);
    metrics.latency_max_us = static_cast<double>(sorted.back()) / 1000.0;
}

}  // namespace conclab
