// The coroutines model's primitives: what a co_spawn + co_await, a channel
// hand-off between two coroutines, and an uncontended channel send/receive
// cost here. The benchmark loop runs inside a coroutine on the runtime
// (threads:N = the io_context's OS threads), so timed in real time.
#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace {
using conclab::models::coroutines::awaitable;
using conclab::models::coroutines::Channel;
using conclab::models::coroutines::Runtime;

awaitable<void> nothing() { co_return; }

awaitable<void> echo(Channel<int>& ping, Channel<int>& pong) {
    while (auto v = co_await ping.receive()) co_await pong.send(*v);
}

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
    rt.block_on([&]() -> awaitable<void> {
        auto executor = co_await boost::asio::this_coro::executor;
        for (auto _ : state) {
            auto task = boost::asio::co_spawn(executor, nothing(), boost::asio::use_awaitable);
            co_await std::move(task);
        }
    });
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    Runtime rt{static_cast<unsigned>(state.range(0))};
    Channel<int> ping{rt.executor(), 1};
    Channel<int> pong{rt.executor(), 1};
    rt.block_on([&]() -> awaitable<void> {
        rt.spawn(echo(ping, pong));
        for (auto _ : state) {
            co_await ping.send(1);
            benchmark::DoNotOptimize(co_await pong.receive());
        }
        ping.close();
    });
}

// [push_pop] send then receive on a buffered channel, no other task
void push_pop(benchmark::State& state) {
    Runtime rt{1};
    Channel<int> channel{rt.executor(), 1023};
    rt.block_on([&]() -> awaitable<void> {
        for (auto _ : state) {
            co_await channel.send(1);
            benchmark::DoNotOptimize(co_await channel.receive());
        }
    });
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/coroutines")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(ping_pong)->Name("ping_pong/coroutines")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(push_pop)->Name("push_pop/coroutines")->UseRealTime();
BENCHMARK_MAIN();
