// The coroutines model's readiness waits (Tokio's I/O driver, Go's
// netpoll): a task does its socket calls itself, non-blocking, and awaits
// a Watch only when one would block. The wait is registered with Asio's
// reactor (the scheduler's io_context) beside a deadline timer; both are
// started and completed inside the io_context (on a strand), so they never
// race each other, and the task resumes once both have finished: nothing
// of a wait is left pending when the task moves on.
//
// This replaces Beast's asynchronous operations on a tcp_stream, where
// every read and write, even one that completes at once, posts its
// completion through the reactor's queue and re-arms a timer.
// Asio stays behind the pimpl.
#pragma once

#include "models/coroutines/executor.hpp"

#include <atomic>
#include <chrono>
#include <coroutine>
#include <memory>

namespace conclab::models::coroutines {

class Watch {
public:
    /// Watches `fd` (non-blocking; it stays the caller's to close, after
    /// the Watch is gone) with the reactor of `executor`'s scheduler.
    Watch(Executor executor, int fd);
    ~Watch();
    Watch(Watch const&) = delete;
    Watch& operator=(Watch const&) = delete;

    enum class Direction { read, write };

    class [[nodiscard]] Awaiter {
    public:
        Awaiter(Watch& watch, Direction direction, std::chrono::steady_clock::time_point deadline) noexcept
            : watch_{watch}, direction_{direction}, deadline_{deadline} {}
        // GCC moves an awaiter into the frame; only before it is awaited
        Awaiter(Awaiter&& other) noexcept : Awaiter{other.watch_, other.direction_, other.deadline_} {}
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> handle);
        /// True when the descriptor is ready (or has an error the next
        /// socket call reports); false when the deadline passed.
        bool await_resume() const noexcept { return ready_; }

    private:
        friend class Watch;
        Watch& watch_;
        Direction direction_;
        std::chrono::steady_clock::time_point deadline_;
        std::coroutine_handle<> handle_;
        std::atomic<int> pending_{2};  // the readiness wait and the timer
        bool ready_ = false;
    };

    /// Resumes when `fd` is readable (writable) or at `deadline`.
    Awaiter readable(std::chrono::steady_clock::time_point deadline) noexcept { return {*this, Direction::read, deadline}; }
    Awaiter writable(std::chrono::steady_clock::time_point deadline) noexcept { return {*this, Direction::write, deadline}; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::models::coroutines
