#include "src/kit/metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace conclab {

std::string hex64(std::uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
    return text;
}

double extra_value(CaseMetrics const& metrics, std::string const& key) noexcept {
    auto const it = metrics.extra.find(key);
    return it == metrics.extra.end() ? no_value : it->second;
}

std::span<MetricInfo const> metric_list() noexcept {
    static constexpr std::array<MetricInfo, 29> list{{
        {"wall_s", "s", &CaseMetrics::wall_s},
        {"throughput_per_s", "1/s", &CaseMetrics::throughput_per_s},
        {"latency_p50_us", "us", &CaseMetrics::latency_p50_us},
        {"latency_p90_us", "us", &CaseMetrics::latency_p90_us},
        {"latency_p99_us", "us", &CaseMetrics::latency_p99_us},
        {"latency_p999_us", "us", &CaseMetrics::latency_p999_us},
        {"latency_p9999_us", "us", &CaseMetrics::latency_p9999_us},
        {"latency_max_us", "us", &CaseMetrics::latency_max_us},
        {"peak_rss_bytes", "bytes", &CaseMetrics::peak_rss_bytes},
        {"user_cpu_s", "s", &CaseMetrics::user_cpu_s},
        {"sys_cpu_s", "s", &CaseMetrics::sys_cpu_s},
        {"cpu_utilization", "cores", &CaseMetrics::cpu_utilization},
        {"voluntary_ctx_switches", "count", &CaseMetrics::voluntary_ctx_switches},
        {"involuntary_ctx_switches", "count", &CaseMetrics::involuntary_ctx_switches},
        {"os_threads", "count", &CaseMetrics::os_threads},
        {"cpu_per_thread", "fraction", &CaseMetrics::cpu_per_thread},
        {"items_per_cpu_s", "1/s", &CaseMetrics::items_per_cpu_s},
        {"rss_baseline_bytes", "bytes", &CaseMetrics::rss_baseline_bytes},
        {"rss_run_peak_bytes", "bytes", &CaseMetrics::rss_run_peak_bytes},
        {"rss_growth_bytes", "bytes", &CaseMetrics::rss_growth_bytes},
        {"heap_allocations", "count", &CaseMetrics::heap_allocations},
        {"heap_allocated_bytes", "bytes", &CaseMetrics::heap_allocated_bytes},
        {"tasks", "count", &CaseMetrics::tasks},
        {"bytes_per_task", "bytes", &CaseMetrics::bytes_per_task},
        {"rate_requested", "1/s", &CaseMetrics::rate_requested},
        {"rate_achieved", "1/s", &CaseMetrics::rate_achieved},
        {"saturated", "0/1", &CaseMetrics::saturated},
        {"machine_other_cores", "cores", &CaseMetrics::machine_other_cores},
        {"cpus_allowed", "count", &CaseMetrics::cpus_allowed},
    }};
    return list;
}

double other_cores(double other_busy_s, double wall_s, unsigned cpus, double tick_s, double within) noexcept {
    if (!(wall_s > 0) || !std::isfinite(other_busy_s) || cpus == 0) return no_value;
    double const resolution = std::sqrt(static_cast<double>(cpus)) * tick_s / wall_s;  // in cores
    if (resolution > within * (1 + 1e-9)) return no_value;
    return std::clamp(other_busy_s / wall_s, 0.0, static_cast<double>(cpus));
}

}  // namespace conclab
