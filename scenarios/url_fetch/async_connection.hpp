// The coroutines model's HTTP/1.1 connection: the same requests, checks and
// faults as BlockingConnection (client.hpp), written as hyper is on Tokio:
// the task makes its socket calls itself, non-blocking, with Beast's parser
// and serializer; only when a call would block does it await the socket's
// readiness (models/coroutines/netpoll.hpp) under the request's deadline.
// Used by one task at a time; it connects on first use and after any fault
// or a server's "Connection: close". Beast stays in the .cpp.
// The first design, Beast's asynchronous operations on a tcp_stream, is
// BeastConnection (beast_connection.hpp), of the variant
// `coroutines/beast-streams`.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/task.hpp"
#include "scenarios/url_fetch/client.hpp"

#include <functional>
#include <memory>

namespace conclab::url_fetch {

class AsyncConnection {
public:
    /// Waits with the reactor of `executor`'s runtime; `on_connect` is called for every connection opened.
    AsyncConnection(models::coroutines::Executor executor, RequestPlan const& plan, std::function<void()> on_connect);
    ~AsyncConnection();
    AsyncConnection(AsyncConnection const&) = delete;
    AsyncConnection& operator=(AsyncConnection const&) = delete;

    /// One GET of item `index` asking for `delay_us`; checks the body
    /// against `expected_checksum`. Latency counts from `due`, the deadline
    /// from now. Never throws for a fault of the request.
    models::coroutines::Task<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                                 Clock::time_point due);

private:
    struct Impl;  // the .cpp: Beast stays there
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::url_fetch
