// The url-fetch target: request parsing, per-item delays, and the server
// over real loopback sockets (bodies per the contract, keep-alive, 400/404
// for bad requests while it keeps serving, header limits).
#include "scenarios/contract.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "scenarios/url_fetch/target.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace conclab::url_fetch {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// ---- parse_target ----

TEST(ParseTarget, ReadsHealthAndItems) {
    EXPECT_TRUE(std::holds_alternative<HealthRequest>(parse_target("/health")));
    auto const item = std::get<ItemRequest>(parse_target("/item/42"));
    EXPECT_EQ(item.index, 42U);
    EXPECT_FALSE(item.size);
    EXPECT_FALSE(item.delay_us);
    auto const full = std::get<ItemRequest>(parse_target("/item/18446744073709551615?delay_us=5&size=0"));
    EXPECT_EQ(full.index, 18446744073709551615ULL);
    EXPECT_EQ(full.size, 0U);
    EXPECT_EQ(full.delay_us, 5U);
}

TEST(ParseTarget, AnswersUnknownPathsWith404) {
    for (char const* target : {"/", "/items/1", "/item", "/healthz", "", "item/1"}) {
        auto const r = parse_target(target);
        ASSERT_TRUE(std::holds_alternative<BadRequest>(r)) << target;
        EXPECT_EQ(std::get<BadRequest>(r).status, 404U) << target;
    }
}

TEST(ParseTarget, AnswersMalformedItemsWith400) {
    for (char const* target :
         {"/item/", "/item/abc", "/item/-1", "/item/+1", "/item/1.5", "/item/18446744073709551616", "/item/1?size",
          "/item/1?size=", "/item/1?size=x", "/item/1?size=1&size=2", "/item/1?bogus=1", "/item/1?size=1&",
          "/item/1?size=99999999999", "/item/1?delay_us=999999999999", "/health?x=1", "/item/1/2"}) {
        auto const r = parse_target(target);
        ASSERT_TRUE(std::holds_alternative<BadRequest>(r)) << target;
        EXPECT_EQ(std::get<BadRequest>(r).status, 400U) << target;
    }
}

// RFC 9112 3.2.2: a server must accept the absolute form (a proxy's form).
TEST(ParseTarget, AcceptsAbsoluteFormTargets) {
    auto const item = std::get<ItemRequest>(parse_target("http://127.0.0.1:8080/item/5?size=3"));
    EXPECT_EQ(item.index, 5U);
    EXPECT_EQ(item.size, 3U);
    EXPECT_TRUE(std::holds_alternative<HealthRequest>(parse_target("HTTP://localhost/health")));
    for (char const* target : {"http://host", "http://host?x=1", "http://host/items/1", "ftp://host/item/1", "http:/item/1"}) {
        auto const r = parse_target(target);
        ASSERT_TRUE(std::holds_alternative<BadRequest>(r)) << target;
        EXPECT_EQ(std::get<BadRequest>(r).status, 404U) << target;
    }
}

TEST(ItemTarget, RoundTripsThroughTheParser) {
    auto const item = std::get<ItemRequest>(parse_target(item_target(7, 100, 20)));
    EXPECT_EQ(item.index, 7U);
    EXPECT_EQ(item.size, 100U);
    EXPECT_EQ(item.delay_us, 20U);
    EXPECT_EQ(item_target(7, std::nullopt, std::nullopt), "/item/7");
}

// ---- delays ----

TEST(ItemDelay, FixedIsTheMean) {
    DelayConfig const config{DelayConfig::Distribution::fixed, 250, 9};
    for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(item_delay_us(config, i), 250U);
}

TEST(ItemDelay, IsAPureFunctionOfSeedAndItem) {
    DelayConfig a{DelayConfig::Distribution::exp, 1000, 1};
    DelayConfig b = a;
    b.seed = 2;
    std::uint64_t differing = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        EXPECT_EQ(item_delay_us(a, i), item_delay_us(a, i));
        differing += item_delay_us(a, i) != item_delay_us(b, i) ? 1 : 0;
    }
    EXPECT_GT(differing, 90U);
}

TEST(ItemDelay, DistributionsHaveTheConfiguredMean) {
    using D = DelayConfig::Distribution;
    for (D d : {D::uniform, D::exp, D::lognormal}) {
        DelayConfig const config{d, 1000, 3};
        double sum = 0;
        constexpr int n = 200'000;
        for (std::uint64_t i = 0; i < n; ++i) sum += static_cast<double>(item_delay_us(config, i));
        EXPECT_NEAR(sum / n, 1000.0, 30.0) << to_string(d);  // deterministic: the seed is fixed
    }
}

TEST(ItemDelay, UniformStaysWithinTwiceTheMean) {
    DelayConfig const config{DelayConfig::Distribution::uniform, 100, 5};
    for (std::uint64_t i = 0; i < 10'000; ++i) EXPECT_LE(item_delay_us(config, i), 200U);
}

// ---- the server over loopback ----

class ServerTest : public testing::Test {
protected:
    void SetUp() override {
        ServerConfig config;
        config.threads = 2;
        config.size = 100;
        server_ = std::make_unique<Server>(config);
        server_->start();
    }

    beast::tcp_stream connect() {
        beast::tcp_stream stream{context_};
        stream.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), server_->port()});
        return stream;
    }

    static http::response<http::string_body> get(beast::tcp_stream& stream, std::string const& target) {
        http::request<http::empty_body> request{http::verb::get, target, 11};
        request.set(http::field::host, "127.0.0.1");
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return response;
    }

    static std::uint64_t checksum(std::string const& body) {
        return contract::fnv1a({reinterpret_cast<unsigned char const*>(body.data()), body.size()});
    }

    asio::io_context context_;
    std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, AnswersHealth) {
    auto stream = connect();
    auto const response = get(stream, "/health");
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response.body(), "ok");
}

TEST_F(ServerTest, ServesContractBodiesOfEverySizeOnOneKeptAliveConnection) {
    auto stream = connect();
    for (std::uint64_t size : {0, 1, 7, 8, 1000, 65537}) {
        auto const response = get(stream, item_target(size + 3, size, std::nullopt));
        ASSERT_EQ(response.result(), http::status::ok);
        EXPECT_EQ(response[http::field::content_type], "application/octet-stream");
        EXPECT_EQ(response.body().size(), size);
        EXPECT_EQ(checksum(response.body()), contract::item_checksum(size + 3, size)) << size;
        EXPECT_TRUE(response.keep_alive());
    }
    auto const fallback = get(stream, "/item/9");  // the server's configured size
    EXPECT_EQ(fallback.body().size(), 100U);
    EXPECT_EQ(server_->counters().connections_opened, 1U);
}

TEST_F(ServerTest, AnswersBadRequestsAndKeepsServingTheConnection) {
    auto stream = connect();
    EXPECT_EQ(get(stream, "/nope").result(), http::status::not_found);
    EXPECT_EQ(get(stream, "/item/abc").result(), http::status::bad_request);
    EXPECT_EQ(get(stream, "/item/1?size=-4").result(), http::status::bad_request);
    auto const after = get(stream, "/item/1?size=16");
    EXPECT_EQ(after.result(), http::status::ok);
    EXPECT_EQ(checksum(after.body()), contract::item_checksum(1, 16));
    EXPECT_EQ(server_->counters().bad_requests, 3U);
}

TEST_F(ServerTest, RefusesOtherMethods) {
    auto stream = connect();
    http::request<http::empty_body> request{http::verb::delete_, "/item/1", 11};
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    EXPECT_EQ(response.result(), http::status::method_not_allowed);
}

TEST_F(ServerTest, AnswersGarbageWith400ThenClosesAndStillServesOthers) {
    {
        auto stream = connect();
        asio::write(stream.socket(), asio::buffer(std::string{"THIS IS NOT HTTP\r\n\r\n"}));
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        EXPECT_EQ(response.result(), http::status::bad_request);
        EXPECT_FALSE(response.keep_alive());
    }
    auto fresh = connect();
    EXPECT_EQ(get(fresh, "/health").result(), http::status::ok);
}

// RFC 9112 6.3: a request with a transfer coding other than chunked has no knowable length. Kept alive,
// its body (`GET /health ...` below) was read as the next request and answered (issue 31, item 8).
TEST_F(ServerTest, AnswersAnUnknownTransferCodingWith400AndCloses) {
    for (std::string const coding : {"xchunked", "chunked", "gzip, chunked"}) {
        auto stream = connect();
        asio::write(stream.socket(), asio::buffer("GET /item/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                                  "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        EXPECT_EQ(response.result(), http::status::bad_request) << coding;
        EXPECT_FALSE(response.keep_alive()) << coding;
        // nothing more: the connection is closed, the body never answered as a request
        beast::error_code error;
        http::response<http::string_body> second;
        http::read(stream, buffer, second, error);
        EXPECT_TRUE(error == http::error::end_of_stream || error == asio::error::eof || error == asio::error::connection_reset)
            << coding << ": " << error.message() << " " << second.result_int();
    }
}

TEST_F(ServerTest, LimitsTheHeaderSize) {
    auto stream = connect();
    http::request<http::empty_body> request{http::verb::get, "/item/1", 11};
    request.set("X-Padding", std::string(max_header_bytes * 2, 'x'));
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    EXPECT_EQ(response.result(), http::status::bad_request);
    auto fresh = connect();
    EXPECT_EQ(get(fresh, "/health").result(), http::status::ok);
}

TEST_F(ServerTest, AnswersAnAbsoluteFormTarget) {
    auto stream = connect();
    auto const response = get(stream, "http://127.0.0.1:" + std::to_string(server_->port()) + "/item/4?size=9");
    ASSERT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(checksum(response.body()), contract::item_checksum(4, 9));
}

// The descriptor of the server's end of a loopback connection: the server runs
// in this process, so its socket is one of ours (local port = the server's,
// peer port = the client's local port).
int server_end_of(tcp::socket& client) {
    auto const client_port = client.local_endpoint().port();
    auto const server_port = client.remote_endpoint().port();
    for (int fd = 0; fd < 65536; ++fd) {
        sockaddr_in local{}, peer{};
        socklen_t local_size = sizeof local, peer_size = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0 || local.sin_family != AF_INET) continue;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;
        if (ntohs(local.sin_port) == server_port && ntohs(peer.sin_port) == client_port) return fd;
    }
    return -1;
}

// Without TCP_NODELAY a body sent in pieces (--slow-body-us) waits for the
// client's delayed ACK, 40 ms a piece on Linux: the server's artefact would
// land in the client's latency.
TEST_F(ServerTest, SetsNoDelayOnEveryConnection) {
    auto stream = connect();
    EXPECT_EQ(get(stream, "/health").result(), http::status::ok);  // accepted by now
    int const fd = server_end_of(stream.socket());
    ASSERT_GE(fd, 0) << "the server's end of the connection was not found";
    int no_delay = 0;
    socklen_t size = sizeof no_delay;
    ASSERT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, &size), 0);
    EXPECT_NE(no_delay, 0);
}

// Bodies are made as they are sent, a piece at a time: clients that ask
// for 64 MiB bodies and never read cannot make the server hold them (it
// held 1.3 GiB for 20 such clients when each body was built whole first).
TEST(Server, HoldsNoWholeBodyForAClientThatDoesNotRead) {
    auto const resident_bytes = [] {
        long pages = 0, resident = 0;
        FILE* statm = std::fopen("/proc/self/statm", "r");
        if (statm == nullptr) return 0L;
        if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(statm);
        return resident * ::sysconf(_SC_PAGESIZE);
    };
    ServerConfig config;
    config.threads = 2;
    Server server{config};
    server.start();
    asio::io_context context;
    std::vector<beast::tcp_stream> clients;
    long const before = resident_bytes();
    constexpr std::uint64_t count = 20;
    for (std::uint64_t i = 0; i < count; ++i) {
        auto& stream = clients.emplace_back(context);
        stream.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), server.port()});
        http::request<http::empty_body> request{http::verb::get, item_target(i, max_item_size, std::nullopt), 11};
        http::write(stream, request);
    }
    for (auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
         server.counters().items_served < count && std::chrono::steady_clock::now() < deadline;) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    ASSERT_EQ(server.counters().items_served, count);
    std::this_thread::sleep_for(std::chrono::milliseconds{100});  // the sends fill the socket buffers and stop
    long const grown = resident_bytes() - before;
    EXPECT_LT(grown, 64L << 20) << "the server holds " << (grown >> 20) << " MiB for " << count << " clients that do not read";
}

// At --max-connections a new client gets an answer, not a bare EOF: /health
// is served and anything else gets 503 with Retry-After, then the connection
// closes, so a load balancer's check and a client both learn why.
TEST(Server, AnswersHealthAndA503AtTheConnectionLimit) {
    ServerConfig config;
    config.threads = 1;
    config.max_connections = 1;
    Server server{config};
    server.start();
    asio::io_context context;
    tcp::endpoint const endpoint{asio::ip::make_address("127.0.0.1"), server.port()};
    auto const get = [](beast::tcp_stream& stream, std::string const& target) {
        http::request<http::empty_body> request{http::verb::get, target, 11};
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return response;
    };
    beast::tcp_stream held{context};
    held.connect(endpoint);
    EXPECT_EQ(get(held, "/health").result(), http::status::ok);  // the one connection, kept open

    beast::tcp_stream health{context};
    health.connect(endpoint);
    auto const checked = get(health, "/health");
    EXPECT_EQ(checked.result(), http::status::ok);
    EXPECT_FALSE(checked.keep_alive());

    beast::tcp_stream over{context};
    over.connect(endpoint);
    auto const refused = get(over, "/item/1");
    EXPECT_EQ(refused.result(), http::status::service_unavailable);
    EXPECT_EQ(refused[http::field::retry_after], "1");
    EXPECT_NE(refused.body().find("connection limit"), std::string::npos) << refused.body();
    EXPECT_FALSE(refused.keep_alive());
    EXPECT_EQ(server.counters().connections_refused, 2U);
    EXPECT_EQ(server.counters().connections_opened, 1U);
    EXPECT_EQ(get(held, "/item/2?size=5").result(), http::status::ok);  // the held connection is still served
}

TEST_F(ServerTest, WaitsTheRequestedDelayBeforeAnswering) {
    auto stream = connect();
    auto const start = std::chrono::steady_clock::now();
    auto const response = get(stream, "/item/1?delay_us=50000");
    auto const waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(response.result(), http::status::ok);
    // A timer cannot fire early: this checks the delay is applied, not a speed.
    EXPECT_TRUE(waited >= std::chrono::milliseconds{50});
}

TEST(Server, ReportsAnUnusableAddressClearly) {
    ServerConfig config;
    config.host = "not-an-address";
    try {
        Server server{config};
        FAIL();
    } catch (std::runtime_error const& e) {
        EXPECT_NE(std::string{e.what()}.find("not-an-address"), std::string::npos);
    }
}

TEST(Server, ReportsAPortInUse) {
    Server first{ServerConfig{}};
    ServerConfig config;
    config.port = first.port();
    // SO_REUSEADDR lets a listener re-bind a TIME_WAIT port, not a listening one.
    EXPECT_THROW(Server{config}, std::runtime_error);
}

// Out of file descriptors, accept fails (EMFILE) and leaves the connection
// in the backlog, so trying again at once fails again: the loop must back off
// (5 ms doubling to 1 s), not spin a core, and take the connection once
// descriptors are back. A spinning loop fails thousands of times in 300 ms.
TEST(Server, BacksOffWhileAcceptRunsOutOfFileDescriptorsAndRecovers) {
    ServerConfig config;
    config.threads = 1;
    Server server{config};
    server.start();
    int const client = ::socket(AF_INET, SOCK_STREAM, 0);  // made before the limit
    ASSERT_GE(client, 0);
    int const lowest_free = ::dup(client);
    ASSERT_GE(lowest_free, 0);
    ::close(lowest_free);
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit none_left = saved;
    none_left.rlim_cur = static_cast<rlim_t>(lowest_free);  // no new descriptor fits under it
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &none_left), 0);

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int const connected = ::connect(client, reinterpret_cast<sockaddr const*>(&address), sizeof address);
    auto const wait_for = [](auto done) {
        for (auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
             !done() && std::chrono::steady_clock::now() < deadline;) {
            std::this_thread::sleep_for(std::chrono::milliseconds{1});
        }
        return done();
    };
    bool const failed = wait_for([&] { return server.counters().accept_errors > 0; });
    auto const first = server.counters().accept_errors;
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    auto const later = server.counters().accept_errors;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);

    ASSERT_EQ(connected, 0);
    EXPECT_TRUE(failed) << "accept never failed: the limit did not take";
    EXPECT_LE(later - first, 8U) << "the accept loop retried without waiting";
    EXPECT_TRUE(wait_for([&] { return server.counters().connections_opened == 1; })) << "never accepted once descriptors were back";
    ::close(client);
}

}  // namespace
}  // namespace conclab::url_fetch
