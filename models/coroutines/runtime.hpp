// The coroutines model's runtime (Tokio's multi-threaded runtime in Rust
// terms): C++20 coroutines (task.hpp) on a work-stealing scheduler of T
// threads (scheduler.hpp), with its own timers (timers.hpp) and Asio's
// sockets.
// The default design: Tokio's scheduler, crossbeam's ring for buffered
// channels (channel.hpp); the variants are `designs` below.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/scheduler.hpp"
#include "models/coroutines/task.hpp"
#include "models/runtime_options.hpp"
#include "models/task_tracker.hpp"

#include <array>
#include <memory>
#include <utility>

namespace conclab::models::coroutines {

/// The runtime's designs: the default, and the variants that keep an older
/// design or another runtime's choice to show its cost (docs/models.md#variants).
enum class Design { standard, io_context, go_channels, asio_channels, ms_timers };
inline constexpr std::array designs{
    DesignVariant<Design>{Design::io_context, "io-context",
                          "every ready coroutine goes through one Asio io_context run by the threads (one locked queue "
                          "for all, timers and sockets in the same loop) instead of per-thread queues with a LIFO slot "
                          "and work stealing (Tokio's scheduler)"},
    DesignVariant<Design>{Design::go_channels, "go-channels",
                          "buffered channels of Go's design (one lock per channel, an item handed straight to a waiting "
                          "receiver) instead of a lock-free ring of slots with lists of waiters woken to try again "
                          "(async-channel, the channel Tokio programs use)"},
    DesignVariant<Design>{Design::asio_channels, "asio-channels",
                          "channels on Asio's concurrent_channel (every operation completes through the executor, even "
                          "when it need not wait) instead of the default's channels (a lock-free ring when buffered, Go's "
                          "design when small or rendezvous)"},
    DesignVariant<Design>{Design::ms_timers, "ms-timers",
                          "every sleep rounded up to the next whole millisecond, as Tokio's timer wheel files it (its "
                          "resolution is 1 ms), instead of a timer that wakes its coroutine as soon as it is due"},
};

class Runtime {
public:
    /// Starts `threads` threads; idle ones sleep, they do not spin.
    explicit Runtime(unsigned threads);
    /// Its design is one of `designs` above, by token ("" for the default).
    explicit Runtime(RuntimeOptions const& options);
    ~Runtime();
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    unsigned threads() const noexcept { return scheduler_->threads(); }
    Executor executor() noexcept { return Executor{*scheduler_}; }

    /// Starts `task` (Tokio's `spawn`); callable from any thread. It runs
    /// next on this thread if called from one of the runtime's.
    void spawn(Task<void> task);

    /// Calls `make_task()` (a coroutine lambda: it lives here until the end),
    /// spawns the task and blocks the calling OS thread until it and every
    /// task spawned under it have finished; rethrows their first error.
    template <class F>
    void block_on(F&& make_task) {
        spawn(std::forward<F>(make_task)());
        tracker_.wait();
    }

private:
    TaskTracker tracker_;
    std::unique_ptr<Scheduler> scheduler_;
    TaskContext context_;  // every task's: the executor this_coro::executor gives
};

}  // namespace conclab::models::coroutines
