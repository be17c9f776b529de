#include "scenarios/registry.hpp"

#include "models/coroutines/runtime.hpp"
#include "models/fibers/runtime.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"
#include "scenarios/harness.hpp"
#include "src/case_loop.hpp"
#include "scenarios/idle_tasks/idle_tasks.hpp"
#include "scenarios/pipeline/pipeline.hpp"
#include "scenarios/task_tree/task_tree.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"
#include "scenarios/worker_pool/worker_pool.hpp"
#include "src/peer.hpp"

#include <algorithm>
#include <functional>

namespace conclab {
namespace {

using harness::RunByRuntime;

// A scenario as registered: its description with its models, and how to
// build the entry of one of its models on a runtime design variant.
struct Registered {
    Scenario scenario;
    std::function<ModelEntry(ModelId const& variant, std::string const& changes)> on_design;
};

class Registry {
public:
    /// A scenario folder: its Spec, and the four model files' `run`.
    template <class Spec>
    void scenario() {
        Scenario s = Spec::describe();
        auto const& peer_extras = peer_metrics();  // the Go peer's collector, when a peer runs it
        s.metrics.insert(s.metrics.end(), peer_extras.begin(), peer_extras.end());
        s.params.push_back(background_load_param());  // the runner's, for every scenario (src/case_loop.hpp)
        s.models = {
            harness::entry<Spec, models::fibers::Runtime>(Model::fibers, {}, RunByRuntime{}),
            harness::entry<Spec, models::coroutines::Runtime>(Model::coroutines, {}, RunByRuntime{}),
            harness::entry<Spec, models::tbb::Runtime>(Model::tbb, {}, RunByRuntime{}),
            harness::entry<Spec, models::threads::Runtime>(Model::threads, {}, RunByRuntime{}),
        };
        auto on_design = [](ModelId const& id, std::string const& changes) {
            switch (id.base) {
                case Model::fibers: return harness::entry<Spec, models::fibers::Runtime>(id, changes, RunByRuntime{}, id.variant);
                case Model::coroutines:
                    return harness::entry<Spec, models::coroutines::Runtime>(id, changes, RunByRuntime{}, id.variant);
                case Model::tbb: return harness::entry<Spec, models::tbb::Runtime>(id, changes, RunByRuntime{}, id.variant);
                case Model::threads: return harness::entry<Spec, models::threads::Runtime>(id, changes, RunByRuntime{}, id.variant);
                case Model::go:
                case Model::tokio:
                case Model::rayon:
                case Model::rust_threads: break;  // peers are programs of their own (src/peer.hpp)
            }
            throw std::logic_error{"unknown model"};
        };
        all_.push_back({std::move(s), on_design});
    }

    /// A runtime design variant: every scenario's code for that model, on a
    /// runtime built another way (the runtime reads the variant's name).
    void design(ModelId const& id, std::string const& changes) {
        for (auto& r : all_) r.scenario.models.push_back(r.on_design(id, changes));
    }

    /// A variant with a scenario file of its own: `run` on Runtime.
    template <class Spec, class Runtime, class Run>
    void variant(ModelId const& id, std::string const& changes, Run run) {
        for (auto& r : all_) {
            if (r.scenario.name == Spec::name) r.scenario.models.push_back(harness::entry<Spec, Runtime>(id, changes, run));
        }
    }

    std::vector<Registered> const& all() const noexcept { return all_; }

private:
    std::vector<Registered> all_;
};

Registry const& registry() {
    static Registry const registry = [] {
        Registry r;
        r.scenario<worker_pool::Spec>();
        r.scenario<url_fetch::Spec>();
        r.scenario<task_tree::Spec>();
        r.scenario<idle_tasks::Spec>();
        r.scenario<pipeline::Spec>();

        r.design({Model::fibers, "shared-queue"},
                 "one mutex-guarded ready queue for the whole pool and idle threads on one condition variable, instead of "
                 "per-thread queues with a runnext slot, work stealing and spinning before sleeping (Go's scheduler)");
        r.design({Model::fibers, "unbounded-queues"},
                 "each thread's run queue is an unbounded FIFO instead of holding 256 fibers and sending its older "
                 "half to a global queue when a running fiber makes more (Go's runq): a tree of tasks is expanded "
                 "breadth first, most of it alive at once");
        r.design({Model::fibers, "boost-channels"},
                 "Boost.Fiber's buffered_channel and unbuffered_channel (a spinlock taken by every operation, capacity "
                 "rounded up to 2^k - 1) instead of a crossbeam-style array channel");
        r.design({Model::fibers, "fresh-stacks"},
                 "a new malloc'd stack for every fiber, freed when it ends, instead of stacks reused from per-thread caches");
        r.design({Model::threads, "moodycamel-queue"},
                 "channels on moodycamel's BlockingConcurrentQueue under two semaphores (every empty or full channel "
                 "blocks the thread) instead of a crossbeam-style array channel that spins, yields, then parks");
        r.design({Model::coroutines, "io-context"},
                 "every ready coroutine goes through one Asio io_context run by the threads (one locked queue for all, "
                 "timers and sockets in the same loop) instead of per-thread queues with a LIFO slot and work stealing "
                 "(Tokio's scheduler)");
        r.design({Model::coroutines, "go-channels"},
                 "buffered channels of Go's design (one lock per channel, an item handed straight to a waiting "
                 "receiver) instead of a lock-free ring of slots with lists of waiters woken to try again "
                 "(async-channel, the channel Tokio programs use)");
        r.design({Model::coroutines, "asio-channels"},
                 "channels on Asio's concurrent_channel (every operation completes through the executor, even when it "
                 "need not wait) instead of Go's channel design (one lock, direct hand-off to a waiting coroutine)");
        r.design({Model::coroutines, "ms-timers"},
                 "every sleep rounded up to the next whole millisecond, as Tokio's timer wheel files it (its resolution "
                 "is 1 ms), instead of a timer that wakes its coroutine as soon as it is due");
        r.design({Model::fibers, "guard-pages"},
                 "each fiber stack mmap'd below a guard page (Boost's protected_fixedsize_stack): an overflow faults "
                 "instead of corrupting memory, at two kernel mappings per fiber");
        r.variant<url_fetch::Spec, models::tbb::Runtime>(
            {Model::tbb, "suspend"},
            "a task suspends while its socket is not ready (tbb::task::suspend, resumed by a poller thread) instead of "
            "blocking its thread: C requests in flight on T threads",
            [](auto& rt, auto const& p, auto& ledger) { return url_fetch::tbb_suspend::run(rt, p, ledger); });
        r.variant<url_fetch::Spec, models::coroutines::Runtime>(
            {Model::coroutines, "beast-streams"},
            "Beast's asynchronous operations on a tcp_stream (every completion posted through the reactor's queue, a "
            "timer re-armed per operation, a strand per task) instead of the task's own non-blocking socket calls "
            "that await readiness only when they would block",
            [](auto& rt, auto const& p, auto& ledger) { return url_fetch::coroutines_beast_streams::run(rt, p, ledger); });
        r.variant<pipeline::Spec, models::tbb::Runtime>(
            {Model::tbb, "parallel-pipeline"},
            "oneTBB's parallel_pipeline (a serial generator filter, then parallel transform and aggregate filters, "
            "items passed on tokens) instead of par_bridge (each thread takes the next item under a lock and carries "
            "it through)",
            [](auto& rt, auto const& p, auto& ledger) {
                return pipeline::tbb_pipeline::run(rt, p, ledger, pipeline::tbb_pipeline::Aggregate::parallel);
            });
        r.variant<pipeline::Spec, models::tbb::Runtime>(
            {Model::tbb, "serial-aggregate"},
            "the aggregate stage takes one item at a time into one sum (a serial_out_of_order filter) instead of "
            "summing on every thread into a partial sum per thread",
            [](auto& rt, auto const& p, auto& ledger) {
                return pipeline::tbb_pipeline::run(rt, p, ledger, pipeline::tbb_pipeline::Aggregate::serial);
            });
        r.variant<pipeline::Spec, models::tbb::Runtime>(
            {Model::tbb, "ordered"},
            "the aggregate stage takes items in generation order (parallel_pipeline's serial_in_order filter)",
            [](auto& rt, auto const& p, auto& ledger) {
                return pipeline::tbb_pipeline::run(rt, p, ledger, pipeline::tbb_pipeline::Aggregate::ordered);
            });
        r.variant<task_tree::Spec, models::tbb::Runtime>(
            {Model::tbb, "task-group"},
            "a task per child in a task_group per parent (Rayon's scope and spawn) instead of a parallel_reduce over "
            "the children split into one part per thread",
            [](auto& rt, auto const& p) { return task_tree::tbb_task_group::run(rt, p); });
        r.variant<pipeline::Spec, models::fibers::Runtime>(
            {Model::fibers, "ordered"},
            "the aggregator takes items in generation order: a reorder buffer holds those that arrive early",
            [](auto& rt, auto const& p, auto& ledger) { return pipeline::fibers_ordered::run(rt, p, ledger); });
        return r;
    }();
    return registry;
}

}  // namespace

std::vector<Scenario const*> const& scenarios() {
    static std::vector<Scenario const*> const all = [] {
        std::vector<Scenario const*> out;
        for (auto const& r : registry().all()) out.push_back(&r.scenario);
        return out;
    }();
    return all;
}

Scenario const* find_scenario(std::string_view name) noexcept {
    for (auto const* scenario : scenarios()) {
        if (scenario->name == name) return scenario;
    }
    return nullptr;
}

std::vector<VariantInfo> variants() {
    std::vector<VariantInfo> out;
    for (auto const* scenario : scenarios()) {
        for (auto const& entry : scenario->models) {
            if (!entry.id.is_variant()) continue;
            auto known = std::find_if(out.begin(), out.end(), [&](VariantInfo const& v) { return v.id == entry.id; });
            if (known == out.end()) known = out.insert(out.end(), VariantInfo{entry.id, entry.changes, {}});
            known->scenarios.push_back(scenario->name);
        }
    }
    return out;
}

std::vector<ModelId> known_models() {
    std::vector<ModelId> out(all_models.begin(), all_models.end());
    for (auto const& variant : variants()) out.push_back(variant.id);
    return out;
}

}  // namespace conclab
