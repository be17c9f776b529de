// Go's sync.WaitGroup for fibers: waiting suspends the fiber, not the thread.
#pragma once

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/mutex.hpp>

#include <cstdint>
#include <mutex>

namespace conclab::models::fibers {

class WaitGroup {
public:
    explicit WaitGroup(std::uint64_t count = 0) : count_{count} {}

    /// Expects `n` more done() calls.
    void add(std::uint64_t n) {
        std::lock_guard lock{mutex_};
        count_ += n;
    }

    /// One expected task finished; the last one wakes the waiters.
    void done() {
        std::lock_guard lock{mutex_};
        if (--count_ == 0) zero_.notify_all();
    }

    /// Suspends the calling fiber until the count is zero.
    void wait() {
        std::unique_lock lock{mutex_};
        zero_.wait(lock, [this] { return count_ == 0; });
    }

private:
    boost::fibers::mutex mutex_;
    boost::fibers::condition_variable zero_;
    std::uint64_t count_;
};

}  // namespace conclab::models::fibers
