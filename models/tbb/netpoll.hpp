// A netpoller for the tbb model, which has none (neither has Rayon): a task
// that must wait for a socket suspends itself (tbb::task::suspend), which
// frees its thread for other tasks, and one Asio io_context thread resumes
// it when the socket is ready or its deadline passes. What Go's netpoll
// does for goroutines, for TBB tasks; the url-fetch variant tbb/suspend is
// built on it. Like the Timer, a suspended task keeps a stack of its own.
// Asio stays behind the pimpl.
#pragma once

#include <chrono>
#include <memory>

namespace conclab::models::tbb {

class Netpoller {
public:
    /// Starts the poller thread; it sleeps in epoll while nothing is ready.
    Netpoller();
    /// Stops and joins it. Every Watch must be gone by then.
    ~Netpoller();
    Netpoller(Netpoller const&) = delete;
    Netpoller& operator=(Netpoller const&) = delete;

    /// Waits on one non-blocking descriptor, for one task at a time. The
    /// descriptor stays the caller's: close it after the Watch is gone.
    class Watch {
    public:
        ~Watch();
        Watch(Watch const&) = delete;
        Watch& operator=(Watch const&) = delete;
        /// Suspends the calling task (not its thread) until the descriptor
        /// is readable (writable) or `deadline` passes; false when the
        /// deadline passed. Only from a task running in a task_arena.
        bool readable(std::chrono::steady_clock::time_point deadline);
        bool writable(std::chrono::steady_clock::time_point deadline);

    private:
        friend class Netpoller;
        struct Impl;
        explicit Watch(std::unique_ptr<Impl> impl);
        std::unique_ptr<Impl> impl_;
    };

    std::unique_ptr<Watch> watch(int fd);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace conclab::models::tbb
