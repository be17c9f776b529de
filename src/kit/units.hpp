// Numbers as people read them, in one place: counts, bytes and durations in
// human units (k/M/G, KiB/MiB/GiB, µs/ms/s) to three significant digits,
// never an exponent. The run table, the claims, the calibration table and
// the report all use these; the report's script gets the same scales as
// data (`conclab report`'s model, "units") for its axis ticks, and a test
// holds its results to these.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace conclab {

/// snprintf of one double into a string (up to 63 characters).
std::string printed(char const* pattern, double value);

/// Three significant digits with fixed decimals: 1.23, 12.3, 123 (ratios).
std::string three_significant(double value);
/// Three significant digits, no exponent: 0.473, 12.3, 999, 1000, 12345; "-" when not finite.
std::string three_digits(double value);

/// A unit scale: the value is shown in the first step whose rounded value
/// (three significant digits) is at least `least`, else in the base unit.
struct UnitStep {
    double limit;
    std::string_view suffix;
    double least;
};
struct UnitScale {
    std::string_view name;           ///< "count", "bytes", "us"
    std::array<UnitStep, 3> steps;   ///< descending; a step with limit 0 is unused
    std::string_view base_suffix;    ///< "", " B", " µs"
    bool base_whole;                 ///< the base unit without decimals (bytes)
};
/// Counts: G, M, and k from 10k (1000-9999 in full, as they read well).
inline constexpr UnitScale count_scale{"count", {{{1e9, "G", 1}, {1e6, "M", 1}, {1e3, "k", 10}}}, "", false};
/// Bytes: GiB, MiB, KiB (1000-1023 KiB in full), B.
inline constexpr UnitScale bytes_scale{"bytes", {{{1073741824.0, " GiB", 1}, {1048576.0, " MiB", 1}, {1024.0, " KiB", 1}}}, " B", true};
/// Durations in microseconds: s, ms, µs.
inline constexpr UnitScale us_scale{"us", {{{1e6, " s", 1}, {1e3, " ms", 1}, {0, "", 0}}}, " µs", false};
inline constexpr std::array<UnitScale const*, 3> unit_scales{&count_scale, &bytes_scale, &us_scale};

/// `value` on `scale`; "-" when not finite.
std::string in_units(double value, UnitScale const& scale);
/// 1234567 -> "1.23M", 999600 -> "1.00M" (three digits in a unit, as 995k beside
/// it), 58500 -> "58.5k", 1732 -> "1732", 12 -> "12", 0.473 -> "0.473".
std::string human_count(double value);
/// 2662.4 -> "2.60 KiB", 410 -> "410 B", 25276510208 -> "23.5 GiB".
std::string human_bytes(double bytes);
/// Memory per task (RSS growth / tasks): human_bytes, and "~0 B" below 0
/// (the process's RSS fell during the run: nothing a task cost is
/// measurable; "-6 B" would read as a task giving memory back).
std::string human_bytes_per_task(double bytes);
/// microseconds: 850 -> "850 µs", 1200 -> "1.20 ms", 2.5e6 -> "2.50 s".
std::string human_us(double us);

}  // namespace conclab
