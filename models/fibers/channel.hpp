// Go's channel for the fibers model: `make(chan T)` is Channel<T>{rt, 0}, a
// rendezvous; `make(chan T, n)` is Channel<T>{rt, n}, holding exactly n items.
// Operations suspend the fiber, never the thread.
//
// Two designs; a channel has the design of the runtime it is made for
// (Runtime::channel_design(), set by the runtime's variant):
// - the default: the array channel (models/array_channel.hpp, crossbeam's
//   design: no lock on the way of an item) whose waiters are fibers,
//   suspended on Boost.Fiber's wait_queue under a spinlock that only
//   waiting and waking take;
// - the variant `fibers/boost-channels`: Boost.Fiber's buffered_channel and
//   unbuffered_channel, which take one spinlock for every operation (and
//   hold it while waking a fiber on another thread). Boost needs a
//   power-of-two capacity and holds capacity - 1, so that a channel of n
//   holds bit_ceil(n + 1) - 1 >= n items.
//
// Every operation is also a scheduling point once other fibers have waited
// too long for the running one (should_yield_to_others, scheduler.hpp):
// fibers are not preempted, and without this a fiber whose channels never
// block would keep the others from running.
#pragma once

#include "models/array_channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/scheduler.hpp"

#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/detail/spinlock.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <boost/fiber/waker.hpp>

#include <atomic>
#include <bit>
#include <cstddef>
#include <optional>
#include <utility>

namespace conclab::models::fibers {

struct FiberWaiting {
    /// A few spins, then wait: the fiber that would make room or an item is
    /// as likely on this thread as on another, and waiting lets it run
    /// (Go's channels do not spin at all).
    static constexpr unsigned yield_limit = 2;
    static void yield_now() noexcept { boost::this_fiber::yield(); }

    /// Fibers waiting on one side of a channel: Boost.Fiber's wait_queue
    /// under its spinlock. `empty` lets the other side skip the spinlock
    /// when no fiber waits.
    class WaitList {
    public:
        /// Lists the calling fiber, looks once more, and suspends it unless
        /// ready(). The spinlock is held from the listing to the suspension
        /// (Boost releases it after the switch), so no wake-up is lost.
        template <class Ready>
        void park(Ready ready) {
            boost::fibers::detail::spinlock_lock lock{spinlock_};
            empty_.store(false, std::memory_order_seq_cst);
            // with the seq_cst load in wake_one, which follows the other
            // side's seq_cst read-modify-write: either ready() sees what the
            // other side did, or the other side sees a waiter
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (ready()) {
                empty_.store(waiting_.empty(), std::memory_order_seq_cst);
                return;
            }
            waiting_.suspend_and_wait(lock, boost::fibers::context::active());
        }
        bool waiting() const noexcept { return !empty_.load(std::memory_order_seq_cst); }
        void wake_one() noexcept {
            if (empty_.load(std::memory_order_seq_cst)) return;
            boost::fibers::detail::spinlock_lock lock{spinlock_};
            waiting_.notify_one();
            empty_.store(waiting_.empty(), std::memory_order_seq_cst);
        }
        void wake_all() noexcept {
            if (empty_.load(std::memory_order_seq_cst)) return;
            boost::fibers::detail::spinlock_lock lock{spinlock_};
            waiting_.notify_all();
            empty_.store(true, std::memory_order_seq_cst);
        }

    private:
        boost::fibers::detail::spinlock spinlock_;
        boost::fibers::wait_queue waiting_;
        std::atomic<bool> empty_{true};
    };
};

template <class T>
using ArrayChannel = models::ArrayChannel<T, FiberWaiting>;

template <class T>
class Channel {
public:
    /// A rendezvous channel for buffer 0, a buffered one otherwise, of the
    /// design `rt`'s fibers use (Go's `make(chan T, buffer)`).
    Channel(Runtime const& rt, std::size_t buffer) : Channel(rt.channel_design(), buffer) {}
    /// The same of a given design (tests, benchmarks).
    Channel(ChannelDesign design, std::size_t buffer) {
        if (design == ChannelDesign::array) {
            array_.emplace(buffer);
        } else if (buffer == 0) {
            unbuffered_.emplace();
        } else {
            buffered_.emplace(std::bit_ceil(buffer + 1));
        }
    }

    /// The number of items a send can leave in a channel of `design`
    /// without a receiver.
    static std::size_t holds(ChannelDesign design, std::size_t buffer) noexcept {
        if (design == ChannelDesign::array) return buffer;
        return buffer == 0 ? 0 : std::bit_ceil(buffer + 1) - 1;
    }

    /// Suspends the calling fiber until the item is taken (rendezvous) or
    /// buffered; false if the channel is closed (Go would panic).
    bool send(T item) {
        bool sent = false;
        if (array_) {
            sent = array_->send(std::move(item));
        } else {
            auto const status = buffered_ ? buffered_->push(std::move(item)) : unbuffered_->push(std::move(item));
            sent = status == boost::fibers::channel_op_status::success;
        }
        if (should_yield_to_others()) boost::this_fiber::yield();
        return sent;
    }

    /// Suspends the calling fiber until an item arrives; nullopt once the
    /// channel is closed and drained (Go's `v, ok := <-ch`).
    std::optional<T> receive() {
        std::optional<T> item;
        if (array_) {
            item = array_->receive();
        } else {
            T value;
            auto const status = buffered_ ? buffered_->pop(value) : unbuffered_->pop(value);
            if (status == boost::fibers::channel_op_status::success) item.emplace(std::move(value));
        }
        if (should_yield_to_others()) boost::this_fiber::yield();
        return item;
    }

    /// Wakes every waiting receiver; buffered items are still delivered.
    void close() noexcept {
        if (array_) {
            array_->close();
        } else if (buffered_) {
            buffered_->close();
        } else {
            unbuffered_->close();
        }
    }

private:
    std::optional<ArrayChannel<T>> array_;  // in place: no allocation of its own
    std::optional<boost::fibers::unbuffered_channel<T>> unbuffered_;
    std::optional<boost::fibers::buffered_channel<T>> buffered_;
};

}  // namespace conclab::models::fibers
