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
#include <span>
#include <string>
#include <thread>

#include <arpa/inet.h>
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
