// `conclab run <scenario> [parameters] [options]`: measure one case of a
// scenario in each model (each run in a child process of its own), print
// the table, and write JSON, CSV or Markdown on request.
#pragma once

#include "app/options.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace conclab {
struct Scenario;
}

namespace conclab::cli {

struct RunOptions {
    CaseFlags flags{.models = model_list(), .repeat = "5"};
    bool models_given = false;  ///< --models on the command line: run exactly those, or refuse
    std::map<std::string, std::string> params;
    std::string json_path;
    std::string save_baseline;  ///< --save-baseline NAME
    std::string csv_path;
    std::string md_path;
    bool wide = false;  ///< every column in the table (and in --md)
    std::string precision;   ///< --precision PCT
    std::string min_time;    ///< --min-time SECONDS
    std::string max_repeat;  ///< --max-repeat N
};


struct RunCli {
    CLI::App* command = nullptr;
    RunOptions options;
    std::map<CLI::App*, Scenario const*> by_command;  ///< a subcommand per scenario
};

void add_run_command(CLI::App& app, RunCli& cli);
/// Runs the scenario whose subcommand was given; `command` is the whole command line (for the results).
int run_command(RunCli& cli, std::vector<std::string> const& command);

}  // namespace conclab::cli
