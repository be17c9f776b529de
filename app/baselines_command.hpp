// `conclab baselines [list|save NAME FILE|delete NAME] [--json]`: the named
// baselines run and sweep save (--save-baseline) and compare and report
// read (--baseline); src/results/baselines.hpp says where they are kept.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace conclab::cli {

struct BaselinesCli {
    CLI::App* command = nullptr;
    CLI::App* save = nullptr;
    CLI::App* remove = nullptr;
    std::string name;
    std::string file;
    bool json = false;
};

void add_baselines_command(CLI::App& app, BaselinesCli& cli);
int baselines_command(BaselinesCli const& cli);

}  // namespace conclab::cli
