// conclab: the command line. `list` shows what can run, `run` measures a
// scenario in every model (each case in a child process: the hidden
// `__case` command), and bad input of any kind ends with one message and
// exit code 2.
#include "app/baselines_command.hpp"
#include "app/calibration_command.hpp"
#include "app/case_command.hpp"
#include "app/claims_command.hpp"
#include "app/compare_command.hpp"
#include "app/list_command.hpp"
#include "app/manual.hpp"
#include "app/options.hpp"
#include "app/report_command.hpp"
#include "app/run_command.hpp"
#include "app/show_command.hpp"
#include "app/sweep_command.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/serve.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/suggest.hpp"
#include "src/kit/units.hpp"
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

using namespace cli;

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
    ListCli list_cli;
    add_list_command(app, list_cli);
    RunCli run_cli;
    add_run_command(app, run_cli);
    url_fetch::ServeFlags serve_flags;
    auto* serve = app.add_subcommand("serve", "run the url-fetch target server (HTTP API: docs/contract.md)");
    url_fetch::add_serve_flags(serve, serve_flags);
    SweepCli sweep_cli;
    add_sweep_commands(app, sweep_cli);
    CompareCli compare_cli;
    add_compare_command(app, compare_cli);
    ReportCli report_cli;
    add_report_command(app, report_cli);
    BaselinesCli baselines_cli;
    add_baselines_command(app, baselines_cli);
    ShowCli show_cli;
    add_show_command(app, show_cli);
    CalibrationCli calibration_cli;
    add_calibration_command(app, calibration_cli);
    ClaimsCli claims_cli;
    add_claims_command(app, claims_cli);
    CaseCli case_cli;
    add_case_command(app, case_cli);
    UnitsCli units_cli;
    add_units_command(app, units_cli);

    // The commands, in the order help and errors name them: each with what it does once parsed.
    // Every list of commands (help, the unknown-command message, dispatch) is this one.
    std::vector<Command> const commands{
        {list_cli.command, [&] { return list_command(list_cli); }},
        {run_cli.command, [&] { return run_command(run_cli, std::vector<std::string>(argv, argv + argc)); }},
        {show_cli.command, [&] { return show_command(show_cli); }},
        {sweep_cli.sweep, [&] { return sweep_command(sweep_cli, std::vector<std::string>(argv, argv + argc)); }},
        {sweep_cli.merge, [&] { return merge_command(sweep_cli); }},
        {compare_cli.command, [&] { return compare_command(compare_cli); }},
        {report_cli.command, [&] { return report_command(report_cli); }},
        {baselines_cli.command, [&] { return baselines_command(baselines_cli); }},
        {calibration_cli.command, [&] { return calibration_command(calibration_cli); }},
        {claims_cli.command, [&] { return claims_command(claims_cli); }},
        {serve, [&] { return url_fetch::serve_command(serve_flags); }},
        {case_cli.command, [&] { return case_command(case_cli); }},
        {units_cli.command, [&] { return units_command(units_cli); }},
    };
    std::vector<std::string> names;
    for (auto const& command : commands) {
        if (!command.app->get_group().empty()) names.push_back(command.app->get_name());  // __case is hidden
    }
    auto const expected = "; expected " + one_of(names) + " (see conclab --help)";
    auto const is_command = [&](std::string_view word) {
        return std::any_of(commands.begin(), commands.end(), [&](Command const& c) { return c.app->get_name() == word; });
    };
    // what meson install makes of the command line itself (app/manual.hpp): hidden, not commands
    if (argc == 2 && std::string_view{argv[1]} == "__man") return std::fputs(cli::man_page(app).c_str(), stdout) < 0 ? 1 : 0;
    if (argc == 2 && std::string_view{argv[1]} == "__completion") return std::fputs(cli::bash_completion(app).c_str(), stdout) < 0 ? 1 : 0;
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
