#include "models/coroutines/netpoll.hpp"

#include "models/netpoll_impl.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace conclab::models::coroutines {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

struct Watch::Impl {
    Scheduler& scheduler;
    int fd;
    asio::strand<asio::io_context::executor_type> strand;
    asio::posix::stream_descriptor descriptor;
    asio::steady_timer timer;

    Impl(Scheduler& s, int fd)
        : scheduler{s}, fd{fd}, strand{asio::make_strand(s.io())}, descriptor{strand, fd}, timer{strand} {}
    ~Impl() { descriptor.release(); }  // the descriptor is the caller's to close

    /// One of the two waits has finished; the second resumes the task.
    void finished(Awaiter& a) {
        if (a.pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) scheduler.schedule(a.handle_);
    }

    /// On the strand: both waits, then one more look (Asio's epoll is
    /// edge-triggered: readiness from before the wait brings no edge).
    void start(Awaiter& a) {
        auto const type = a.direction_ == Direction::read ? wait_type::wait_read : wait_type::wait_write;
        descriptor.async_wait(type, [this, &a](error_code error) {
            if (!error) {
                a.ready_ = true;
                timer.cancel();
            }
            finished(a);
        });
        timer.expires_at(a.deadline_);
        timer.async_wait([this, &a](error_code error) {
            if (!error) {
                error_code ignored;
                descriptor.cancel(ignored);  // the deadline passed
            }
            finished(a);
        });
        if (ready_now(fd, type)) {
            a.ready_ = true;
            error_code ignored;
            descriptor.cancel(ignored);
            timer.cancel();
        }
    }
};

Watch::Watch(Executor executor, int fd) : impl_{std::make_unique<Impl>(executor.scheduler(), fd)} {}
Watch::~Watch() = default;

void Watch::Awaiter::await_suspend(std::coroutine_handle<> handle) {
    handle_ = handle;
    asio::post(watch_.impl_->strand, [impl = watch_.impl_.get(), this] { impl->start(*this); });
}

}  // namespace conclab::models::coroutines
