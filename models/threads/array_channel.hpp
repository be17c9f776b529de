// The threads model's channel, designed after crossbeam-channel's bounded
// "array" flavour (crossbeam-channel/src/flavors/array.rs), the channel
// Rust's OS-thread programs use:
//
// - a ring of `capacity` slots, each with a stamp saying whose turn it is
//   (the lap and index of the send or receive that may use it next), and
//   two counters, head and tail, that senders and receivers advance with a
//   compare-and-swap: no lock, and a send and a receive on different slots
//   never touch the same cache line;
// - a thread that finds the channel full (or empty) first spins with
//   exponential backoff, then yields its CPU a few times, and only then
//   parks, after putting itself on a wait list; the other side wakes one
//   parked thread per operation, and looks at the list with one load when
//   no one is parked;
// - closing sets a mark bit in the tail: senders fail at once, receivers
//   drain what is left and then see the end.
//
// Parking is moodycamel's LightweightSemaphore (a futex), one per thread.
// Capacity 0, Go's rendezvous, is a ring of one slot whose sender also
// waits until a receiver has taken an item (crossbeam has a separate "zero"
// flavour; one of its pairs of hand-offs costs what this does).
#pragma once

// lightweightsemaphore.h needs the queue header's macros (and <cassert>) first
#include <cassert>
#include <concurrentqueue/concurrentqueue.h>
#include <concurrentqueue/lightweightsemaphore.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::threads {

namespace detail {

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    asm volatile("yield" ::: "memory");
#endif
}

/// crossbeam-utils' Backoff: spin 2^step pauses (step <= 6), then yield
/// the CPU (step <= 10), then the caller should park.
class Backoff {
public:
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
        if (step_ <= yield_limit) ++step_;
    }
    bool completed() const noexcept { return step_ > yield_limit; }

private:
    static constexpr unsigned spin_limit = 6;
    static constexpr unsigned yield_limit = 10;
    unsigned step_ = 0;
};

/// A thread's parking place (Rust's thread::park): a semaphore, so an
/// unpark that comes before the park is not lost.
struct Parker {
    moodycamel::LightweightSemaphore semaphore{0, 100};  // the backoff has spun already
    void park() { semaphore.wait(); }
    void unpark() { semaphore.signal(); }
    static Parker& of_this_thread() {
        thread_local Parker parker;
        return parker;
    }
};

/// Threads parked on one side of a channel. `empty` lets the other side
/// skip the lock when no one is parked (crossbeam's SyncWaker).
class WaitList {
public:
    void add(Parker* parker) {
        std::lock_guard lock{mutex_};
        parked_.push_back(parker);
        empty_.store(false, std::memory_order_seq_cst);
    }
    /// False if someone already took it off to wake it (an unpark is coming).
    bool remove(Parker* parker) noexcept {
        std::lock_guard lock{mutex_};
        auto const it = std::find(parked_.begin(), parked_.end(), parker);
        if (it == parked_.end()) return false;
        parked_.erase(it);
        empty_.store(parked_.empty(), std::memory_order_seq_cst);
        return true;
    }
    void wake_one() noexcept {
        // pairs with the fence a parking thread makes after add(): either it
        // sees what this side did, or this side sees it listed
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (empty_.load(std::memory_order_relaxed)) return;
        Parker* parker = nullptr;
        {
            std::lock_guard lock{mutex_};
            if (parked_.empty()) return;
            parker = parked_.front();
            parked_.erase(parked_.begin());
            empty_.store(parked_.empty(), std::memory_order_seq_cst);
        }
        parker->unpark();
    }
    void wake_all() noexcept {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        std::vector<Parker*> all;
        {
            std::lock_guard lock{mutex_};
            all.swap(parked_);
            empty_.store(true, std::memory_order_seq_cst);
        }
        for (auto* parker : all) parker->unpark();
    }

private:
    std::mutex mutex_;
    std::vector<Parker*> parked_;
    std::atomic<bool> empty_{true};
};

}  // namespace detail

template <class T>
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
        std::optional<T> rest;
        while (try_receive(rest) == Status::done) rest.reset();
    }

    /// Blocks until there is room (rendezvous: until a receiver took an
    /// item); false if the channel is closed (Go would panic).
    bool send(T item) {
        for (;;) {
            detail::Backoff backoff;
            for (;;) {
                auto const status = try_send(item);
                if (status == Status::done) {
                    receivers_.wake_one();
                    if (rendezvous_) taken_.wait();
                    return true;
                }
                if (status == Status::closed) return false;
                if (backoff.completed()) break;
                backoff.snooze();
            }
            park(senders_, [this] { return !full() || closed(); });
        }
    }

    /// Blocks until an item arrives; nullopt once closed and drained.
    std::optional<T> receive() {
        std::optional<T> item;
        for (;;) {
            detail::Backoff backoff;
            for (;;) {
                auto const status = try_receive(item);
                if (status == Status::done) {
                    senders_.wake_one();
                    if (rendezvous_) taken_.signal();
                    return item;
                }
                if (status == Status::closed) return std::nullopt;
                if (backoff.completed()) break;
                backoff.snooze();
            }
            park(receivers_, [this] { return !empty() || closed(); });
        }
    }

    /// Wakes every parked thread; receivers still get the items sent before.
    void close() noexcept {
        auto const tail = tail_.fetch_or(mark_bit_, std::memory_order_seq_cst);
        if ((tail & mark_bit_) != 0) return;
        senders_.wake_all();
        receivers_.wake_all();
    }

private:
    enum class Status { done, would_block, closed };

    struct alignas(64) Slot {
        std::atomic<std::uint64_t> stamp{0};
        alignas(T) unsigned char storage[sizeof(T)];
        T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    Status try_send(T& item) {
        detail::Backoff backoff;
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
                    slot.stamp.store(tail + 1, std::memory_order_release);
                    return Status::done;
                }
                backoff.spin();
            } else if (stamp + one_lap_ == tail + 1) {
                // the slot still holds last lap's item: full, unless a receiver is at it
                std::atomic_thread_fence(std::memory_order_seq_cst);
                if (head_.load(std::memory_order_relaxed) + one_lap_ == tail) return Status::would_block;
                backoff.spin();
                tail = tail_.load(std::memory_order_relaxed);
            } else {
                // another sender is writing this slot
                backoff.snooze();
                tail = tail_.load(std::memory_order_relaxed);
            }
        }
    }

    Status try_receive(std::optional<T>& out) {
        detail::Backoff backoff;
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
                    slot.stamp.store(head + one_lap_, std::memory_order_release);
                    return Status::done;
                }
                backoff.spin();
            } else if (stamp == head) {
                // nothing here yet: empty, unless a sender is at it
                std::atomic_thread_fence(std::memory_order_seq_cst);
                auto const tail = tail_.load(std::memory_order_relaxed);
                if ((tail & ~mark_bit_) == head) return (tail & mark_bit_) != 0 ? Status::closed : Status::would_block;
                backoff.spin();
                head = head_.load(std::memory_order_relaxed);
            } else {
                backoff.snooze();
                head = head_.load(std::memory_order_relaxed);
            }
        }
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

    // lists this thread, looks once more, and parks unless it may go on
    template <class Ready>
    static void park(detail::WaitList& list, Ready ready) {
        auto& me = detail::Parker::of_this_thread();
        list.add(&me);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (ready()) {
            if (!list.remove(&me)) me.park();  // an unpark is on its way: take it now
            return;
        }
        me.park();
        list.remove(&me);  // woken by close or a spurious token: no longer listed either way
    }
    bool const rendezvous_;
    std::size_t const capacity_;
    std::uint64_t const mark_bit_;  // in the tail: closed
    std::uint64_t const one_lap_;
    std::unique_ptr<Slot[]> slots_;
    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint64_t> tail_{0};
    detail::WaitList senders_;
    detail::WaitList receivers_;
    moodycamel::LightweightSemaphore taken_;  // rendezvous: items received, for the senders
};

}  // namespace conclab::models::threads
