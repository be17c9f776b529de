#include "scenarios/url_fetch/async_connection.hpp"

#include "models/coroutines/netpoll.hpp"
#include "scenarios/url_fetch/fd_stream.hpp"
#include "scenarios/url_fetch/http.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <cstring>

#include <unistd.h>

namespace conclab::url_fetch {
namespace {
namespace beast = boost::beast;
using boost::system::error_code;
using models::coroutines::awaitable;
using models::coroutines::Watch;
namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::deferred);

std::atomic<bool> beast_streams{false};

asio::ip::tcp::endpoint to_asio(Endpoint const& target) {
    asio::ip::tcp::endpoint endpoint;
    std::memcpy(endpoint.data(), &target.address, target.length);
    endpoint.resize(target.length);
    return endpoint;
}
}  // namespace

struct AsyncConnection::Impl {
    virtual ~Impl() = default;
    virtual awaitable<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                     Clock::time_point due) = 0;
};

namespace {
// The default: the task's own non-blocking calls, readiness awaited only on EAGAIN.
struct ReadinessConnection final : AsyncConnection::Impl {
    ReadinessConnection(models::coroutines::Executor e, RequestPlan const& p, std::function<void()> c)
        : executor{e}, plan{p}, on_connect{std::move(c)} {
        buffer.reserve(read_buffer_bytes);
    }

    models::coroutines::Executor executor;
    RequestPlan plan;
    std::function<void()> on_connect;
    int fd = -1;
    std::unique_ptr<Watch> watch;
    beast::flat_buffer buffer;

    ~ReadinessConnection() override { close(); }

    void close() noexcept {
        watch.reset();  // before the descriptor it watches
        if (fd >= 0) ::close(fd);
        fd = -1;
        buffer.clear();
    }

    Fetched failed(Fetched& out, Fault fault, std::string detail) {
        out.fault = fault;
        out.detail = std::move(detail);
        close();  // the connection's state is unknown after a fault
        return std::move(out);
    }

    /// Calls `step(error)` (one of Beast's synchronous calls on a FdStream
    /// without a wait) until it no longer would block, awaiting the socket
    /// in `direction` in between; beast::error::timeout once the deadline passed.
    template <class Step>
    awaitable<error_code> complete(Step step, Watch::Direction direction, Clock::time_point deadline) {
        for (;;) {
            error_code error;
            step(error);
            if (error != boost::asio::error::would_block) co_return error;
            // (no co_await inside a condition or a ?: : GCC 12 miscompiles it, models/coroutines/task.hpp)
            bool ready = false;
            if (direction == Watch::Direction::read) {
                ready = co_await watch->readable(deadline);
            } else {
                ready = co_await watch->writable(deadline);
            }
            if (!ready) co_return error_code{beast::error::timeout};
        }
    }

    awaitable<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                             Clock::time_point due) override {
        Fetched out{.index = index, .fault = Fault::none, .checksum = 0, .bytes = 0, .started = due, .detail = {}};
        auto const deadline = Clock::now() + plan.timeout;
        if (fd < 0) {
            auto const started = start_connect(*plan.target);
            fd = started.fd;
            if (fd < 0) co_return failed(out, Fault::connect, started.failure);
            on_connect();
            watch = std::make_unique<Watch>(executor, fd);
            if (!started.failure.empty()) co_return failed(out, Fault::connect, started.failure);
            if (started.in_progress) {
                bool const connected = co_await watch->writable(deadline);
                if (!connected) co_return failed(out, Fault::timeout, "no connection within the timeout");
                if (auto failure = connect_failure(fd); !failure.empty()) co_return failed(out, Fault::connect, failure);
            }
        }
        FdStream stream{fd, nullptr, deadline};

        auto const request = http::make_request(plan, index, delay_us);
        beast::http::serializer<true, beast::http::empty_body> serializer{request};
        auto error = co_await complete([&](error_code& e) { beast::http::write(stream, serializer, e); }, Watch::Direction::write,
                                       deadline);
        if (error) co_return failed(out, classify(error, false), "sending the request: " + error.message());

        http::Parser parser;
        http::prepare(parser);
        error = co_await complete([&](error_code& e) { beast::http::read_header(stream, buffer, parser, e); },
                                  Watch::Direction::read, deadline);
        if (error) co_return failed(out, classify(error, false), "reading the answer's header: " + error.message());
        std::string detail;
        if (auto const fault = http::check_header(parser, plan, detail)) co_return failed(out, *fault, detail);
        error = co_await complete([&](error_code& e) { beast::http::read(stream, buffer, parser, e); }, Watch::Direction::read,
                                  deadline);
        if (error) co_return failed(out, classify(error, false), "reading the body: " + error.message());
        http::check_body(parser, expected_checksum, out);
        if (out.fault != Fault::none) co_return failed(out, out.fault, out.detail);
        if (!plan.keepalive || !parser.keep_alive()) close();
        co_return out;
    }
};

// The variant coroutines/beast-streams: Beast's asynchronous operations on a
// tcp_stream under the request's deadline (expires_after), on a strand so
// that the stream's timer and the task never run on two threads at once.
struct BeastConnection final : AsyncConnection::Impl {
    BeastConnection(models::coroutines::Executor e, RequestPlan const& p, std::function<void()> c)
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

    awaitable<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                             Clock::time_point due) override {
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
}  // namespace

AsyncConnection::AsyncConnection(models::coroutines::Executor executor, RequestPlan const& plan, std::function<void()> on_connect) {
    if (beast_streams.load(std::memory_order_relaxed)) {
        impl_ = std::make_unique<BeastConnection>(executor, plan, std::move(on_connect));
    } else {
        impl_ = std::make_unique<ReadinessConnection>(executor, plan, std::move(on_connect));
    }
}

AsyncConnection::~AsyncConnection() = default;

awaitable<Fetched> AsyncConnection::fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                          Clock::time_point due) {
    return impl_->fetch(index, delay_us, expected_checksum, due);
}

AsyncConnection::BeastStreams::BeastStreams() noexcept { beast_streams.store(true); }
AsyncConnection::BeastStreams::~BeastStreams() { beast_streams.store(false); }

namespace coroutines_beast {
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Ledger& ledger) {
    AsyncConnection::BeastStreams const beast_streams;
    return url_fetch::run(rt, p, ledger);
}
}  // namespace coroutines_beast

}  // namespace conclab::url_fetch
