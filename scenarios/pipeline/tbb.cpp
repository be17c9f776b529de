// pipeline in the tbb model: oneTBB's parallel_pipeline, the data-parallel
// library's own shape for this (Rayon has par_bridge over channels; TBB has
// the pipeline built in). Three filters: a serial generator, a parallel
// transform, a serial aggregator; at most `tokens` items are in flight
// (what the other models' two channels and P transformers hold). Threads
// take an item through as many filters as they can (no channel hand-offs).
// `parallelism` is not used: TBB runs the parallel filter on every thread
// that has a token. In open loop the generator sleeps until an item is due,
// holding its thread.
// Written natively: Rayon: `items.par_bridge().map(transform).sum()`; oneTBB has the pipeline built in
#include "scenarios/pipeline/pipeline.hpp"

#include "models/tbb/runtime.hpp"

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

// [aggregate] books and sums every item, one at a time
auto aggregate(Ledger& ledger, std::uint64_t& checksum) {
    return make_filter<Mixed, void>(filter_mode::serial_out_of_order, [&ledger, &checksum](Mixed const& done) {
        ledger.record(done);
        checksum += done.result;
    });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    std::uint64_t checksum = 0;
    std::uint64_t next = 0;
    rt.block_on([&] {
        oneapi::tbb::parallel_pipeline(p.tokens(), generate(ledger, p, next) & transform(p) & aggregate(ledger, checksum));
    });
    return checksum;
}

}  // namespace conclab::pipeline
