// cache-service in the tbb model (Rayon's style): a TBB task per request in
// one task_group. TBB has no network and no timer: the arrivals (the
// network) run on a thread outside the arena and hand each request over
// with task_arena::enqueue, as an I/O thread would; the arena's own thread
// waits on the group, serving requests meanwhile.
// Written natively: Rayon: `pool.spawn(move || serve(&cache, r))` for each request as it arrives
#include "scenarios/cache_service/cache_service.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/task_group.h>

namespace conclab::cache_service {
namespace {
using models::tbb::Runtime;

// [request] one request, served in a task of its own
void request(Cache& cache, Ledger& ledger, Request const& r, Params const& p) { serve(cache, ledger, r, p); }

// [arrivals] each request, when it is due, becomes a task of its own; the
// group's last task, made first, keeps it waiting until every request is in
std::jthread arrivals(Runtime& rt, Cache& cache, Ledger& ledger, Params const& p, oneapi::tbb::task_group& answered) {
    return ledger.arrivals([&](Request const& r) { rt.enqueue(answered.defer([&, r] { request(cache, ledger, r, p); })); },
                           [&rt, last = answered.defer([] {})]() mutable { rt.enqueue(std::move(last)); });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Cache& cache, Ledger& ledger) {
    oneapi::tbb::task_group answered;
    auto const network = arrivals(rt, cache, ledger, p, answered);
    rt.block_on([&] { answered.wait(); });
    return ledger.checksum();
}

}  // namespace conclab::cache_service
