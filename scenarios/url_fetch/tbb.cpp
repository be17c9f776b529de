// url-fetch in the tbb model (Rayon): the items are a range and
// `parallel_reduce` maps each to its body's checksum and sums them
// (Rayon's `(0..n).into_par_iter().map(fetch).sum()`), each arena thread
// on its own keep-alive connection. The fetches block their threads: at
// most T requests are in flight, whatever --concurrency says. That is the
// lesson: Rayon (and TBB) are built for CPU work, not for waiting. In open
// loop (--rate) the requests are spawned as tasks when due, from a producer.
// Written natively: Rayon: `(0..n).into_par_iter().map(|i| fetch_blocking(&agent, i)).sum::<u64>()` (a blocking client: ureq)
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <thread>

namespace conclab::url_fetch {
namespace {
using models::tbb::Runtime;
using Range = oneapi::tbb::blocked_range<std::uint64_t>;
using Connections = oneapi::tbb::enumerable_thread_specific<BlockingConnection>;

// [worker] fetches a subrange on this thread's connection, adding to `checksum`
std::uint64_t worker(Range const& range, std::uint64_t checksum, Connections& connections, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = range.begin(); i != range.end(); ++i) checksum += fetch(connections.local(), i, Clock::now(), p, ledger);
    return checksum;
}

// [producer] open loop only: each request becomes a task when it is due
// (Rayon's `scope.spawn`); the producing thread sleeps in between, holding its slot
std::uint64_t producer(Connections& connections, Ledger& ledger, Params const& p) {
    oneapi::tbb::task_group tasks;
    std::atomic<std::uint64_t> checksum{0};
    for (std::uint64_t i = 0; i < p.requests; ++i) {
        auto const due = ledger.due(i);
        std::this_thread::sleep_until(due);
        tasks.run([&, i, due] { checksum.fetch_add(fetch(connections.local(), i, due, p, ledger), std::memory_order_relaxed); });
    }
    tasks.wait();
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Connections connections{[&] { return BlockingConnection{request_plan(p), poll_wait, [&] { ledger.connection_opened(); }}; }};
    std::uint64_t checksum = 0;
    rt.block_on([&] {
        if (ledger.open_loop()) {
            checksum = producer(connections, ledger, p);
            return;
        }
        checksum = oneapi::tbb::parallel_reduce(
            Range{0, p.requests}, std::uint64_t{0},
            [&](Range const& range, std::uint64_t sum) { return worker(range, sum, connections, ledger, p); },
            [](std::uint64_t a, std::uint64_t b) { return a + b; });
    });
    return checksum;
}

}  // namespace conclab::url_fetch
