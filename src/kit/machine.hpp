// What the results were measured on: CPU, cores, memory, kernel, compiler,
// library versions and conclab's own build. Goes into every JSON output.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace conclab {

nlohmann::json describe_machine();
nlohmann::json describe_build();

/// Now, as "2026-11-22T10:00:00Z": when results were started or written.
std::string utc_now();

/// The machine's hardware threads, at least 1 (std::thread may say 0).
unsigned hardware_threads() noexcept;

/// The fields of a /proc stat file ("/proc/self/stat",
/// "/proc/self/task/<tid>/stat") from field 3 on: proc(5) numbers them from
/// 1, so fields[n - 3] is field n (field 3 is the state). Empty if unreadable.
std::vector<std::string> proc_stat_fields(std::string const& stat_file);

}  // namespace conclab
