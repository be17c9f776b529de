// pipeline in the tbb model: oneTBB's parallel_pipeline, the data-parallel
// library's own shape for this (Rayon bridges the generator into its pool
// with par_bridge; TBB has the pipeline built in). Three filters: a serial
// generator, a parallel transform, a parallel aggregator that sums into one
// partial sum per thread (Rayon's `reduce`); at most `tokens` items are in
// flight (what the other models' two channels and P transformers hold). A
// thread takes an item through every filter after the generator (no
// channel hand-offs).
// `parallelism` is not used: TBB runs the parallel filter on every thread
// that has a token. In open loop the generator sleeps until an item is due,
// holding its thread.
// Written natively: Rayon: `items.par_bridge().map(transform).sum()`; oneTBB has the pipeline built in
#include "scenarios/pipeline/pipeline.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <thread>

namespace conclab::pipeline {
namespace {
using models::tbb::Runtime;
using oneapi::tbb::filter_mode;
using oneapi::tbb::flow_control;
using oneapi::tbb::make_filter;

// [generate] emits each item when it is due (closed loop: at once), then stops the pipeline
// (TBB calls filters as const; `next` is touched by one thread at a time, the filter being serial)
auto generate(Ledger& ledger, Params const& p, std::uint64_t& next) {
    return make_filter<void, Item>(filter_mode::serial_in_order, [&ledger, &p, &next](flow_control& fc) {
        if (next == p.items) {
            fc.stop();
            return Item{};
        }
        auto const due = ledger.due(next);
        if (ledger.early(due)) std::this_thread::sleep_until(due);
        return Item{next++, due};
    });
}

// [transform] the parallel stage: any thread with a token runs it
auto transform(Params const& p) {
    return make_filter<Item, Mixed>(filter_mode::parallel, [&p](Item const& item) { return transform_item(item, p.work); });
}

// [aggregate] books and sums every item on the thread that carried it: a partial sum per thread
auto aggregate(Ledger& ledger, oneapi::tbb::combinable<std::uint64_t>& sums) {
    return make_filter<Mixed, void>(filter_mode::parallel, [&ledger, &sums](Mixed const& done) {
        ledger.record(done);
        sums.local() += done.result;
    });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    oneapi::tbb::combinable<std::uint64_t> sums{[] { return std::uint64_t{0}; }};
    std::uint64_t next = 0;
    rt.block_on([&] {
        oneapi::tbb::parallel_pipeline(p.tokens(), generate(ledger, p, next) & transform(p) & aggregate(ledger, sums));
    });
    return sums.combine([](std::uint64_t a, std::uint64_t b) { return a + b; });
}

}  // namespace conclab::pipeline
