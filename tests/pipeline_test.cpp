// pipeline is correct in every model over a table of parameter sets: every
// item through all three stages exactly once, and the sum equal to the
// sequential one. meson registers this binary once per model.
#include "scenarios/limits.hpp"
#include "scenarios/pipeline/pipeline.hpp"
#include "scenarios/registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace conclab::pipeline {
namespace {

struct Case {
    std::string name;
    Params params;
};

// items, work, parallelism, buffer, threads
Case const cases[] = {
    {"no_items", {0, 10, 2, 8, 2}},
    {"one_item", {1, 10, 2, 8, 2}},
    {"one_transformer", {2000, 10, 1, 8, 2}},
    {"wide_transform", {2000, 10, 64, 8, 2}},
    {"buffer_1", {2000, 10, 4, 1, 2}},
    {"buffer_larger_than_items", {2000, 10, 4, 4096, 2}},
    {"no_work", {5000, 0, 4, 16, 2}},
    {"heavy_work", {300, 10000, 4, 16, 2}},
    {"one_thread", {2000, 10, 4, 8, 1}},
    {"more_threads_than_cores", {2000, 10, 4, 8, 8}},
    {"open_loop_poisson", {500, 10, 4, 8, 2, {20'000, true, 3}}},
    {"no_latency_recording", {2000, 10, 4, 8, 2, {}, false}},
};

class Pipeline : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(Pipeline, EveryItemPassesEveryStageOnce) {
    auto const& [model, c] = GetParam();
    auto const expected = worker_pool::expected_checksum(c.params.as_worker_pool());
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(model, c.params, /*warmup=*/1));
    EXPECT_EQ(metrics.checksum, expected);
    EXPECT_EQ(metrics.expected_checksum, expected);
    EXPECT_EQ(metrics.items, c.params.items);
    EXPECT_EQ(metrics.latency_count, c.params.record_latency ? c.params.items : 0);
    if (c.params.items > 0 && c.params.record_latency) {
        EXPECT_LE(metrics.latency_p50_us, metrics.latency_max_us);
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Pipeline, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases)),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

TEST(Params, DescribeTheSameRunAsWorkerPool) {
    Params const p{.items = 7, .work = 3, .parallelism = 5, .buffer = 9, .threads = 2};
    auto const w = p.as_worker_pool();
    EXPECT_EQ(w.jobs, 7U);
    EXPECT_EQ(w.work, 3U);
    EXPECT_EQ(w.workers, 5U);
    EXPECT_EQ(w.buffer, 9U);
    EXPECT_EQ(w.wait_us, 0U);
    EXPECT_EQ(p.tokens(), 2 * 9 + 5U) << "tbb holds in flight what two channels and the transformers hold";
}

TEST(Validate, RefusesMoreTransformThreadsThanTheCap) {
    auto v = defaults(Spec::describe().params);
    v["parallelism"] = std::uint64_t{20'000};
    std::vector<Model> const threads{Model::threads};
    EXPECT_NE(Spec::describe().validate(v, threads).find("OS threads"), std::string::npos);
    std::vector<Model> const fibers{Model::fibers};
    EXPECT_EQ(Spec::describe().validate(v, fibers), "");
}

// 100,000 transform fibers of 128 KiB are 12 GiB of stacks: refused on a
// machine with less (the decision with the memory given), and validate asks
// the same question with this machine's memory.
TEST(Validate, RefusesTransformFibersWhoseStacksExceedTheMachinesMemory) {
    std::uint64_t const gib = std::uint64_t{1} << 30;
    auto const refused = limits::fiber_stacks_refusal("parallelism", 100'000, limits::fiber_stack_bytes, 8 * gib);
    EXPECT_EQ(refused, "parallelism=100000 fibers need 12 GiB of 128 KiB stacks, more than this machine's 8 GiB of memory; "
                       "lower --parallelism or leave fibers out of --models");
    EXPECT_EQ(limits::fiber_stacks_refusal("parallelism", 100'000, limits::fiber_stack_bytes, 16 * gib), "");
    auto v = defaults(Spec::describe().params);
    v["parallelism"] = std::uint64_t{100'000};
    std::vector<Model> const fibers{Model::fibers};
    EXPECT_EQ(Spec::describe().validate(v, fibers), limits::fiber_stacks_refusal("parallelism", 100'000, limits::fiber_stack_bytes));
}

}  // namespace
}  // namespace conclab::pipeline
