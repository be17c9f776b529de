// task-tree (the "skynet" benchmark): a root task covers the leaves
// 0..leaves-1; every task covering more than one leaf spawns up to `fanout`
// children that split its range evenly, awaits their sums and returns the
// total; a leaf returns its ordinal. The answer is leaves*(leaves-1)/2
// (mod 2^64). What it measures: the cost of creating, scheduling and
// joining a task, a million times over. Specification: README.md here.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/harness.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"

#include <cstdint>
#include <functional>

namespace conclab::task_tree {

struct Params {
    std::uint64_t leaves = 1;
    std::uint64_t fanout = 10;
    unsigned threads = 1;                  ///< T: OS threads of the fibers/coroutines/tbb runtime
    std::uint64_t stack_bytes = 16 * 1024;  ///< fibers: each fiber's stack
};

/// The leaves [first, first + count) a task covers.
struct Span {
    std::uint64_t first = 0;
    std::uint64_t count = 1;

    bool leaf() const noexcept { return count == 1; }
    /// How many children this task spawns: min(fanout, count).
    std::uint64_t children(std::uint64_t fanout) const noexcept { return count < fanout ? count : fanout; }
    /// Child k of n: the k-th of n near-equal parts (the sizes differ by at
    /// most one; with leaves = fanout^d this is skynet's tree exactly).
    Span child(std::uint64_t k, std::uint64_t n) const noexcept {
        auto const begin = first + count * k / n;
        auto const end = first + count * (k + 1) / n;
        return Span{begin, end - begin};
    }
};

/// The heap a task of the coroutines model takes: the spawned child's frame,
/// the frame of the node it awaits, and its share of its parent's channel.
/// Measured (heap bytes / tasks, tests/task_tree_test.cpp checks it stays
/// below): 770 at fanout 10 (634 before the channel awaiters learnt to wait
/// on the lock-free ring: GCC keeps each co_await's awaiter in the frame),
/// with room for other fanouts and compilers.
/// The executor may hold every task of the tree at once, so validate refuses
/// a tree whose tasks x this exceeds the machine's memory.
inline constexpr std::uint64_t coroutine_task_bytes = 896;

/// The reference answer: leaves*(leaves-1)/2 mod 2^64.
std::uint64_t expected_sum(std::uint64_t leaves) noexcept;

/// Tasks in the tree (leaves included): what one run creates.
std::uint64_t task_count(std::uint64_t leaves, std::uint64_t fanout) noexcept;

/// `warmup` unmeasured runs, then one measured run of `once`; each must
/// return expected_sum, or WrongAnswer is thrown.
CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t()> const& once);

/// Each model file's one entry point (scenarios/task_tree/<model>.cpp), by
/// runtime type: one run on the caller's runtime, the model's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p);
std::uint64_t run(models::threads::Runtime& rt, Params const& p);

/// Variants with a file of their own (scenarios/registry.cpp lists them).
namespace tbb_task_group {
inline constexpr harness::FileVariant variant{
    "task-group",
    "a task per child in a task_group per parent (Rayon's scope and spawn) instead of a parallel_reduce over "
    "the children split into one part per thread"};
std::uint64_t run(models::tbb::Runtime& rt, Params const& p);
}  // namespace tbb_task_group

/// What the harness needs of task-tree (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "task-tree";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t()> const& once);
};

}  // namespace conclab::task_tree
