// Counts the tasks a runtime has started and lets an outside OS thread wait
// until all of them have finished. Shared by the runtimes of the fibers,
// coroutines and threads models, which all promise the same thing:
// block_on() returns only when every task spawned under it is done, so a
// scenario may keep its channels on the caller's stack (what Go gets from
// its garbage collector).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <utility>

namespace conclab::models {

class TaskTracker {
public:
    /// Called before a task is started (by the spawner, so the count can
    /// never touch zero while a running task is about to spawn another).
    /// A counter, no lock: spawning is the hot path of task-tree.
    void started() noexcept { running_.fetch_add(1, std::memory_order_relaxed); }

    /// Called by a task as its last action; error is the exception that
    /// escaped it, if any. The first error is kept and rethrown by wait().
    void finished(std::exception_ptr error = nullptr) noexcept {
        if (error) {
            std::lock_guard lock{mutex_};
            if (!first_error_) first_error_ = error;
        }
        if (running_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        // the last one: wake the waiter. The lock orders this with the
        // waiter's look at the count; notify while holding it, because the
        // waiter may destroy the scenario's state as soon as it sees zero
        // (the tracker itself lives as long as the runtime).
        std::lock_guard lock{mutex_};
        idle_.notify_all();
    }

    /// Blocks the calling OS thread until no task runs; rethrows the first
    /// error a task raised.
    void wait() {
        std::unique_lock lock{mutex_};
        idle_.wait(lock, [this] { return running_.load(std::memory_order_acquire) == 0; });
        if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
    }

private:
    std::atomic<std::int64_t> running_{0};
    std::mutex mutex_;
    std::condition_variable idle_;
    std::exception_ptr first_error_;
};

}  // namespace conclab::models
