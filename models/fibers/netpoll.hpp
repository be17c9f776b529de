// The fibers model's netpoller (Go's netpoll): one Asio io_context on its
// own thread watches sockets. A fiber that must wait for a socket registers
// an async_wait whose completion handler fulfils a fiber promise, and waits
// on the future: the fiber is suspended, its scheduler thread runs other
// fibers. The socket calls themselves (recv, send) run on the fiber's own
// thread, as a goroutine's do; only readiness comes from the poller.
// Asio stays behind the pimpl.
#pragma once

#include <chrono>
#include <memory>

namespace conclab::models::fibers {

class Netpoller {
public:
    /// Starts the poller thread; it sleeps in epoll while nothing is ready.
    Netpoller();
    /// Stops and joins it. Every Watch must be gone by then.
    ~Netpoller();
    Netpoller(Netpoller const&) = delete;
    Netpoller& operator=(Netpoller const&) = delete;

    /// Waits on one non-blocking descriptor; used by one fiber at a time.
    /// The descriptor stays the caller's: close it after the Watch is gone.
    class Watch {
    public:
        ~Watch();
        Watch(Watch const&) = delete;
        Watch& operator=(Watch const&) = delete;
        /// Suspends the calling fiber until the descriptor is readable
        /// (writable) or `deadline` passes; false when the deadline passed.
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

}  // namespace conclab::models::fibers
