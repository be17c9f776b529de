// url-fetch, variant tbb/suspend: the tbb model's fetch made to wait the
// way the M:N models do. C worker tasks take item numbers, each on its own
// keep-alive connection; when a socket is not ready the task suspends
// (tbb::task::suspend) and a poller thread resumes it, so its thread runs
// other tasks meanwhile: C requests in flight on T threads, where the
// blocking tbb model has T. What it costs: a stack per suspended task, and
// a suspend/resume per wait. (Rayon has no such thing; an async runtime
// is what a Rust programmer would reach for.)
#include "scenarios/url_fetch/url_fetch.hpp"

#include "models/tbb/netpoll.hpp"
#include "models/tbb/runtime.hpp"
#include "models/tbb/timer.hpp"

#include <oneapi/tbb/task_group.h>

#include <atomic>

namespace conclab::url_fetch::tbb_suspend {
namespace {
using models::tbb::Netpoller;
using models::tbb::Runtime;
using models::tbb::Timer;

// [wait] a socket wait suspends the task, not its thread
class TaskWait final : public SocketWait {
public:
    explicit TaskWait(std::unique_ptr<Netpoller::Watch> watch) : watch_{std::move(watch)} {}
    bool until_ready(Direction direction, Clock::time_point deadline) override {
        return direction == Direction::read ? watch_->readable(deadline) : watch_->writable(deadline);
    }

private:
    std::unique_ptr<Netpoller::Watch> watch_;
};

// [worker] fetches items on its own connection until there are none left,
// each when it is due (closed loop: at once)
std::uint64_t worker(Feed& feed, Netpoller& poller, Timer& timer, Ledger& ledger, Params const& p) {
    BlockingConnection connection{
        request_plan(p), [&](int fd) { return std::make_unique<TaskWait>(poller.watch(fd)); },
        [&] { ledger.connection_opened(); }};
    std::uint64_t checksum = 0;
    while (auto index = feed.next()) {
        auto const due = ledger.due(*index);
        if (ledger.early(due)) timer.sleep_until(due);
        checksum += fetch(connection, *index, due, p, ledger);
    }
    return checksum;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Ledger& ledger) {
    Feed feed{p.requests};
    Netpoller poller;
    Timer timer;
    std::atomic<std::uint64_t> checksum{0};
    rt.block_on([&] {
        oneapi::tbb::task_group workers_group;
        for (std::uint64_t w = 0; w < workers(p); ++w) {
            workers_group.run([&] { checksum += worker(feed, poller, timer, ledger, p); });
        }
        workers_group.wait();
    });
    return checksum;
}

}  // namespace conclab::url_fetch::tbb_suspend
