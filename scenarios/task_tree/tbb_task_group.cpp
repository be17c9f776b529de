// task-tree, variant tbb/task-group: a task per child in a task_group per
// parent (Rayon's `scope(|s| s.spawn(...))`), the tbb model's design until
// 2026-12-06. Every child is a task of its own, where the default
// parallel_reduce makes one part per thread: on 2 cores, 1M leaves took
// 21-24 ms against Rayon's 11.5 and the default's 8 (docs/performance.md).
#include "scenarios/task_tree/task_tree.hpp"

#include "models/tbb/runtime.hpp"

#include <oneapi/tbb/task_group.h>

#include <numeric>
#include <vector>

namespace conclab::task_tree::tbb_task_group {
namespace {
using models::tbb::Runtime;

// [node] a leaf returns its ordinal; a parent runs a task per child and sums their results
std::uint64_t node(Span span, Params const& p) {
    if (span.leaf()) return span.first;
    auto const n = span.children(p.fanout);
    std::vector<std::uint64_t> sums(n);
    oneapi::tbb::task_group children;
    for (std::uint64_t k = 0; k < n; ++k) {
        children.run([&sums, k, span = span.child(k, n), &p] { sums[k] = node(span, p); });
    }
    children.wait();
    return std::accumulate(sums.begin(), sums.end(), std::uint64_t{0});
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p) {
    std::uint64_t sum = 0;
    rt.block_on([&] { sum = node(Span{0, p.leaves}, p); });
    return sum;
}

}  // namespace conclab::task_tree::tbb_task_group
