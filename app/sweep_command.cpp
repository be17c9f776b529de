#include "app/sweep_command.hpp"

#include "app/options.hpp"
#include "scenarios/registry.hpp"
#include "src/results/aggregate.hpp"
#include "src/results/baselines.hpp"
#include "src/results/calibration.hpp"
#include "src/runner/interrupt.hpp"
#include "src/runner/output_file.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/units.hpp"
#include "src/runner/peer.hpp"
#include "src/runner/sweep.hpp"

#include <cmath>
#include <cstdio>

namespace conclab::cli {
namespace {

void add_common(CLI::App* app, SweepCli& cli) {
    app->add_option("-o,--output", cli.output, "the sweep file (JSON Lines, appended case by case); - streams to standard output (no --resume)")
        ->type_name("FILE");
    add_case_flags(app, cli.flags, "repetitions per model and combination");
    app->add_option("--shard", cli.shard, "run part K of N (K/N): combination c goes to part c % N + 1; conclab merge joins parts")
        ->type_name("K/N");
    app->add_flag("--resume", cli.resume, "continue the sweep already in the output file, skipping finished cases");
    app->add_option("--save-baseline", cli.save_baseline,
                    "when the sweep is whole, also save its file as baseline NAME, for compare and report --baseline NAME")
        ->type_name("NAME");
    app->add_option("--slurm", cli.slurm,
                    "write this sweep as a Slurm job array to FILE instead of running it: task K of N runs --shard K/N on a "
                    "whole node into its own part beside -o, resuming when requeued (docs/sweeps.md)")
        ->type_name("FILE");
    app->add_option("--slurm-tasks", cli.slurm_tasks, "the job array's size: the sweep in N parts (default: its combinations, at most 8)")
        ->type_name("N");
    app->add_option("--sbatch", cli.sbatch, "one more sbatch option for the job script, as after #SBATCH (--sbatch=--time=04:00:00); repeatable")
        ->type_name("OPTION")
        ->allow_extra_args(false);
    app->add_flag("--submit", cli.submit, "with --slurm: submit the script with sbatch and print the merge command");
}

// Medians per combination and model, the swept values only: what a sweep
// found, before any report.
std::string summary(SweepFile const& file) {
    std::string out;
    for (auto const& grid : file.header.at("grids")) {
        auto const scenario = grid.at("scenario").get<std::string>();
        std::vector<std::string> axes;
        for (auto const& [name, values] : grid.at("axes").items()) axes.push_back(name);
        // (swept values) -> model -> throughputs, p99s
        std::map<std::string, std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>> table;
        std::map<std::string, std::map<std::string, std::vector<double>>> other_cores;  // the rest of the machine, per run
        std::map<std::string, std::map<std::string, std::size_t>> unverified;  // runs with failed items: no result, counted
        std::vector<std::string> order;
        for (auto const& line : file.cases) {
            auto const& c = line.at("case");
            if (c.at("scenario") != scenario || line.at("status") != "ok") continue;
            // a preset may sweep one scenario in two grids: a case is this grid's when its fixed values are the grid's
            bool of_grid = true;
            for (auto const& [name, value] : grid.at("base").items()) {
                if (!grid.at("axes").contains(name) && c.at("params").value(name, nlohmann::json{}) != value) of_grid = false;
            }
            if (!of_grid) continue;
            std::string combination;
            for (auto const& axis : axes) combination += (combination.empty() ? "" : " ") + axis + "=" + c.at("params").at(axis).dump();
            if (table.count(combination) == 0) order.push_back(combination);
            auto const model = c.at("model").get<std::string>();
            auto const& metrics = line.at("metrics");
            if (!metrics.value("verified", true)) {
                ++unverified[combination][model];
                table[combination].try_emplace(model);
                continue;
            }
            auto const& other = metrics.value("machine_other_cores", nlohmann::json{});
            other_cores[combination][model].push_back(other.is_number() ? other.get<double>() : no_value);
            auto& cell = table[combination][model];
            cell.first.push_back(metrics.at("throughput_per_s").get<double>());
            auto const& p99 = metrics.at("latency_p99_us");
            cell.second.push_back(p99.is_null() ? no_value : p99.get<double>());
        }
        out += scenario + ": median items/s (p99 latency) per model\n";
        for (auto const& combination : order) {
            out += "  " + (combination.empty() ? std::string{"(no swept parameter)"} : combination) + ":";
            for (auto const& [model, values] : table[combination]) {
                auto const bad = unverified[combination][model];
                out += "  " + model + " " +
                       (values.first.empty() ? std::string{"NOT VERIFIED"}
                                             : human_count(summarize(values.first).median) + " (" + human_us(summarize(values.second).median) + ")");
                if (bad > 0) out += " [" + std::to_string(bad) + " run(s) with failed items left out]";
                // noise shown where the numbers are: the rest of the machine busy during these runs (median)
                if (auto const busy = summarize(other_cores[combination][model]).median; busy_machine(busy)) {
                    out += " [machine busy: " + printed("%.2f", busy) + " other cores]";
                }
            }
            out += "\n";
        }
    }
    return out;
}

}  // namespace

void add_sweep_commands(CLI::App& app, SweepCli& cli) {
    cli.sweep = app.add_subcommand("sweep", "run a scenario over a grid of parameter values, case by case into a file");
    cli.sweep->require_subcommand(0, 1);
    cli.sweep->add_option("--preset", cli.preset, "a built-in grid: " + preset_list() + " (workshop-STEP: one step of docs/workshop/; calibration: each model beside its Go or Rust peer, docs/calibration.md)");
    cli.sweep->add_option("--grid", cli.grid_file, "the grids of a TOML file: one [scenario] table each (docs/sweeps.md)");
    add_common(cli.sweep, cli);
    for (auto const* scenario : scenarios()) {
        auto* sub = cli.sweep->add_subcommand(scenario->name, scenario->summary);
        cli.by_scenario[sub] = scenario;
        add_common(sub, cli);
        sub->footer("Each parameter takes one value (fixed for the whole sweep) or several, which the sweep runs in every combination: "
                    "a list 1,10,100, a geometric range 1..64*2 (1, 2, 4 ... 64), an arithmetic range 0..100+25, or for texts a list "
                    "of choices on,off. docs/sweeps.md");
        for (auto const& spec : scenario->params) {
            sub->add_option(flag(spec), cli.params[scenario->name][spec.name], help_with_default(spec))->type_name(value_type(spec, true));
        }
    }
    cli.merge = app.add_subcommand("merge", "join the parts (--shard) of one sweep into one file");
    cli.merge->add_option("files", cli.merge_inputs, "sweep files of the same grid")->required();
    cli.merge->add_option("-o,--output", cli.merge_output, "the merged file (written whole or not at all); - for standard output")->required();
    cli.merge->add_flag("--allow-partial", cli.merge_partial,
                        "merge even if shards are missing (named on stderr); the file then resumes with the whole sweep's command");
}

int sweep_command(SweepCli const& cli, std::vector<std::string> command) {
    Scenario const* scenario = nullptr;
    for (auto const& [sub, s] : cli.by_scenario) {
        if (sub->parsed()) scenario = s;
    }
    if (cli.output.empty()) throw UsageError{"sweep needs -o FILE: the file the cases are written to"};
    int const sources = (scenario != nullptr) + !cli.preset.empty() + !cli.grid_file.empty();
    if (sources == 0) {
        throw UsageError{"sweep needs a scenario (" + scenario_list() + "), --preset NAME (" + preset_list() + ") or --grid FILE.toml"};
    }
    if (sources > 1) throw UsageError{"give one of a scenario, --preset or --grid"};
    auto const settings = parse_case_flags(cli.flags);
    std::vector<SweepGrid> grids;
    if (!cli.grid_file.empty()) {
        grids = grids_from_toml(cli.grid_file, scenarios());
    } else if (scenario == nullptr) {
        grids = preset(cli.preset, scenarios());
        if (!cli.flags.models.empty()) {
            for (auto& grid : grids) grid.models = parse_models(cli.flags.models, models_of(*grid.scenario));
        }
    } else {
        SweepGrid grid{.scenario = scenario, .axes = {}, .base = defaults(scenario->params),
                       .models = parse_models(cli.flags.models.empty() ? model_list() : cli.flags.models, models_of(*scenario)),
                       .repeat = settings.repeat, .warmup = settings.warmup};
        auto const& given = cli.params.at(scenario->name);
        for (auto const& spec : scenario->params) {
            auto const it = given.find(spec.name);
            if (it == given.end() || it->second.empty()) continue;
            auto values = parse_values(spec, it->second);
            if (values.size() == 1) {
                grid.base[spec.name] = values.front();
            } else {
                grid.axes.push_back({spec.name, std::move(values)});
            }
        }
        grids.push_back(std::move(grid));
    }
    check_sweep_size(grids);  // before any combination is built
    for (auto const& grid : grids) {
        for (auto const& model : grid.models) {
            if (auto const why = peer_unavailable(model.base); is_peer(model.base) && !why.empty()) throw UsageError{why};
        }
    }
    // Every combination must be runnable by some model before the first case
    // starts; a model that cannot run one (OS threads for a million tasks) is
    // left out of it, and said so, as sweep_cases() does.
    std::size_t left_out = 0;
    for (auto const& grid : grids) {
        for (auto const& values : combinations(grid)) {
            auto const refused = refused_models(*grid.scenario, values, grid.models);
            auto const where = grid.scenario->name + " " + format_params(grid.scenario->params, values);
            if (refused.size() == grid.models.size()) throw UsageError{where + ": " + refused.front().second};
            for (auto const& [model, reason] : refused) {
                if (left_out++ < 3) {
                    std::fprintf(stderr, "sweep: %s left out of %s: %s\n", std::string{token(model)}.c_str(), where.c_str(),
                                 reason.c_str());
                }
            }
        }
    }
    if (left_out > 3) std::fprintf(stderr, "sweep: %zu (model, combination) pairs left out in all\n", left_out);
    if (!cli.save_baseline.empty()) {
        check_baseline_name(cli.save_baseline, "--save-baseline");
        baseline_directory();
        if (!cli.slurm.empty()) {
            throw UsageError{"--save-baseline with --slurm: the tasks write parts; once merged, save the whole: conclab "
                             "baselines save " + cli.save_baseline + " MERGED.jsonl"};
        }
        if (resolve_output(cli.output, "-o").kind != OutputTarget::Kind::file) {
            throw UsageError{"--save-baseline needs -o to be a file (the baseline is a copy of it); got " + cli.output};
        }
    }
    if (!cli.slurm.empty()) return write_slurm_job(cli, scenario, grids, command);
    if (cli.submit || !cli.slurm_tasks.empty() || !cli.sbatch.empty()) {
        throw UsageError{"--submit, --slurm-tasks and --sbatch go with --slurm FILE (the job script they shape)"};
    }
    SweepOptions const options{.path = cli.output,
                               .resume = cli.resume,
                               .progress = settings.progress,
                               .case_timeout = settings.case_timeout,
                               .record_latency = settings.record_latency,
                               .cpus = settings.cpus};
    if (cli.preset == "scaling" && hardware_threads() < 4) {  // said before the minutes it takes, and in the report
        std::fprintf(stderr, "sweep: this machine has %u hardware thread(s): the scaling curves get %s; where a runtime stops "
                             "scaling shows on a machine with 8 or more cores\n",
                     hardware_threads(), hardware_threads() == 1 ? "one point" : "two points, 1 and 2 threads");
    }
    install_interrupt_handlers();  // Ctrl-C: stop the case in flight, keep the file valid
    auto const shard = parse_shard(cli.shard);
    auto const outcome = run_sweep(grids, shard, options, command);
    // A file is read back (a resumed sweep holds earlier cases too); a stream has what this session wrote.
    bool const to_file = resolve_output(cli.output, "-o").kind == OutputTarget::Kind::file;
    auto const file = to_file ? read_sweep_file(cli.output) : outcome.written;
    std::fprintf(is_standard_output(cli.output) ? stderr : stdout, "%s", summary(file).c_str());
    if (to_file) {  // a calibration sweep (models beside their peers) ends with its ratios
        if (auto const runs = load_results(cli.output); has_pairs(runs)) std::printf("\n%s", format_calibration(calibrate(runs)).c_str());
    }
    std::fprintf(stderr, "sweep: %zu cases in %s\n", file.cases.size(), cli.output == "-" ? "standard output" : cli.output.c_str());
    if (outcome.interrupted) {
        std::fprintf(stderr, "conclab: interrupted; %zu of %zu cases are in %s%s\n", file.cases.size(),
                     sweep_cases(grids, shard).size(), cli.output.c_str(),
                     to_file ? ", the same command with --resume runs the rest" : "");
        if (!cli.save_baseline.empty()) std::fprintf(stderr, "sweep: baseline %s not saved: the sweep is not whole\n", cli.save_baseline.c_str());
        return exit_interrupted();
    }
    if (!cli.save_baseline.empty()) {
        std::fprintf(stderr, "sweep: saved baseline %s (%s)\n", cli.save_baseline.c_str(),
                     save_baseline(cli.save_baseline, cli.output).c_str());
    }
    // A run with failed items is no result, in a sweep as in run: named here, and the exit code says so.
    auto const failures = failed_cases(file);
    if (!failures.empty()) {
        std::fprintf(stderr, "sweep: %zu case(s) in %s are not results:\n", failures.size(), cli.output.c_str());
        std::size_t shown = 0;
        for (auto const& failure : failures) {
            if (shown++ == 20) {
                std::fprintf(stderr, "  ... and %zu more (status and metrics.items_failed in the file)\n", failures.size() - 20);
                break;
            }
            std::fprintf(stderr, "  %s\n", failure.c_str());
        }
        print_error(std::to_string(failures.size()) + " case(s) failed or had failed items" +
                    (outcome.failed > 0 ? " (" + std::to_string(outcome.failed) + " failed in this session)" : std::string{}));
        return exit_failed_runs;
    }
    return 0;
}

int merge_command(SweepCli const& cli) {
    auto const count = merge_sweeps(cli.merge_inputs, cli.merge_output, cli.merge_partial);
    std::fprintf(stderr, "merge: %zu cases from %zu files into %s\n", count, cli.merge_inputs.size(), cli.merge_output.c_str());
    return 0;
}

}  // namespace conclab::cli
