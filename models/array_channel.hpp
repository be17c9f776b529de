// Go's channel as crossbeam-channel's bounded "array" flavour
// (crossbeam-channel/src/flavors/array.rs), for the models whose channels
// block: fibers (a waiting fiber suspends) and threads (a waiting thread
// parks). How a waiter waits is the Waiting policy; the rest is shared.
//
// - a ring of `capacity` slots, each with a stamp saying whose turn it is
//   (the lap and index of the send or receive that may use it next), and
//   two counters, head and tail, that senders and receivers advance with a
//   compare-and-swap: no lock, and a send and a receive on different slots
//   never touch the same cache line;
// - a sender that finds the channel full (or a receiver empty) backs off
//   (spins, and for threads yields the CPU a few times), then waits on the
//   channel's wait list after looking once more; the other side wakes one
//   waiter per operation, and looks at the list with one load when no one
//   waits;
// - closing sets a mark bit in the tail: senders fail at once, receivers
//   drain what is left and then see the end.
//
// Capacity 0, Go's rendezvous, is a ring of one slot whose sender also
// waits until a receiver has taken an item.
//
// Lifetime: the receiver of the last item may destroy the channel at once,
// as a Go parent lets its channel go (Go has a collector). So a send with
// no waiter to wake ends with making its item visible; one that wakes a
// waiter after that, and a rendezvous hand-off, are counted while they
// run, and the destructor waits for them (publish_then_wake).
//
// A Waiting policy has `WaitList` (park(ready): wait unless ready() after
// being listed; wake_one(); wake_all(); waiting(): a seq_cst look whether
// anyone is listed), `yield_now()` and `yield_limit`
// (Backoff steps before waiting: the spinning ones, then the CPU-yielding
// ones).
//
// No lost wake-up, and no fence on the way of an item: park() lists the
// waiter with a seq_cst store, then reads the counters with seq_cst loads
// (ready()); every wake call here comes right after a seq_cst
// read-modify-write of the counter that ready() reads (the tail, the head,
// `taken_`), and wake_one() reads the list's empty flag with a seq_cst
// load. In the single order of seq_cst operations either the waker's load
// comes after the listing (it sees the waiter) or before it, and then the
// waiter's ready() comes after the waker's read-modify-write (it sees the
// item, the room or the close). On x86 that load is a plain load, where a
// fence before it cost 15% of pipeline's CPU at work=0 (perf annotate).
#pragma once

#include "models/spin_pause.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <utility>

namespace conclab::models {

/// crossbeam-utils' Backoff: spin 2^step pauses while step <= 6, then
/// yield the CPU, until step passes `yield_limit`: then the caller waits.
class Backoff {
public:
    explicit Backoff(unsigned yield_limit = 10) noexcept : yield_limit_{yield_limit} {}
    void spin() noexcept {
        for (unsigned i = 0; i < (1U << std::min(step_, spin_limit)); ++i) spin_pause();
        if (step_ <= spin_limit) ++step_;
    }
    void snooze() noexcept {
        if (step_ <= spin_limit) {
            for (unsigned i = 0; i < (1U << step_); ++i) spin_pause();
        } else {
            std::this_thread::yield();
        }
        if (step_ <= yield_limit_) ++step_;
    }
    bool completed() const noexcept { return step_ > yield_limit_; }

private:
    static constexpr unsigned spin_limit = 6;
    unsigned yield_limit_;
    unsigned step_ = 0;
};

template <class T, class Waiting>
class ArrayChannel {
public:
    /// A channel that holds `buffer` items; 0 is a rendezvous.
    explicit ArrayChannel(std::size_t buffer)
        : rendezvous_{buffer == 0},
          capacity_{std::max<std::size_t>(buffer, 1)},
          mark_bit_{std::bit_ceil(capacity_ + 1)},
          one_lap_{mark_bit_ * 2},
          slots_{new Slot[capacity_]} {
        for (std::size_t i = 0; i < capacity_; ++i) slots_[i].stamp.store(i, std::memory_order_relaxed);
    }
    ArrayChannel(ArrayChannel const&) = delete;
    ArrayChannel& operator=(ArrayChannel const&) = delete;
    ~ArrayChannel() {
        // a rendezvous sender or receiver may still be finishing its hand-off,
        // another operation waking a waiter after its stamp (publish_then_wake)
        while (busy_.load(std::memory_order_acquire) != 0) Waiting::yield_now();
        std::optional<T> rest;
        while (try_receive_item(rest) == Status::done) rest.reset();
    }

    /// Waits until there is room (rendezvous: until a receiver took an
    /// item); false if the channel is closed (Go would panic).
    bool send(T item) {
        Busy const busy{*this};
        for (;;) {
            Backoff backoff{Waiting::yield_limit};
            for (;;) {
                auto const status = try_send_item(item);
                if (status == Status::done) {
                    if (rendezvous_) wait_until_taken();
                    return true;
                }
                if (status == Status::closed) return false;
                if (backoff.completed()) break;
                backoff.snooze();
            }
            senders_.park([this] { return !full() || closed(); });
        }
    }

    /// Waits until an item arrives; nullopt once closed and drained.
    std::optional<T> receive() {
        Busy const busy{*this};
        std::optional<T> item;
        for (;;) {
            Backoff backoff{Waiting::yield_limit};
            for (;;) {
                auto const status = try_receive_item(item);
                if (status == Status::done) {
                    if (rendezvous_) {
                        taken_.fetch_add(1, std::memory_order_seq_cst);
                        takers_.wake_one();
                    }
                    return item;
                }
                if (status == Status::closed) return std::nullopt;
                if (backoff.completed()) break;
                backoff.snooze();
            }
            receivers_.park([this] { return !empty() || closed(); });
        }
    }

    /// Wakes every parked thread; receivers still get the items sent before.
    void close() noexcept {
        auto const tail = tail_.fetch_or(mark_bit_, std::memory_order_seq_cst);
        if ((tail & mark_bit_) != 0) return;
        senders_.wake_all();
        receivers_.wake_all();
    }

    // The non-blocking half, for a front end whose waiters do not block a
    // thread (the coroutines model's channel, models/coroutines/channel.hpp):
    // one attempt (done, or why not), the predicates a waiter looks at after
    // listing itself, and the wait lists (a send or receive that completes
    // wakes one waiter of the other side through them). Not for rendezvous.
    enum class Status { done, would_block, closed };
    Status try_send(T& item) { return try_send_item(item); }
    Status try_receive(std::optional<T>& out) { return try_receive_item(out); }
    bool has_room_or_closed() const noexcept { return !full() || closed(); }
    bool has_item_or_closed() const noexcept { return !empty() || closed(); }
    typename Waiting::WaitList& senders() noexcept { return senders_; }
    typename Waiting::WaitList& receivers() noexcept { return receivers_; }

private:

    // Counts a rendezvous operation while it runs: its hand-off goes on
    // after its item changed hands, and the destructor waits for it.
    class Busy {
    public:
        explicit Busy(ArrayChannel& channel) noexcept : channel_{channel.rendezvous_ ? &channel : nullptr} {
            if (channel_ != nullptr) channel_->busy_.fetch_add(1, std::memory_order_acq_rel);
        }
        ~Busy() {
            if (channel_ != nullptr) channel_->busy_.fetch_sub(1, std::memory_order_acq_rel);
        }
        Busy(Busy const&) = delete;
        Busy& operator=(Busy const&) = delete;

    private:
        ArrayChannel* channel_;
    };

    // not padded to a cache line each, as crossbeam's are not: task-tree
    // makes a small channel per node, and padding made each 10x larger
    struct Slot {
        std::atomic<std::uint64_t> stamp{0};
        alignas(T) unsigned char storage[sizeof(T)];
        T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    Status try_send_item(T& item) {
        Backoff backoff{Waiting::yield_limit};
        auto tail = tail_.load(std::memory_order_relaxed);
        for (;;) {
            if ((tail & mark_bit_) != 0) return Status::closed;
            auto const index = tail & (mark_bit_ - 1);
            auto const lap = tail & ~(one_lap_ - 1);
            auto& slot = slots_[index];
            auto const stamp = slot.stamp.load(std::memory_order_acquire);
            if (tail == stamp) {
                // the slot is free for this lap: claim it by moving the tail
                auto const next = index + 1 < capacity_ ? tail + 1 : lap + one_lap_;
                if (tail_.compare_exchange_weak(tail, next, std::memory_order_seq_cst, std::memory_order_relaxed)) {
                    new (slot.storage) T(std::move(item));
                    publish_then_wake(slot.stamp, tail + 1, receivers_);
                    return Status::done;
                }
                backoff.spin();
            } else if (stamp + one_lap_ == tail + 1) {
                // the slot still holds last lap's item: full, unless a receiver is at it
                std::atomic_thread_fence(std::memory_order_seq_cst);
                if (head_.load(std::memory_order_relaxed) + one_lap_ == tail) return Status::would_block;
                // a receiver is between claiming the slot and freeing it: wait
                // for it, yielding the CPU if that takes long (with more
                // threads than cores it may have been preempted in between)
                backoff.snooze();
                tail = tail_.load(std::memory_order_relaxed);
            } else {
                // another sender is writing this slot
                backoff.snooze();
                tail = tail_.load(std::memory_order_relaxed);
            }
        }
    }

    Status try_receive_item(std::optional<T>& out) {
        Backoff backoff{Waiting::yield_limit};
        auto head = head_.load(std::memory_order_relaxed);
        for (;;) {
            auto const index = head & (mark_bit_ - 1);
            auto const lap = head & ~(one_lap_ - 1);
            auto& slot = slots_[index];
            auto const stamp = slot.stamp.load(std::memory_order_acquire);
            if (head + 1 == stamp) {
                // the slot holds this lap's item: claim it by moving the head
                auto const next = index + 1 < capacity_ ? head + 1 : lap + one_lap_;
                if (head_.compare_exchange_weak(head, next, std::memory_order_seq_cst, std::memory_order_relaxed)) {
                    out.emplace(std::move(*slot.value()));
                    slot.value()->~T();
                    publish_then_wake(slot.stamp, head + one_lap_, senders_);
                    return Status::done;
                }
                backoff.spin();
            } else if (stamp == head) {
                // nothing here yet: empty, unless a sender is at it
                std::atomic_thread_fence(std::memory_order_seq_cst);
                auto const tail = tail_.load(std::memory_order_relaxed);
                if ((tail & ~mark_bit_) == head) return (tail & mark_bit_) != 0 ? Status::closed : Status::would_block;
                backoff.snooze();  // a sender is between claiming the slot and filling it
                head = head_.load(std::memory_order_relaxed);
            } else {
                backoff.snooze();
                head = head_.load(std::memory_order_relaxed);
            }
        }
    }

    // The end of a send or a receive: the slot's stamp makes the item (or
    // the room) visible, then one waiter of the other side is woken.
    //
    // In that order, so that the other side never waits for this one: woken
    // first, the waiter (a fiber's thread, a parked thread: a futex wake-up)
    // could run on this core at once, preempt this thread between the claim
    // and the stamp, and spin for a stamp that this thread, not running,
    // could not write. With more threads than cores, or a core busy
    // elsewhere, that was most of the fibers model's time (perf annotate:
    // 60-70% of pipeline's samples on Backoff's pause loop at --threads 8).
    //
    // The stamp store is the last touch of a channel with no waiter: its
    // receiver may destroy it at once (task-tree's parent does). When there
    // is a waiter to wake after it, the operation is counted in busy_
    // first, and the destructor waits for it. The waiter's listing is seen
    // here: its seq_cst store and this seq_cst load come after the seq_cst
    // read-modify-write that claimed the slot, as the header says.
    void publish_then_wake(std::atomic<std::uint64_t>& stamp, std::uint64_t value, typename Waiting::WaitList& waiters) {
        if (!waiters.waiting()) {
            stamp.store(value, std::memory_order_release);
            return;
        }
        if (!rendezvous_) busy_.fetch_add(1, std::memory_order_relaxed);  // a rendezvous operation is counted already
        stamp.store(value, std::memory_order_release);  // orders the count before the item's receiver and its destructor
        waiters.wake_one();
        if (!rendezvous_) busy_.fetch_sub(1, std::memory_order_release);
    }

    bool full() const noexcept {
        auto const tail = tail_.load(std::memory_order_seq_cst);
        auto const head = head_.load(std::memory_order_seq_cst);
        return head + one_lap_ == (tail & ~mark_bit_);
    }
    bool empty() const noexcept {
        auto const head = head_.load(std::memory_order_seq_cst);
        auto const tail = tail_.load(std::memory_order_seq_cst);
        return (tail & ~mark_bit_) == head;
    }
    bool closed() const noexcept { return (tail_.load(std::memory_order_seq_cst) & mark_bit_) != 0; }

    // rendezvous: a sender waits for a receive, any receive (Go's pairing
    // is one to one; this counts: k senders return after k items were taken)
    void wait_until_taken() {
        for (;;) {
            auto credits = taken_.load(std::memory_order_seq_cst);
            while (credits > 0) {
                if (taken_.compare_exchange_weak(credits, credits - 1, std::memory_order_seq_cst)) return;
            }
            takers_.park([this] { return taken_.load(std::memory_order_seq_cst) > 0; });
        }
    }

    bool const rendezvous_;
    std::size_t const capacity_;
    std::uint64_t const mark_bit_;  // in the tail: closed
    std::uint64_t const one_lap_;
    std::unique_ptr<Slot[]> slots_;
    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint64_t> tail_{0};
    // Every send reads receivers_' empty flag and every receive senders_':
    // on a line of their own, not on the line whose counter the other side
    // moves with every item (crossbeam pads head and tail the same way).
    alignas(64) typename Waiting::WaitList senders_;
    typename Waiting::WaitList receivers_;
    typename Waiting::WaitList takers_;       // rendezvous: senders waiting for a receive
    std::atomic<std::int64_t> taken_{0};      // rendezvous: receives not yet claimed by a sender
    std::atomic<std::int64_t> busy_{0};       // operations that may touch the channel after their item changed hands
};

}  // namespace conclab::models
