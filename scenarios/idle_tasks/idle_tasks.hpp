// idle-tasks ("how much memory do a million concurrent tasks need"): launch
// `tasks` tasks that each wait `wait_ms` on the model's timer, then finish.
// Nothing is computed; what is measured is what a waiting task costs:
// memory (RSS and heap per task), the time to launch them all, the total
// time, and how late the timer woke them (latency). Task i, once awake,
// adds mix(i) to the checksum: a run is correct only if every task woke
// exactly once. Specification: README.md here.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/harness.hpp"
#include "src/kit/histogram.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace conclab::idle_tasks {

/// The heap a waiting task of the coroutines model takes (its frame and its
/// 16-byte timer entry): 180-220 bytes measured (500 with an Asio timer
/// per sleep; tests/idle_tasks_test.cpp checks it stays below this). Every task waits at once, so validate refuses tasks x this
/// beyond the machine's memory.
inline constexpr std::uint64_t coroutine_task_bytes = 384;

struct Params {
    std::uint64_t tasks = 1;
    std::uint64_t wait_ms = 0;
    unsigned threads = 1;                   ///< T: OS threads of the fibers/coroutines/tbb runtime
    std::uint64_t stack_bytes = 16 * 1024;  ///< fibers: each fiber's stack
};

/// What the tasks of one run report: when they were all launched, how
/// many were alive at once, how late each woke, and the checksum.
/// Every member function may be called from many threads at once.
class Tally {
public:
    explicit Tally(bool record_latency = true) : latencies_{record_latency} {}

    /// A task starts waiting now; returns when it should wake.
    Clock::time_point enter(Params const& p) noexcept;
    /// Task `index` woke, `due` being when it should have.
    void leave(std::uint64_t index, Clock::time_point due) noexcept;
    /// The launcher has started the last task.
    void launched() noexcept { launched_at_ = Clock::now(); }

    std::uint64_t checksum() const noexcept { return checksum_.load(); }
    std::uint64_t woken() const noexcept { return woken_.load(); }
    std::uint64_t peak_alive() const noexcept { return peak_.load(); }
    Clock::time_point launched_at() const noexcept { return launched_at_; }
    LatencyRecorder const& latencies() const noexcept { return latencies_; }

private:
    std::atomic<std::uint64_t> checksum_{0};
    std::atomic<std::uint64_t> woken_{0};
    std::atomic<std::uint64_t> alive_{0};
    std::atomic<std::uint64_t> peak_{0};
    Clock::time_point launched_at_{};
    LatencyRecorder latencies_;
};

/// The reference: the sum of mix(i) over the tasks.
std::uint64_t expected_checksum(std::uint64_t tasks) noexcept;

/// `warmup` unmeasured runs, then one measured run of `once`; every task
/// must wake once, not before its wait, and the checksum must match, or
/// WrongAnswer is thrown.
CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Tally&)> const& once);

/// Each model file's one entry point (scenarios/idle_tasks/<model>.cpp), by
/// runtime type: one run on the caller's runtime, the model's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Tally& tally);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Tally& tally);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Tally& tally);
std::uint64_t run(models::threads::Runtime& rt, Params const& p, Tally& tally);

/// What the harness needs of idle-tasks (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "idle-tasks";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Tally&)> const& once);
};

}  // namespace conclab::idle_tasks
