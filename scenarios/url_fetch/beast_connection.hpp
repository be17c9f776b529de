// The variant coroutines/beast-streams' HTTP/1.1 connection, the first
// design: Beast's asynchronous operations on a tcp_stream under the
// request's deadline (expires_after), on a strand so that the stream's timer
// and the task never run on two threads at once. Every completion is posted
// through the reactor's queue and a timer is re-armed per operation; the
// default, AsyncConnection (async_connection.hpp), awaits readiness only
// when a call would block. The same interface, requests, checks and faults.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/task.hpp"
#include "scenarios/url_fetch/client.hpp"

#include <functional>
#include <memory>

namespace conclab::url_fetch {

class BeastConnection {
public:
    /// Runs on a strand of `executor`'s io_context; `on_connect` is called for every connection opened.
    BeastConnection(models::coroutines::Executor executor, RequestPlan const& plan, std::function<void()> on_connect);
    ~BeastConnection();
    BeastConnection(BeastConnection const&) = delete;
    BeastConnection& operator=(BeastConnection const&) = delete;

    /// As AsyncConnection::fetch.
    models::coroutines::Task<Fetched> fetch(std::uint64_t index, std::uint64_t delay_us, std::uint64_t expected_checksum,
                                                 Clock::time_point due);

private:
    struct Impl;  // the .cpp: Beast stays there
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::url_fetch
