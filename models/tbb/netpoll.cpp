#include "models/tbb/netpoll.hpp"

#include "models/poller_thread.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <oneapi/tbb/task.h>

namespace conclab::models::tbb {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

struct Netpoller::Impl {
    PollerThread poller;
};

struct Netpoller::Watch::Impl {
    asio::io_context& context;
    int fd;
    asio::posix::stream_descriptor descriptor;
    asio::steady_timer timer;
    // One wait at a time, touched by the poller thread only while the task is suspended.
    int pending = 0;
    bool ready = false;

    Impl(asio::io_context& context, int fd) : context{context}, fd{fd}, descriptor{context, fd}, timer{context} {}
    ~Impl() { descriptor.release(); }  // the descriptor is the caller's to close

    bool wait(wait_type type, std::chrono::steady_clock::time_point deadline) {
        if (ready_now(fd, type)) return true;  // ready already: no suspension
        oneapi::tbb::task::suspend([&](oneapi::tbb::task::suspend_point task) {
            // Everything on the descriptor and the timer happens on the poller
            // thread; the task is resumed when both the wait and the timer
            // have completed, so nothing is left pending on either.
            asio::post(context, [this, task, type, deadline] {
                pending = 2;
                ready = false;
                auto const finished = [this, task](bool is_ready) {
                    if (is_ready) ready = true;
                    if (--pending == 0) oneapi::tbb::task::resume(task);
                };
                descriptor.async_wait(type, [this, finished](error_code error) {
                    bool const woke = !error || error != asio::error::operation_aborted;
                    if (woke) timer.cancel();
                    finished(woke || ready);
                });
                timer.expires_at(deadline);
                timer.async_wait([this, finished](error_code error) {
                    if (!error) {
                        error_code ignored;
                        descriptor.cancel(ignored);
                    }
                    finished(false);
                });
                // readiness from before the wait was registered brings no edge: look once more
                if (ready_now(fd, type)) {
                    ready = true;
                    error_code ignored;
                    descriptor.cancel(ignored);
                    timer.cancel();
                }
            });
        });
        return ready;
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

}  // namespace conclab::models::tbb
