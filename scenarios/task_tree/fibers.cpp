// task-tree in the fibers model (Go's skynet): a goroutine per task. A
// parent makes a channel, spawns its children, and receives one sum from
// each; a child computes its subtree and sends the sum. Fibers run M:N on
// the runtime's T threads, each on its own `stack_kb` stack.
// Written natively: Go: `c := make(chan uint64, n); for k := 0; k < n; k++ { go skynet(c, span.child(k)) }; for k := 0; k < n; k++ { sum += <-c }`
#include "scenarios/task_tree/task_tree.hpp"

#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"

namespace conclab::task_tree {
namespace {
using models::fibers::Channel;
using models::fibers::Runtime;

std::uint64_t node(Runtime& rt, Span span, Params const& p);

// [child] a spawned task: its subtree's sum, sent to the parent
void child(Runtime& rt, Channel<std::uint64_t>& sums, Span span, Params const& p) {
    auto const sum = node(rt, span, p);
    sums.send(sum);
}

// [node] a leaf returns its ordinal; a parent spawns a task per child and sums what they send
std::uint64_t node(Runtime& rt, Span span, Params const& p) {
    if (span.leaf()) return span.first;
    auto const n = span.children(p.fanout);
    // buffered for all n: a child's send never waits for its parent, and
    // the channel may go as soon as the parent has its n sums
    Channel<std::uint64_t> sums{rt, n};
    for (std::uint64_t k = 0; k < n; ++k) {
        rt.spawn([&rt, &sums, span = span.child(k, n), &p] { child(rt, sums, span, p); });
    }
    std::uint64_t sum = 0;
    for (std::uint64_t k = 0; k < n; ++k) sum += *sums.receive();
    return sum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p) {
    std::uint64_t sum = 0;
    rt.block_on([&] { sum = node(rt, Span{0, p.leaves}, p); });
    return sum;
}

}  // namespace conclab::task_tree
