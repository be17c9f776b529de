// Go's channel for the threads model: `make(chan T)` is Channel<T>(0), a
// rendezvous; `make(chan T, n)` is Channel<T>(n), holding exactly n items.
// Every wait blocks the OS thread (after a short spin).
//
// Two designs, chosen by the threads runtime of the case (a case runs in a
// process of its own, so the choice is per process): ArrayChannel, the
// default (crossbeam's array flavour: array_channel.hpp), and QueueChannel,
// the variant `threads/moodycamel-queue` (moodycamel's queue under two
// semaphores: queue_channel.hpp), to show what the channel's design is worth.
#pragma once

#include "models/threads/parking.hpp"
#include "models/threads/queue_channel.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace conclab::models::threads {

enum class ChannelDesign { array, moodycamel_queue };

/// The design channels made from now on use (set by threads::Runtime).
inline std::atomic<ChannelDesign>& channel_design() noexcept {
    static std::atomic<ChannelDesign> design{ChannelDesign::array};
    return design;
}

template <class T>
class Channel {
public:
    explicit Channel(std::size_t buffer) {
        if (channel_design().load(std::memory_order_relaxed) == ChannelDesign::moodycamel_queue) {
            queue_ = std::make_unique<QueueChannel<T>>(buffer);
        } else {
            array_.emplace(buffer);
        }
    }

    /// Blocks until there is room (or, rendezvous, until a receiver took an
    /// item); false if the channel is closed (Go would panic).
    bool send(T item) { return array_ ? array_->send(std::move(item)) : queue_->send(std::move(item)); }

    /// Blocks until an item arrives; nullopt once closed and drained.
    std::optional<T> receive() { return array_ ? array_->receive() : queue_->receive(); }

    /// Wakes every waiting receiver once the items sent before are taken.
    void close() {
        if (array_) {
            array_->close();
        } else {
            queue_->close();
        }
    }

private:
    std::optional<ArrayChannel<T>> array_;  // in place: no allocation of its own
    std::unique_ptr<QueueChannel<T>> queue_;
};

}  // namespace conclab::models::threads
