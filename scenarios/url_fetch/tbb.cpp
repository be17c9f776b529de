// url-fetch in the tbb model (Rayon): the items are a range and
// `parallel_reduce` maps each to its body's checksum and sums them
// (Rayon's `(0..n).into_par_iter().map(fetch).sum()`), each arena thread
// on its own keep-alive connection. The fetches block their threads: at
// most T requests are in flight, whatever --concurrency says. That is the
// lesson: Rayon (and TBB) are built for CPU work, not for waiting.
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_reduce.h>

namespace conclab::url_fetch::tbb {
namespace {
using models::tbb::Runtime;
using Range = oneapi::tbb::blocked_range<std::uint64_t>;
using Connections = oneapi::tbb::enumerable_thread_specific<BlockingConnection>;

// [worker] fetches a subrange on this thread's connection, adding to `checksum`
std::uint64_t worker(Range const& range, std::uint64_t checksum, Connections& connections, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = range.begin(); i != range.end(); ++i) checksum += fetch(connections.local(), i, p, ledger);
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Connections connections{[&] { return BlockingConnection{request_plan(p), poll_wait, [&] { ledger.connection_opened(); }}; }};
    std::uint64_t checksum = 0;
    rt.block_on([&] {
        checksum = oneapi::tbb::parallel_reduce(
            Range{0, p.requests}, std::uint64_t{0},
            [&](Range const& range, std::uint64_t sum) { return worker(range, sum, connections, ledger, p); },
            [](std::uint64_t a, std::uint64_t b) { return a + b; });
    });
    return checksum;
}

// [run_case]
CaseMetrics run_case(Params const& p, unsigned warmup) {
    Runtime rt{p.threads};
    return measure(p, warmup, [&](Ledger& ledger) { return run(rt, p, ledger); });
}

}  // namespace conclab::url_fetch::tbb
