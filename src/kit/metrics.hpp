// What one measured case yields, and the list of its metrics that every
// output (table, JSON, CSV, aggregation) is driven by.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conclab {

/// A run whose answer differs from the reference: never reported as a result.
struct WrongAnswer : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

struct CaseMetrics {
    std::uint64_t items = 0;            ///< jobs (or requests...) done in the measured run
    double wall_s = 0;
    double throughput_per_s = 0;        ///< items / wall_s
    std::uint64_t latency_count = 0;    ///< latencies recorded (items, unless disabled)
    double latency_p50_us = no_value;
    double latency_p90_us = no_value;
    double latency_p99_us = no_value;
    double latency_p999_us = no_value;
    double latency_p9999_us = no_value;  ///< p99.99: NaN with fewer than 10,000 latencies
    double latency_max_us = no_value;
    double peak_rss_bytes = 0;          ///< of the case's own process, whole life
    double user_cpu_s = 0;              ///< measured run only
    double sys_cpu_s = 0;               ///< measured run only
    double cpu_utilization = 0;         ///< (user + sys) / wall: cores kept busy
    double voluntary_ctx_switches = 0;  ///< measured run only
    double involuntary_ctx_switches = 0;
    double os_threads = no_value;        ///< most OS threads of the process seen during the run (sampled)
    double cpu_per_thread = no_value;    ///< cpu_utilization / os_threads: near 1 means every thread is busy (or spinning)
    double items_per_cpu_s = no_value;   ///< items / (user + sys): work per CPU-second
    double rss_baseline_bytes = no_value;   ///< RSS just before the measured run
    double rss_run_peak_bytes = no_value;   ///< peak RSS during the measured run (VmHWM, reset before it)
    double rss_growth_bytes = no_value;     ///< rss_run_peak - rss_baseline: what the run itself needed
    double heap_allocations = no_value;     ///< C++ allocations during the run (NaN in sanitizer builds)
    double heap_allocated_bytes = no_value;
    double tasks = no_value;                ///< tasks alive at once (workers, requests in flight)
    double bytes_per_task = no_value;       ///< rss_growth / tasks
    double rate_requested = no_value;       ///< open loop: items per second asked for (NaN: closed loop)
    double rate_achieved = no_value;        ///< open loop: items / wall
    double saturated = no_value;            ///< open loop: 1 when the achieved rate fell below 90% of the requested
    double cpus_allowed = no_value;         ///< CPUs the case's process may run on: its affinity (--cpus pins it)
    double machine_other_cores = no_value;  ///< cores the rest of the machine kept busy meanwhile: > 0.2 marks a noisy run
    std::uint64_t checksum = 0;
    std::uint64_t expected_checksum = 0;
    /// Items that failed and so were left out of both checksums (url-fetch:
    /// requests answered with an error, cut short, timed out...): counted by
    /// kind in `extra`; a run with any is not verified.
    std::uint64_t items_failed = 0;
    /// (percentile in %, latency in us) from 0 to 100: the whole distribution
    std::vector<std::pair<double, double>> latency_spectrum_us;
    /// The worst latency (us) of each window of `timeline_window_s` by
    /// completion time (src/kit/timeline.hpp); NaN: nothing completed in
    /// it. Empty for scenarios that keep no timeline.
    std::vector<double> latency_timeline_us;
    double timeline_window_s = no_value;
    /// The scenario's own metrics (Scenario::metrics names them): errors by
    /// kind, bytes per second... Summarized and written like the ones above.
    std::map<std::string, double> extra;
};

/// The rest of the machine busier than this, in cores (the median of a
/// case's runs' machine_other_cores), and the case decides nothing: claims
/// give no verdict on it, the sweep summary marks it. A verdict flipped
/// between runs of one preset on one machine with a core taken elsewhere.
inline constexpr double busy_machine_cores = 0.5;
/// A median of machine_other_cores above that (false for NaN: not measured).
inline bool busy_machine(double other_cores) noexcept { return other_cores > busy_machine_cores; }

/// The rest of the machine's busy cores during a run: `other_busy_s` (the
/// machine's CPU seconds less the case's, from /proc/stat) over `wall_s`,
/// within [0, cpus]. /proc/stat counts each of the `cpus` in ticks of
/// `tick_s` (10 ms), so the figure is off by about sqrt(cpus) ticks over
/// the wall time: NaN (not measurable) where that is more than 0.1 of a
/// core (on 2 CPUs, runs under 140 ms; on 64, under 0.8 s), so that a run
/// too short to tell is never marked busy or quiet by a tick's jitter.
/// `within`: the resolution asked for, in cores (probe_other_cores asks 0.2).
double other_cores(double other_busy_s, double wall_s, unsigned cpus, double tick_s, double within = 0.1) noexcept;

/// A verified run: its checksum matched the reference and every item was
/// done and checked, none failed.
inline bool verified(CaseMetrics const& m) noexcept { return m.checksum == m.expected_checksum && m.items_failed == 0; }

struct MetricInfo {
    std::string_view key;    ///< JSON and CSV name
    std::string_view unit;   ///< for people: "s", "us", "bytes", "1/s", "count"
    double CaseMetrics::*field;
};

/// A 64-bit checksum as "0x" + 16 hex digits (JSON numbers cannot hold it).
std::string hex64(std::uint64_t value);

/// A scenario's own metric, kept in CaseMetrics::extra.
struct ExtraMetric {
    std::string key;     ///< JSON and CSV name
    std::string unit;
    std::string title;   ///< the table's column; empty: JSON and CSV only
    double scale = 1;    ///< the table shows value * scale ("MB/s" of bytes/s: 1e-6)
    bool noted = false;  ///< no column, but the table lists it under the models whose median is not 0
    bool failures = false;  ///< counts failed items: any run with a value above 0 makes `conclab run` exit 1
    bool wide = false;      ///< its column is in `run --wide`'s table only (the default table keeps the most-read)
};

/// The value of a scenario metric, or no_value when the run has none.
double extra_value(CaseMetrics const& metrics, std::string const& key) noexcept;

/// The numeric metrics every scenario has, in output order.
std::span<MetricInfo const> metric_list() noexcept;

}  // namespace conclab
