// Go's sync.WaitGroup for coroutines: done() from any thread, one coroutine
// awaits wait(). The wake-up travels through a concurrent_channel, so it is
// safe across the runtime's threads without a strand.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstdint>

namespace conclab::models::coroutines {

class WaitGroup {
public:
    WaitGroup(boost::asio::any_io_executor executor, std::uint64_t count) : count_{count}, zero_{std::move(executor), 1} {}

    /// One expected task finished; the last one wakes the waiter.
    void done() {
        if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) zero_.try_send(boost::system::error_code{});
    }

    /// Resumes once the count is zero. One waiter at a time.
    boost::asio::awaitable<void> wait() {
        if (count_.load(std::memory_order_acquire) == 0) co_return;
        co_await zero_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

private:
    std::atomic<std::uint64_t> count_;
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> zero_;
};

}  // namespace conclab::models::coroutines
