// `conclab show <scenario> [--models a,b] [--width N]`: the models' files
// of a scenario side by side, lined up on their role tags.
#pragma once

#include <CLI/CLI.hpp>

#include "src/results/listing.hpp"

#include <string>
#include <vector>

namespace conclab::cli {

struct ShowCli {
    CLI::App* command = nullptr;
    std::string scenario;
    std::string models;  ///< comma-separated; empty: all four
    std::string width;   ///< empty: the terminal's, else $COLUMNS, else 160
    bool html = false;   ///< an HTML table (docs/workshop, the report) instead of text
};

/// A scenario's model files as listing columns ("fibers: scenarios/...");
/// `models` comma-separated, empty for all four. UsageError for an unknown
/// scenario or model.
std::vector<listing::Column> listing_columns(std::string const& scenario, std::string const& models);

void add_show_command(CLI::App& app, ShowCli& cli);
int show_command(ShowCli const& cli);

}  // namespace conclab::cli
