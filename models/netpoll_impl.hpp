// The netpoller's shared part (models/netpoll.hpp): Asio's io_context on a
// thread of its own, the look at a descriptor's readiness that a wait makes
// after registering, and Netpoller's members, which each model's
// netpoll.cpp instantiates with its Waiting. Included by .cpp files only:
// Asio stays out of every other header.
#pragma once

#include "models/netpoll.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/descriptor_base.hpp>

#include <chrono>
#include <memory>
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

/// Netpoller<Waiting>'s members. `Waiting` is built from the poller's
/// io_context, the watched descriptor and its number, and has
/// `bool wait(wait_type, deadline)`: suspend the calling task until the
/// descriptor is ready (true) or the deadline passed (false), leaving
/// nothing pending on the descriptor.
template <class Waiting>
struct Netpoller<Waiting>::Impl {
    PollerThread poller;
};

template <class Waiting>
struct Netpoller<Waiting>::Watch::Impl {
    boost::asio::posix::stream_descriptor descriptor;
    Waiting waiting;

    Impl(boost::asio::io_context& context, int fd) : descriptor{context, fd}, waiting{context, descriptor, fd} {}
    ~Impl() { descriptor.release(); }  // the descriptor is the caller's to close
};

template <class Waiting>
Netpoller<Waiting>::Netpoller() : impl_{std::make_unique<Impl>()} {}

template <class Waiting>
Netpoller<Waiting>::~Netpoller() = default;  // the poller thread stops and is joined

template <class Waiting>
std::unique_ptr<typename Netpoller<Waiting>::Watch> Netpoller<Waiting>::watch(int fd) {
    return std::unique_ptr<Watch>{new Watch{std::make_unique<typename Watch::Impl>(impl_->poller.context(), fd)}};
}

template <class Waiting>
Netpoller<Waiting>::Watch::Watch(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}

template <class Waiting>
Netpoller<Waiting>::Watch::~Watch() = default;

template <class Waiting>
bool Netpoller<Waiting>::Watch::readable(std::chrono::steady_clock::time_point deadline) {
    return impl_->waiting.wait(boost::asio::posix::descriptor_base::wait_read, deadline);
}

template <class Waiting>
bool Netpoller<Waiting>::Watch::writable(std::chrono::steady_clock::time_point deadline) {
    return impl_->waiting.wait(boost::asio::posix::descriptor_base::wait_write, deadline);
}

}  // namespace conclab::models
