#include "scenarios/registry.hpp"

#include "models/coroutines/runtime.hpp"
#include "models/fibers/runtime.hpp"
#include "models/tbb/runtime.hpp"
#include "models/threads/runtime.hpp"
#include "conclab_scenario_list.hpp"
#include "scenarios/harness.hpp"
#include "scenarios/pipeline/pipeline.hpp"
#include "scenarios/url_fetch/url_fetch.hpp"
#include "src/runner/case_loop.hpp"
#include "src/runner/peer.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <tuple>

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
        s.params.push_back(background_load_param());  // the runner's, for every scenario (src/runner/case_loop.hpp)
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
                case Model::rust_threads: break;  // peers are programs of their own (src/runner/peer.hpp)
            }
            throw std::logic_error{"unknown model"};
        };
        all_.push_back({std::move(s), on_design});
    }

    /// A runtime's design variants (models/<model>/runtime.hpp): every
    /// scenario's code for that model, on a runtime built another way (the
    /// runtime reads the variant's token from the same table).
    template <class Design, std::size_t N>
    void designs(Model model, std::array<models::DesignVariant<Design>, N> const& designs) {
        for (auto const& design : designs) {
            ModelId const id{model, std::string{design.token}};
            for (auto& r : all_) r.scenario.models.push_back(r.on_design(id, std::string{design.changes}));
        }
    }

    /// A variant with a scenario file of its own: `run` on Runtime.
    template <class Spec, class Runtime, class Run>
    void variant(Model model, harness::FileVariant const& variant, Run run) {
        ModelId const id{model, std::string{variant.token}};
        for (auto& r : all_) {
            if (r.scenario.name == Spec::name) {
                r.scenario.models.push_back(harness::entry<Spec, Runtime>(id, std::string{variant.changes}, run));
            }
        }
    }

    std::vector<Registered> const& all() const noexcept { return all_; }

private:
    std::vector<Registered> all_;
};

Registry const& registry() {
    static Registry const registry = [] {
        Registry r;
        // every scenario folder, in scenarios/meson.build's order (its list is the only one)
        std::apply([&r](auto... specs) { (r.scenario<decltype(specs)>(), ...); }, ScenarioSpecs{});

        // the runtimes' design variants, as each runtime declares them
        r.designs(Model::fibers, models::fibers::designs);
        r.designs(Model::coroutines, models::coroutines::designs);
        r.designs(Model::threads, models::threads::designs);
        // the variants with a scenario file of their own, as each scenario's header declares them
        r.variant<url_fetch::Spec, models::tbb::Runtime>(Model::tbb, url_fetch::tbb_suspend::variant,
            [](auto& rt, auto const& p, auto& ledger) { return url_fetch::tbb_suspend::run(rt, p, ledger); });
        r.variant<url_fetch::Spec, models::coroutines::Runtime>(Model::coroutines, url_fetch::coroutines_beast_streams::variant,
            [](auto& rt, auto const& p, auto& ledger) { return url_fetch::coroutines_beast_streams::run(rt, p, ledger); });
        using pipeline::tbb_pipeline::Aggregate;
        r.variant<pipeline::Spec, models::tbb::Runtime>(Model::tbb, pipeline::tbb_pipeline::parallel_pipeline,
            [](auto& rt, auto const& p, auto& ledger) { return pipeline::tbb_pipeline::run(rt, p, ledger, Aggregate::parallel); });
        r.variant<pipeline::Spec, models::tbb::Runtime>(Model::tbb, pipeline::tbb_pipeline::serial_aggregate,
            [](auto& rt, auto const& p, auto& ledger) { return pipeline::tbb_pipeline::run(rt, p, ledger, Aggregate::serial); });
        r.variant<pipeline::Spec, models::tbb::Runtime>(Model::tbb, pipeline::tbb_pipeline::ordered,
            [](auto& rt, auto const& p, auto& ledger) { return pipeline::tbb_pipeline::run(rt, p, ledger, Aggregate::ordered); });
        r.variant<task_tree::Spec, models::tbb::Runtime>(Model::tbb, task_tree::tbb_task_group::variant,
            [](auto& rt, auto const& p) { return task_tree::tbb_task_group::run(rt, p); });
        r.variant<pipeline::Spec, models::fibers::Runtime>(Model::fibers, pipeline::fibers_ordered::variant,
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
