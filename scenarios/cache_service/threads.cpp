// cache-service in the threads model: a pool of `workers` OS threads
// taking requests from a bounded queue (a server's backlog), as a
// thread-per-core server does. The arrivals (the network) put each
// request in the queue from their own thread; a full queue makes them wait
// (and the requests behind are late: their latency counts from when due).
// Written natively: Rust std: `for r in rx { serve(&cache, r) }` in each of W threads over crossbeam_channel::bounded(1024)
#include "scenarios/cache_service/cache_service.hpp"

#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"

namespace conclab::cache_service {
namespace {
using models::threads::Channel;
using models::threads::Runtime;

// [request] requests, served one after another by a pool thread
void worker(Cache& cache, Ledger& ledger, Channel<Request>& queue, Params const& p) {
    while (auto r = queue.receive()) serve(cache, ledger, *r, p);
}

// [arrivals] each request, when it is due, goes into the queue; closed after the last
std::jthread arrivals(Ledger& ledger, Channel<Request>& queue) {
    return ledger.arrivals([&queue](Request const& r) { queue.send(r); }, [&queue] { queue.close(); });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Cache& cache, Ledger& ledger) {
    Channel<Request> queue{rt, backlog};
    auto const network = arrivals(ledger, queue);
    rt.block_on([&] {
        for (std::uint64_t w = 0; w < p.workers; ++w) rt.spawn([&] { worker(cache, ledger, queue, p); });
    });
    return ledger.checksum();
}

}  // namespace conclab::cache_service
