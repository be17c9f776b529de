// `conclab report RESULTS... [-o DIR] [--baseline NAME]... [--label L]...`:
// a self-contained HTML page with plots (matplotlib, through
// src/results/conclab_report.py), and the same tables as Markdown and CSV;
// with two sets of results (before and after), the change between them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::cli {

struct ReportCli {
    CLI::App* command = nullptr;
    std::vector<std::string> inputs;
    std::vector<std::string> baselines;  ///< --baseline NAME, repeated: saved baselines, the first sets
    std::vector<std::string> labels;     ///< --label L: one for all files, or one per file
    std::string alpha = "0.05";
    std::string output = "conclab-report";
    std::string title = "conclab report";
};

void add_report_command(CLI::App& app, ReportCli& cli);
int report_command(ReportCli const& cli);

/// `conclab __units` (hidden): the unit scales (src/kit/units.hpp) and
/// conclab's formatting of sample values on them, as JSON: the report
/// script's test holds the script's formatting to it.
struct UnitsCli {
    CLI::App* command = nullptr;
};
void add_units_command(CLI::App& app, UnitsCli& cli);
int units_command(UnitsCli const& cli);

}  // namespace conclab::cli
