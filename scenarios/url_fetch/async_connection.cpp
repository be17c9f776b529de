#include "scenarios/url_fetch/async_connection.hpp"

#include "models/coroutines/netpoll.hpp"
#include "scenarios/url_fetch/fd_stream.hpp"
#include "scenarios/url_fetch/http.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

namespace conclab::url_fetch {
namespace {
namespace beast = boost::beast;
using boost::system::error_code;
using models::coroutines::Task;
using models::coroutines::Watch;
}  // namespace

// The task's own non-blocking calls, readiness awaited only on EAGAIN.
template <>
struct HttpConnection<Readiness>::Impl {
    Impl(models::coroutines::Executor e, RequestPlan const& p, std::function<void()> c)
        : executor{e}, plan{p}, on_connect{std::move(c)} {
        buffer.reserve(read_buffer_bytes);
    }

    models::coroutines::Executor executor;
    RequestPlan plan;
    std::function<void()> on_connect;
    int fd = -1;
    std::unique_ptr<Watch> watch;
    beast::flat_buffer buffer;

    ~Impl() { close(); }

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
    Task<error_code> complete(Step step, Watch::Direction direction, Clock::time_point deadline) {
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

    Task<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                             Clock::time_point due) {
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

template class HttpConnection<Readiness>;

}  // namespace conclab::url_fetch
