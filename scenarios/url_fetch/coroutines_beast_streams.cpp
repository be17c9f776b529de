// url-fetch, the variant coroutines/beast-streams: coroutines.cpp with one
// change, each worker's connection is a BeastConnection (Beast's
// asynchronous operations on a tcp_stream, every completion posted through
// the reactor's queue: beast_connection.cpp) instead of an AsyncConnection
// (the task's own non-blocking calls). `diff coroutines.cpp
// coroutines_beast_streams.cpp` shows it.
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/coroutines/runtime.hpp"
#include "scenarios/url_fetch/async_connection.hpp"

namespace conclab::url_fetch::coroutines_beast_streams {
namespace {
using models::coroutines::Task;
using models::coroutines::Runtime;
using models::coroutines::sleep_until;

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
Task<void> worker(Runtime& rt, Feed& feed, Ledger& ledger, Params const& p, std::atomic<std::uint64_t>& total) {
    BeastConnection connection{rt.executor(), request_plan(p), [&] { ledger.connection_opened(); }};
    std::uint64_t checksum = 0;
    while (auto index = feed.next()) {
        auto const due = ledger.due(*index);
        if (ledger.early(due)) co_await sleep_until(due);
        auto fetched =
            co_await connection.fetch(*index, item_delay_us(p.delay, *index), ledger.reference().checksum(*index), due);
        checksum += ledger.record(fetched);
    }
    total += checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Feed feed{p.requests};
    std::atomic<std::uint64_t> checksum{0};
    rt.block_on([&]() -> Task<void> {
        for (std::uint64_t w = 0; w < workers(p); ++w) rt.spawn(worker(rt, feed, ledger, p, checksum));
        co_return;
    });
    return checksum;
}

}  // namespace conclab::url_fetch::coroutines_beast_streams
