#include "app/report_command.hpp"

#include "scenarios/registry.hpp"

#include "app/options.hpp"
#include "app/show_command.hpp"
#include "src/kit/params.hpp"
#include "src/kit/process.hpp"
#include "src/kit/units.hpp"
#include "src/results/claims.hpp"
#include "src/results/listing.hpp"
#include "src/results/report_model.hpp"
#include "src/runner/child.hpp"
#include "src/runner/output_file.hpp"

#include "conclab_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fcntl.h>

namespace conclab::cli {
namespace {

// Runs argv to its end (stdout and stderr as they are, or discarded); its exit code, or -1.
int run(std::vector<std::string> args, bool quiet) {
    try {
        return wait_exit_code(spawn_process(std::move(args), quiet ? Output::discard : Output::inherit).pid);
    } catch (std::runtime_error const&) {
        return -1;
    }
}

// A Python with matplotlib: $CONCLAB_PYTHON, Debian's, or the first on PATH.
std::string find_python() {
    std::vector<std::string> candidates;
    if (char const* chosen = std::getenv("CONCLAB_PYTHON")) candidates.emplace_back(chosen);
    candidates.emplace_back("/usr/bin/python3");
    candidates.emplace_back("python3");
    for (auto const& python : candidates) {
        if (run({python, "-c", "import matplotlib"}, true) == 0) return python;
    }
    throw std::runtime_error{"no Python 3 with matplotlib found (tried $CONCLAB_PYTHON, /usr/bin/python3, python3): "
                             "./setup.sh installs Debian's python3-matplotlib"};
}

// The drawing script: beside the executable (build tree), in PREFIX/libexec/conclab (installs), else in the sources.
std::string find_script() {
    auto const bin = std::filesystem::path{self_executable()}.parent_path();
    for (auto const& path : {bin / "conclab_report.py", bin.parent_path() / "libexec" / "conclab" / "conclab_report.py",
                             std::filesystem::path{CONCLAB_SOURCE_DIR} / "src" / "results" / "conclab_report.py"}) {
        if (std::filesystem::exists(path)) return path.string();
    }
    throw std::runtime_error{"conclab_report.py is neither beside " + self_executable() + ", nor in ../libexec/conclab, nor in " +
                             CONCLAB_SOURCE_DIR};
}

}  // namespace

void add_report_command(CLI::App& app, ReportCli& cli) {
    cli.command = app.add_subcommand("report", "an HTML page with plots, and Markdown and CSV tables, from results and sweep files; "
                                               "before and after when given two sets");
    cli.command->add_option("results", cli.inputs,
                            "results files (run --json) and sweep files; files that hold the same cases are compared, the "
                            "first as before");
    cli.command->add_option("-o,--output", cli.output,
                            "the directory to write index.html, tables.md, tables.csv, report.json (default: conclab-report)")
        ->type_name("DIR");
    cli.command->add_option("--baseline", cli.baselines,
                            "show the change since the saved baseline NAME (run/sweep --save-baseline NAME); repeatable")
        ->type_name("NAME")
        ->allow_extra_args(false);
    cli.command->add_option("--label", cli.labels,
                            "name the files' set (once) or each file's set (once per file, in order; one label given to "
                            "several files joins them into one set)")
        ->type_name("LABEL")
        ->allow_extra_args(false);
    cli.command->add_option("--alpha", cli.alpha, "significance level of the before/after changes (default 0.05)")->type_name("A");
    cli.command->add_option("--title", cli.title, "the page's title (default: conclab report)");
}

int report_command(ReportCli const& cli) {
    if (cli.output == "-") throw UsageError{"-o expects a directory (report writes several files into it); got -"};
    double const alpha = parse_decimal("--alpha", cli.alpha, 1e-6, 0.5, "a significance level");
    auto const sets = report_sets(cli.inputs, cli.labels, cli.baselines);
    auto model = build_report(sets, cli.title, alpha);
    // the workshop's claims, when the inputs hold a workshop sweep's cases (the set shown whole: the last)
    if (auto const answers = answer_claims(read_results(sets.back().files));
        std::any_of(answers.begin(), answers.end(), [](ClaimAnswer const& a) { return a.answered; })) {
        model["claims"] = claims_json(answers);
    }
    // each scenario's code, the four model files side by side (as `conclab show --html`): the listing of this build
    for (auto& scenario : model["scenarios"]) {
        scenario["listing_html"] = listing::html_table(listing_columns(scenario["name"].get<std::string>(), ""));
        // what the scenario counts ("jobs", "requests"), for the charts' axes
        if (auto const* known = find_scenario(scenario["name"].get<std::string>())) scenario["unit"] = known->unit;
    }
    std::error_code error;
    std::filesystem::create_directories(cli.output, error);
    if (error || !std::filesystem::is_directory(cli.output)) {
        throw UsageError{"-o " + cli.output + ": cannot be made a directory (" + (error ? error.message() : "a file is there") + ")"};
    }
    auto const model_path = (std::filesystem::path{cli.output} / "report.json").string();
    write_output(model_path, model.dump(1) + "\n");
    auto const python = find_python();
    if (run({python, find_script(), model_path, cli.output}, false) != 0) {
        print_error("drawing the report failed (messages above); " + model_path + " is complete");
        return exit_failed_runs;
    }
    auto const page = (std::filesystem::path{cli.output} / "index.html").lexically_normal().string();  // rep/ is rep/index.html, not rep//
    std::fprintf(stderr, "report: %s, tables.md, tables.csv (from %s)\n", page.c_str(),
                 std::filesystem::path{model_path}.lexically_normal().string().c_str());
    return 0;
}

void add_units_command(CLI::App& app, UnitsCli& cli) {
    cli.command = app.add_subcommand("__units", "print the unit scales and formatted samples as JSON (tests)");
    cli.command->group("");
}

int units_command(UnitsCli const&) {
    nlohmann::json samples = nlohmann::json::array();
    for (auto const* scale : unit_scales) {
        for (double value : {0.0, 0.473, 12.0, 999.0, 999.7, 1000.0, 1023.9, 1732.0, 9999.0, 58'500.0, 999'600.0, 1'044'480.0,
                             1'048'473.0, 11'611'000.0, 2.5e6, 25'276'510'208.0}) {
            samples.push_back({scale->name, value, in_units(value, *scale)});
        }
    }
    std::puts(nlohmann::json{{"units", units_json()}, {"samples", samples}}.dump().c_str());
    return 0;
}

}  // namespace conclab::cli
