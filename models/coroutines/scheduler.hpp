// The coroutines model's executor: what runs a ready coroutine, and where.
//
// The default design is Tokio's multi-threaded scheduler
// (tokio/src/runtime/scheduler/multi_thread/), written for C++ coroutines:
//
// - every worker thread has a 256-slot run queue of its own, lock-free:
//   the owner pushes with one store, thieves claim half of it with one
//   compare-and-swap (Tokio's queue.rs); a full queue moves half of itself
//   to a shared inject queue;
// - a LIFO slot: the coroutine made ready by the running one (a channel
//   hand-off, a spawn) runs next on the same thread, while what it touched
//   is still in cache; the slot is not stolen;
// - a cooperative budget (Tokio's coop): a chain of coroutines run back to
//   back through the LIFO slot, and a coroutine whose channel operations
//   never wait, get 128 operations, then give way to the queue;
// - idle workers: at most half of them search (steal) at once; new work
//   wakes a parked worker only when none is searching, and a searcher that
//   finds work wakes the next one (Tokio's idle.rs, Go's wakep);
// - timers are the scheduler's own (timers.hpp): a timer queue per worker
//   (Go's heap per P, Tokio's wheel per worker), looked at by its worker
//   at every task and by idle workers before they steal; one timerfd,
//   armed for the earliest deadline of them all, wakes the I/O driver;
// - sockets (and Asio's own timers) stay Asio's (its reactor in an
//   io_context), driven as Tokio drives its I/O: one parked worker at a
//   time waits in epoll instead of on its futex, and runs the completions
//   into its own queue; a busy worker polls it every 61st task.
//
// The variant `coroutines/io-context` is the first design: every ready
// coroutine goes through one io_context (one locked queue for all threads),
// which also runs the timers and sockets.
//
// Asio stays out of this header (the schedulers are built in .cpp files).
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace conclab::models::coroutines {

/// Work that is not a coroutine: an Asio completion handler, type-erased.
/// A scheduler either runs it (run_and_free) or, when it shuts down with
/// the job still queued, frees it unrun (free), as an io_context destroys
/// the handlers it never ran.
struct Job {
    void (*run_and_free)(Job*) noexcept;
    void (*free)(Job*) noexcept;
};

/// What a scheduler queues: a coroutine to resume or a Job, in one word
/// (both are at least 2-aligned, so the low bit tells them apart).
class Runnable {
public:
    Runnable() noexcept = default;
    static Runnable of(std::coroutine_handle<> handle) noexcept {
        return Runnable{reinterpret_cast<std::uintptr_t>(handle.address())};
    }
    static Runnable of(Job* job) noexcept { return Runnable{reinterpret_cast<std::uintptr_t>(job) | 1U}; }
    static Runnable from_bits(std::uintptr_t bits) noexcept { return Runnable{bits}; }

    explicit operator bool() const noexcept { return bits_ != 0; }
    std::uintptr_t bits() const noexcept { return bits_; }
    void run() const noexcept {
        if (bits_ & 1U) {
            auto* job = reinterpret_cast<Job*>(bits_ & ~std::uintptr_t{1});
            job->run_and_free(job);
        } else {
            std::coroutine_handle<>::from_address(reinterpret_cast<void*>(bits_)).resume();
        }
    }
    /// At shutdown, for what never ran: a Job is freed; a coroutine is left
    /// alone (its frame belongs to its task or to the one awaiting it).
    void discard() const noexcept {
        if (bits_ & 1U) {
            auto* job = reinterpret_cast<Job*>(bits_ & ~std::uintptr_t{1});
            job->free(job);
        }
    }

private:
    explicit Runnable(std::uintptr_t bits) noexcept : bits_{bits} {}
    std::uintptr_t bits_ = 0;
};

/// Tokio's cooperative budget, per thread: a scheduler grants it before it
/// runs a task, channel operations spend it, and an operation that finds it
/// spent gives way (suspends and queues its coroutine behind the others).
class Budget {
public:
    static constexpr unsigned per_task = 128;
    static void grant() noexcept { left_ = per_task; }
    /// Spends one unit; false when none was left.
    static bool spend() noexcept {
        if (left_ == 0) return false;
        --left_;
        return true;
    }
    static bool left() noexcept { return left_ != 0; }

private:
    static thread_local unsigned left_;
};

/// Which channels the coroutines of a runtime make (channel.hpp): the
/// default's, or a variant's. A runtime's, not the process's: it travels
/// with the scheduler that every channel is made with.
enum class ChannelDesign { array, go, asio };

class Scheduler {
public:
    virtual ~Scheduler() = default;

    ChannelDesign channel_design() const noexcept { return channel_design_; }
    void set_channel_design(ChannelDesign design) noexcept { channel_design_ = design; }

    /// A coroutine became ready (spawned, or woken by the running code).
    /// From one of this scheduler's threads it runs next there (LIFO slot);
    /// from elsewhere it goes to the inject queue.
    virtual void schedule(std::coroutine_handle<> handle) noexcept = 0;
    /// The running coroutine gives way: queued behind what is ready.
    virtual void yield(std::coroutine_handle<> handle) noexcept = 0;
    /// Runs `job` on one of the threads (an Asio completion).
    virtual void submit(Job* job) noexcept = 0;
    /// A job that resumes a coroutine became ready (a channel waiter woken
    /// to try again): like schedule(), it runs next on this thread.
    virtual void schedule(Job* job) noexcept = 0;
    /// `handle` resumes on one of the threads once `deadline` (nanoseconds
    /// of std::chrono::steady_clock) has passed (Tokio's `sleep_until`).
    virtual void sleep_until(std::int64_t deadline, std::coroutine_handle<> handle) = 0;
    /// Where timers and sockets live (Asio's services and reactor).
    virtual boost::asio::io_context& io() noexcept = 0;
    virtual unsigned threads() const noexcept = 0;

private:
    ChannelDesign channel_design_ = ChannelDesign::array;
};

/// Tokio's design (above) on `threads` worker threads. Every deadline is
/// rounded up to a multiple of `tick` from the scheduler's start: zero (the
/// default) wakes a sleeper as soon as it is due; the variant
/// `coroutines/ms-timers` has Tokio's 1 ms (its timer wheel's resolution).
std::unique_ptr<Scheduler> make_stealing_scheduler(unsigned threads,
                                                   std::chrono::nanoseconds tick = std::chrono::nanoseconds{0});
/// The variant `coroutines/io-context`: one io_context run by `threads` threads.
std::unique_ptr<Scheduler> make_io_context_scheduler(unsigned threads);

}  // namespace conclab::models::coroutines
