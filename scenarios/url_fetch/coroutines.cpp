// url-fetch in the coroutines model (async/await): one coroutine per
// request in flight (C workers taking item numbers), each with its own
// keep-alive connection whose socket calls are the task's own, non-blocking;
// a call that would block `co_await`s the socket's readiness under the
// request's deadline (async_connection.hpp), as hyper does on Tokio.
// Written natively: Tokio: `stream::iter(0..n).map(|i| fetch(&client, i)).buffer_unordered(C).try_fold(0, sum).await` (hyper or reqwest)
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/coroutines/runtime.hpp"
#include "scenarios/url_fetch/async_connection.hpp"

namespace conclab::url_fetch {
namespace {
using models::coroutines::Task;
using models::coroutines::Runtime;
using models::coroutines::sleep_until;

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
Task<void> worker(Runtime& rt, Feed& feed, Ledger& ledger, Params const& p, std::atomic<std::uint64_t>& total) {
    AsyncConnection connection{rt.executor(), request_plan(p), [&] { ledger.connection_opened(); }};
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

}  // namespace conclab::url_fetch
