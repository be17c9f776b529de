// The runtimes' promises, in every model that has them: block_on returns
// only after every task spawned under it has finished, an exception in a
// task reaches the caller of block_on, and an idle runtime's threads sleep
// instead of spinning (Boost.Fiber's work_stealing spins by default).
#include "models/coroutines/runtime.hpp"
#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"
#include "src/machine.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/fiber/operations.hpp>
#include <gtest/gtest.h>
#include <oneapi/tbb/parallel_for.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

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

// The fibers runtime's scheduler designs: the default (per-thread queues,
// runnext, stealing, spinning before sleeping) and the shared-queue variant.
std::unique_ptr<fibers::Runtime> fibers_runtime(unsigned threads, char const* design) {
    return std::make_unique<fibers::Runtime>(RuntimeOptions{.threads = threads, .stack_bytes = 0, .design = design});
}
constexpr char const* scheduler_designs[] = {"", "shared-queue"};

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
        EXPECT_EQ(order, *design == 0 ? "bam" : "abm") << "design '" << design << "'";
    }
}

// Two fibers handing off to each other through runnext forever must not
// starve a fiber waiting in the queue (runnext gets a bounded streak).
TEST(FibersRuntime, AHandOffPairDoesNotStarveTheQueue) {
    for (auto const* design : scheduler_designs) {
        auto rt = fibers_runtime(1, design);
        int rounds = 0;
        // out here: the echo fiber still runs after the main fiber closed ping
        std::atomic<bool> stop{false};
        fibers::Channel<int> ping{0};
        fibers::Channel<int> pong{0};
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
    fibers::Channel<int> signal{1};
    fibers::Channel<int> own{1023};
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

coroutines::awaitable<void> count(std::atomic<int>& finished) {
    ++finished;
    co_return;
}

coroutines::awaitable<void> sleep_then_count(coroutines::Runtime& rt, std::atomic<int>& finished) {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, 5ms};
    co_await timer.async_wait(boost::asio::use_awaitable);
    rt.spawn(count(finished));  // spawned by a spawned task: waited for too
    ++finished;
}

coroutines::awaitable<void> fail() {
    throw std::runtime_error{"boom"};
    co_return;
}

TEST(CoroutinesRuntime, BlockOnWaitsForEverySpawnedCoroutine) {
    coroutines::Runtime rt{2};
    std::atomic<int> finished{0};
    rt.block_on([&]() -> coroutines::awaitable<void> {
        for (int i = 0; i < 100; ++i) rt.spawn(sleep_then_count(rt, finished));
        co_return;
    });
    EXPECT_EQ(finished.load(), 200);
}

TEST(CoroutinesRuntime, RethrowsATasksException) {
    coroutines::Runtime rt{2};
    EXPECT_THROW(rt.block_on([&]() -> coroutines::awaitable<void> {
        rt.spawn(fail());
        co_return;
    }),
                 std::runtime_error);
}

TEST(CoroutinesRuntime, IdleThreadsSleep) {
    coroutines::Runtime rt{2};
    EXPECT_LT(looks_with_a_thread_runnable(rt), looks / 2);
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
