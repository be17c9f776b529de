// A netpoller (Go's netpoll), declared once for the models that wait on
// sockets through one: a task that must wait for a descriptor registers the
// wait with one Asio io_context on a thread of its own, and is suspended
// (not its thread) until the descriptor is ready or its deadline passes.
// The socket calls themselves (recv, send) run on the task's own thread, as
// a goroutine's do; only readiness comes from the poller.
//
// How a task is suspended is the model's: `Waiting` (models/fibers/
// netpoll.hpp: a fiber waits on a future; models/tbb/netpoll.hpp: a TBB task
// suspends itself). The shared part is models/netpoll_impl.hpp; each model's
// netpoll.cpp defines its Waiting and instantiates the class. Asio stays out
// of this header.
#pragma once

#include <chrono>
#include <memory>

namespace conclab::models {

template <class Waiting>
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
        /// deadline passed.
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

}  // namespace conclab::models
