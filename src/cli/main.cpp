// conclab: the command line. `list` shows what can run, `run` measures a
// scenario in every model (each case in a child process: the hidden
// `__case` command), and bad input of any kind ends with one message and
// exit code 2.
#include "src/case_json.hpp"
#include "src/interrupt.hpp"
#include "src/machine.hpp"
#include "src/output_file.hpp"
#include "src/cli/compare_command.hpp"
#include "src/cli/options.hpp"
#include "src/cli/report_command.hpp"
#include "src/cli/sweep_command.hpp"
#include "scenarios/registry.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "src/report.hpp"
#include "src/runner.hpp"

#include "conclab_config.hpp"
#include "conclab_git_commit.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include <sys/prctl.h>
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

int list_command() {
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
    std::printf("\nRun options: --repeat R (default 5), --warmup W (default 1), --json FILE, --csv FILE,\n"
                "             --case-timeout SECONDS (default 600), --quiet, --no-latency. Details: docs/methodology.md.\n"
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

struct ServeOptions {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::string threads = std::to_string(hardware_threads());
    std::string size = "1024";
    std::string delay_us;
    std::string delay_dist;
    std::string delay_mean_us;
    std::string delay_seed = "0";
    std::string max_connections = "10000";
    std::string fail_every = "0";
    std::string stall_every = "0";
    std::string truncate_every = "0";
    std::string corrupt_every = "0";
    std::string fail_rate = "0";
    std::string stall_rate = "0";
    std::string reset_rate = "0";
    std::string fault_seed = "0";
    std::string slow_body_us = "0";
    bool quiet = false;
    bool exit_with_parent = false;
};

// A probability: a decimal from 0 to 1.
double parse_rate(std::string const& flag, std::string const& text) {
    char* end = nullptr;
    double const value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= 0 && value <= 1)) {
        throw UsageError{flag + " expects a probability from 0 to 1 (e.g. 0.05), got '" + text + "'"};
    }
    return value;
}

int serve_command(ServeOptions const& options) {
    url_fetch::ServerConfig config;
    config.host = options.host;
    config.port = static_cast<std::uint16_t>(parse_number("--port", options.port, 0, 65535));
    config.threads = static_cast<unsigned>(parse_number("--threads", options.threads, 1, 1024));
    config.size = parse_number("--size", options.size, 0, url_fetch::max_item_size);
    config.max_connections = parse_number("--max-connections", options.max_connections, 1, 1'000'000);
    if (!options.delay_us.empty() && (!options.delay_dist.empty() || !options.delay_mean_us.empty())) {
        throw UsageError{"give either --delay-us D or --delay-dist with --delay-mean-us, not both"};
    }
    if (!options.delay_us.empty()) {
        config.delay.mean_us = parse_number("--delay-us", options.delay_us, 0, url_fetch::max_delay_us);
    } else if (!options.delay_dist.empty()) {
        auto const distribution = url_fetch::parse_distribution(options.delay_dist);
        if (!distribution) throw UsageError{"--delay-dist expects fixed, uniform, exp or lognormal, got '" + options.delay_dist + "'"};
        if (options.delay_mean_us.empty()) throw UsageError{"--delay-dist needs --delay-mean-us M"};
        config.delay.distribution = *distribution;
        config.delay.mean_us = parse_number("--delay-mean-us", options.delay_mean_us, 0, url_fetch::max_delay_us);
    } else if (!options.delay_mean_us.empty()) {
        throw UsageError{"--delay-mean-us goes with --delay-dist"};
    }
    config.delay.seed = parse_number("--delay-seed", options.delay_seed, 0, UINT64_MAX);
    config.faults.fail_every = parse_number("--fail-every", options.fail_every, 0, UINT64_MAX);
    config.faults.stall_every = parse_number("--stall-every", options.stall_every, 0, UINT64_MAX);
    config.faults.truncate_every = parse_number("--truncate-every", options.truncate_every, 0, UINT64_MAX);
    config.faults.corrupt_every = parse_number("--corrupt-every", options.corrupt_every, 0, UINT64_MAX);
    config.faults.fail_rate = parse_rate("--fail-rate", options.fail_rate);
    config.faults.stall_rate = parse_rate("--stall-rate", options.stall_rate);
    config.faults.reset_rate = parse_rate("--reset-rate", options.reset_rate);
    config.faults.seed = parse_number("--fault-seed", options.fault_seed, 0, UINT64_MAX);
    config.faults.slow_body_us = parse_number("--slow-body-us", options.slow_body_us, 0, 10'000'000);
    if (options.exit_with_parent) {
        // started by `conclab run`: do not outlive it, even if it is killed
        pid_t const parent = getppid();
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) return 0;
    }

    std::unique_ptr<url_fetch::Server> server;
    try {
        server = std::make_unique<url_fetch::Server>(config);
    } catch (std::invalid_argument const& e) {
        throw UsageError{e.what()};
    } catch (std::runtime_error const& e) {
        throw UsageError{e.what()};
    }
    server->start();
    // The first line names the address; the runner reads it to find a port chosen with --port 0.
    std::printf("conclab serve: listening on http://%s:%u (threads %u, size %llu, delay %s mean %llu us, seed %llu)\n",
                config.host.c_str(), static_cast<unsigned>(server->port()), config.threads,
                static_cast<unsigned long long>(config.size), std::string{url_fetch::to_string(config.delay.distribution)}.c_str(),
                static_cast<unsigned long long>(config.delay.mean_us), static_cast<unsigned long long>(config.delay.seed));
    std::fflush(stdout);
    server->serve_until_signal();
    auto const c = server->counters();
    if (!options.quiet) {
        std::fprintf(stderr,
                     "conclab serve: stopped; %llu connections, %llu refused, %llu items served, %llu bad requests, %llu faults "
                     "on purpose\n",
                     static_cast<unsigned long long>(c.connections_opened), static_cast<unsigned long long>(c.connections_refused),
                     static_cast<unsigned long long>(c.items_served), static_cast<unsigned long long>(c.bad_requests),
                     static_cast<unsigned long long>(c.faults));
    }
    return 0;
}

struct RunOptions {
    std::string models = model_list();
    bool models_given = false;  ///< --models on the command line: run exactly those, or refuse
    std::map<std::string, std::string> params;
    std::string repeat = "5";
    std::string warmup = "1";
    std::string case_timeout = "600";
    std::string json_path;
    std::string csv_path;
    bool quiet = false;
    bool no_latency = false;
};

int run_command(Scenario const& scenario, RunOptions const& options, std::vector<std::string> command) {
    RunPlan plan;
    plan.scenario = &scenario;
    plan.models = parse_models(options.models, cli::models_of(scenario));
    plan.params = defaults(scenario.params);
    for (auto const& spec : scenario.params) {
        auto const given = options.params.find(spec.name);
        if (given != options.params.end() && !given->second.empty()) plan.params[spec.name] = parse_param(spec, given->second);
    }
    plan.repeat = static_cast<unsigned>(parse_number("--repeat", options.repeat, 1, 1000));
    plan.warmup = static_cast<unsigned>(parse_number("--warmup", options.warmup, 0, 100));
    plan.case_timeout = std::chrono::seconds{parse_number("--case-timeout", options.case_timeout, 1, 86'400)};
    plan.progress = !options.quiet;
    plan.record_latency = !options.no_latency;
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
    // `-` (or /dev/stdout) is standard output for one of them; the table then goes to stderr.
    bool const json_to_stdout = !options.json_path.empty() && is_standard_output(options.json_path);
    bool const csv_to_stdout = !options.csv_path.empty() && is_standard_output(options.csv_path);
    if (json_to_stdout && csv_to_stdout) {
        throw UsageError{"--json and --csv both go to standard output; at most one of them may be - (or /dev/stdout)"};
    }
    std::FILE* const table_out = json_to_stdout || csv_to_stdout ? stderr : stdout;

    install_interrupt_handlers();  // Ctrl-C: stop the case in flight, keep what finished
    // the scenario's fixture (url-fetch's target server) is started, or checked, before the first case
    auto results = execute(plan, std::move(command));
    std::fputs(format_table(results).c_str(), table_out);
    std::fflush(table_out);
    if (!options.json_path.empty()) {
        write_output(options.json_path, results_to_json(results).dump(2) + "\n");
        if (!json_to_stdout) std::fprintf(stderr, "wrote %s\n", options.json_path.c_str());
    }
    if (!options.csv_path.empty()) {
        write_output(options.csv_path, results_to_csv(results));
        if (!csv_to_stdout) std::fprintf(stderr, "wrote %s\n", options.csv_path.c_str());
    }
    if (results.interrupted) {
        std::fprintf(stderr, "conclab: interrupted; the runs that finished are above%s\n",
                     options.json_path.empty() && options.csv_path.empty() ? "" : " and in the files written");
        return exit_interrupted;
    }
    if (!all_ok(results)) {
        std::fprintf(stderr, "conclab: error: some runs failed (listed above); their numbers are not in the summary\n");
        return exit_failed_runs;
    }
    if (double const failed = failed_items(results); failed > 0) {
        std::fprintf(stderr, "conclab: error: %.0f %s failed across the measured runs (counted by kind above)\n", failed,
                     scenario.unit.c_str());
        return exit_failed_runs;
    }
    return 0;
}

int main_impl(int argc, char** argv) {
    CLI::App app{"conclab: one concurrency scenario, four concurrency models, measured side by side.", "conclab"};
    app.set_version_flag("--version", std::string{CONCLAB_VERSION} + " (" + CONCLAB_GIT_COMMIT + ")");
    app.require_subcommand(1);
    app.add_subcommand("list", "show scenarios, their parameters, and the models");
    auto* run = app.add_subcommand("run", "measure a scenario in each model");
    run->require_subcommand(1);
    ServeOptions serve_options;
    auto* serve = app.add_subcommand("serve", "run the url-fetch target server (HTTP API: docs/scenarios.md)");
    serve->add_option("--host", serve_options.host, "address to listen on (default 127.0.0.1: loopback only)");
    serve->add_option("--port", serve_options.port, "port (default 8080; 0 = any free port, printed on the first line)");
    serve->add_option("--threads", serve_options.threads, "server threads (default: hardware concurrency)");
    serve->add_option("--size", serve_options.size, "body size in bytes when a request names none (default 1024)");
    serve->add_option("--delay-us", serve_options.delay_us, "fixed delay per item in microseconds (default 0)");
    serve->add_option("--delay-dist", serve_options.delay_dist, "delay distribution: fixed, uniform, exp, lognormal");
    serve->add_option("--delay-mean-us", serve_options.delay_mean_us, "mean delay for --delay-dist, microseconds");
    serve->add_option("--delay-seed", serve_options.delay_seed, "seed of the per-item delays (default 0)");
    serve->add_option("--max-connections", serve_options.max_connections, "connections open at once (default 10000)");
    serve->add_option("--fail-every", serve_options.fail_every, "fault on purpose: answer 500 to items i with (i+1) % K == 0");
    serve->add_option("--stall-every", serve_options.stall_every, "fault on purpose: no answer to items i with (i+1) % K == 0 (the connection is dropped after 30 s)");
    serve->add_option("--truncate-every", serve_options.truncate_every,
                      "fault on purpose: send half the body of items i with (i+1) % K == 0, then close");
    serve->add_option("--corrupt-every", serve_options.corrupt_every,
                      "fault on purpose: flip the first body byte of items i with (i+1) % K == 0");
    serve->add_option("--fail-rate", serve_options.fail_rate, "fault on purpose: answer 500 to each item with this probability");
    serve->add_option("--stall-rate", serve_options.stall_rate, "fault on purpose: no answer to each item with this probability");
    serve->add_option("--reset-rate", serve_options.reset_rate, "fault on purpose: reset the connection (RST) with this probability");
    serve->add_option("--fault-seed", serve_options.fault_seed, "seed of the per-item draws of the *-rate faults (default 0)");
    serve->add_option("--slow-body-us", serve_options.slow_body_us, "send every body in 1 KiB pieces this many us apart");
    serve->add_flag("--quiet", serve_options.quiet, "no counters on stderr at exit");
    serve->add_flag("--exit-with-parent", serve_options.exit_with_parent, "stop when the parent process dies")->group("");

    std::string case_request;
    auto* child = app.add_subcommand("__case", "run one case and print its result (used by run)");
    child->group("");
    child->add_option("request", case_request)->required();

    RunOptions options;
    std::map<CLI::App*, Scenario const*> by_command;
    for (auto const* scenario : scenarios()) {
        auto* sub = run->add_subcommand(scenario->name, scenario->summary);
        by_command[sub] = scenario;
        sub->add_option("--models", options.models, "comma-separated models to run (default: all: " + model_list() + ")");
        for (auto const& spec : scenario->params) {
            sub->add_option(flag(spec), options.params[spec.name],
                            spec.help + " (default " + (to_text(spec.fallback).empty() ? "none" : to_text(spec.fallback)) + ")");
        }
        sub->add_option("--repeat", options.repeat, "measured runs per model, each in its own process (default 5)");
        sub->add_option("--warmup", options.warmup, "unmeasured runs before the measured one, same process (default 1)");
        sub->add_option("--case-timeout", options.case_timeout, "seconds before a case is killed and counted as failed (default 600)");
        sub->add_option("--json", options.json_path, "write all results as JSON (docs/results-schema.md); - for standard output");
        sub->add_option("--csv", options.csv_path, "write one CSV row per run; - for standard output");
        sub->add_flag("--quiet", options.quiet, "no progress lines on stderr");
        sub->add_flag("--no-latency", options.no_latency,
                      "record no per-item latency (to see what recording costs; latency columns stay empty)");
    }

    cli::SweepCli sweep_cli;
    cli::add_sweep_commands(app, sweep_cli);
    cli::CompareCli compare_cli;
    cli::add_compare_command(app, compare_cli);
    cli::ReportCli report_cli;
    cli::add_report_command(app, report_cli);

    // Unknown commands and scenarios get a message that names the known ones.
    auto const is_command = [](std::string_view word) {
        return word == "list" || word == "run" || word == "sweep" || word == "merge" || word == "compare" || word == "report" ||
               word == "serve" ||
               word == "__case";
    };
    if (argc >= 2 && argv[1][0] != '-' && !is_command(argv[1])) {
        throw UsageError{"unknown command '" + std::string{argv[1]} + "'; expected list, run, sweep, merge, compare, report or serve (see conclab --help)"};
    }
    if (argc == 1) {
        throw UsageError{"no command given; expected list, run, sweep, merge, compare, report or serve (see conclab --help)"};
    }
    if (argc >= 3 && std::string_view{argv[1]} == "sweep" && argv[2][0] != '-' && find_scenario(argv[2]) == nullptr) {
        throw UsageError{"unknown scenario '" + std::string{argv[2]} + "'; expected one of: " + scenario_list()};
    }
    if (argc == 2 && std::string_view{argv[1]} == "run") {
        throw UsageError{"run needs a scenario: conclab run <scenario>, one of: " + scenario_list()};
    }
    if (argc >= 3 && std::string_view{argv[1]} == "run" && argv[2][0] != '-' && find_scenario(argv[2]) == nullptr) {
        throw UsageError{"unknown scenario '" + std::string{argv[2]} + "'; expected one of: " + scenario_list()};
    }
    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::string hint = "conclab --help";
        if (run->parsed()) hint = "conclab run --help";
        for (auto const& [sub, scenario] : by_command) {
            if (sub->parsed()) hint = "conclab run " + scenario->name + " --help";
        }
        if (auto const sweep_hint = cli::sweep_help_hint(sweep_cli); !sweep_hint.empty()) hint = sweep_hint;
        if (compare_cli.command->parsed()) hint = "conclab compare --help";
        if (report_cli.command->parsed()) hint = "conclab report --help";
        throw UsageError{std::string{e.what()} + " (see " + hint + ")"};
    }

    if (app.got_subcommand("list")) return list_command();
    if (serve->parsed()) return serve_command(serve_options);
    if (sweep_cli.sweep->parsed()) return cli::sweep_command(sweep_cli, std::vector<std::string>(argv, argv + argc));
    if (sweep_cli.merge->parsed()) return cli::merge_command(sweep_cli);
    if (compare_cli.command->parsed()) return cli::compare_command(compare_cli);
    if (report_cli.command->parsed()) return cli::report_command(report_cli);
    if (child->parsed()) return case_command(case_request);
    for (auto const& [sub, scenario] : by_command) {
        if (sub->parsed()) {
            options.models_given = sub->count("--models") > 0;
            return run_command(*scenario, options, std::vector<std::string>(argv, argv + argc));
        }
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
        std::fprintf(stderr, "conclab: error: %s\n", e.what());
        return conclab::cli::exit_usage;
    } catch (std::exception const& e) {
        std::fprintf(stderr, "conclab: error: %s\n", e.what());
        return conclab::cli::exit_failed_runs;
    }
}
