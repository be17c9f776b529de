#include "models/tbb/netpoll.hpp"

#include "models/netpoll_impl.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <oneapi/tbb/task.h>

namespace conclab::models::tbb {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

// A task suspends itself; the poller thread resumes it once both its wait
// and its deadline's timer have completed.
struct TaskSocketWait {
    asio::io_context& context;
    asio::posix::stream_descriptor& descriptor;
    int fd;
    asio::steady_timer timer;
    // One wait at a time, touched by the poller thread only while the task is suspended.
    int pending = 0;
    bool ready = false;

    TaskSocketWait(asio::io_context& c, asio::posix::stream_descriptor& d, int f) : context{c}, descriptor{d}, fd{f}, timer{c} {}

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

}  // namespace conclab::models::tbb

template class conclab::models::Netpoller<conclab::models::tbb::TaskSocketWait>;
