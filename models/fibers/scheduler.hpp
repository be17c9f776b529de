// The fibers model's scheduler, designed after Go's (runtime/proc.go):
//
// - every thread of a pool has a run queue of its own, and a `runnext` slot:
//   a fiber made ready by the running one (a channel hand-off, a spawn)
//   runs next on the same thread, while what it touched is still in cache;
// - a thread's queue holds 256 fibers; when a fiber it runs makes one more
//   ready (a spawn, a hand-off), the queue's older half goes to the pool's
//   global queue, which a thread looks at every 61st pick or when its own
//   queue is empty: a thread runs the fibers it made last first (depth
//   first through a tree of tasks, few of them alive at once) and the older
//   ones still get their turn. Wake-ups the dispatcher brings in (timers,
//   other threads) never spill: they come in the order they fell due. The
//   unbounded FIFO queues of the first design are the variant
//   `fibers/unbounded-queues`;
// - a thread out of work steals half of another thread's queue;
// - a thread out of work first spins for a short while looking for work
//   (at most half the pool at once, and at least one), and only then
//   sleeps; new work wakes a sleeper only when no thread is spinning, so
//   a busy pool does no futex calls.
//
// Boost.Fiber's extension point is the scheduling algorithm: one instance
// per thread (StealingAlgorithm), sharing a StealingPool that the runtime
// owns. Boost's own work_stealing keeps its queues in static members (one
// pool per process), and spins without sleeping. The old design, one
// mutex-guarded queue for the whole pool, is the variant
// `fibers/shared-queue` (shared_queue.hpp).
#pragma once

#include "models/spin_lock.hpp"

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace conclab::models::fibers {

class StealingAlgorithm;

/// The state shared by all threads of one pool: every thread's run queue
/// (owned here, so a thief never touches a thread that has left), the
/// spinning and sleeping threads.
class StealingPool {
public:
    /// Go's run queue holds 256 fibers.
    static constexpr std::size_t go_local_capacity = 256;
    /// A queue that never spills: the variant `fibers/unbounded-queues`.
    static constexpr std::size_t unbounded = SIZE_MAX;

    /// `local_capacity`: fibers a thread's own queue holds before its older
    /// half goes to the global queue.
    explicit StealingPool(unsigned threads, std::size_t local_capacity = go_local_capacity);
    StealingPool(StealingPool const&) = delete;
    StealingPool& operator=(StealingPool const&) = delete;

    unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()); }
    /// The CPUs this process may run on (its affinity mask), read once.
    unsigned cpus() const noexcept { return cpus_; }

    std::size_t local_capacity() const noexcept { return local_capacity_; }

private:
    friend class StealingAlgorithm;

    // A FIFO of fibers: a ring of power-of-two size that doubles when full
    // (rare). Its user holds the lock that guards it. Plain pointer moves
    // in small frames: it runs on fibers' stacks, which are small.
    struct FiberRing {
        std::vector<boost::fibers::context*> slots = std::vector<boost::fibers::context*>(256);
        std::size_t head = 0;
        std::size_t count = 0;
        void push_back(boost::fibers::context* ctx);
        boost::fibers::context* pop_front() noexcept;
        /// Moves the `n` oldest fibers (at most all) to the back of `out`.
        void pop_front_into(std::vector<boost::fibers::context*>& out, std::size_t n);
    };

    // One thread's run queue and its sleep, on cache lines of its own.
    struct alignas(64) Worker {
        SpinLock lock;  // held for a few pointer moves, almost never contended
        boost::fibers::context* runnext = nullptr;  // guarded by lock
        FiberRing queue;                            // guarded by lock
        std::atomic<std::size_t> visible{0};        // queue.count + (runnext != nullptr): for looks without the lock

        std::atomic<bool> notified{false};   // look again: a wake-up, or work for this thread
        std::atomic<bool> sleeping{false};
        std::atomic<bool> handed_spin{false};  // woken for new work, counted as spinning
        std::mutex sleep_mutex;
        std::condition_variable wakeup;

        void push_back_locked(boost::fibers::context* ctx) { queue.push_back(ctx); }
        boost::fibers::context* pop_front_locked() noexcept { return queue.pop_front(); }
        void publish_locked() noexcept { visible.store(queue.count + (runnext != nullptr ? 1 : 0), std::memory_order_relaxed); }
        /// Moves about half of the queue into `out`.
        void give_half(std::vector<boost::fibers::context*>& out);
        boost::fibers::context* runnext_now();
        /// The runnext fiber, if it is still `expected`.
        boost::fibers::context* give_runnext(boost::fibers::context* expected);
        /// Makes the thread look again, waking it if it sleeps.
        void wake() noexcept;
    };

    /// New work was queued: wake a sleeping thread unless one is spinning
    /// (Go's wakep). The woken thread counts as spinning until it finds work.
    void work_arrived() noexcept;
    /// Whether any thread's queue holds a fiber (loads only: a hint).
    bool work_visible() const noexcept;
    void forget_sleeper(Worker* worker) noexcept;
    /// Appends fibers to the global queue (Go's globrunqputbatch).
    void put_global(std::vector<boost::fibers::context*> const& batch);
    /// Takes up to `most` fibers from the global queue's front into `out`.
    void take_global(std::vector<boost::fibers::context*>& out, std::size_t most);

    std::vector<std::unique_ptr<Worker>> workers_;
    std::size_t local_capacity_;
    SpinLock global_lock_;
    FiberRing global_;                            // guarded by global_lock_
    std::atomic<std::size_t> global_size_{0};     // for looks without the lock
    std::atomic<unsigned> spinning_{0};
    std::atomic<unsigned> sleeping_{0};
    unsigned cpus_;
    std::mutex sleepers_mutex_;
    std::vector<Worker*> sleepers_;  // guarded by sleepers_mutex_
};

/// The pool's threads not asleep (a count read mid-change may show more
/// sleepers than threads: none awake then, never a wrap-around).
constexpr unsigned awake_threads(unsigned threads, unsigned sleeping) noexcept { return threads - (sleeping < threads ? sleeping : threads); }

/// Whether a thread out of work may spin looking for more instead of going
/// to sleep. Go's rule (findrunnable): while the spinning threads are fewer
/// than half the awake ones (at least one may). And one Go does not need,
/// having no more threads than GOMAXPROCS that run Go code: never while the
/// awake threads, this one among them, outnumber the CPUs the process may
/// run on, since a spinner would then hold a core a thread with work waits
/// for. `threads` in the pool, `sleeping` and `spinning` of them, `cpus`
/// usable (from the platform: StealingPool::cpus()).
constexpr bool may_spin(unsigned threads, unsigned sleeping, unsigned spinning, unsigned cpus) noexcept {
    unsigned const awake = awake_threads(threads, sleeping);
    if (awake > cpus) return false;
    return spinning < (awake / 2 > 1 ? awake / 2 : 1);
}

/// Whether new work should wake a sleeping thread (Go's wakep): when one
/// sleeps, none is spinning (a spinner will find it), and the awake threads
/// are fewer than the CPUs. With as many awake as CPUs, one of them takes
/// the work when its fiber blocks (a thread about to sleep looks once more
/// after listing itself); a thread woken beyond that only takes a core from
/// one of them: at --threads 8 on 2 cores, a futex wake-up and two context
/// switches per hand-off.
constexpr bool may_wake(unsigned threads, unsigned sleeping, unsigned spinning, unsigned cpus) noexcept {
    unsigned const awake = awake_threads(threads, sleeping);
    return sleeping != 0 && spinning == 0 && awake < cpus;
}

/// Whether the running fiber should yield at its next channel operation:
/// true on a pool thread where, while one fiber kept running, a fiber woken
/// by another thread has waited 20 us for the dispatcher to bring it in, or
/// ready fibers have waited 10 ms (Go's preemption slice). Fibers are not
/// preempted: without this, a fiber whose channels never block would keep
/// the others from running (a woken fiber even from other threads, which
/// cannot steal it before the dispatcher brings it in; Go puts a woken
/// goroutine on the waker's thread and preempts after 10 ms).
bool should_yield_to_others() noexcept;

/// One instance per pool thread (Boost.Fiber installs one per thread).
class StealingAlgorithm final : public boost::fibers::algo::algorithm {
public:
    /// `index`: this thread's place in the pool, 0 <= index < pool.threads().
    StealingAlgorithm(StealingPool& pool, unsigned index) noexcept;
    ~StealingAlgorithm() override;
    StealingAlgorithm(StealingAlgorithm const&) = delete;
    StealingAlgorithm& operator=(StealingAlgorithm const&) = delete;

    /// A fiber became ready. Pinned contexts (this thread's main and
    /// dispatcher) stay on this thread; a fiber readied by the running one
    /// takes the runnext slot (the slot's previous fiber goes to the back of
    /// the queue); others go to the back of the queue. A hand-off into a
    /// full queue (local_capacity) sends its older half to the global queue.
    void awakened(boost::fibers::context* ctx) noexcept override;
    /// runnext (unless it has had 16 turns in a row: two fibers handing off
    /// to each other must not starve the queue), then the queue's front; the
    /// dispatcher every 61st pick (it brings in timers and wake-ups from
    /// other threads), and the global queue's oldest fiber every 61st pick
    /// too (half a period later); when the queue is empty, this thread's
    /// share of the global queue, then the dispatcher, then steals (Go's
    /// order: local, global, netpoll, steal).
    boost::fibers::context* pick_next() noexcept override;
    bool has_ready_fibers() const noexcept override;
    /// Nothing to run: spin a little looking for work, then sleep until
    /// work arrives, notify() or the deadline.
    void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override;
    /// Another thread made one of this thread's fibers ready.
    void notify() noexcept override;

    /// should_yield_to_others() for the calling thread.
    static bool should_yield() noexcept;

private:
    boost::fibers::context* pick() noexcept;
    boost::fibers::context* take_own() noexcept;
    boost::fibers::context* steal() noexcept;
    /// Spins looking for work until the deadline or a short while; true if
    /// something to look at turned up.
    bool spin_for_work(std::chrono::steady_clock::time_point const& deadline) noexcept;
    void sleep(std::chrono::steady_clock::time_point const& deadline) noexcept;
    void stop_spinning() noexcept;

    static thread_local StealingPool::Worker const* this_thread_;

    StealingPool& pool_;
    StealingPool::Worker& me_;
    unsigned const index_;
    std::uint32_t rng_;
    std::uint64_t ticks_ = 0;
    unsigned runnext_streak_ = 0;
    bool spinning_ = false;  // counted in pool_.spinning_
    std::chrono::steady_clock::time_point spin_until_{};  // the end of this spell of spinning
    boost::fibers::scheduler::ready_queue_type pinned_{};  // this thread's only
    std::vector<boost::fibers::context*> loot_;           // reused by steal(), spill() and from_global()
    /// Moves the older half of a full queue to the global queue.
    void spill();
    /// Up to `most` fibers from the global queue: the first to run, the rest queued here.
    boost::fibers::context* from_global(std::size_t most);
    /// How many fibers this thread takes from the global queue at once.
    std::size_t global_share() const noexcept;
    /// The first fiber of `loot_` to run now, the rest queued here.
    boost::fibers::context* keep_loot();
};

}  // namespace conclab::models::fibers
