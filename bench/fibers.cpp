// The fibers model's primitives, in the default runtime and in the designs
// it replaced (design:0 = Go's: per-thread queues, runnext, stealing and
// cached stacks, the array channel; design:1 = fibers/shared-queue;
// design:2 = fibers/fresh-stacks; design:3 = fibers/boost-channels): what a
// goroutine spawn costs, a channel hand-off between two goroutines (a
// wake-up each way), a push/pop with no other
// task, a channel under 4 senders and 4 receivers, and how soon a fiber
// readied on a busy thread runs on another (a steal). Multi-threaded, so
// timed in real time; the benchmark loop runs inside a fiber of the runtime
// (threads:N = the runtime's OS threads).
#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"
#include "models/fibers/wait_group.hpp"

#include "bench/thread_counts.hpp"

#include <benchmark/benchmark.h>
#include <boost/fiber/fiber.hpp>

#include <atomic>
#include <memory>

namespace {
using conclab::models::RuntimeOptions;
using conclab::models::fibers::Channel;
using conclab::models::fibers::Runtime;
using conclab::models::fibers::WaitGroup;

std::unique_ptr<Runtime> runtime(benchmark::State const& state) {
    static char const* const designs[] = {"", "shared-queue", "fresh-stacks", "boost-channels"};
    return std::make_unique<Runtime>(RuntimeOptions{.threads = static_cast<unsigned>(state.range(0)),
                                                    .stack_bytes = 16 * 1024,
                                                    .design = designs[state.range(1)]});
}

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&] {
        for (auto _ : state) {
            WaitGroup wg{1};
            rt->spawn([&] { wg.done(); });
            wg.wait();
        }
    });
}

// [spawn] start 1000 tasks that do nothing, then wait for all (task-tree's pattern)
void spawn(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&] {
        for (auto _ : state) {
            WaitGroup wg{1000};
            for (int i = 0; i < 1000; ++i) rt->spawn([&] { wg.done(); });
            wg.wait();
        }
    });
    state.SetItemsProcessed(state.iterations() * 1000);
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    auto rt = runtime(state);
    Channel<int> ping{*rt, 1};
    Channel<int> pong{*rt, 1};
    rt->block_on([&] {
        rt->spawn([&] {
            while (auto v = ping.receive()) pong.send(*v);
        });
        for (auto _ : state) {
            ping.send(1);
            benchmark::DoNotOptimize(pong.receive());
        }
        ping.close();
    });
}

// [push_pop] send then receive on a buffered channel, no other task
void push_pop(benchmark::State& state) {
    auto rt = runtime(state);
    Channel<int> channel{*rt, 1023};
    rt->block_on([&] {
        for (auto _ : state) {
            channel.send(1);
            benchmark::DoNotOptimize(channel.receive());
        }
    });
}

// [contended] 4 senders and 4 receivers through one channel of 1023, 10k items per iteration
void contended(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&] {
        for (auto _ : state) {
            Channel<int> channel{*rt, 1023};
            WaitGroup senders{4};
            WaitGroup receivers{4};
            for (int s = 0; s < 4; ++s) {
                rt->spawn([&] {
                    for (int i = 0; i < 2500; ++i) channel.send(i);
                    senders.done();
                });
            }
            for (int r = 0; r < 4; ++r) {
                rt->spawn([&] {
                    while (channel.receive()) {
                    }
                    receivers.done();
                });
            }
            senders.wait();
            channel.close();
            receivers.wait();
        }
    });
    state.SetItemsProcessed(state.iterations() * 10'000);
}

// [steal] a task readied while its thread is busy (never yields): time until another thread runs it
void steal(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&] {
        for (auto _ : state) {
            std::atomic<bool> ran{false};
            rt->spawn([&] { ran.store(true, std::memory_order_release); });
            while (!ran.load(std::memory_order_acquire)) {
            }
        }
    });
}

// 1, 2, 4, ... up to this machine's cores (bench/thread_counts.hpp)
std::vector<int> counts(int minimum = 1) { return conclab::bench::thread_counts(conclab::bench::machine_cores(), minimum); }

void designs(benchmark::internal::Benchmark* b, std::vector<int> const& threads) {
    b->ArgNames({"threads", "design"});
    for (int t : threads) {
        for (int design : {0, 1, 2, 3}) b->Args({t, design});
    }
    b->UseRealTime();
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/fibers")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(spawn)->Name("spawn/fibers")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(ping_pong)->Name("ping_pong/fibers")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(push_pop)->Name("push_pop/fibers")->Apply([](auto* b) { designs(b, {1}); });
BENCHMARK(contended)->Name("contended/fibers")->Apply([](auto* b) { designs(b, counts(2)); });
BENCHMARK(steal)->Name("steal/fibers")->Apply([](auto* b) { designs(b, counts(2)); });
BENCHMARK_MAIN();
