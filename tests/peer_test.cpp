// How the runner takes a peer's reply (src/runner/peer.hpp), without Go or Rust:
// the peer's checksum is checked against the contract, never trusted; the
// latencies go through conclab's histogram; derived metrics are computed
// as for a model; a malformed reply is an error naming what is wrong; a
// program that prints a canned reply is run, measured and judged end to end.
#include "scenarios/registry.hpp"
#include "src/kit/histogram.hpp"
#include "src/runner/child.hpp"
#include "src/runner/peer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace conclab {
namespace {

using nlohmann::json;

CaseRequest request_for(std::string const& scenario, Model peer, ParamValues overrides = {}) {
    auto const* s = find_scenario(scenario);
    CaseRequest request{.scenario = scenario, .model = ModelId{peer}, .params = defaults(s->params), .options = {}};
    for (auto const& [name, value] : overrides) request.params[name] = value;
    return request;
}

// A worker-pool reply of 10 jobs with work 0: the answer is 45 (docs/contract.md).
json worker_pool_reply(std::string const& checksum) {
    using namespace histogram_layout;
    // latencies 1000 ns (x3), 5000 ns (x6) and 2,000,000 ns (x1)
    return {{"status", "ok"},
            {"metrics",
             {{"checksum", checksum},
              {"items", 10},
              {"wall_s", 0.5},
              {"user_cpu_s", 0.6},
              {"sys_cpu_s", 0.2},
              {"os_threads", 4},
              {"rss_baseline_bytes", 1000000},
              {"rss_run_peak_bytes", 3000000},
              {"tasks", 4},
              {"gc_cycles", 2},
              {"latency_histogram",
               {{"layout", "hdr-2048-42"},
                {"min_ns", 1000},
                {"max_ns", 2000000},
                {"counts", json::array({json::array({index_of(1000), 3}), json::array({index_of(5000), 6}),
                                        json::array({index_of(2000000), 1})})}}}}}};
}

TEST(PeerOutcome, ARightAnswerGetsTheMetricsAModelGets) {
    auto const request = request_for("worker-pool", Model::go, {{"jobs", 10ULL}, {"work", 0ULL}});
    auto const outcome = peer_outcome(*find_scenario("worker-pool"), request, worker_pool_reply("0x000000000000002D").dump(), 7e6);
    ASSERT_EQ(outcome.status, CaseOutcome::Status::ok) << outcome.message;
    auto const& m = outcome.metrics;
    EXPECT_EQ(m.checksum, 45U);
    EXPECT_EQ(m.expected_checksum, 45U);
    EXPECT_DOUBLE_EQ(m.throughput_per_s, 20.0);
    EXPECT_DOUBLE_EQ(m.cpu_utilization, 1.6);
    EXPECT_DOUBLE_EQ(m.cpu_per_thread, 0.4);
    EXPECT_DOUBLE_EQ(m.items_per_cpu_s, 12.5);
    EXPECT_DOUBLE_EQ(m.rss_growth_bytes, 2e6);
    EXPECT_DOUBLE_EQ(m.bytes_per_task, 5e5);
    EXPECT_DOUBLE_EQ(m.peak_rss_bytes, 7e6);  // from wait4, not from the peer
    EXPECT_EQ(m.latency_count, 10U);
    EXPECT_NEAR(m.latency_p50_us, 5.0, 0.005);  // to the histogram's precision
    EXPECT_DOUBLE_EQ(m.latency_max_us, 2000.0);  // the maximum exactly
    EXPECT_DOUBLE_EQ(extra_value(m, "gc_cycles"), 2.0);
}

TEST(PeerOutcome, AWrongChecksumIsAWrongAnswerWhateverThePeerSays) {
    auto const request = request_for("worker-pool", Model::tokio, {{"jobs", 10ULL}, {"work", 0ULL}});
    auto const outcome = peer_outcome(*find_scenario("worker-pool"), request, worker_pool_reply("0x000000000000002C").dump(), 0);
    EXPECT_EQ(outcome.status, CaseOutcome::Status::wrong_answer);
    EXPECT_NE(outcome.message.find("0x000000000000002c"), std::string::npos) << outcome.message;
    EXPECT_NE(outcome.message.find("0x000000000000002d"), std::string::npos) << outcome.message;
}

TEST(PeerOutcome, UrlFetchLeavesTheFailedItemsOutOfTheReference) {
    auto const request = request_for("url-fetch", Model::go, {{"requests", 3ULL}, {"size", 16ULL}, {"target", std::string{"http://x:1"}}});
    auto const& scenario = *find_scenario("url-fetch");
    std::uint64_t const failed[] = {1};
    auto const answer = scenario.reference(request.params, std::span<std::uint64_t const>{failed});
    auto reply = worker_pool_reply(hex64(answer));
    reply["metrics"]["items"] = 3;
    reply["metrics"]["failed_items"] = {1};
    reply["metrics"]["errors"] = 1;
    reply["metrics"]["errors_timeout"] = 1;
    reply["metrics"]["latency_histogram"]["counts"] = json::array({json::array({histogram_layout::index_of(1000), 1}),
                                                                   json::array({histogram_layout::index_of(2000000), 1})});
    auto outcome = peer_outcome(scenario, request, reply.dump(), 0);
    ASSERT_EQ(outcome.status, CaseOutcome::Status::ok) << outcome.message;
    EXPECT_DOUBLE_EQ(extra_value(outcome.metrics, "errors_timeout"), 1.0);
    // the same sum without saying which item failed does not add up
    reply["metrics"].erase("failed_items");
    EXPECT_EQ(peer_outcome(scenario, request, reply.dump(), 0).status, CaseOutcome::Status::wrong_answer);
    // a body that failed its checksum is a wrong answer even when the sum is right
    reply["metrics"]["failed_items"] = {1};
    reply["metrics"]["errors_checksum"] = 1;
    EXPECT_EQ(peer_outcome(scenario, request, reply.dump(), 0).status, CaseOutcome::Status::wrong_answer);
}

TEST(PeerOutcome, AMalformedReplyIsAnErrorThatSaysWhat) {
    auto const request = request_for("worker-pool", Model::rayon, {{"jobs", 10ULL}, {"work", 0ULL}});
    auto const& scenario = *find_scenario("worker-pool");
    auto const expect_error = [&](json const& reply, std::string const& needle) {
        auto const outcome = peer_outcome(scenario, request, reply.dump(), 0);
        EXPECT_EQ(outcome.status, CaseOutcome::Status::error) << reply.dump();
        EXPECT_NE(outcome.message.find(needle), std::string::npos) << outcome.message;
    };
    auto reply = worker_pool_reply("0x000000000000002D");
    reply["metrics"]["latency_histogram"]["layout"] = "hdr-1024-40";
    expect_error(reply, "hdr-2048-42");
    reply = worker_pool_reply("0x000000000000002D");
    reply["metrics"]["latency_histogram"]["max_ns"] = 3;
    expect_error(reply, "min_ns and max_ns");
    reply = worker_pool_reply("0x000000000000002D");
    reply["metrics"]["wall_s"] = 0;
    expect_error(reply, "wall_s");
    reply = worker_pool_reply("0x000000000000002D");
    reply["metrics"].erase("items");
    expect_error(reply, "items");
    expect_error(json{{"status", "error"}, {"error", "no Tokio runtime"}}, "rayon: no Tokio runtime");
    EXPECT_EQ(peer_outcome(scenario, request, R"({"status":"wrong_answer","error":"3 job(s) never done"})", 0).status,
              CaseOutcome::Status::wrong_answer);
}

class FakePeer : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("conclab-fake-peer-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        setenv("CONCLAB_PEERS_DIR", dir_.c_str(), 1);
    }
    void TearDown() override {
        unsetenv("CONCLAB_PEERS_DIR");
        std::filesystem::remove_all(dir_);
    }
    // a peer program that prints `reply` whatever it is asked
    void install(std::string const& program, json const& reply) {
        auto const path = dir_ / program;
        std::ofstream{path} << "#!/bin/sh\n[ \"$1\" = __case ] || exit 2\ncat <<'REPLY'\n" << reply.dump() << "\nREPLY\n";
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    }
    std::filesystem::path dir_;
};

TEST_F(FakePeer, NotBuiltSaysHowToBuildIt) {
    EXPECT_FALSE(peer_executable(Model::go));
    auto const why = peer_unavailable(Model::go);
    EXPECT_NE(why.find("./setup.sh peers"), std::string::npos) << why;
    EXPECT_NE(why.find(dir_.string()), std::string::npos) << why;
    auto const outcome = run_peer(*find_scenario("worker-pool"), request_for("worker-pool", Model::go), std::chrono::seconds{10});
    EXPECT_EQ(outcome.status, CaseOutcome::Status::error);
}

TEST_F(FakePeer, IsRunMeasuredAndJudgedByTheRunner) {
    install("conclab-peer-rust", worker_pool_reply("0x000000000000002D"));
    ASSERT_TRUE(peer_executable(Model::tokio));
    EXPECT_FALSE(peer_executable(Model::go));  // each peer is its own program
    auto const& scenario = *find_scenario("worker-pool");
    auto right = run_peer(scenario, request_for("worker-pool", Model::tokio, {{"jobs", 10ULL}, {"work", 0ULL}}), std::chrono::seconds{10});
    ASSERT_EQ(right.status, CaseOutcome::Status::ok) << right.message;
    EXPECT_GT(right.metrics.peak_rss_bytes, 0.0);  // wait4's, of the program itself
    // the same reply to another question is wrong: the runner holds the answer
    auto wrong = run_peer(scenario, request_for("worker-pool", Model::tokio, {{"jobs", 11ULL}, {"work", 0ULL}}), std::chrono::seconds{10});
    EXPECT_EQ(wrong.status, CaseOutcome::Status::wrong_answer);
}

TEST(PeerModels, TokensCounterpartsAndLimits) {
    for (std::size_t i = 0; i < all_models.size(); ++i) {
        EXPECT_EQ(counterpart(all_models[i]), all_peers[i]);
        EXPECT_EQ(counterpart(all_peers[i]), all_models[i]);
        EXPECT_TRUE(is_peer(all_peers[i]));
        EXPECT_FALSE(is_peer(all_models[i]));
        EXPECT_EQ(parse_model_id(token(all_peers[i])), ModelId{all_peers[i]});
    }
    EXPECT_EQ(token(Model::rust_threads), "rust-threads");
    EXPECT_FALSE(parse_model_id("go/fast"));  // a peer has no variants
    // a thread per task in Rust is held to the threads model's limits; peers run closed loop only
    auto const& tree = *find_scenario("task-tree");
    auto values = defaults(tree.params);
    values["leaves"] = 1'000'000ULL;
    ModelId const rust_threads[] = {ModelId{Model::rust_threads}};
    ModelId const go[] = {ModelId{Model::go}};
    EXPECT_NE(tree.check(values, rust_threads), "");
    EXPECT_EQ(tree.check(values, go), "");
    auto const& pool = *find_scenario("worker-pool");
    auto open = defaults(pool.params);
    open["rate"] = 1000ULL;
    EXPECT_NE(pool.check(open, go).find("closed loop"), std::string::npos);
    EXPECT_EQ(refused_models(pool, open, go).size(), 1U);
    EXPECT_TRUE(pool.runs(ModelId{Model::go}));
}

}  // namespace
}  // namespace conclab
