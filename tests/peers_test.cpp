// The real Go and Rust peers (peers/), built with -Dpeers=enabled: every
// peer runs every scenario through the runner's own path (run_peer: its
// process, wait4, the runner's check of the answer), on cases whose answers
// are the reference values of docs/contract.md, read from the page itself.
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "src/runner/peer.hpp"
#include "tests/contract_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>

namespace conclab {
namespace {

struct Case {
    std::string scenario;
    ParamValues params;
    std::string reference;  ///< the contract page's expression for the answer; empty: leaves*(leaves-1)/2 below
};

// Small cases whose answers the contract's table states.
Case case_for(std::string const& scenario, Model peer) {
    if (scenario == "worker-pool") return {scenario, {{"jobs", 1000ULL}, {"work", 1ULL}, {"workers", 8ULL}}, "worker_pool_sum(jobs=1000, work=1)"};
    if (scenario == "pipeline") return {scenario, {{"items", 1000ULL}, {"work", 1ULL}, {"parallelism", 3ULL}}, "worker_pool_sum(jobs=1000, work=1)"};
    if (scenario == "idle-tasks") return {scenario, {{"tasks", 10000ULL}, {"wait_ms", 2ULL}}, "idle_tasks_sum(tasks=10000)"};
    if (scenario == "url-fetch") {
        return {scenario, {{"requests", 3000ULL}, {"size", 1024ULL}, {"concurrency", 16ULL}, {"delay_us", 0ULL}},
                "url_fetch_sum(requests=3000, size=1024)"};
    }
    // a million leaves is the page's row; a thread per task gets a tree it can hold
    if (peer == Model::rust_threads) return {scenario, {{"leaves", 1000ULL}}, ""};
    return {scenario, {{"leaves", 1'000'000ULL}}, "task_tree_sum(leaves=1000000)"};
}

class Peers : public testing::TestWithParam<std::tuple<Model, std::string>> {};

TEST_P(Peers, AnswersTheContractsReferenceThroughTheRunner) {
    auto const [peer, scenario_name] = GetParam();
    ASSERT_TRUE(peer_executable(peer)) << peer_unavailable(peer);
    char const* page = std::getenv("CONCLAB_CONTRACT_DOC");
    ASSERT_NE(page, nullptr) << "meson passes docs/contract.md as CONCLAB_CONTRACT_DOC";
    auto const table = testing_support::contract_table(page);

    auto const c = case_for(scenario_name, peer);
    auto const& scenario = *find_scenario(c.scenario);
    CaseRequest request{.scenario = c.scenario, .model = ModelId{peer}, .params = defaults(scenario.params),
                        .options = {.warmup = 1, .record_latency = true}};
    request.params["threads"] = 2ULL;
    for (auto const& [name, value] : c.params) request.params[name] = value;
    std::unique_ptr<url_fetch::Server> server;
    if (c.scenario == "url-fetch") {
        server = std::make_unique<url_fetch::Server>(url_fetch::ServerConfig{});
        server->start();
        request.params["target"] = "http://127.0.0.1:" + std::to_string(server->port());
    }
    ModelId const model[] = {ModelId{peer}};
    ASSERT_EQ(scenario.check(request.params, model), "");

    auto const outcome = run_peer(scenario, request, std::chrono::seconds{120});
    ASSERT_EQ(outcome.status, CaseOutcome::Status::ok) << outcome.message;
    auto const& m = outcome.metrics;
    std::uint64_t expected = 0;
    if (c.reference.empty()) {
        auto const leaves = std::get<std::uint64_t>(c.params.at("leaves"));
        expected = leaves * (leaves - 1) / 2;
    } else {
        ASSERT_EQ(table.count(c.reference), 1U) << c.reference << " is not in " << page;
        expected = std::stoull(table.at(c.reference), nullptr, 0);
    }
    EXPECT_EQ(m.checksum, expected);
    EXPECT_EQ(m.expected_checksum, expected);
    // measured as a model is: the run's time, CPU, memory and threads
    EXPECT_GT(m.wall_s, 0.0);
    EXPECT_GT(m.user_cpu_s + m.sys_cpu_s, 0.0);
    EXPECT_GT(m.peak_rss_bytes, 0.0);
    // both read (the kernel's RSS counters lag by a few pages per thread: the peak may read below the baseline)
    EXPECT_GT(m.rss_baseline_bytes, 0.0);
    EXPECT_GT(m.rss_run_peak_bytes, 0.0);
    EXPECT_GE(m.os_threads, 1.0);
    EXPECT_GT(m.tasks, 0.0);
    if (c.scenario != "task-tree") {
        EXPECT_EQ(m.latency_count, m.items) << "one latency per item";
        EXPECT_GE(m.latency_max_us, m.latency_p50_us);
    }
    if (c.scenario == "url-fetch") {
        EXPECT_EQ(extra_value(m, "errors"), 0.0);
        EXPECT_GT(extra_value(m, "connections_opened"), 0.0);
    }
    if (peer == Model::go) {
        EXPECT_FALSE(std::isnan(extra_value(m, "gc_cycles"))) << "the Go peer reports its collector";
    }
}

std::string name_of(testing::TestParamInfo<std::tuple<Model, std::string>> const& info) {
    auto name = std::string{token(std::get<0>(info.param))} + "_" + std::get<1>(info.param);
    for (auto& ch : name) {
        if (ch == '-') ch = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(All, Peers,
                         testing::Combine(testing::ValuesIn(all_peers),
                                          testing::Values("worker-pool", "url-fetch", "task-tree", "idle-tasks", "pipeline")),
                         name_of);

}  // namespace
}  // namespace conclab
