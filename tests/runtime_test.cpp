// The runtimes' promises, in every model that has them: block_on returns
// only after every task spawned under it has finished, an exception in a
// task reaches the caller of block_on, and an idle runtime's threads sleep
// instead of spinning (Boost.Fiber's work_stealing spins by default).
#include "models/coroutines/channel.hpp"
#include "models/coroutines/netpoll.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/coroutines/timers.hpp"
#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"
#include "models/tbb/par_bridge.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"
#include "src/kit/machine.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/fiber/operations.hpp>
#include <gtest/gtest.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <iterator>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

namespace conclab::models {
namespace {

using namespace std::chrono_literals;

// Whether a thread of this process other than the caller is running or
// runnable (state R in /proc/self/task/<tid>/stat).
bool another_thread_runnable() {
    auto const self = std::to_string(gettid());
    for (auto const& task : std::filesystem::directory_iterator{"/proc/self/task"}) {
        if (task.path().filename() == self) continue;
        auto const fields = proc_stat_fields(task.path() / "stat");
        if (!fields.empty() && fields[3 - 3] == "R") return true;
    }
    return false;
}

// Of `looks` looks at the process's threads while the runtime has nothing to
// do, how many found one of them runnable. A spinning thread is runnable at
// every look, however busy the machine (waiting for a CPU is state R too); a
// sleeping one almost never. A state, not a speed: no CPU time is compared.
constexpr int looks = 40;

template <class Runtime>
int looks_with_a_thread_runnable(Runtime& /*idle*/) {
    std::this_thread::sleep_for(50ms);  // let start-up settle
    int runnable = 0;
    for (int i = 0; i < looks; ++i) {
        runnable += another_thread_runnable() ? 1 : 0;
        std::this_thread::sleep_for(5ms);
    }
    return runnable;
}

// When a pool thread out of work may spin, and when new work wakes a sleeping one, on machines unlike
// this one (the CPU count is read from the platform; here it is given). Before 2026-12-06 half the pool
// spun whatever ran, and every arrival woke a sleeper: at --threads 8 on 2 cores the fibers model did
// pipeline at 78k items/s against Go's 2M (docs/performance.md, "Under contention").
TEST(FibersRuntime, SpinsOnlyWhileTheAwakeThreadsFitTheCpus) {
    using conclab::models::fibers::may_spin;
    // Go's rule: fewer spinners than half the awake threads, at least one
    EXPECT_TRUE(may_spin(2, 0, 0, 2));
    EXPECT_FALSE(may_spin(2, 0, 1, 2));
    EXPECT_TRUE(may_spin(64, 0, 31, 64));
    EXPECT_FALSE(may_spin(64, 0, 32, 64));
    EXPECT_TRUE(may_spin(64, 60, 1, 64));   // 4 awake: 2 may spin
    EXPECT_FALSE(may_spin(64, 60, 2, 64));
    // more awake threads than CPUs: nobody spins (8 threads on 2 cores; 256 on a 192-core server)
    EXPECT_FALSE(may_spin(8, 0, 0, 2));
    EXPECT_FALSE(may_spin(8, 5, 0, 2));
    EXPECT_TRUE(may_spin(8, 6, 0, 2));
    EXPECT_FALSE(may_spin(256, 0, 0, 192));
    EXPECT_TRUE(may_spin(256, 64, 0, 192));
    EXPECT_TRUE(may_spin(1, 0, 0, 1));      // the caller decides whether one thread has anyone to steal from
    EXPECT_TRUE(may_spin(4, 9, 0, 4));      // a count read mid-change (more sleepers than threads) does not wrap around
}

TEST(FibersRuntime, WakesASleeperOnlyForACpuThatIsFree) {
    using conclab::models::fibers::may_wake;
    EXPECT_TRUE(may_wake(2, 1, 0, 2));
    EXPECT_FALSE(may_wake(2, 1, 1, 2));  // a spinner will find it
    EXPECT_FALSE(may_wake(2, 0, 0, 2));  // nobody sleeps
    EXPECT_FALSE(may_wake(8, 6, 0, 2));  // two awake on two CPUs: one of them takes it
    EXPECT_TRUE(may_wake(8, 7, 0, 2));
    EXPECT_TRUE(may_wake(128, 100, 0, 64));
    EXPECT_FALSE(may_wake(128, 64, 0, 64));
    EXPECT_TRUE(may_wake(1, 1, 0, 1));
}

TEST(FibersRuntime, ReadsTheCpusFromTheAffinityMask) {
    cpu_set_t affinity;
    CPU_ZERO(&affinity);
    ASSERT_EQ(sched_getaffinity(0, sizeof affinity, &affinity), 0);
    conclab::models::fibers::StealingPool pool{3};
    EXPECT_EQ(pool.cpus(), static_cast<unsigned>(CPU_COUNT(&affinity)));
}

TEST(FibersRuntime, BlockOnWaitsForEverySpawnedFiber) {
    fibers::Runtime rt{2};
    std::atomic<int> finished{0};
    rt.block_on([&] {
        for (int i = 0; i < 100; ++i) {
            rt.spawn([&] {
                boost::this_fiber::sleep_for(5ms);
                rt.spawn([&] { ++finished; });  // spawned by a spawned task: waited for too
                ++finished;
            });
        }
    });
    EXPECT_EQ(finished.load(), 200);
}

TEST(FibersRuntime, RethrowsATasksException) {
    fibers::Runtime rt{2};
    EXPECT_THROW(rt.block_on([&] { rt.spawn([] { throw std::runtime_error{"boom"}; }); }), std::runtime_error);
    int ran = 0;
    rt.block_on([&] { ++ran; });  // still usable afterwards
    EXPECT_EQ(ran, 1);
}

// The fibers runtime's scheduler designs: the default (per-thread queues of
// 256 that spill to a global queue, runnext, stealing, spinning before
// sleeping), the same with unbounded queues, and the shared-queue variant.
std::unique_ptr<fibers::Runtime> fibers_runtime(unsigned threads, char const* design) {
    return std::make_unique<fibers::Runtime>(RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = design});
}
constexpr char const* scheduler_designs[] = {"", "unbounded-queues", "shared-queue"};

TEST(FibersRuntime, IdleThreadsSleep) {
    for (auto const* design : scheduler_designs) {
        auto rt = fibers_runtime(2, design);
        rt->block_on([] {});
        EXPECT_LT(looks_with_a_thread_runnable(*rt), looks / 2) << "design '" << design << "'";
    }
}

// A fiber made ready while its thread is busy (a fiber that never yields)
// is run by the other thread: it is stolen, here from the runnext slot.
TEST(FibersRuntime, AReadyFiberDoesNotWaitForABusyThread) {
    for (auto const* design : scheduler_designs) {
        auto rt = fibers_runtime(2, design);
        bool ran_meanwhile = false;
        rt->block_on([&] {
            std::atomic<bool> ran{false};
            rt->spawn([&] { ran = true; });
            auto const give_up = std::chrono::steady_clock::now() + 10s;  // a hang would be the failure
            while (!ran && std::chrono::steady_clock::now() < give_up) {
            }
            ran_meanwhile = ran;
        });
        EXPECT_TRUE(ran_meanwhile) << "design '" << design << "'";
    }
}

// The runnext slot: the fiber readied last by the running one runs next
// (Go's order); the shared queue runs them first come, first served.
TEST(FibersRuntime, TheFiberJustReadiedRunsNext) {
    for (auto const* design : scheduler_designs) {
        auto rt = fibers_runtime(1, design);
        std::string order;
        rt->block_on([&] {
            fibers::WaitGroup wg{2};
            rt->spawn([&] {
                order += 'a';
                wg.done();
            });
            rt->spawn([&] {
                order += 'b';
                wg.done();
            });
            wg.wait();  // suspends: the ready fibers run
            order += 'm';
        });
        EXPECT_EQ(order, std::string_view{design} != "shared-queue" ? "bam" : "abm") << "design '" << design << "'";
    }
}

// The order in which 1000 fibers spawned by one fiber (on one thread) run.
std::vector<int> run_order_of_1000_spawned(char const* design) {
    auto rt = fibers_runtime(1, design);
    std::vector<int> order;
    rt->block_on([&] {
        fibers::WaitGroup wg{1000};
        for (int i = 0; i < 1000; ++i) {
            rt->spawn([&order, &wg, i] {
                order.push_back(i);
                wg.done();
            });
        }
        wg.wait();
    });
    return order;
}

// Go's runq: a thread's queue holds 256; when the running fiber makes more
// ready, the older half goes to the global queue, so the newest run first
// (depth first through a tree) while the oldest still get a turn every
// 61st pick. Unbounded queues run them oldest first after runnext.
TEST(FibersRuntime, AFullQueueSendsItsOlderHalfToTheGlobalQueue) {
    auto const bounded = run_order_of_1000_spawned("");
    ASSERT_EQ(bounded.size(), 1000U);
    EXPECT_EQ(bounded.front(), 999);  // runnext
    EXPECT_GE(bounded[1], 1000 - static_cast<int>(fibers::StealingPool::go_local_capacity));  // a recent one
    auto const first = std::find(bounded.begin(), bounded.end(), 0);
    EXPECT_LT(first - bounded.begin(), 2 * 61) << "the global queue's oldest waited more than its turn";
    EXPECT_EQ(std::set<int>(bounded.begin(), bounded.end()).size(), 1000U);  // each ran once

    auto const unbounded = run_order_of_1000_spawned("unbounded-queues");
    std::vector<int> fifo{999};
    for (int i = 0; i < 999; ++i) fifo.push_back(i);
    EXPECT_EQ(unbounded, fifo);
}

// Two fibers handing off to each other through runnext forever must not
// starve a fiber waiting in the queue (runnext gets a bounded streak).
TEST(FibersRuntime, AHandOffPairDoesNotStarveTheQueue) {
    for (auto const* design : scheduler_designs) {
        auto rt = fibers_runtime(1, design);
        int rounds = 0;
        // out here: the echo fiber still runs after the main fiber closed ping
        std::atomic<bool> stop{false};
        fibers::Channel<int> ping{*rt, 0};
        fibers::Channel<int> pong{*rt, 0};
        rt->block_on([&] {
            rt->spawn([&] { stop = true; });
            rt->spawn([&] {
                while (auto v = ping.receive()) pong.send(*v);
            });
            while (!stop && rounds < 100'000) {
                ping.send(rounds++);
                pong.receive();
            }
            ping.close();
        });
        EXPECT_LT(rounds, 1000) << "design '" << design << "'";
    }
}

// Fibers are not preempted: a fiber whose channel operations never block
// would keep a fiber woken from another thread waiting forever on its
// thread. Channel operations yield once such a wake-up has waited 20 us.
TEST(FibersRuntime, AFiberThatNeverBlocksLetsAWokenFiberRun) {
    fibers::Runtime rt{1};
    bool woken_ran = false;
    // out here, so that they outlive a woken fiber that runs only after the loop gave up
    std::atomic<bool> done{false};
    fibers::Channel<int> signal{rt, 1};
    fibers::Channel<int> own{rt, 1023};
    rt.block_on([&] {
        rt.spawn([&] {
            signal.receive();  // blocks; woken by a thread outside the pool
            done = true;
        });
        std::thread outside{[&] {
            std::this_thread::sleep_for(10ms);
            signal.send(1);  // room in the buffer: does not block
        }};
        auto const give_up = std::chrono::steady_clock::now() + 10s;  // a hang would be the failure
        while (!done && std::chrono::steady_clock::now() < give_up) {
            own.send(1);  // never blocks: the buffer is never full
            own.receive();
        }
        woken_ran = done;
        outside.join();
    });
    EXPECT_TRUE(woken_ran);
}

TEST(FibersRuntime, SeveralPoolsWithDifferentThreadCountsCoexist) {
    fibers::Runtime one{1};
    fibers::Runtime two{2};
    int a = 0, b = 0;
    one.block_on([&] { a = 1; });
    two.block_on([&] { b = 2; });
    EXPECT_EQ(a + b, 3);
}

coroutines::Task<void> count(std::atomic<int>& finished) {
    ++finished;
    co_return;
}

coroutines::Task<void> sleep_then_count(coroutines::Runtime& rt, std::atomic<int>& finished) {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, 5ms};
    co_await timer.async_wait(boost::asio::deferred);
    rt.spawn(count(finished));  // spawned by a spawned task: waited for too
    ++finished;
}

coroutines::Task<void> fail() {
    throw std::runtime_error{"boom"};
    co_return;
}

TEST(CoroutinesRuntime, BlockOnWaitsForEverySpawnedCoroutine) {
    coroutines::Runtime rt{2};
    std::atomic<int> finished{0};
    rt.block_on([&]() -> coroutines::Task<void> {
        for (int i = 0; i < 100; ++i) rt.spawn(sleep_then_count(rt, finished));
        co_return;
    });
    EXPECT_EQ(finished.load(), 200);
}

TEST(CoroutinesRuntime, RethrowsATasksException) {
    coroutines::Runtime rt{2};
    EXPECT_THROW(rt.block_on([&]() -> coroutines::Task<void> {
        rt.spawn(fail());
        co_return;
    }),
                 std::runtime_error);
}

constexpr char const* coroutine_designs[] = {"", "io-context", "asio-channels", "go-channels", "ms-timers"};

std::unique_ptr<coroutines::Runtime> coroutines_runtime(unsigned threads, char const* design) {
    return std::make_unique<coroutines::Runtime>(RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = design});
}

TEST(CoroutinesRuntime, IdleThreadsSleep) {
    for (auto const* design : coroutine_designs) {
        auto rt = coroutines_runtime(2, design);
        rt->block_on([]() -> coroutines::Task<void> { co_return; });  // it has run, and has nothing left
        EXPECT_LT(looks_with_a_thread_runnable(*rt), looks / 2) << "design '" << design << "'";
    }
}

// A runtime's design is its own: two runtimes of different designs in one
// process each make their own channels (issue 33: no process-wide switch;
// the design used to be a global that the newest runtime set).
TEST(CoroutinesRuntime, EachRuntimeMakesTheChannelsOfItsOwnDesign) {
    auto go = coroutines_runtime(1, "go-channels");
    auto asio = coroutines_runtime(1, "asio-channels");
    auto plain = coroutines_runtime(1, "");
    EXPECT_EQ(coroutines::Channel<int>(go->executor(), 64).design(), coroutines::ChannelDesign::go);
    EXPECT_EQ(coroutines::Channel<int>(asio->executor(), 64).design(), coroutines::ChannelDesign::asio);
    EXPECT_EQ(coroutines::Channel<int>(plain->executor(), 64).design(), coroutines::ChannelDesign::array);
    EXPECT_EQ(coroutines::Channel<int>(plain->executor(), 4).design(), coroutines::ChannelDesign::go)
        << "a small channel is Go's design in every runtime";
}

TEST(CoroutinesRuntime, UnknownDesignsAreRefused) {
    EXPECT_THROW(coroutines_runtime(1, "no-such-design"), std::invalid_argument);
}

coroutines::Task<int> twice(int x) { co_return 2 * x; }
coroutines::Task<int> failing(int) {
    throw std::runtime_error{"inner"};
    co_return 0;
}
coroutines::Task<int> sum_of_twice(int n) {
    int sum = 0;
    for (int i = 0; i < n; ++i) sum += co_await twice(i);  // awaited, not spawned: runs in place
    co_return sum;
}

TEST(CoroutinesRuntime, AnAwaitedCoroutineGivesItsValueOrItsError) {
    coroutines::Runtime rt{1};
    int sum = 0;
    bool caught = false;
    rt.block_on([&]() -> coroutines::Task<void> {
        sum = co_await sum_of_twice(100);
        try {
            co_await failing(1);
        } catch (std::runtime_error const& e) {
            caught = std::string{e.what()} == "inner";
        }
    });
    EXPECT_EQ(sum, 9900);
    EXPECT_TRUE(caught);
}

coroutines::Task<void> note_flag(bool& flag) {
    flag = true;
    co_return;
}

coroutines::Task<void> note(std::string& order, char c) {
    order += c;
    co_return;
}

// Tokio's LIFO slot: the task readied last by the running one runs next on
// its thread; the one it displaced waits in the queue behind.
TEST(CoroutinesRuntime, TheTaskJustReadiedRunsNext) {
    coroutines::Runtime rt{1};
    std::string order;
    rt.block_on([&]() -> coroutines::Task<void> {
        rt.spawn(note(order, 'b'));
        rt.spawn(note(order, 'c'));  // takes the slot; b goes to the queue
        order += 'a';
        co_return;
    });
    EXPECT_EQ(order, "acb");
}

coroutines::Task<void> count_once(std::atomic<int>& ran) {
    ++ran;
    co_return;
}

// More than a run queue holds (256), from one task on one thread: the rest
// moves to the shared queue, and every task still runs exactly once.
TEST(CoroutinesRuntime, AFullRunQueueOverflowsAndLosesNothing) {
    for (unsigned threads : {1U, 2U}) {
        coroutines::Runtime rt{threads};
        std::atomic<int> ran{0};
        rt.block_on([&]() -> coroutines::Task<void> {
            for (int i = 0; i < 5000; ++i) rt.spawn(count_once(ran));
            co_return;
        });
        EXPECT_EQ(ran.load(), 5000) << threads << " threads";
    }
}

coroutines::Task<void> busy_until_two_threads(std::mutex& mutex, std::set<std::thread::id>& seen,
                                                   std::chrono::steady_clock::time_point give_up) {
    {
        std::lock_guard lock{mutex};
        seen.insert(std::this_thread::get_id());
    }
    // a task that keeps its thread: the others must be stolen by the other thread
    for (;;) {
        {
            std::lock_guard lock{mutex};
            if (seen.size() >= 2) break;
        }
        if (std::chrono::steady_clock::now() > give_up) break;
        std::this_thread::yield();
    }
    co_return;
}

// Tasks queued on a busy thread are stolen by an idle one (woken for them).
TEST(CoroutinesRuntime, QueuedTasksAreStolenByAnIdleThread) {
    coroutines::Runtime rt{2};
    std::mutex mutex;
    std::set<std::thread::id> seen;
    auto const give_up = std::chrono::steady_clock::now() + 10s;
    rt.block_on([&]() -> coroutines::Task<void> {
        for (int i = 0; i < 8; ++i) rt.spawn(busy_until_two_threads(mutex, seen, give_up));
        co_return;
    });
    EXPECT_EQ(seen.size(), 2U);
}

coroutines::Task<void> flood(coroutines::Channel<int>& channel, bool const& other_ran, bool& other_ran_first) {
    for (int i = 0; i < 1000; ++i) co_await channel.send(i);  // never waits: the buffer holds all
    other_ran_first = other_ran;
}

// Tokio's cooperative budget: a task whose channel operations never wait
// still lets the others on its thread run (after 128 operations).
TEST(CoroutinesRuntime, ATaskThatNeverWaitsGivesWay) {
    coroutines::Runtime rt{1};
    coroutines::Channel<int> channel{rt.executor(), 1000};
    bool other_ran = false;
    bool other_ran_first = false;
    rt.block_on([&]() -> coroutines::Task<void> {
        rt.spawn(flood(channel, other_ran, other_ran_first));
        rt.spawn(note_flag(other_ran));  // queued behind the flood (which the slot held)
        co_return;
    });
    EXPECT_TRUE(other_ran_first);
}

coroutines::Task<void> await_readable(coroutines::Watch& watch, std::chrono::milliseconds within, int& result) {
    bool const ready = co_await watch.readable(std::chrono::steady_clock::now() + within);
    result = ready ? 1 : 0;
}

// An Asio completion posted as the runtime shuts down never runs; it is
// freed (with what it holds) all the same, as an io_context frees its
// handlers: under ASan a leak here fails the test.
TEST(CoroutinesRuntime, WorkQueuedAtShutdownIsFreed) {
    for (auto const* design : coroutine_designs) {
        auto held = std::make_shared<int>(0);
        std::atomic<bool> started{false}, closing{false};
        {
            auto rt = coroutines_runtime(1, design);
            boost::asio::post(rt->executor(), [&started, &closing, held, ex = rt->executor()] {
                started.store(true);
                while (!closing.load()) std::this_thread::yield();
                std::this_thread::sleep_for(20ms);  // the runtime is shutting down by now
                boost::asio::post(ex, [held] { ++*held; });
            });
            while (!started.load()) std::this_thread::yield();
            closing.store(true);
        }
        EXPECT_EQ(held.use_count(), 1) << "design '" << design << "': the last completion was leaked";
    }
}

// The timer queue gives frames back earliest first, whether they were filed
// in order (the FIFO) or not (the heap), and only once due.
TEST(CoroutinesTimers, GiveTimersBackEarliestFirstAndOnlyWhenDue) {
    coroutines::TimerQueue timers;
    EXPECT_TRUE(timers.empty());
    // frames stand in as distinct addresses: deadline d's frame is &slots[d]
    std::vector<char> slots(1000);
    auto frame = [&](std::int64_t d) { return std::coroutine_handle<>::from_address(&slots[static_cast<std::size_t>(d)]); };
    std::vector<std::int64_t> filed;
    for (std::int64_t d = 100; d < 600; d += 5) filed.push_back(d);  // in order: the FIFO
    for (std::int64_t d = 997; d > 0; d -= 7) filed.push_back(d);    // out of order: the heap
    for (std::int64_t d = 300; d < 320; ++d) filed.push_back(d);     // in order again, behind a later one
    std::sort(filed.begin(), filed.end());
    filed.erase(std::unique(filed.begin(), filed.end()), filed.end());
    std::vector<std::int64_t> order = filed;
    std::mt19937 shuffle{42};
    std::shuffle(order.begin(), order.end(), shuffle);
    std::int64_t earliest = coroutines::TimerQueue::never;
    for (auto d : order) {
        bool const first = timers.add(d, frame(d));
        EXPECT_EQ(first, d < earliest) << d;
        earliest = std::min(earliest, d);
        EXPECT_EQ(timers.earliest(), earliest);
    }
    EXPECT_EQ(timers.size(), filed.size());
    std::vector<std::int64_t> woken;
    auto ready = [&](std::coroutine_handle<> h) { woken.push_back(static_cast<char*>(h.address()) - slots.data()); };
    EXPECT_EQ(timers.expire(filed.front() - 1, ready), 0U);
    std::int64_t now = 0;
    for (std::int64_t step : {150, 151, 400, 999}) {
        now = step;
        timers.expire(now, ready);
        std::vector<std::int64_t> due;
        std::copy_if(filed.begin(), filed.end(), std::back_inserter(due), [&](std::int64_t d) { return d <= now; });
        EXPECT_EQ(woken, due) << "at " << now;
    }
    EXPECT_TRUE(timers.empty());
}

// The FIFO keeps filing order among equal deadlines.
TEST(CoroutinesTimers, EqualDeadlinesWakeInTheOrderFiled) {
    coroutines::TimerQueue timers;
    std::vector<char> slots(10);
    for (std::size_t i = 0; i < slots.size(); ++i) timers.add(50, std::coroutine_handle<>::from_address(&slots[i]));
    std::vector<std::size_t> woken;
    timers.expire(50, [&](std::coroutine_handle<> h) { woken.push_back(static_cast<std::size_t>(static_cast<char*>(h.address()) - slots.data())); });
    EXPECT_EQ(woken, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

coroutines::Task<void> sleep_and_note(std::chrono::steady_clock::time_point due, std::vector<std::chrono::nanoseconds>& late,
                                           std::size_t i) {
    co_await coroutines::sleep_until(due);
    late[i] = std::chrono::steady_clock::now() - due;
}

// Sleepers of every length, spawned out of deadline order from inside and
// outside the runtime, each wake and none before its deadline; with
// Tokio's millisecond ticks, none before the next whole millisecond.
TEST(CoroutinesRuntime, SleepersWakeAtTheirDeadlinesNotBefore) {
    for (auto const* design : coroutine_designs) {
        auto rt = coroutines_runtime(2, design);
        auto const start = std::chrono::steady_clock::now();
        constexpr std::size_t n = 400;
        std::vector<std::chrono::nanoseconds> late(n, std::chrono::nanoseconds::min());
        auto due = [&](std::size_t i) { return start + std::chrono::microseconds{(i * 7919) % 30000}; };
        for (std::size_t i = 0; i < n / 2; ++i) rt->spawn(sleep_and_note(due(i), late, i));  // from outside
        rt->block_on([&]() -> coroutines::Task<void> {
            for (std::size_t i = n / 2; i < n; ++i) rt->spawn(sleep_and_note(due(i), late, i));
            co_await coroutines::sleep_for(5ms);  // the spawning task sleeps too
            co_return;
        });
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_NE(late[i], std::chrono::nanoseconds::min()) << "design '" << design << "': sleeper " << i << " never woke";
            EXPECT_GE(late[i].count(), 0) << "design '" << design << "': sleeper " << i << " woke early";
        }
    }
}

// With Tokio's millisecond ticks a sleep ends at a tick: a 100 us sleep
// started after a wake-up (which is at a tick or later) ends at the next
// tick or later, so 20 of them back to back take more than 19 ms, however
// late each wake-up is; without ticks they take 2 ms and their lateness.
TEST(CoroutinesRuntime, MillisecondTicksRoundEverySleepUp) {
    auto rt = coroutines_runtime(1, "ms-timers");
    std::chrono::steady_clock::time_point start, last_wake;
    rt->block_on([&]() -> coroutines::Task<void> {
        start = std::chrono::steady_clock::now();
        for (int i = 0; i < 20; ++i) co_await coroutines::sleep_for(100us);
        last_wake = std::chrono::steady_clock::now();
    });
    // the first sleep ends at a tick after start + 100 us; each next one a tick later at least
    EXPECT_GE(last_wake - start, 19ms);
}

// The readiness wait of url-fetch's coroutines client: it ends when the
// socket becomes readable, when it already was, or at the deadline.
TEST(CoroutinesRuntime, AWatchEndsAtReadinessOrAtTheDeadline) {
    for (auto const* design : coroutine_designs) {
        auto rt = coroutines_runtime(2, design);
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        int late = -1, early = -1, never = -1;
        {
            coroutines::Watch watch{rt->executor(), fds[0]};
            rt->block_on([&]() -> coroutines::Task<void> {
                rt->spawn(await_readable(watch, 10s, late));
                boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, 20ms};
                co_await timer.async_wait(boost::asio::deferred);
                EXPECT_EQ(::write(fds[1], "x", 1), 1);
            });
            // readable before the wait begins: no new edge, found by looking
            rt->block_on([&]() -> coroutines::Task<void> { co_await await_readable(watch, 10s, early); });
            char byte = 0;
            EXPECT_EQ(::read(fds[0], &byte, 1), 1);
            rt->block_on([&]() -> coroutines::Task<void> { co_await await_readable(watch, 30ms, never); });
        }
        ::close(fds[0]);
        ::close(fds[1]);
        EXPECT_EQ(late, 1) << "design '" << design << "'";
        EXPECT_EQ(early, 1) << "design '" << design << "'";
        EXPECT_EQ(never, 0) << "design '" << design << "'";
    }
}

TEST(TbbRuntime, RunsOnTheArenasThreadsOnly) {
    tbb::Runtime rt{2};
    EXPECT_EQ(rt.threads(), 2U);
    int concurrency = 0;
    rt.block_on([&] { concurrency = oneapi::tbb::this_task_arena::max_concurrency(); });
    EXPECT_EQ(concurrency, 2);
}

TEST(TbbRuntime, GivesMoreThreadsThanCoresWhenAsked) {
    tbb::Runtime rt{8};
    EXPECT_EQ(rt.threads(), 8U);
}

// Rayon's par_bridge: items are made once each, in order, one at a time;
// every item is run exactly once, on the arena's threads only.
TEST(TbbRuntime, ParBridgeRunsEveryItemOnceMadeInOrder) {
    for (unsigned threads : {1U, 2U, 4U}) {
        tbb::Runtime rt{threads};
        constexpr std::uint64_t n = 2000;
        std::vector<std::uint64_t> made;  // par_bridge calls `make` under its lock
        std::vector<std::atomic<int>> runs(n);
        std::atomic<int> outside{0};
        rt.block_on([&] {
            tbb::par_bridge(
                n,
                [&](std::uint64_t i) {
                    made.push_back(i);
                    return i;
                },
                [&](std::uint64_t i) {
                    runs[i].fetch_add(1);
                    if (oneapi::tbb::this_task_arena::current_thread_index() == oneapi::tbb::task_arena::not_initialized) {
                        outside.fetch_add(1);
                    }
                });
        });
        std::vector<std::uint64_t> in_order(n);
        std::iota(in_order.begin(), in_order.end(), std::uint64_t{0});
        EXPECT_EQ(made, in_order) << threads << " threads";
        for (std::uint64_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "item " << i;
        EXPECT_EQ(outside.load(), 0) << "items run outside the arena";
    }
}

TEST(TbbRuntime, ParBridgeRethrowsABodysException) {
    tbb::Runtime rt{2};
    EXPECT_THROW(rt.block_on([&] {
        tbb::par_bridge(
            100, [](std::uint64_t i) { return i; },
            [](std::uint64_t i) {
                if (i == 50) throw std::runtime_error{"item 50"};
            });
    }),
                 std::runtime_error);
}

TEST(TbbRuntime, IdleThreadsSleep) {
    tbb::Runtime rt{2};
    rt.block_on([] { oneapi::tbb::parallel_for(0, 1000, [](int) {}); });
    // TBB workers spin briefly after work before they sleep; the settle
    // time in looks_with_a_thread_runnable covers that.
    EXPECT_LT(looks_with_a_thread_runnable(rt), looks / 2);
}

TEST(ThreadsRuntime, BlockOnJoinsEverySpawnedThread) {
    threads::Runtime rt;
    std::atomic<int> finished{0};
    rt.block_on([&] {
        for (int i = 0; i < 20; ++i) {
            rt.spawn([&] {
                std::this_thread::sleep_for(5ms);
                rt.spawn([&] { ++finished; });
                ++finished;
            });
        }
    });
    EXPECT_EQ(finished.load(), 40);
}

TEST(ThreadsRuntime, RethrowsATasksException) {
    threads::Runtime rt;
    EXPECT_THROW(rt.block_on([&] { rt.spawn([] { throw std::runtime_error{"boom"}; }); }), std::runtime_error);
}

}  // namespace
}  // namespace conclab::models

namespace conclab {
namespace {

// A runtime reads its design from the table the registry offers (one
// declaration per variant): every token there builds, any other is refused.
template <class Runtime, class Designs>
void expect_designs_build(Designs const& designs, char const* model) {
    auto const build = [](std::string_view token) {
        Runtime rt{models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = std::string{token}}};
    };
    for (auto const& design : designs) EXPECT_NO_THROW(build(design.token)) << model << "/" << design.token;
    EXPECT_THROW(build("no-such-design"), std::invalid_argument) << model;
}

TEST(RuntimeDesigns, EveryDeclaredTokenBuildsAndNoOtherDoes) {
    expect_designs_build<models::fibers::Runtime>(models::fibers::designs, "fibers");
    expect_designs_build<models::coroutines::Runtime>(models::coroutines::designs, "coroutines");
    expect_designs_build<models::threads::Runtime>(models::threads::designs, "threads");
    auto const tbb_with = [](std::string design) { models::tbb::Runtime rt{models::RuntimeOptions{.threads = 1, .stack_bytes = 0, .design = design}}; };
    EXPECT_THROW(tbb_with("shared-queue"), std::invalid_argument);
}

}  // namespace
}  // namespace conclab
