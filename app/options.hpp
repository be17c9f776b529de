// What the commands of the CLI share: exit codes and the parsing of the
// flags that are not scenario parameters.
#pragma once

#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace conclab::cli {

inline constexpr int exit_failed_runs = 1;
inline constexpr int exit_usage = 2;

/// "conclab: error: MESSAGE" on stderr, "error:" in red when stderr is coloured (src/kit/colour.hpp).
void print_error(std::string const& message);

/// "fibers,coroutines,tbb,threads"
std::string model_list();
/// The peers' tokens, comma-separated: go,tokio,rayon,rust-threads.
std::string peer_list();
/// "worker-pool, url-fetch"
std::string scenario_list();
/// The scenarios' names, in their order.
std::vector<std::string> scenario_names();
/// A comma-separated list of model or variant tokens, each one `known`
/// has; UsageError for unknown or repeated ones, naming what is known.
std::vector<ModelId> parse_models(std::string const& text, std::vector<ModelId> const& known);
/// The models and variants of a scenario.
std::vector<ModelId> models_of(Scenario const& scenario);
/// The flags `run` and `sweep` share, as given; registered once, by
/// add_case_flags. `repeat` is preset to the command's own default.
struct CaseFlags {
    std::string models;
    std::string repeat;
    std::string warmup = "1";
    std::string case_timeout = "600";
    bool quiet = false;
    bool no_latency = false;
    std::string cpus = {};  ///< --cpus LIST
};

/// Registers --models, --repeat, --warmup, --case-timeout, --quiet and
/// --no-latency on `command`, with `repeat_help` saying what a repetition
/// is there (its default is flags.repeat's value).
void add_case_flags(CLI::App* command, CaseFlags& flags, std::string const& repeat_help);

/// Throws CLI::ValidationError for an option or argument of `app`, or of a
/// subcommand it parsed, given an empty value (`--jobs ""`): CLI11 keeps the
/// default then, and a run with other parameters than asked for must not start.
void reject_empty_values(CLI::App const& app);
/// Throws UsageError for an argument `--flag=` with nothing after the `=`,
/// before CLI11 parses (it would take the next argument as the value).
void reject_empty_assignments(int argc, char const* const* argv);

/// What --help shows a scenario parameter's value as: INT, TEXT or its
/// choices {on,off}; with `several` (sweep), INT|LIST|RANGE or {on,off}[,...].
std::string value_type(ParamSpec const& spec, bool several);
/// The parameter's help with its default, said once ("(default 16)"; a help
/// that already names its default keeps its own words).
std::string help_with_default(ParamSpec const& spec);

/// A parse error of `app` (the command that was being parsed; `args` the
/// command line) made into one line: an unknown --flag is named, with the
/// closest flag that `app` or a command above it has.
std::string explain_parse_error(CLI::ParseError const& error, CLI::App const& app, std::vector<std::string> const& args);

/// A decimal number from `min` to `max` ("2.5"), or UsageError naming the
/// flag and `what` it is ("a percent").
double parse_decimal(std::string const& flag, std::string const& text, double min, double max, char const* what);

/// The shared flags checked: repetitions, warm-ups, the case timeout.
struct CaseSettings {
    unsigned repeat = 1;
    unsigned warmup = 1;
    std::chrono::seconds case_timeout{600};
    bool progress = true;
    bool record_latency = true;
    std::vector<unsigned> cpus = {};  ///< --cpus, checked against the CPUs this process may use
};
CaseSettings parse_case_flags(CaseFlags const& flags);

using conclab::parse_number;

}  // namespace conclab::cli
