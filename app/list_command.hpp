// `conclab list [--json]`: the scenarios with their parameters, the models,
// the variants, the peers built here, and (JSON) the presets.
#pragma once

#include <CLI/CLI.hpp>

namespace conclab::cli {

struct ListCli {
    CLI::App* command = nullptr;
    bool json = false;
};

void add_list_command(CLI::App& app, ListCli& cli);
int list_command(ListCli const& cli);

}  // namespace conclab::cli
