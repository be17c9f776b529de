#include "src/units.hpp"

#include <cmath>
#include <cstdio>

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

std::string human_count(double value) {
    if (!std::isfinite(value)) return "-";
    auto const magnitude = std::fabs(value);
    if (magnitude >= 1e9) return three_significant(value / 1e9) + "G";
    if (magnitude >= 1e6) return three_significant(value / 1e6) + "M";
    if (magnitude >= 1e3) return three_significant(value / 1e3) + "k";
    return three_significant(value);
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
    if (std::fabs(us) >= 1e6) return three_significant(us / 1e6) + " s";
    if (std::fabs(us) >= 1e3) return three_significant(us / 1e3) + " ms";
    return three_significant(us) + " µs";
}

}  // namespace conclab
