#include "src/kit/latency.hpp"

namespace conclab {

void summarize_latencies(Histogram const& histogram, CaseMetrics& metrics) {
    metrics.latency_count = histogram.count();
    metrics.latency_spectrum_us.clear();
    if (histogram.count() == 0) return;  // percentiles stay no_value
    auto const us = [&](double q) { return static_cast<double>(histogram.percentile(q)) / 1000.0; };
    metrics.latency_p50_us = us(0.50);
    metrics.latency_p90_us = us(0.90);
    metrics.latency_p99_us = us(0.99);
    metrics.latency_p999_us = us(0.999);
    // a percentile is told only where at least one value lies above it
    metrics.latency_p9999_us = histogram.count() >= 10'000 ? us(0.9999) : no_value;
    metrics.latency_max_us = static_cast<double>(histogram.max()) / 1000.0;
    for (auto const& [percent, value] : histogram.spectrum()) {
        metrics.latency_spectrum_us.emplace_back(percent, static_cast<double>(value) / 1000.0);
    }
}

}  // namespace conclab
