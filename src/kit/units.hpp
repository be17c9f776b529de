// Numbers as people read them: one printf-style helper, and counts, bytes
// and durations in human units (k/M/G, KiB/MiB/GiB, µs/ms/s), three
// significant digits. Used by the run table and the workshop's claims.
#pragma once

#include <string>

namespace conclab {

/// snprintf of one double into a string (up to 63 characters).
std::string printed(char const* pattern, double value);

/// Three significant digits: 1.23, 12.3, 123 (no unit).
std::string three_significant(double value);
/// 1234567 -> "1.23M", 58500 -> "58.5k", 12 -> "12.0"; "-" when not finite.
std::string human_count(double value);
/// bytes in KiB, MiB, GiB: 2662.4 -> "2.6 KiB", 410 -> "410 B".
std::string human_bytes(double bytes);
/// microseconds as "850 µs", "1.20 ms", "2.50 s".
std::string human_us(double us);

}  // namespace conclab
