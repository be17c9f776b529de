// worker-pool in the fibers model (Go): a goroutine per worker, channels
// between them, a WaitGroup to close the results. Fibers run M:N on the
// runtime's T threads; the per-job wait is a fiber sleep, which suspends the
// fiber and lets its thread run others.
// Written natively: Go: `for w := 0; w < W; w++ { go worker(jobs, results, &wg) }; go func() { wg.Wait(); close(results) }()`
#include "scenarios/worker_pool/worker_pool.hpp"

#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"

#include <boost/fiber/operations.hpp>

namespace conclab::worker_pool {
namespace {
using models::fibers::Channel;
using models::fibers::Runtime;
using models::fibers::WaitGroup;

// [worker] takes jobs until the jobs channel is closed and drained
void worker(Channel<Job>& jobs, Channel<Done>& results, WaitGroup& wg, Params const& p) {
    while (auto job = jobs.receive()) {
        Done done = perform(*job, p);
        if (p.wait_us > 0) boost::this_fiber::sleep_for(std::chrono::microseconds{p.wait_us});
        results.send(done);
    }
    wg.done();
}

// [producer] sends each job when it is due (closed loop: at once); a full channel makes it wait
void producer(Channel<Job>& jobs, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.jobs; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) boost::this_fiber::sleep_until(due);
        jobs.send(Job{i, due});
    }
    jobs.close();
}

// [closer] results are closed once the last worker is done
void closer(WaitGroup& wg, Channel<Done>& results) {
    wg.wait();
    results.close();
}

// [collector] the main task: books and sums every result
std::uint64_t collector(Channel<Done>& results, Ledger& ledger) {
    std::uint64_t checksum = 0;
    while (auto done = results.receive()) {
        ledger.record(*done);
        checksum += done->result;
    }
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Channel<Job> jobs{rt, p.buffer};
    Channel<Done> results{rt, p.buffer};
    WaitGroup wg{p.workers};
    std::uint64_t checksum = 0;
    rt.block_on([&] {
        for (std::uint64_t w = 0; w < p.workers; ++w) rt.spawn([&] { worker(jobs, results, wg, p); });
        rt.spawn([&] { producer(jobs, ledger, p); });
        rt.spawn([&] { closer(wg, results); });
        checksum = collector(results, ledger);
    });
    return checksum;
}

}  // namespace conclab::worker_pool
