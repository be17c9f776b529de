#include "src/results/aggregate.hpp"

#include "src/kit/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace conclab {
namespace {

// Quantile with linear interpolation between order statistics (type 7).
double quantile(std::vector<double> const& sorted, double q) {
    double const at = q * static_cast<double>(sorted.size() - 1);
    auto const below = static_cast<std::size_t>(std::floor(at));
    auto const above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

double relative_half_width(Spread const& s) noexcept {
    if (s.n < 2 || !(s.median > 0)) return no_value;
    return std::max(s.median - s.ci_low, s.ci_high - s.median) / s.median;
}

double median_interval_coverage(std::size_t n, std::size_t k) {
    if (k == 0 || 2 * k > n + 1) return 0;
    // P(B <= k - 1) for B ~ Binomial(n, 1/2), summed in logs to stay finite for large n
    double tail = 0;
    for (std::size_t j = 0; j < k; ++j) {
        double const log_choose = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(j) + 1) -
                                  std::lgamma(static_cast<double>(n - j) + 1);
        tail += std::exp(log_choose - static_cast<double>(n) * std::log(2.0));
    }
    return std::max(0.0, 1.0 - 2.0 * tail);
}

Spread summarize(std::span<double const> values) {
    std::vector<double> finite;
    std::vector<std::size_t> positions;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) {
            finite.push_back(values[i]);
            positions.push_back(i);
        }
    }
    Spread s{no_value, no_value, no_value, 0, no_value, no_value, 0, no_value, no_value, {}};
    if (finite.empty()) return s;
    std::vector<double> sorted = finite;
    std::sort(sorted.begin(), sorted.end());
    auto const n = sorted.size();
    s.n = n;
    s.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    s.min = sorted.front();
    s.max = sorted.back();
    s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);

    // the largest k with coverage >= 95%, or k = 1 when none reaches it
    std::size_t k = 1;
    while (median_interval_coverage(n, k + 1) >= 0.95) ++k;
    s.ci_low = sorted[k - 1];
    s.ci_high = sorted[n - k];
    s.ci_level = median_interval_coverage(n, k);

    if (n >= 2 && s.mean != 0) {
        double squares = 0;
        for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
        s.cv = std::sqrt(squares / static_cast<double>(n - 1)) / std::fabs(s.mean);
    }
    if (n >= 4) {
        double const q1 = quantile(sorted, 0.25);
        double const q3 = quantile(sorted, 0.75);
        double const fence = 1.5 * (q3 - q1);
        for (std::size_t i = 0; i < n; ++i) {
            if (finite[i] < q1 - fence || finite[i] > q3 + fence) s.outliers.push_back(positions[i]);
        }
    }
    return s;
}

std::string coverage_text(double level) {
    char text[32];
    std::snprintf(text, sizeof text, level >= 0.995 ? "%.1f%%" : "%.0f%%", level * 100);
    return text;
}

std::string coverage_range(std::vector<double> const& levels) {
    double low = 2, high = -1;
    for (double level : levels) {
        if (!(level > 0)) continue;
        low = std::min(low, level);
        high = std::max(high, level);
    }
    if (high < 0) return {};
    auto const from = coverage_text(low), to = coverage_text(high);
    return from == to ? from : from + " to " + to;
}

}  // namespace conclab
