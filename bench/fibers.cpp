// The fibers model's primitives: what a goroutine spawn, a channel hand-off
// between two goroutines, and an uncontended channel push/pop cost here.
// Multi-threaded, so timed in real time; the benchmark loop runs inside a
// fiber of the runtime (threads:N = the runtime's OS threads).
#include "models/fibers/channel.hpp"
#include "models/fibers/runtime.hpp"

#include <benchmark/benchmark.h>
#include <boost/fiber/fiber.hpp>

namespace {
using conclab::models::fibers::Channel;
using conclab::models::fibers::Runtime;

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
    rt.block_on([&] {
        for (auto _ : state) {
            boost::fibers::fiber task{[] {}};
            task.join();
        }
    });
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
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
    Runtime rt{1};
    Channel<int> channel{1023};
    rt.block_on([&] {
        for (auto _ : state) {
            channel.send(1);
            benchmark::DoNotOptimize(channel.receive());
        }
    });
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/fibers")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(ping_pong)->Name("ping_pong/fibers")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(push_pop)->Name("push_pop/fibers")->UseRealTime();
BENCHMARK_MAIN();
