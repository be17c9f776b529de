// The coroutines model's HTTP/1.1 connection: the same requests, checks and
// faults as BlockingConnection (client.hpp), with every wait a co_await on a
// Beast async operation under the request's deadline. Used by one task at
// a time; it connects on first use and after any fault or a server's
// "Connection: close". Beast stays in the .cpp.
#pragma once

#include "scenarios/url_fetch/client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>

namespace conclab::url_fetch {

class AsyncConnection {
public:
    /// On `executor` (the task's strand); `on_connect` is called for every connection opened.
    AsyncConnection(boost::asio::any_io_executor executor, RequestPlan const& plan, std::function<void()> on_connect);
    ~AsyncConnection();
    AsyncConnection(AsyncConnection const&) = delete;
    AsyncConnection& operator=(AsyncConnection const&) = delete;

    /// One GET of item `index` asking for `delay_us`; checks the body
    /// against `expected_checksum`. Latency counts from `due`, the deadline
    /// from now. Never throws for a fault of the request.
    boost::asio::awaitable<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                          Clock::time_point due);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::url_fetch
