#include "models/fibers/scheduler.hpp"

#include "models/spin_pause.hpp"

#include <algorithm>
#include <thread>

#include <sched.h>

namespace conclab::models::fibers {
namespace {

using boost::fibers::context;
using models::spin_pause;

// How long a thread out of work looks for more before it sleeps: long
// enough to catch the next hand-off of a busy pipeline (a few microseconds
// apart), short enough that an idle pool costs nothing measurable.
constexpr auto spin_time = std::chrono::microseconds{30};
// How long a runnext fiber is left to its own thread before another steals it.
constexpr auto runnext_grace = std::chrono::microseconds{3};
// runnext turns in a row before the queue's front gets one (Go gives the
// pair a shared time slice; fibers are not preempted, so a count stands in).
constexpr unsigned runnext_turns = 16;
// Every this many picks, the dispatcher runs even if fibers are ready (Go
// looks at its global queue every 61 schedule ticks, for the same reason).
constexpr std::uint64_t dispatcher_period = 61;

std::uint32_t next_random(std::uint32_t& state) noexcept {
    // xorshift32: which victim first need not be good randomness, only spread
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

// Since when (steady clock, ns) the running fiber has kept ready fibers
// waiting; 0: not seen yet. Reset at every switch.
thread_local std::int64_t others_waiting_since = 0;
thread_local unsigned looks_while_others_wait = 0;

// How long a running fiber may keep others waiting before a channel
// operation yields: a fiber woken by another thread (out of the thieves'
// sight until the dispatcher brings it in) after a few work items, far
// above a hand-off; ready fibers of this thread after Go's preemption
// slice, 10 ms.
constexpr std::int64_t remote_wakeup_grace_ns = 20'000;
constexpr std::int64_t time_slice_ns = 10'000'000;

// The CPUs this process may run on: its affinity mask (taskset, cgroups' cpusets, Slurm's binding).
unsigned usable_cpus() noexcept {
    cpu_set_t affinity;
    CPU_ZERO(&affinity);
    if (sched_getaffinity(0, sizeof affinity, &affinity) == 0 && CPU_COUNT(&affinity) > 0) return static_cast<unsigned>(CPU_COUNT(&affinity));
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

// ---------------------------------------------------------------- the pool

StealingPool::StealingPool(unsigned threads, std::size_t local_capacity) : local_capacity_{local_capacity}, cpus_{usable_cpus()} {
    workers_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i) {
        workers_.push_back(std::make_unique<Worker>());
    }
    sleepers_.reserve(threads);
}

void StealingPool::FiberRing::push_back(context* ctx) {
    if (count == slots.size()) {
        // grow: unroll into a ring twice as large (rare; a ring is 256 to start)
        std::vector<context*> larger(slots.size() * 2);
        for (std::size_t i = 0; i < count; ++i) larger[i] = slots[(head + i) & (slots.size() - 1)];
        slots.swap(larger);
        head = 0;
    }
    slots[(head + count) & (slots.size() - 1)] = ctx;
    ++count;
}

context* StealingPool::FiberRing::pop_front() noexcept {
    if (count == 0) return nullptr;
    auto* const ctx = slots[head];
    head = (head + 1) & (slots.size() - 1);
    --count;
    return ctx;
}

void StealingPool::FiberRing::pop_front_into(std::vector<context*>& out, std::size_t n) {
    for (n = std::min(n, count); n != 0; --n) out.push_back(pop_front());
}

void StealingPool::Worker::give_half(std::vector<context*>& out) {
    std::lock_guard guard{lock};
    queue.pop_front_into(out, (queue.count + 1) / 2);
    publish_locked();
}

context* StealingPool::Worker::runnext_now() {
    std::lock_guard guard{lock};
    return runnext;
}

context* StealingPool::Worker::give_runnext(context* expected) {
    std::lock_guard guard{lock};
    if (runnext != expected) return nullptr;
    runnext = nullptr;
    publish_locked();
    return expected;
}

void StealingPool::Worker::wake() noexcept {
    notified.store(true, std::memory_order_seq_cst);
    if (sleeping.load(std::memory_order_seq_cst)) {
        std::lock_guard guard{sleep_mutex};
        wakeup.notify_one();
    }
}

bool StealingPool::work_visible() const noexcept {
    return global_size_.load(std::memory_order_relaxed) != 0 ||
           std::any_of(workers_.begin(), workers_.end(),
                       [](auto const& w) { return w->visible.load(std::memory_order_relaxed) != 0; });
}

void StealingPool::put_global(std::vector<context*> const& batch) {
    std::lock_guard guard{global_lock_};
    for (auto* ctx : batch) global_.push_back(ctx);
    global_size_.store(global_.count, std::memory_order_relaxed);
}

void StealingPool::take_global(std::vector<context*>& out, std::size_t most) {
    if (global_size_.load(std::memory_order_relaxed) == 0) return;
    std::lock_guard guard{global_lock_};
    global_.pop_front_into(out, most);
    global_size_.store(global_.count, std::memory_order_relaxed);
}

void StealingPool::work_arrived() noexcept {
    // pairs with the fence in StealingAlgorithm::sleep: either the sleeper
    // sees the new work, or this sees the sleeper
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!may_wake(threads(), sleeping_.load(std::memory_order_relaxed), spinning_.load(std::memory_order_relaxed), cpus_)) return;
    Worker* woken = nullptr;
    {
        std::lock_guard guard{sleepers_mutex_};
        if (sleepers_.empty() || spinning_.load(std::memory_order_relaxed) != 0) return;
        woken = sleepers_.back();
        sleepers_.pop_back();
        sleeping_.fetch_sub(1, std::memory_order_relaxed);
        // counted as spinning from now on, so the next arrival does not wake another
        spinning_.fetch_add(1, std::memory_order_seq_cst);
        woken->handed_spin.store(true, std::memory_order_relaxed);
    }
    woken->wake();
}

void StealingPool::forget_sleeper(Worker* worker) noexcept {
    std::lock_guard guard{sleepers_mutex_};
    auto const it = std::find(sleepers_.begin(), sleepers_.end(), worker);
    if (it != sleepers_.end()) {
        sleepers_.erase(it);
        sleeping_.fetch_sub(1, std::memory_order_relaxed);
    }
}

// ------------------------------------------------------ one thread's part

StealingAlgorithm::StealingAlgorithm(StealingPool& pool, unsigned index) noexcept
    : pool_{pool}, me_{*pool.workers_.at(index)}, index_{index}, rng_{0x9E3779B9U * (index + 1)} {
    loot_.reserve(256);
    this_thread_ = &me_;
}

StealingAlgorithm::~StealingAlgorithm() { this_thread_ = nullptr; }

thread_local StealingPool::Worker const* StealingAlgorithm::this_thread_ = nullptr;

bool StealingAlgorithm::should_yield() noexcept {
    auto const* const me = this_thread_;
    if (me == nullptr) return false;
    bool const remote = me->notified.load(std::memory_order_relaxed);
    if (!remote && me->visible.load(std::memory_order_relaxed) == 0) return false;
    // the clock at every 8th look only: at work=0 a channel operation takes
    // about 100 ns, a clock read 20
    if ((++looks_while_others_wait & 7) != 0) return false;
    auto const now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    if (others_waiting_since == 0) {
        others_waiting_since = now;
        return false;
    }
    return now - others_waiting_since >= (remote ? remote_wakeup_grace_ns : time_slice_ns);
}

bool should_yield_to_others() noexcept { return StealingAlgorithm::should_yield(); }

void StealingAlgorithm::awakened(context* ctx) noexcept {
    if (ctx->is_context(boost::fibers::type::pinned_context)) {
        pinned_.push_back(*ctx);
        return;
    }
    ctx->detach();  // any thread of the pool may attach and run it
    auto const* const active = context::active();
    // made ready by the running fiber (a hand-off, a spawn): it runs next,
    // here; a fiber that yields, or one the dispatcher brings in, queues
    bool const handoff = active != ctx && !active->is_context(boost::fibers::type::pinned_context);
    bool full = false;
    {
        std::lock_guard guard{me_.lock};
        if (handoff) {
            if (me_.runnext != nullptr) me_.push_back_locked(me_.runnext);
            me_.runnext = ctx;
        } else {
            me_.push_back_locked(ctx);
        }
        me_.publish_locked();
        // only what a running fiber makes spills (Go's runqput): wake-ups the
        // dispatcher brings in come in the order their timers fell due, and
        // a FIFO is the fair order for them; sent to the global queue, the
        // oldest would wait while newer ones keep the local queue busy
        full = handoff && me_.queue.count > pool_.local_capacity();
    }
    if (full) spill();
    pool_.work_arrived();
}

void StealingAlgorithm::spill() {
    loot_.clear();
    {
        std::lock_guard guard{me_.lock};
        me_.queue.pop_front_into(loot_, me_.queue.count / 2);
        me_.publish_locked();
    }
    pool_.put_global(loot_);
}

context* StealingAlgorithm::from_global(std::size_t most) {
    loot_.clear();
    pool_.take_global(loot_, most);
    return keep_loot();
}

std::size_t StealingAlgorithm::global_share() const noexcept {
    return std::min(pool_.local_capacity() / 2, pool_.global_size_.load(std::memory_order_relaxed) / pool_.threads() + 1);
}

context* StealingAlgorithm::keep_loot() {
    if (loot_.empty()) return nullptr;
    if (loot_.size() > 1) {
        std::lock_guard guard{me_.lock};
        for (std::size_t k = 1; k < loot_.size(); ++k) me_.push_back_locked(loot_[k]);
        me_.publish_locked();
    }
    return loot_.front();
}

context* StealingAlgorithm::take_own() noexcept {
    std::lock_guard guard{me_.lock};
    context* ctx = nullptr;
    if (me_.runnext != nullptr && (runnext_streak_ < runnext_turns || me_.queue.count == 0)) {
        ctx = std::exchange(me_.runnext, nullptr);
        ++runnext_streak_;
    } else if (me_.queue.count != 0) {
        ctx = me_.pop_front_locked();
        runnext_streak_ = 0;
    }
    if (ctx != nullptr) me_.publish_locked();
    return ctx;
}

context* StealingAlgorithm::steal() noexcept {
    auto const n = pool_.threads();
    if (n < 2) return nullptr;
    auto const start = next_random(rng_) % n;
    // the other threads from a random one on: the first fiber `take` gets from one
    auto const from_others = [&](auto take) -> context* {
        for (unsigned i = 0; i < n; ++i) {
            auto const victim = (start + i) % n;
            if (victim == index_) continue;
            if (auto* const ctx = take(*pool_.workers_[victim])) return ctx;
        }
        return nullptr;
    };
    // first: half of another thread's queue
    if (auto* const ctx = from_others([this](StealingPool::Worker& other) -> context* {
            if (other.visible.load(std::memory_order_relaxed) == 0) return nullptr;
            loot_.clear();
            other.give_half(loot_);
            return keep_loot();
        })) {
        return ctx;
    }
    // then a runnext fiber, if its thread has not come back to it after a
    // few microseconds (it is busy running something long). Taken at once,
    // it would split every hand-off pair across threads, and a fiber stays
    // with the thread it last ran on (a wake-up from another thread is
    // delivered to that one): Go waits 3 us too (runqgrab).
    return from_others([](StealingPool::Worker& other) -> context* {
        auto* const seen = other.runnext_now();
        if (seen == nullptr) return nullptr;
        auto const until = std::chrono::steady_clock::now() + runnext_grace;
        while (std::chrono::steady_clock::now() < until) spin_pause();
        return other.give_runnext(seen);
    });
}

context* StealingAlgorithm::pick_next() noexcept {
    auto* ctx = pick();
    // found work while counted as spinning: stop, and let another thread
    // spin in this one's place if there is more (Go's resetspinning)
    if (ctx != nullptr && spinning_) {
        stop_spinning();
        if (pool_.work_visible()) pool_.work_arrived();
    }
    return ctx;
}

context* StealingAlgorithm::pick() noexcept {
    others_waiting_since = 0;
    auto const pinned = [this] {
        auto* const ctx = &pinned_.front();
        pinned_.pop_front();
        return ctx;
    };
    // Another thread woke a fiber of this one: the dispatcher brings it in
    // now, into the queue, where an idle thread can steal it (Boost keeps it
    // in this thread's remote queue until then, out of the thieves' sight).
    if (me_.notified.load(std::memory_order_relaxed)) {
        for (auto& candidate : pinned_) {
            if (candidate.is_context(boost::fibers::type::dispatcher_context)) {
                me_.notified.store(false, std::memory_order_relaxed);
                pinned_.remove(candidate);
                return &candidate;
            }
        }
    }
    if (++ticks_ % dispatcher_period == 0 && !pinned_.empty()) return pinned();
    context* ctx = nullptr;
    // Go's schedtick % 61: the global queue's oldest fiber waits no longer than this
    if (ticks_ % dispatcher_period == dispatcher_period / 2) ctx = from_global(1);
    if (ctx == nullptr) ctx = take_own();
    // this thread's share of the global queue (Go's globrunqget), at most
    // half a local queue; before the dispatcher, as Go looks at its global
    // queue before the netpoller: wake-ups that trickle in one by one would
    // otherwise bring the dispatcher back every time this thread's queue
    // runs dry, and the global queue would wait for its every 61st turn
    if (ctx == nullptr) ctx = from_global(global_share());
    if (ctx == nullptr && !pinned_.empty()) return pinned();
    if (ctx == nullptr) ctx = steal();
    if (ctx != nullptr) context::active()->attach(ctx);
    return ctx;
}

bool StealingAlgorithm::has_ready_fibers() const noexcept {
    return !pinned_.empty() || me_.visible.load(std::memory_order_relaxed) != 0 ||
           pool_.global_size_.load(std::memory_order_relaxed) != 0;
}

void StealingAlgorithm::stop_spinning() noexcept {
    spinning_ = false;
    pool_.spinning_.fetch_sub(1, std::memory_order_seq_cst);
}

bool StealingAlgorithm::spin_for_work(std::chrono::steady_clock::time_point const& deadline) noexcept {
    auto const n = pool_.threads();
    if (n < 2 && !spinning_) return false;  // nobody to steal from
    auto const sleeping = pool_.sleeping_.load(std::memory_order_relaxed);
    if (spinning_ && awake_threads(n, sleeping) > pool_.cpus()) {
        stop_spinning();  // handed the spin by a wake-up, or still at it, while the awake threads outnumber the CPUs
        return false;
    }
    if (!spinning_) {
        // may_spin: Go's half of the awake threads, and never while the awake
        // ones outnumber the CPUs. A fixed half of the pool spun 4 threads of
        // 8 on 2 cores beside 2 with work: a quarter of pipeline's CPU at
        // --threads 8 (perf) went to spinners holding the working ones' cores.
        auto const before = pool_.spinning_.fetch_add(1, std::memory_order_seq_cst);
        if (!may_spin(n, sleeping, before, pool_.cpus())) {
            pool_.spinning_.fetch_sub(1, std::memory_order_seq_cst);
            return false;
        }
        spinning_ = true;
        spin_until_ = std::chrono::steady_clock::now() + spin_time;
    }
    // One budget per spell of spinning, however often it comes back here: work
    // seen but taken by another thread (or a runnext fiber its thread keeps)
    // sent it round again with a fresh 30 us each time, a spin without end.
    auto const until = std::min(deadline, spin_until_);
    for (unsigned round = 0;; ++round) {
        if (me_.notified.load(std::memory_order_relaxed) || pool_.work_visible()) return true;  // still spinning: pick_next stops it
        for (int i = 0; i < 16; ++i) spin_pause();
        if (round % 8 == 7 && std::chrono::steady_clock::now() >= until) break;
    }
    stop_spinning();
    return std::chrono::steady_clock::now() >= deadline;  // a timer is due: the dispatcher looks
}

void StealingAlgorithm::sleep(std::chrono::steady_clock::time_point const& deadline) noexcept {
    {
        std::lock_guard guard{pool_.sleepers_mutex_};
        pool_.sleepers_.push_back(&me_);
        pool_.sleeping_.fetch_add(1, std::memory_order_relaxed);
    }
    me_.sleeping.store(true, std::memory_order_seq_cst);
    // pairs with the fence in StealingPool::work_arrived
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!me_.notified.load(std::memory_order_seq_cst) && !pool_.work_visible()) {
        std::unique_lock lock{me_.sleep_mutex};
        auto const looked_at = [this] { return me_.notified.load(std::memory_order_seq_cst); };
        if (deadline == std::chrono::steady_clock::time_point::max()) {
            me_.wakeup.wait(lock, looked_at);
        } else {
            me_.wakeup.wait_until(lock, deadline, looked_at);
        }
    }
    me_.sleeping.store(false, std::memory_order_relaxed);
    pool_.forget_sleeper(&me_);  // if woken by notify() or the deadline, still listed
    if (me_.handed_spin.exchange(false, std::memory_order_relaxed)) {
        spinning_ = true;
        spin_until_ = std::chrono::steady_clock::now() + spin_time;
    }
}

void StealingAlgorithm::suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept {
    // a wake-up since the dispatcher last looked: look again
    if (me_.notified.exchange(false, std::memory_order_seq_cst)) return;
    if (spin_for_work(deadline)) {
        me_.notified.store(false, std::memory_order_relaxed);
        return;
    }
    sleep(deadline);
    me_.notified.store(false, std::memory_order_relaxed);
}

void StealingAlgorithm::notify() noexcept { me_.wake(); }

}  // namespace conclab::models::fibers
