// What the results were measured on: CPU, cores, memory, kernel, compiler,
// library versions and conclab's own build. Goes into every JSON output.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace conclab {

nlohmann::json describe_machine();
nlohmann::json describe_build();

}  // namespace conclab
