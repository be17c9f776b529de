// The coroutines model's runtime: C++20 coroutines on one io_context run by
// T OS threads (Tokio's multi-threaded runtime in Rust terms). Handlers and
// resumed coroutines go to whichever of the T threads is free.
#pragma once

#include "models/runtime_options.hpp"
#include "models/task_tracker.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::coroutines {

template <class T>
using awaitable = boost::asio::awaitable<T>;

class Runtime {
public:
    /// Starts `threads` threads running the io_context; idle ones block in
    /// the io_context's wait, not in a spin.
    explicit Runtime(unsigned threads);
    explicit Runtime(RuntimeOptions const& options) : Runtime{(expect_default_design(options, "coroutines"), options.threads)} {}
    ~Runtime();
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }
    boost::asio::any_io_executor executor() noexcept { return context_.get_executor(); }

    /// co_spawns `task` detached (Tokio's `spawn`); callable from any thread.
    void spawn(awaitable<void> task);
    /// The same on a strand of its own: the task's handlers never run on two
    /// threads at once, as a Tokio task's never do. I/O objects with inner
    /// timers (beast::tcp_stream) need that; make them with the task's
    /// `co_await this_coro::executor`.
    void spawn_serial(awaitable<void> task);

    /// Calls `make_task()` (a coroutine lambda: it lives here until the end),
    /// spawns the awaitable and blocks the calling OS thread until it and
    /// every task spawned under it have finished; rethrows their first error.
    template <class F>
    void block_on(F&& make_task) {
        spawn(std::forward<F>(make_task)());
        tracker_.wait();
    }

private:
    boost::asio::io_context context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    TaskTracker tracker_;
    std::vector<std::thread> threads_;
};

}  // namespace conclab::models::coroutines
