// Measures one run from inside the case's own process: wall clock; CPU
// time and context switches (getrusage, all threads); memory (the RSS
// before the run, freed heap handed back first, and its peak during it;
// C++ heap allocations); the most OS threads seen (sampled every 10 ms by
// a thread of its own); and the CPU the rest of the machine used
// meanwhile (/proc/stat), so a run disturbed by other load is marked.
#pragma once

#include "src/kit/heap.hpp"
#include "src/kit/metrics.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/resource.h>

namespace conclab {

using Clock = std::chrono::steady_clock;

/// The process's resident memory now (VmRSS), in bytes; NaN if unknown.
double resident_bytes();

class Stopwatch {
public:
    /// Starts measuring now.
    Stopwatch();
    ~Stopwatch();
    Stopwatch(Stopwatch const&) = delete;
    Stopwatch& operator=(Stopwatch const&) = delete;
    /// Fills wall time, throughput over `items`, CPU, context switches,
    /// memory, threads and machine load into `metrics`. Once.
    void stop(std::uint64_t items, CaseMetrics& metrics);

private:
    void sample_threads();

    double rss_baseline_ = no_value;
    bool peak_reset_ = false;
    std::optional<HeapCounts> heap_;
    double machine_busy_s_ = no_value;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::uint64_t max_threads_ = 0;
    std::thread sampler_;
    Clock::time_point start_;
    rusage usage_{};
};

/// The rest of the machine's busy cores measured over a window of its own:
/// for a run too short for /proc/stat's ticks to tell (NaN from
/// other_cores), so that noise is measured for every run whatever its
/// length. This process waits, idle, for as long as the figure needs to be
/// within 0.2 core (enough to tell the half a core that marks a busy
/// machine: 0.074 s on 2 CPUs, 0.15 s on 8, 0.21 s on 16), at most
/// `longest`; its own CPU in the meantime (a runtime's threads winding
/// down) is not counted. NaN where even `longest` is too short (above 22 CPUs).
double probe_other_cores(double longest_s = 0.25);
/// How long probe_other_cores waits on `cpus` CPUs with ticks of `tick_s`
/// (0 when no window up to `longest_s` is long enough).
double probe_window_s(unsigned cpus, double tick_s, double longest_s) noexcept;

/// CPU seconds (user + system) process `pid` has used so far, from
/// /proc/<pid>/stat (10 ms ticks); NaN when it cannot be read (no pid, or
/// a process on another machine).
double process_cpu_seconds(int pid);

/// Fills tasks and bytes_per_task (the RSS growth of the run over the tasks
/// it kept alive at once: workers, requests in flight...).
void set_tasks(CaseMetrics& metrics, double tasks) noexcept;

}  // namespace conclab
