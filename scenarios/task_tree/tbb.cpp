// task-tree in the tbb model (Rayon): each node's children are a
// parallel_reduce over their range (Rayon's `into_par_iter().map().sum()`),
// split into at most one part per thread (the grain), as Rayon's splitter
// starts: the tree's other nodes keep the threads busy. A thread that
// waits for a part another took runs other tasks meanwhile (work
// stealing), so no thread ever blocks. No channels, no arrays.
// Written natively: Rayon: `(0..n).into_par_iter().map(|k| node(child(k))).sum()`
#include "scenarios/task_tree/task_tree.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>

#include <functional>

namespace conclab::task_tree {
namespace {
using models::tbb::Runtime;

// [node] a leaf returns its ordinal; a parent sums its children in parallel
std::uint64_t node(Span span, Params const& p) {
    if (span.leaf()) return span.first;
    auto const n = span.children(p.fanout);
    auto const grain = (n + p.threads - 1) / p.threads;
    return oneapi::tbb::parallel_reduce(
        oneapi::tbb::blocked_range<std::uint64_t>{0, n, grain}, std::uint64_t{0},
        [&](oneapi::tbb::blocked_range<std::uint64_t> const& ks, std::uint64_t sum) {
            for (auto k = ks.begin(); k != ks.end(); ++k) sum += node(span.child(k, n), p);
            return sum;
        },
        std::plus<>{});
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p) {
    std::uint64_t sum = 0;
    rt.block_on([&] { sum = node(Span{0, p.leaves}, p); });
    return sum;
}

}  // namespace conclab::task_tree
