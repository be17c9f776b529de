// The threads model's "runtime": none. Every task is an OS thread of its
// own (std::thread), the control group against which the M:N models are
// measured. Runtime only remembers the threads so block_on can join them.
#pragma once

#include "models/runtime_options.hpp"

#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::threads {

/// How the channels made for a runtime are built (channel.hpp).
enum class ChannelDesign { array, moodycamel_queue };

class Runtime {
public:
    Runtime() = default;
    /// OS threads need no pool: the options' thread count is not used.
    /// Designs: "" (channels are ArrayChannel) and "moodycamel-queue"
    /// (QueueChannel): the channels made for this runtime.
    explicit Runtime(RuntimeOptions const& options) {
        if (options.design == "moodycamel-queue") {
            channel_design_ = ChannelDesign::moodycamel_queue;
        } else {
            expect_default_design(options, "threads");
        }
    }
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    /// The design of the channels made for this runtime's threads.
    ChannelDesign channel_design() const noexcept { return channel_design_; }

    /// Starts `task` on a new OS thread.
    template <class F>
    void spawn(F&& task) {
        std::lock_guard lock{mutex_};
        threads_.emplace_back([this, task = std::forward<F>(task)]() mutable {
            try {
                task();
            } catch (...) {
                fail(std::current_exception());
            }
        });
    }

    /// Runs `task` on the calling thread, then joins every thread spawned
    /// under it; rethrows the first error.
    template <class F>
    void block_on(F&& task) {
        try {
            std::forward<F>(task)();
        } catch (...) {
            fail(std::current_exception());
        }
        join_all();
        if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
    }

private:
    void fail(std::exception_ptr error) {
        std::lock_guard lock{mutex_};
        if (!first_error_) first_error_ = error;
    }

    void join_all() {
        for (;;) {
            std::vector<std::thread> batch;
            {
                std::lock_guard lock{mutex_};
                batch.swap(threads_);
            }
            if (batch.empty()) return;
            for (auto& thread : batch) thread.join();
        }
    }

    ChannelDesign channel_design_ = ChannelDesign::array;
    std::mutex mutex_;
    std::vector<std::thread> threads_;
    std::exception_ptr first_error_;
};

}  // namespace conclab::models::threads
