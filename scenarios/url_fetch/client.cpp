// The blocking HTTP client of the fibers, tbb and threads models, and the
// health probe. Beast parses and serializes; the socket is ours
// (non-blocking, so every wait can go through the model's SocketWait with
// the request's deadline: Asio's synchronous calls wait without one).
// Addresses are endpoint.cpp's; requests, answers and faults http.cpp's.
#include "scenarios/url_fetch/client.hpp"

#include "scenarios/contract.hpp"
#include "scenarios/url_fetch/fd_stream.hpp"
#include "scenarios/url_fetch/http.hpp"
#include "scenarios/url_fetch/target.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

namespace conclab::url_fetch {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = beast::http;
using boost::system::error_code;

class PollWait final : public SocketWait {
public:
    explicit PollWait(int fd) noexcept : fd_{fd} {}
    bool until_ready(Direction direction, Clock::time_point deadline) override {
        for (;;) {
            auto const left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            pollfd p{fd_, static_cast<short>(direction == Direction::read ? POLLIN : POLLOUT), 0};
            int const ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
            if (ready > 0) return true;  // ready, or an error the next call reports
            if (ready < 0 && errno != EINTR) return true;
        }
    }

private:
    int fd_;
};

}  // namespace

std::string health_problem(Endpoint const& target, std::chrono::milliseconds timeout) {
    auto const deadline = Clock::now() + timeout;
    int const fd = ::socket(target.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string{"socket: "} + std::strerror(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } const closer{fd};
    PollWait wait{fd};
    if (::connect(fd, reinterpret_cast<sockaddr const*>(&target.address), target.length) != 0) {
        if (errno != EINPROGRESS) return std::strerror(errno);
        if (!wait.until_ready(SocketWait::Direction::write, deadline)) return "no connection within the timeout";
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) return std::strerror(error);
    }
    FdStream stream{fd, &wait, deadline};
    beast_http::request<beast_http::empty_body> request{beast_http::verb::get, "/health", 11};
    request.set(beast_http::field::host, target.host + ":" + std::to_string(target.port));
    request.keep_alive(false);
    error_code error;
    beast_http::write(stream, request, error);
    if (error) return "sending GET /health: " + error.message();
    beast::flat_buffer buffer;
    beast_http::response<beast_http::string_body> response;
    beast_http::read(stream, buffer, response, error);
    if (error) return "reading the answer to GET /health: " + error.message();
    if (response.result() != beast_http::status::ok || response.body() != "ok") {
        return "GET /health answered HTTP " + std::to_string(response.result_int()) + " '" + response.body().substr(0, 40) +
               "', not 200 'ok'";
    }
    return {};
}

std::unique_ptr<SocketWait> poll_wait(int fd) { return std::make_unique<PollWait>(fd); }

Connecting start_connect(Endpoint const& target) {
    Connecting c;
    c.fd = ::socket(target.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        c.failure = std::string{"socket: "} + std::strerror(errno);
        return c;
    }
    int const one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(c.fd, reinterpret_cast<sockaddr const*>(&target.address), target.length) != 0) {
        if (errno == EINPROGRESS) {
            c.in_progress = true;
        } else {
            c.failure = std::string{"connect: "} + std::strerror(errno);
        }
    }
    return c;
}

std::string connect_failure(int fd) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    return error == 0 ? std::string{} : std::string{"connect: "} + std::strerror(error);
}


struct BlockingConnection::Impl {
    RequestPlan plan;
    SocketWaitFactory wait_factory;
    std::function<void()> on_connect;
    int fd = -1;
    std::unique_ptr<SocketWait> wait;
    beast::flat_buffer buffer;

    ~Impl() { close(); }

    void close() noexcept {
        wait.reset();  // before the descriptor it watches
        if (fd >= 0) ::close(fd);
        fd = -1;
        buffer.clear();
    }

    // false (and `out` holds the fault) when no connection could be made
    bool connect(Clock::time_point deadline, Fetched& out) {
        auto const& target = *plan.target;
        auto const started = start_connect(target);
        fd = started.fd;
        if (fd < 0) return fail(out, Fault::connect, started.failure);
        on_connect();
        wait = wait_factory(fd);
        if (!started.failure.empty()) return fail(out, Fault::connect, started.failure);
        if (started.in_progress) {
            if (!wait->until_ready(SocketWait::Direction::write, deadline)) {
                return fail(out, Fault::timeout, "no connection within the timeout");
            }
            if (auto failure = connect_failure(fd); !failure.empty()) return fail(out, Fault::connect, failure);
        }
        return true;
    }

    bool fail(Fetched& out, Fault fault, std::string detail) {
        out.fault = fault;
        out.detail = std::move(detail);
        close();  // the connection's state is unknown after a fault
        return false;
    }

    Fetched failed(Fetched& out, Fault fault, std::string detail) {
        fail(out, fault, std::move(detail));
        return std::move(out);
    }

    Fetched fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum, Clock::time_point due) {
        Fetched out{.index = index, .fault = Fault::none, .checksum = 0, .bytes = 0, .started = due, .detail = {}};
        auto const deadline = Clock::now() + plan.timeout;
        if (fd < 0 && !connect(deadline, out)) return out;
        FdStream stream{fd, wait.get(), deadline};
        error_code error;

        auto const request = http::make_request(plan, index, delay_us);
        beast_http::write(stream, request, error);
        if (error) return failed(out, classify(error, false), "sending the request: " + error.message());

        http::Parser parser;
        http::prepare(parser);
        beast_http::read_header(stream, buffer, parser, error);
        if (error) return failed(out, classify(error, false), "reading the answer's header: " + error.message());
        std::string detail;
        if (auto const fault = http::check_header(parser, plan, detail)) return failed(out, *fault, detail);
        beast_http::read(stream, buffer, parser, error);
        if (error) return failed(out, classify(error, false), "reading the body: " + error.message());
        http::check_body(parser, expected_checksum, out);
        if (out.fault != Fault::none) return failed(out, out.fault, out.detail);
        if (!plan.keepalive || !parser.keep_alive()) close();
        return out;
    }
};

BlockingConnection::BlockingConnection(RequestPlan const& plan, SocketWaitFactory wait_factory, std::function<void()> on_connect)
    : impl_{std::make_unique<Impl>()} {
    impl_->buffer.reserve(read_buffer_bytes);
    impl_->plan = plan;
    impl_->wait_factory = std::move(wait_factory);
    impl_->on_connect = std::move(on_connect);
}
BlockingConnection::~BlockingConnection() = default;
BlockingConnection::BlockingConnection(BlockingConnection&&) noexcept = default;
BlockingConnection& BlockingConnection::operator=(BlockingConnection&&) noexcept = default;

Fetched BlockingConnection::fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                  Clock::time_point due) {
    return impl_->fetch(index, delay_us, expected_checksum, due);
}

}  // namespace conclab::url_fetch
