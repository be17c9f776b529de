// pipeline in the threads model: an OS thread per stage instance, the
// control group; blocking channels (crossbeam's bounded array design)
// between the stages, a WaitGroup to close the last channel when every
// transformer is done. A full or empty channel blocks the thread in the
// kernel after a short spin.
// Written natively: Rust std: a thread per stage instance, crossbeam_channel::bounded(B) between the stages
#include "scenarios/pipeline/pipeline.hpp"

#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"
#include "models/threads/wait_group.hpp"

#include <thread>

namespace conclab::pipeline {
namespace {
using models::threads::Channel;
using models::threads::Runtime;
using models::threads::WaitGroup;

// [generate] emits each item when it is due (closed loop: at once); a full channel makes it wait
void generate(Channel<Item>& raw, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.items; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) std::this_thread::sleep_until(due);
        raw.send(Item{i, due});
    }
    raw.close();
}

// [transform] one of P: takes items until the raw channel is closed and drained
void transform(Channel<Item>& raw, Channel<Mixed>& mixed, WaitGroup& wg, Params const& p) {
    while (auto item = raw.receive()) mixed.send(transform_item(*item, p.work));
    wg.done();
}

// [closer] the mixed channel is closed once the last transformer is done
void closer(WaitGroup& wg, Channel<Mixed>& mixed) {
    wg.wait();
    mixed.close();
}

// [aggregate] the main task: books and sums every item
std::uint64_t aggregate(Channel<Mixed>& mixed, Ledger& ledger) {
    std::uint64_t checksum = 0;
    while (auto done = mixed.receive()) {
        ledger.record(*done);
        checksum += done->result;
    }
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Channel<Item> raw{rt, p.buffer};
    Channel<Mixed> mixed{rt, p.buffer};
    WaitGroup wg{p.parallelism};
    std::uint64_t checksum = 0;
    rt.block_on([&] {
        for (std::uint64_t t = 0; t < p.parallelism; ++t) rt.spawn([&] { transform(raw, mixed, wg, p); });
        rt.spawn([&] { generate(raw, ledger, p); });
        rt.spawn([&] { closer(wg, mixed); });
        checksum = aggregate(mixed, ledger);
    });
    return checksum;
}

}  // namespace conclab::pipeline
