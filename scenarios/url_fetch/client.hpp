// What the four url-fetch clients share, without Asio or Beast in sight:
// the target's address, how a request can fail, what a request yields, and
// the blocking HTTP connection of the fibers, tbb and threads models (its
// waits go through a SocketWait: poll(2) blocks the OS thread, the fibers
// model suspends the fiber instead).
#pragma once

#include "src/kit/stopwatch.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace boost::system { class error_code; }

namespace conclab::url_fetch {

/// A resolved server address: what `--target http://host:port` names.
struct Endpoint {
    std::string host;        ///< as given, for the Host header and messages
    std::uint16_t port = 0;
    sockaddr_storage address{};
    socklen_t length = 0;

    std::string url() const;  ///< "http://host:port"
};

/// Parses "http://HOST:PORT" (optionally "/" at the end; HOST may be a
/// name, an IPv4 address or [IPv6]) and resolves HOST. Throws
/// std::invalid_argument naming what is wrong and what is expected.
Endpoint resolve_url(std::string_view url);

/// GET /health on a new connection: empty when the answer is 200 "ok",
/// else what went wrong ("connection refused", "HTTP 404"...).
std::string health_problem(Endpoint const& target, std::chrono::milliseconds timeout);

/// How a request can end. `none` is success.
enum class Fault : std::uint8_t {
    none,
    connect,      ///< the connection could not be made (refused, unreachable, reset while connecting)
    timeout,      ///< the request's deadline passed (connect, send, or wait for the answer)
    http_status,  ///< an answer other than 200
    short_body,   ///< the connection ended or broke before the whole answer arrived
    protocol,     ///< an answer that is not valid HTTP, or whose length is not the size asked for
    checksum,     ///< a 200 whose body differs from the contract's bytes
};
inline constexpr std::array<Fault, 7> fault_kinds{Fault::none,        Fault::connect,  Fault::timeout, Fault::http_status,
                                                  Fault::short_body, Fault::protocol, Fault::checksum};
std::string_view to_string(Fault fault) noexcept;

/// One request's result.
struct Fetched {
    std::uint64_t index = 0;
    Fault fault = Fault::none;
    std::uint64_t checksum = 0;  ///< FNV-1a of the body, when fault is none
    std::uint64_t bytes = 0;     ///< body bytes, when fault is none
    Clock::time_point started{};  ///< latency counts from here: when the request was due
    std::string detail;          ///< why, when there is a fault
};

/// The error of a failed step as a fault: `connecting` tells a failed
/// connect from a connection that broke later.
Fault classify(boost::system::error_code const& error, bool connecting) noexcept;

/// Waits for one socket to be ready, the way a model waits.
class SocketWait {
public:
    virtual ~SocketWait() = default;
    enum class Direction { read, write };
    /// Returns when the socket is ready in `direction` (true) or `deadline`
    /// has passed (false).
    virtual bool until_ready(Direction direction, Clock::time_point deadline) = 0;
};
/// What every client connection's read buffer holds from the start. Beast
/// reads into what its buffer has room for (at least 512 bytes), and an
/// empty buffer grows by what each read needs: a 4 KiB answer took nine
/// recv calls and a poll (strace of the threads model: 10 recvfrom per
/// request against the Rust peer's 1). hyper starts its buffer at 8 KiB,
/// Go's net/http reads through a 4 KiB bufio.Reader.
inline constexpr std::size_t read_buffer_bytes = 16 * 1024;

/// Makes the SocketWait of a new connection's socket.
using SocketWaitFactory = std::function<std::unique_ptr<SocketWait>(int fd)>;
/// The OS-thread way: poll(2), the thread blocks.
std::unique_ptr<SocketWait> poll_wait(int fd);

/// What every request of a run asks for.
struct RequestPlan {
    Endpoint const* target = nullptr;
    std::uint64_t size = 0;
    std::chrono::milliseconds timeout{5000};
    bool keepalive = true;
};

/// An HTTP/1.1 connection used by one task at a time, with blocking calls
/// (Beast's synchronous read/write over a non-blocking socket whose waits go
/// through the SocketWait). It connects on first use and after any fault or
/// a server's "Connection: close".
class BlockingConnection {
public:
    /// `on_connect` is called for every connection opened.
    BlockingConnection(RequestPlan const& plan, SocketWaitFactory wait_factory, std::function<void()> on_connect);
    ~BlockingConnection();
    BlockingConnection(BlockingConnection&&) noexcept;
    BlockingConnection& operator=(BlockingConnection&&) noexcept;

    /// One GET of item `index` asking for `delay_us`; checks the body
    /// against `expected_checksum`. Its latency counts from `due` (open
    /// loop: when it was due; closed loop: now), its deadline from now.
    /// Never throws for a fault of the request.
    Fetched fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum, Clock::time_point due);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::url_fetch
