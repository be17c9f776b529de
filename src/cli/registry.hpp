// Every scenario the runner offers, in `conclab list` order.
#pragma once

#include "src/scenario.hpp"

#include <string_view>
#include <vector>

namespace conclab {

std::vector<Scenario const*> const& scenarios();
Scenario const* find_scenario(std::string_view name) noexcept;

}  // namespace conclab
