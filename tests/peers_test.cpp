// The real Go and Rust peers (peers/), built with -Dpeers=enabled: every
// peer runs every scenario through the runner's own path (run_peer: its
// process, wait4, the runner's check of the answer), on each scenario's
// small case, checked against the contract's reference functions (which
// contract_test checks against the values docs/contract.md states).
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "src/runner/peer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>

namespace conclab {
namespace {

class Peers : public testing::TestWithParam<std::tuple<Model, std::string>> {};

TEST_P(Peers, AnswersTheContractsReferenceThroughTheRunner) {
    auto const [peer, scenario_name] = GetParam();
    ASSERT_TRUE(peer_executable(peer)) << peer_unavailable(peer);

    auto const& scenario = *find_scenario(scenario_name);
    CaseRequest request{.scenario = scenario.name, .model = ModelId{peer}, .params = defaults(scenario.params),
                        .options = {.warmup = 1, .record_latency = true}};
    for (auto const& [name, value] : scenario.small) request.params[name] = value;
    std::unique_ptr<url_fetch::Server> server;
    if (scenario.name == "url-fetch") {
        server = std::make_unique<url_fetch::Server>(url_fetch::ServerConfig{});
        server->start();
        request.params["target"] = "http://127.0.0.1:" + std::to_string(server->port());
    }
    ModelId const model[] = {ModelId{peer}};
    ASSERT_EQ(scenario.check(request.params, model), "");

    auto const outcome = run_peer(scenario, request, std::chrono::seconds{120});
    ASSERT_EQ(outcome.status, CaseOutcome::Status::ok) << outcome.message;
    auto const& m = outcome.metrics;
    // the contract's answer (contract_test checks these functions against the page's table)
    auto const expected = scenario.reference(request.params, {});
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
    if (scenario.name != "cache-service") {  // its tasks are its requests, counted as items
        EXPECT_GT(m.tasks, 0.0);
    }
    if (scenario.name != "task-tree") {
        EXPECT_EQ(m.latency_count, m.items) << "one latency per item";
        EXPECT_GE(m.latency_max_us, m.latency_p50_us);
    }
    if (scenario.name == "url-fetch") {
        EXPECT_EQ(extra_value(m, "errors"), 0.0);
        EXPECT_GT(extra_value(m, "connections_opened"), 0.0);
    }
    if (scenario.name == "cache-service") {
        // the peer paced the contract's open-loop schedule itself, and kept the spikes' timeline
        EXPECT_EQ(m.rate_requested, static_cast<double>(get(request.params, "rate")));
        EXPECT_FALSE(m.latency_timeline_us.empty());
        EXPECT_EQ(m.timeline_window_s, 0.1);
        EXPECT_GE(m.wall_s, scenario.least_wall_s(request.params));
        auto const entries = get(request.params, "entries"), value_bytes = get(request.params, "value_bytes");
        EXPECT_EQ(extra_value(m, "cached_bytes"), static_cast<double>(entries * (16 + value_bytes)));
        EXPECT_GT(extra_value(m, "rss_per_cached_byte"), 0.0);
    }
    if (peer == Model::go) {
        EXPECT_FALSE(std::isnan(extra_value(m, "gc_cycles"))) << "the Go peer reports its collector";
        EXPECT_GE(extra_value(m, "gc_cpu_s"), 0.0) << "and the CPU it took";
    }
}

// every scenario of the registry
std::vector<std::string> scenario_names() {
    std::vector<std::string> out;
    for (auto const* scenario : scenarios()) out.push_back(scenario->name);
    return out;
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
                                          testing::ValuesIn(scenario_names())),
                         name_of);

}  // namespace
}  // namespace conclab
