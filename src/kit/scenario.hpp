// What the runner knows of a scenario. Each scenario folder describes one;
// scenarios/registry.cpp lists them with their models and variants.
#pragma once

#include "src/kit/case.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/params.hpp"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conclab {

/// What a scenario keeps running around its cases in the runner's process,
/// such as url-fetch's target server. Built before the first case, stopped
/// after the last.
class Fixture {
public:
    virtual ~Fixture() = default;
    /// Values every case gets on top of the run's parameters (the live
    /// target's URL, say); the results keep the parameters as given.
    virtual ParamValues case_values() const = 0;
    /// Ends what the fixture runs (idempotent); facts gathered on the way,
    /// such as the server's CPU, are in describe() afterwards.
    virtual void stop() = 0;
    /// For the results: a JSON object, and one line for the table.
    virtual nlohmann::json describe() const = 0;
    virtual std::string summary() const = 0;
};

/// Why peer `model` cannot run a case with `values` (empty: it can). The
/// peers run closed loop only, but in the scenarios whose contract has
/// them pace the arrivals themselves (`open_loop`: cache-service).
inline std::string peer_refusal(ParamValues const& values, Model model, bool open_loop = false) {
    if (!is_peer(model) || open_loop) return {};
    auto const rate = values.find("rate");
    auto const* per_second = rate == values.end() ? nullptr : std::get_if<std::uint64_t>(&rate->second);
    if (per_second == nullptr || *per_second == 0) return {};
    auto const name = std::string{token(model)};
    return name + " runs closed loop only (--rate is conclab's open-loop schedule, which the peers do not have); leave --rate out, or " +
           name + " out of --models";
}

/// One way to run a scenario: a model, or a variant of one.
struct ModelEntry {
    ModelId id;
    std::string changes;  ///< a variant: the one thing it changes, one line; empty for a model itself
    /// Builds the runtime, does options.warmup verified runs, then one
    /// measured run, verified after; throws WrongAnswer for a wrong answer.
    std::function<CaseMetrics(ParamValues const& values, CaseOptions const& options)> run_case;
    /// The same on the scenario's own Params type (tests and benchmarks use
    /// run_model<Spec>, which checks the type).
    std::function<CaseMetrics(void const* params, CaseOptions const& options)> run_params;
};

struct Scenario {
    std::string name;      ///< the token on the command line and in JSON: "worker-pool"
    std::string summary;   ///< one line
    std::string unit;      ///< what throughput counts: "jobs"
    std::vector<ParamSpec> params;
    std::vector<ExtraMetric> metrics;  ///< the scenario's own metrics, beyond metric_list()
    /// Refuses combinations that cannot run (with a message saying why and
    /// what would work); returns an empty string when all is well. A
    /// variant is held to its model's limits.
    std::string (*validate)(ParamValues const& values, std::span<Model const> models);
    /// Builds the scenario's fixture, or returns nullptr when it needs none;
    /// throws UsageError when what the parameters name cannot be used (an
    /// unreachable target). nullptr: the scenario never needs one.
    std::unique_ptr<Fixture> (*setup)(ParamValues const& values) = nullptr;
    /// The models that run it: the four, then its variants (the registry's).
    /// The peers (src/runner/peer.hpp) run every scenario and are not listed here.
    std::vector<ModelEntry> models = {};
    /// The contract's answer for a run with these parameters, leaving out
    /// the items in `failed` (url-fetch's faulted requests): what a peer's
    /// checksum is checked against (the models check their own).
    std::uint64_t (*reference)(ParamValues const& values, std::span<std::uint64_t const> failed) = nullptr;
    /// The items a run books, done or failed (jobs, requests, tasks of the
    /// whole tree...): a reply that counts other than this is implausible.
    std::uint64_t (*items)(ParamValues const& values) = nullptr;
    /// A small case (the values that differ from the defaults) that every
    /// model, variant and peer finishes in about a second: what the tests
    /// that run each of them (registry, peers) run.
    ParamValues small = {};
    /// The least wall time the parameters allow, in seconds (the waits and
    /// delays that cannot overlap more than the parameters let them); 0
    /// when nothing is known. A reply faster than this is implausible.
    double (*least_wall_s)(ParamValues const& values) = nullptr;
    /// The peers pace an open-loop schedule themselves (the contract says
    /// how); elsewhere --rate is conclab's only and the peers refuse it.
    bool peers_open_loop = false;

    /// validate() for models and variants: a variant is held to its model's limits.
    /// A peer is held to the limits of the model it is like (held_to_limits_of).
    std::string check(ParamValues const& values, std::span<ModelId const> models) const {
        std::vector<Model> bases;
        for (auto const& model : models) {
            if (auto problem = peer_refusal(values, model.base, peers_open_loop); !problem.empty()) return problem;
            auto const base = held_to_limits_of(model.base);
            if (std::find(bases.begin(), bases.end(), base) == bases.end()) bases.push_back(base);
        }
        return validate(values, bases);
    }

    /// Whether `model` runs this scenario: one of its models or variants, or a peer.
    bool runs(ModelId const& model) const noexcept { return find_model(model) != nullptr || (is_peer(model.base) && !model.is_variant()); }

    /// The entry of `model`, or nullptr when this scenario has no such model.
    ModelEntry const* find_model(ModelId const& model) const noexcept {
        for (auto const& entry : models) {
            if (entry.id == model) return &entry;
        }
        return nullptr;
    }
};

/// The models of `models` that `scenario` refuses to run with `values`,
/// each with the reason (validate() asked one model at a time).
inline std::vector<std::pair<ModelId, std::string>> refused_models(Scenario const& scenario, ParamValues const& values,
                                                                   std::span<ModelId const> models) {
    std::vector<std::pair<ModelId, std::string>> refused;
    for (auto const& model : models) {
        Model const one[] = {held_to_limits_of(model.base)};
        if (auto problem = peer_refusal(values, model.base, scenario.peers_open_loop); !problem.empty()) {
            refused.emplace_back(model, std::move(problem));
        } else if (auto problem = scenario.validate(values, std::span<Model const>{one}); !problem.empty()) {
            refused.emplace_back(model, std::move(problem));
        }
    }
    return refused;
}

}  // namespace conclab
