// JSON forms of a case's metrics and outcome: what a child process prints
// and what the results file holds for each run.
#pragma once

#include "src/case.hpp"
#include "src/metrics.hpp"
#include "src/params.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace conclab {

/// A metric's value in JSON: the number, or null when there is none (NaN).
nlohmann::json number_or_null(double value);

nlohmann::json metrics_to_json(CaseMetrics const& metrics);
CaseMetrics metrics_from_json(nlohmann::json const& json);
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
