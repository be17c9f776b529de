// What the results were measured on: CPU, cores, memory, kernel, compiler,
// library versions and conclab's own build. Goes into every JSON output.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace conclab {

nlohmann::json describe_machine();
nlohmann::json describe_build();

/// Now, as "2026-11-22T10:00:00Z": when results were started or written.
std::string utc_now();

}  // namespace conclab
