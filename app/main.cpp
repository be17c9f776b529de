// conclab: the command line. `list` shows what can run, `run` measures a
// scenario in every model (each case in a child process: the hidden
// `__case` command), and bad input of any kind ends with one message and
// exit code 2.
#include "app/compare_command.hpp"
#include "app/options.hpp"
#include "app/report_command.hpp"
#include "app/show_command.hpp"
#include "app/sweep_command.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/serve.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/suggest.hpp"
#include "src/kit/units.hpp"
#include "src/results/report_model.hpp"
#include "src/results/calibration.hpp"
#include "src/results/claims.hpp"
#include "src/results/report.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/interrupt.hpp"
#include "src/runner/output_file.hpp"
#include "src/runner/peer.hpp"
#include "src/runner/runner.hpp"
#include "src/runner/sweep.hpp"

#include "conclab_config.hpp"
#include "conclab_git_commit.hpp"

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

namespace conclab {
namespace {

using cli::exit_failed_runs;
using cli::exit_usage;
using cli::model_list;
using cli::parse_models;
using cli::parse_number;
using cli::scenario_list;
using cli::scenario_names;

// `conclab list --json`: the same for programs: scenarios with their parameters, models, variants, peers, presets.
nlohmann::json list_json() {
    auto scenarios_json = nlohmann::json::array();
    for (auto const* s : scenarios()) {
        auto params = nlohmann::json::array();
        for (auto const& p : s->params) {
            nlohmann::json param{{"name", p.name}, {"flag", flag(p)}, {"help", p.help}, {"used_by", p.models}};
            if (p.is_text()) {
                param["type"] = "text";
                param["default"] = std::get<std::string>(p.fallback);
                param["choices"] = p.choices;
            } else {
                param["type"] = "integer";
                param["default"] = std::get<std::uint64_t>(p.fallback);
                param["min"] = p.min;
                param["max"] = p.max;
            }
            params.push_back(std::move(param));
        }
        auto models = nlohmann::json::array();
        for (auto const& id : cli::models_of(*s)) {
            if (!is_peer(id.base)) models.push_back(id.token());
        }
        scenarios_json.push_back({{"name", s->name}, {"summary", s->summary}, {"unit", s->unit}, {"parameters", params}, {"models", models}});
    }
    auto models = nlohmann::json::array();
    for (auto const& model : all_models) models.push_back({{"token", token(model)}, {"description", describe(model)}});
    auto variants_json = nlohmann::json::array();
    for (auto const& variant : variants()) {
        variants_json.push_back({{"token", variant.id.token()}, {"scenarios", variant.scenarios}, {"changes", variant.changes}});
    }
    auto peers = nlohmann::json::array();
    for (auto const& peer : all_peers) {
        auto const path = peer_executable(peer);
        peers.push_back({{"token", token(peer)}, {"counterpart", token(counterpart(peer))}, {"description", describe(peer)},
                         {"built", path.has_value()}, {"path", path ? nlohmann::json(*path) : nlohmann::json(nullptr)}});
    }
    return {{"scenarios", scenarios_json}, {"models", models}, {"variants", variants_json}, {"peers", peers}, {"presets", preset_names()}};
}

int list_command(bool json) {
    if (json) {
        std::cout << list_json().dump(1) << std::endl;
        return 0;
    }
    std::printf("Scenarios (conclab run <scenario> [options]):\n");
    for (auto const* s : scenarios()) {
        std::printf("\n  %s\n    %s\n", s->name.c_str(), s->summary.c_str());
        for (auto const& p : s->params) {
            std::string accepts = "range " + std::to_string(p.min) + ".." + std::to_string(p.max);
            if (p.is_text()) {
                accepts = p.choices.empty() ? "text" : "one of ";
                for (std::size_t c = 0; c < p.choices.size(); ++c) accepts += (c == 0 ? "" : "|") + p.choices[c];
            }
            auto const fallback = to_text(p.fallback);
            std::printf("    %-17s default %-8s %s\n                      %s\n                      used by: %s\n", flag(p).c_str(),
                        fallback.empty() ? "(none)" : fallback.c_str(), accepts.c_str(), p.help.c_str(), p.models.c_str());
        }
    }
    std::printf("\nModels (--models, comma-separated; default: all four):\n");
    for (auto const& model : all_models) std::printf("  %-11s %s\n", std::string{token(model)}.c_str(), std::string{describe(model)}.c_str());
    std::printf("\nVariants (--models fibers,fibers/guard-pages: a model with one thing changed, measured as a model of its own):\n");
    for (auto const& variant : variants()) {
        std::string where = variant.scenarios.size() == scenarios().size() ? "every scenario" : "";
        for (auto const& name : variant.scenarios) {
            if (variant.scenarios.size() != scenarios().size()) where += (where.empty() ? "" : ", ") + name;
        }
        std::printf("  %-20s (%s) %s\n", variant.id.token().c_str(), where.c_str(), variant.changes.c_str());
    }
    std::printf("\nPeers (--models fibers,go: the real Go and Rust programs the models stand for; docs/calibration.md):\n");
    bool any_peer = false;
    for (auto const& peer : all_peers) {
        if (auto const path = peer_executable(peer)) {
            std::printf("  %-13s vs %-10s %s\n                           %s\n", std::string{token(peer)}.c_str(),
                        std::string{token(counterpart(peer))}.c_str(), std::string{describe(peer)}.c_str(), path->c_str());
            any_peer = true;
        }
    }
    if (!any_peer) std::printf("  none built here: ./setup.sh peers builds %s from Debian's packages\n", cli::peer_list().c_str());
    std::printf("\nRun options: --repeat R (default 5), --warmup W (default 1), --json FILE, --csv FILE, --md FILE, --wide,\n"
                "             --case-timeout SECONDS (default 600), --quiet, --no-latency. Details: docs/methodology.md.\n"
                "Any command: --color never|auto|always (auto: on a terminal, unless NO_COLOR is set).\n"
                "\nconclab serve: the url-fetch target server (conclab serve --help).\n");
    return 0;
}

// The child side of a case: run it, print one JSON line, exit.
int case_command(std::string const& request_text) {
    CaseOutcome outcome;
    try {
        auto const request = request_from_json(nlohmann::json::parse(request_text));
        auto const* scenario = find_scenario(request.scenario);
        if (scenario == nullptr) throw UsageError{"unknown scenario '" + request.scenario + "'"};
        auto const* model = scenario->find_model(request.model);
        if (model == nullptr) throw UsageError{request.scenario + " has no model '" + request.model.token() + "'"};
        for (auto const& spec : scenario->params) {
            if (request.params.count(spec.name) == 0 || request.params.at(spec.name).index() != spec.fallback.index()) {
                throw UsageError{"parameter " + spec.name + " missing or of the wrong type"};
            }
        }
        outcome.metrics = model->run_case(request.params, request.options);
        outcome.status = CaseOutcome::Status::ok;
    } catch (WrongAnswer const& e) {
        outcome.status = CaseOutcome::Status::wrong_answer;
        outcome.message = e.what();
    } catch (std::exception const& e) {
        outcome.status = CaseOutcome::Status::error;
        outcome.message = e.what();
    }
    std::cout << outcome_to_json(outcome).dump() << std::endl;
    return outcome.status == CaseOutcome::Status::ok ? 0 : 1;
}

// `conclab calibration FILE...`: every case that has runs of a model and of its peer.
int calibration_command(std::vector<std::string> const& files) {
    auto const file = read_results(files);
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

// `conclab claims FILE...`: the workshop's claims answered from a workshop sweep (docs/workshop/07-claims.md).
int claims_command(std::vector<std::string> const& files, bool json) {
    auto const answers = answer_claims(read_results(files));
    bool const any_not_judged = std::any_of(answers.begin(), answers.end(), [](ClaimAnswer const& a) { return a.not_judged; });
    if (!any_not_judged && std::none_of(answers.begin(), answers.end(), [](ClaimAnswer const& a) { return a.answered; })) {
        throw UsageError{"no claim can be answered from the files given: they hold none of the workshop's cases; "
                         "conclab sweep --preset workshop -o workshop.jsonl makes them"};
    }
    if (json) {
        std::cout << claims_json(answers).dump(1) << std::endl;
    } else {
        std::fputs(claims_markdown(answers).c_str(), stdout);
    }
    if (any_not_judged) {
        cli::print_error("some claims were not judged: their cases had runs with failed items (see the table)");
        return cli::exit_failed_runs;
    }
    return 0;
}

/// A command of the program: its CLI11 subcommand and what runs it.
struct Command {
    CLI::App* app;
    std::function<int()> run;
};

/// "a, b or c"
std::string one_of(std::vector<std::string> const& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return out;
}

struct RunOptions {
    cli::CaseFlags flags{.models = model_list(), .repeat = "5"};
    bool models_given = false;  ///< --models on the command line: run exactly those, or refuse
    std::map<std::string, std::string> params;
    std::string json_path;
    std::string csv_path;
    std::string md_path;
    bool wide = false;  ///< every column in the table (and in --md)
};

int run_command(Scenario const& scenario, RunOptions const& options, std::vector<std::string> command) {
    RunPlan plan;
    plan.scenario = &scenario;
    plan.models = parse_models(options.flags.models, cli::models_of(scenario));
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
    auto const settings = cli::parse_case_flags(options.flags);
    plan.repeat = settings.repeat;
    plan.warmup = settings.warmup;
    plan.case_timeout = settings.case_timeout;
    plan.progress = settings.progress;
    plan.record_latency = settings.record_latency;
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
    std::fputs(format_table(results, {.format = TableFormat::text, .wide = options.wide, .colour = colour::on(table_out)}).c_str(),
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
                cli::print_error(std::string{e.what()} + "; the results are in " + kept + " instead");
            } catch (std::runtime_error const& elsewhere) {
                cli::print_error(std::string{e.what()} + "; " + elsewhere.what() + "; the table above is all that is left of them");
            }
        }
    };
    if (!options.json_path.empty()) write_results(options.json_path, results_to_json(results).dump(2) + "\n", ".json", json_to_stdout);
    if (!options.csv_path.empty()) write_results(options.csv_path, results_to_csv(results), ".csv", csv_to_stdout);
    if (!options.md_path.empty()) write_results(options.md_path, format_table(results, {.format = TableFormat::markdown, .wide = options.wide, .colour = false}), ".md", md_to_stdout);
    if (results.interrupted) {
        std::fprintf(stderr, "conclab: interrupted; the runs that finished are above%s\n",
                     options.json_path.empty() && options.csv_path.empty() && options.md_path.empty() ? "" : " and in the files written");
        return exit_interrupted();
    }
    if (lost_output) return exit_failed_runs;
    if (!all_ok(results)) {
        cli::print_error("some runs failed (listed above); their numbers are not in the summary");
        return exit_failed_runs;
    }
    if (double const failed = failed_items(results); failed > 0) {
        cli::print_error(printed("%.0f", failed) + " " + scenario.unit + " failed across the measured runs (counted by kind above)");
        return exit_failed_runs;
    }
    return 0;
}

// --color MODE / --colour=MODE anywhere on the line, for every command: taken out before the rest is
// parsed (so that it also holds for errors found before), its mode set for the process.
std::vector<char*> take_colour_flag(int argc, char** argv) {
    std::vector<char*> rest;
    for (int i = 0; i < argc; ++i) {
        std::string_view const arg{argv[i]};
        bool const spelled = arg == "--color" || arg == "--colour";
        if (spelled && i + 1 < argc) {
            colour::set_mode(colour::parse_mode(argv[++i]));
        } else if (spelled) {
            throw UsageError{std::string{arg} + " expects never, auto or always"};
        } else if (arg.starts_with("--color=") || arg.starts_with("--colour=")) {
            colour::set_mode(colour::parse_mode(arg.substr(arg.find('=') + 1)));
        } else {
            rest.push_back(argv[i]);
        }
    }
    return rest;
}

int main_impl(int argc, char** argv) {
    auto args = take_colour_flag(argc, argv);
    argc = static_cast<int>(args.size());
    argv = args.data();
    CLI::App app{"conclab: one concurrency scenario, four concurrency models, measured side by side.", "conclab"};
    // shown in the help; taken out of the line above before CLI11 parses it
    std::string colour_help_only;
    app.add_option("--color,--colour", colour_help_only,
                   "colour: auto (default: on a terminal, unless NO_COLOR is set), always, never; any command, anywhere on the line")
        ->type_name("{never,auto,always}");
    app.set_version_flag("--version", std::string{"conclab "} + CONCLAB_VERSION + " (" + CONCLAB_GIT_COMMIT + ")");
    app.require_subcommand(1);
    bool list_as_json = false;
    app.add_subcommand("list", "show scenarios, their parameters, and the models")
        ->add_flag("--json", list_as_json, "the same as JSON: scenarios with their parameters (type, default, range or choices), models, variants, peers, presets");
    auto* run = app.add_subcommand("run", "measure a scenario in each model");
    run->require_subcommand(1);
    url_fetch::ServeFlags serve_flags;
    auto* serve = app.add_subcommand("serve", "run the url-fetch target server (HTTP API: docs/contract.md)");
    url_fetch::add_serve_flags(serve, serve_flags);

    std::string case_request;
    auto* child = app.add_subcommand("__case", "run one case and print its result (used by run)");
    child->group("");
    child->add_option("request", case_request)->required();
    // the unit scales and how conclab formats some values on them: the report script's test holds it to these
    auto* units = app.add_subcommand("__units", "print the unit scales and formatted samples as JSON (tests)");
    units->group("");

    RunOptions options;
    std::map<CLI::App*, Scenario const*> by_command;
    for (auto const* scenario : scenarios()) {
        auto* sub = run->add_subcommand(scenario->name, scenario->summary);
        by_command[sub] = scenario;
        for (auto const& spec : scenario->params) {
            sub->add_option(flag(spec), options.params[spec.name], cli::help_with_default(spec))->type_name(cli::value_type(spec, false));
        }
        cli::add_case_flags(sub, options.flags, "measured runs per model");
        sub->add_option("--json", options.json_path, "write all results as JSON (docs/results-schema.md); - for standard output")
            ->type_name("FILE");
        sub->add_option("--csv", options.csv_path, "write one CSV row per run; - for standard output")->type_name("FILE");
        sub->add_option("--md", options.md_path, "write the table as Markdown (a pipe table and its notes); - for standard output")
            ->type_name("FILE");
        sub->add_flag("--wide", options.wide,
                      "every column: also p90 and max latency, RSS per task, user and sys CPU seconds, context switches "
                      "(the default table keeps the most-read ones, about 100 characters)");
    }

    auto const run_scenario = [&] {
        for (auto const& [sub, scenario] : by_command) {
            if (sub->parsed()) {
                options.models_given = sub->count("--models") > 0;
                return run_command(*scenario, options, std::vector<std::string>(argv, argv + argc));
            }
        }
        throw UsageError{"run needs a scenario: conclab run <scenario>, one of: " + scenario_list()};
    };

    cli::SweepCli sweep_cli;
    cli::add_sweep_commands(app, sweep_cli);
    cli::CompareCli compare_cli;
    cli::add_compare_command(app, compare_cli);
    cli::ReportCli report_cli;
    cli::add_report_command(app, report_cli);
    cli::ShowCli show_cli;
    cli::add_show_command(app, show_cli);
    std::vector<std::string> calibration_files;
    auto* calibration = app.add_subcommand(
        "calibration", "each model against its real Go or Rust peer, case by case: ratios with confidence intervals (docs/calibration.md)");
    calibration->add_option("files", calibration_files, "results (run --json) or sweep files, e.g. of conclab sweep --preset calibration")
        ->required();
    std::vector<std::string> claims_files;
    bool claims_as_json = false;
    auto* claims = app.add_subcommand("claims", "the debate's claims (GC tails, 2 KB goroutines...) answered from a workshop sweep, as a "
                                                "Markdown table (docs/workshop/07-claims.md)");
    claims->add_option("files", claims_files, "sweep or results files, e.g. of conclab sweep --preset workshop")->required();
    claims->add_flag("--json", claims_as_json, "the answers as JSON instead");

    // The commands, in the order help and errors name them: each with what it does once parsed.
    // Every list of commands (help, the unknown-command message, dispatch) is this one.
    std::vector<Command> const commands{
        {app.get_subcommand("list"), [&] { return list_command(list_as_json); }},
        {run, [&] { return run_scenario(); }},
        {show_cli.command, [&] { return cli::show_command(show_cli); }},
        {sweep_cli.sweep, [&] { return cli::sweep_command(sweep_cli, std::vector<std::string>(argv, argv + argc)); }},
        {sweep_cli.merge, [&] { return cli::merge_command(sweep_cli); }},
        {compare_cli.command, [&] { return cli::compare_command(compare_cli); }},
        {report_cli.command, [&] { return cli::report_command(report_cli); }},
        {calibration, [&] { return calibration_command(calibration_files); }},
        {claims, [&] { return claims_command(claims_files, claims_as_json); }},
        {serve, [&] { return url_fetch::serve_command(serve_flags); }},
        {child, [&] { return case_command(case_request); }},
        {units, [&] {
             nlohmann::json samples = nlohmann::json::array();
             for (auto const* scale : unit_scales) {
                 for (double value : {0.0, 0.473, 12.0, 999.0, 999.7, 1000.0, 1023.9, 1732.0, 9999.0, 58'500.0, 999'600.0,
                                      1'044'480.0, 1'048'473.0, 11'611'000.0, 2.5e6, 25'276'510'208.0}) {
                     samples.push_back({scale->name, value, in_units(value, *scale)});
                 }
             }
             std::puts(nlohmann::json{{"units", units_json()}, {"samples", samples}}.dump().c_str());
             return 0;
         }},
    };
    std::vector<std::string> names;
    for (auto const& command : commands) {
        if (!command.app->get_group().empty()) names.push_back(command.app->get_name());  // __case is hidden
    }
    auto const expected = "; expected " + one_of(names) + " (see conclab --help)";
    auto const is_command = [&](std::string_view word) {
        return std::any_of(commands.begin(), commands.end(), [&](Command const& c) { return c.app->get_name() == word; });
    };
    if (argc >= 2 && argv[1][0] != '-' && !is_command(argv[1])) {
        throw UsageError{"unknown command '" + std::string{argv[1]} + "'" + did_you_mean(argv[1], names) + expected};
    }
    if (argc == 1) throw UsageError{"no command given" + expected};
    if (argc >= 3 && std::string_view{argv[1]} == "sweep" && argv[2][0] != '-' && find_scenario(argv[2]) == nullptr) {
        throw UsageError{"unknown scenario '" + std::string{argv[2]} + "'" + did_you_mean(argv[2], scenario_names()) +
                         "; expected one of: " + scenario_list()};
    }
    if (argc == 2 && std::string_view{argv[1]} == "run") {
        throw UsageError{"run needs a scenario: conclab run <scenario>, one of: " + scenario_list()};
    }
    if (argc >= 3 && std::string_view{argv[1]} == "run" && argv[2][0] != '-' && find_scenario(argv[2]) == nullptr) {
        throw UsageError{"unknown scenario '" + std::string{argv[2]} + "'" + did_you_mean(argv[2], scenario_names()) +
                         "; expected one of: " + scenario_list()};
    }
    cli::reject_empty_assignments(argc, argv);
    try {
        app.parse(argc, argv);
        cli::reject_empty_values(app);
    } catch (CLI::ParseError const& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        // the command being parsed: the last one parsed, subcommands after their parents; its help
        CLI::App const* parsing = &app;
        std::string hint = "conclab";
        for (auto* sub = &app; sub != nullptr;) {
            auto const parsed = sub->get_subcommands([](CLI::App const* command) { return command->parsed(); });
            sub = parsed.empty() ? nullptr : parsed.back();
            if (sub != nullptr) {
                parsing = sub;
                hint += " " + sub->get_name();
            }
        }
        hint += " --help";
        throw UsageError{cli::explain_parse_error(e, *parsing, std::vector<std::string>(argv + 1, argv + argc)) + " (see " + hint + ")"};
    }

    for (auto const& command : commands) {
        if (command.app->parsed()) return command.run();
    }
    throw UsageError{"no command given (see conclab --help)"};
}

}  // namespace
}  // namespace conclab

int main(int argc, char** argv) {
    // Sockets are files: allow as many as the hard limit (as Go's runtime does).
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    try {
        return conclab::main_impl(argc, argv);
    } catch (conclab::UsageError const& e) {
        conclab::cli::print_error(e.what());
        return conclab::cli::exit_usage;
    } catch (std::exception const& e) {
        conclab::cli::print_error(e.what());
        return conclab::cli::exit_failed_runs;
    }
}
