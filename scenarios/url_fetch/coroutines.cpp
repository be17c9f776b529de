// url-fetch in the coroutines model (async/await): one coroutine per
// request in flight (C workers taking item numbers), each with its own
// keep-alive connection, every step a `co_await` on a Beast async
// operation with the request's deadline (tcp_stream::expires_at). Each
// worker runs on a strand of its own, as a Tokio task would.
// Written natively: Tokio: `stream::iter(0..n).map(|i| fetch(&client, i)).buffer_unordered(C).try_fold(0, sum).await` (hyper or reqwest)
#include "scenarios/url_fetch/url_fetch.hpp"

#include "scenarios/url_fetch/http.hpp"
#include "models/coroutines/runtime.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
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
using models::coroutines::awaitable;
using models::coroutines::Runtime;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint to_asio(Endpoint const& target) {
    asio::ip::tcp::endpoint endpoint;
    std::memcpy(endpoint.data(), &target.address, target.length);
    endpoint.resize(target.length);
    return endpoint;
}

// [connection] one keep-alive connection; every wait is a co_await
class Connection {
public:
    Connection(asio::any_io_executor executor, Params const& p, Ledger& ledger)
        : stream_{std::move(executor)}, plan_{request_plan(p)}, endpoint_{to_asio(p.target)}, ledger_{ledger} {}

    awaitable<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum, Clock::time_point due) {
        Fetched out{.index = index, .fault = Fault::none, .checksum = 0, .bytes = 0, .started = due, .detail = {}};
        stream_.expires_after(plan_.timeout);
        if (!connected_) {
            ledger_.connection_opened();
            auto [error] = co_await stream_.async_connect(endpoint_, use_tuple);
            if (error) co_return failed(out, classify(error, true), "connect: " + error.message());
            stream_.socket().set_option(asio::ip::tcp::no_delay{true}, error);
            connected_ = true;
        }
        auto const request = http::make_request(plan_, index, delay_us);
        auto [write_error, written] = co_await beast::http::async_write(stream_, request, use_tuple);
        (void)written;
        if (write_error) co_return failed(out, classify(write_error, false), "sending the request: " + write_error.message());

        http::Parser parser;
        http::prepare(parser);
        auto [header_error, header_bytes] = co_await beast::http::async_read_header(stream_, buffer_, parser, use_tuple);
        (void)header_bytes;
        if (header_error) {
            co_return failed(out, classify(header_error, false), "reading the answer's header: " + header_error.message());
        }
        std::string detail;
        if (auto const fault = http::check_header(parser, plan_, detail)) co_return failed(out, *fault, detail);
        auto [body_error, body_bytes] = co_await beast::http::async_read(stream_, buffer_, parser, use_tuple);
        (void)body_bytes;
        if (body_error) co_return failed(out, classify(body_error, false), "reading the body: " + body_error.message());
        http::check_body(parser, expected_checksum, out);
        if (out.fault != Fault::none) co_return failed(out, out.fault, out.detail);
        if (!plan_.keepalive || !parser.keep_alive()) close();
        co_return out;
    }

private:
    Fetched failed(Fetched& out, Fault fault, std::string detail) {
        out.fault = fault;
        out.detail = std::move(detail);
        close();  // the connection's state is unknown after a fault
        return std::move(out);
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream_.close();
        buffer_.clear();
        connected_ = false;
    }

    beast::tcp_stream stream_;
    RequestPlan plan_;
    asio::ip::tcp::endpoint endpoint_;
    Ledger& ledger_;
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
awaitable<void> worker(Feed& feed, Ledger& ledger, Params const& p, std::atomic<std::uint64_t>& total) {
    Connection connection{co_await asio::this_coro::executor, p, ledger};
    asio::steady_timer timer{co_await asio::this_coro::executor};
    std::uint64_t checksum = 0;
    while (auto index = feed.next()) {
        auto const due = ledger.due(*index);
        if (ledger.early(due)) {
            timer.expires_at(due);
            co_await timer.async_wait(asio::use_awaitable);
        }
        auto fetched =
            co_await connection.fetch(*index, item_delay_us(p.delay, *index), ledger.reference().checksum(*index), due);
        checksum += ledger.record(fetched);
    }
    total += checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Feed feed{p.requests};
    std::atomic<std::uint64_t> checksum{0};
    rt.block_on([&]() -> awaitable<void> {
        for (std::uint64_t w = 0; w < workers(p); ++w) rt.spawn_serial(worker(feed, ledger, p, checksum));
        co_return;
    });
    return checksum;
}

}  // namespace conclab::url_fetch
