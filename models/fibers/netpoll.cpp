#include "models/fibers/netpoll.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/fiber/future/future.hpp>
#include <boost/fiber/future/promise.hpp>

#include <thread>

#include <poll.h>

namespace conclab::models::fibers {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

struct Netpoller::Impl {
    asio::io_context context;
    asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
    std::thread thread{[this] { context.run(); }};
};

struct Netpoller::Watch::Impl {
    int fd;
    asio::posix::stream_descriptor descriptor;

    Impl(asio::io_context& context, int fd) : fd{fd}, descriptor{context, fd} {}
    ~Impl() { descriptor.release(); }  // the descriptor is the caller's to close

    bool wait(wait_type type, std::chrono::steady_clock::time_point deadline) {
        // The handler owns the promise: a promise on this fiber's stack could
        // be gone by the time a cancelled wait completes.
        boost::fibers::promise<error_code> promise;
        auto future = promise.get_future();
        descriptor.async_wait(type, [promise = std::move(promise)](error_code error) mutable { promise.set_value(error); });
        // Asio's epoll is edge-triggered: readiness that came before the wait
        // was registered brings no new edge. Looking once more after
        // registering closes that window.
        pollfd p{fd, static_cast<short>(type == wait_type::wait_read ? POLLIN : POLLOUT), 0};
        bool const ready_now = ::poll(&p, 1, 0) > 0;
        if (ready_now || future.wait_until(deadline) == boost::fibers::future_status::timeout) {
            error_code ignored;
            descriptor.cancel(ignored);
            future.wait();  // the handler has run: nothing is left pending on the descriptor
            return ready_now;
        }
        return true;  // ready, or an error the next socket call reports
    }
};

Netpoller::Netpoller() : impl_{std::make_unique<Impl>()} {}

Netpoller::~Netpoller() {
    impl_->work.reset();
    impl_->context.stop();
    impl_->thread.join();
}

std::unique_ptr<Netpoller::Watch> Netpoller::watch(int fd) {
    return std::unique_ptr<Watch>{new Watch{std::make_unique<Watch::Impl>(impl_->context, fd)}};
}

Netpoller::Watch::Watch(std::unique_ptr<Impl> impl) : impl_{std::move(impl)} {}
Netpoller::Watch::~Watch() = default;

bool Netpoller::Watch::readable(std::chrono::steady_clock::time_point deadline) {
    return impl_->wait(wait_type::wait_read, deadline);
}

bool Netpoller::Watch::writable(std::chrono::steady_clock::time_point deadline) {
    return impl_->wait(wait_type::wait_write, deadline);
}

}  // namespace conclab::models::fibers
