// What measuring costs: reading the clock, recording a latency (plain
// histogram; lock-free recorder from 1, 2, 4, ... threads up to the cores), and a
// whole worker-pool run (on every core) at work=0 (the cheapest case, where recording weighs
// most) in every model with and without latency recording (--no-latency).
#include "bench/thread_counts.hpp"
#include "models/coroutines/runtime.hpp"
#include "models/fibers/runtime.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"
#include "scenarios/worker_pool/worker_pool.hpp"
#include "src/kit/histogram.hpp"

#include <benchmark/benchmark.h>

namespace {
using namespace conclab;

// [clock_now] one steady_clock reading: every latency takes two
void clock_now(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(Clock::now());
}

// [histogram_record] one value into a plain histogram
void histogram_record(benchmark::State& state) {
    Histogram h;
    std::uint64_t lcg = 1;
    for (auto _ : state) {
        h.record(lcg >> 34);  // values spread over the buckets
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    benchmark::DoNotOptimize(h.count());
}

// [recorder_record] one latency into the shared per-CPU recorder
void recorder_record(benchmark::State& state) {
    static LatencyRecorder* recorder = nullptr;
    if (state.thread_index() == 0) recorder = new LatencyRecorder;
    std::int64_t value = 1000 + state.thread_index();
    for (auto _ : state) {
        recorder->record(std::chrono::nanoseconds{value});
        value = (value * 7 + 13) % 10'000'000;
    }
    if (state.thread_index() == 0) {
        delete recorder;
        recorder = nullptr;
    }
}

// [worker_pool] one closed-loop run: 20000 jobs, work 0, 4 workers, 2 threads;
// range(0) = 1 records latencies, 0 does not
template <class Runtime>
void worker_pool_run(benchmark::State& state, Runtime& rt) {
    worker_pool::Params p{.jobs = 20'000, .workers = 4, .work = 0, .buffer = 63, .wait_us = 0, .threads = 2,
                          .arrivals = {}, .record_latency = state.range(0) == 1};
    Schedule const schedule{p.arrivals, p.jobs};
    for (auto _ : state) {
        worker_pool::Ledger ledger{p.jobs, schedule, p.record_latency};
        ledger.start();
        benchmark::DoNotOptimize(worker_pool::run(rt, p, ledger));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * p.jobs));
}

void worker_pool_fibers(benchmark::State& state) {
    models::fibers::Runtime rt{bench::machine_cores()};
    worker_pool_run(state, rt);
}
void worker_pool_coroutines(benchmark::State& state) {
    models::coroutines::Runtime rt{bench::machine_cores()};
    worker_pool_run(state, rt);
}
void worker_pool_tbb(benchmark::State& state) {
    models::tbb::Runtime rt{bench::machine_cores()};
    worker_pool_run(state, rt);
}
void worker_pool_threads(benchmark::State& state) {
    models::threads::Runtime rt;
    worker_pool_run(state, rt);
}
}  // namespace

BENCHMARK(clock_now)->Name("clock_now");
BENCHMARK(histogram_record)->Name("histogram_record");
BENCHMARK(recorder_record)->Name("recorder_record")->Apply([](auto* b) {
    for (int t : conclab::bench::thread_counts(conclab::bench::machine_cores())) b->Threads(t);
    b->UseRealTime();
});
BENCHMARK(worker_pool_fibers)->Name("worker_pool_work0/fibers")->ArgName("latency")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(worker_pool_coroutines)->Name("worker_pool_work0/coroutines")->ArgName("latency")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(worker_pool_tbb)->Name("worker_pool_work0/tbb")->ArgName("latency")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(worker_pool_threads)->Name("worker_pool_work0/threads")->ArgName("latency")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK_MAIN();
