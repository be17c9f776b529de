// worker-pool is correct in every model over a table of parameter sets:
// every job done exactly once and the checksum equal to the sequential one.
// meson registers this binary once per model (suite = the model's token).
#include "scenarios/registry.hpp"
#include "scenarios/worker_pool/worker_pool.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>

namespace conclab::worker_pool {
namespace {

struct Case {
    std::string name;
    Params params;
};

// jobs, workers, work, buffer, wait_us, threads[, arrivals, record_latency, alloc_bytes]
Case const cases[] = {
    {"no_jobs", {0, 4, 10, 8, 0, 2}},
    {"one_job", {1, 4, 10, 8, 0, 2}},
    {"more_workers_than_jobs", {5, 64, 10, 8, 0, 2}},
    {"unbuffered", {2000, 8, 10, 0, 0, 2}},
    {"buffer_1", {2000, 8, 10, 1, 0, 2}},
    {"buffer_larger_than_jobs", {2000, 8, 10, 4096, 0, 2}},
    {"no_work", {5000, 8, 0, 16, 0, 2}},
    {"heavy_work", {500, 4, 10000, 16, 0, 2}},
    {"wait_us", {200, 16, 10, 8, 200, 2}},
    {"one_thread", {3000, 8, 10, 8, 0, 1}},
    {"one_thread_unbuffered", {1000, 8, 10, 0, 0, 1}},
    {"one_thread_wait_us", {100, 8, 10, 4, 100, 1}},
    {"one_worker", {1000, 1, 10, 0, 0, 2}},
    {"many_workers", {3000, 500, 10, 32, 0, 2}},
    {"more_threads_than_cores", {2000, 8, 10, 8, 0, 8}},
    {"open_loop_constant", {500, 8, 10, 8, 0, 2, {20'000, false, 0}}},
    {"open_loop_poisson", {500, 8, 10, 8, 0, 2, {20'000, true, 7}}},
    {"no_latency_recording", {2000, 8, 10, 8, 0, 2, {}, false}},
    {"allocating", {2000, 8, 10, 8, 0, 2, {}, true, 10000}},
};

class WorkerPool : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(WorkerPool, DoesEveryJobOnceAndMatchesTheSequentialChecksum) {
    auto const& [model, c] = GetParam();
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(model, c.params, /*warmup=*/1));
    EXPECT_EQ(metrics.checksum, expected_checksum(c.params));
    EXPECT_EQ(metrics.expected_checksum, expected_checksum(c.params));
    EXPECT_EQ(metrics.items, c.params.jobs);
    EXPECT_EQ(metrics.latency_count, c.params.record_latency ? c.params.jobs : 0);
    if (c.params.arrivals.open()) {
        EXPECT_EQ(metrics.rate_requested, c.params.arrivals.rate);
        EXPECT_GT(metrics.rate_achieved, 0);
        EXPECT_TRUE(metrics.saturated == 0 || metrics.saturated == 1);
    } else {
        EXPECT_TRUE(std::isnan(metrics.rate_requested));
    }
    if (c.params.jobs > 0 && c.params.record_latency) {
        EXPECT_LE(metrics.latency_p50_us, metrics.latency_p99_us);
        EXPECT_LE(metrics.latency_p99_us, metrics.latency_max_us);
    }
    // Each job allocates its buffer (counted where the heap is counted: not under sanitizers)
    if (c.params.alloc_bytes > 0 && !std::isnan(metrics.heap_allocated_bytes)) {
        EXPECT_GE(metrics.heap_allocated_bytes, static_cast<double>(c.params.jobs * c.params.alloc_bytes));
    }
    // The wait is done by every model, so a job takes at least wait_us
    // from its start; this checks the parameter is honoured, not a speed.
    if (c.params.wait_us > 0) {
        EXPECT_GE(metrics.latency_max_us, static_cast<double>(c.params.wait_us));
    }
}

INSTANTIATE_TEST_SUITE_P(Models, WorkerPool, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases)),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

// Open loop: jobs due 4 times faster than one worker can do them (each
// waits 1 ms). Latency counts from when a job was due, so the backlog shows
// in the tail: job 190 is due at 47.5 ms and cannot be done before 190 ms
// (timers do not fire early). This checks the bookkeeping, not a speed.
class OpenLoop : public testing::TestWithParam<Model> {};

TEST_P(OpenLoop, OverloadShowsInTheTailAndIsFlaggedSaturated) {
    auto const model = GetParam();
    Params p{.jobs = 200, .workers = 1, .work = 0, .buffer = 8, .wait_us = 1000, .threads = 1,
             .arrivals = {4000, false, 0}, .record_latency = true};
    auto const metrics = run_model<Spec>(model, p, /*warmup=*/0);
    EXPECT_GE(metrics.latency_p99_us, 100'000);
    EXPECT_EQ(metrics.saturated, 1);
}

INSTANTIATE_TEST_SUITE_P(Models, OpenLoop, testing::ValuesIn(all_models),
                         [](auto const& info) { return std::string{token(info.param)} + "__"; });

TEST(ExpectedChecksum, IsTheSumOfJobResults) {
    Params p;
    p.jobs = 3;
    p.work = 2;
    EXPECT_EQ(expected_checksum(p), contract::job_result(0, 2) + contract::job_result(1, 2) + contract::job_result(2, 2));
    p.jobs = 0;
    EXPECT_EQ(expected_checksum(p), 0U);
}

Done done_for(std::uint64_t i) { return Done{i, contract::job_result(i, 0), Clock::now()}; }

Schedule const closed_loop{Arrivals{}, 0};

TEST(Ledger, IsCleanWhenEveryJobIsRecordedOnce) {
    Ledger ledger{3, closed_loop};
    for (std::uint64_t i = 0; i < 3; ++i) ledger.record(done_for(i));
    EXPECT_EQ(ledger.problems(), "");
}

TEST(Ledger, ReportsMissingRepeatedAndStrayJobs) {
    Ledger ledger{4, closed_loop};
    ledger.record(done_for(0));
    ledger.record(done_for(0));
    ledger.record(done_for(2));
    ledger.record(done_for(9));
    auto const problems = ledger.problems();
    EXPECT_NE(problems.find("2 job(s) never done (first: job 1)"), std::string::npos) << problems;
    EXPECT_NE(problems.find("1 job(s) done more than once (first: job 0)"), std::string::npos) << problems;
    EXPECT_NE(problems.find("1 result(s) for jobs that do not exist"), std::string::npos) << problems;
}

Params small() {
    Params p;
    p.jobs = 10;
    p.work = 3;
    return p;
}

TEST(Measure, RejectsAWrongChecksum) {
    auto const once = [](Ledger& ledger) {
        for (std::uint64_t i = 0; i < 10; ++i) ledger.record(done_for(i));
        return std::uint64_t{42};
    };
    EXPECT_THROW(measure(small(), 0, once), WrongAnswer);
}

TEST(Measure, RejectsAJobDoneTwiceEvenWithTheRightChecksum) {
    auto const once = [](Ledger& ledger) {
        for (std::uint64_t i = 0; i < 10; ++i) ledger.record(done_for(i));
        ledger.record(done_for(3));
        return expected_checksum(small());
    };
    EXPECT_THROW(measure(small(), 0, once), WrongAnswer);
}

TEST(Measure, RejectsAWrongWarmUpRunToo) {
    int calls = 0;
    auto const once = [&calls](Ledger& ledger) {
        ++calls;
        for (std::uint64_t i = 0; i < 10; ++i) ledger.record(done_for(i));
        return calls == 1 ? std::uint64_t{0} : expected_checksum(small());
    };
    EXPECT_THROW(measure(small(), 1, once), WrongAnswer);
    EXPECT_EQ(calls, 1);
}

TEST(Measure, FillsTheMetricsOfAGoodRun) {
    auto const once = [](Ledger& ledger) {
        for (std::uint64_t i = 0; i < 10; ++i) ledger.record(done_for(i));
        return expected_checksum(small());
    };
    auto const metrics = measure(small(), 2, once);
    EXPECT_EQ(metrics.items, 10U);
    EXPECT_EQ(metrics.latency_count, 10U);
    EXPECT_EQ(metrics.checksum, expected_checksum(small()));
    EXPECT_GT(metrics.peak_rss_bytes, 0);
}

}  // namespace
}  // namespace conclab::worker_pool
