// The microbenchmarks' thread counts come from the machine's core count
// (bench/thread_counts.hpp): checked here with other machines' counts injected.
#include "bench/thread_counts.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {
using conclab::bench::machine_cores;
using conclab::bench::thread_counts;
using Counts = std::vector<int>;

TEST(ThreadCounts, DoubleFromOneThenEveryCore) {
    EXPECT_EQ(thread_counts(1), Counts{1});
    EXPECT_EQ(thread_counts(2), (Counts{1, 2}));
    EXPECT_EQ(thread_counts(12), (Counts{1, 2, 4, 8, 12}));
    EXPECT_EQ(thread_counts(64), (Counts{1, 2, 4, 8, 16, 32, 64}));
    EXPECT_EQ(thread_counts(0), Counts{1});  // an unknown count is one core
}

TEST(ThreadCounts, MinimumLeavesOutWhatCannotRunAndStillRunsOnOneCore) {
    EXPECT_EQ(thread_counts(12, 2), (Counts{2, 4, 8, 12}));
    EXPECT_EQ(thread_counts(2, 2), Counts{2});
    EXPECT_EQ(thread_counts(1, 2), Counts{2});  // oversubscribed, but a steal needs two threads
}

TEST(ThreadCounts, EnvironmentCapsTheMachine) {
    ::setenv("CONCLAB_BENCH_THREADS", "6", 1);
    EXPECT_EQ(machine_cores(), 6U);
    auto const own = std::max(1U, std::thread::hardware_concurrency());
    ::setenv("CONCLAB_BENCH_THREADS", "zero", 1);  // not a number: the machine's own count
    EXPECT_EQ(machine_cores(), own);
    ::setenv("CONCLAB_BENCH_THREADS", "-3", 1);
    EXPECT_EQ(machine_cores(), own);
    ::unsetenv("CONCLAB_BENCH_THREADS");
}

}  // namespace
