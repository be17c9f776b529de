// JSON forms of a case's metrics and outcome: what a child process prints
// and what the results file holds for each run.
#pragma once

#include "src/kit/case.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/params.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace conclab {

/// A metric's value in JSON: the number, or null when there is none (NaN).
nlohmann::json number_or_null(double value);

nlohmann::json metrics_to_json(CaseMetrics const& metrics);
/// Throws std::invalid_argument for counts that are not whole numbers >= 0
/// and for negative times, rates, latencies or memory (a peer's or a
/// file's numbers are checked, not taken on trust).
CaseMetrics metrics_from_json(nlohmann::json const& json);

/// A count in a results file: a whole number >= 0 (nlohmann would take -1
/// as 2^64-1 and 1.5 as 1); throws std::invalid_argument naming `name`.
std::uint64_t count_from_json(nlohmann::json const& value, std::string_view name);
/// A repetition number: a count below a million.
unsigned repetition_from_json(nlohmann::json const& value);

/// Deepest nesting and longest line (or reply) a results reader takes.
inline constexpr int max_json_depth = 64;
inline constexpr std::size_t max_json_line_bytes = std::size_t{16} << 20;

/// One JSON text, parsed only when it is at most max_json_line_bytes long
/// and max_json_depth deep; else, or when it is not JSON, a discarded value
/// (check is_discarded()). Deeper values crashed merge and --resume.
nlohmann::json parse_bounded(std::string_view text, std::size_t max_bytes = max_json_line_bytes);

/// The whole of a results or sweep file; a FIFO, a device or a directory is
/// refused with UsageError (a FIFO hung report, /dev/zero grew merge).
std::string read_results_text(std::string const& path);
nlohmann::json outcome_to_json(CaseOutcome const& outcome);
/// A case request both ways; from_json throws std::invalid_argument naming
/// what is missing or malformed (the child reports it as an error outcome).
nlohmann::json request_to_json(CaseRequest const& request);
CaseRequest request_from_json(nlohmann::json const& json);
CaseOutcome outcome_from_json(nlohmann::json const& json);
/// Parameters as a JSON object (numbers and strings); from_json takes every
/// key and throws std::invalid_argument for other types.
nlohmann::json params_to_json(ParamValues const& values);
ParamValues params_from_json(nlohmann::json const& json);

}  // namespace conclab
