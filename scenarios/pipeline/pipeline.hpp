// pipeline: generate -> transform -> aggregate. The generator emits items
// 0..items-1 (open loop: each when it is due); `parallelism` transformers
// compute the contract's job on each (mix applied `work` times); the
// aggregator sums the results. Stages are connected by bounded channels
// of `buffer` items (tbb: no stages; each thread carries an item through).
// The answer is worker-pool's, the sum of job_result(i, work), so the
// ledger and the check are worker-pool's too; latency is per item, from
// generation (or due time) to aggregation. Specification: README.md here.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/harness.hpp"
#include "scenarios/worker_pool/worker_pool.hpp"

namespace conclab::pipeline {

using worker_pool::Ledger;

/// An item between generate and transform, and between transform and
/// aggregate: worker-pool's job and result.
using Item = worker_pool::Job;
using Mixed = worker_pool::Done;

struct Params {
    std::uint64_t items = 0;
    std::uint64_t work = 0;         ///< K: mix steps per item in the transform stage
    std::uint64_t parallelism = 1;  ///< P: transform tasks (fibers, coroutines, threads)
    std::uint64_t buffer = 1;       ///< capacity of each channel between stages
    unsigned threads = 1;           ///< T: OS threads of the fibers/coroutines/tbb runtime
    Arrivals arrivals{};
    bool record_latency = true;

    /// tbb: items in flight, what the two channels and P transformers hold.
    std::uint64_t tokens() const noexcept { return 2 * buffer + parallelism; }
    /// The same run described as worker-pool parameters (its measure() and checks).
    worker_pool::Params as_worker_pool() const noexcept;
};

/// The transform stage's work, the same in every model.
inline Mixed transform_item(Item const& item, std::uint64_t work) noexcept { return worker_pool::perform(item, work); }

/// Each model file's one entry point (scenarios/pipeline/<model>.cpp), by
/// runtime type: one run on the caller's runtime, the model's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::threads::Runtime& rt, Params const& p, Ledger& ledger);

/// Variants with a file of their own (scenarios/registry.cpp lists them).
namespace tbb_pipeline {
/// The aggregate filter: on any thread, one item at a time as they come, or
/// one at a time in generation order.
enum class Aggregate { parallel, serial, ordered };
inline constexpr harness::FileVariant parallel_pipeline{
    "parallel-pipeline",
    "oneTBB's parallel_pipeline (a serial generator filter, then parallel transform and aggregate filters, "
    "items passed on tokens) instead of par_bridge (each thread takes the next item under a lock and carries "
    "it through)"};
inline constexpr harness::FileVariant serial_aggregate{
    "serial-aggregate",
    "the aggregate stage takes one item at a time into one sum (a serial_out_of_order filter) instead of "
    "summing on every thread into a partial sum per thread"};
inline constexpr harness::FileVariant ordered{
    "ordered", "the aggregate stage takes items in generation order (parallel_pipeline's serial_in_order filter)"};
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Ledger& ledger, Aggregate how);
}  // namespace tbb_pipeline
namespace fibers_ordered {
inline constexpr harness::FileVariant variant{
    "ordered", "the aggregator takes items in generation order: a reorder buffer holds those that arrive early"};
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Ledger& ledger);
}  // namespace fibers_ordered

/// What the harness needs of pipeline (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "pipeline";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once);
};

}  // namespace conclab::pipeline
