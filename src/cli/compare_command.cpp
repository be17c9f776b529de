#include "src/cli/compare_command.hpp"

#include "src/cli/options.hpp"
#include "src/compare.hpp"

#include <cstdio>

namespace conclab::cli {

void add_compare_command(CLI::App& app, CompareCli& cli) {
    cli.command = app.add_subcommand("compare", "compare two results files case by case (ratios, Mann-Whitney U)");
    cli.command->add_option("base", cli.base, "results file (run --json) or sweep file before the change")->required();
    cli.command->add_option("new", cli.now, "the same after the change")->required();
    cli.command->add_option("--fail-on-regression", cli.fail_on_regression,
                            "exit 1 when a case's throughput or p99 latency got significantly worse by more than PCT percent");
}

int compare_command(CompareCli const& cli) {
    double threshold = -1;
    if (!cli.fail_on_regression.empty()) {
        threshold = static_cast<double>(parse_number("--fail-on-regression", cli.fail_on_regression, 0, 1000));
    }
    auto const base = load_results(cli.base);
    auto const now = load_results(cli.now);
    auto const comparison = compare(base, now);
    if (comparison.cases.empty()) {
        throw UsageError{cli.base + " and " + cli.now + " have no case in common (same scenario, parameters and model)"};
    }
    std::printf("%s", format_comparison(comparison).c_str());
    if (threshold >= 0) {
        auto const found = regressions(comparison, threshold);
        if (!found.empty()) {
            std::fprintf(stderr, "conclab: error: %zu regression(s) beyond %.0f%%:\n", found.size(), threshold);
            for (auto const& r : found) std::fprintf(stderr, "  %s\n", r.c_str());
            return exit_failed_runs;
        }
    }
    return 0;
}

}  // namespace conclab::cli
