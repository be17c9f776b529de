// The url-fetch target server (`conclab serve`): HTTP/1.1 with keep-alive
// on Boost.Beast, answering the contract's /item/{i} and /health. Delays are
// Asio timers, never sleeping threads, so the server can hold thousands of
// delayed requests on a few threads. Asio and Beast stay behind the pimpl.
#pragma once

#include "scenarios/url_fetch/target.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace conclab::url_fetch {

/// Faults on purpose, to see how clients count them (tests, workshops).
/// `*_every` K hits the items i with (i + 1) % K == 0 (exact counts);
/// `*_rate` P hits each item with probability P, drawn from the item's own
/// stream of `seed` (reproducible). 0 turns a fault off.
struct FaultConfig {
    std::uint64_t fail_every = 0;      ///< answer 500 instead of the item
    std::uint64_t stall_every = 0;     ///< never answer; drop the connection after idle_timeout
    std::uint64_t truncate_every = 0;  ///< send the headers and half the body, then close
    std::uint64_t corrupt_every = 0;   ///< flip the bits of the body's first byte
    double fail_rate = 0;
    double stall_rate = 0;
    double reset_rate = 0;             ///< reset the connection (RST) instead of answering
    std::uint64_t seed = 0;
    std::uint64_t slow_body_us = 0;    ///< every body goes out in 1 KiB pieces this many us apart

    enum class Kind { none, stall, fail, reset, truncate, corrupt };
    /// The fault item `index` gets: the first that hits, in the order above.
    Kind for_item(std::uint64_t index) const noexcept;

    bool hits(std::uint64_t every, std::uint64_t index) const noexcept { return every != 0 && (index + 1) % every == 0; }
};

struct ServerConfig {
    std::string host = "127.0.0.1";  ///< loopback unless told otherwise
    std::uint16_t port = 0;          ///< 0: any free port (see Server::port)
    unsigned threads = 1;
    std::uint64_t size = 1024;       ///< body size when a request names none
    DelayConfig delay;               ///< delay when a request names none
    std::uint64_t max_connections = 10'000;  ///< at most max_connections_limit
    std::chrono::seconds idle_timeout{30};  ///< a silent connection is closed after this
    FaultConfig faults;
};

/// The most `--max-connections` that `conclab serve` takes.
inline constexpr std::uint64_t max_connections_limit = 1'000'000;

struct ServerCounters {
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_refused = 0;  ///< over max_connections
    std::uint64_t items_served = 0;
    std::uint64_t bad_requests = 0;         ///< answered 4xx
    std::uint64_t faults = 0;               ///< items given a fault on purpose (FaultConfig)
    std::uint64_t accept_errors = 0;        ///< accepts that failed (EMFILE...), each followed by a back-off
};

inline constexpr std::size_t max_header_bytes = 8 * 1024;

class Server {
public:
    /// Binds and listens; throws std::runtime_error naming the address and
    /// the reason (port in use, bad host...).
    explicit Server(ServerConfig config);
    ~Server();
    Server(Server const&) = delete;
    Server& operator=(Server const&) = delete;

    /// The port actually bound (the free one chosen for port 0).
    std::uint16_t port() const noexcept;
    /// Starts serving on config.threads threads; returns at once.
    void start();
    /// Stops accepting and serving; joins the threads. Idempotent.
    void stop();
    /// Blocks until SIGINT or SIGTERM, then stops (for `conclab serve`).
    /// `ready` is called once the signals are caught: whoever is told the
    /// server is up may interrupt it from then on (before, SIGINT would
    /// kill the process instead of stopping it).
    void serve_until_signal(std::function<void()> const& ready = {});
    ServerCounters counters() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::url_fetch
