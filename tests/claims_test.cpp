// The workshop's claims: each verdict follows the numbers it is given, a
// claim whose case is missing says so and is not counted as answered.
#include "src/kit/units.hpp"
#include "src/results/claims.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace conclab {
namespace {

CaseRuns runs_of(std::string scenario, ParamValues params, Model model, std::vector<CaseMetrics> runs) {
    return {.scenario = std::move(scenario), .params = std::move(params), .model = ModelId{model}, .runs = std::move(runs)};
}

CaseMetrics with(double CaseMetrics::*field, double value) {
    CaseMetrics m;
    m.*field = value;
    return m;
}

std::vector<CaseMetrics> three(double CaseMetrics::*field, double a, double b, double c) {
    return {with(field, a), with(field, b), with(field, c)};
}

ParamValues gc_case() { return {{"jobs", 1'000'000ULL}, {"alloc_bytes", 1024ULL}, {"workers", 16ULL}, {"wait_us", 0ULL}}; }
ParamValues idle(std::uint64_t tasks) { return {{"tasks", tasks}, {"wait_ms", 1000ULL}, {"stack_kb", 16ULL}}; }

ClaimAnswer const& claim(std::vector<ClaimAnswer> const& answers, std::string_view start) {
    auto const it = std::find_if(answers.begin(), answers.end(), [&](ClaimAnswer const& a) { return a.claim.starts_with(start); });
    if (it == answers.end()) throw std::logic_error{"no such claim"};
    return *it;
}

TEST(Claims, NoResultsAnswersNothingAndSaysWhichStepToRun) {
    auto const answers = answer_claims({});
    ASSERT_EQ(answers.size(), 9U);
    for (auto const& a : answers) {
        EXPECT_FALSE(a.answered) << a.claim;
        EXPECT_NE(a.measured.find("not in these results"), std::string::npos) << a.claim;
        EXPECT_NE(a.verdict.find("--preset workshop-"), std::string::npos) << a.claim;
    }
    EXPECT_NE(claims_markdown(answers).find("0 of 9 claims answered"), std::string::npos);
}

TEST(Claims, GcTailFollowsGoAndTokiosP999) {
    ResultsFile results;
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::go, three(&CaseMetrics::latency_p999_us, 1500, 1800, 1600)));
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::tokio, three(&CaseMetrics::latency_p999_us, 300, 310, 320)));
    auto a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.answered);
    EXPECT_TRUE(a.verdict.starts_with("Holds here (Go 1.60 ms, Tokio 310 µs, 5.16x)")) << a.verdict;
    EXPECT_NE(a.measured.find("go 1.60 ms"), std::string::npos) << a.measured;
    EXPECT_NE(a.measured.find("tokio 310 µs"), std::string::npos) << a.measured;

    results.cases[0].runs = three(&CaseMetrics::latency_p999_us, 500, 900, 600);
    a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.verdict.starts_with("Go's tail is the longer here (Go 600 µs, Tokio 310 µs, 1.94x); both under 1 ms")) << a.verdict;

    results.cases[0].runs = three(&CaseMetrics::latency_p999_us, 100, 120, 110);
    a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.verdict.starts_with("Contradicted here: Tokio's tail is the longer")) << a.verdict;

    results.cases[0].runs = three(&CaseMetrics::latency_p999_us, 290, 1500, 315);  // 310 lies within Go's runs
    a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.verdict.starts_with("Not told apart here (Go 315 µs, Tokio 310 µs)")) << a.verdict;

    results.cases.pop_back();  // without tokio: the C++ models' numbers, and what it takes to test the claim
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::fibers, three(&CaseMetrics::latency_p999_us, 100, 110, 120)));
    a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.answered);
    EXPECT_NE(a.verdict.find("./setup.sh peers"), std::string::npos) << a.verdict;
}

ParamValues cache_case() { return {{"entries", 2'000'000ULL}, {"gogc", 100ULL}, {"gomemlimit_mb", 0ULL}, {"rate", 20'000ULL}}; }

std::vector<CaseMetrics> tails(std::vector<double> p999, double gc_cycles = 4) {
    std::vector<CaseMetrics> runs;
    for (double v : p999) {
        CaseMetrics m;
        m.latency_p999_us = v;
        m.latency_max_us = 2 * v;
        m.extra["gc_cycles"] = gc_cycles;
        m.extra["gc_pause_max_us"] = 300;
        m.extra["gc_cpu_share"] = 0.25;
        runs.push_back(m);
    }
    return runs;
}

// The large-heap claim: judged on cache-service's Go and Tokio, only with enough runs to tell them apart,
// and only where Go collected at all.
TEST(Claims, TheLargeHeapClaimNeedsSeparatedMediansAndACollection) {
    ResultsFile results;
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::go, tails({9000, 9500, 12000})));
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::tokio, tails({700, 800, 900}, 0)));
    auto a = claim(answer_claims(results), "A large live heap");
    EXPECT_TRUE(a.answered);
    EXPECT_TRUE(a.verdict.starts_with("Holds here: Go's tail is 11.9x Tokio's (Go 9.50 ms, Tokio 800 µs)")) << a.verdict;
    EXPECT_NE(a.measured.find("Go's collector: 4 cycle(s) in the measured run, longest pause 300 µs, 25% of its CPU"), std::string::npos)
        << a.measured;
    EXPECT_NE(a.evidence.find("cache-service gogc=100 gomemlimit_mb=0"), std::string::npos) << a.evidence;

    results.cases.push_back(runs_of("cache-service", cache_case(), Model::fibers, tails({1500, 1600, 1700}, no_value)));
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::threads, tails({1100, 1200, 1300}, no_value)));
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_NE(a.verdict.find("the C++ models, no collector either, 1.20 ms to 1.60 ms"), std::string::npos) << a.verdict;
    results.cases.resize(2);

    results.cases[0].runs = tails({600, 700, 750});
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_TRUE(a.verdict.starts_with("Cannot decide here: Go 700 µs, Tokio 800 µs, and their run-to-run intervals overlap")) << a.verdict;

    results.cases[0].runs = tails({300, 310, 320});
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_TRUE(a.verdict.starts_with("Contradicted here: Tokio's tail is the longer")) << a.verdict;

    results.cases[0].runs = tails({9000, 9500});  // two runs: no interval worth the name
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_TRUE(a.verdict.starts_with("Cannot decide here: medians of 2 to 3 runs each")) << a.verdict;

    results.cases[0].runs = tails({9000, 9500, 12000}, 0);  // the spikes are not the collector's
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_TRUE(a.verdict.starts_with("Cannot decide here: Go did not collect")) << a.verdict;

    results.cases.pop_back();  // the C++ models only: their figures, and how to bring Go and Rust in
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::fibers, tails({200, 210, 220}, no_value)));
    a = claim(answer_claims(results), "A large live heap");
    EXPECT_NE(a.verdict.find("./setup.sh peers"), std::string::npos) << a.verdict;
}

std::vector<CaseMetrics> per_cached_byte(double a, double b, double c) {
    std::vector<CaseMetrics> runs(3);
    runs[0].extra["rss_per_cached_byte"] = a;
    runs[1].extra["rss_per_cached_byte"] = b;
    runs[2].extra["rss_per_cached_byte"] = c;
    return runs;
}

TEST(Claims, TheMemoryClaimComparesRssPerCachedByte) {
    ResultsFile results;
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::go, per_cached_byte(4.0, 4.1, 4.3)));
    results.cases.push_back(runs_of("cache-service", cache_case(), Model::tokio, per_cached_byte(2.0, 2.05, 2.1)));
    auto a = claim(answer_claims(results), "Go uses 2-5x");
    EXPECT_TRUE(a.answered);
    EXPECT_TRUE(a.verdict.starts_with("Holds here: Go's process holds 2.00x tokio's memory per cached byte")) << a.verdict;
    EXPECT_NE(a.measured.find("go 4.10x"), std::string::npos) << a.measured;

    results.cases[0].runs = per_cached_byte(2.5, 2.6, 2.7);
    a = claim(answer_claims(results), "Go uses 2-5x");
    EXPECT_TRUE(a.verdict.starts_with("Less than claimed here: Go's process holds 1.27x")) << a.verdict;

    results.cases[0].runs = per_cached_byte(1.9, 2.06, 2.2);
    a = claim(answer_claims(results), "Go uses 2-5x");
    EXPECT_TRUE(a.verdict.starts_with("Cannot decide here")) << a.verdict;
}

// The same preset on one machine gave "Holds" and "Contradicted" (issue 32): with the rest of the machine
// busy during the runs, no verdict is given, whatever the medians say.
TEST(Claims, ABusyMachineDecidesNothing) {
    ResultsFile results;
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::go, three(&CaseMetrics::latency_p999_us, 1500, 1800, 1600)));
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::tokio, three(&CaseMetrics::latency_p999_us, 300, 310, 320)));
    results.cases.push_back(runs_of("worker-pool", gc_case(), Model::fibers, three(&CaseMetrics::latency_p999_us, 200, 210, 220)));
    for (auto& run : results.cases[2].runs) run.machine_other_cores = 0.9;  // a core busy elsewhere while fibers ran
    auto a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.answered);
    EXPECT_DOUBLE_EQ(a.other_cores, 0.9);
    EXPECT_TRUE(a.verdict.starts_with("Cannot decide here: the machine was busy (0.9 other cores")) << a.verdict;
    EXPECT_NE(a.measured.find("go 1.60 ms"), std::string::npos) << a.measured;  // what was measured is still shown

    results.cases[2].runs[0].machine_other_cores = 0.1;  // one noisy run of three: the median is quiet
    results.cases[2].runs[1].machine_other_cores = 0.2;
    a = claim(answer_claims(results), "Go's garbage");
    EXPECT_TRUE(a.verdict.starts_with("Holds here")) << a.verdict;
}

TEST(Claims, MemoryPerTaskClaimsCompareWithTheFiberAndTheThread) {
    ResultsFile results;
    results.cases.push_back(runs_of("idle-tasks", idle(100'000), Model::fibers, three(&CaseMetrics::bytes_per_task, 8192, 8200, 8300)));
    results.cases.push_back(runs_of("idle-tasks", idle(100'000), Model::coroutines, three(&CaseMetrics::bytes_per_task, 400, 410, 420)));
    results.cases.push_back(runs_of("idle-tasks", idle(100'000), Model::go, three(&CaseMetrics::bytes_per_task, 2600, 2700, 2800)));
    results.left_out.push_back({.scenario = "idle-tasks", .params = idle(100'000), .model = "threads", .reason = "past the cap"});
    results.cases.push_back(runs_of("idle-tasks", idle(10'000), Model::threads, three(&CaseMetrics::bytes_per_task, 20000, 21000, 22000)));
    results.cases.push_back(runs_of("idle-tasks", idle(10'000), Model::fibers, three(&CaseMetrics::bytes_per_task, 7000, 7000, 7000)));
    for (auto& c : results.cases) {
        for (auto& run : c.runs) run.extra["spawn_s"] = c.model.base == Model::threads ? 0.5 : 0.01;
    }
    auto const answers = answer_claims(results);
    auto const& go = claim(answers, "Goroutines");
    EXPECT_TRUE(go.verdict.starts_with("Holds for Go: 2.64 KiB")) << go.verdict;
    EXPECT_NE(go.verdict.find("of 16 KiB"), std::string::npos) << go.verdict;
    auto const& async = claim(answers, "Async tasks");
    EXPECT_TRUE(async.verdict.starts_with("Holds")) << async.verdict;
    EXPECT_NE(async.verdict.find("coroutines 410 B per task, 20.0x less than a fiber"), std::string::npos) << async.verdict;
    auto const& threads = claim(answers, "A task per item");
    EXPECT_TRUE(threads.answered);
    EXPECT_NE(threads.verdict.find("20.5 KiB per task, 3.00x what fibers needs"), std::string::npos) << threads.verdict;
    EXPECT_NE(threads.verdict.find("500 ms to start 10,000"), std::string::npos) << threads.verdict;
    EXPECT_NE(threads.verdict.find("at 100,000 tasks conclab does not start the threads"), std::string::npos) << threads.verdict;
}

TEST(Claims, ThroughputClaimsRankTheModels) {
    ResultsFile results;
    ParamValues const fetch{{"concurrency", 64ULL}, {"requests", 2000ULL}};
    results.cases.push_back(runs_of("url-fetch", fetch, Model::fibers, three(&CaseMetrics::throughput_per_s, 50'000, 51'000, 52'000)));
    results.cases.push_back(runs_of("url-fetch", fetch, Model::tbb, three(&CaseMetrics::throughput_per_s, 1'900, 2'000, 2'100)));
    results.cases.push_back(runs_of("url-fetch", fetch, Model::tokio, three(&CaseMetrics::throughput_per_s, 40'000, 49'000, 60'000)));
    ParamValues const tree{{"leaves", 1'000'000ULL}, {"fanout", 10ULL}};
    results.cases.push_back(runs_of("task-tree", tree, Model::tbb, three(&CaseMetrics::throughput_per_s, 9e6, 1e7, 1.1e7)));
    results.cases.push_back(runs_of("task-tree", tree, Model::fibers, three(&CaseMetrics::throughput_per_s, 4e6, 5e6, 6e6)));
    auto const answers = answer_claims(results);
    auto const& tokio = claim(answers, "Tokio");
    EXPECT_TRUE(tokio.verdict.starts_with("Not here: Tokio ranks 2 of 3, behind fibers (1.04x)")) << tokio.verdict;
    EXPECT_NE(tokio.verdict.find("overlap: not told apart"), std::string::npos) << tokio.verdict;
    auto const& rayon = claim(answers, "Rayon");
    EXPECT_TRUE(rayon.verdict.starts_with("Holds here: fetching, tbb reaches 3.92% of fibers")) << rayon.verdict;
    EXPECT_NE(rayon.verdict.find("on the task tree tbb leads, 2.00x fibers"), std::string::npos) << rayon.verdict;
    EXPECT_NE(rayon.verdict.find("medians of 3 runs each"), std::string::npos) << rayon.verdict;

    // with Rayon itself in the results, the claim is judged on it
    results.cases.push_back(runs_of("url-fetch", fetch, Model::rayon, three(&CaseMetrics::throughput_per_s, 1'400, 1'500, 1'600)));
    results.cases.push_back(runs_of("task-tree", tree, Model::rayon, three(&CaseMetrics::throughput_per_s, 1.9e7, 2e7, 2.1e7)));
    auto const real = claim(answer_claims(results), "Rayon");
    EXPECT_TRUE(real.verdict.starts_with("Holds here: fetching, rayon reaches 2.94% of fibers")) << real.verdict;
    EXPECT_NE(real.verdict.find("on the task tree rayon leads, 2.00x tbb"), std::string::npos) << real.verdict;
}

TEST(Claims, APipeInACellIsEscaped) {
    std::vector<ClaimAnswer> const answers{{.claim = "a | b", .evidence = "e", .command = "c", .measured = "m", .verdict = "v", .answered = true}};
    auto const table = claims_markdown(answers);
    EXPECT_NE(table.find("| a \\| b | e (`c`) | m | v |"), std::string::npos) << table;
    EXPECT_NE(table.find("1 of 1 claims answered"), std::string::npos) << table;
}

TEST(Claims, HumanUnits) {
    EXPECT_EQ(human_count(1'161'100), "1.16M");
    EXPECT_EQ(human_count(58'500), "58.5k");
    EXPECT_EQ(human_count(12), "12");
    EXPECT_EQ(human_count(1732), "1732") << "four digits in full; k from 10k";
    EXPECT_EQ(human_count(0.473), "0.473");
    EXPECT_EQ(three_digits(6.72e-05), "0.0000672") << "a small value is not 0, nor an exponent";
    EXPECT_EQ(three_digits(-0.000123456), "-0.000123");
    EXPECT_EQ(human_count(999.7), "1000") << "never 1e+03";
    EXPECT_EQ(human_count(999'600), "1.00M") << "rounded into the next unit, not 1000k; three digits, not \"1M\" beside \"995k\"";
    EXPECT_EQ(human_count(995'000), "995k");
    EXPECT_EQ(human_bytes(25'276'510'208.0), "23.5 GiB");
    EXPECT_EQ(human_bytes(2662.4), "2.60 KiB");
    EXPECT_EQ(human_bytes(410), "410 B");
    EXPECT_EQ(human_us(850), "850 µs");
    EXPECT_EQ(human_us(1200), "1.20 ms");
    EXPECT_EQ(human_us(2.5e6), "2.50 s");
    EXPECT_EQ(human_us(999.7), "1.00 ms");
    EXPECT_EQ(human_bytes(1020 * 1024), "1020 KiB") << "not 1.02e+03 KiB";
    EXPECT_EQ(human_bytes(1023.9 * 1024), "1.00 MiB");
    EXPECT_EQ(human_us(no_value), "-");
    EXPECT_EQ(human_bytes_per_task(-6), "~0 B") << "the RSS fell during the run: not a task giving memory back";
    EXPECT_EQ(human_bytes_per_task(2662.4), "2.60 KiB");
}

}  // namespace
}  // namespace conclab
