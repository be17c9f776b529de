#include "app/compare_command.hpp"

#include "app/options.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/units.hpp"
#include "src/results/baselines.hpp"
#include "src/results/compare.hpp"
#include "src/results/provenance.hpp"
#include "src/runner/output_file.hpp"

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

namespace conclab::cli {
namespace {
std::string format_p(double p) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", p);
    return text;
}
}  // namespace

void add_compare_command(CLI::App& app, CompareCli& cli) {
    cli.command = app.add_subcommand("compare", "compare two results files case by case (ratios, Mann-Whitney U)");
    cli.command->add_option("files", cli.files,
                            "BASE NEW: results files (run --json) or sweep files before and after the change; NEW alone with --baseline")
        ->required()
        ->expected(1, 2);
    cli.command->add_option("--baseline", cli.baseline, "compare against the saved baseline NAME (run/sweep --save-baseline NAME)")
        ->type_name("NAME");
    cli.command->add_option("--fail-on-regression", cli.fail_on_regression,
                            "exit 1 when a case's throughput or p99 latency got significantly worse by more than PCT percent (e.g. 5 or 2.5)")
        ->type_name("PCT");
    cli.command->add_option("--alpha", cli.alpha, "significance level of the test and of the change's interval (default 0.05)")
        ->type_name("A");
    cli.command->add_option("--json", cli.json_path, "also write the comparison as JSON (plain numbers) to FILE; - for standard output")
        ->type_name("FILE");
    cli.command->add_option("--md", cli.md_path, "also write the tables as Markdown to FILE; - for standard output")->type_name("FILE");
    cli.command->add_flag("--across-machines", cli.across_machines,
                          "let --fail-on-regression judge files measured on different machines (refused otherwise: the "
                          "difference would be the machines')");
}

int compare_command(CompareCli& cli) {
    if (!cli.baseline.empty()) {
        if (cli.files.size() != 1) {
            throw UsageError{"compare --baseline " + cli.baseline + " takes one file, the one after the change; got " +
                             std::to_string(cli.files.size())};
        }
        cli.base = baseline_file(cli.baseline, "--baseline");
        cli.now = cli.files.front();
    } else {
        if (cli.files.size() != 2) throw UsageError{"compare needs two files, BASE and NEW (or --baseline NAME and NEW)"};
        cli.base = cli.files[0];
        cli.now = cli.files[1];
    }
    double threshold = -1;
    if (!cli.fail_on_regression.empty()) threshold = parse_decimal("--fail-on-regression", cli.fail_on_regression, 0, 1000, "a percent");
    double const alpha = parse_decimal("--alpha", cli.alpha, 1e-6, 0.5, "a significance level");
    if (!cli.json_path.empty()) check_writable(cli.json_path, "--json");
    if (!cli.md_path.empty()) check_writable(cli.md_path, "--md");
    check_distinct({{"--json", cli.json_path}, {"--md", cli.md_path}});
    if (!cli.json_path.empty() && !cli.md_path.empty() && is_standard_output(cli.json_path) && is_standard_output(cli.md_path)) {
        throw UsageError{"--json and --md cannot both go to standard output"};
    }
    auto const base_file = read_results(cli.base);
    auto const now_file = read_results(cli.now);
    auto const& base = base_file.cases;
    auto const& now = now_file.cases;
    // Runs with failed items are no result: their cases are not judged, and said so (a gate passed on them would be a lie).
    std::vector<std::string> not_judged;
    for (auto const& [file, runs] : {std::pair{&cli.base, &base_file.unverified}, std::pair{&cli.now, &now_file.unverified}}) {
        for (auto const& line : describe_unverified(*runs)) not_judged.push_back(*file + ": " + line);
    }
    // Where each side was measured, said first: a ratio across machines or builds is theirs, not the change's.
    auto origins = provenance_of(cli.base);
    for (auto& p : provenance_of(cli.now)) origins.push_back(std::move(p));
    auto const differ = differences(origins);
    if (threshold >= 0 && differ.machines && !cli.across_machines) {
        throw UsageError{"--fail-on-regression across machines: " + differ.lines.front() +
                         "; a slowdown between them is the machines', not the change's. Measure both on one machine, or give "
                         "--across-machines to gate anyway"};
    }
    std::string origin;
    if (differ.lines.empty()) {
        origin = "both measured on " + origins.front().machine + ", one build" +
                 (origins.front().commit.empty() ? std::string{} : " of conclab " + origins.front().commit) + "\n\n";
    } else {
        for (auto const& line : differ.lines) origin += "note: " + line + "\n";
        origin += "\n";
    }
    auto comparison = compare(base, now, alpha);
    if (!cli.baseline.empty()) comparison.base_label = cli.baseline;  // the baseline's name, not its file's path
    if (comparison.cases.empty()) {
        if (!not_judged.empty()) {
            for (auto const& line : not_judged) std::fprintf(stderr, "  %s\n", line.c_str());
            throw UsageError{"nothing to compare: the cases " + cli.base + " and " + cli.now +
                             " have in common include runs with failed items (listed above), which are no result; "
                             "measure them again against a target that answers"};
        }
        throw UsageError{cli.base + " and " + cli.now + " have no case in common (same scenario, parameters and model)"};
    }
    if (threshold >= 0) {
        // A gate that can never fire is refused, not run: with 3 runs a side
        // the smallest possible p is 0.1, so nothing is ever "significant".
        std::size_t inert = 0, fewest_base = SIZE_MAX, fewest_new = SIZE_MAX;
        for (auto const& c : comparison.cases) {
            if (smallest_possible_p(c.base_runs, c.new_runs) < comparison.alpha) continue;
            ++inert;
            fewest_base = std::min(fewest_base, c.base_runs);
            fewest_new = std::min(fewest_new, c.new_runs);
        }
        if (inert > 0) {
            throw UsageError{"--fail-on-regression could never fire for " + std::to_string(inert) + " of " +
                             std::to_string(comparison.cases.size()) + " case(s): with " + std::to_string(fewest_base) +
                             " and " + std::to_string(fewest_new) + " verified runs the smallest possible p is " +
                             format_p(smallest_possible_p(fewest_base, fewest_new)) + ", not below " + format_p(comparison.alpha) +
                             "; measure at least " + std::to_string(runs_needed(comparison.alpha)) +
                             " repetitions on each side (--repeat)"};
        }
    }
    // the tables on stdout, or on stderr when stdout carries --json or --md
    bool const to_stdout = (!cli.json_path.empty() && is_standard_output(cli.json_path)) || (!cli.md_path.empty() && is_standard_output(cli.md_path));
    std::FILE* const table_stream = to_stdout ? stderr : stdout;
    std::fprintf(table_stream, "%s%s", origin.c_str(), format_comparison(comparison, ComparisonStyle::text, colour::on(table_stream)).c_str());
    if (!cli.json_path.empty()) {
        auto json = comparison_json(comparison);
        json["provenance"] = differ.lines;
        write_output(cli.json_path, json.dump(2) + "\n");
    }
    if (!cli.md_path.empty()) write_output(cli.md_path, origin + format_comparison(comparison, ComparisonStyle::markdown));
    if (!not_judged.empty()) {
        std::fprintf(table_stream, "\nnot judged: %zu case(s) whose runs had failed items (not verified, no result):\n", not_judged.size());
        for (auto const& line : not_judged) std::fprintf(table_stream, "  %s\n", line.c_str());
    }
    if (threshold >= 0) {
        auto const found = regressions(comparison, threshold);
        if (!found.empty()) {
            print_error(std::to_string(found.size()) + " regression(s) beyond " + printed("%.0f", threshold) + "%:");
            for (auto const& r : found) std::fprintf(stderr, "  %s\n", r.c_str());
            return exit_failed_runs;
        }
    }
    if (!not_judged.empty()) {
        print_error(std::to_string(not_judged.size()) + " case(s) not judged: their runs had failed items (listed above)");
        return exit_failed_runs;
    }
    return 0;
}

}  // namespace conclab::cli
