#include "src/kit/stopwatch.hpp"

#include "src/kit/cpus.hpp"
#include "src/kit/machine.hpp"

#include <cmath>
#include <fstream>
#include <string>

#include <malloc.h>
#include <unistd.h>

namespace conclab {
namespace {

double seconds(timeval const& tv) noexcept { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

// A "Name:   123 kB" line of /proc/self/status, in bytes; NaN if absent.
double status_bytes(char const* name) {
    std::ifstream file{"/proc/self/status"};
    std::string line;
    std::string const prefix = std::string{name} + ":";
    while (std::getline(file, line)) {
        if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size())) * 1024.0;
    }
    return no_value;
}

// Linux resets the peak RSS (VmHWM) to the current RSS on "5".
bool reset_peak_rss() {
    std::ofstream file{"/proc/self/clear_refs"};
    file << "5";
    file.flush();
    return static_cast<bool>(file);
}

// The OS threads of this process (field 20).
std::uint64_t os_threads() {
    auto const fields = proc_stat_fields("/proc/self/stat");
    return fields.size() > 20 - 3 ? std::stoull(fields[20 - 3]) : 0;
}

// CPU seconds the whole machine has been busy (all CPUs), from /proc/stat.
double machine_busy_seconds() {
    std::ifstream file{"/proc/stat"};
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(file >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu") return no_value;
    return (user + nice + system + irq + softirq + steal) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

double resident_bytes() { return status_bytes("VmRSS"); }

Stopwatch::Stopwatch() {
    // The allocator first hands freed memory back to the OS. What the
    // warm-ups freed would otherwise stay resident, the measured run would
    // reuse it, and its growth would hide what its tasks need (a million
    // fibers: 4 KiB a task instead of 9). The run's tasks get their memory
    // as in a fresh process; the runtime's live pools stay warm.
    malloc_trim(0);
    peak_reset_ = reset_peak_rss();
    rss_baseline_ = status_bytes("VmRSS");
    heap_ = heap_counts();
    machine_busy_s_ = machine_busy_seconds();
    max_threads_ = os_threads();
    sampler_ = std::thread{[this] { sample_threads(); }};
    getrusage(RUSAGE_SELF, &usage_);
    start_ = Clock::now();
}

Stopwatch::~Stopwatch() {
    {
        std::lock_guard lock{mutex_};
        stopping_ = true;
    }
    wake_.notify_all();
    if (sampler_.joinable()) sampler_.join();
}

void Stopwatch::sample_threads() {
    std::unique_lock lock{mutex_};
    while (!stopping_) {
        lock.unlock();
        auto const now = os_threads();
        lock.lock();
        max_threads_ = std::max(max_threads_, now - 1);  // not counting this sampler
        wake_.wait_for(lock, std::chrono::milliseconds{10}, [this] { return stopping_; });
    }
}

void Stopwatch::stop(std::uint64_t items, CaseMetrics& metrics) {
    auto const end = Clock::now();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    {
        std::lock_guard lock{mutex_};
        stopping_ = true;
    }
    wake_.notify_all();
    sampler_.join();
    auto const heap = heap_counts();
    double const machine_busy = machine_busy_seconds();

    metrics.items = items;
    metrics.wall_s = std::chrono::duration<double>(end - start_).count();
    metrics.throughput_per_s = metrics.wall_s > 0 ? static_cast<double>(items) / metrics.wall_s : 0;
    metrics.user_cpu_s = seconds(usage.ru_utime) - seconds(usage_.ru_utime);
    metrics.sys_cpu_s = seconds(usage.ru_stime) - seconds(usage_.ru_stime);
    double const cpu = metrics.user_cpu_s + metrics.sys_cpu_s;
    metrics.cpu_utilization = metrics.wall_s > 0 ? cpu / metrics.wall_s : 0;
    metrics.os_threads = static_cast<double>(max_threads_);
    metrics.cpus_allowed = static_cast<double>(usable_cpus().size());  // as the process found itself: --cpus pinned it, or not
    metrics.cpu_per_thread = max_threads_ > 0 ? metrics.cpu_utilization / static_cast<double>(max_threads_) : no_value;
    metrics.items_per_cpu_s = cpu > 0 ? static_cast<double>(items) / cpu : no_value;
    metrics.voluntary_ctx_switches = static_cast<double>(usage.ru_nvcsw - usage_.ru_nvcsw);
    metrics.involuntary_ctx_switches = static_cast<double>(usage.ru_nivcsw - usage_.ru_nivcsw);
    metrics.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
    metrics.rss_baseline_bytes = rss_baseline_;
    metrics.rss_run_peak_bytes = peak_reset_ ? status_bytes("VmHWM") : no_value;
    metrics.rss_growth_bytes = metrics.rss_run_peak_bytes - rss_baseline_;
    if (heap && heap_) {
        metrics.heap_allocations = static_cast<double>(heap->allocations - heap_->allocations);
        metrics.heap_allocated_bytes = static_cast<double>(heap->bytes - heap_->bytes);
    }
    metrics.machine_other_cores = other_cores(machine_busy - machine_busy_s_ - cpu, metrics.wall_s, hardware_threads(),
                                              1.0 / static_cast<double>(sysconf(_SC_CLK_TCK)));
}

namespace {
constexpr double probe_within = 0.2;  // cores: fine enough to tell busy_machine_cores (0.5)
}  // namespace

double probe_window_s(unsigned cpus, double tick_s, double longest_s) noexcept {
    // other_cores' resolution, sqrt(cpus) ticks over the window, at 0.2 core (and a little to spare)
    double const needed = std::sqrt(static_cast<double>(cpus)) * tick_s / probe_within * 1.05;
    return needed <= longest_s ? needed : 0.0;
}

double probe_other_cores(double longest_s) {
    double const tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    unsigned const cpus = hardware_threads();
    double const window = probe_window_s(cpus, tick, longest_s);
    if (!(window > 0)) return no_value;
    rusage before{}, after{};
    getrusage(RUSAGE_SELF, &before);
    double const busy_before = machine_busy_seconds();
    auto const start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(window));
    double const busy_after = machine_busy_seconds();
    getrusage(RUSAGE_SELF, &after);
    double const wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double const own = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime);
    return other_cores(busy_after - busy_before - own, wall, cpus, tick, probe_within);
}

double process_cpu_seconds(int pid) {
    if (pid <= 0) return no_value;
    auto const fields = proc_stat_fields("/proc/" + std::to_string(pid) + "/stat");
    if (fields.size() <= 15 - 3) return no_value;
    // fields 14 and 15: user and system time in clock ticks
    return (std::stod(fields[14 - 3]) + std::stod(fields[15 - 3])) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void set_tasks(CaseMetrics& metrics, double tasks) noexcept {
    metrics.tasks = tasks;
    metrics.bytes_per_task = tasks > 0 ? metrics.rss_growth_bytes / tasks : no_value;
}

}  // namespace conclab
