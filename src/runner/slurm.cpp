#include "src/runner/slurm.hpp"

#include "src/kit/params.hpp"

#include <cstdint>
#include <cstdio>

namespace conclab {
namespace {

// The output without its extension: "DIR/all.jsonl" -> "DIR/all" (a leading dot or a directory's is none).
std::string stem_of(std::string const& output) {
    auto const slash = output.rfind('/');
    auto const dot = output.rfind('.');
    return dot != std::string::npos && (slash == std::string::npos || dot > slash + 1) ? output.substr(0, dot) : output;
}

// The part files' common beginning: "DIR/all.jsonl" -> "DIR/all.part-".
std::string part_prefix(std::string const& output) { return stem_of(output) + ".part-"; }

// Names one sweep's node lock: its output's path, hashed (FNV-1a, 64 bits).
std::string sweep_id(std::string const& output) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char const c : output) hash = (hash ^ c) * 1099511628211ULL;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

void replace_all(std::string& text, std::string_view field, std::string const& value) {
    for (auto at = text.find(field); at != std::string::npos; at = text.find(field, at + value.size())) {
        text.replace(at, field.size(), value);
    }
}

}  // namespace

std::string shell_quote(std::string_view text) {
    bool plain = !text.empty();
    for (char const c : text) {
        bool const safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          std::string_view{"/._-+=:,@%"}.find(c) != std::string_view::npos;
        plain = plain && safe;
    }
    if (plain) return std::string{text};
    std::string quoted = "'";
    for (char const c : text) quoted += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    return quoted + "'";
}

std::string shell_words(std::vector<std::string> const& words) {
    std::string line;
    for (auto const& word : words) line += (line.empty() ? "" : " ") + shell_quote(word);
    return line;
}

std::string slurm_part(std::string const& output, unsigned k, unsigned n) {
    return part_prefix(output) + std::to_string(k) + "-of-" + std::to_string(n) + ".jsonl";
}

std::string slurm_log_pattern(std::string const& output) { return stem_of(output) + ".slurm-%A_%a.log"; }

std::string slurm_merge_command(SlurmJob const& job) {
    return shell_quote(job.conclab) + " merge " + shell_quote(part_prefix(job.output)) + "*-of-" + std::to_string(job.tasks) +
           ".jsonl -o " + shell_quote(job.output);
}

std::string slurm_script(SlurmJob const& job) {
    std::string extra;
    for (auto const& option : job.sbatch) {
        if (option.size() < 2 || option[0] != '-' || option.find_first_of("\n\r") != std::string::npos) {
            throw UsageError{"--sbatch '" + option + "': expected one sbatch option, as it would follow #SBATCH (e.g. --time=04:00:00)"};
        }
        extra += "#SBATCH " + option + "\n";
    }
    std::string text{slurm_template()};
    // the extra options are lines of their own, or none
    replace_all(text, "@SBATCH_EXTRA@\n", extra);
    if (job.output.find_first_of(" \t\n") != std::string::npos) {
        throw UsageError{"-o " + job.output + ": a Slurm job's log path (#SBATCH --output) cannot hold spaces; name the output without"};
    }
    auto written = job.written;
    replace_all(written, "\n", " ");
    replace_all(text, "@WRITTEN@", written);
    replace_all(text, "@JOB_NAME@", job.name);
    replace_all(text, "@TASKS@", std::to_string(job.tasks));
    replace_all(text, "@LOG@", slurm_log_pattern(job.output));
    replace_all(text, "@CONCLAB@", shell_quote(job.conclab));
    replace_all(text, "@SWEEP@", shell_words(job.sweep));
    replace_all(text, "@PARTS@", shell_quote(part_prefix(job.output)));
    replace_all(text, "@WORKDIR@", shell_quote(job.workdir));
    replace_all(text, "@SWEEP_ID@", sweep_id(job.output));
    replace_all(text, "@SCRIPT@", shell_quote(job.script));
    return text;
}

}  // namespace conclab
