// Summaries over the repetitions of a case: median with a distribution-free
// confidence interval, min and max, coefficient of variation, and outliers.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace conclab {

struct Spread {
    double median;
    double min;
    double max;
    std::size_t n;          ///< values summarized (NaNs are left out)
    /// Confidence interval of the median from order statistics (no
    /// assumption about the distribution): [x(k), x(n-k+1)] with the
    /// largest k whose coverage is at least 95%; with n < 6 no k reaches
    /// 95% and the interval is [min, max] at the coverage it has
    /// (n = 5: 93.75%), given in ci_level (0 when n < 2).
    double ci_low;
    double ci_high;
    double ci_level;
    double mean;
    double cv;              ///< standard deviation (n - 1) / mean; NaN for n < 2 or mean 0
    std::vector<std::size_t> outliers;  ///< positions in the input beyond Tukey's fences (1.5 IQR); n >= 4 only
};

/// Summarizes the finite values; all NaN (and n = 0) when there are none.
Spread summarize(std::span<double const> values);

/// The larger half of the median's interval as a share of the median
/// (0.03: "± 3%"): run's "CI +-", compare's "±" and run --precision's
/// test. NaN with fewer than 2 values or a median not above 0.
double relative_half_width(Spread const& s) noexcept;

/// The coverage of the order-statistic interval [x(k), x(n-k+1)] for the
/// median: 1 - 2 P(Binomial(n, 1/2) <= k - 1).
double median_interval_coverage(std::size_t n, std::size_t k);

/// An interval's coverage for people: "88%", "93.75%" is "94%", 0.999 "99.9%".
std::string coverage_text(double level);
/// The coverages of a set of intervals: "88%", "75% to 94%"; "" for none.
std::string coverage_range(std::vector<double> const& levels);

/// True when two intervals overlap (a ranking between them is not shown by
/// the data).
inline bool overlap(Spread const& a, Spread const& b) noexcept { return a.ci_low <= b.ci_high && b.ci_low <= a.ci_high; }

}  // namespace conclab
