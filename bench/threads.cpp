// The threads model's primitives, on the default channel (design:0, the
// crossbeam-style ArrayChannel) and on the one it replaced (design:1,
// threads/moodycamel-queue): what starting and joining an OS thread costs,
// a channel hand-off between two threads (a wake-up each way), a
// send/receive with no other thread, and a channel under 4 senders and 4
// receivers. Timed in real time.
#include "models/threads/channel.hpp"
#include "models/threads/runtime.hpp"
#include "models/threads/wait_group.hpp"

#include <benchmark/benchmark.h>

#include <thread>
#include <vector>

namespace {
using conclab::models::threads::ArrayChannel;
using conclab::models::threads::QueueChannel;
using conclab::models::threads::Runtime;

// [spawn_join] start a task that does nothing and wait for it
void spawn_join(benchmark::State& state) {
    for (auto _ : state) {
        std::thread task{[] {}};
        task.join();
    }
}

// [ping_pong] one item to the other task and back, per iteration
template <template <class> class Channel>
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
template <template <class> class Channel>
void push_pop(benchmark::State& state) {
    Channel<int> channel{1023};
    for (auto _ : state) {
        channel.send(1);
        benchmark::DoNotOptimize(channel.receive());
    }
}

// [contended] 4 senders and 4 receivers through one channel of 1023, 100k items per iteration
template <template <class> class Channel>
void contended(benchmark::State& state) {
    for (auto _ : state) {
        Channel<int> channel{1023};
        std::vector<std::thread> receivers;
        for (int r = 0; r < 4; ++r) {
            receivers.emplace_back([&] {
                while (channel.receive()) {
                }
            });
        }
        std::vector<std::thread> senders;
        for (int s = 0; s < 4; ++s) {
            senders.emplace_back([&] {
                for (int i = 0; i < 25'000; ++i) channel.send(i);
            });
        }
        for (auto& sender : senders) sender.join();
        channel.close();
        for (auto& receiver : receivers) receiver.join();
    }
    state.SetItemsProcessed(state.iterations() * 100'000);
}
}  // namespace

BENCHMARK(spawn_join)->Name("spawn_join/threads")->UseRealTime();
BENCHMARK(ping_pong<ArrayChannel>)->Name("ping_pong/threads/design:0")->UseRealTime();
BENCHMARK(ping_pong<QueueChannel>)->Name("ping_pong/threads/design:1")->UseRealTime();
BENCHMARK(push_pop<ArrayChannel>)->Name("push_pop/threads/design:0")->UseRealTime();
BENCHMARK(push_pop<QueueChannel>)->Name("push_pop/threads/design:1")->UseRealTime();
BENCHMARK(contended<ArrayChannel>)->Name("contended/threads/design:0")->UseRealTime();
BENCHMARK(contended<QueueChannel>)->Name("contended/threads/design:1")->UseRealTime();
BENCHMARK_MAIN();
