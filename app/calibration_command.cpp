#include "app/calibration_command.hpp"

#include "src/kit/params.hpp"
#include "src/results/calibration.hpp"
#include "src/results/compare.hpp"

#include <cstdio>

namespace conclab::cli {

void add_calibration_command(CLI::App& app, CalibrationCli& cli) {
    cli.command = app.add_subcommand(
        "calibration", "each model against its real Go or Rust peer, case by case: ratios with confidence intervals (docs/calibration.md)");
    cli.command->add_option("files", cli.files, "results (run --json) or sweep files, e.g. of conclab sweep --preset calibration")
        ->required();
}

// `conclab calibration FILE...`: every case that has runs of a model and of its peer.
int calibration_command(CalibrationCli const& cli) {
    auto const file = read_results(cli.files);
    auto const& cases = file.cases;
    for (auto const& line : describe_unverified(file.unverified)) {
        std::fprintf(stderr, "calibration: left out, no result: %s\n", line.c_str());
    }
    if (!has_pairs(cases)) {
        throw UsageError{"no case in the files given has verified runs of both a model and its peer (fibers and go, coroutines and tokio, "
                         "tbb and rayon, threads and rust-threads); conclab sweep --preset calibration -o calibration.jsonl makes one"};
    }
    std::fputs(format_calibration(calibrate(cases)).c_str(), stdout);
    return 0;
}

}  // namespace conclab::cli
