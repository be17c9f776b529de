// The registry: every scenario, and every model and variant that runs it,
// in `conclab list` order. One line per scenario and per variant in
// registry.cpp; list, run, sweep, the case child, tests and docs read it.
#pragma once

#include "src/kit/scenario.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

std::vector<Scenario const*> const& scenarios();
Scenario const* find_scenario(std::string_view name) noexcept;

/// A variant as `conclab list` shows it: what it changes and where it runs.
struct VariantInfo {
    ModelId id;
    std::string changes;
    std::vector<std::string> scenarios;  ///< the scenarios that have it
};
std::vector<VariantInfo> variants();

/// Every model token of every scenario (the four, then the variants).
std::vector<ModelId> known_models();

/// Runs `model` of scenario Spec on typed parameters (tests, benchmarks):
/// the same entry the runner uses. Throws std::invalid_argument for a
/// model the scenario does not have.
template <class Spec>
CaseMetrics run_model(ModelId const& model, typename Spec::Params const& p, unsigned warmup = 1) {
    auto const* scenario = find_scenario(Spec::name);
    auto const* entry = scenario != nullptr ? scenario->find_model(model) : nullptr;
    if (entry == nullptr) throw std::invalid_argument{std::string{Spec::name} + " has no model " + model.token()};
    return entry->run_params(&p, CaseOptions{.warmup = warmup});
}

}  // namespace conclab
