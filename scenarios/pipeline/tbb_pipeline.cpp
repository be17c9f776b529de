// pipeline on oneTBB's parallel_pipeline, the tbb model's design until
// 2026-12-06 and its variants: a serial generator filter, a parallel
// transform filter, then the aggregate filter:
// - tbb/parallel-pipeline: parallel, summing into a partial sum per thread
//   (the default before par_bridge: every item passes tokens and filter
//   queues, 1.5-1.9M items/s on pipeline's defaults where the default
//   does 3.7M, docs/performance.md);
// - tbb/serial-aggregate: serial_out_of_order, one item at a time into one
//   sum (what one aggregating thread at a time costs);
// - tbb/ordered: serial_in_order, in generation order: TBB holds back an
//   item that finishes early until every earlier one has been aggregated.
//   What order costs: tokens wait in the aggregate's queue behind a slow
//   item. The aggregator checks the order it sees, so a broken order is a
//   failed run, not a silent one.
#include "scenarios/pipeline/pipeline.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace conclab::pipeline::tbb_pipeline {
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

// [aggregate] books and sums every item: on any thread into its partial sum, or one at a time (in generation order if asked)
auto aggregate(Ledger& ledger, Aggregate how, oneapi::tbb::combinable<std::uint64_t>& sums, std::uint64_t& expected) {
    auto const mode = how == Aggregate::parallel  ? filter_mode::parallel
                      : how == Aggregate::ordered ? filter_mode::serial_in_order
                                                  : filter_mode::serial_out_of_order;
    return make_filter<Mixed, void>(mode, [&ledger, how, &sums, &expected](Mixed const& done) {
        if (how == Aggregate::ordered && done.index != expected++) {
            throw std::logic_error{"item " + std::to_string(done.index) + " aggregated out of order"};
        }
        ledger.record(done);
        sums.local() += done.result;
    });
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger, Aggregate how) {
    oneapi::tbb::combinable<std::uint64_t> sums{[] { return std::uint64_t{0}; }};
    std::uint64_t next = 0;
    std::uint64_t expected = 0;
    rt.block_on([&] {
        oneapi::tbb::parallel_pipeline(p.tokens(), generate(ledger, p, next) & transform(p) & aggregate(ledger, how, sums, expected));
    });
    return sums.combine([](std::uint64_t a, std::uint64_t b) { return a + b; });
}

}  // namespace conclab::pipeline::tbb_pipeline
