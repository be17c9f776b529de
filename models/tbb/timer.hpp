// A timer for the tbb model, which has none (neither has Rayon): a task
// that waits suspends itself with oneTBB's resumable tasks
// (tbb::task::suspend), which frees its thread to run other tasks, and one
// timer thread resumes it when its deadline passes. The price: a suspended
// task keeps its own stack (an mmap'd region with a guard page), so the
// number of tasks waiting at once is bounded by vm.max_map_count.
#pragma once

#include <oneapi/tbb/task.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::tbb {

class Timer {
public:
    using Clock = std::chrono::steady_clock;

    Timer() : thread_{[this] { run(); }} {}
    /// Every task that slept has been resumed (block_on has returned).
    ~Timer() {
        {
            std::lock_guard lock{mutex_};
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    Timer(Timer const&) = delete;
    Timer& operator=(Timer const&) = delete;

    /// Suspends the calling task (not its thread) until `deadline`. Only
    /// from a task running in a task_arena.
    void sleep_until(Clock::time_point deadline) {
        oneapi::tbb::task::suspend([&](oneapi::tbb::task::suspend_point task) {
            {
                std::lock_guard lock{mutex_};
                due_.push(Entry{deadline, task});
            }
            wake_.notify_one();
        });
    }

    /// How many tasks may be suspended at once on this machine: each holds
    /// two mappings (stack and guard page) out of vm.max_map_count, and the
    /// process needs some for itself.
    static std::uint64_t max_suspended() {
        std::uint64_t max_map_count = 65530;  // Linux's default
        std::ifstream{"/proc/sys/vm/max_map_count"} >> max_map_count;
        return max_map_count > 8192 ? (max_map_count - 8192) / 2 : 0;
    }

private:
    struct Entry {
        Clock::time_point deadline;
        oneapi::tbb::task::suspend_point task;
        bool operator>(Entry const& other) const noexcept { return deadline > other.deadline; }
    };

    void run() {
        std::unique_lock lock{mutex_};
        while (!stopping_) {
            if (due_.empty()) {
                wake_.wait(lock);
            } else if (auto const next = due_.top(); Clock::now() < next.deadline) {
                wake_.wait_until(lock, next.deadline);
            } else {
                due_.pop();
                lock.unlock();
                oneapi::tbb::task::resume(next.task);
                lock.lock();
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> due_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the rest is built
};

}  // namespace conclab::models::tbb
