// The fibers model's runtime: T OS threads that run fibers M:N with the
// PoolAlgorithm scheduler (Go's GOMAXPROCS=T).
#pragma once

#include "models/fibers/netpoll.hpp"
#include "models/fibers/pool_algorithm.hpp"
#include "models/runtime_options.hpp"
#include "models/task_tracker.hpp"

#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/fiber.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::fibers {

class Runtime {
public:
    /// Boost.Fiber's default stack: 128 KiB from malloc, no guard page.
    static constexpr std::size_t default_stack_bytes = 128 * 1024;

    /// Starts `threads` scheduler threads; they sleep while there is no work.
    /// Every fiber gets a `stack_bytes` stack (MallocStack: malloc'd, no
    /// guard page, so a deeper stack overruns silently; the size is the
    /// trade-off idle-tasks measures, docs/models.md). The scheduler threads
    /// take signals on an alternate stack, so a stack needs only what the
    /// fibers' code needs on any CPU; smaller than minimum_stack_kib() is
    /// refused with std::invalid_argument saying why (models/fibers/stack.hpp).
    explicit Runtime(unsigned threads, std::size_t stack_bytes = default_stack_bytes);
    /// The same from a case's options. Designs: "" (malloc'd stacks) and
    /// "guard-pages" (each stack mmap'd below a guard page: an overflow
    /// faults instead of corrupting memory; two kernel mappings per fiber).
    explicit Runtime(RuntimeOptions const& options);
    /// Stops and joins the scheduler threads. Every block_on has returned,
    /// so no fiber is left blocked.
    ~Runtime();
    Runtime(Runtime const&) = delete;
    Runtime& operator=(Runtime const&) = delete;

    unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }
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
        launch([this, task = std::forward<F>(task)]() mutable {
            std::exception_ptr error;
            try {
                task();
            } catch (...) {
                error = std::current_exception();
            }
            tracker_.finished(error);
        });
    }

    /// Runs `task` in a fiber and blocks the calling OS thread until it and
    /// every fiber spawned under it have finished; rethrows their first error.
    template <class F>
    void block_on(F&& task) {
        spawn(std::forward<F>(task));
        tracker_.wait();
    }

private:
    void launch(std::function<void()> fn);
    void make_fiber(std::function<void()> fn) const;
    void thread_main();
    void start(unsigned threads);

    std::size_t stack_bytes_;
    bool guard_pages_ = false;
    std::once_flag netpoller_started_;
    std::unique_ptr<Netpoller> netpoller_;
    PoolQueue queue_;
    TaskTracker tracker_;
    // Tasks handed in from threads outside the pool; every pool thread's
    // main context waits on it, so the pool's threads idle in the scheduler.
    boost::fibers::buffered_channel<std::function<void()>> inbox_{64};
    std::vector<std::thread> threads_;
};

}  // namespace conclab::models::fibers
