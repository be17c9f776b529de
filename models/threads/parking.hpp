// The threads model's channel: the array channel (models/array_channel.hpp,
// crossbeam's design, the channel Rust's thread programs use) with threads
// that park: after spinning and yielding the CPU a few times, a thread
// lists itself, spins and yields as long again (crossbeam does both), then
// waits on moodycamel's LightweightSemaphore, one per thread (Rust's
// thread::park).
#pragma once

#include "models/array_channel.hpp"

// lightweightsemaphore.h needs the queue header's macros (and <cassert>) first
#include <cassert>
#include <concurrentqueue/concurrentqueue.h>
#include <concurrentqueue/lightweightsemaphore.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace conclab::models::threads {

struct ThreadWaiting {
    /// crossbeam's: spin to step 6, yield the CPU to step 10, then park
    static constexpr unsigned yield_limit = 10;
    static void yield_now() noexcept { std::this_thread::yield(); }

    /// A thread's parking place: a semaphore, so an unpark that comes
    /// before the park is not lost.
    struct Parker {
        moodycamel::LightweightSemaphore semaphore{0, 100};  // the backoff has spun already
        static Parker& of_this_thread() {
            thread_local Parker parker;
            return parker;
        }
    };

    /// Threads parked on one side of a channel. `empty` lets the other side
    /// skip the lock when no one is parked (crossbeam's SyncWaker).
    class WaitList {
    public:
        /// Lists this thread, looks once more, and parks unless ready().
        template <class Ready>
        void park(Ready ready) {
            auto& me = Parker::of_this_thread();
            {
                std::lock_guard lock{mutex_};
                parked_.push_back(&me);
                empty_.store(false, std::memory_order_seq_cst);
            }
            // with the seq_cst load in wake_one, which follows the other
            // side's seq_cst read-modify-write: either ready() sees what the
            // other side did, or the other side sees this thread listed
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (ready()) {
                if (!remove(&me)) me.semaphore.wait();  // an unpark is on its way: take it now
                return;
            }
            // crossbeam's Context::wait_until: listed, spin and yield the
            // CPU a while longer before sleeping; a wake-up that comes
            // meanwhile costs the waker no syscall and this thread no sleep
            for (Backoff backoff{yield_limit}; !backoff.completed(); backoff.snooze()) {
                if (me.semaphore.tryWait()) {
                    remove(&me);
                    return;
                }
            }
            me.semaphore.wait();
            remove(&me);  // woken by close or a stale unpark: listed no more either way
        }
        bool waiting() const noexcept { return !empty_.load(std::memory_order_seq_cst); }
        void wake_one() noexcept {
            if (empty_.load(std::memory_order_seq_cst)) return;
            Parker* parker = nullptr;
            {
                std::lock_guard lock{mutex_};
                if (parked_.empty()) return;
                parker = parked_.front();
                parked_.erase(parked_.begin());
                empty_.store(parked_.empty(), std::memory_order_seq_cst);
            }
            parker->semaphore.signal();
        }
        void wake_all() noexcept {
            // no fence: the mutex orders this with park()'s listing, so
            // either the waiter is in the list taken here or its ready()
            // comes after the close that preceded this call
            std::vector<Parker*> all;
            {
                std::lock_guard lock{mutex_};
                all.swap(parked_);
                empty_.store(true, std::memory_order_seq_cst);
            }
            for (auto* parker : all) parker->semaphore.signal();
        }

    private:
        // false if someone already took it off to wake it (an unpark is coming)
        bool remove(Parker* parker) noexcept {
            std::lock_guard lock{mutex_};
            auto const it = std::find(parked_.begin(), parked_.end(), parker);
            if (it == parked_.end()) return false;
            parked_.erase(it);
            empty_.store(parked_.empty(), std::memory_order_seq_cst);
            return true;
        }

        std::mutex mutex_;
        std::vector<Parker*> parked_;
        std::atomic<bool> empty_{true};
    };
};

template <class T>
using ArrayChannel = models::ArrayChannel<T, ThreadWaiting>;

}  // namespace conclab::models::threads
