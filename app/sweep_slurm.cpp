// `conclab sweep ... --slurm FILE [--submit]`: the sweep on the command line
// as a Slurm job array (src/runner/slurm.hpp), written whole and, with
// --submit, handed to sbatch. Nothing is measured here.
#include "app/sweep_command.hpp"

#include "app/options.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/process.hpp"
#include "src/runner/output_file.hpp"
#include "src/runner/slurm.hpp"
#include "src/runner/sweep.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

namespace conclab::cli {
namespace {

// The sweep's command line for one task of its job array, from what was
// parsed: the same grids, models and case settings (the task adds --shard,
// -o and --resume). A grid file's path is made absolute.
std::vector<std::string> task_arguments(SweepCli const& cli, Scenario const* scenario) {
    std::vector<std::string> args{"sweep"};
    if (!cli.preset.empty()) args.insert(args.end(), {"--preset", cli.preset});
    if (!cli.grid_file.empty()) args.insert(args.end(), {"--grid", std::filesystem::absolute(cli.grid_file).lexically_normal().string()});
    if (scenario != nullptr) {
        args.push_back(scenario->name);
        auto const& given = cli.params.at(scenario->name);
        for (auto const& spec : scenario->params) {
            auto const it = given.find(spec.name);
            if (it != given.end() && !it->second.empty()) args.insert(args.end(), {flag(spec), it->second});
        }
    }
    CaseFlags const defaults{.models = {}, .repeat = "3"};
    if (!cli.flags.models.empty()) args.insert(args.end(), {"--models", cli.flags.models});
    if (cli.flags.repeat != defaults.repeat) args.insert(args.end(), {"--repeat", cli.flags.repeat});
    if (cli.flags.warmup != defaults.warmup) args.insert(args.end(), {"--warmup", cli.flags.warmup});
    if (cli.flags.case_timeout != defaults.case_timeout) args.insert(args.end(), {"--case-timeout", cli.flags.case_timeout});
    if (cli.flags.quiet) args.emplace_back("--quiet");
    if (cli.flags.no_latency) args.emplace_back("--no-latency");
    if (!cli.flags.cpus.empty()) args.insert(args.end(), {"--cpus", cli.flags.cpus});  // checked on each node as it starts
    return args;
}

}  // namespace

int write_slurm_job(SweepCli const& cli, Scenario const* scenario, std::vector<SweepGrid> const& grids,
                    std::vector<std::string> const& command) {
    if (cli.resume || cli.shard != "1/1") {
        throw UsageError{"--slurm writes the whole sweep's job array: each task runs its own --shard and --resume; give neither"};
    }
    if (is_standard_output(cli.output)) throw UsageError{"--slurm needs -o FILE: the merged file, beside which the parts are written"};
    std::size_t combinations_count = 0;
    for (auto const& grid : grids) combinations_count += combinations(grid).size();
    auto const tasks = cli.slurm_tasks.empty()
                           ? std::min<std::size_t>(combinations_count, 8)
                           : static_cast<std::size_t>(parse_number("--slurm-tasks", cli.slurm_tasks, 1, 10'000));
    if (tasks > combinations_count) {
        throw UsageError{"--slurm-tasks " + std::to_string(tasks) + ": this sweep has " + std::to_string(combinations_count) +
                         " combination(s), and a task runs whole combinations; give at most that many"};
    }
    namespace fs = std::filesystem;
    auto const absolute = [](std::string const& path) { return fs::absolute(path).lexically_normal().string(); };
    SlurmJob job{.conclab = self_executable(),
                 .sweep = task_arguments(cli, scenario),
                 .tasks = static_cast<unsigned>(tasks),
                 .name = "conclab-" + (!cli.preset.empty() ? cli.preset
                                       : scenario != nullptr ? scenario->name
                                                             : fs::path{cli.grid_file}.stem().string()),
                 .workdir = fs::current_path().string(),
                 .output = absolute(cli.output),
                 .script = absolute(cli.slurm),
                 .sbatch = cli.sbatch,
                 .written = {}};
    auto const build = describe_build();
    job.written = "written by conclab " + build.at("version").get<std::string>() + " (" + build.at("git_commit").get<std::string>() +
                  ") on " + utc_now() + " for: " + shell_words(command);
    auto const script = slurm_script(job);  // bad --sbatch options and paths are refused before anything is written
    std::error_code error;
    if (fs::exists(fs::symlink_status(cli.slurm, error))) {
        throw UsageError{"--slurm " + cli.slurm + " exists; a job script is never overwritten: remove it or name another"};
    }
    if (fs::exists(fs::symlink_status(cli.output, error))) {
        throw UsageError{"-o " + cli.output + " exists: it is where the parts are merged at the end; name a new file"};
    }
    check_distinct({{"--slurm", cli.slurm}, {"-o", cli.output}});
    check_writable(cli.slurm, "--slurm");
    check_writable(cli.output, "-o");
    write_output(cli.slurm, script);
    std::printf("wrote %s: a job array of %zu task(s), %zu combination(s); parts %s ... %s, logs %s\n", cli.slurm.c_str(), tasks,
                combinations_count, slurm_part(job.output, 1, job.tasks).c_str(), slurm_part(job.output, job.tasks, job.tasks).c_str(),
                slurm_log_pattern(job.output).c_str());
    if (!cli.submit) {
        std::printf("submit it: sbatch %s\nwhen every task has ended: %s\n", shell_quote(job.script).c_str(), slurm_merge_command(job).c_str());
        return 0;
    }
    Spawned sbatch;
    try {
        sbatch = spawn_process({"sbatch", "--parsable", job.script}, Output::pipe);
    } catch (std::runtime_error const& e) {
        throw UsageError{std::string{"--submit: "} + e.what() + " (Slurm's client, Debian's slurm-client); the script is written: submit it where sbatch is"};
    }
    std::string reply;
    char buffer[256];
    for (ssize_t n; (n = ::read(sbatch.output, buffer, sizeof buffer)) != 0;) {
        if (n > 0) reply.append(buffer, static_cast<std::size_t>(n));
        else if (errno != EINTR) break;
    }
    ::close(sbatch.output);
    if (int const code = wait_exit_code(sbatch.pid); code != 0) {
        throw UsageError{"--submit: sbatch refused " + cli.slurm + " (exit " + std::to_string(code) + ", its reason above); the script is kept"};
    }
    while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
    auto const job_id = reply.substr(0, reply.find(';'));  // --parsable: "ID" or "ID;CLUSTER"
    std::printf("submitted job %s (%zu tasks)\nwhen every task has ended (squeue -j %s shows none): %s\n", job_id.c_str(), tasks, job_id.c_str(),
                slurm_merge_command(job).c_str());
    return 0;
}

}  // namespace conclab::cli
