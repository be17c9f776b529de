// A sweep as a Slurm job array (`conclab sweep ... --slurm FILE`): the job
// script for exactly one sweep, filled in from the template
// src/runner/slurm/array-job.sh (compiled in), and what to do once it ran.
// docs/sweeps.md, "On a cluster".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conclab {

struct SlurmJob {
    std::string conclab;               ///< the binary the tasks run, an absolute path
    std::vector<std::string> sweep;    ///< its arguments for the whole sweep, from "sweep" on (no --shard, -o, --resume)
    unsigned tasks = 1;                ///< the array's size: the sweep in this many parts
    std::string name;                  ///< the job's name ("conclab-server")
    std::string workdir;               ///< where the command runs (relative paths in it are from here), absolute
    std::string output;                ///< the merged file, absolute; the parts and logs go beside it
    std::string script;                ///< where the script is written, absolute
    std::vector<std::string> sbatch;   ///< more sbatch options, one "#SBATCH" line each ("--time=04:00:00")
    std::string written;               ///< the script's first comment: who wrote it, when, for which command
};

/// The template, as compiled in.
std::string_view slurm_template();

/// The job script: the template with `job`'s values, every one quoted for
/// bash. Throws UsageError for an sbatch option that is no option
/// ("--time=1:00:00" yes, "time" or a line break no).
std::string slurm_script(SlurmJob const& job);

/// Part K of N's file, beside the merged one: "DIR/all.jsonl" ->
/// "DIR/all.part-K-of-N.jsonl". Task logs: "DIR/all.slurm-JOB_K.log".
std::string slurm_part(std::string const& output, unsigned k, unsigned n);
std::string slurm_log_pattern(std::string const& output);

/// The command that joins the parts once every task has ended.
std::string slurm_merge_command(SlurmJob const& job);

/// `text` quoted for bash: as it is when it needs no quoting, else in
/// single quotes.
std::string shell_quote(std::string_view text);
/// Words as one bash command line, each quoted so.
std::string shell_words(std::vector<std::string> const& words);

}  // namespace conclab
