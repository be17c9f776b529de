// worker-pool in the coroutines model (async/await): a coroutine per worker
// on the model's work-stealing executor of T threads, channels between
// them, a WaitGroup to close the results. The per-job wait is a sleep on the
// runtime's timers: the coroutine suspends and its thread runs others.
// Errors: the channels report closed as a value; anything else throws.
// Written natively: Tokio: `for _ in 0..W { tokio::spawn(worker(jobs_rx.clone(), results_tx.clone())) }` over async_channel::bounded(B)
#include "scenarios/worker_pool/worker_pool.hpp"

#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/coroutines/wait_group.hpp"


namespace conclab::worker_pool {
namespace {
using models::coroutines::Task;
using models::coroutines::Channel;
using models::coroutines::Runtime;
using models::coroutines::sleep_for;
using models::coroutines::sleep_until;
using models::coroutines::WaitGroup;

// [worker] takes jobs until the jobs channel is closed and drained
Task<void> worker(Channel<Job>& jobs, Channel<Done>& results, WaitGroup& wg, Params const& p) {
    while (auto job = co_await jobs.receive()) {
        Done done = perform(*job, p);
        if (p.wait_us > 0) co_await sleep_for(std::chrono::microseconds{p.wait_us});
        co_await results.send(done);
    }
    wg.done();
}

// [producer] sends each job when it is due (closed loop: at once); a full channel makes it wait
Task<void> producer(Channel<Job>& jobs, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.jobs; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) co_await sleep_until(due);
        co_await jobs.send(Job{i, due});
    }
    jobs.close();
}

// [closer] results are closed once the last worker is done
Task<void> closer(WaitGroup& wg, Channel<Done>& results) {
    co_await wg.wait();
    results.close();
}

// [collector] the main task: books and sums every result
Task<std::uint64_t> collector(Channel<Done>& results, Ledger& ledger) {
    std::uint64_t checksum = 0;
    while (auto done = co_await results.receive()) {
        ledger.record(*done);
        checksum += done->result;
    }
    co_return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Channel<Job> jobs{rt.executor(), p.buffer};
    Channel<Done> results{rt.executor(), p.buffer};
    WaitGroup wg{rt.executor(), p.workers};
    std::uint64_t checksum = 0;
    rt.block_on([&]() -> Task<void> {
        for (std::uint64_t w = 0; w < p.workers; ++w) rt.spawn(worker(jobs, results, wg, p));
        rt.spawn(producer(jobs, ledger, p));
        rt.spawn(closer(wg, results));
        checksum = co_await collector(results, ledger);
    });
    return checksum;
}

}  // namespace conclab::worker_pool
