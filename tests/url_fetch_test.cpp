// url-fetch's clients in every model against the in-process target server:
// every item fetched once with the contract's bytes over a table of
// (N, C, S); faults on purpose (500s, stalls past the timeout, truncated
// and corrupted bodies, a refused connection) counted as the right kind in
// every model, without a hang. meson registers this binary once per model.
#include "scenarios/contract.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace conclab::url_fetch {
namespace {

struct Case {
    std::string name;
    std::uint64_t requests;
    std::uint64_t concurrency;
    std::uint64_t size;
    bool keepalive = true;
    DelayConfig delay{};
    unsigned threads = 2;
    Arrivals arrivals{};
};

Case const cases[] = {
    {"one_empty_item", 1, 1, 0},
    {"empty_bodies", 50, 8, 0},
    {"n200_c16_s1024", 200, 16, 1024},
    {"more_in_flight_than_items", 10, 64, 100},
    {"one_at_a_time", 30, 1, 333},
    {"bodies_not_a_multiple_of_8", 40, 4, 65'537},
    {"no_keepalive", 60, 8, 512, false},
    {"exp_delays", 40, 8, 64, true, {DelayConfig::Distribution::exp, 300, 7}},
    {"one_thread", 50, 8, 256, true, {}, 1},
    {"open_loop_poisson", 60, 8, 64, true, {}, 2, {3000, true, 3}},
};

// One server for the whole binary: started once, stopped at exit.
Server& shared_server() {
    static auto const server = [] {
        ServerConfig config;
        config.threads = 2;
        auto s = std::make_unique<Server>(config);
        s->start();
        return s;
    }();
    return *server;
}

Params params_for(std::uint16_t port, Case const& c) {
    Params p;
    p.target = resolve_url("http://127.0.0.1:" + std::to_string(port));
    p.requests = c.requests;
    p.concurrency = c.concurrency;
    p.size = c.size;
    p.delay = c.delay;
    p.keepalive = c.keepalive;
    p.threads = c.threads;
    p.arrivals = c.arrivals;
    p.timeout = std::chrono::milliseconds{10'000};
    return p;
}

std::uint64_t reference_sum(Params const& p) {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < p.requests; ++i) sum += contract::item_checksum(i, p.size);
    return sum;
}

class UrlFetch : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(UrlFetch, FetchesEveryItemOnceWithTheContractsBytes) {
    auto const& [model, c] = GetParam();
    auto const p = params_for(shared_server().port(), c);
    CaseMetrics metrics;
    ASSERT_NO_THROW(metrics = run_model<Spec>(model, p, /*warmup=*/1));
    EXPECT_EQ(metrics.checksum, reference_sum(p));
    EXPECT_EQ(metrics.expected_checksum, reference_sum(p));
    EXPECT_EQ(metrics.items, c.requests);
    EXPECT_EQ(metrics.latency_count, c.requests);
    EXPECT_EQ(metrics.extra.at("errors"), 0);
    EXPECT_EQ(metrics.extra.at("body_bytes"), static_cast<double>(c.requests * c.size));
    EXPECT_LE(metrics.latency_p50_us, metrics.latency_p99_us);
    // connections: with keep-alive, one per worker that got an item (a worker
    // connects on its first request), and for tbb one per arena thread at
    // most; without keep-alive, one per request
    auto const connections = metrics.extra.at("connections_opened");
    if (!c.keepalive) {
        EXPECT_EQ(connections, static_cast<double>(c.requests));
    } else {
        EXPECT_GE(connections, 1);
        EXPECT_LE(connections, static_cast<double>(model == Model::tbb ? c.threads : std::min(c.concurrency, c.requests)));
    }
    if (c.arrivals.open()) {
        EXPECT_EQ(metrics.rate_requested, c.arrivals.rate);
    }
    // server_pid unknown here: its CPU is not made up
    EXPECT_TRUE(std::isnan(metrics.extra.at("server_cpu_s")));
}

INSTANTIATE_TEST_SUITE_P(Models, UrlFetch, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases)),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

// ---- faults on purpose: counted by kind, in every model, never a hang ----

class Faults : public testing::TestWithParam<Model> {
protected:
    static CaseMetrics run_against(FaultConfig faults, std::uint64_t requests, std::chrono::milliseconds timeout) {
        ServerConfig config;
        config.threads = 2;
        config.faults = faults;
        Server server{config};
        server.start();
        Case const c{"faults", requests, 4, 100};
        auto p = params_for(server.port(), c);
        p.timeout = timeout;
        return run_model<Spec>(GetParam(), p, /*warmup=*/0);
    }
};

TEST_P(Faults, A500IsAnHttpStatusError) {
    auto const m = run_against({.fail_every = 5, .stall_every = 0, .truncate_every = 0, .corrupt_every = 0}, 40,
                               std::chrono::milliseconds{5000});
    EXPECT_EQ(m.extra.at("errors_http_status"), 8);  // items 4, 9, ..., 39
    EXPECT_EQ(m.extra.at("errors"), 8);
    EXPECT_EQ(m.items, 32U);  // the others are fetched and verified
    EXPECT_EQ(m.latency_count, 32U);
}

// The 500's text is longer than the 0-byte body asked for: still a status
// error, not a protocol one (found by the randomized exactly-once test).
TEST_P(Faults, A500LongerThanTheBodyAskedForIsStillAnHttpStatusError) {
    ServerConfig config;
    config.threads = 1;
    config.faults.fail_every = 2;
    Server server{config};
    server.start();
    Case const c{"empty", 10, 2, 0};
    auto const m = run_model<Spec>(GetParam(), params_for(server.port(), c), /*warmup=*/0);
    EXPECT_EQ(m.extra.at("errors_http_status"), 5);
    EXPECT_EQ(m.extra.at("errors_protocol"), 0);
    EXPECT_EQ(m.items, 5U);
}

// Rates: each item's draw comes from its own seeded stream, so the faulty
// items are known in advance and every model must count exactly those.
TEST_P(Faults, SeededRatesAreCountedByKind) {
    ServerConfig config;
    config.threads = 2;
    config.faults.fail_rate = 0.2;
    config.faults.reset_rate = 0.1;
    config.faults.seed = 7;
    Server server{config};
    server.start();
    Case const c{"rates", 60, 4, 100};
    double statuses = 0, resets = 0;
    for (std::uint64_t i = 0; i < c.requests; ++i) {
        auto const kind = config.faults.for_item(i);
        statuses += kind == FaultConfig::Kind::fail;
        resets += kind == FaultConfig::Kind::reset;
    }
    ASSERT_GT(statuses, 0);
    ASSERT_GT(resets, 0);
    auto const m = run_model<Spec>(GetParam(), params_for(server.port(), c), /*warmup=*/0);
    EXPECT_EQ(m.extra.at("errors_http_status"), statuses);
    EXPECT_EQ(m.extra.at("errors_short_body"), resets);  // a reset connection broke under the request
    EXPECT_EQ(static_cast<double>(m.items), static_cast<double>(c.requests) - statuses - resets);
}

// A server that sends 4 KiB in 1 KiB pieces 100 ms apart cannot finish
// within a 150 ms deadline: every request is a timeout, and the run ends.
TEST_P(Faults, ASlowBodyPastTheTimeoutIsATimeoutError) {
    ServerConfig config;
    config.threads = 1;
    config.faults.slow_body_us = 100'000;
    Server server{config};
    server.start();
    Case const c{"slow", 4, 4, 4096};
    auto p = params_for(server.port(), c);
    p.timeout = std::chrono::milliseconds{150};
    auto const m = run_model<Spec>(GetParam(), p, /*warmup=*/0);
    EXPECT_EQ(m.extra.at("errors_timeout"), 4);
    EXPECT_EQ(m.items, 0U);
}

TEST_P(Faults, AStallPastTheTimeoutIsATimeoutError) {
    // 2 s: far above what an answered request takes, even under TSan on a busy 2-core machine
    auto const m = run_against({.fail_every = 0, .stall_every = 4, .truncate_every = 0, .corrupt_every = 0}, 12,
                               std::chrono::milliseconds{2000});
    EXPECT_EQ(m.extra.at("errors_timeout"), 3);  // items 3, 7, 11
    EXPECT_EQ(m.extra.at("errors"), 3);
    EXPECT_EQ(m.items, 9U);
}

TEST_P(Faults, AHalfBodyIsAShortBodyError) {
    auto const m = run_against({.fail_every = 0, .stall_every = 0, .truncate_every = 3, .corrupt_every = 0}, 30,
                               std::chrono::milliseconds{5000});
    EXPECT_EQ(m.extra.at("errors_short_body"), 10);
    EXPECT_EQ(m.items, 20U);
}

TEST_P(Faults, AWrongBodyIsAWrongAnswer) {
    EXPECT_THROW(run_against({.fail_every = 0, .stall_every = 0, .truncate_every = 0, .corrupt_every = 6}, 30,
                             std::chrono::milliseconds{5000}),
                 WrongAnswer);
}

// A port nobody listens on: bound, then closed.
std::uint16_t free_port() {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST_P(Faults, ARefusedConnectionIsAConnectError) {
    Case const c{"refused", 20, 4, 100};
    auto const p = params_for(free_port(), c);
    CaseMetrics m;
    ASSERT_NO_THROW(m = run_model<Spec>(GetParam(), p, /*warmup=*/0));
    EXPECT_EQ(m.extra.at("errors_connect"), 20);
    EXPECT_EQ(m.items, 0U);
    EXPECT_EQ(m.latency_count, 0U);
    EXPECT_EQ(m.checksum, 0U);
    EXPECT_EQ(m.extra.at("connections_opened"), 20);  // one attempt per request
}

TEST_P(Faults, AServerThatDiesMidRunEndsTheRunWithEveryRequestAccountedFor) {
    ServerConfig config;
    config.threads = 1;
    auto server = std::make_unique<Server>(config);
    server->start();
    Case const c{"dies", 40, 4, 100, true, {DelayConfig::Distribution::fixed, 50'000, 0}};  // 50 ms each: ~0.5 s in all
    auto p = params_for(server->port(), c);
    p.timeout = std::chrono::milliseconds{1000};
    auto run = std::async(std::launch::async, [&] { return run_model<Spec>(GetParam(), p, /*warmup=*/0); });
    std::this_thread::sleep_for(std::chrono::milliseconds{120});
    server.reset();  // closes its sockets: requests in flight break, later connects are refused
    ASSERT_EQ(run.wait_for(std::chrono::seconds{30}), std::future_status::ready) << "the run hangs";
    auto const m = run.get();
    EXPECT_GT(m.extra.at("errors"), 0);
    EXPECT_EQ(static_cast<double>(m.items) + m.extra.at("errors"), 40);  // each request fetched or counted as failed
}

// Open loop at 4 times what one request in flight can do (each waits 2 ms
// at the server): request 90 is due at 45 ms and cannot be done before
// 182 ms, so the tail holds the backlog and the run is flagged saturated.
TEST_P(Faults, OpenLoopOverloadShowsInTheTail) {
    Case const c{"overload", 100, 1, 16, true, {DelayConfig::Distribution::fixed, 2000, 0}, 1, {2000, false, 0}};
    auto const p = params_for(shared_server().port(), c);
    auto const m = run_model<Spec>(GetParam(), p, /*warmup=*/0);
    EXPECT_EQ(m.items, 100U);
    EXPECT_GE(m.latency_p99_us, 100'000);
    EXPECT_EQ(m.saturated, 1);
}

INSTANTIATE_TEST_SUITE_P(Models, Faults, testing::ValuesIn(all_models),
                         [](auto const& info) { return std::string{token(info.param)} + "__"; });

// ---- the pieces the clients share ----

TEST(ResolveUrl, ReadsHostAndPort) {
    auto const e = resolve_url("http://127.0.0.1:8080/");
    EXPECT_EQ(e.host, "127.0.0.1");
    EXPECT_EQ(e.port, 8080);
    EXPECT_EQ(e.url(), "http://127.0.0.1:8080");
    EXPECT_EQ(resolve_url("http://[::1]:81").url(), "http://[::1]:81");
    EXPECT_EQ(resolve_url("http://localhost:9").port, 9);
}

TEST(ResolveUrl, RefusesWhatIsNotHttpHostPort) {
    for (char const* bad : {"", "127.0.0.1:80", "https://127.0.0.1:80", "http://127.0.0.1", "http://127.0.0.1:0",
                            "http://127.0.0.1:65536", "http://127.0.0.1:80/items", "http://:80", "http://[::1:80",
                            "http://no-such-host.invalid:80"}) {
        EXPECT_THROW(resolve_url(bad), std::invalid_argument) << bad;
    }
}

TEST(Health, AnswersOkOnTheServerAndSaysWhyElsewhere) {
    EXPECT_EQ(health_problem(resolve_url("http://127.0.0.1:" + std::to_string(shared_server().port())), std::chrono::seconds{5}),
              "");
    EXPECT_NE(health_problem(resolve_url("http://127.0.0.1:" + std::to_string(free_port())), std::chrono::seconds{5}), "");
}

TEST(Ledger, CountsFaultsAndSumsOnlyWhatWasFetched) {
    Params p;
    p.requests = 4;
    p.size = 16;
    Reference const reference{p};
    Schedule const closed_loop{Arrivals{}, 0};
    Ledger ledger{reference, closed_loop};
    auto const ok = [&](std::uint64_t i) {
        return Fetched{i, Fault::none, contract::item_checksum(i, 16), 16, Clock::now(), {}};
    };
    EXPECT_EQ(ledger.record(ok(0)), contract::item_checksum(0, 16));
    EXPECT_EQ(ledger.record(Fetched{1, Fault::timeout, 0, 0, Clock::now(), "slow"}), 0U);
    EXPECT_EQ(ledger.record(ok(2)), contract::item_checksum(2, 16));
    EXPECT_NE(ledger.problems(), "");  // item 3 never requested
    ledger.record(ok(3));
    EXPECT_EQ(ledger.problems(), "");
    EXPECT_EQ(ledger.failed(), 1U);
    EXPECT_EQ(ledger.faults(Fault::timeout), 1U);
    EXPECT_EQ(ledger.fetched(), 3U);
    EXPECT_EQ(ledger.bytes(), 48U);
    EXPECT_EQ(ledger.expected_checksum(),
              contract::item_checksum(0, 16) + contract::item_checksum(2, 16) + contract::item_checksum(3, 16));
    EXPECT_EQ(ledger.fault_summary(), "1 timeout (first: item 1: slow)");
    ledger.record(ok(3));
    EXPECT_NE(ledger.problems().find("more than once"), std::string::npos);
}

}  // namespace
}  // namespace conclab::url_fetch
