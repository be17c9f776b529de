// The runner's own logic: parameters, percentiles, summaries, run order,
// the JSON round trip of a case, and what a misbehaving case process
// turns into (never a hang, never a crash of the runner).
#include "src/kit/cpus.hpp"
#include "src/kit/latency.hpp"
#include "src/kit/params.hpp"
#include "src/kit/stopwatch.hpp"
#include "src/results/aggregate.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/child.hpp"
#include "src/runner/runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <sys/stat.h>

namespace conclab {
namespace {

ParamSpec const jobs{"jobs", 10ULL, 0, 1000, "jobs", "all", {}};
ParamSpec const wait{"wait_us", 0ULL, 0, 10, "wait", "all", {}};
ParamSpec const mode{"keepalive", std::string{"on"}, 0, 0, "reuse connections", "all", {"on", "off"}};
ParamSpec const target{"target", std::string{}, 0, 0, "URL", "all", {}};

TEST(ParseParam, AcceptsNumbersInRange) {
    EXPECT_EQ(parse_param(jobs, "0"), ParamValue{0ULL});
    EXPECT_EQ(parse_param(jobs, "1000"), ParamValue{1000ULL});
}

TEST(ParseParam, TextsTakeTheirChoicesOrAnything) {
    EXPECT_EQ(parse_param(mode, "off"), ParamValue{std::string{"off"}});
    EXPECT_EQ(parse_param(target, "http://h:1"), ParamValue{std::string{"http://h:1"}});
    try {
        parse_param(mode, "yes");
        FAIL();
    } catch (UsageError const& e) {
        EXPECT_STREQ(e.what(), "--keepalive expects one of on, off, got 'yes'");
    }
}

TEST(ParseParam, ParametersRoundTripThroughJson) {
    ParamValues const values{{"jobs", 12ULL}, {"keepalive", std::string{"off"}}, {"target", std::string{}}};
    EXPECT_EQ(params_from_json(params_to_json(values)), values);
    EXPECT_EQ(format_params({jobs, mode, target}, values), "jobs=12 keepalive=off target=\"\"");
}

TEST(ParseParam, RejectsWhatIsNotAWholeNumberInRange) {
    for (char const* bad : {"", "-1", "1001", "abc", "12x", "1.5", " 5", "99999999999999999999999"}) {
        EXPECT_THROW(parse_param(jobs, bad), UsageError) << bad;
    }
}

TEST(ParseParam, NamesTheFlagTheRangeAndTheInput) {
    try {
        parse_param(wait, "-3");
        FAIL();
    } catch (UsageError const& e) {
        EXPECT_STREQ(e.what(), "--wait-us expects a whole number from 0 to 10, got '-3'");
    }
}

TEST(Percentile, UsesTheNearestRank) {
    Histogram h;  // small values are exact
    for (std::uint64_t v : {10, 20, 30, 40, 50, 60, 70, 80, 90, 100}) h.record(v);
    EXPECT_EQ(h.percentile(0.5), 50U);
    EXPECT_EQ(h.percentile(0.9), 90U);
    EXPECT_EQ(h.percentile(0.99), 100U);
    EXPECT_EQ(h.percentile(0.01), 10U);
    Histogram one;
    one.record(7);
    EXPECT_EQ(one.percentile(0.999), 7U);
}

TEST(SummarizeLatencies, ConvertsToMicrosecondsWithinThePrecision) {
    Histogram h;
    for (std::uint64_t i = 1000; i >= 1; --i) h.record(i * 1000);  // 1..1000 us, reversed
    CaseMetrics m;
    summarize_latencies(h, m);
    EXPECT_EQ(m.latency_count, 1000U);
    // to the histogram's precision: at or above the exact value, within 1/1024
    for (auto [value, exact] : {std::pair{m.latency_p50_us, 500.0}, {m.latency_p90_us, 900.0}, {m.latency_p99_us, 990.0},
                                {m.latency_p999_us, 999.0}}) {
        EXPECT_GE(value, exact);
        EXPECT_LE(value, exact * (1 + 1.0 / 1024));
    }
    EXPECT_DOUBLE_EQ(m.latency_max_us, 1000);  // exact
    ASSERT_FALSE(m.latency_spectrum_us.empty());
    EXPECT_EQ(m.latency_spectrum_us.front(), (std::pair{0.0, 1.0}));
    EXPECT_EQ(m.latency_spectrum_us.back(), (std::pair{100.0, 1000.0}));
}

TEST(SummarizeLatencies, LeavesPercentilesEmptyWithoutValues) {
    CaseMetrics m;
    summarize_latencies(Histogram{}, m);
    EXPECT_EQ(m.latency_count, 0U);
    EXPECT_TRUE(std::isnan(m.latency_p50_us));
    EXPECT_TRUE(m.latency_spectrum_us.empty());
}

TEST(Summarize, GivesMedianMinMaxAndSkipsNaN) {
    std::vector<double> const odd{5, 1, 3};
    auto s = summarize(odd);
    EXPECT_EQ(s.median, 3);
    EXPECT_EQ(s.min, 1);
    EXPECT_EQ(s.max, 5);
    std::vector<double> const even{4, 1, no_value, 3, 2};
    s = summarize(even);
    EXPECT_EQ(s.median, 2.5);
    EXPECT_EQ(s.n, 4U);
    EXPECT_TRUE(std::isnan(summarize(std::vector<double>{}).median));
}

TEST(RunOrder, RotatesSoEachModelGoesFirstInTurn) {
    std::vector<ModelId> const models{Model::fibers, Model::coroutines, Model::tbb, Model::threads};
    EXPECT_EQ(order_for(models, 0), models);
    EXPECT_EQ(order_for(models, 1), (std::vector<ModelId>{Model::coroutines, Model::tbb, Model::threads, Model::fibers}));
    EXPECT_EQ(order_for(models, 4), models);
}

TEST(ModelTokens, RoundTrip) {
    for (Model m : all_models) EXPECT_EQ(parse_model(token(m)), m);
    EXPECT_FALSE(parse_model("goroutines"));
}

TEST(ModelTokens, AVariantIsItsModelSlashAName) {
    EXPECT_EQ(parse_model_id("fibers"), ModelId{Model::fibers});
    EXPECT_EQ(parse_model_id("tbb/suspend"), (ModelId{Model::tbb, "suspend"}));
    EXPECT_EQ(parse_model_id("fibers/guard-pages")->token(), "fibers/guard-pages");
    for (auto const* bad : {"goroutines/x", "fibers/", "fibers/Guard", "fibers/a b", "/x", ""}) EXPECT_FALSE(parse_model_id(bad)) << bad;
}

TEST(CaseJson, RoundTripsEveryMetric) {
    CaseMetrics m;
    m.items = 7;
    m.latency_count = 7;
    m.checksum = 0xFFFFFFFFFFFFFFFFULL;  // beyond a double's exact range: must travel as hex
    m.expected_checksum = m.checksum;
    double value = 1.5;
    for (auto const& metric : metric_list()) m.*metric.field = (value += 1);
    m.latency_p999_us = no_value;
    m.extra = {{"errors_timeout", 3}, {"bytes_per_s", 1.25e6}, {"server_cpu_s", no_value}};
    CaseOutcome const sent{CaseOutcome::Status::ok, "", m};
    auto const back = outcome_from_json(nlohmann::json::parse(outcome_to_json(sent).dump()));
    ASSERT_EQ(back.status, CaseOutcome::Status::ok);
    EXPECT_EQ(back.metrics.checksum, m.checksum);
    EXPECT_EQ(back.metrics.items, 7U);
    for (auto const& metric : metric_list()) {
        if (std::isnan(m.*metric.field)) {
            EXPECT_TRUE(std::isnan(back.metrics.*metric.field)) << metric.key;
        } else {
            EXPECT_EQ(back.metrics.*metric.field, m.*metric.field) << metric.key;
        }
    }
    ASSERT_EQ(back.metrics.extra.size(), 3U);
    EXPECT_EQ(back.metrics.extra.at("errors_timeout"), 3);
    EXPECT_EQ(back.metrics.extra.at("bytes_per_s"), 1.25e6);
    EXPECT_TRUE(std::isnan(back.metrics.extra.at("server_cpu_s")));
}

// A stand-in for a case process: a shell script that misbehaves on purpose.
std::string script(std::string const& name, std::string const& body) {
    auto const path = std::filesystem::temp_directory_path() / ("conclab_runner_test_" + name);
    std::ofstream{path} << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path.string();
}

// 64 MiB in 16 KiB blocks (below malloc's mmap threshold, so from its heap),
// every page written.
[[maybe_unused]] std::vector<void*> allocate_and_touch() {
    std::vector<void*> blocks(4096);
    for (auto& block : blocks) {
        block = std::malloc(16 * 1024);
        std::memset(block, 1, 16 * 1024);
    }
    return blocks;
}

[[maybe_unused]] void free_all(std::vector<void*> const& blocks) {
    for (void* block : blocks) std::free(block);
}

TEST(Stopwatch, CountsMemoryTheWarmUpsFreedAsTheRunsGrowth) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitizer's allocator keeps freed memory its own way";
#else
    // A warm-up: 64 MiB allocated and freed. A block kept after them stops
    // free() from handing them back itself: they stay resident, as a
    // warm-up's memory does when anything is allocated after it.
    auto warmup = allocate_and_touch();
    void* const fence = warmup.back();  // the last block, above the others
    warmup.pop_back();
    free_all(warmup);
    CaseMetrics metrics;
    {
        Stopwatch stopwatch;
        auto const run = allocate_and_touch();  // the run needs the same 64 MiB
        stopwatch.stop(1, metrics);
        free_all(run);
    }
    std::free(fence);
    EXPECT_GE(metrics.rss_growth_bytes, 48.0 * 1024 * 1024) << "memory the warm-up left resident hides the run's needs";
#endif
}

TEST(RunInChild, ReadsTheLastLineAsTheResult) {
    auto const exe = script("ok", R"(echo noise; echo '{"status":"wrong_answer","error":"checksum off"}')");
    auto const outcome = run_in_child(exe, CaseRequest{}, std::chrono::seconds{10});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::wrong_answer);
    EXPECT_EQ(outcome.message, "checksum off");
}

TEST(RunInChild, ReportsACrashAsCrashed) {
    auto const exe = script("crash", "kill -SEGV $$");
    auto const outcome = run_in_child(exe, CaseRequest{}, std::chrono::seconds{10});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::crashed);
    EXPECT_NE(outcome.message.find("signal"), std::string::npos);
}

TEST(RunInChild, KillsACaseThatRunsPastItsTimeout) {
    auto const exe = script("hang", "exec sleep 30");
    auto const outcome = run_in_child(exe, CaseRequest{}, std::chrono::seconds{1});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::timeout);
}

TEST(RunInChild, ReportsGarbageOutputAsAnError) {
    auto const exe = script("garbage", "echo 'not json'; exit 3");
    auto const outcome = run_in_child(exe, CaseRequest{}, std::chrono::seconds{10});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::error);
    EXPECT_NE(outcome.message.find("exit code 3"), std::string::npos);
}

TEST(RunInChild, PinsTheCaseProcessToItsCpus) {
    // the child prints the CPUs the kernel lets it use: exactly those the request names
    auto const exe = script("cpus", R"(echo "{\"status\":\"error\",\"error\":\"$(grep Cpus_allowed_list /proc/self/status | cut -f2)\"}")");
    auto const usable = usable_cpus();
    ASSERT_FALSE(usable.empty());
    CaseRequest pinned;
    pinned.options.cpus = {usable.back()};
    EXPECT_EQ(run_in_child(exe, pinned, std::chrono::seconds{10}).message, std::to_string(usable.back()));
    EXPECT_EQ(run_in_child(exe, CaseRequest{}, std::chrono::seconds{10}).message, format_cpu_list(usable));  // not pinned: as the runner
}

// The rest of the machine's load, from /proc/stat's ticks: a figure only where the ticks can tell (machines injected).
TEST(OtherCores, AFigureOnlyWhereTheTicksCanTellWithinTheMachine) {
    EXPECT_DOUBLE_EQ(other_cores(0.5, 1.0, 2, 0.01), 0.5);
    EXPECT_DOUBLE_EQ(other_cores(0.15, 0.2, 2, 0.01), 0.75);                // 0.2 s on 2 CPUs: 0.07 cores of jitter, told
    EXPECT_TRUE(std::isnan(other_cores(0.01, 0.001, 2, 0.01)));              // a 1 ms run: one tick is 10 cores
    EXPECT_TRUE(std::isnan(other_cores(0.5, 0.5, 64, 0.01)));                // 64 CPUs' ticks need 0.8 s
    EXPECT_DOUBLE_EQ(other_cores(0.8, 1.0, 64, 0.01), 0.8);
    EXPECT_DOUBLE_EQ(other_cores(3.0, 1.0, 2, 0.01), 2.0);                  // never more than the machine has
    EXPECT_DOUBLE_EQ(other_cores(-0.02, 1.0, 2, 0.01), 0.0);                // nor below zero (the case's own CPU, rounded)
    EXPECT_TRUE(std::isnan(other_cores(0.5, 0.0, 2, 0.01)));
    EXPECT_DOUBLE_EQ(other_cores(0.075, 0.075, 2, 0.01, 0.2), 1.0) << "a probe asks 0.2 core: 75 ms on 2 CPUs tell it";
    EXPECT_TRUE(std::isnan(other_cores(0.075, 0.075, 2, 0.01)));
}

// A run too short to tell is followed by a probe of its own length: as long as 0.2 core of resolution needs, bounded.
TEST(OtherCores, TheProbeWindowFollowsTheMachinesCpusAndIsBounded) {
    EXPECT_NEAR(probe_window_s(2, 0.01, 0.25), 0.0742, 0.0005);   // sqrt(2) ticks at 0.2 core, 5% to spare
    EXPECT_NEAR(probe_window_s(8, 0.01, 0.25), 0.1485, 0.0005);
    EXPECT_NEAR(probe_window_s(16, 0.01, 0.25), 0.21, 0.0005);
    EXPECT_EQ(probe_window_s(64, 0.01, 0.25), 0.0) << "64 CPUs' ticks need 0.42 s: no probe, the figure stays null";
    EXPECT_NEAR(probe_window_s(64, 0.001, 0.25), 0.042, 0.0005) << "a 1000 Hz clock tick";
    // measured here: a figure within the machine
    double const measured = probe_other_cores();
    if (!std::isnan(measured)) {
        EXPECT_GE(measured, 0.0);
        EXPECT_LE(measured, static_cast<double>(std::thread::hardware_concurrency()));
    }
}

// CPU lists as taskset takes them, checked against the CPUs a machine lets this process use (injected).
TEST(Cpus, ListsParseAndAreCheckedAgainstTheUsableOnes) {
    EXPECT_EQ(parse_cpu_list("0-3,8,10-11"), (std::vector<unsigned>{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_cpu_list("5,1"), (std::vector<unsigned>{1, 5}));
    EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
    EXPECT_EQ(format_cpu_list({}), "");
    for (auto const* bad : {"", "0-", "-1", "a", "3-1", "1,1", "0-2,2", "4096", "0,,1", "1 "}) {
        EXPECT_THROW(parse_cpu_list(bad), UsageError) << bad;
    }
    std::vector<unsigned> laptop{0, 1};
    std::vector<unsigned> server(64);
    for (unsigned i = 0; i < 64; ++i) server[i] = i;
    std::vector<unsigned> cgroup{4, 5, 6, 7};  // a container given CPUs 4-7 of a bigger machine
    EXPECT_EQ(cpus_for_cases("0-7", server).size(), 8U);
    try {
        cpus_for_cases("0-7", laptop);
        ADD_FAILURE() << "CPUs 2-7 of a 2-CPU machine were taken";
    } catch (UsageError const& e) {
        EXPECT_NE(std::string{e.what()}.find("CPU(s) 2-7 cannot be used here; this process may run on 0-1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(cpus_for_cases("0-3", cgroup), UsageError);
    EXPECT_EQ(cpus_for_cases("4-5", cgroup), (std::vector<unsigned>{4, 5}));
    EXPECT_EQ(other_cpus({4, 5}, cgroup), (std::vector<unsigned>{6, 7}));  // where the embedded server goes
    EXPECT_TRUE(other_cpus({0, 1}, laptop).empty());                          // every CPU pinned: it shares them
    EXPECT_TRUE(other_cpus({}, laptop).empty());                              // nothing pinned: nothing moves
}

TEST(RunInChild, ReportsAMissingExecutable) {
    auto const outcome = run_in_child("/nonexistent/conclab", CaseRequest{}, std::chrono::seconds{10});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::error);
}

}  // namespace
}  // namespace conclab

namespace conclab {
namespace {

// A scenario's parameter table: each row's spec is offered in the table's
// order, and each value lands in its member (converted where the row says).
struct TableParams {
    std::uint64_t jobs = 0;
    unsigned threads = 0;
    std::string mode;
    std::uint64_t bytes = 0;
};

TEST(ParamTable, OffersEachRowOnceAndReadsEachValueIntoItsMember) {
    ParamTable<TableParams> const table{
        param(&TableParams::jobs, {"jobs", 10ULL, 0, 100, "jobs", "all", {}}),
        param(&TableParams::threads, {"threads", 2ULL, 1, 64, "threads", "all", {}}),
        param(&TableParams::mode, {"mode", std::string{"on"}, 0, 0, "mode", "all", {"on", "off"}}),
        param<TableParams>({"kib", 4ULL, 1, 1024, "KiB", "all", {}},
                           [](TableParams& p, ParamValue const& v) { p.bytes = std::get<std::uint64_t>(v) * 1024; }),
        offered<TableParams>({"extra", 1ULL, 0, 9, "read elsewhere", "all", {}}),
    };
    auto const specs = specs_of(table);
    std::vector<std::string> names;
    for (auto const& spec : specs) names.push_back(spec.name);
    EXPECT_EQ(names, (std::vector<std::string>{"jobs", "threads", "mode", "kib", "extra"}));
    auto values = defaults(specs);
    values["jobs"] = 42ULL;
    values["mode"] = std::string{"off"};
    auto const p = read_params(table, values);
    EXPECT_EQ(p.jobs, 42U);
    EXPECT_EQ(p.threads, 2U);
    EXPECT_EQ(p.mode, "off");
    EXPECT_EQ(p.bytes, 4096U);
}

}  // namespace
}  // namespace conclab
