// Summaries over the repetitions of a case: median with min and max.
#pragma once

#include <cstddef>
#include <span>

namespace conclab {

struct Spread {
    double median;
    double min;
    double max;
    std::size_t n;  ///< values summarized (NaNs are left out)
};

/// Median (mean of the middle two for an even count), min and max of the
/// finite values; all NaN when there are none.
Spread summarize(std::span<double const> values);

}  // namespace conclab
