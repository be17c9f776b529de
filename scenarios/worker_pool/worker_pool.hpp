// worker-pool: a producer sends `jobs` jobs through a channel to `workers`
// workers; each computes the contract's job (mix applied `work` times),
// optionally waits `wait_us` the model's idiomatic way, and sends the result
// to a collector, which sums them. The answer is the sum of all job results
// (mod 2^64), computed sequentially by expected_checksum(); a run is correct
// only if every job was done exactly once and its checksum equals that.
// Full specification: scenarios/worker_pool/README.md.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/contract.hpp"
#include "scenarios/harness.hpp"
#include "src/kit/exactly_once.hpp"
#include "src/kit/histogram.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"
#include "src/kit/schedule.hpp"
#include "src/kit/stopwatch.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace conclab::worker_pool {

struct Params {
    std::uint64_t jobs = 0;
    std::uint64_t workers = 1;   ///< W: worker tasks (fibers, coroutines, threads)
    std::uint64_t work = 0;      ///< K: mix steps per job
    std::uint64_t buffer = 0;    ///< channel capacity; 0 = rendezvous
    std::uint64_t wait_us = 0;   ///< per-job wait after the compute
    unsigned threads = 1;        ///< T: OS threads of the fibers/coroutines/tbb runtime
    Arrivals arrivals{};         ///< open loop: jobs due on a schedule; closed loop by default
    bool record_latency = true;  ///< false: no per-job latency (to measure what recording costs)
    std::uint64_t alloc_bytes = 0;  ///< heap bytes each job allocates, touches and frees (garbage for a collector)
};

/// A job on its way to a worker; `enqueued` is when the producer sent it
/// (open loop: when it was due).
struct Job {
    std::uint64_t index = 0;
    Clock::time_point enqueued{};
};

/// A job's result on its way to the collector.
struct Done {
    std::uint64_t index = 0;
    std::uint64_t result = 0;
    Clock::time_point enqueued{};
};

/// The job itself, the same in every model: the contract's compute.
inline Done perform(Job const& job, std::uint64_t work) noexcept {
    return Done{job.index, contract::job_result(job.index, work), job.enqueued};
}

/// The same on a zero-filled heap buffer of `alloc_bytes`, allocated,
/// written to on every page and freed by the job (docs/contract.md: the answer does not
/// change; Go's collector gets garbage to collect, malloc the same work).
Done perform_allocating(Job const& job, std::uint64_t work, std::uint64_t alloc_bytes);

/// A worker-pool job as its parameters ask for it.
inline Done perform(Job const& job, Params const& p) {
    return p.alloc_bytes == 0 ? perform(job, p.work) : perform_allocating(job, p.work, p.alloc_bytes);
}

/// The reference answer, computed sequentially.
std::uint64_t expected_checksum(Params const& params) noexcept;

/// Books every collected result: how many times each job was seen, and its
/// latency (collection time - enqueue time). record() may be called from
/// many threads at once for different jobs.
class Ledger {
public:
    /// `record_latency` false: latencies are not recorded (to measure what
    /// recording costs). `schedule`: when jobs are due (open loop).
    Ledger(std::uint64_t jobs, Schedule const& schedule, bool record_latency = true);
    void record(Done const& done) noexcept;
    /// The run starts now: due times count from here.
    void start() noexcept { pacer_.start(); }
    /// When job `index` is due: on the schedule (open loop), or now.
    Clock::time_point due(std::uint64_t index) const noexcept { return pacer_.due(index); }
    bool open_loop() const noexcept { return pacer_.open(); }
    /// Open loop: the item is not due yet (wait until `due`); a late one goes at once.
    bool early(Clock::time_point due) const noexcept { return pacer_.open() && due > Clock::now(); }
    /// Empty if every job was recorded exactly once, else what went wrong.
    std::string problems() const;
    LatencyRecorder const& latencies() const noexcept { return latencies_; }

private:
    ExactlyOnce seen_;
    LatencyRecorder latencies_;
    Pacer pacer_;
};

/// `warmup` unmeasured runs, then one measured run of `once`; every run is
/// verified (checksum and exactly-once) and a wrong one throws WrongAnswer.
CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once);

/// Each model file's one entry point (scenarios/worker_pool/<model>.cpp), by
/// runtime type: one run on the caller's runtime, the model's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::threads::Runtime& rt, Params const& p, Ledger& ledger);

/// What the harness needs of worker-pool (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "worker-pool";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once);
};

}  // namespace conclab::worker_pool
