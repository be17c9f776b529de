// worker-pool's shared parts: the reference answer, the ledger, the
// measurement of a case, and the parameters the runner offers.
#include "scenarios/worker_pool/worker_pool.hpp"

#include "scenarios/common_params.hpp"
#include "scenarios/limits.hpp"
#include "src/kit/latency.hpp"

#include <algorithm>
#include <memory>

namespace conclab::worker_pool {
namespace {

using limits::fiber_stack_bytes;

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param(&Params::jobs, {"jobs", 100'000ULL, 0, 50'000'000, "jobs to run (job i computes mix applied `work` times to i)", "all", {}}),
        param(&Params::workers, {"workers", 16ULL, 1, 1'000'000, "worker tasks taking jobs from the channel", "fibers, coroutines, threads", {}}),
        param(&Params::work, {"work", 100ULL, 0, 100'000'000, "mix steps per job (CPU work; about 1 ns each)", "all", {}}),
        param(&Params::buffer, {"buffer", 63ULL, 0, 1'048'575, "capacity of the jobs and results channels; 0 = rendezvous",
                                "fibers, coroutines, threads", {}}),
        param(&Params::wait_us, {"wait_us", 0ULL, 0, 10'000'000,
                                 "per-job wait after the compute: fiber sleep, coroutine sleep, or blocking sleep", "all", {}}),
        param(&Params::alloc_bytes, {"alloc_bytes", 0ULL, 0, 64ULL << 20,
                                     "heap bytes each job allocates, writes a byte of per page and frees: garbage for Go's collector, "
                                     "the same malloc work elsewhere", "all", {}}),
        param(&Params::threads, runtime_threads_param()),
        open_loop_param(&Params::arrivals),
    };
    return table;
}

Params params_from(ParamValues const& v, CaseOptions const& options = {}) {
    auto p = read_params(params_table(), v);
    p.record_latency = options.record_latency;
    return p;
}

std::string validate(ParamValues const& values, std::span<Model const> models) {
    Params const p = params_from(values);
    for (Model model : models) {
        if (model == Model::threads) {
            if (auto problem = limits::os_threads_refusal("workers", p.workers); !problem.empty()) return problem;
        }
        if (model == Model::fibers) {
            if (auto problem = limits::fiber_stacks_refusal("workers", p.workers, fiber_stack_bytes); !problem.empty()) return problem;
        }
    }
    // every task alive may hold one job's buffer at once
    if (auto const live = std::max<std::uint64_t>(p.workers, p.threads); p.alloc_bytes > 0 && live > limits::physical_memory_bytes() / 2 / p.alloc_bytes) {
        return "alloc_bytes=" + std::to_string(p.alloc_bytes) + " for each of " + std::to_string(live) +
               " jobs at once is more than half of this machine's " + std::to_string(limits::physical_memory_bytes() >> 30) +
               " GiB; lower --alloc-bytes or --workers";
    }
    if (auto problem = validate_open_loop(values, p.jobs); !problem.empty()) return problem;
    return limits::total_work_refusal("jobs", p.jobs, p.work);
}

}  // namespace

Done perform_allocating(Job const& job, std::uint64_t work, std::uint64_t alloc_bytes) {
    auto const buffer = std::make_unique<unsigned char[]>(alloc_bytes);  // zero-filled, as Go's make and Rust's vec! are
    Done done = perform(job, work);
    // the first byte of every page, through volatile stores the compiler must keep
    auto* const bytes = static_cast<unsigned char volatile*>(buffer.get());
    for (std::uint64_t at = 0; at < alloc_bytes; at += 4096) bytes[at] = static_cast<unsigned char>(done.result);
    return done;
}

std::uint64_t expected_checksum(Params const& params) noexcept {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < params.jobs; ++i) sum += contract::job_result(i, params.work);
    return sum;
}

Ledger::Ledger(std::uint64_t jobs, Schedule const& schedule, bool record_latency)
    : seen_{jobs}, latencies_{record_latency}, pacer_{schedule} {}

void Ledger::record(Done const& done) noexcept {
    if (seen_.book(done.index)) latencies_.record(Clock::now() - done.enqueued);
}

std::string Ledger::problems() const { return seen_.problems("job", "done"); }

CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once) {
    auto const expected = expected_checksum(p);
    auto const verify = [&](std::uint64_t checksum, Ledger const& ledger) {
        if (auto problems = ledger.problems(); !problems.empty()) throw WrongAnswer{problems};
        if (checksum != expected) throw WrongAnswer{"checksum " + hex64(checksum) + " differs from the reference " + hex64(expected)};
    };
    Schedule const schedule{p.arrivals, p.jobs};
    for (unsigned i = 0; i < warmup; ++i) {
        Ledger ledger{p.jobs, schedule, p.record_latency};
        ledger.start();
        verify(once(ledger), ledger);
    }
    Ledger ledger{p.jobs, schedule, p.record_latency};  // allocated and zeroed before the clock starts
    CaseMetrics metrics;
    Stopwatch stopwatch;
    ledger.start();
    auto const checksum = once(ledger);
    stopwatch.stop(p.jobs, metrics);
    set_rates(p.arrivals, metrics);
    verify(checksum, ledger);
    metrics.checksum = checksum;
    metrics.expected_checksum = expected;
    summarize_latencies(ledger.latencies().merged(), metrics);
    return metrics;
}

Params Spec::params_from(ParamValues const& values, CaseOptions const& options) { return worker_pool::params_from(values, options); }

CaseMetrics Spec::measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once) {
    auto metrics = worker_pool::measure(p, warmup, once);
    // the tasks alive at once: the workers; in tbb, the arena's threads
    set_tasks(metrics, static_cast<double>(model == Model::tbb ? p.threads : p.workers));
    return metrics;
}

Scenario Spec::describe() {
    Scenario s{
    .name = name,
    .summary = "a producer feeds `jobs` jobs through a channel to `workers` workers; a collector sums the results",
    .unit = "jobs",
    .params = specs_of(params_table()),
    .metrics = {},
    .validate = validate,
    .setup = nullptr,
    .models = {},
    .reference = [](ParamValues const& values, std::span<std::uint64_t const>) { return expected_checksum(worker_pool::params_from(values)); },
    .items = [](ParamValues const& values) { return worker_pool::params_from(values).jobs; },
    .small = {{"jobs", 500ULL}, {"workers", 4ULL}, {"threads", 2ULL}},
    // at most `workers` waits at once (tbb and rayon: `threads`)
    .least_wall_s = [](ParamValues const& values) {
        auto const p = worker_pool::params_from(values);
        auto const at_once = std::max<std::uint64_t>(p.workers, p.threads);
        return static_cast<double>(p.jobs / at_once * p.wait_us) * 1e-6;
    },
    };
    return s;
}

}  // namespace conclab::worker_pool
