// Go's channel for the threads model: `make(chan T)` is Channel<T>{rt, 0}, a
// rendezvous; `make(chan T, n)` is Channel<T>{rt, n}, holding exactly n items.
// Every wait blocks the OS thread (after a short spin).
//
// Two designs; a channel has the design of the runtime it is made for
// (Runtime::channel_design(), set by the runtime's variant): ArrayChannel, the
// default (crossbeam's array flavour: array_channel.hpp), and QueueChannel,
// the variant `threads/moodycamel-queue` (moodycamel's queue under two
// semaphores: queue_channel.hpp), to show what the channel's design is worth.
#pragma once

#include "models/threads/parking.hpp"
#include "models/threads/queue_channel.hpp"
#include "models/threads/runtime.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace conclab::models::threads {

template <class T>
class Channel {
public:
    /// A rendezvous channel for buffer 0, a buffered one otherwise, of the
    /// design of `rt` (Go's `make(chan T, buffer)`).
    Channel(Runtime const& rt, std::size_t buffer) : Channel(rt.channel_design(), buffer) {}
    /// The same of a given design (tests, benchmarks).
    Channel(ChannelDesign design, std::size_t buffer) {
        if (design == ChannelDesign::moodycamel_queue) {
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
