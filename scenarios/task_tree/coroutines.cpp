// task-tree in the coroutines model (async/await): a coroutine per task,
// spawned on the model's work-stealing executor of T threads. A parent makes a
// channel, spawns its children and awaits one sum from each; a child
// awaits its subtree and sends the sum. A suspended coroutine is its frame
// on the heap, no stack.
// Written natively: Tokio: `let handles: Vec<_> = children.map(|s| tokio::spawn(node(s))).collect(); for h in handles { sum += h.await? }`
#include "scenarios/task_tree/task_tree.hpp"

#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"

namespace conclab::task_tree {
namespace {
using models::coroutines::Task;
using models::coroutines::Channel;
using models::coroutines::Runtime;

Task<std::uint64_t> node(Runtime& rt, Span span, Params const& p);

// [child] a spawned task: its subtree's sum, sent to the parent
Task<void> child(Runtime& rt, Channel<std::uint64_t>& sums, Span span, Params const& p) {
    auto const sum = co_await node(rt, span, p);
    co_await sums.send(sum);
}

// [node] a leaf returns its ordinal; a parent spawns a task per child and sums what they send
Task<std::uint64_t> node(Runtime& rt, Span span, Params const& p) {
    if (span.leaf()) co_return span.first;
    auto const n = span.children(p.fanout);
    // buffered for all n: a child's send never waits for its parent, and
    // the channel may go as soon as the parent has its n sums
    Channel<std::uint64_t> sums{rt.executor(), n};
    for (std::uint64_t k = 0; k < n; ++k) {
        rt.spawn(child(rt, sums, span.child(k, n), p));
    }
    std::uint64_t sum = 0;
    for (std::uint64_t k = 0; k < n; ++k) sum += *co_await sums.receive();
    co_return sum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p) {
    std::uint64_t sum = 0;
    rt.block_on([&]() -> Task<void> { sum = co_await node(rt, Span{0, p.leaves}, p); });
    return sum;
}

}  // namespace conclab::task_tree
