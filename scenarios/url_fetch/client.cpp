// The blocking HTTP client of the fibers, tbb and threads models, and the
// health probe. Beast parses and serializes; the socket is ours
// (non-blocking, so every wait can go through the model's SocketWait with
// the request's deadline: Asio's synchronous calls wait without one).
// Addresses are endpoint.cpp's; requests, answers and faults http.cpp's.
#include "scenarios/url_fetch/client.hpp"

#include "scenarios/contract.hpp"
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

error_code last_error() noexcept { return {errno, boost::system::system_category()}; }

// Beast's SyncReadStream and SyncWriteStream over a non-blocking socket:
// every EAGAIN waits through the SocketWait, until the deadline.
class FdStream {
public:
    FdStream(int fd, SocketWait& wait, Clock::time_point deadline) noexcept : fd_{fd}, wait_{wait}, deadline_{deadline} {}

    template <class Buffers>
    std::size_t read_some(Buffers const& buffers, error_code& ec) {
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
            asio::mutable_buffer const buffer = *it;
            if (buffer.size() == 0) continue;
            for (;;) {
                ssize_t const n = ::recv(fd_, buffer.data(), buffer.size(), 0);
                if (n > 0) {
                    ec = {};
                    return static_cast<std::size_t>(n);
                }
                if (n == 0) {
                    ec = asio::error::eof;
                    return 0;
                }
                if (errno == EINTR) continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    ec = last_error();
                    return 0;
                }
                if (!wait_.until_ready(SocketWait::Direction::read, deadline_)) {
                    ec = beast::error::timeout;
                    return 0;
                }
            }
        }
        ec = {};
        return 0;
    }

    template <class Buffers>
    std::size_t write_some(Buffers const& buffers, error_code& ec) {
        iovec vectors[16];
        std::size_t count = 0;
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers) && count < 16; ++it) {
            asio::const_buffer const buffer = *it;
            vectors[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
        }
        msghdr message{};
        message.msg_iov = vectors;
        message.msg_iovlen = count;
        for (;;) {
            ssize_t const n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
            if (n >= 0) {
                ec = {};
                return static_cast<std::size_t>(n);
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                ec = last_error();
                return 0;
            }
            if (!wait_.until_ready(SocketWait::Direction::write, deadline_)) {
                ec = beast::error::timeout;
                return 0;
            }
        }
    }

    // the throwing forms complete the stream concepts; Beast's calls with an error_code use the ones above
    template <class Buffers>
    std::size_t read_some(Buffers const& buffers) {
        error_code ec;
        auto const n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error{ec};
        return n;
    }
    template <class Buffers>
    std::size_t write_some(Buffers const& buffers) {
        error_code ec;
        auto const n = write_some(buffers, ec);
        if (ec) throw boost::system::system_error{ec};
        return n;
    }

private:
    int fd_;
    SocketWait& wait_;
    Clock::time_point deadline_;
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
    FdStream stream{fd, wait, deadline};
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
        fd = ::socket(target.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return fail(out, Fault::connect, std::string{"socket: "} + std::strerror(errno));
        int const one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        on_connect();
        wait = wait_factory(fd);
        if (::connect(fd, reinterpret_cast<sockaddr const*>(&target.address), target.length) != 0) {
            if (errno != EINPROGRESS) return fail(out, Fault::connect, std::string{"connect: "} + std::strerror(errno));
            if (!wait->until_ready(SocketWait::Direction::write, deadline)) {
                return fail(out, Fault::timeout, "no connection within the timeout");
            }
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            if (error != 0) return fail(out, Fault::connect, std::string{"connect: "} + std::strerror(error));
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
        FdStream stream{fd, *wait, deadline};
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
