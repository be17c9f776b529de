// pipeline in the coroutines model (async/await): a coroutine per stage
// instance on the model's work-stealing executor of T threads, channels
// between the stages, a WaitGroup to close the last channel when every
// transformer is done. A full or empty channel suspends the coroutine, not
// its thread. Errors: the channels report closed as a value; anything else throws.
// Written natively: Tokio: `tokio::spawn(generate(raw_tx)); for _ in 0..P { tokio::spawn(transform(raw_rx.clone(), mixed_tx.clone())) }`
#include "scenarios/pipeline/pipeline.hpp"

#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/coroutines/wait_group.hpp"


namespace conclab::pipeline {
namespace {
using models::coroutines::Task;
using models::coroutines::Channel;
using models::coroutines::Runtime;
using models::coroutines::sleep_until;
using models::coroutines::WaitGroup;

// [generate] emits each item when it is due (closed loop: at once); a full channel makes it wait
Task<void> generate(Channel<Item>& raw, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.items; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) co_await sleep_until(due);
        co_await raw.send(Item{i, due});
    }
    raw.close();
}

// [transform] one of P: takes items until the raw channel is closed and drained
Task<void> transform(Channel<Item>& raw, Channel<Mixed>& mixed, WaitGroup& wg, Params const& p) {
    while (auto item = co_await raw.receive()) co_await mixed.send(transform_item(*item, p.work));
    wg.done();
}

// [closer] the mixed channel is closed once the last transformer is done
Task<void> closer(WaitGroup& wg, Channel<Mixed>& mixed) {
    co_await wg.wait();
    mixed.close();
}

// [aggregate] the main task: books and sums every item
Task<std::uint64_t> aggregate(Channel<Mixed>& mixed, Ledger& ledger) {
    std::uint64_t checksum = 0;
    while (auto done = co_await mixed.receive()) {
        ledger.record(*done);
        checksum += done->result;
    }
    co_return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Channel<Item> raw{rt.executor(), p.buffer};
    Channel<Mixed> mixed{rt.executor(), p.buffer};
    WaitGroup wg{rt.executor(), p.parallelism};
    std::uint64_t checksum = 0;
    rt.block_on([&]() -> Task<void> {
        for (std::uint64_t t = 0; t < p.parallelism; ++t) rt.spawn(transform(raw, mixed, wg, p));
        rt.spawn(generate(raw, ledger, p));
        rt.spawn(closer(wg, mixed));
        checksum = co_await aggregate(mixed, ledger);
    });
    return checksum;
}

}  // namespace conclab::pipeline
