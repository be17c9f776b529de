// worker-pool in the tbb model (Rayon): no workers, no channels. The jobs
// are a range, `parallel_reduce` maps each to its result and sums them
// (Rayon's `(0..jobs).into_par_iter().map(job).sum()`); work stealing in an
// arena of T threads balances the load. The per-job wait is a blocking
// sleep: it holds one of the T threads, which is the Rayon lesson. In open
// loop (--rate) the jobs are spawned as tasks when due, from a producer.
// `workers` and `buffer` are not used. Latency: there is no queue, so a
// job's latency is from the moment its task starts it to its result.
// Written natively: Rayon: `(0..jobs).into_par_iter().map(|i| job(i, work)).sum::<u64>()`
#include "scenarios/worker_pool/worker_pool.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>

#include <thread>

namespace conclab::worker_pool {
namespace {
using models::tbb::Runtime;
using Range = oneapi::tbb::blocked_range<std::uint64_t>;

// [worker] the body of the loop: one job; its latency counts from `since`
std::uint64_t worker(std::uint64_t i, Clock::time_point since, Ledger& ledger, Params const& p) {
    Done done = perform(Job{i, since}, p);
    if (p.wait_us > 0) std::this_thread::sleep_for(std::chrono::microseconds{p.wait_us});
    ledger.record(done);
    return done.result;
}

// [producer] open loop only: each job becomes a task when it is due (Rayon's
// `scope.spawn`); the producing thread sleeps in between, holding its slot
std::uint64_t producer(Ledger& ledger, Params const& p) {
    oneapi::tbb::task_group tasks;
    std::atomic<std::uint64_t> checksum{0};
    for (std::uint64_t i = 0; i < p.jobs; ++i) {
        auto const due = ledger.due(i);
        std::this_thread::sleep_until(due);
        tasks.run([&, i, due] { checksum.fetch_add(worker(i, due, ledger, p), std::memory_order_relaxed); });
    }
    tasks.wait();
    return checksum;
}

// [collector] sums a subrange; parallel_reduce joins the partial sums
std::uint64_t collector(Range const& range, std::uint64_t checksum, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = range.begin(); i != range.end(); ++i) checksum += worker(i, Clock::now(), ledger, p);
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    std::uint64_t checksum = 0;
    rt.block_on([&] {
        if (ledger.open_loop()) {
            checksum = producer(ledger, p);
            return;
        }
        checksum = oneapi::tbb::parallel_reduce(
            Range{0, p.jobs}, std::uint64_t{0},
            [&](Range const& range, std::uint64_t sum) { return collector(range, sum, ledger, p); },
            [](std::uint64_t a, std::uint64_t b) { return a + b; });
    });
    return checksum;
}

}  // namespace conclab::worker_pool
