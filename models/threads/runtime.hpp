// The threads model's "runtime": none. Every task is an OS thread of its
// own (std::thread), the control group against which the M:N models are
// measured. Runtime only remembers the threads so block_on can join them.
#pragma once

#include "models/runtime_options.hpp"

#include <array>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::threads {

/// How the channels made for a runtime are built (channel.hpp).
enum class ChannelDesign { array, moodycamel_queue };

/// The runtime's designs: the default, and the variant that keeps the
/// channel it replaced (docs/models.md#variants).
enum class Design { standard, moodycamel_queue };
inline constexpr std::array designs{
    DesignVariant<Design>{Design::moodycamel_queue, "moodycamel-queue",
                          "channels on moodycamel's BlockingConcurrentQueue under two semaphores (every empty or full "
                          "channel blocks the thread) instead of a crossbeam-style array channel that spins, yields, then "
                          "parks"},
};

class Runtime {
public:
    Runtime() = default;
    /// OS threads need no pool: the options' thread count is not used.
    /// Its design is one of `designs` above, by token ("" for the default:
    /// ArrayChannel); moodycamel-queue's channels are QueueChannel.
    explicit Runtime(RuntimeOptions const& options)
        : channel_design_{design_named(designs, options.design, "threads") == Design::moodycamel_queue
                              ? ChannelDesign::moodycamel_queue
                              : ChannelDesign::array} {}
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
