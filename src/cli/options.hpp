// What the commands of the CLI share: exit codes and the parsing of the
// flags that are not scenario parameters.
#pragma once

#include "src/model.hpp"
#include "src/scenario.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace conclab::cli {

inline constexpr int exit_failed_runs = 1;
inline constexpr int exit_usage = 2;

/// "fibers,coroutines,tbb,threads"
std::string model_list();
/// "worker-pool, url-fetch"
std::string scenario_list();
/// A comma-separated list of model or variant tokens, each one `known`
/// has; UsageError for unknown or repeated ones, naming what is known.
std::vector<ModelId> parse_models(std::string const& text, std::vector<ModelId> const& known);
/// The models and variants of a scenario.
std::vector<ModelId> models_of(Scenario const& scenario);
/// A flag that is not a scenario parameter, checked by the same rules.
std::uint64_t parse_number(std::string const& flag, std::string const& text, std::uint64_t min, std::uint64_t max);

}  // namespace conclab::cli
