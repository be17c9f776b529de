// The coroutines model's HTTP/1.1 connection: the same requests, checks and
// faults as BlockingConnection (client.hpp). Used by one task at a time; it
// connects on first use and after any fault or a server's "Connection:
// close". Beast stays in the .cpp files. Two designs, one interface:
// - AsyncConnection (async_connection.cpp), written as hyper is on Tokio:
//   the task makes its socket calls itself, non-blocking, with Beast's
//   parser and serializer; only when a call would block does it await the
//   socket's readiness (models/coroutines/netpoll.hpp) under the request's
//   deadline;
// - BeastConnection (beast_connection.cpp), of the variant
//   `coroutines/beast-streams`: Beast's asynchronous operations on a
//   tcp_stream, every completion posted through the reactor's queue.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/task.hpp"
#include "scenarios/url_fetch/client.hpp"

#include <functional>
#include <memory>

namespace conclab::url_fetch {

struct Readiness;     // async_connection.cpp
struct BeastStreams;  // beast_connection.cpp

template <class Design>
class HttpConnection {
public:
    /// Waits with the reactor of `executor`'s runtime; `on_connect` is called for every connection opened.
    HttpConnection(models::coroutines::Executor executor, RequestPlan const& plan, std::function<void()> on_connect);
    ~HttpConnection();
    HttpConnection(HttpConnection const&) = delete;
    HttpConnection& operator=(HttpConnection const&) = delete;

    /// One GET of item `index` asking for `delay_us`; checks the body
    /// against `expected_checksum`. Latency counts from `due`, the deadline
    /// from now. Never throws for a fault of the request.
    models::coroutines::Task<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                            Clock::time_point due);

private:
    struct Impl;  // the design's .cpp
    std::unique_ptr<Impl> impl_;
};

// Defined where each Impl is (the two .cpp files instantiate them).
template <class Design>
HttpConnection<Design>::HttpConnection(models::coroutines::Executor executor, RequestPlan const& plan,
                                       std::function<void()> on_connect)
    : impl_{std::make_unique<Impl>(executor, plan, std::move(on_connect))} {}
template <class Design>
HttpConnection<Design>::~HttpConnection() = default;
template <class Design>
models::coroutines::Task<Fetched> HttpConnection<Design>::fetch(std::uint64_t index, std::uint64_t delay_us,
                                                                std::uint64_t expected_checksum, Clock::time_point due) {
    return impl_->fetch(index, delay_us, expected_checksum, due);
}
extern template class HttpConnection<Readiness>;
extern template class HttpConnection<BeastStreams>;

using AsyncConnection = HttpConnection<Readiness>;
using BeastConnection = HttpConnection<BeastStreams>;

}  // namespace conclab::url_fetch
