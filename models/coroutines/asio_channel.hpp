// The variant `coroutines/asio-channels`: the first design's channel, on
// Asio's concurrent_channel. Every operation is an asynchronous operation
// of Asio's, completed through the executor (a queue round trip) even when
// it need not wait. Driven by Channel<T> (channel.hpp) in that design.
//
// Close: Asio's close() discards buffered items (receivers see
// channel_closed at once), but a Go receiver drains what was sent before
// close. So close() queues an end marker in-band, as a detached send that
// Asio orders behind every earlier send (buffered or still waiting for
// room); like Go's close it never blocks. The receiver that takes the marker
// closes the Asio channel, which wakes every other receiver.
#pragma once

#include "models/coroutines/executor.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <optional>
#include <utility>

namespace conclab::models::coroutines {

template <class T>
class AsioChannel {
public:
    AsioChannel(Executor executor, std::size_t buffer) : channel_{boost::asio::any_io_executor{executor}, buffer} {}

    bool closing() const noexcept { return closing_.load(std::memory_order_acquire); }

    /// Sends `item`, then resumes `handle` with `sent` set.
    void send(T item, std::coroutine_handle<> handle, bool& sent) {
        channel_.async_send(boost::system::error_code{}, std::optional<T>{std::move(item)},
                            [handle, &sent](boost::system::error_code error) {
                                sent = !error;
                                handle.resume();
                            });
    }

    /// Receives into `item` (nullopt once closed and drained), then resumes `handle`.
    void receive(std::coroutine_handle<> handle, std::optional<T>& item) {
        channel_.async_receive([this, handle, &item](boost::system::error_code error, std::optional<T> got) {
            if (!error) {
                if (!got) channel_.close();  // the end marker: wake every other receiver
                item = std::move(got);
            }
            handle.resume();
        });
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
