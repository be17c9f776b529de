#include "app/run_command.hpp"

#include "app/options.hpp"
#include "scenarios/registry.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/suggest.hpp"
#include "src/kit/units.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/baselines.hpp"
#include "src/results/calibration.hpp"
#include "src/results/claims.hpp"
#include "src/results/report.hpp"
#include "src/results/report_model.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/interrupt.hpp"
#include "src/runner/output_file.hpp"
#include "src/runner/peer.hpp"
#include "src/runner/runner.hpp"
#include "src/runner/sweep.hpp"

#include "conclab_config.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstdio>
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include <sys/resource.h>
#include <unistd.h>

namespace conclab::cli {
namespace {

// --precision PCT, --min-time S, --max-repeat N: the plan repeats until each model's throughput median is that
// precise (or its runs took that long), judged with the results layer's intervals (src/results/aggregate.hpp)
void set_until_precise(RunPlan& plan, RunOptions const& options) {
    if (!options.precision.empty()) plan.precision = parse_decimal("--precision", options.precision, 0.1, 100, "a percent") / 100;
    if (!options.min_time.empty()) plan.min_time_s = parse_decimal("--min-time", options.min_time, 0.001, 86'400, "seconds");
    bool const asked = plan.precision > 0 || plan.min_time_s > 0;
    if (!options.max_repeat.empty() && !asked) throw UsageError{"--max-repeat bounds --precision or --min-time; give one of them"};
    plan.max_repeat = options.max_repeat.empty() ? std::max(30U, plan.repeat)
                                                 : static_cast<unsigned>(parse_number("--max-repeat", options.max_repeat, 1, 1000));
    if (asked && plan.max_repeat < plan.repeat) {
        throw UsageError{"--max-repeat " + options.max_repeat + " is below --repeat " + std::to_string(plan.repeat) +
                         ", the runs made before any precision is judged"};
    }
    if (!asked) return;
    plan.wanting = [precision = plan.precision, min_time = plan.min_time_s](std::vector<ModelRuns> const& models) {
        std::vector<std::string> out;
        for (auto const& model : models) {
            std::vector<double> throughputs;
            double measured = 0;
            for (auto const& run : model.runs) {
                if (run.status != CaseOutcome::Status::ok) continue;
                measured += run.metrics.wall_s;
                if (verified(run.metrics)) throughputs.push_back(run.metrics.throughput_per_s);
            }
            double const half = relative_half_width(summarize(throughputs));
            std::string why;
            if (precision > 0 && !(half <= precision)) why = std::isfinite(half) ? "±" + printed("%.1f", half * 100) + "%" : "no interval";
            if (min_time > 0 && measured < min_time) why += (why.empty() ? "" : ", ") + printed("%.2f", measured) + " s measured";
            if (!why.empty()) out.push_back(model.model.token() + " " + why);
        }
        return out;
    };
}

int run_scenario(Scenario const& scenario, RunOptions const& options, std::vector<std::string> command) {
    RunPlan plan;
    plan.scenario = &scenario;
    plan.models = parse_models(options.flags.models, models_of(scenario));
    plan.params = defaults(scenario.params);
    for (auto const& spec : scenario.params) {
        auto const given = options.params.find(spec.name);
        if (given == options.params.end() || given->second.empty()) continue;
        auto const& text = given->second;
        if (text.find(',') != std::string::npos || (!spec.is_text() && text.find("..") != std::string::npos)) {
            throw UsageError{flag(spec) + " " + text + ": run takes one value of each parameter; to run several, sweep them: conclab sweep " +
                             scenario.name + " " + flag(spec) + " " + text + " -o FILE.jsonl (docs/sweeps.md)"};
        }
        plan.params[spec.name] = parse_param(spec, text);
    }
    auto const settings = parse_case_flags(options.flags);
    plan.repeat = settings.repeat;
    plan.warmup = settings.warmup;
    plan.case_timeout = settings.case_timeout;
    plan.progress = settings.progress;
    plan.record_latency = settings.record_latency;
    plan.cpus = settings.cpus;
    set_until_precise(plan, options);
    if (options.models_given) {
        if (auto const problem = scenario.check(plan.params, plan.models); !problem.empty()) throw UsageError{problem};
    } else {
        // No --models: run every model that can, and say why the others are left out
        // (a million-task tree is no case for OS threads; that is the finding, not an error).
        auto const refused = refused_models(scenario, plan.params, plan.models);
        if (refused.size() == plan.models.size()) throw UsageError{refused.front().second};
        for (auto const& [model, reason] : refused) {
            std::fprintf(stderr, "conclab: %s left out: %s\n", std::string{token(model)}.c_str(), reason.c_str());
            std::erase(plan.models, model);
            plan.left_out.emplace_back(model, reason);
        }
        if (auto const problem = scenario.check(plan.params, plan.models); !problem.empty()) throw UsageError{problem};
    }
    if (!options.json_path.empty()) check_writable(options.json_path, "--json");
    if (!options.save_baseline.empty()) {
        check_baseline_name(options.save_baseline, "--save-baseline");
        baseline_directory();  // a directory to keep it in, known before the first case
    }
    if (!options.csv_path.empty()) check_writable(options.csv_path, "--csv");
    if (!options.md_path.empty()) check_writable(options.md_path, "--md");
    check_distinct({{"--json", options.json_path}, {"--csv", options.csv_path}, {"--md", options.md_path}});
    // `-` (or /dev/stdout) is standard output for one of them; the table then goes to stderr.
    bool const json_to_stdout = !options.json_path.empty() && is_standard_output(options.json_path);
    bool const csv_to_stdout = !options.csv_path.empty() && is_standard_output(options.csv_path);
    bool const md_to_stdout = !options.md_path.empty() && is_standard_output(options.md_path);
    if (int{json_to_stdout} + int{csv_to_stdout} + int{md_to_stdout} > 1) {
        throw UsageError{"--json, --csv and --md: at most one of them may go to standard output (- or /dev/stdout)"};
    }
    std::FILE* const table_out = json_to_stdout || csv_to_stdout || md_to_stdout ? stderr : stdout;

    install_interrupt_handlers();  // Ctrl-C: stop the case in flight, keep what finished
    // the scenario's fixture (url-fetch's target server) is started, or checked, before the first case
    auto results = execute(plan, std::move(command));
    std::fputs(format_table(results, {.format = TableFormat::text, .wide = options.wide, .colour = colour::on(table_out),
                                      .width = colour::terminal_width(table_out)}).c_str(),
               table_out);
    std::fflush(table_out);
    // checked before the first case; should the write fail after all (a full disk), the results are kept elsewhere
    bool lost_output = false;
    auto const write_results = [&](std::string const& path, std::string const& content, char const* extension, bool to_stdout) {
        try {
            write_output(path, content);
            if (!to_stdout) std::fprintf(stderr, "wrote %s\n", path.c_str());
        } catch (std::runtime_error const& e) {
            lost_output = true;
            try {
                auto const kept = keep_elsewhere(content, "conclab-results", extension);
                print_error(std::string{e.what()} + "; the results are in " + kept + " instead");
            } catch (std::runtime_error const& elsewhere) {
                print_error(std::string{e.what()} + "; " + elsewhere.what() + "; the table above is all that is left of them");
            }
        }
    };
    if (!options.json_path.empty()) write_results(options.json_path, results_to_json(results).dump(2) + "\n", ".json", json_to_stdout);
    if (!options.csv_path.empty()) write_results(options.csv_path, results_to_csv(results), ".csv", csv_to_stdout);
    if (!options.md_path.empty()) write_results(options.md_path, format_table(results, {.format = TableFormat::markdown, .wide = options.wide, .colour = false}), ".md", md_to_stdout);
    if (!options.save_baseline.empty() && !results.interrupted) {
        try {
            auto const saved = save_baseline_content(options.save_baseline, results_to_json(results).dump(2) + "\n", false);
            std::fprintf(stderr, "saved baseline %s (%s)\n", options.save_baseline.c_str(), saved.c_str());
        } catch (std::runtime_error const& e) {
            lost_output = true;
            print_error(e.what());
        }
    }
    if (results.interrupted) {
        if (!options.save_baseline.empty()) std::fprintf(stderr, "conclab: baseline %s not saved: the run was interrupted\n", options.save_baseline.c_str());
        std::fprintf(stderr, "conclab: interrupted; the runs that finished are above%s\n",
                     options.json_path.empty() && options.csv_path.empty() && options.md_path.empty() ? "" : " and in the files written");
        return exit_interrupted();
    }
    if (lost_output) return exit_failed_runs;
    if (!all_ok(results)) {
        print_error("some runs failed (listed above); their numbers are not in the summary");
        return exit_failed_runs;
    }
    if (double const failed = failed_items(results); failed > 0) {
        print_error(printed("%.0f", failed) + " " + scenario.unit + " failed across the measured runs (counted by kind above)");
        return exit_failed_runs;
    }
    // the precision asked was not reached: the numbers stand, with the warning where a script sees it
    if (!results.precise) std::fprintf(stderr, "conclab: warning: %s\n", results.stopped_because.c_str());
    return 0;
}

}  // namespace

void add_run_command(CLI::App& app, RunCli& cli) {
    cli.command = app.add_subcommand("run", "measure a scenario in each model");
    cli.command->require_subcommand(1);
    auto& options = cli.options;
    for (auto const* scenario : scenarios()) {
        auto* sub = cli.command->add_subcommand(scenario->name, scenario->summary);
        cli.by_command[sub] = scenario;
        for (auto const& spec : scenario->params) {
            sub->add_option(flag(spec), options.params[spec.name], help_with_default(spec))->type_name(value_type(spec, false));
        }
        add_case_flags(sub, options.flags, "measured runs per model");
        sub->add_option("--json", options.json_path, "write all results as JSON (docs/results-schema.md); - for standard output")
            ->type_name("FILE");
        sub->add_option("--save-baseline", options.save_baseline,
                        "also save the results as baseline NAME, for compare and report --baseline NAME (conclab baselines lists them)")
            ->type_name("NAME");
        sub->add_option("--csv", options.csv_path, "write one CSV row per run; - for standard output")->type_name("FILE");
        sub->add_option("--md", options.md_path, "write the table as Markdown (a pipe table and its notes); - for standard output")
            ->type_name("FILE");
        sub->add_option("--precision", options.precision,
                        "repeat until each model's throughput median is this precise: the larger half of its interval at most PCT "
                        "percent of it (after --repeat runs, one round of every model at a time, up to --max-repeat)")
            ->type_name("PCT");
        sub->add_option("--min-time", options.min_time,
                        "repeat until each model's measured runs took at least SECONDS in all (up to --max-repeat)")
            ->type_name("SECONDS");
        sub->add_option("--max-repeat", options.max_repeat, "the most runs per model --precision and --min-time may take (default 30)")
            ->type_name("N");
        sub->add_flag("--wide", options.wide,
                      "every column: also p90 and max latency, RSS per task, user and sys CPU seconds, context switches "
                      "(the default table keeps the most-read ones, about 100 characters)");
    }
}

int run_command(RunCli& cli, std::vector<std::string> const& command) {
    for (auto const& [sub, scenario] : cli.by_command) {
        if (sub->parsed()) {
            cli.options.models_given = sub->count("--models") > 0;
            return run_scenario(*scenario, cli.options, command);
        }
    }
    throw UsageError{"run needs a scenario: conclab run <scenario>, one of: " + scenario_list()};
}

}  // namespace conclab::cli
