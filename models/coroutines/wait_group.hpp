// Go's sync.WaitGroup for coroutines: done() from any thread, one coroutine
// awaits wait(). One atomic counter and one atomic word for the waiter: the
// last done() takes the waiter (or leaves a mark that it came first) and
// makes it ready.
#pragma once

#include "models/coroutines/executor.hpp"

#include <atomic>
#include <coroutine>
#include <cstdint>

namespace conclab::models::coroutines {

class WaitGroup {
public:
    WaitGroup(Executor executor, std::uint64_t count) : scheduler_{&executor.scheduler()}, count_{count} {}

    /// One expected task finished; the last one wakes the waiter.
    void done() {
        auto* const scheduler = scheduler_;  // the waiter may destroy this as soon as it is woken
        if (count_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        void* const waiter = waiter_.exchange(done_mark(), std::memory_order_acq_rel);
        if (waiter != nullptr) scheduler->schedule(std::coroutine_handle<>::from_address(waiter));
    }

    /// Resumes once the count is zero. One waiter at a time.
    auto wait() noexcept {
        struct Awaiter {
            WaitGroup& group;
            bool await_ready() const noexcept { return group.count_.load(std::memory_order_acquire) == 0; }
            bool await_suspend(std::coroutine_handle<> handle) noexcept {
                // suspend unless the last done() came first. Once the handle is
                // published, done() may resume this coroutine elsewhere and end
                // it, this awaiter with it: nothing of it is read after the
                // exchange (ThreadSanitizer found `group` read there)
                auto& waiter = group.waiter_;
                void* const mark = group.done_mark();
                return waiter.exchange(handle.address(), std::memory_order_acq_rel) != mark;
            }
            void await_resume() const noexcept {}
        };
        return Awaiter{*this};
    }

private:
    void* done_mark() noexcept { return this; }

    Scheduler* const scheduler_;
    std::atomic<std::uint64_t> count_;
    std::atomic<void*> waiter_{nullptr};
};

}  // namespace conclab::models::coroutines
