// url-fetch in the fibers model (Go): one fiber per request in flight (C
// workers taking item numbers), each with its own keep-alive connection.
// The calls look blocking, as in Go; when a socket is not ready the fiber
// is suspended by the netpoller and its thread runs other fibers.
// Written natively: Go: `for w := 0; w < C; w++ { go func() { for i := range items { resp, err := client.Get(url(i)); ... } }() }`
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/fibers/netpoll.hpp"
#include "models/fibers/runtime.hpp"

#include <boost/fiber/operations.hpp>

namespace conclab::url_fetch {
namespace {
using models::fibers::Netpoller;
using models::fibers::Runtime;

// [wait] a socket wait suspends the fiber, not its thread
class FiberWait final : public SocketWait {
public:
    explicit FiberWait(std::unique_ptr<Netpoller::Watch> watch) : watch_{std::move(watch)} {}
    bool until_ready(Direction direction, Clock::time_point deadline) override {
        return direction == Direction::read ? watch_->readable(deadline) : watch_->writable(deadline);
    }

private:
    std::unique_ptr<Netpoller::Watch> watch_;
};

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
std::uint64_t worker(Feed& feed, Netpoller& poller, Ledger& ledger, Params const& p) {
    BlockingConnection connection{
        request_plan(p), [&](int fd) { return std::make_unique<FiberWait>(poller.watch(fd)); },
        [&] { ledger.connection_opened(); }};
    std::uint64_t checksum = 0;
    while (auto index = feed.next()) {
        auto const due = ledger.due(*index);
        if (ledger.early(due)) boost::this_fiber::sleep_until(due);
        checksum += fetch(connection, *index, due, p, ledger);
    }
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Feed feed{p.requests};
    Netpoller& poller = rt.netpoller();
    std::atomic<std::uint64_t> checksum{0};
    rt.block_on([&] {
        for (std::uint64_t w = 0; w < workers(p); ++w) rt.spawn([&] { checksum += worker(feed, poller, ledger, p); });
    });
    return checksum;
}

}  // namespace conclab::url_fetch
