// `conclab compare BASE NEW`: did a change make a model faster or slower?
// Cases are matched by scenario, parameters and model across two results
// files (`run --json` or sweep files); each metric's repetitions are
// compared with a Mann-Whitney U test (no assumption about the
// distribution), and the throughput ratios are summarized by their
// geometric mean.
#pragma once

#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/params.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/table.hpp"

#include <nlohmann/json_fwd.hpp>

#include <span>
#include <utility>
#include <string>
#include <vector>

namespace conclab {

/// One case's verified runs.
struct CaseRuns {
    std::string scenario;
    ParamValues params;
    ModelId model{};
    std::vector<CaseMetrics> runs;
};

/// The median of the runs' machine_other_cores: the rest of the machine's
/// busy cores during them (NaN when none was measured, as for peers).
double other_cores_median(std::vector<CaseMetrics> const& runs);

/// A run that did not verify: which case, how it ended and why.
struct FailedRun {
    std::string scenario;
    ParamValues params;
    std::string model;
    std::string status;   ///< "wrong_answer", "error", "crashed", "timeout", ...
    std::string message;
};

/// A model a case could not hold (refused before it ran), and why.
struct LeftOutModel {
    std::string scenario;
    ParamValues params;
    std::string model;
    std::string reason;
};

/// Everything a results or sweep file says about its cases.
struct ResultsFile {
    std::vector<CaseRuns> cases;      ///< verified runs, by case
    /// cases with a run that ended with failed items or a checksum off (not
    /// verified): no result; all of the case's runs, to show them marked
    std::vector<CaseRuns> unverified;
    std::vector<FailedRun> failed;    ///< runs that did not verify
    std::vector<LeftOutModel> left_out;
};

/// Reads a results file (`conclab run --json`) or a sweep file. Throws
/// UsageError naming the file and what is wrong (missing, not JSON,
/// another schema or version).
ResultsFile read_results(std::string const& path);
/// The files read as one set (report, calibration): a corrupt line is
/// refused with FILE: line N; a cut-off last line is left out; a run that
/// two files hold alike is read once, two different results for one run
/// are refused. What is left out is noted on stderr.
ResultsFile read_results(std::vector<std::string> const& paths);

/// "scenario params model: N of M run(s) had K of T items failed", one
/// line per case of `unverified`, for the commands that refuse to judge them.
std::vector<std::string> describe_unverified(std::vector<CaseRuns> const& unverified);

/// read_results' verified runs alone.
std::vector<CaseRuns> load_results(std::string const& path);

/// Two-sided p-value of the Mann-Whitney U test of `a` against `b`: exact
/// (counting every arrangement) when there are no ties and both samples are
/// small (n1 + n2 <= 40), else the normal approximation with the tie
/// correction. 1 when either sample is empty. With 3 runs a side the
/// smallest possible p is 0.1: compare needs 4 or more to find anything.
double mann_whitney_p(std::span<double const> a, std::span<double const> b);

/// The smallest two-sided p-value the test can give at all for samples of
/// n1 and n2 runs (one arrangement at each extreme, no ties): 2 / C(n1+n2, n1).
double smallest_possible_p(std::size_t n1, std::size_t n2);

/// The fewest runs a side (both sides equal) with which a difference can be
/// significant at `alpha`: 4 at 0.05.
std::size_t runs_needed(double alpha);

/// A ratio of medians with the interval of the run-by-run ratios that
/// covers the true ratio at `confidence` (Hodges-Lehmann: the order
/// statistics of all model/peer ratios, chosen from the exact
/// Mann-Whitney distribution; with 3 runs a side the widest, [min, max],
/// covers at 90%).
struct RatioInterval {
    double ratio = no_value;
    double low = no_value;
    double high = no_value;
    double confidence = 0;  ///< 0 when there are too few runs for any interval
};

/// `model` against `peer` (calibration; compare: new against base): median(model) / median(peer) when higher is
/// better, median(peer) / median(model) when lower is, so > 1 always means
/// the model does better. The interval is the largest-k one whose coverage
/// is at least 1 - alpha, or the widest there is.
RatioInterval ratio_interval(std::span<double const> model, std::span<double const> peer, bool higher_is_better, double alpha = 0.05);

struct MetricChange {
    std::string metric;
    bool higher_is_better = true;
    double base = 0;     ///< median
    double now = 0;      ///< median
    double ratio = 0;    ///< now / base
    double p = 1;
    int verdict = 0;     ///< +1 significantly better, -1 significantly worse, 0 no significant change
    Spread base_spread{};       ///< the medians' intervals (aggregate.hpp: order statistics, with their level)
    Spread now_spread{};
    RatioInterval change{};     ///< the interval of `ratio`
};

struct CaseChange {
    std::string scenario;
    std::string params;  ///< "jobs=... workers=..."
    ParamValues values;  ///< the same, as values
    ModelId model{};
    std::size_t base_runs = 0;
    std::size_t new_runs = 0;
    /// the rest of the machine's busy cores during each side's runs (median of machine_other_cores; NaN: not measured)
    double base_other_cores = no_value;
    double new_other_cores = no_value;
    std::vector<MetricChange> metrics;
};

struct Comparison {
    std::vector<CaseChange> cases;
    double throughput_geomean = 0;  ///< geometric mean of now/base throughput over the matched cases
    std::size_t only_in_base = 0;
    std::size_t only_in_new = 0;
    double alpha = 0.05;
    std::string base_label = "base";  ///< how the tables name the sides (a report's set labels, a baseline's name)
    std::string now_label = "new";
};

Comparison compare(std::vector<CaseRuns> const& base, std::vector<CaseRuns> const& now, double alpha = 0.05);

/// Each case's name in the tables: its scenario, the parameters that vary
/// among the compared cases of that scenario, its model.
std::vector<std::string> case_names(Comparison const& comparison);

/// The comparison as tables, one per metric (its title, and a row per case:
/// case, base, new, vs base, p, n, in human units, the change coloured),
/// and the notes below them (the intervals' levels, the geometric mean,
/// the parameters every case shares, the cases not matched).
struct ComparisonTables {
    std::vector<std::pair<std::string, Table>> tables;
    std::vector<std::string> notes;
};
ComparisonTables comparison_tables(Comparison const& comparison);

/// How format_comparison lays it out.
enum class ComparisonStyle { text, markdown };

/// The form benchstat made standard: a table per metric, a row per case
/// with each side's median in human units and its interval (± as a share
/// of the median), the change with its interval, or `~` where it is not
/// significant at the comparison's alpha, the p-value and the runs; the
/// geometric mean of the changes last. Improvements green and regressions
/// red when `colour`.
std::string format_comparison(Comparison const& comparison, ComparisonStyle style = ComparisonStyle::text, bool colour = false);

/// The same as JSON, plain numbers: {"alpha", "cases": [{"scenario", "params", "model", "base_runs", "new_runs",
/// "name" (case_names), "metrics": [{"metric", "higher_is_better", "base": {median, ci_low, ci_high, ci_level, n}, "new": {...},
/// "ratio", "ratio_low", "ratio_high", "ratio_level", "p", "verdict"}]}], "throughput_geomean", "only_in_base", "only_in_new"}.
nlohmann::json comparison_json(Comparison const& comparison);

/// The cases whose throughput or p99 latency got significantly worse by
/// more than `percent`, as "scenario params model: metric -12.3% (p=0.008)".
std::vector<std::string> regressions(Comparison const& comparison, double percent);

}  // namespace conclab
