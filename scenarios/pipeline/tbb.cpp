// pipeline in the tbb model (Rayon): the generator is a sequence bridged
// into the pool (Rayon's par_bridge, models/tbb/par_bridge.hpp): each
// thread takes the next item under a lock and carries it through transform
// and aggregate, summing into a partial sum per thread (Rayon's `reduce`).
// No channels: at most one item per thread is in flight.
// `parallelism` and `buffer` are not used: every thread transforms. In
// open loop the generator sleeps until an item is due, holding the lock.
// Variant tbb/parallel-pipeline: oneTBB's own parallel_pipeline.
// Written natively: Rayon: `items.par_bridge().map(transform).sum()`
#include "scenarios/pipeline/pipeline.hpp"

#include "models/tbb/par_bridge.hpp"
#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/combinable.h>


#include <thread>

namespace conclab::pipeline {
namespace {
using models::tbb::par_bridge;
using models::tbb::Runtime;

// [generate] item i when it is due (closed loop: at once); one thread at a time, in order
Item generate(std::uint64_t i, Ledger& ledger) {
    auto const due = ledger.due(i);
    if (ledger.early(due)) std::this_thread::sleep_until(due);
    return Item{i, due};
}

// [transform] on the thread that took the item
Mixed transform(Item const& item, Params const& p) { return transform_item(item, p.work); }

// [aggregate] books and sums the item into that thread's partial sum
void aggregate(Mixed const& done, Ledger& ledger, oneapi::tbb::combinable<std::uint64_t>& sums) {
    ledger.record(done);
    sums.local() += done.result;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    oneapi::tbb::combinable<std::uint64_t> sums{[] { return std::uint64_t{0}; }};
    rt.block_on([&] {
        par_bridge(
            p.items, [&](std::uint64_t i) { return generate(i, ledger); },
            [&](Item const& item) { aggregate(transform(item, p), ledger, sums); });
    });
    return sums.combine([](std::uint64_t a, std::uint64_t b) { return a + b; });
}

}  // namespace conclab::pipeline
