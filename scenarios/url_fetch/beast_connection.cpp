// The variant coroutines/beast-streams' connection (async_connection.hpp):
// Beast's asynchronous operations on a tcp_stream under the request's
// deadline (expires_after), on a strand so that the stream's timer and the
// task never run on two threads at once.
#include "scenarios/url_fetch/async_connection.hpp"

#include "scenarios/url_fetch/http.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cstring>

namespace conclab::url_fetch {
namespace {
namespace beast = boost::beast;
namespace asio = boost::asio;
using boost::system::error_code;
using models::coroutines::Task;
constexpr auto use_tuple = asio::as_tuple(asio::deferred);

asio::ip::tcp::endpoint to_asio(Endpoint const& target) {
    asio::ip::tcp::endpoint endpoint;
    std::memcpy(endpoint.data(), &target.address, target.length);
    endpoint.resize(target.length);
    return endpoint;
}
}  // namespace

template <>
struct HttpConnection<BeastStreams>::Impl {
    Impl(models::coroutines::Executor e, RequestPlan const& p, std::function<void()> c)
        : stream{asio::make_strand(e)}, plan{p}, endpoint{to_asio(*p.target)}, on_connect{std::move(c)} {
        buffer.reserve(read_buffer_bytes);
    }

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
        error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream.close();
        buffer.clear();
        connected = false;
    }

    Task<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                             Clock::time_point due) {
        Fetched out{.index = index, .fault = Fault::none, .checksum = 0, .bytes = 0, .started = due, .detail = {}};
        stream.expires_after(plan.timeout);
        if (!connected) {
            on_connect();
            auto [error] = co_await stream.async_connect(endpoint, use_tuple);
            if (error) co_return failed(out, classify(error, true), "connect: " + error.message());
            stream.socket().set_option(asio::ip::tcp::no_delay{true}, error);
            connected = true;
        }
        auto const request = http::make_request(plan, index, delay_us);
        auto [write_error, written] = co_await beast::http::async_write(stream, request, use_tuple);
        (void)written;
        if (write_error) co_return failed(out, classify(write_error, false), "sending the request: " + write_error.message());

        http::Parser parser;
        http::prepare(parser);
        auto [header_error, header_bytes] = co_await beast::http::async_read_header(stream, buffer, parser, use_tuple);
        (void)header_bytes;
        if (header_error) {
            co_return failed(out, classify(header_error, false), "reading the answer's header: " + header_error.message());
        }
        std::string detail;
        if (auto const fault = http::check_header(parser, plan, detail)) co_return failed(out, *fault, detail);
        auto [body_error, body_bytes] = co_await beast::http::async_read(stream, buffer, parser, use_tuple);
        (void)body_bytes;
        if (body_error) co_return failed(out, classify(body_error, false), "reading the body: " + body_error.message());
        http::check_body(parser, expected_checksum, out);
        if (out.fault != Fault::none) co_return failed(out, out.fault, out.detail);
        if (!plan.keepalive || !parser.keep_alive()) close();
        co_return out;
    }
};

template class HttpConnection<BeastStreams>;

}  // namespace conclab::url_fetch
