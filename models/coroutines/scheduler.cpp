#include "models/coroutines/scheduler.hpp"

#include "models/coroutines/timers.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cassert>
#include <deque>
#include <mutex>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace conclab::models::coroutines {

thread_local unsigned Budget::left_ = Budget::per_task;

namespace {

// ------------------------------------------------------------ inject queue

/// Work from outside the workers, and a full local queue's overflow: one
/// lock, and a length that workers read without it.
class InjectQueue {
public:
    void push(Runnable r) {
        std::lock_guard lock{mutex_};
        items_.push_back(r.bits());
        length_.store(items_.size(), std::memory_order_release);
    }
    template <class It>
    void push_batch(It first, It last) {
        std::lock_guard lock{mutex_};
        for (; first != last; ++first) items_.push_back(*first);
        length_.store(items_.size(), std::memory_order_release);
    }
    Runnable pop() {
        if (empty()) return {};
        std::lock_guard lock{mutex_};
        if (items_.empty()) return {};
        auto const bits = items_.front();
        items_.pop_front();
        length_.store(items_.size(), std::memory_order_release);
        return Runnable::from_bits(bits);
    }
    bool empty() const noexcept { return length_.load(std::memory_order_acquire) == 0; }
    /// seq_cst, for the check before parking (see Idle).
    bool empty_seq_cst() const noexcept { return length_.load(std::memory_order_seq_cst) == 0; }

private:
    std::mutex mutex_;
    std::deque<std::uintptr_t> items_;  // guarded by mutex_
    std::atomic<std::size_t> length_{0};
};

// ------------------------------------------------------------- local queue

/// One worker's run queue (Tokio's queue.rs, in our words): a ring of 256
/// slots; `tail` is written by the owner only; `head` packs two indices,
/// `steal` (where a thief's claim starts) and `real` (the next to run).
/// They differ only while a thief copies its claim out, and the owner
/// never writes into a claimed slot, so the copy needs no lock.
class LocalQueue {
public:
    static constexpr std::uint32_t capacity = 256;

    /// Owner: to the back; when full, half the queue and `r` go to `inject`.
    void push_back(Runnable r, InjectQueue& inject) {
        for (;;) {
            auto const head = head_.load(std::memory_order_acquire);
            auto const steal = steal_of(head);
            auto const real = real_of(head);
            auto const tail = tail_.load(std::memory_order_relaxed);
            if (tail - steal < capacity) {
                slots_[tail % capacity].store(r.bits(), std::memory_order_relaxed);
                tail_.store(tail + 1, std::memory_order_release);
                return;
            }
            if (steal != real) {  // a thief is at work: it will make room, but not now
                inject.push(r);
                return;
            }
            if (overflow(head, tail, r, inject)) return;
            // a thief came in between: look again
        }
    }

    /// Owner: the front, or nothing.
    Runnable pop() noexcept {
        auto head = head_.load(std::memory_order_acquire);
        for (;;) {
            auto const steal = steal_of(head);
            auto const real = real_of(head);
            if (real == tail_.load(std::memory_order_relaxed)) return {};
            auto const next = steal == real ? pack(real + 1, real + 1) : pack(steal, real + 1);
            if (head_.compare_exchange_weak(head, next, std::memory_order_acq_rel, std::memory_order_acquire)) {
                return Runnable::from_bits(slots_[real % capacity].load(std::memory_order_relaxed));
            }
        }
    }

    /// Thief (the owner of `into`, which must be empty): moves half of this
    /// queue into `into` and returns one of them to run now.
    Runnable steal_into(LocalQueue& into) noexcept {
        auto const into_tail = into.tail_.load(std::memory_order_relaxed);
        // a thief of `into` may still be copying out of it: leave its slots alone
        if (into_tail - steal_of(into.head_.load(std::memory_order_acquire)) > capacity / 2) return {};
        // claim: advance `real` past half of what is queued, leave `steal`
        auto head = head_.load(std::memory_order_acquire);
        std::uint32_t first = 0, n = 0;
        for (;;) {
            auto const steal = steal_of(head);
            auto const real = real_of(head);
            if (steal != real) return {};  // another thief is at work
            auto const available = tail_.load(std::memory_order_acquire) - real;
            n = available - available / 2;
            if (n == 0) return {};
            first = real;
            if (head_.compare_exchange_weak(head, pack(steal, real + n), std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
                break;
            }
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            into.slots_[(into_tail + i) % capacity].store(slots_[(first + i) % capacity].load(std::memory_order_relaxed),
                                                          std::memory_order_relaxed);
        }
        // release the claim: `steal` catches up with `real` (which the
        // owner may have moved on meanwhile)
        head = head_.load(std::memory_order_acquire);
        while (!head_.compare_exchange_weak(head, pack(real_of(head), real_of(head)), std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        }
        auto const last = Runnable::from_bits(into.slots_[(into_tail + n - 1) % capacity].load(std::memory_order_relaxed));
        if (n > 1) into.tail_.store(into_tail + n - 1, std::memory_order_release);
        return last;
    }

    bool empty() const noexcept {
        return real_of(head_.load(std::memory_order_acquire)) == tail_.load(std::memory_order_acquire);
    }
    /// seq_cst, for the check before parking (see Idle).
    bool empty_seq_cst() const noexcept {
        return real_of(head_.load(std::memory_order_seq_cst)) == tail_.load(std::memory_order_seq_cst);
    }
    std::uint32_t size() const noexcept {
        return tail_.load(std::memory_order_acquire) - steal_of(head_.load(std::memory_order_acquire));
    }

private:
    static std::uint32_t steal_of(std::uint64_t head) noexcept { return static_cast<std::uint32_t>(head >> 32); }
    static std::uint32_t real_of(std::uint64_t head) noexcept { return static_cast<std::uint32_t>(head); }
    static std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
        return (std::uint64_t{steal} << 32) | real;
    }

    /// The queue is full and no thief is at work: claim its older half,
    /// then hand it and `r` to the inject queue in one lock.
    bool overflow(std::uint64_t head, std::uint32_t tail, Runnable r, InjectQueue& inject) {
        auto const real = real_of(head);
        if (tail - real != capacity) return false;  // the owner popped meanwhile? (only the owner calls this: never)
        constexpr std::uint32_t half = capacity / 2;
        if (!head_.compare_exchange_strong(head, pack(real + half, real + half), std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
            return false;
        }
        std::array<std::uintptr_t, half + 1> moved{};
        for (std::uint32_t i = 0; i < half; ++i) moved[i] = slots_[(real + i) % capacity].load(std::memory_order_relaxed);
        moved[half] = r.bits();
        inject.push_batch(moved.begin(), moved.end());
        return true;
    }

    alignas(64) std::atomic<std::uint64_t> head_{0};
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    std::array<std::atomic<std::uintptr_t>, capacity> slots_{};
};

// --------------------------------------------------------------- the pool

class StealingScheduler;

/// One worker thread's state, on cache lines of its own.
struct alignas(64) Worker {
    StealingScheduler* owner = nullptr;
    unsigned index = 0;
    LocalQueue queue;
    Runnable lifo;  // the owner's only
    bool searching = false;  // the owner's only: counted in Idle's searching
    std::uint32_t rng = 0;
    std::uint64_t ticks = 0;
    TimerQueue timers;  // coroutines sleeping, filed by this worker
    // parking: 1 = woken (or a wake-up pending), 0 = not
    std::atomic<std::uint32_t> unparked{0};
    std::atomic<bool> parked{false};  // listed among the sleepers
    std::atomic<bool> on_driver{false};  // parked in the I/O driver (epoll), not on `unparked`
    std::thread thread;
};

thread_local Worker* this_worker = nullptr;

class StealingScheduler final : public Scheduler {
public:
    StealingScheduler(unsigned threads, std::chrono::nanoseconds tick)
        : workers_(threads), tick_ns_{tick.count()}, start_ns_{timer_now_ns()} {
        if (threads == 0) throw std::invalid_argument{"coroutines runtime needs at least one thread"};
        if (tick_ns_ < 0) throw std::invalid_argument{"coroutines runtime: a timer tick cannot be negative"};
        int const fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (fd < 0) throw std::system_error{errno, std::generic_category(), "timerfd_create"};
        timer_fd_.assign(fd);
        wait_timer_fd();
        sleepers_.reserve(threads);
        for (unsigned i = 0; i < threads; ++i) {
            workers_[i].owner = this;
            workers_[i].index = i;
            workers_[i].rng = 0x9E3779B9U * (i + 1);
        }
        unparked_.store(threads);
        for (auto& w : workers_) w.thread = std::thread{[this, &w] { run(w); }};
    }

    ~StealingScheduler() override {
        shutdown_.store(true, std::memory_order_seq_cst);
        for (auto& w : workers_) unpark(w);
        for (auto& w : workers_) w.thread.join();
        // what was queued and never ran (an Asio completion posted as the
        // last task ended) is freed while the io_context it may refer to lives
        for (auto& w : workers_) {
            std::exchange(w.lifo, Runnable{}).discard();
            while (auto r = w.queue.pop()) r.discard();
        }
        while (auto r = inject_.pop()) r.discard();
    }

    void schedule(std::coroutine_handle<> handle) noexcept override { schedule_local(Runnable::of(handle)); }
    void schedule(Job* job) noexcept override { schedule_local(Runnable::of(job)); }

    void yield(std::coroutine_handle<> handle) noexcept override {
        auto* w = this_worker;
        if (w == nullptr || w->owner != this) return inject_and_notify(Runnable::of(handle));
        w->queue.push_back(Runnable::of(handle), inject_);
        notify_parked();
    }

    void submit(Job* job) noexcept override {
        auto* w = this_worker;
        if (w == nullptr || w->owner != this) return inject_and_notify(Runnable::of(job));
        w->queue.push_back(Runnable::of(job), inject_);
        notify_parked();
    }

    void sleep_until(std::int64_t deadline, std::coroutine_handle<> handle) override {
        if (tick_ns_ > 0) {  // up to the next tick, as a timer wheel files it
            auto const since = deadline - start_ns_;
            deadline = start_ns_ + (since + tick_ns_ - 1) / tick_ns_ * tick_ns_;
        }
        home().timers.add(deadline, handle);
        // seq_cst with on_timer_fd's reset: it sees this timer, or this sees `never`
        if (deadline < armed_.load(std::memory_order_seq_cst)) arm_at_most(deadline);
    }

    boost::asio::io_context& io() noexcept override { return io_; }
    unsigned threads() const noexcept override { return static_cast<unsigned>(workers_.size()); }

private:
    /// Made ready here: into this worker's LIFO slot; from elsewhere: the inject queue.
    void schedule_local(Runnable r) noexcept {
        auto* w = this_worker;
        if (w == nullptr || w->owner != this) return inject_and_notify(r);
        // Tokio's schedule_local: into the LIFO slot; what was there goes
        // to the queue, where others may steal it, so wake one to look
        auto const previous = std::exchange(w->lifo, r);
        if (previous) {
            w->queue.push_back(previous, inject_);
            notify_parked();
        }
    }

    static constexpr std::uint64_t inject_interval = 61;  // Tokio's and Go's: the shared queue is looked at this often

    void inject_and_notify(Runnable r) {
        inject_.push(r);
        notify_parked();
    }

    void run(Worker& w) {
        this_worker = &w;
        while (!shutdown_.load(std::memory_order_acquire)) {
            if (auto r = next_local(w)) {
                run_task(w, r);
                continue;
            }
            if (auto r = search(w)) {
                run_task(w, r);
                continue;
            }
            park(w);
        }
        this_worker = nullptr;
    }

    /// Runs `r` and then the chain of coroutines it readies through the
    /// LIFO slot, on one budget; what is left in the slot when the budget
    /// is spent goes to the back of the queue.
    void run_task(Worker& w, Runnable r) {
        if (w.searching) stop_searching(w);
        Budget::grant();
        r.run();
        while (w.lifo) {
            if (!Budget::left()) {
                w.queue.push_back(std::exchange(w.lifo, Runnable{}), inject_);
                notify_parked();
                return;
            }
            std::exchange(w.lifo, Runnable{}).run();
        }
    }

    Runnable next_local(Worker& w) {
        ++w.ticks;
        if (!w.timers.empty()) expire(w, w.timers, timer_now_ns());  // Go's checkTimers in schedule()
        if (w.ticks % inject_interval == 0) {
            poll_io();  // Tokio's maintenance: I/O that became ready while every worker was busy
            if (auto r = inject_.pop()) return r;
        }
        if (auto r = std::exchange(w.lifo, Runnable{})) return r;
        if (auto r = w.queue.pop()) return r;
        return inject_.pop();
    }

    /// Out of local work: steal half of another worker's queue, or take from
    /// the inject queue; at most half of the workers search at once.
    Runnable search(Worker& w) {
        if (expire_all(w) != 0) return w.queue.pop();  // Go's findrunnable: timers of every P first
        if (!w.searching && !start_searching()) return {};
        w.searching = true;
        auto const n = static_cast<unsigned>(workers_.size());
        w.rng ^= w.rng << 13;
        w.rng ^= w.rng >> 17;
        w.rng ^= w.rng << 5;
        auto const start = w.rng % n;
        for (unsigned i = 0; i < n; ++i) {
            auto& victim = workers_[(start + i) % n];
            if (&victim == &w) continue;
            if (auto r = victim.queue.steal_into(w.queue)) return r;
        }
        return inject_.pop();
    }

    bool start_searching() noexcept {
        // Tokio's transition_worker_to_searching: 2 * searching < workers
        auto searching = searching_.load(std::memory_order_seq_cst);
        for (;;) {
            if (2 * searching >= workers_.size()) return false;
            if (searching_.compare_exchange_weak(searching, searching + 1, std::memory_order_seq_cst)) return true;
        }
    }

    /// The searcher found work: if it was the last one searching, someone
    /// else should look for the rest (Go's resetspinning).
    void stop_searching(Worker& w) noexcept {
        w.searching = false;
        if (searching_.fetch_sub(1, std::memory_order_seq_cst) == 1) notify_parked();
    }

    /// New work is visible: wake a parked worker, unless one is searching
    /// (it will find the work) or none is parked.
    void notify_parked() noexcept {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (searching_.load(std::memory_order_relaxed) != 0) return;
        if (unparked_.load(std::memory_order_relaxed) >= workers_.size()) return;
        Worker* woken = nullptr;
        {
            std::lock_guard lock{sleepers_mutex_};
            if (searching_.load(std::memory_order_seq_cst) != 0 || sleepers_.empty()) return;
            woken = sleepers_.back();
            sleepers_.pop_back();
            woken->parked.store(false, std::memory_order_relaxed);
            // it wakes as a searcher (Tokio's unpark_one), so that no other
            // wake-up follows until it has looked
            searching_.fetch_add(1, std::memory_order_seq_cst);
            unparked_.fetch_add(1, std::memory_order_seq_cst);
        }
        unpark(*woken);
    }

    void unpark(Worker& w) noexcept {
        w.unparked.store(1, std::memory_order_seq_cst);
        // a worker in the driver sleeps in epoll: a posted no-op ends its run_one
        // (the seq_cst pair with drive(): it sees the flag, or this sees it there)
        if (w.on_driver.load(std::memory_order_seq_cst)) boost::asio::post(io_, [] {});
        w.unparked.notify_one();
    }

    // ------------------------------------------------------------ timers

    /// Moves the timers of `from` that are due at `now` into `w`'s queue,
    /// earliest first, and wakes a worker to share them.
    std::size_t expire(Worker& w, TimerQueue& from, std::int64_t now) {
        auto const n = from.expire(now, [&](std::coroutine_handle<> h) { w.queue.push_back(Runnable::of(h), inject_); });
        if (n != 0) notify_parked();
        return n;
    }

    /// Every worker's due timers into `w`'s queue (the clock read only when
    /// some timer exists).
    std::size_t expire_all(Worker& w) {
        auto const earliest = earliest_timer();
        if (earliest == TimerQueue::never) return 0;
        auto const now = timer_now_ns();
        if (earliest > now) return 0;
        std::size_t n = 0;
        for (auto& v : workers_) n += expire(w, v.timers, now);
        return n;
    }

    /// The worker this thread is, or (from outside the pool) the first.
    Worker& home() noexcept {
        auto* w = this_worker;
        return (w != nullptr && w->owner == this) ? *w : workers_[0];
    }

    /// The earliest deadline of every worker's timers, or `never`.
    std::int64_t earliest_timer() const noexcept {
        auto earliest = TimerQueue::never;
        for (auto const& v : workers_) earliest = std::min(earliest, v.timers.earliest());
        return earliest;
    }

    /// The timerfd goes off at `deadline` unless it is set earlier already.
    void arm_at_most(std::int64_t deadline) {
        std::lock_guard lock{arm_mutex_};
        if (deadline >= armed_.load(std::memory_order_relaxed)) return;
        armed_.store(deadline, std::memory_order_seq_cst);
        itimerspec spec{};
        spec.it_value.tv_sec = deadline / 1'000'000'000;
        spec.it_value.tv_nsec = deadline % 1'000'000'000;
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;  // zero would disarm it
        ::timerfd_settime(timer_fd_.native_handle(), TFD_TIMER_ABSTIME, &spec, nullptr);
    }

    void wait_timer_fd() {
        timer_fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code error) {
            if (!error) on_timer_fd();
        });
    }

    /// The timerfd went off (in the I/O driver, on a worker): the due timers
    /// of every worker into this one's queue, then armed for the earliest
    /// deadline left. A timer filed meanwhile sees `never` and arms itself.
    void on_timer_fd() {
        std::uint64_t expirations = 0;
        [[maybe_unused]] auto const got = ::read(timer_fd_.native_handle(), &expirations, sizeof expirations);
        {
            std::lock_guard lock{arm_mutex_};
            armed_.store(TimerQueue::never, std::memory_order_seq_cst);
        }
        expire_all(home());  // the io_context is run only by the workers: this one
        if (auto const earliest = earliest_timer(); earliest != TimerQueue::never) arm_at_most(earliest);
        if (!shutdown_.load(std::memory_order_acquire)) wait_timer_fd();
    }

    // ------------------------------------------------------------ the driver

    /// Runs the I/O completions that are ready, without waiting, if no other
    /// worker is in the driver: they land in this worker's queue.
    void poll_io() {
        if (driver_busy_.exchange(true, std::memory_order_acquire)) return;
        io_.poll();
        driver_busy_.store(false, std::memory_order_release);
    }

    /// A parked worker that holds the driver waits in epoll instead of on
    /// its futex (Tokio's park: one worker at a time waits on the I/O
    /// driver). It leaves when woken, or when completions made work for it
    /// (they are queued on this worker: it runs the handlers). True if woken.
    bool drive(Worker& w) {
        w.on_driver.store(true, std::memory_order_seq_cst);
        bool woken = false;
        for (;;) {
            if (w.unparked.exchange(0, std::memory_order_seq_cst) != 0) {
                woken = true;
                break;
            }
            if (w.lifo || !w.queue.empty() || shutdown_.load(std::memory_order_acquire)) break;
            io_.run_one();
        }
        w.on_driver.store(false, std::memory_order_relaxed);
        driver_busy_.store(false, std::memory_order_release);
        return woken;
    }

    /// Nothing found: list this worker as parked, look once more at every
    /// queue (work pushed before this worker was listed must not be lost:
    /// the fences pair with notify_parked's), then sleep until unparked.
    void park(Worker& w) {
        {
            std::lock_guard lock{sleepers_mutex_};
            if (w.searching) {
                searching_.fetch_sub(1, std::memory_order_seq_cst);
                w.searching = false;
            }
            unparked_.fetch_sub(1, std::memory_order_seq_cst);
            w.parked.store(true, std::memory_order_relaxed);
            sleepers_.push_back(&w);
        }
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (work_pending() || shutdown_.load(std::memory_order_seq_cst)) {
            if (!unlist(w)) wait_unparked(w);  // someone already woke this worker: take its wake-up
            return;
        }
        if (!driver_busy_.exchange(true, std::memory_order_acquire)) {
            if (drive(w)) {
                if (!shutdown_.load(std::memory_order_acquire)) w.searching = true;  // counted by the waker
            } else if (!unlist(w)) {
                wait_unparked(w);
            }
            return;
        }
        wait_unparked(w);
    }

    /// Takes `w` off the sleepers list itself; false if a waker already did.
    bool unlist(Worker& w) noexcept {
        std::lock_guard lock{sleepers_mutex_};
        if (!w.parked.load(std::memory_order_relaxed)) return false;
        w.parked.store(false, std::memory_order_relaxed);
        std::erase(sleepers_, &w);
        unparked_.fetch_add(1, std::memory_order_seq_cst);
        searching_.fetch_add(1, std::memory_order_seq_cst);
        w.searching = true;
        return true;
    }

    void wait_unparked(Worker& w) noexcept {
        while (w.unparked.exchange(0, std::memory_order_acquire) == 0) w.unparked.wait(0, std::memory_order_acquire);
        if (!shutdown_.load(std::memory_order_acquire)) w.searching = true;  // counted by the waker
    }

    bool work_pending() const noexcept {
        if (!inject_.empty_seq_cst()) return true;
        for (auto const& w : workers_) {
            if (!w.queue.empty_seq_cst()) return true;
        }
        return false;
    }

    std::vector<Worker> workers_;
    InjectQueue inject_;
    alignas(64) std::atomic<unsigned> searching_{0};
    std::atomic<unsigned> unparked_{0};
    std::atomic<bool> shutdown_{false};
    std::mutex sleepers_mutex_;
    std::vector<Worker*> sleepers_;  // guarded by sleepers_mutex_
    // timers and sockets: Asio's reactor, run by whichever worker holds the driver
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> io_work_{io_.get_executor()};
    std::atomic<bool> driver_busy_{false};
    // timers: every worker's TimerQueue, one timerfd for the earliest of them
    std::int64_t tick_ns_;
    std::int64_t start_ns_;
    boost::asio::posix::stream_descriptor timer_fd_{io_};
    std::mutex arm_mutex_;
    std::atomic<std::int64_t> armed_{TimerQueue::never};  // what the timerfd is set for
};

// ------------------------------------------------ the variant: io_context

class IoContextScheduler final : public Scheduler {
public:
    explicit IoContextScheduler(unsigned threads) : context_{static_cast<int>(threads)} {
        if (threads == 0) throw std::invalid_argument{"coroutines runtime needs at least one thread"};
        threads_.reserve(threads);
        for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
    }
    ~IoContextScheduler() override {
        work_.reset();
        context_.stop();
        for (auto& t : threads_) t.join();
    }

    void schedule(std::coroutine_handle<> handle) noexcept override { post(Runnable::of(handle)); }
    void schedule(Job* job) noexcept override { post(Runnable::of(job)); }
    void yield(std::coroutine_handle<> handle) noexcept override { post(Runnable::of(handle)); }
    void submit(Job* job) noexcept override { post(Runnable::of(job)); }
    /// This variant's timers: an Asio steady_timer per sleep, in the io_context's one heap.
    void sleep_until(std::int64_t deadline, std::coroutine_handle<> handle) override {
        auto timer = std::make_unique<boost::asio::steady_timer>(
            context_, TimerClock::time_point{std::chrono::nanoseconds{deadline}});
        auto& t = *timer;
        t.async_wait([timer = std::move(timer), handle](boost::system::error_code error) {
            if (error) return;  // the io_context shuts down with the sleeper's task unfinished
            Budget::grant();
            handle.resume();
        });
    }
    boost::asio::io_context& io() noexcept override { return context_; }
    unsigned threads() const noexcept override { return static_cast<unsigned>(threads_.size()); }

private:
    /// A queued Runnable as an Asio handler: run once, or discarded when
    /// the io_context destroys it unrun (at shutdown).
    class Handler {
    public:
        explicit Handler(Runnable r) noexcept : r_{r} {}
        Handler(Handler&& other) noexcept : r_{std::exchange(other.r_, Runnable{})} {}
        Handler& operator=(Handler&&) = delete;
        ~Handler() { r_.discard(); }
        void operator()() {
            Budget::grant();
            std::exchange(r_, Runnable{}).run();
        }

    private:
        Runnable r_;
    };

    void post(Runnable r) { boost::asio::post(context_, Handler{r}); }

    boost::asio::io_context context_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{context_.get_executor()};
    std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<Scheduler> make_stealing_scheduler(unsigned threads, std::chrono::nanoseconds tick) {
    return std::make_unique<StealingScheduler>(threads, tick);
}
std::unique_ptr<Scheduler> make_io_context_scheduler(unsigned threads) {
    return std::make_unique<IoContextScheduler>(threads);
}

}  // namespace conclab::models::coroutines
