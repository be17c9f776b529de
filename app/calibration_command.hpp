// `conclab calibration FILE...`: each model against its real Go or Rust
// peer, case by case: ratios of medians with confidence intervals.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::cli {

struct CalibrationCli {
    CLI::App* command = nullptr;
    std::vector<std::string> files;
};

void add_calibration_command(CLI::App& app, CalibrationCli& cli);
int calibration_command(CalibrationCli const& cli);

}  // namespace conclab::cli
