#include "scenarios/url_fetch/async_connection.hpp"

#include "scenarios/url_fetch/http.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cstring>

namespace conclab::url_fetch {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint to_asio(Endpoint const& target) {
    asio::ip::tcp::endpoint endpoint;
    std::memcpy(endpoint.data(), &target.address, target.length);
    endpoint.resize(target.length);
    return endpoint;
}
}  // namespace

struct AsyncConnection::Impl {
    beast::tcp_stream stream;
    RequestPlan plan;
    asio::ip::tcp::endpoint endpoint;
    std::function<void()> on_connect;
    beast::flat_buffer buffer;
    bool connected = false;

    Fetched failed(Fetched& out, Fault fault, std::string detail) {
        out.fault = fault;
        out.detail = std::move(detail);
        close();  // the connection's state is unknown after a fault
        return std::move(out);
    }

    void close() {
        beast::error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream.close();
        buffer.clear();
        connected = false;
    }
};

AsyncConnection::AsyncConnection(asio::any_io_executor executor, RequestPlan const& plan, std::function<void()> on_connect)
    : impl_{new Impl{.stream = beast::tcp_stream{std::move(executor)}, .plan = plan, .endpoint = to_asio(*plan.target),
                     .on_connect = std::move(on_connect), .buffer = {}, .connected = false}} {}

AsyncConnection::~AsyncConnection() = default;

asio::awaitable<Fetched> AsyncConnection::fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                                Clock::time_point due) {
    auto& c = *impl_;
    Fetched out{.index = index, .fault = Fault::none, .checksum = 0, .bytes = 0, .started = due, .detail = {}};
    c.stream.expires_after(c.plan.timeout);
    if (!c.connected) {
        c.on_connect();
        auto [error] = co_await c.stream.async_connect(c.endpoint, use_tuple);
        if (error) co_return c.failed(out, classify(error, true), "connect: " + error.message());
        c.stream.socket().set_option(asio::ip::tcp::no_delay{true}, error);
        c.connected = true;
    }
    auto const request = http::make_request(c.plan, index, delay_us);
    auto [write_error, written] = co_await beast::http::async_write(c.stream, request, use_tuple);
    (void)written;
    if (write_error) co_return c.failed(out, classify(write_error, false), "sending the request: " + write_error.message());

    http::Parser parser;
    http::prepare(parser);
    auto [header_error, header_bytes] = co_await beast::http::async_read_header(c.stream, c.buffer, parser, use_tuple);
    (void)header_bytes;
    if (header_error) co_return c.failed(out, classify(header_error, false), "reading the answer's header: " + header_error.message());
    std::string detail;
    if (auto const fault = http::check_header(parser, c.plan, detail)) co_return c.failed(out, *fault, detail);
    auto [body_error, body_bytes] = co_await beast::http::async_read(c.stream, c.buffer, parser, use_tuple);
    (void)body_bytes;
    if (body_error) co_return c.failed(out, classify(body_error, false), "reading the body: " + body_error.message());
    http::check_body(parser, expected_checksum, out);
    if (out.fault != Fault::none) co_return c.failed(out, out.fault, out.detail);
    if (!c.plan.keepalive || !parser.keep_alive()) c.close();
    co_return out;
}

}  // namespace conclab::url_fetch
