// cache-service in the fibers model (Go): a fiber per request, as a Go
// server starts a goroutine per request. The arrivals (the network) hand
// each request to the runtime from their own thread; a WaitGroup tells the
// main fiber when every request has been answered.
// Written natively: Go: `go func(r request) { serve(cache, r); wg.Done() }(r)` for each request as it arrives
#include "scenarios/cache_service/cache_service.hpp"

#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"

namespace conclab::cache_service {
namespace {
using models::fibers::Runtime;
using models::fibers::WaitGroup;

// [request] one request, served in a fiber of its own
void request(Cache& cache, Ledger& ledger, Request const& r, Params const& p, WaitGroup& answered) {
    serve(cache, ledger, r, p);
    answered.done();
}

// [arrivals] each request, when it is due, starts a fiber of its own
std::jthread arrivals(Runtime& rt, Cache& cache, Ledger& ledger, Params const& p, WaitGroup& answered) {
    return ledger.arrivals([&](Request const& r) { rt.spawn([&, r] { request(cache, ledger, r, p, answered); }); });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Cache& cache, Ledger& ledger) {
    WaitGroup answered{ledger.requests()};
    auto const network = arrivals(rt, cache, ledger, p, answered);
    rt.block_on([&] { answered.wait(); });
    return ledger.checksum();
}

}  // namespace conclab::cache_service
