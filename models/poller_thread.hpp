// What the two netpollers (models/fibers/netpoll.cpp, models/tbb/netpoll.cpp)
// share: Asio's io_context on a thread of its own, and the look at a
// descriptor's readiness that each makes after registering a wait. Included
// by those two .cpp files only: Asio stays out of every other header.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/descriptor_base.hpp>

#include <thread>

#include <poll.h>

namespace conclab::models {

/// An io_context that runs on its own thread, sleeping in epoll while
/// nothing is ready, until the PollerThread is destroyed (stopped, joined).
class PollerThread {
public:
    PollerThread() : thread_{[this] { context_.run(); }} {}
    ~PollerThread() {
        work_.reset();
        context_.stop();
        thread_.join();
    }
    PollerThread(PollerThread const&) = delete;
    PollerThread& operator=(PollerThread const&) = delete;

    boost::asio::io_context& context() noexcept { return context_; }

private:
    boost::asio::io_context context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{context_.get_executor()};
    std::thread thread_;
};

/// Whether `fd` is readable (wait_read) or writable now. Asio's epoll is
/// edge-triggered: readiness that came before a wait was registered brings
/// no new edge, so a netpoller looks once more after registering.
inline bool ready_now(int fd, boost::asio::posix::descriptor_base::wait_type type) {
    pollfd p{fd, static_cast<short>(type == boost::asio::posix::descriptor_base::wait_read ? POLLIN : POLLOUT), 0};
    return ::poll(&p, 1, 0) > 0;
}

}  // namespace conclab::models
