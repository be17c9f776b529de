// The scheduler of the variant fibers/shared-queue, the fibers model's
// first design: one ready queue shared by every thread of a pool (work
// sharing, like Go's global run queue), and idle threads that sleep on a
// condition variable instead of spinning.
//
// Why not boost::fibers::algo::work_stealing or shared_work: both keep their
// queues in static members, so a process can hold only one pool, and a
// second pool with another thread count crashes. Tests build many pools with
// 1 and 2 threads in one process; the runner may too. This algorithm keeps
// its state in a PoolQueue that the pool owns.
#pragma once

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace conclab::models::fibers {

/// The state shared by all threads of one pool: the ready fibers that any
/// thread may run, and the condition variable idle threads sleep on.
struct PoolQueue {
    std::mutex mutex;
    std::condition_variable wakeup;
    std::deque<boost::fibers::context*> ready;
    std::size_t sleepers = 0;
};

/// One instance per pool thread (Boost.Fiber installs one per thread).
class PoolAlgorithm final : public boost::fibers::algo::algorithm {
public:
    explicit PoolAlgorithm(PoolQueue& queue) noexcept : queue_{queue} {}
    PoolAlgorithm(PoolAlgorithm const&) = delete;
    PoolAlgorithm& operator=(PoolAlgorithm const&) = delete;

    /// A fiber became ready: pinned ones (the thread's main and dispatcher
    /// contexts) stay local; all others go to the pool-wide queue.
    void awakened(boost::fibers::context* ctx) noexcept override;
    /// The next fiber for this thread: shared queue first, then local.
    boost::fibers::context* pick_next() noexcept override;
    bool has_ready_fibers() const noexcept override;
    /// Nothing to run: sleep until work arrives, notify() or the deadline.
    void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override;
    /// Another thread made one of this thread's fibers ready: wake this thread.
    void notify() noexcept override;

private:
    PoolQueue& queue_;
    boost::fibers::scheduler::ready_queue_type local_{};
    bool notified_ = false;  // guarded by queue_.mutex
};

}  // namespace conclab::models::fibers
