#include "models/fibers/netpoll.hpp"

#include "models/poller_thread.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/fiber/future/future.hpp>
#include <boost/fiber/future/promise.hpp>

namespace conclab::models::fibers {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

struct Netpoller::Impl {
    PollerThread poller;
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
        // readiness from before the wait was registered brings no edge: look once more
        bool const ready = ready_now(fd, type);
        if (ready || future.wait_until(deadline) == boost::fibers::future_status::timeout) {
            error_code ignored;
            descriptor.cancel(ignored);
            future.wait();  // the handler has run: nothing is left pending on the descriptor
            return ready;
        }
        return true;  // ready, or an error the next socket call reports
    }
};

Netpoller::Netpoller() : impl_{std::make_unique<Impl>()} {}

Netpoller::~Netpoller() = default;  // the poller thread stops and is joined

std::unique_ptr<Netpoller::Watch> Netpoller::watch(int fd) {
    return std::unique_ptr<Watch>{new Watch{std::make_unique<Watch::Impl>(impl_->poller.context(), fd)}};
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
