// pipeline, variant fibers/ordered: the fibers pipeline whose aggregator
// takes items in generation order, the channel equivalent of TBB's
// serial_in_order: an item that arrives before an earlier one waits in a
// reorder buffer (a Go programmer would keep a map keyed by sequence number).
// The buffer holds at most what is in flight (the channels and the
// transformers), and the aggregator checks the order it books in.
#include "scenarios/pipeline/pipeline.hpp"

#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"

#include <boost/fiber/operations.hpp>

#include <map>
#include <stdexcept>
#include <string>

namespace conclab::pipeline::fibers_ordered {
namespace {
using models::fibers::Channel;
using models::fibers::Runtime;
using models::fibers::WaitGroup;

// [generate] emits each item when it is due (closed loop: at once); a full channel makes it wait
void generate(Channel<Item>& raw, Ledger& ledger, Params const& p) {
    for (std::uint64_t i = 0; i < p.items; ++i) {
        auto const due = ledger.due(i);
        if (ledger.early(due)) boost::this_fiber::sleep_until(due);
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

// [aggregate] the main task: books and sums every item in generation order;
// one that comes early waits in the reorder buffer for those before it
std::uint64_t aggregate(Channel<Mixed>& mixed, Ledger& ledger) {
    std::uint64_t checksum = 0;
    std::uint64_t next = 0;
    std::map<std::uint64_t, Mixed> early;
    while (auto done = mixed.receive()) {
        early.emplace(done->index, *done);
        for (auto first = early.begin(); first != early.end() && first->first == next; first = early.erase(first), ++next) {
            ledger.record(first->second);
            checksum += first->second.result;
        }
    }
    if (!early.empty()) throw std::logic_error{"item " + std::to_string(next) + " never reached the aggregator"};
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

}  // namespace conclab::pipeline::fibers_ordered
