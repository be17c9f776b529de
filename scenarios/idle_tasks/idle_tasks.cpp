// idle-tasks' shared parts: the tally of a run, the reference answer, the
// measurement of a case, and the parameters the runner offers.
#include "scenarios/idle_tasks/idle_tasks.hpp"

#include "models/tbb/timer.hpp"
#include "scenarios/common_params.hpp"
#include "scenarios/contract.hpp"
#include "scenarios/limits.hpp"
#include "src/kit/latency.hpp"
#include "src/kit/stopwatch.hpp"

namespace conclab::idle_tasks {
namespace {

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param(&Params::tasks, {"tasks", 10'000ULL, 1, 10'000'000, "tasks launched; each waits, then adds mix(i) to the checksum", "all", {}}),
        param(&Params::wait_ms, {"wait_ms", 1'000ULL, 0, 600'000,
                                 "each task's wait from its start: fiber sleep, coroutine sleep, suspended TBB task, thread sleep",
                                 "all", {}}),
        param(&Params::threads, runtime_threads_param()),
        fiber_stack_bytes_param(&Params::stack_bytes),
    };
    return table;
}

Params params_from(ParamValues const& v) { return read_params(params_table(), v); }

std::string validate(ParamValues const& values, std::span<Model const> models) {
    Params const p = params_from(values);
    auto const tasks = std::to_string(p.tasks);
    for (Model model : models) {
        if (model == Model::threads) {
            if (auto problem = limits::os_threads_refusal("tasks", p.tasks); !problem.empty()) return problem;
        }
        if (model == Model::tbb && p.tasks > models::tbb::Timer::max_suspended()) {
            return "tasks=" + tasks + " suspended TBB tasks need a stack each, two memory mappings apiece, and this machine's " +
                   "vm.max_map_count allows about " + std::to_string(models::tbb::Timer::max_suspended()) +
                   "; lower --tasks, leave tbb out of --models, or raise vm.max_map_count (sysctl, as root)";
        }
        if (model == Model::fibers) {
            if (auto problem = limits::fiber_stacks_refusal("tasks", p.tasks, p.stack_bytes); !problem.empty()) return problem;
        }
        if (model == Model::coroutines) {
            if (auto problem = limits::memory_refusal("tasks=" + tasks + " waiting coroutines", p.tasks, coroutine_task_bytes, "tasks",
                                                      "coroutines");
                !problem.empty()) {
                return problem;
            }
        }
    }
    return {};
}

}  // namespace

Clock::time_point Tally::enter(Params const& p) noexcept {
    auto const alive = alive_.fetch_add(1, std::memory_order_relaxed) + 1;
    auto peak = peak_.load(std::memory_order_relaxed);
    while (alive > peak && !peak_.compare_exchange_weak(peak, alive, std::memory_order_relaxed)) {
    }
    return Clock::now() + std::chrono::milliseconds{p.wait_ms};
}

void Tally::leave(std::uint64_t index, Clock::time_point due) noexcept {
    latencies_.record(Clock::now() - due);
    checksum_.fetch_add(contract::mix(index), std::memory_order_relaxed);
    woken_.fetch_add(1, std::memory_order_relaxed);
    alive_.fetch_sub(1, std::memory_order_relaxed);
}

std::uint64_t expected_checksum(std::uint64_t tasks) noexcept {
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < tasks; ++i) sum += contract::mix(i);
    return sum;
}

CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Tally&)> const& once) {
    auto const expected = expected_checksum(p.tasks);
    auto const verify = [&](std::uint64_t checksum, Tally const& tally) {
        if (tally.woken() != p.tasks) {
            throw WrongAnswer{std::to_string(tally.woken()) + " task(s) woke, " + std::to_string(p.tasks) + " were launched"};
        }
        if (checksum != expected) throw WrongAnswer{"checksum " + hex64(checksum) + " differs from the reference " + hex64(expected)};
    };
    for (unsigned i = 0; i < warmup; ++i) {
        Tally tally;
        verify(once(tally), tally);
    }
    Tally tally;
    CaseMetrics metrics;
    Stopwatch stopwatch;
    auto const started = Clock::now();
    auto const checksum = once(tally);
    stopwatch.stop(p.tasks, metrics);
    verify(checksum, tally);
    metrics.checksum = checksum;
    metrics.expected_checksum = expected;
    summarize_latencies(tally.latencies().merged(), metrics);
    auto const tasks = static_cast<double>(p.tasks);
    metrics.extra["spawn_s"] = std::chrono::duration<double>(tally.launched_at() - started).count();
    metrics.extra["peak_alive"] = static_cast<double>(tally.peak_alive());
    metrics.extra["heap_bytes_per_task"] = metrics.heap_allocated_bytes / tasks;  // per task launched
    // RSS per task alive at once: when launching outlasts the wait, early
    // tasks have finished (and their memory is reused) before the last start
    set_tasks(metrics, static_cast<double>(tally.peak_alive()));
    return metrics;
}

// Every task records its wake-up lateness (or nothing to record): --no-latency changes nothing here.
Params Spec::params_from(ParamValues const& values, CaseOptions const&) { return idle_tasks::params_from(values); }

CaseMetrics Spec::measure(Model, Params const& p, unsigned warmup, std::function<std::uint64_t(Tally&)> const& once) {
    return idle_tasks::measure(p, warmup, once);
}

Scenario Spec::describe() {
    return Scenario{
        .name = name,
        .summary = "`tasks` tasks each wait `wait_ms` on the model's timer, all at once: what a waiting task costs",
        .unit = "tasks",
        .params = specs_of(params_table()),
        .metrics = {{"spawn_s", "s", "spawn", 1, false, false, false},
                    {"peak_alive", "count", "alive", 1, false, false, false},
                    {"heap_bytes_per_task", "bytes", "heap B/task", 1, false, false, false}},
        .validate = validate,
        .setup = nullptr,
        .models = {},
        .reference = [](ParamValues const& values, std::span<std::uint64_t const>) { return expected_checksum(idle_tasks::params_from(values).tasks); },
        .items = [](ParamValues const& values) { return idle_tasks::params_from(values).tasks; },
        .small = {{"tasks", 60ULL}, {"wait_ms", 2ULL}, {"threads", 2ULL}},
        // every task waits wait_ms from its start
        .least_wall_s = [](ParamValues const& values) { return static_cast<double>(idle_tasks::params_from(values).wait_ms) * 1e-3; },
    };
}

}  // namespace conclab::idle_tasks
