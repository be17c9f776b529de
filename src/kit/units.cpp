#include "src/kit/units.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace conclab {

std::string printed(char const* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string three_significant(double value) {
    auto const magnitude = std::fabs(value);
    return printed(magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f", value);
}

std::string three_digits(double value) {
    if (!std::isfinite(value)) return "-";
    auto const text = printed("%.3g", value);
    if (text.find('e') == std::string::npos) return text;
    if (std::fabs(value) >= 1) return printed("%.0f", value);  // 999.7 is 1000, not 1e+03
    // 6.72e-05 is 0.0000672, not 0: as many decimals as three significant digits take
    auto const decimals = 2 - static_cast<int>(std::floor(std::log10(std::fabs(value))));
    char pattern[16];
    std::snprintf(pattern, sizeof pattern, "%%.%df", std::min(decimals, 30));
    return printed(pattern, value);
}

std::string in_units(double value, UnitScale const& scale) {
    if (!std::isfinite(value)) return "-";
    for (auto const& step : scale.steps) {
        if (step.limit <= 0) continue;
        auto const text = three_digits(value / step.limit);
        // in a unit, always three significant digits: 999.6k is "1.00M" beside "995k", not "1M" (that reads as a rounder,
        // smaller-digit number); 1.2 ms is "1.20 ms"
        double const rounded = std::fabs(std::strtod(text.c_str(), nullptr));
        if (rounded < step.least) continue;
        int const decimals = rounded > 0 ? std::clamp(2 - static_cast<int>(std::floor(std::log10(rounded))), 0, 2) : 2;
        char pattern[8];
        std::snprintf(pattern, sizeof pattern, "%%.%df", decimals);
        return printed(pattern, value / step.limit) + std::string{step.suffix};
    }
    return (scale.base_whole ? printed("%.0f", value) : three_digits(value)) + std::string{scale.base_suffix};
}

std::string human_count(double value) { return in_units(value, count_scale); }
std::string human_bytes(double bytes) { return in_units(bytes, bytes_scale); }
std::string human_us(double us) { return in_units(us, us_scale); }
std::string human_bytes_per_task(double bytes) { return std::isfinite(bytes) && bytes < 0 ? "~0 B" : human_bytes(bytes); }

}  // namespace conclab
