#include "src/aggregate.hpp"

#include "src/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace conclab {

Spread summarize(std::span<double const> values) {
    std::vector<double> finite;
    for (double v : values) {
        if (std::isfinite(v)) finite.push_back(v);
    }
    if (finite.empty()) return {no_value, no_value, no_value, 0};
    std::sort(finite.begin(), finite.end());
    auto const n = finite.size();
    double const median = n % 2 == 1 ? finite[n / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2;
    return {median, finite.front(), finite.back(), n};
}

}  // namespace conclab
