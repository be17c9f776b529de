// `conclab report RESULTS... -o DIR`: a self-contained HTML page with
// plots (matplotlib, through src/results/conclab_report.py), and the same
// tables as Markdown and CSV.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::cli {

struct ReportCli {
    CLI::App* command = nullptr;
    std::vector<std::string> inputs;
    std::string output;
    std::string title = "conclab report";
};

void add_report_command(CLI::App& app, ReportCli& cli);
int report_command(ReportCli const& cli);

}  // namespace conclab::cli
