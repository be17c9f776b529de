#include "src/kit/units.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <utility>

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

namespace {
// In the largest of `units` (descending) where the value, to three digits, is at least 1: 999,600 is
// "1.00M", not "1000k".
std::string in_units(double value, std::initializer_list<std::pair<double, char const*>> units) {
    for (auto const& [limit, suffix] : units) {
        if (auto const text = three_significant(value / limit); std::fabs(std::strtod(text.c_str(), nullptr)) >= 1) {
            return text + suffix;
        }
    }
    return three_significant(value / (units.end() - 1)->first) + (units.end() - 1)->second;
}
}  // namespace

std::string human_count(double value) {
    if (!std::isfinite(value)) return "-";
    return in_units(value, {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""}});
}

std::string human_bytes(double bytes) {
    if (!std::isfinite(bytes)) return "-";
    auto const magnitude = std::fabs(bytes);
    if (magnitude >= 1024.0 * 1024 * 1024) return printed("%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    if (magnitude >= 1024.0 * 1024) return printed("%.1f MiB", bytes / (1024.0 * 1024));
    if (magnitude >= 1024.0) return printed("%.1f KiB", bytes / 1024.0);
    return printed("%.0f B", bytes);
}

std::string human_us(double us) {
    if (!std::isfinite(us)) return "-";
    return in_units(us, {{1e6, " s"}, {1e3, " ms"}, {1, " µs"}});
}

}  // namespace conclab
