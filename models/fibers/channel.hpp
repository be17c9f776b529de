// Go's channel for the fibers model: `make(chan T)` is Channel<T>(0), a
// rendezvous; `make(chan T, n)` is Channel<T>(n). Built on Boost.Fiber's own
// channels, whose operations suspend the fiber, never the thread.
//
// Capacity: Boost's buffered_channel needs a power-of-two capacity >= 2 and
// holds capacity - 1 items, so Channel<T>(n) holds bit_ceil(n + 1) - 1 >= n
// items: exact when n = 2^k - 1 (1, 3, 7, ..., 63, ...), rounded up
// otherwise (docs/models.md).
#pragma once

#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>
#include <boost/fiber/unbuffered_channel.hpp>

#include <bit>
#include <cstddef>
#include <optional>
#include <utility>

namespace conclab::models::fibers {

template <class T>
class Channel {
public:
    /// A rendezvous channel for buffer 0, a buffered one otherwise.
    explicit Channel(std::size_t buffer) {
        if (buffer == 0) {
            unbuffered_.emplace();
        } else {
            buffered_.emplace(std::bit_ceil(buffer + 1));
        }
    }

    /// The number of items a send can leave in the channel without a receiver.
    static std::size_t holds(std::size_t buffer) noexcept {
        return buffer == 0 ? 0 : std::bit_ceil(buffer + 1) - 1;
    }

    /// Suspends the calling fiber until the item is taken (rendezvous) or
    /// buffered; false if the channel is closed (Go would panic).
    bool send(T item) {
        auto const status = buffered_ ? buffered_->push(std::move(item)) : unbuffered_->push(std::move(item));
        return status == boost::fibers::channel_op_status::success;
    }

    /// Suspends the calling fiber until an item arrives; nullopt once the
    /// channel is closed and drained (Go's `v, ok := <-ch`).
    std::optional<T> receive() {
        T item;
        auto const status = buffered_ ? buffered_->pop(item) : unbuffered_->pop(item);
        if (status != boost::fibers::channel_op_status::success) return std::nullopt;
        return item;
    }

    /// Wakes every waiting receiver; buffered items are still delivered.
    void close() noexcept {
        if (buffered_) {
            buffered_->close();
        } else {
            unbuffered_->close();
        }
    }

private:
    std::optional<boost::fibers::unbuffered_channel<T>> unbuffered_;
    std::optional<boost::fibers::buffered_channel<T>> buffered_;
};

}  // namespace conclab::models::fibers
