// pipeline's shared parts: its parameters, validation and dispatch. The
// reference answer, ledger and measurement are worker-pool's.
#include "scenarios/pipeline/pipeline.hpp"

#include "scenarios/common_params.hpp"
#include "scenarios/limits.hpp"

namespace conclab::pipeline {
namespace {

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param(&Params::items, {"items", 100'000ULL, 0, 50'000'000,
                               "items through the pipeline (item i becomes mix applied `work` times to i)", "all", {}}),
        param(&Params::work, {"work", 100ULL, 0, 100'000'000, "mix steps per item in the transform stage (about 1 ns each)", "all", {}}),
        param(&Params::parallelism, {"parallelism", 2ULL, 1, 100'000, "transform tasks working at once", "fibers, coroutines, threads", {}}),
        param(&Params::buffer, {"buffer", 63ULL, 1, 1'048'575,
                                "capacity of each channel between stages; tbb/parallel-pipeline: 2 x buffer + parallelism tokens in "
                                "flight", "fibers, coroutines, threads", {}}),
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
            if (auto problem = limits::os_threads_refusal("parallelism", p.parallelism); !problem.empty()) return problem;
        }
        if (model == Model::fibers) {  // a fiber per transform task, each with its stack
            if (auto problem = limits::fiber_stacks_refusal("parallelism", p.parallelism, limits::fiber_stack_bytes); !problem.empty()) {
                return problem;
            }
        }
    }
    if (auto problem = validate_open_loop(values, p.items); !problem.empty()) return problem;
    return limits::total_work_refusal("items", p.items, p.work);
}

}  // namespace

worker_pool::Params Params::as_worker_pool() const noexcept {
    return worker_pool::Params{.jobs = items,
                               .workers = parallelism,
                               .work = work,
                               .buffer = buffer,
                               .wait_us = 0,
                               .threads = threads,
                               .arrivals = arrivals,
                               .record_latency = record_latency};
}

Params Spec::params_from(ParamValues const& values, CaseOptions const& options) { return pipeline::params_from(values, options); }

CaseMetrics Spec::measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once) {
    auto metrics = worker_pool::measure(p.as_worker_pool(), warmup, once);
    // the tasks: generator, transformers, aggregator; tbb: the arena's threads
    set_tasks(metrics, static_cast<double>(model == Model::tbb ? p.threads : p.parallelism + 2));
    return metrics;
}

Scenario Spec::describe() {
    return Scenario{
        .name = name,
        .summary = "generate -> transform (mix x work, `parallelism` wide) -> aggregate, stages joined by bounded channels",
        .unit = "items",
        .params = specs_of(params_table()),
        .metrics = {},
        .validate = validate,
        .setup = nullptr,
        .models = {},
        .reference = [](ParamValues const& values, std::span<std::uint64_t const>) {
            return worker_pool::expected_checksum(pipeline::params_from(values).as_worker_pool());
        },
        .items = [](ParamValues const& values) { return pipeline::params_from(values).items; },
        .small = {{"items", 500ULL}, {"parallelism", 3ULL}, {"buffer", 3ULL}, {"threads", 2ULL}},
        .least_wall_s = nullptr,
    };
}

}  // namespace conclab::pipeline
