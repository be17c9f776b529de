// task-tree's shared parts: the reference answer, the measurement of a
// case, and the parameters the runner offers.
#include "scenarios/task_tree/task_tree.hpp"

#include "scenarios/common_params.hpp"
#include "scenarios/limits.hpp"
#include "src/kit/stopwatch.hpp"

#include <map>

namespace conclab::task_tree {
namespace {

using limits::max_os_threads;
using limits::physical_memory_bytes;

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param(&Params::leaves, {"leaves", 1'000'000ULL, 1, 100'000'000,
                                "leaf tasks; each returns its ordinal, the root must return leaves*(leaves-1)/2", "all", {}}),
        param(&Params::fanout, {"fanout", 10ULL, 2, 1'000, "children per task (the last level takes what is left)", "all", {}}),
        param(&Params::threads, runtime_threads_param()),
        fiber_stack_bytes_param(&Params::stack_bytes),
    };
    return table;
}

Params params_from(ParamValues const& v) { return read_params(params_table(), v); }

std::string validate(ParamValues const& values, std::span<Model const> models) {
    Params const p = params_from(values);
    auto const tasks = task_count(p.leaves, p.fanout);
    for (Model model : models) {
        // Every task is an OS thread in the threads model, and a parent
        // waits for its children, so the whole tree can be alive at once.
        if (model == Model::threads && tasks > max_os_threads) {
            // the most leaves whose tree fits, at this fanout
            std::uint64_t fits = 1, above = p.leaves;
            while (above - fits > 1) {
                auto const mid = fits + (above - fits) / 2;
                (task_count(mid, p.fanout) <= max_os_threads ? fits : above) = mid;
            }
            return "leaves=" + std::to_string(p.leaves) + " with fanout=" + std::to_string(p.fanout) + " is a tree of " +
                   std::to_string(tasks) + " tasks, each an OS thread in the threads model (at most " +
                   std::to_string(max_os_threads) + ": " + std::to_string(fits) + " leaves fit at this fanout); " +
                   "lower --leaves or leave threads out of --models";
        }
        // Fibers run breadth first, so nearly every fiber of the tree is
        // alive at once, each with its stack reserved.
        if (model == Model::fibers && tasks * p.stack_bytes > physical_memory_bytes()) {
            return "leaves=" + std::to_string(p.leaves) + " is a tree of " + std::to_string(tasks) + " fibers that need " +
                   std::to_string((tasks * p.stack_bytes) >> 30) + " GiB of " + std::to_string(p.stack_bytes >> 10) +
                   " KiB stacks, more than this machine's " + std::to_string(physical_memory_bytes() >> 30) +
                   " GiB of memory; lower --leaves or --stack-kb, or leave fibers out of --models";
        }
        if (model == Model::coroutines) {
            auto const what = "leaves=" + std::to_string(p.leaves) + " is a tree of " + std::to_string(tasks) + " coroutines";
            if (auto problem = limits::memory_refusal(what, tasks, coroutine_task_bytes, "leaves", "coroutines"); !problem.empty()) {
                return problem;
            }
        }
    }
    return {};
}

}  // namespace

std::uint64_t expected_sum(std::uint64_t leaves) noexcept {
    // n(n-1)/2 without overflow before the wrap: halve the even factor first
    return leaves % 2 == 0 ? (leaves / 2) * (leaves - 1) : leaves * ((leaves - 1) / 2);
}

std::uint64_t task_count(std::uint64_t leaves, std::uint64_t fanout) noexcept {
    // Tasks of the same size have the same subtree, and a level holds at
    // most two sizes: memoized by size, this visits a few dozen spans.
    std::map<std::uint64_t, std::uint64_t> memo;
    auto const count = [&](auto const& self, Span span) -> std::uint64_t {
        if (span.leaf()) return 1;
        if (auto const found = memo.find(span.count); found != memo.end()) return found->second;
        std::uint64_t tasks = 1;
        auto const n = span.children(fanout);
        for (std::uint64_t k = 0; k < n; ++k) tasks += self(self, span.child(k, n));
        memo.emplace(span.count, tasks);
        return tasks;
    };
    return count(count, Span{0, leaves});
}

CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t()> const& once) {
    auto const expected = expected_sum(p.leaves);
    auto const verify = [&](std::uint64_t sum) {
        if (sum != expected) throw WrongAnswer{"sum " + hex64(sum) + " differs from leaves*(leaves-1)/2 = " + hex64(expected)};
    };
    for (unsigned i = 0; i < warmup; ++i) verify(once());
    auto const tasks = task_count(p.leaves, p.fanout);
    CaseMetrics metrics;
    Stopwatch stopwatch;
    auto const sum = once();
    stopwatch.stop(tasks, metrics);
    verify(sum);
    metrics.checksum = sum;
    metrics.expected_checksum = expected;
    metrics.extra["leaves"] = static_cast<double>(p.leaves);
    metrics.extra["ns_per_task"] = metrics.wall_s * 1e9 / static_cast<double>(tasks);
    set_tasks(metrics, static_cast<double>(tasks));
    return metrics;
}

Params Spec::params_from(ParamValues const& values, CaseOptions const&) { return task_tree::params_from(values); }

CaseMetrics Spec::measure(Model, Params const& p, unsigned warmup, std::function<std::uint64_t()> const& once) {
    return task_tree::measure(p, warmup, once);
}

Scenario Spec::describe() {
    return Scenario{
        .name = name,
        .summary = "skynet: a tree of tasks, `fanout` children each, down to `leaves` leaves; the sums flow back up",
        .unit = "tasks",
        .params = specs_of(params_table()),
        .metrics = {{"ns_per_task", "ns", "ns/task", 1, false, false, false}, {"leaves", "count", "", 1, false, false, false}},
        .validate = validate,
        .setup = nullptr,
        .models = {},
        .reference = [](ParamValues const& values, std::span<std::uint64_t const>) { return expected_sum(task_tree::params_from(values).leaves); },
        .items = [](ParamValues const& values) {
            auto const p = task_tree::params_from(values);
            return task_count(p.leaves, p.fanout);
        },
        .small = {{"leaves", 300ULL}, {"threads", 2ULL}},
        .least_wall_s = nullptr,
    };
}

}  // namespace conclab::task_tree
