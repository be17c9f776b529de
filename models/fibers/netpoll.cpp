#include "models/fibers/netpoll.hpp"

#include "models/netpoll_impl.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/fiber/future/future.hpp>
#include <boost/fiber/future/promise.hpp>

namespace conclab::models::fibers {
namespace asio = boost::asio;
using boost::system::error_code;
using wait_type = asio::posix::descriptor_base::wait_type;

// A fiber waits on a future that the wait's completion handler fulfils.
struct FiberSocketWait {
    asio::posix::stream_descriptor& descriptor;
    int fd;

    FiberSocketWait(asio::io_context&, asio::posix::stream_descriptor& d, int f) : descriptor{d}, fd{f} {}

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

}  // namespace conclab::models::fibers

template class conclab::models::Netpoller<conclab::models::fibers::FiberSocketWait>;
