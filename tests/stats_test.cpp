// The measurement's arithmetic: the latency histogram against a sorted
// reference (within its stated precision, 1/1024), its lock-free recorder
// under many threads, and the repetition statistics on known inputs.
#include "scenarios/contract.hpp"
#include "src/kit/histogram.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/compare.hpp"
#include "src/results/provenance.hpp"
#include "src/results/scaling.hpp"

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

// ---- comparing two sets of repetitions ----

TEST(MannWhitney, ExactForSmallSamplesWithoutTies) {
    std::vector<double> const low{1, 2, 3, 4, 5}, high{6, 7, 8, 9, 10};
    EXPECT_NEAR(mann_whitney_p(high, low), 2.0 / 252, 1e-12);  // the most extreme of C(10,5) arrangements, both sides
    EXPECT_NEAR(mann_whitney_p(low, high), 2.0 / 252, 1e-12);
    EXPECT_NEAR(mann_whitney_p(std::vector<double>{4, 5, 6}, std::vector<double>{1, 2, 3}), 0.1, 1e-12);  // 3 vs 3: never below 0.1
    std::vector<double> const mixed{1, 3, 5, 7, 9}, other{2, 4, 6, 8, 10};
    EXPECT_GT(mann_whitney_p(mixed, other), 0.5);
}

TEST(MannWhitney, ApproximatesWithTiesAndLargeSamples) {
    std::vector<double> const same{5, 5, 5, 5, 5};
    EXPECT_DOUBLE_EQ(mann_whitney_p(same, same), 1.0);
    std::vector<double> a, b;
    for (int i = 0; i < 30; ++i) {
        a.push_back(100 + i % 7);
        b.push_back(90 + i % 7);
    }
    EXPECT_LT(mann_whitney_p(a, b), 1e-6);
    EXPECT_DOUBLE_EQ(mann_whitney_p(a, std::vector<double>{}), 1.0);
}

CaseRuns runs_of(std::vector<double> const& throughputs) {
    CaseRuns c{"worker-pool", {{"jobs", 10ULL}}, Model::tbb, {}};
    for (double t : throughputs) {
        CaseMetrics m;
        m.throughput_per_s = t;
        m.latency_p99_us = 1e6 / t;
        c.runs.push_back(m);
    }
    return c;
}

// One case at `params`, its runs with these throughputs and OS threads.
CaseRuns case_at(Model model, ParamValues params, std::vector<double> const& throughputs, double os_threads) {
    CaseRuns c{"worker-pool", std::move(params), model, {}};
    for (double t : throughputs) {
        CaseMetrics m;
        m.throughput_per_s = t;
        m.os_threads = os_threads;
        c.runs.push_back(m);
    }
    return c;
}

TEST(Scaling, SpeedupAndEfficiencyAgainstOneThreadOnTheAxisThatSetsTheThreads) {
    std::vector<CaseRuns> const cases{
        // fibers: --threads sets its OS threads
        case_at(Model::fibers, {{"threads", 1ULL}, {"workers", 8ULL}}, {99, 100, 101}, 3),
        case_at(Model::fibers, {{"threads", 2ULL}, {"workers", 8ULL}}, {190, 189, 191}, 4),
        case_at(Model::fibers, {{"threads", 4ULL}, {"workers", 8ULL}}, {300, 300, 300}, 6),
        // threads, the control group: --threads is no knob of it, its workers are (an OS thread each)
        case_at(Model::threads, {{"threads", 1ULL}, {"workers", 1ULL}}, {50}, 3),
        case_at(Model::threads, {{"threads", 4ULL}, {"workers", 1ULL}}, {51}, 3),
        case_at(Model::threads, {{"threads", 1ULL}, {"workers", 2ULL}}, {100}, 4),
        case_at(Model::threads, {{"threads", 1ULL}, {"workers", 8ULL}}, {200}, 10),
        // tbb: only one thread count here, so no curve, and said so
        case_at(Model::tbb, {{"threads", 1ULL}, {"workers", 8ULL}}, {400}, 3),
    };
    std::vector<CaseRuns const*> pointers;
    for (auto const& c : cases) pointers.push_back(&c);
    auto const curves = scaling(pointers, {"threads", "workers"});
    ASSERT_EQ(curves.series.size(), 2U);  // fibers; threads at threads=1 (at threads=4 one point: no curve)
    auto const& fibers = curves.series[0];
    EXPECT_EQ(fibers.model, "fibers");
    EXPECT_EQ(fibers.axis, "threads");
    EXPECT_TRUE(fibers.others.empty());  // workers is the same in all its cases: no panel of its own
    ASSERT_EQ(fibers.points.size(), 3U);
    EXPECT_DOUBLE_EQ(fibers.points[1].speedup, 1.9);
    EXPECT_DOUBLE_EQ(fibers.points[1].efficiency, 0.95);
    EXPECT_DOUBLE_EQ(fibers.points[2].speedup, 3.0);
    EXPECT_DOUBLE_EQ(fibers.points[2].efficiency, 0.75);
    auto const& threads = curves.series[1];
    EXPECT_EQ(threads.model, "threads");
    EXPECT_EQ(threads.axis, "workers");
    EXPECT_EQ(threads.others.at("threads"), ParamValue{1ULL});
    ASSERT_EQ(threads.points.size(), 3U);
    EXPECT_DOUBLE_EQ(threads.points[2].speedup, 4.0);
    EXPECT_EQ(curves.without_axis, (std::vector<std::string>{"tbb"}));
    EXPECT_FALSE(scaling_note(2, 2).empty());  // two points: said to need more cores
    EXPECT_FALSE(scaling_note(64, 2).empty());
    EXPECT_TRUE(scaling_note(16, 16).empty());
    auto const table = scaling_markdown(curves, 2);
    EXPECT_NE(table.find("| fibers | 1.00x (100%) | 1.90x (95%) | 3.00x (75%) |"), std::string::npos) << table;
    EXPECT_NE(table.find("No curve for tbb"), std::string::npos) << table;
    EXPECT_TRUE(scaling({&cases[0]}, {"workers"}).series.empty());  // threads not swept: no curve
}

TEST(Provenance, NamesWhatDiffersAndWhereAndOnlyThat) {
    std::vector<Provenance> const same{{"a.json", "Xeon, 2 logical CPUs", "release, gcc 12, -O3", "abc"},
                                       {"b.json", "Xeon, 2 logical CPUs", "release, gcc 12, -O3", "abc"}};
    auto const none = differences(same);
    EXPECT_FALSE(none.machines || none.builds || none.commits);
    EXPECT_TRUE(none.lines.empty());
    std::vector<Provenance> const other{{"a.json", "Xeon, 2 logical CPUs", "release, gcc 12, -O3", "abc"},
                                        {"b.json", "EPYC, 64 logical CPUs", "", "def"},
                                        {"c.json", "EPYC, 64 logical CPUs", "debug, gcc 12, -O0 -g", "def"}};
    auto const found = differences(other);
    EXPECT_TRUE(found.machines);
    EXPECT_TRUE(found.builds);  // b.json recorded no flags: not held against the others, c.json's are
    EXPECT_TRUE(found.commits);
    ASSERT_EQ(found.lines.size(), 3U);
    EXPECT_EQ(found.lines[0], "machines differ: Xeon, 2 logical CPUs (a.json); EPYC, 64 logical CPUs (b.json and 1 more)");
    auto const unknown = differences({{"a.json", "Xeon", "", "abc"}, {"b.json", "Xeon", "release, gcc 12, -O3", "abc"}});
    EXPECT_FALSE(unknown.builds);
}

TEST(Compare, FlagsAPlantedRegressionAndNotNoise) {
    std::vector<CaseRuns> const base{runs_of({100, 101, 99, 102, 98})};
    auto const slower = compare(base, {runs_of({80, 81, 79, 82, 78})});
    ASSERT_EQ(slower.cases.size(), 1U);
    EXPECT_EQ(slower.cases[0].metrics[0].metric, "throughput_per_s");
    EXPECT_EQ(slower.cases[0].metrics[0].verdict, -1);
    EXPECT_NEAR(slower.throughput_geomean, 0.8, 1e-12);
    EXPECT_EQ(regressions(slower, 10).size(), 2U);  // throughput and p99
    // the change's interval: the run-by-run ratios new/base at the order statistics for 95% (5 vs 5: [0.77, 0.83] or so)
    auto const& change = slower.cases[0].metrics[0].change;
    EXPECT_NEAR(change.ratio, 0.8, 1e-12);
    EXPECT_LT(change.low, 0.8);
    EXPECT_GT(change.high, 0.8);
    EXPECT_GT(change.low, 0.76);
    EXPECT_LT(change.high, 0.84);
    EXPECT_GE(change.confidence, 0.95);
    EXPECT_EQ(slower.cases[0].metrics[0].base_spread.n, 5U);
    auto const text = format_comparison(slower);
    EXPECT_NE(text.find("-20.0% ["), std::string::npos) << text;
    EXPECT_EQ(text.find("e+"), std::string::npos) << text;
    EXPECT_TRUE(regressions(slower, 30).empty());
    auto const noise = compare(base, {runs_of({99, 102, 100, 98, 101})});
    EXPECT_EQ(noise.cases[0].metrics[0].verdict, 0);
    EXPECT_TRUE(regressions(noise, 0).empty());
    auto const unmatched = compare(base, {CaseRuns{"worker-pool", {{"jobs", 11ULL}}, Model::tbb, {}}});
    EXPECT_TRUE(unmatched.cases.empty());
    EXPECT_EQ(unmatched.only_in_base, 1U);
    EXPECT_EQ(unmatched.only_in_new, 1U);
}

}  // namespace
}  // namespace conclab
