#include "src/stopwatch.hpp"

namespace conclab {
namespace {
double seconds(timeval const& tv) noexcept { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }
}  // namespace

Stopwatch::Stopwatch() noexcept {
    getrusage(RUSAGE_SELF, &usage_);
    start_ = Clock::now();
}

void Stopwatch::stop(std::uint64_t items, CaseMetrics& metrics) const noexcept {
    auto const end = Clock::now();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    metrics.items = items;
    metrics.wall_s = std::chrono::duration<double>(end - start_).count();
    metrics.throughput_per_s = metrics.wall_s > 0 ? static_cast<double>(items) / metrics.wall_s : 0;
    metrics.user_cpu_s = seconds(usage.ru_utime) - seconds(usage_.ru_utime);
    metrics.sys_cpu_s = seconds(usage.ru_stime) - seconds(usage_.ru_stime);
    metrics.cpu_utilization = metrics.wall_s > 0 ? (metrics.user_cpu_s + metrics.sys_cpu_s) / metrics.wall_s : 0;
    metrics.voluntary_ctx_switches = static_cast<double>(usage.ru_nvcsw - usage_.ru_nvcsw);
    metrics.involuntary_ctx_switches = static_cast<double>(usage.ru_nivcsw - usage_.ru_nivcsw);
    metrics.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

}  // namespace conclab
