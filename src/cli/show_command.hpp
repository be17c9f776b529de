// `conclab show <scenario> [--models a,b] [--width N]`: the models' files
// of a scenario side by side, lined up on their role tags.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace conclab::cli {

struct ShowCli {
    CLI::App* command = nullptr;
    std::string scenario;
    std::string models;  ///< comma-separated; empty: all four
    std::string width;   ///< empty: the terminal's, else $COLUMNS, else 160
};

void add_show_command(CLI::App& app, ShowCli& cli);
int show_command(ShowCli const& cli);

}  // namespace conclab::cli
