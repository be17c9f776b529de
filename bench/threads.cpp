// The threads model's primitives: what starting and joining an OS thread,
// a channel hand-off between two threads, and an uncontended channel
// send/receive cost here (the channel of models/threads on moodycamel's
// BlockingConcurrentQueue). Timed in real time.
#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"

#include <benchmark/benchmark.h>

#include <thread>

namespace {
using conclab::models::threads::Channel;
using conclab::models::threads::Runtime;

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    for (auto _ : state) {
        std::thread task{[] {}};
        task.join();
    }
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    Runtime rt;
    Channel<int> ping{1};
    Channel<int> pong{1};
    rt.block_on([&] {
        rt.spawn([&] {
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
    Channel<int> channel{1023};
    for (auto _ : state) {
        channel.send(1);
        benchmark::DoNotOptimize(channel.receive());
    }
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/threads")->UseRealTime();
BENCHMARK(ping_pong)->Name("ping_pong/threads")->UseRealTime();
BENCHMARK(push_pop)->Name("push_pop/threads")->UseRealTime();
BENCHMARK_MAIN();
