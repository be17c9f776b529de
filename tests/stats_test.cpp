// The measurement's arithmetic: the latency histogram against a sorted
// reference (within its stated precision, 1/1024), its lock-free recorder
// under many threads, and the repetition statistics on known inputs.
#include "scenarios/contract.hpp"
#include "src/aggregate.hpp"
#include "src/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

namespace conclab {
namespace {

// Log-uniform values from 1 ns to ~10 s, reproducible.
std::vector<std::uint64_t> sample(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint64_t> values;
    for (std::size_t i = 0; i < n; ++i) {
        double const u = static_cast<double>(contract::mix(seed + i) >> 11) * 0x1.0p-53;
        values.push_back(static_cast<std::uint64_t>(std::exp(u * std::log(1e10))));
    }
    return values;
}

std::uint64_t nearest_rank(std::vector<std::uint64_t> const& sorted, double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

TEST(Histogram, PercentilesMatchASortedReferenceWithinOnePartIn1024) {
    for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
        auto values = sample(20'000, seed);
        Histogram h;
        for (auto v : values) h.record(v);
        std::sort(values.begin(), values.end());
        EXPECT_EQ(h.count(), values.size());
        EXPECT_EQ(h.min(), values.front());
        EXPECT_EQ(h.max(), values.back());
        for (double q : {0.0001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
            auto const exact = nearest_rank(values, q);
            auto const got = h.percentile(q);
            EXPECT_GE(got, exact) << "q=" << q;
            EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * (1 + 1.0 / 1024)) << "q=" << q;
        }
    }
}

TEST(Histogram, IsExactBelow2048AndClampsAtItsMaximum) {
    Histogram h;
    for (std::uint64_t v = 0; v < 2048; ++v) h.record(v);
    for (std::uint64_t v = 1; v < 2048; v += 97) EXPECT_EQ(h.percentile(static_cast<double>(v + 1) / 2048), v);
    Histogram big;
    big.record(UINT64_MAX);
    EXPECT_EQ(big.count(), 1U);
    EXPECT_EQ(big.max(), UINT64_MAX);  // the exact maximum is kept
    EXPECT_EQ(histogram_layout::index_of(UINT64_MAX), histogram_layout::counts_length - 1);
}

TEST(Histogram, CountersTileTheValuesWithoutGapsOrOverlaps) {
    for (std::size_t i = 1; i < histogram_layout::counts_length; ++i) {
        ASSERT_EQ(histogram_layout::lowest_at(i), histogram_layout::highest_at(i - 1) + 1) << i;
        ASSERT_EQ(histogram_layout::index_of(histogram_layout::lowest_at(i)), i);
        ASSERT_EQ(histogram_layout::index_of(histogram_layout::highest_at(i)), i);
    }
}

TEST(Histogram, SpectrumRisesFromMinToMax) {
    Histogram h;
    for (auto v : sample(10'000, 9)) h.record(v);
    auto const spectrum = h.spectrum();
    ASSERT_GE(spectrum.size(), 10U);
    EXPECT_EQ(spectrum.front(), (std::pair{0.0, h.min()}));
    EXPECT_EQ(spectrum.back(), (std::pair{100.0, h.max()}));
    for (std::size_t i = 1; i < spectrum.size(); ++i) {
        EXPECT_LT(spectrum[i - 1].first, spectrum[i].first);
        EXPECT_LE(spectrum[i - 1].second, spectrum[i].second);
    }
    EXPECT_NE(std::find_if(spectrum.begin(), spectrum.end(), [](auto const& p) { return p.first == 99.9; }), spectrum.end());
}

TEST(LatencyRecorder, ManyThreadsAtOnceLoseNothing) {
    LatencyRecorder recorder;
    auto const values = sample(50'000, 4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (auto v : values) recorder.record(std::chrono::nanoseconds{v});
        });
    }
    for (auto& thread : threads) thread.join();
    Histogram reference;
    for (auto v : values) reference.record(v, 8);
    auto const merged = recorder.merged();
    EXPECT_EQ(merged.count(), reference.count());
    EXPECT_EQ(merged.min(), reference.min());
    EXPECT_EQ(merged.max(), reference.max());
    auto copy = merged;
    EXPECT_EQ(copy.counts(), Histogram{reference}.counts());
}

TEST(LatencyRecorder, DisabledRecordsNothing) {
    LatencyRecorder recorder{false};
    recorder.record(std::chrono::microseconds{5});
    EXPECT_EQ(recorder.merged().count(), 0U);
}

// ---- statistics over repetitions ----

TEST(MedianInterval, CoverageFollowsTheBinomial) {
    EXPECT_DOUBLE_EQ(median_interval_coverage(5, 1), 1 - 2.0 / 32);      // 93.75%
    EXPECT_DOUBLE_EQ(median_interval_coverage(6, 1), 1 - 2.0 / 64);      // 96.875%
    EXPECT_NEAR(median_interval_coverage(9, 2), 1 - 2.0 * 10 / 512, 1e-12);
    EXPECT_EQ(median_interval_coverage(1, 1), 0);
    EXPECT_EQ(median_interval_coverage(4, 3), 0);  // not an interval
}

TEST(Summarize, GivesTheTightestIntervalOfAtLeast95Percent) {
    std::vector<double> values;
    for (int i = 9; i >= 1; --i) values.push_back(i);  // 9..1
    auto const s = summarize(values);
    EXPECT_EQ(s.median, 5);
    EXPECT_EQ(s.ci_low, 2);  // x(2)
    EXPECT_EQ(s.ci_high, 8);  // x(8)
    EXPECT_NEAR(s.ci_level, 0.9609375, 1e-12);
    auto const few = summarize(std::vector<double>{3, 1, 2, 5, 4});
    EXPECT_EQ(few.ci_low, 1);
    EXPECT_EQ(few.ci_high, 5);
    EXPECT_DOUBLE_EQ(few.ci_level, 0.9375);  // the best 5 runs can give
}

TEST(Summarize, GivesCoefficientOfVariationAndTukeyOutliers) {
    auto const s = summarize(std::vector<double>{1, 2, 3, 4, 5});
    EXPECT_DOUBLE_EQ(s.mean, 3);
    EXPECT_NEAR(s.cv, std::sqrt(2.5) / 3, 1e-12);
    EXPECT_TRUE(s.outliers.empty());
    auto const with_outlier = summarize(std::vector<double>{10, 11, no_value, 12, 13, 100});
    ASSERT_EQ(with_outlier.outliers.size(), 1U);
    EXPECT_EQ(with_outlier.outliers[0], 5U);  // position in the input, NaNs counted
    EXPECT_TRUE(std::isnan(summarize(std::vector<double>{7}).cv));
}

TEST(Summarize, OverlapTellsWhetherTwoModelsCanBeRanked) {
    auto const a = summarize(std::vector<double>{10, 11, 12, 13, 14, 15});
    auto const b = summarize(std::vector<double>{14, 15, 16, 17, 18, 19});
    auto const c = summarize(std::vector<double>{30, 31, 32, 33, 34, 35});
    EXPECT_TRUE(overlap(a, b));
    EXPECT_FALSE(overlap(a, c));
}

}  // namespace
}  // namespace conclab
