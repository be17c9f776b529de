// The tbb model's primitives: what a task_group run + wait, a hand-off
// between two tasks through concurrent_bounded_queue (the blocking queue a
// Rayon program would reach for: both tasks hold a thread while they wait,
// so ping_pong needs an arena of 2), and an uncontended concurrent_queue
// push/pop cost here. Timed in real time.
#include "models/tbb/runtime.hpp"

#include "bench/thread_counts.hpp"

#include <benchmark/benchmark.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/task_group.h>

namespace {
using conclab::models::tbb::Runtime;

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
    rt.block_on([&] {
        for (auto _ : state) {
            oneapi::tbb::task_group group;
            group.run([] {});
            group.wait();
        }
    });
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
    oneapi::tbb::concurrent_bounded_queue<int> ping;
    oneapi::tbb::concurrent_bounded_queue<int> pong;
    ping.set_capacity(1);
    pong.set_capacity(1);
    rt.block_on([&] {
        oneapi::tbb::task_group group;
        group.run([&] {
            for (int v = 0; v >= 0;) {  // a negative item ends the echo
                ping.pop(v);
                pong.push(v);
            }
        });
        int v = 0;
        for (auto _ : state) {
            ping.push(1);
            pong.pop(v);
            benchmark::DoNotOptimize(v);
        }
        ping.push(-1);
        pong.pop(v);
        group.wait();
    });
}

// [push_pop] push then pop on a queue, no other task
void push_pop(benchmark::State& state) {
    Runtime rt{1};
    oneapi::tbb::concurrent_queue<int> queue;
    rt.block_on([&] {
        int v = 0;
        for (auto _ : state) {
            queue.push(1);
            benchmark::DoNotOptimize(queue.try_pop(v));
        }
    });
}
// 1, 2, 4, ... up to this machine's cores (bench/thread_counts.hpp)
void threads(benchmark::internal::Benchmark* b, int minimum) {
    b->ArgName("threads");
    for (int t : conclab::bench::thread_counts(conclab::bench::machine_cores(), minimum)) b->Arg(t);
    b->UseRealTime();
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/tbb")->Apply([](auto* b) { threads(b, 1); });
BENCHMARK(ping_pong)->Name("ping_pong/tbb")->Apply([](auto* b) { threads(b, 2); });
BENCHMARK(push_pop)->Name("push_pop/tbb")->UseRealTime();
BENCHMARK_MAIN();
