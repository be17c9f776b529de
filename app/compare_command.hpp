// `conclab compare BASE NEW | --baseline NAME NEW [--fail-on-regression PCT] [--alpha A] [--json FILE] [--md FILE]`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::cli {

struct CompareCli {
    CLI::App* command = nullptr;
    std::vector<std::string> files;  ///< BASE NEW, or NEW alone with --baseline
    std::string baseline;            ///< --baseline NAME: the base is that saved baseline
    std::string base;                ///< resolved from the two above
    std::string now;
    std::string fail_on_regression;  ///< percent; empty: never fail
    bool across_machines = false;    ///< --across-machines: gate even when the two sides were measured on different machines
    std::string alpha = "0.05";      ///< --alpha: significance level of the test and the intervals
    std::string json_path;           ///< --json FILE (- for standard output)
    std::string md_path;             ///< --md FILE
};

void add_compare_command(CLI::App& app, CompareCli& cli);
int compare_command(CompareCli& cli);

}  // namespace conclab::cli
