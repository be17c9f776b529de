// worker-pool in the threads model (the control group): an OS thread per
// worker, blocking channels (crossbeam's bounded array design) between
// them, a latch to close the results. Every wait blocks an OS thread,
// including the per-job wait (a blocking sleep). `threads` is not used:
// the workers are the threads.
// Written natively: Rust std: `for _ in 0..W { let rx = rx.clone(); thread::spawn(move || for job in rx { ... }) }` over crossbeam_channel::bounded(B)
#include "scenarios/worker_pool/worker_pool.hpp"

#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"
#include "models/threads/wait_group.hpp"

#include <thread>

namespace conclab::worker_pool {
namespace {
using models::threads::Channel;
using models::threads::Runtime;
using models::threads::WaitGroup;

// [worker] takes jobs until the jobs channel is closed and drained
void worker(Channel<Job>& jobs, Channel<Done>& results, WaitGroup& wg, Params const& p) {
    while (auto job = jobs.receive()) {
        Done done = perform(*job, p);
        if (p.wait_us > 0) std::this_thread::sleep_for(std::chrono::microseconds{p.wait_us});
        results.send(done);
    }
    wg.done();
}

// [producer] sends each job when it is due (closed loop: at once); a full channel makes it wait
void producer(Channel<Job>& jobs, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.jobs; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) std::this_thread::sleep_until(due);
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
