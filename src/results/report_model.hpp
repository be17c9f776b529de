// `conclab report`: everything a report says, computed here (medians,
// intervals, significance, verdicts) into one JSON model; the script
// report/conclab_report.py only draws it (matplotlib) and writes the HTML,
// Markdown and CSV.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace conclab {

/// One set of results a report shows: files read as one (a sweep's parts,
/// several scenarios' runs), named by its label.
struct ReportSet {
    std::string label;               ///< "before", a baseline's name, a file's name
    std::vector<std::string> files;
};

/// The sets a report of `files` shows: the `baselines` first (saved
/// baselines' names, each a set labelled by its name), then the files:
/// with one label, all of them one set of that label; with a label per
/// file, grouped by label (a label given twice joins its files); with none,
/// the files in order join one set until one holds different results for
/// a run the set already has (the same cases measured again): that file
/// starts the next set (before, then after), each labelled by its files'
/// names. Throws
/// UsageError for labels that fit neither way, or a missing baseline.
std::vector<ReportSet> report_sets(std::vector<std::string> const& files, std::vector<std::string> const& labels,
                                   std::vector<std::string> const& baselines);

/// The report model of results files (`run --json`) and sweep files.
/// Throws UsageError for a file that is neither. With two sets or more it
/// is a before/after report: the cases, charts and verdicts are the last
/// set's; "comparison" holds each later set against the first (compare's
/// medians, intervals, change and significance at `alpha`), and each
/// scenario's "earlier" the first sets' throughput for the charts.
nlohmann::json build_report(std::vector<ReportSet> const& sets, std::string const& title, double alpha = 0.05);

/// The unit scales of src/kit/units.hpp as data (the report model's
/// "units", from which the script formats its axis ticks).
nlohmann::json units_json();

}  // namespace conclab
