// Latency figures of a run from its histogram (src/kit/histogram.hpp).
#pragma once

#include "src/kit/histogram.hpp"
#include "src/kit/metrics.hpp"

namespace conclab {

/// Fills latency_count, the p50 ... max fields (in us, nearest rank, to the
/// histogram's 3 significant digits; max exact) and the spectrum of
/// `metrics`. With no values the percentiles stay no_value.
void summarize_latencies(Histogram const& histogram, CaseMetrics& metrics);

}  // namespace conclab
