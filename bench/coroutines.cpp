// The coroutines model's primitives, in the default runtime and in the
// designs it replaced (design:0 = Tokio's scheduler and Go's channel;
// design:1 = coroutines/io-context; design:2 = coroutines/asio-channels):
// what awaiting a coroutine costs, a task spawn, a channel hand-off
// between two tasks (a wake-up each way), a push/pop with no other task, a
// channel under 4 senders and 4 receivers. (No steal benchmark as for
// fibers: as in Tokio, a task readied by the running one waits in its
// thread's LIFO slot, which is not stolen, until that one awaits.)
// Multi-threaded, so timed in real time; the benchmark loop runs inside a task of the runtime
// (threads:N = the runtime's OS threads).
#include "models/coroutines/channel.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/coroutines/wait_group.hpp"

#include "bench/thread_counts.hpp"

#include <benchmark/benchmark.h>

#include <memory>

namespace {
using conclab::models::RuntimeOptions;
using conclab::models::coroutines::Task;
using conclab::models::coroutines::Channel;
using conclab::models::coroutines::Runtime;
using conclab::models::coroutines::WaitGroup;

std::unique_ptr<Runtime> runtime(benchmark::State const& state) {
    static char const* const designs[] = {"", "io-context", "asio-channels"};
    return std::make_unique<Runtime>(
        RuntimeOptions{.threads = static_cast<unsigned>(state.range(0)), .stack_bytes = 0, .design = designs[state.range(1)]});
}

Task<int> one() { co_return 1; }
Task<void> done(WaitGroup& wg) {
    wg.done();
    co_return;
}
Task<void> echo(Channel<int>& ping, Channel<int>& pong) {
    while (auto v = co_await ping.receive()) co_await pong.send(*v);
}
Task<void> send_some(Channel<int>& channel, WaitGroup& wg) {
    for (int i = 0; i < 2500; ++i) co_await channel.send(i);
    wg.done();
}
Task<void> receive_all(Channel<int>& channel, WaitGroup& wg) {
    while (auto item = co_await channel.receive()) benchmark::DoNotOptimize(item);  // not `while (co_await ...)`: task.hpp
    wg.done();
}

// [await] call a coroutine and await its value (a function call, async)
void await(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&]() -> Task<void> {
        for (auto _ : state) benchmark::DoNotOptimize(co_await one());
    });
}

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&]() -> Task<void> {
        for (auto _ : state) {
            WaitGroup wg{rt->executor(), 1};
            rt->spawn(done(wg));
            co_await wg.wait();
        }
    });
}

// [spawn] start 1000 tasks that do nothing, then wait for all (task-tree's pattern)
void spawn(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&]() -> Task<void> {
        for (auto _ : state) {
            WaitGroup wg{rt->executor(), 1000};
            for (int i = 0; i < 1000; ++i) rt->spawn(done(wg));
            co_await wg.wait();
        }
    });
    state.SetItemsProcessed(state.iterations() * 1000);
}

// [ping_pong] one item to the other task and back, per iteration
void ping_pong(benchmark::State& state) {
    auto rt = runtime(state);
    Channel<int> ping{rt->executor(), 1};
    Channel<int> pong{rt->executor(), 1};
    rt->block_on([&]() -> Task<void> {
        rt->spawn(echo(ping, pong));
        for (auto _ : state) {
            co_await ping.send(1);
            benchmark::DoNotOptimize(co_await pong.receive());
        }
        ping.close();
    });
}

// [push_pop] send then receive on a buffered channel, no other task
void push_pop(benchmark::State& state) {
    auto rt = runtime(state);
    Channel<int> channel{rt->executor(), 1023};
    rt->block_on([&]() -> Task<void> {
        for (auto _ : state) {
            co_await channel.send(1);
            benchmark::DoNotOptimize(co_await channel.receive());
        }
    });
}

// [contended] 4 senders and 4 receivers through one channel of 1023, 10k items per iteration
void contended(benchmark::State& state) {
    auto rt = runtime(state);
    rt->block_on([&]() -> Task<void> {
        for (auto _ : state) {
            Channel<int> channel{rt->executor(), 1023};
            WaitGroup senders{rt->executor(), 4};
            WaitGroup receivers{rt->executor(), 4};
            for (int s = 0; s < 4; ++s) rt->spawn(send_some(channel, senders));
            for (int r = 0; r < 4; ++r) rt->spawn(receive_all(channel, receivers));
            co_await senders.wait();
            channel.close();
            co_await receivers.wait();
        }
    });
    state.SetItemsProcessed(state.iterations() * 10'000);
}

// 1, 2, 4, ... up to this machine's cores (bench/thread_counts.hpp)
std::vector<int> counts(int minimum = 1) { return conclab::bench::thread_counts(conclab::bench::machine_cores(), minimum); }

void designs(benchmark::internal::Benchmark* b, std::vector<int> const& threads) {
    b->ArgNames({"threads", "design"});
    for (int t : threads) {
        for (int design : {0, 1, 2}) b->Args({t, design});
    }
    b->UseRealTime();
}
}  // namespace

BENCHMARK(await)->Name("await/coroutines")->Apply([](auto* b) { designs(b, {1}); });
BENCHMARK(spawn_join)->Name("spawn_join/coroutines")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(spawn)->Name("spawn/coroutines")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(ping_pong)->Name("ping_pong/coroutines")->Apply([](auto* b) { designs(b, counts()); });
BENCHMARK(push_pop)->Name("push_pop/coroutines")->Apply([](auto* b) { designs(b, {1}); });
BENCHMARK(contended)->Name("contended/coroutines")->Apply([](auto* b) { designs(b, counts(2)); });
BENCHMARK_MAIN();
