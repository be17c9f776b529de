// The coroutines model's runtime (Tokio's multi-threaded runtime in Rust
// terms): C++20 coroutines (task.hpp) on a work-stealing scheduler of T
// threads (scheduler.hpp), with its own timers (timers.hpp) and Asio's
// sockets.
//
// Designs (RuntimeOptions::design), a case's process has one:
// - "" (the default): Tokio's scheduler, crossbeam's ring for buffered
//   channels (channel.hpp);
// - "io-context": every ready coroutine through one io_context run by the
//   T threads (the first design's executor);
// - "asio-channels": channels on Asio's concurrent_channel (the first
//   design's channels);
// - "go-channels": every channel of Go's design (one lock), the buffered
//   ones included (the default until 2026-12-06);
// - "ms-timers": Tokio's timer resolution: every sleep rounded up to the
//   next whole millisecond, as Tokio's timer wheel files it.
#pragma once

#include "models/coroutines/executor.hpp"
#include "models/coroutines/scheduler.hpp"
#include "models/coroutines/task.hpp"
#include "models/runtime_options.hpp"
#include "models/task_tracker.hpp"

#include <memory>
#include <utility>

namespace conclab::models::coroutines {

class Runtime {
public:
    /// Starts `threads` threads; idle ones sleep, they do not spin.
    explicit Runtime(unsigned threads);
    explicit Runtime(RuntimeOptions const& options);
    ~Runtime();
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    unsigned threads() const noexcept { return scheduler_->threads(); }
    Executor executor() noexcept { return Executor{*scheduler_}; }

    /// Starts `task` (Tokio's `spawn`); callable from any thread. It runs
    /// next on this thread if called from one of the runtime's.
    void spawn(awaitable<void> task);

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
