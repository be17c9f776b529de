// `conclab sweep` (a grid of cases, appended to a JSON Lines file as they
// finish) and `conclab merge` (parts of one sweep back together).
#pragma once

#include "app/options.hpp"
#include "src/kit/scenario.hpp"
#include "src/runner/sweep.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace conclab::cli {

struct SweepCli {
    CLI::App* sweep = nullptr;
    CLI::App* merge = nullptr;
    std::map<CLI::App*, Scenario const*> by_scenario;
    std::map<std::string, std::map<std::string, std::string>> params;  // scenario -> parameter -> values as given
    CaseFlags flags{.models = {}, .repeat = "3"};
    std::string preset;
    std::string grid_file;
    std::string output;
    std::string shard = "1/1";
    bool resume = false;
    std::string save_baseline;           ///< --save-baseline NAME: the finished sweep file saved as that baseline
    std::string slurm;                   ///< --slurm FILE: write the sweep's Slurm job array there instead of running it
    std::string slurm_tasks;             ///< --slurm-tasks N (default: the combinations, at most 8)
    std::vector<std::string> sbatch;     ///< --sbatch OPTION, repeated
    bool submit = false;                 ///< --submit: and sbatch it
    std::vector<std::string> merge_inputs;
    std::string merge_output;
    bool merge_partial = false;  ///< --allow-partial
};

void add_sweep_commands(CLI::App& app, SweepCli& cli);
int sweep_command(SweepCli const& cli, std::vector<std::string> command);
int merge_command(SweepCli const& cli);
/// --slurm FILE: writes the job array of the sweep `grids` (parsed from `cli`, `scenario` when one was named),
/// and with --submit submits it (app/sweep_slurm.cpp).
int write_slurm_job(SweepCli const& cli, Scenario const* scenario, std::vector<SweepGrid> const& grids,
                    std::vector<std::string> const& command);

}  // namespace conclab::cli
