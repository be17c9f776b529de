// `conclab report`: everything a report says, computed here (medians,
// intervals, significance, verdicts) into one JSON model; the script
// report/conclab_report.py only draws it (matplotlib) and writes the HTML,
// Markdown and CSV.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace conclab {

/// The report model of results files (`run --json`) and sweep files.
/// Throws UsageError for a file that is neither.
nlohmann::json build_report(std::vector<std::string> const& inputs, std::string const& title);

/// The unit scales of src/kit/units.hpp as data (the report model's
/// "units", from which the script formats its axis ticks).
nlohmann::json units_json();

}  // namespace conclab
