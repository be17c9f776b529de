// The threads model's first channel, now the variant `threads/moodycamel-queue`
// (channel.hpp chooses): moodycamel's BlockingConcurrentQueue, where every
// wait blocks the OS thread. The queue itself is unbounded and has no
// close, so this adds the two things Go's channel has:
// - capacity: Channel<T>(n) lets a sender get at most n items ahead (a
//   semaphore of free slots); Channel<T>(0) is a rendezvous: send returns
//   once a receiver has taken an item.
// - close: an end marker (nullopt) in the queue. The queue is FIFO per
//   producer only, so the marker can overtake other producers' items. A
//   receiver that meets it while items are pending holds it aside, and the
//   receiver of the last pending item puts it back; a receiver that meets it
//   with nothing pending puts it back for the next and returns "closed".
//   (Putting it straight back livelocks: moodycamel's dequeue heuristic can
//   keep picking the receiver's own sub-queue, i.e. the marker.)
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/lightweightsemaphore.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace conclab::models::threads {

template <class T>
class QueueChannel {
public:
    explicit QueueChannel(std::size_t buffer)
        : buffer_{buffer}, free_slots_{static_cast<moodycamel::LightweightSemaphore::ssize_t>(buffer)} {}

    /// Blocks until there is room (or, rendezvous, until a receiver took an
    /// item); false if the channel is closed (Go would panic).
    bool send(T item) {
        if (closed_.load(std::memory_order_acquire)) return false;
        if (buffer_ > 0) free_slots_.wait();
        state_.fetch_add(1, std::memory_order_acq_rel);
        queue_.enqueue(std::optional<T>{std::move(item)});
        if (buffer_ == 0) taken_.wait();
        return true;
    }

    /// Blocks until an item arrives; nullopt once closed and drained.
    std::optional<T> receive() {
        for (;;) {
            std::optional<T> item;
            queue_.wait_dequeue(item);
            if (item) {
                if (state_.fetch_sub(1, std::memory_order_acq_rel) == (marker_held | 1)) pass_marker();
                (buffer_ > 0 ? free_slots_ : taken_).signal();
                return item;
            }
            if ((state_.fetch_or(marker_held, std::memory_order_acq_rel) & ~marker_held) == 0) {
                pass_marker();
                return std::nullopt;
            }
            // items are pending behind the marker: it is held until the last one is taken
        }
    }

    /// Wakes every waiting receiver once the items sent before are taken.
    void close() {
        if (closed_.exchange(true, std::memory_order_acq_rel)) return;
        queue_.enqueue(std::nullopt);
    }

private:
    // puts the end marker back in the queue, for the next receiver
    void pass_marker() {
        state_.fetch_and(~marker_held, std::memory_order_acq_rel);
        queue_.enqueue(std::nullopt);
    }

    std::size_t buffer_;
    moodycamel::BlockingConcurrentQueue<std::optional<T>> queue_;
    moodycamel::LightweightSemaphore free_slots_;
    moodycamel::LightweightSemaphore taken_;
    // items sent and not yet received, plus marker_held while a receiver
    // holds the end marker aside
    static constexpr std::uint64_t marker_held = std::uint64_t{1} << 62;
    std::atomic<std::uint64_t> state_{0};
    std::atomic<bool> closed_{false};
};

}  // namespace conclab::models::threads
