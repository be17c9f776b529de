// One coroutine per connection, each on its own strand (a Beast tcp_stream
// with a timeout is not safe to touch from two threads at once). Errors:
// as_tuple everywhere; a connection's error ends that connection only.
#include "scenarios/url_fetch/server.hpp"

#include "scenarios/contract.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace conclab::url_fetch {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

http::response<http::string_body> text_response(http::status status, std::string text, unsigned version) {
    http::response<http::string_body> response{status, version};
    response.set(http::field::content_type, "text/plain");
    response.body() = std::move(text);
    response.prepare_payload();
    return response;
}

/// An item's body (contract::item_body), made as it is sent, a piece at a
/// time: a connection holds one piece (the body, up to 64 KiB), never a
/// whole body, so clients that ask for 64 MiB bodies and do not read cannot
/// make the server hold them. A Beast body type: the serializer asks the
/// writer for the next piece only once the last one is sent.
/// The piece is sized to the body: a 1 KiB body allocates 1 KiB, as a whole
/// string did; 64 KiB pieces keep a large body to one write per 64 KiB (a
/// fixed 16 KiB piece per response was 10-25% slower, docs/reliability.md).
struct ItemBody {
    static constexpr std::size_t piece_bytes = 64 * 1024;  // a multiple of 8, as ItemBodyStream needs
    struct value_type {
        std::uint64_t index = 0;
        std::uint64_t size = 0;
        bool corrupt = false;  ///< the first byte's bits flipped (FaultConfig::corrupt_every)
    };
    static std::uint64_t size(value_type const& body) noexcept { return body.size; }

    class writer {
    public:
        using const_buffers_type = asio::const_buffer;
        template <bool is_request, class Fields>
        writer(http::header<is_request, Fields> const&, value_type const& body) : body_{body}, bytes_{body.index} {}
        void init(beast::error_code& error) {
            error = {};
            // not zeroed: each get() fills what it sends
            if (body_.size > 0) piece_.reset(new unsigned char[std::min<std::uint64_t>(piece_bytes, body_.size)]);
        }
        boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& error) {
            error = {};
            if (sent_ == body_.size) return boost::none;
            auto const count = static_cast<std::size_t>(std::min<std::uint64_t>(piece_bytes, body_.size - sent_));
            bytes_.fill({piece_.get(), count});
            if (sent_ == 0 && body_.corrupt) piece_[0] = static_cast<unsigned char>(~piece_[0]);
            sent_ += count;
            return std::pair{const_buffers_type{piece_.get(), count}, sent_ < body_.size};
        }

    private:
        value_type const& body_;
        contract::ItemBodyStream bytes_;
        std::uint64_t sent_ = 0;
        std::unique_ptr<unsigned char[]> piece_;
    };
};

}  // namespace

FaultConfig::Kind FaultConfig::for_item(std::uint64_t index) const noexcept {
    // a uniform draw in [0, 1) per item and fault, from the item's own stream
    auto const draw = [&](std::uint64_t salt) {
        return static_cast<double>(contract::mix(seed ^ contract::mix(index) ^ salt) >> 11) * 0x1.0p-53;
    };
    if (hits(stall_every, index) || draw(0x5a11) < stall_rate) return Kind::stall;
    if (hits(fail_every, index) || draw(0xfa11) < fail_rate) return Kind::fail;
    if (draw(0x7e5e7) < reset_rate) return Kind::reset;
    if (hits(truncate_every, index)) return Kind::truncate;
    if (hits(corrupt_every, index)) return Kind::corrupt;
    return Kind::none;
}

struct Server::Impl {
    ServerConfig config;
    asio::io_context context;
    tcp::acceptor acceptor{context};
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> open_connections{0};
    std::atomic<std::uint64_t> connections_opened{0};
    std::atomic<std::uint64_t> connections_refused{0};
    std::atomic<std::uint64_t> items_served{0};
    std::atomic<std::uint64_t> bad_requests{0};
    std::atomic<std::uint64_t> fault_count{0};
    std::atomic<std::uint64_t> accept_errors{0};
    std::atomic<std::uint64_t> refusals_in_flight{0};

    http::response<ItemBody> answer(ItemRequest const& item, bool corrupt, unsigned version) {
        http::response<ItemBody> response{http::status::ok, version};
        response.set(http::field::content_type, "application/octet-stream");
        response.body() = {item.index, item.size.value_or(config.size), corrupt};
        response.prepare_payload();
        items_served.fetch_add(1, std::memory_order_relaxed);
        return response;
    }

    /// Sends a response; false if the connection failed. With a slow body
    /// (FaultConfig::slow_body_us) the body goes out in 1 KiB pieces with a
    /// pause between them; a truncated one stops after half its bytes
    /// (Content-Length stays the full size: the serializer would refuse a
    /// body shorter than its length, so the pieces are written as bytes).
    template <class Body>
    asio::awaitable<bool> send(beast::tcp_stream& stream, http::response<Body>& response, bool truncated) {
        if (!truncated && config.faults.slow_body_us == 0) {
            auto [error, written] = co_await http::async_write(stream, response, use_tuple);
            (void)written;
            co_return !error;
        }
        http::response_serializer<Body> serializer{response};
        auto [header_error, header_bytes] = co_await http::async_write_header(stream, serializer, use_tuple);
        (void)header_bytes;
        if (header_error) co_return false;
        auto const size = response.payload_size().value_or(0);
        auto const cut = truncated ? size / 2 : size;
        typename Body::writer body{response.base(), response.body()};
        beast::error_code error;
        body.init(error);
        std::uint64_t sent = 0;
        while (sent < cut && !error) {
            auto const piece = body.get(error);
            if (!piece || error) break;
            auto const bytes = static_cast<char const*>(piece->first.data());
            for (std::size_t at = 0; at < piece->first.size() && sent < cut; at += 1024) {
                if (sent > 0 && config.faults.slow_body_us > 0) {
                    asio::steady_timer pause{stream.get_executor(), std::chrono::microseconds{config.faults.slow_body_us}};
                    co_await pause.async_wait(use_tuple);
                }
                auto const count = static_cast<std::size_t>(std::min<std::uint64_t>({1024, piece->first.size() - at, cut - sent}));
                auto [piece_error, piece_bytes] = co_await asio::async_write(stream, asio::buffer(bytes + at, count), use_tuple);
                (void)piece_bytes;
                if (piece_error) co_return false;
                sent += count;
            }
        }
        co_return !truncated && !error;
    }

    asio::awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream{std::move(socket)};
        beast::flat_buffer buffer;
        for (bool keep_alive = true; keep_alive;) {
            http::request_parser<http::empty_body> parser;
            bool truncated = false;
            parser.header_limit(max_header_bytes);
            stream.expires_after(config.idle_timeout);
            auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
            (void)read_bytes;
            if (read_error == http::error::end_of_stream || read_error == beast::error::timeout ||
                read_error == asio::error::connection_reset || read_error == asio::error::eof) {
                break;
            }
            http::response<http::string_body> response;
            std::optional<http::response<ItemBody>> item_response;
            if (read_error) {
                // Malformed request, oversized header, or a body on a GET:
                // answer 400 and close, as the stream position is lost.
                bad_requests.fetch_add(1, std::memory_order_relaxed);
                response = text_response(http::status::bad_request, "bad request: " + read_error.message() + "\n", 11);
                keep_alive = false;
            } else {
                auto const& request = parser.get();
                keep_alive = request.keep_alive();
                if (request.find(http::field::transfer_encoding) != request.end()) {
                    // RFC 9112 6.3: a request whose transfer coding is not chunked (`xchunked`) has no knowable length,
                    // and this server takes no bodies: 400 and close. Kept alive, its body was read as the next request.
                    bad_requests.fetch_add(1, std::memory_order_relaxed);
                    response = text_response(http::status::bad_request, "bad request: Transfer-Encoding is not taken\n", request.version());
                    keep_alive = false;
                } else if (request.method() != http::verb::get) {
                    bad_requests.fetch_add(1, std::memory_order_relaxed);
                    response = text_response(http::status::method_not_allowed, "only GET is served\n", request.version());
                } else {
                    auto const parsed = parse_target(std::string_view{request.target().data(), request.target().size()});
                    if (auto const* item = std::get_if<ItemRequest>(&parsed)) {
                        using Kind = FaultConfig::Kind;
                        auto const fault = config.faults.for_item(item->index);
                        auto delay = std::chrono::microseconds{item->delay_us.value_or(item_delay_us(config.delay, item->index))};
                        if (fault == Kind::stall) {
                            // no answer; the connection is dropped after the idle timeout, so it does not stay forever
                            delay = config.idle_timeout;
                        }
                        if (delay.count() > 0) {
                            asio::steady_timer timer{stream.get_executor(), delay};
                            co_await timer.async_wait(use_tuple);
                        }
                        if (fault != Kind::none) fault_count.fetch_add(1, std::memory_order_relaxed);
                        if (fault == Kind::stall) break;
                        if (fault == Kind::reset) {
                            // SO_LINGER 0: close sends RST, the client sees "connection reset"
                            beast::error_code ignored;
                            stream.socket().set_option(asio::socket_base::linger{true, 0}, ignored);
                            stream.socket().close(ignored);
                            break;
                        }
                        if (fault == Kind::fail) {
                            response = text_response(http::status::internal_server_error, "fault on purpose\n", request.version());
                        } else {
                            item_response = answer(*item, fault == Kind::corrupt, request.version());
                            if (fault == Kind::truncate && item_response->body().size > 0) {
                                // Content-Length stays the full size; half the body goes out, then the connection closes
                                keep_alive = false;
                                truncated = true;
                            }
                        }
                    } else if (auto const* bad = std::get_if<BadRequest>(&parsed)) {
                        bad_requests.fetch_add(1, std::memory_order_relaxed);
                        response = text_response(static_cast<http::status>(bad->status), bad->reason + "\n", request.version());
                    } else {
                        response = text_response(http::status::ok, "ok", request.version());
                    }
                }
            }
            stream.expires_after(config.idle_timeout);
            bool sent = false;
            if (item_response) {
                item_response->keep_alive(keep_alive);
                sent = co_await send(stream, *item_response, truncated);
            } else {
                response.keep_alive(keep_alive);
                sent = co_await send(stream, response, truncated);
            }
            if (!sent) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        open_connections.fetch_sub(1, std::memory_order_relaxed);
    }

    /// A connection over max_connections: its one request is read (for at
    /// most a second) and answered, then it closes: /health with 200, as the
    /// server is alive, anything else with 503 and Retry-After. Without this a
    /// client (a load balancer's health check too) saw a bare EOF until a
    /// connection closed, up to idle_timeout later. At most
    /// max_refusals_in_flight are answered at once; more are closed at once.
    static constexpr std::uint64_t max_refusals_in_flight = 64;

    asio::awaitable<void> refuse(tcp::socket socket) {
        beast::tcp_stream stream{std::move(socket)};
        beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        parser.header_limit(max_header_bytes);
        stream.expires_after(std::chrono::seconds{1});
        auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, use_tuple);
        (void)read_bytes;
        if (!read_error) {
            auto const& request = parser.get();
            auto const target = parse_target(std::string_view{request.target().data(), request.target().size()});
            auto response = std::holds_alternative<HealthRequest>(target)
                                ? text_response(http::status::ok, "ok", request.version())
                                : text_response(http::status::service_unavailable,
                                                "the server is at its connection limit (" + std::to_string(config.max_connections) +
                                                    "); try again\n",
                                                request.version());
            if (response.result() != http::status::ok) response.set(http::field::retry_after, "1");
            response.keep_alive(false);
            auto [write_error, written] = co_await http::async_write(stream, response, use_tuple);
            (void)write_error;
            (void)written;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        refusals_in_flight.fetch_sub(1, std::memory_order_relaxed);
    }

    /// After a failed accept (EMFILE, ENFILE, ENOBUFS: the connection stays
    /// in the backlog, so trying again at once fails again and spins a core)
    /// the loop waits, 5 ms doubling to 1 s, as Go's net/http does, and keeps
    /// serving the connections it has meanwhile.
    static constexpr std::chrono::milliseconds first_accept_backoff{5};
    static constexpr std::chrono::milliseconds last_accept_backoff{1000};

    asio::awaitable<void> listen() {
        auto backoff = first_accept_backoff;
        for (;;) {
            auto [error, socket] = co_await acceptor.async_accept(asio::make_strand(context), use_tuple);
            if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (error) {
                accept_errors.fetch_add(1, std::memory_order_relaxed);
                asio::steady_timer pause{context, backoff};
                auto [wait_error] = co_await pause.async_wait(use_tuple);
                (void)wait_error;  // stop() closes the acceptor: the next accept returns at once
                backoff = std::min(2 * backoff, last_accept_backoff);
                continue;
            }
            backoff = first_accept_backoff;
            beast::error_code ignored;
            socket.set_option(tcp::no_delay{true}, ignored);  // pieces of a slow body must not wait for delayed ACKs
            if (open_connections.load(std::memory_order_relaxed) >= config.max_connections) {
                connections_refused.fetch_add(1, std::memory_order_relaxed);
                if (refusals_in_flight.load(std::memory_order_relaxed) < max_refusals_in_flight) {
                    refusals_in_flight.fetch_add(1, std::memory_order_relaxed);
                    auto executor = socket.get_executor();
                    asio::co_spawn(executor, refuse(std::move(socket)), asio::detached);
                }
                continue;  // beyond those being answered, the socket closes here
            }
            open_connections.fetch_add(1, std::memory_order_relaxed);
            connections_opened.fetch_add(1, std::memory_order_relaxed);
            auto executor = socket.get_executor();
            asio::co_spawn(executor, session(std::move(socket)), asio::detached);
        }
    }
};

Server::Server(ServerConfig config) : impl_{std::make_unique<Impl>()} {
    impl_->config = std::move(config);
    auto const& c = impl_->config;
    if (c.threads == 0) throw std::invalid_argument{"the server needs at least one thread"};
    beast::error_code error;
    auto const address = asio::ip::make_address(c.host, error);
    if (error) throw std::runtime_error{"--host " + c.host + " is not an IP address (" + error.message() + ")"};
    tcp::endpoint const endpoint{address, c.port};
    auto& acceptor = impl_->acceptor;
    auto const fail = [&](char const* what) {
        throw std::runtime_error{std::string{"cannot "} + what + " " + c.host + ":" + std::to_string(c.port) + ": " +
                                 error.message()};
    };
    acceptor.open(endpoint.protocol(), error);
    if (error) fail("open");
    acceptor.set_option(asio::socket_base::reuse_address{true}, error);
    if (error) fail("configure");
    acceptor.bind(endpoint, error);
    if (error) fail("bind to");
    acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) fail("listen on");
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const noexcept {
    beast::error_code error;
    return impl_->acceptor.local_endpoint(error).port();
}

void Server::start() {
    asio::co_spawn(impl_->context, impl_->listen(), asio::detached);
    for (unsigned i = 0; i < impl_->config.threads; ++i) impl_->threads.emplace_back([this] { impl_->context.run(); });
}

void Server::stop() {
    if (!impl_) return;
    impl_->context.stop();
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
}

void Server::serve_until_signal(std::function<void()> const& ready) {
    asio::io_context signals_context;
    asio::signal_set signals{signals_context, SIGINT, SIGTERM};
    signals.async_wait([](beast::error_code, int) {});
    if (ready) ready();
    signals_context.run();
    stop();
}

ServerCounters Server::counters() const noexcept {
    return {impl_->connections_opened.load(), impl_->connections_refused.load(), impl_->items_served.load(),
            impl_->bad_requests.load(), impl_->fault_count.load(), impl_->accept_errors.load()};
}

}  // namespace conclab::url_fetch
