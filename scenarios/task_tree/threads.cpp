// task-tree in the threads model: an OS thread per task, the control
// group. A parent makes a channel, starts a thread per child, and receives
// one sum from each; a child computes its subtree and sends the sum. The
// whole tree is alive at once, so it is capped (task_tree.cpp's validate).
// Written natively: Rust std: `thread::scope(|s| children.map(|c| s.spawn(move || node(c))).collect::<Vec<_>>().into_iter().map(|h| h.join().unwrap()).sum())`
#include "scenarios/task_tree/task_tree.hpp"

#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"

#include <thread>
#include <vector>

namespace conclab::task_tree {
namespace {
using models::threads::Channel;
using models::threads::Runtime;

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
    // Each child is a thread this parent joins before `sums` goes (declared
    // after it): a thread that has sent may still be inside the channel's
    // semaphore when its sum arrives. Go's garbage collector hides this.
    std::vector<std::jthread> children;
    children.reserve(n);
    for (std::uint64_t k = 0; k < n; ++k) {
        children.emplace_back([&rt, &sums, span = span.child(k, n), &p] { child(rt, sums, span, p); });
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
