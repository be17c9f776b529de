// cache-service in the coroutines model (async/await): a task per request
// on the model's work-stealing executor, as a Tokio server spawns a task
// per request. The arrivals (the network) hand each request to the runtime
// from their own thread; a WaitGroup tells the main task when every
// request has been answered.
// Written natively: Tokio: `handle.spawn(async move { serve(&cache, r); })` for each request as it arrives
#include "scenarios/cache_service/cache_service.hpp"

#include "models/coroutines/runtime.hpp"
#include "models/coroutines/wait_group.hpp"

namespace conclab::cache_service {
namespace {
using models::coroutines::Runtime;
using models::coroutines::Task;
using models::coroutines::WaitGroup;

// [request] one request, served in a task of its own
Task<void> request(Cache& cache, Ledger& ledger, Request r, Params const& p, WaitGroup& answered) {
    serve(cache, ledger, r, p);
    answered.done();
    co_return;
}

// [arrivals] each request, when it is due, starts a task of its own
std::jthread arrivals(Runtime& rt, Cache& cache, Ledger& ledger, Params const& p, WaitGroup& answered) {
    return ledger.arrivals([&](Request const& r) { rt.spawn(request(cache, ledger, r, p, answered)); });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Cache& cache, Ledger& ledger) {
    WaitGroup answered{rt.executor(), ledger.requests()};
    auto const network = arrivals(rt, cache, ledger, p, answered);
    rt.block_on([&]() -> Task<void> { co_await answered.wait(); });
    return ledger.checksum();
}

}  // namespace conclab::cache_service
