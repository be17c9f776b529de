// Go's channel for the coroutines model, on Asio's concurrent_channel: every
// operation is a co_await that suspends the coroutine, never the thread.
// Channel<T>(ex, 0) is a rendezvous; Channel<T>(ex, n) buffers exactly n.
//
// Close: Asio's close() discards buffered items (receivers see
// channel_closed at once), but a Go receiver drains what was sent before
// close. So close() queues an end marker in-band, as a detached send that
// Asio orders behind every earlier send (buffered or still waiting for
// room); like Go's close it never blocks. The receiver that takes the marker
// closes the Asio channel, which wakes every other receiver.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>

namespace conclab::models::coroutines {

template <class T>
class Channel {
public:
    Channel(boost::asio::any_io_executor executor, std::size_t buffer) : channel_{std::move(executor), buffer} {}

    /// Resumes once the item is taken (rendezvous) or buffered; false if the
    /// channel is closed (Go would panic).
    boost::asio::awaitable<bool> send(T item) {
        if (closing_.load(std::memory_order_acquire)) co_return false;
        auto [error] = co_await channel_.async_send(boost::system::error_code{}, std::optional<T>{std::move(item)},
                                                    boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return !error;
    }

    /// Resumes with the next item; nullopt once the channel is closed and
    /// drained (Go's `v, ok := <-ch`).
    boost::asio::awaitable<std::optional<T>> receive() {
        auto [error, item] = co_await channel_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error) co_return std::nullopt;
        if (!item) channel_.close();  // the end marker: wake every other receiver
        co_return item;
    }

    /// Queues the end marker behind the items already sent; later sends fail.
    void close() {
        if (closing_.exchange(true, std::memory_order_acq_rel)) return;
        channel_.async_send(boost::system::error_code{}, std::optional<T>{}, boost::asio::detached);
    }

private:
    std::atomic<bool> closing_{false};
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, std::optional<T>)> channel_;
};

}  // namespace conclab::models::coroutines
