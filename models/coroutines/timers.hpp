// The coroutines model's timers: what `co_await sleep_until(t)` waits in.
//
// Each worker of the scheduler has a TimerQueue (Go keeps a timer heap per
// P, Tokio a timer wheel per worker): a coroutine that sleeps is filed in
// its worker's queue, one entry of 16 bytes (the deadline and the frame),
// and when it is due the scheduler moves it straight into a run queue. No
// allocation, no Asio handler, no executor round trip per timer: the first
// design (Asio's steady_timer per sleep, one reactor heap behind one
// mutex, each completion posted through the io_context and then to the
// scheduler) woke 100k sleepers 20-30 ms late on 2 cores, because it
// could wake them only a few times slower than they were spawned.
//
// Two parts:
// - a FIFO for deadlines that come in order (every sleep of one duration
//   started by one worker: idle-tasks, a fixed wait per job): O(1) to file
//   and to take, in the order memory was written;
// - a 4-ary min-heap (Go's runtime/time.go) for the rest.
// The earliest deadline is readable without the lock, so a busy worker
// looks at its timers at every task for the cost of one load, and reads
// the clock only when it has some.
//
// Deadlines are nanoseconds of std::chrono::steady_clock.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <vector>

namespace conclab::models::coroutines {

using TimerClock = std::chrono::steady_clock;

inline std::int64_t timer_ns(TimerClock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline std::int64_t timer_now_ns() noexcept { return timer_ns(TimerClock::now()); }

class TimerQueue {
public:
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

    /// Files `frame` to be resumed at `deadline` (ns); true when it is now
    /// the earliest timer here (whoever sleeps until the earliest must
    /// learn of it).
    bool add(std::int64_t deadline, std::coroutine_handle<> frame) {
        std::lock_guard lock{mutex_};
        Entry const entry{deadline, frame.address()};
        if (fifo_.empty() || fifo_.back().when <= deadline) {
            fifo_.push_back(entry);
        } else {
            heap_.push_back(entry);
            sift_up(heap_.size() - 1);
        }
        return publish_earliest() == deadline;
    }

    /// The earliest deadline filed, or `never`; without the lock (it may be
    /// a moment old: expire() decides under the lock).
    std::int64_t earliest() const noexcept { return earliest_.load(std::memory_order_acquire); }
    bool empty() const noexcept { return earliest() == never; }

    /// Takes every timer due at `now`, earliest first, and gives each frame
    /// to `ready`; returns how many. `ready` must not file timers here.
    template <class Ready>
    std::size_t expire(std::int64_t now, Ready&& ready) {
        if (earliest() > now) return 0;
        std::lock_guard lock{mutex_};
        std::size_t n = 0;
        for (;;) {
            bool const fifo_due = !fifo_.empty() && fifo_.front().when <= now;
            bool const heap_due = !heap_.empty() && heap_.front().when <= now;
            if (!fifo_due && !heap_due) break;
            if (fifo_due && (!heap_due || fifo_.front().when <= heap_.front().when)) {
                ready(std::coroutine_handle<>::from_address(fifo_.front().frame));
                fifo_.pop_front();
            } else {
                ready(std::coroutine_handle<>::from_address(heap_.front().frame));
                pop_heap();
            }
            ++n;
        }
        publish_earliest();
        return n;
    }

    std::size_t size() const {
        std::lock_guard lock{mutex_};
        return fifo_.size() + heap_.size();
    }

private:
    struct Entry {
        std::int64_t when;
        void* frame;
    };
    static constexpr std::size_t arity = 4;

    std::int64_t publish_earliest() noexcept {
        auto e = never;
        if (!fifo_.empty()) e = fifo_.front().when;
        if (!heap_.empty()) e = std::min(e, heap_.front().when);
        earliest_.store(e, std::memory_order_release);
        return e;
    }

    void sift_up(std::size_t i) noexcept {
        auto const entry = heap_[i];
        while (i > 0) {
            auto const parent = (i - 1) / arity;
            if (heap_[parent].when <= entry.when) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = entry;
    }

    void pop_heap() noexcept {
        auto const last = heap_.back();
        heap_.pop_back();
        if (heap_.empty()) return;
        std::size_t i = 0;
        auto const n = heap_.size();
        for (;;) {
            auto const first = arity * i + 1;
            if (first >= n) break;
            auto best = first;
            for (auto c = first + 1; c < std::min(first + arity, n); ++c) {
                if (heap_[c].when < heap_[best].when) best = c;
            }
            if (last.when <= heap_[best].when) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = last;
    }

    mutable std::mutex mutex_;
    std::deque<Entry> fifo_;   // guarded by mutex_; deadlines not decreasing
    std::vector<Entry> heap_;  // guarded by mutex_; a 4-ary min-heap on `when`
    std::atomic<std::int64_t> earliest_{never};
};

}  // namespace conclab::models::coroutines
