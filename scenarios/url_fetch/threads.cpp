// url-fetch in the threads model (the control group): one OS thread per
// request in flight (C workers taking item numbers), each with its own
// keep-alive connection and blocking socket calls: a thread waiting for
// its answer is parked in poll(2). `threads` is not used.
// Written natively: Rust std: `for _ in 0..C { thread::spawn(move || while let Some(i) = next() { fetch_blocking(i) }) }`
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/threads/runtime.hpp"

#include <thread>

namespace conclab::url_fetch {
namespace {
using models::threads::Runtime;

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
std::uint64_t worker(Feed& feed, Ledger& ledger, Params const& p) {
    BlockingConnection connection{request_plan(p), poll_wait, [&] { ledger.connection_opened(); }};
    std::uint64_t checksum = 0;
    while (auto index = feed.next()) {
        auto const due = ledger.due(*index);
        if (ledger.early(due)) std::this_thread::sleep_until(due);
        checksum += fetch(connection, *index, due, p, ledger);
    }
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Feed feed{p.requests};
    std::atomic<std::uint64_t> checksum{0};
    rt.block_on([&] {
        for (std::uint64_t w = 0; w < workers(p); ++w) rt.spawn([&] { checksum += worker(feed, ledger, p); });
    });
    return checksum;
}

}  // namespace conclab::url_fetch
