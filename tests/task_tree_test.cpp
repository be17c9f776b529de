// task-tree is correct in every model over a table of tree shapes: the
// root's sum is leaves*(leaves-1)/2 and the run counted every task of the
// tree. meson registers this binary once per model (suite = the model's token).
#include "scenarios/limits.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/task_tree/task_tree.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace conclab::task_tree {
namespace {

struct Case {
    std::string name;
    Params params;
};

// leaves, fanout, threads, stack_bytes
Case const cases[] = {
    {"one_leaf", {1, 10, 2, 16 * 1024}},
    {"two_leaves", {2, 10, 2, 16 * 1024}},
    {"fewer_leaves_than_fanout", {5, 10, 2, 16 * 1024}},
    {"skynet_1000", {1000, 10, 2, 16 * 1024}},
    {"uneven_997", {997, 10, 2, 16 * 1024}},
    {"binary_1024", {1024, 2, 2, 16 * 1024}},
    {"wide_fanout", {3000, 1000, 2, 16 * 1024}},
    {"one_thread", {1000, 10, 1, 16 * 1024}},
    {"more_threads_than_cores", {1000, 10, 8, 16 * 1024}},
    {"larger_fiber_stacks", {1000, 10, 2, 256 * 1024}},
};

class TaskTree : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(TaskTree, TheRootSumsEveryLeafOrdinalOnce) {
    auto const& [model, c] = GetParam();
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(model, c.params, /*warmup=*/1));
    EXPECT_EQ(metrics.checksum, expected_sum(c.params.leaves));
    EXPECT_EQ(metrics.expected_checksum, expected_sum(c.params.leaves));
    EXPECT_EQ(metrics.items, task_count(c.params.leaves, c.params.fanout));
    EXPECT_EQ(extra_value(metrics, "leaves"), static_cast<double>(c.params.leaves));
    EXPECT_GT(extra_value(metrics, "ns_per_task"), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, TaskTree, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases)),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

TEST(ExpectedSum, IsLeavesTimesLeavesMinusOneHalvedModulo2To64) {
    EXPECT_EQ(expected_sum(1), 0U);
    EXPECT_EQ(expected_sum(2), 1U);
    EXPECT_EQ(expected_sum(10), 45U);
    EXPECT_EQ(expected_sum(1'000'000), 499'999'500'000U);  // skynet's published answer
    for (std::uint64_t leaves : {std::uint64_t{1} << 33, (std::uint64_t{1} << 33) + 1, std::uint64_t{6'000'000'001}}) {
        __extension__ using Wide = unsigned __int128;  // exact, then cut to 64 bits
        auto const wide = static_cast<Wide>(leaves) * (leaves - 1) / 2;
        EXPECT_EQ(expected_sum(leaves), static_cast<std::uint64_t>(wide)) << leaves;
    }
}

// The tree, visited node by node: what task_count must agree with.
std::uint64_t visit(Span span, std::uint64_t fanout, std::uint64_t& leaf_sum, std::uint64_t& leaves_seen) {
    if (span.leaf()) {
        leaf_sum += span.first;
        ++leaves_seen;
        return 1;
    }
    std::uint64_t tasks = 1;
    auto const n = span.children(fanout);
    std::uint64_t covered = span.first;
    for (std::uint64_t k = 0; k < n; ++k) {
        auto const child = span.child(k, n);
        EXPECT_EQ(child.first, covered) << "children must tile their parent's leaves in order";
        EXPECT_GE(child.count, 1U);
        covered += child.count;
        tasks += visit(child, fanout, leaf_sum, leaves_seen);
    }
    EXPECT_EQ(covered, span.first + span.count);
    return tasks;
}

TEST(TaskCount, MatchesAVisitOfTheWholeTree) {
    EXPECT_EQ(task_count(1, 10), 1U);
    EXPECT_EQ(task_count(10, 10), 11U);
    EXPECT_EQ(task_count(1'000'000, 10), 1'111'111U);  // skynet: 10^0 + ... + 10^6
    EXPECT_EQ(task_count(3, 2), 5U);
    std::mt19937_64 random{42};
    for (int i = 0; i < 200; ++i) {
        std::uint64_t const leaves = 1 + random() % 5000, fanout = 2 + random() % 20;
        std::uint64_t sum = 0, seen = 0;
        EXPECT_EQ(task_count(leaves, fanout), visit(Span{0, leaves}, fanout, sum, seen)) << leaves << " " << fanout;
        EXPECT_EQ(seen, leaves);
        EXPECT_EQ(sum, expected_sum(leaves));
    }
}

TEST(Measure, RejectsAWrongSum) {
    Params const p{.leaves = 10, .fanout = 10, .threads = 1};
    EXPECT_THROW(measure(p, 0, [] { return std::uint64_t{44}; }), WrongAnswer);
    EXPECT_THROW(measure(p, 1, [n = 0]() mutable { return n++ == 0 ? std::uint64_t{44} : std::uint64_t{45}; }), WrongAnswer)
        << "a wrong warm-up run fails the case too";
    EXPECT_NO_THROW(measure(p, 1, [] { return std::uint64_t{45}; }));
}

ParamValues values(std::uint64_t leaves, std::uint64_t stack_kb = 16) {
    auto v = defaults(Spec::describe().params);
    v["leaves"] = leaves;
    v["stack_kb"] = stack_kb;
    return v;
}

TEST(Validate, RefusesATreeOfMoreOsThreadsThanTheCapAndSaysWhatFits) {
    std::vector<Model> const threads{Model::threads};
    auto const problem = Spec::describe().validate(values(1'000'000), threads);
    EXPECT_NE(problem.find("1111111 tasks"), std::string::npos) << problem;
    auto const fits = problem.find(": 8889 leaves fit");
    ASSERT_NE(fits, std::string::npos) << problem;
    EXPECT_EQ(task_count(8889, 10), 10'000U) << "the largest tree of at most 10,000 tasks at fanout 10";
    EXPECT_GT(task_count(8890, 10), 10'000U);
    EXPECT_EQ(Spec::describe().validate(values(8889), threads), "");
}

TEST(Validate, RefusesFiberStacksBeyondTheMachinesMemory) {
    std::vector<Model> const fibers{Model::fibers};
    EXPECT_NE(Spec::describe().validate(values(100'000'000, 8192), fibers).find("GiB"), std::string::npos);
    std::vector<Model> const tbb{Model::tbb};
    EXPECT_EQ(Spec::describe().validate(values(100'000'000, 8192), tbb), "") << "tbb's tasks run depth first, a few alive at once";
}

// 3M leaves once peaked at 6.2 GiB and 10M passed 12 GiB in the coroutines
// model with nothing refusing them (the range allows 100M): the executor may
// hold the whole tree at once, each task's frames on the heap.
TEST(Validate, RefusesCoroutineFramesBeyondTheMachinesMemory) {
    std::vector<Model> const coroutines{Model::coroutines};
    auto const problem = Spec::describe().validate(values(100'000'000), coroutines);
    EXPECT_NE(problem.find("leaves=100000000 is a tree of 111111111 coroutines"), std::string::npos) << problem;
    EXPECT_NE(problem.find("lower --leaves"), std::string::npos) << problem;
    EXPECT_EQ(Spec::describe().validate(values(1'000'000), coroutines), "");
}

// The decision, with the machine's memory given: tasks x bytes against it, and how many fit.
TEST(MemoryRefusal, ComparesWithTheMemoryGivenAndSaysHowManyFit) {
    std::uint64_t const one_gib = std::uint64_t{1} << 30;
    EXPECT_EQ(limits::memory_refusal("x", one_gib / 768, 768, "leaves", "coroutines", one_gib), "");
    auto const problem = limits::memory_refusal("leaves=9 is a tree of 4194304 coroutines", 4 * (one_gib / 1024), 1024, "leaves",
                                                "coroutines", one_gib);
    EXPECT_EQ(problem, "leaves=9 is a tree of 4194304 coroutines that need about 4 GiB (about 1024 bytes each, all alive at once), "
                       "more than this machine's 1 GiB of memory (1048576 fit); lower --leaves or leave coroutines out of --models");
    // an arm64 server with 1 TiB holds what this one cannot
    EXPECT_EQ(limits::memory_refusal("x", 4 * (one_gib / 1024), 1024, "leaves", "coroutines", 1024 * one_gib), "");
}

// coroutine_task_bytes is what validate counts per task: the heap one takes must stay below it.
TEST(CoroutineTaskBytes, BoundsTheHeapATaskTakes) {
    for (std::uint64_t fanout : {2, 10, 1000}) {
        Params const p{.leaves = 20'000, .fanout = fanout, .threads = 2};
        CaseMetrics metrics;
        ASSERT_NO_THROW(metrics = run_model<Spec>(Model::coroutines, p, 0));
        if (std::isnan(metrics.heap_allocated_bytes)) GTEST_SKIP() << "no heap counts in sanitizer builds";
        double const per_task = metrics.heap_allocated_bytes / static_cast<double>(task_count(p.leaves, fanout));
        EXPECT_LE(per_task, static_cast<double>(coroutine_task_bytes)) << "fanout " << fanout;
        EXPECT_GT(per_task, static_cast<double>(coroutine_task_bytes) / 4) << "fanout " << fanout << ": the bound is far too loose";
    }
}

}  // namespace
}  // namespace conclab::task_tree
