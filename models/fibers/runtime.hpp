// The fibers model's runtime: T OS threads that run fibers M:N (Go's
// GOMAXPROCS=T), scheduled as Go schedules goroutines (per-thread run
// queues, a runnext slot, work stealing, spinning before sleeping:
// scheduler.hpp), each fiber on a stack from a cache (stack.hpp).
#pragma once

#include "models/fibers/netpoll.hpp"
#include "models/fibers/scheduler.hpp"
#include "models/fibers/shared_queue.hpp"
#include "models/fibers/stack.hpp"
#include "models/runtime_options.hpp"
#include "models/task_tracker.hpp"

#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/fiber.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::fibers {

/// How the channels made for a runtime are built (channel.hpp): the
/// array channel, or Boost.Fiber's (the variant fibers/boost-channels).
enum class ChannelDesign { array, boost };

/// The runtime's designs: the default, and the variants that keep an older
/// or simpler design to show its cost (docs/models.md#variants).
enum class Design { standard, shared_queue, unbounded_queues, boost_channels, fresh_stacks, guard_pages };
inline constexpr std::array designs{
    DesignVariant<Design>{Design::shared_queue, "shared-queue",
                          "one mutex-guarded ready queue for the whole pool and idle threads on one condition variable, "
                          "instead of per-thread queues with a runnext slot, work stealing and spinning before sleeping "
                          "(Go's scheduler)"},
    DesignVariant<Design>{Design::unbounded_queues, "unbounded-queues",
                          "each thread's run queue is an unbounded FIFO instead of holding 256 fibers and sending its "
                          "older half to a global queue when a running fiber makes more (Go's runq): a tree of tasks is "
                          "expanded breadth first, most of it alive at once"},
    DesignVariant<Design>{Design::boost_channels, "boost-channels",
                          "Boost.Fiber's buffered_channel and unbuffered_channel (a spinlock taken by every operation, "
                          "capacity rounded up to 2^k - 1) instead of a crossbeam-style array channel"},
    DesignVariant<Design>{Design::fresh_stacks, "fresh-stacks",
                          "a new malloc'd stack for every fiber, freed when it ends, instead of stacks reused from "
                          "per-thread caches"},
    DesignVariant<Design>{Design::guard_pages, "guard-pages",
                          "each fiber stack mmap'd below a guard page (Boost's protected_fixedsize_stack): an overflow "
                          "faults instead of corrupting memory, at two kernel mappings per fiber"},
};

class Runtime {
public:
    /// Boost.Fiber's default stack: 128 KiB from malloc, no guard page.
    static constexpr std::size_t default_stack_bytes = fibers::default_stack_bytes;

    /// Starts `threads` scheduler threads; they sleep while there is no work.
    /// Every fiber gets a `stack_bytes` stack (CachedStack: malloc'd and
    /// reused, no guard page, so a deeper stack overruns silently; the size
    /// is the trade-off idle-tasks measures, docs/models.md). The scheduler threads
    /// take signals on an alternate stack, so a stack needs only what the
    /// fibers' code needs on any CPU; smaller than minimum_stack_kib() is
    /// refused with std::invalid_argument saying why (models/fibers/stack.hpp).
    explicit Runtime(unsigned threads, std::size_t stack_bytes = default_stack_bytes);
    /// The same from a case's options: its design is one of `designs`
    /// above, by token ("" for the default).
    explicit Runtime(RuntimeOptions const& options);
    /// Stops and joins the scheduler threads. Every block_on has returned,
    /// so no fiber is left blocked.
    ~Runtime();
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }
    /// The design of the channels made for this runtime's fibers.
    ChannelDesign channel_design() const noexcept { return channel_design_; }
    std::size_t stack_bytes() const noexcept { return stack_bytes_; }

    /// The runtime's netpoller (Go's netpoll), started on first use: fibers
    /// wait on sockets through it without blocking their thread.
    Netpoller& netpoller();

    /// Starts `task` as a new detached fiber (Go's `go f()`). From a fiber of
    /// this runtime it is created on the current thread and may be run by
    /// any thread of the pool; from any other thread it is handed over.
    template <class F>
    void spawn(F&& task) {
        tracker_.started();
        auto body = [this, task = std::forward<F>(task)]() mutable {
            std::exception_ptr error;
            try {
                task();
            } catch (...) {
                error = std::current_exception();
            }
            tracker_.finished(error);
        };
        if (current_ == this) {
            make_fiber(std::move(body));  // the closure lives in the fiber's stack: no allocation of its own
        } else {
            // A thread outside the pool never waits as a fiber: a full inbox
            // is tried again. (A blocking push would give this thread a
            // Boost.Fiber scheduler of its own, and the pool thread that
            // frees a slot would wake it through that scheduler, which may
            // be gone with its thread by then: the hazard ~Runtime orders
            // the netpoller's thread around. cache-service's arrivals are
            // such a thread, started for each run.)
            std::function<void()> fn{std::move(body)};
            while (inbox_.try_push(std::move(fn)) == boost::fibers::channel_op_status::full) std::this_thread::yield();
        }
    }

    /// Runs `task` in a fiber and blocks the calling OS thread until it and
    /// every fiber spawned under it have finished; rethrows their first error.
    template <class F>
    void block_on(F&& task) {
        spawn(std::forward<F>(task));
        tracker_.wait();
    }

private:
    enum class Stacks { cached, fresh, guarded };

    template <class Fn>
    void make_fiber(Fn&& fn) const {
        auto const bytes = stack_bytes_ + build_stack_headroom();
        switch (stacks_) {
        case Stacks::cached:
            boost::fibers::fiber{std::allocator_arg, CachedStack{bytes}, std::forward<Fn>(fn)}.detach();
            break;
        case Stacks::fresh:
            boost::fibers::fiber{std::allocator_arg, MallocStack{bytes}, std::forward<Fn>(fn)}.detach();
            break;
        case Stacks::guarded:
            make_guarded_fiber(std::function<void()>{std::forward<Fn>(fn)}, bytes);
            break;
        }
    }
    static void make_guarded_fiber(std::function<void()> fn, std::size_t bytes);
    void thread_main(unsigned index);
    void start(unsigned threads);

    // the runtime whose pool the calling thread belongs to, if any
    static inline thread_local Runtime const* current_ = nullptr;

    std::size_t stack_bytes_;
    ChannelDesign channel_design_ = ChannelDesign::array;
    Stacks stacks_ = Stacks::cached;
    std::once_flag netpoller_started_;
    std::unique_ptr<Netpoller> netpoller_;
    std::size_t local_capacity_ = StealingPool::go_local_capacity;  // unbounded in fibers/unbounded-queues
    std::unique_ptr<StealingPool> stealing_;  // the default scheduler's state
    std::unique_ptr<PoolQueue> shared_;       // or the shared-queue variant's
    TaskTracker tracker_;
    // Tasks handed in from threads outside the pool; every pool thread's
    // main context waits on it, so the pool's threads idle in the scheduler.
    boost::fibers::buffered_channel<std::function<void()>> inbox_{64};
    std::vector<std::thread> threads_;
};

}  // namespace conclab::models::fibers
