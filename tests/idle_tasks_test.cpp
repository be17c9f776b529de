// idle-tasks is correct in every model: every task woke exactly once, after
// its wait, with the reference checksum. meson registers this binary once
// per model. The waits are short; nothing here is a speed.
#include "scenarios/idle_tasks/idle_tasks.hpp"
#include "scenarios/registry.hpp"

#include "scenarios/contract.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

namespace conclab::idle_tasks {
namespace {

struct Case {
    std::string name;
    Params params;
};

// tasks, wait_ms, threads, stack_bytes
Case const cases[] = {
    {"one_task", {1, 10, 2, 16 * 1024}},
    {"no_wait", {500, 0, 2, 16 * 1024}},
    {"thousand_tasks", {1000, 50, 2, 16 * 1024}},
    {"one_thread", {1000, 20, 1, 16 * 1024}},
    {"more_threads_than_cores", {1000, 20, 8, 16 * 1024}},
    {"larger_fiber_stacks", {500, 20, 2, 256 * 1024}},
};

class IdleTasks : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(IdleTasks, EveryTaskWakesOnceAfterItsWait) {
    auto const& [model, c] = GetParam();
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(model, c.params, /*warmup=*/1));
    EXPECT_EQ(metrics.checksum, expected_checksum(c.params.tasks));
    EXPECT_EQ(metrics.items, c.params.tasks);
    EXPECT_EQ(metrics.latency_count, c.params.tasks) << "one wake-up lateness per task";
    auto const peak = extra_value(metrics, "peak_alive");
    EXPECT_GE(peak, 1);
    EXPECT_LE(peak, static_cast<double>(c.params.tasks));
    EXPECT_GE(extra_value(metrics, "spawn_s"), 0);
    EXPECT_LE(extra_value(metrics, "spawn_s"), metrics.wall_s);
    // a timer never fires early: the run lasts at least one wait (a lower bound, not a speed)
    EXPECT_GE(metrics.wall_s, static_cast<double>(c.params.wait_ms) / 1000);
    EXPECT_GE(metrics.latency_p50_us, 0) << "lateness is measured from the due time";
    EXPECT_DOUBLE_EQ(metrics.tasks, peak) << "memory per task counts the tasks alive at once";
}

INSTANTIATE_TEST_SUITE_P(Models, IdleTasks, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases)),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

TEST(ExpectedChecksum, IsTheSumOfMixOverTheTasks) {
    EXPECT_EQ(expected_checksum(0), 0U);
    EXPECT_EQ(expected_checksum(2), contract::mix(0) + contract::mix(1));
}

TEST(Tally, CountsAliveTasksAndTheirWakeUps) {
    Tally tally;
    Params const p{.tasks = 3, .wait_ms = 5};
    auto const due0 = tally.enter(p);
    auto const due1 = tally.enter(p);
    tally.leave(0, due0);
    tally.enter(p);
    tally.leave(1, due1);
    EXPECT_EQ(tally.peak_alive(), 2U);
    EXPECT_EQ(tally.woken(), 2U);
    EXPECT_EQ(tally.checksum(), contract::mix(0) + contract::mix(1));
    EXPECT_GE(due1 - due0, Clock::duration::zero());
}

TEST(Measure, RejectsATaskThatWokeTwiceOrNever) {
    Params const p{.tasks = 2, .wait_ms = 0};
    auto const right = expected_checksum(2);
    EXPECT_THROW(measure(p, 0, [&](Tally& tally) {
        auto const due = tally.enter(p);
        tally.leave(0, due);
        return right;  // the right sum, but only one task woke
    }), WrongAnswer);
    EXPECT_THROW(measure(p, 0, [&](Tally& tally) {
        for (std::uint64_t i = 0; i < 2; ++i) tally.leave(i, tally.enter(p));
        return right + 1;
    }), WrongAnswer);
    EXPECT_NO_THROW(measure(p, 0, [&](Tally& tally) {
        for (std::uint64_t i = 0; i < 2; ++i) tally.leave(i, tally.enter(p));
        return tally.checksum();
    }));
}

ParamValues values(std::uint64_t tasks) {
    auto v = defaults(Spec::describe().params);
    v["tasks"] = tasks;
    return v;
}

TEST(Validate, RefusesWhatAModelCannotHoldAndSaysWhy) {
    std::vector<Model> const threads{Model::threads};
    EXPECT_NE(Spec::describe().validate(values(1'000'000), threads).find("OS threads"), std::string::npos);
    EXPECT_EQ(Spec::describe().validate(values(10'000), threads), "");
    std::vector<Model> const tbb{Model::tbb};
    EXPECT_NE(Spec::describe().validate(values(1'000'000), tbb).find("vm.max_map_count"), std::string::npos);
    std::vector<Model> const light{Model::fibers, Model::coroutines};
    EXPECT_EQ(Spec::describe().validate(values(1'000'000), light), "") << "a million 16 KiB stacks fit in 24 GiB";
    std::vector<Model> const coroutines{Model::coroutines};
    auto const problem = Spec::describe().validate(values(1'000'000'000), coroutines);
    EXPECT_NE(problem.find("tasks=1000000000 waiting coroutines that need about"), std::string::npos) << problem;
}

// coroutine_task_bytes is what validate counts per waiting task: the heap one takes must stay below it.
TEST(CoroutineTaskBytes, BoundsTheHeapAWaitingTaskTakes) {
    Params const p{.tasks = 20'000, .wait_ms = 1, .threads = 2};
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(Model::coroutines, p, 0));
    if (std::isnan(metrics.heap_allocated_bytes)) GTEST_SKIP() << "no heap counts in sanitizer builds";
    double const per_task = metrics.heap_allocated_bytes / static_cast<double>(p.tasks);
    EXPECT_LE(per_task, static_cast<double>(coroutine_task_bytes));
    EXPECT_GT(per_task, static_cast<double>(coroutine_task_bytes) / 4) << "the bound is far too loose";
}

}  // namespace
}  // namespace conclab::idle_tasks
