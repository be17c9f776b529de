// Sweeps: a scenario's cases over a grid of parameter values, each case a
// child process as in `conclab run`, appended to a JSON Lines file as soon
// as it finishes (and flushed to disk), so an interrupted sweep loses at
// most the case in flight and `--resume` continues where it stopped.
// `--shard K/N` runs a deterministic part of the grid; `conclab merge`
// puts the parts back together. File format: docs/sweeps.md.
#pragma once

#include "src/kit/machine.hpp"
#include "src/kit/model.hpp"
#include "src/kit/params.hpp"
#include "src/kit/scenario.hpp"
#include "src/runner/case_loop.hpp"
#include "src/runner/child.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace conclab {

/// 2: "model" may name a variant ("fibers/guard-pages"); "base_model" is
/// the model it varies. Version 1 files (no variants) are still read.
inline constexpr int sweep_schema_version = 2;

/// A parameter's values on the command line: "1,10,100", a geometric range
/// "1..64*2" (1, 2, 4, ..., 64), an arithmetic one "0..1000+250", or one
/// value; texts: a comma list of choices. Throws UsageError.
std::vector<ParamValue> parse_values(ParamSpec const& spec, std::string_view text);

struct Axis {
    std::string name;
    std::vector<ParamValue> values;
};

/// One scenario's part of a sweep.
struct SweepGrid {
    Scenario const* scenario = nullptr;
    std::vector<Axis> axes;   ///< swept parameters, in the scenario's order
    ParamValues base;         ///< every parameter's value where not swept
    std::vector<ModelId> models;
    unsigned repeat = 3;
    unsigned warmup = 1;
};

/// Every combination of the axes' values (the first axis varies slowest).
std::vector<ParamValues> combinations(SweepGrid const& grid);

/// The most cases one sweep may hold, over all its grids (combinations x
/// models x repetitions): at a case per second, more than a day of runs.
/// Larger studies are several sweeps (or shards of one, run on many machines).
inline constexpr std::uint64_t max_sweep_cases = 100'000;

/// Throws UsageError when `grids` hold more than `limit` cases, counted
/// without building them (three axes of 10,000 values would not fit in
/// memory): the message gives each grid's shape, the count and the limit.
void check_sweep_size(std::vector<SweepGrid> const& grids, std::uint64_t limit = max_sweep_cases);

struct Shard {
    unsigned index = 1;  ///< K, from 1
    unsigned count = 1;  ///< N
};
/// "K/N" with 1 <= K <= N; throws UsageError.
Shard parse_shard(std::string_view text);

/// A case of a sweep: its combination's number among all of the grid's,
/// the grid's warm-ups, and the swept values for the progress lines.
using SweepCase = PlannedCase;

/// The cases of `shard`, in run order: grid by grid, combination by
/// combination (a combination's cases never split across shards:
/// combination c goes to shard c % N + 1), repetitions with the models
/// rotated as in `conclab run`.
std::vector<SweepCase> sweep_cases(std::vector<SweepGrid> const& grids, Shard shard);

/// What identifies a case across files and shards.
std::string case_key(std::string_view scenario, ParamValues const& params, ModelId const& model, unsigned repetition);
/// The same, with the model as its token (as a results file names it).
std::string case_key(std::string_view scenario, ParamValues const& params, std::string_view model, unsigned repetition);

/// The header (first line) of a sweep file: schema, grids, shard, and
/// where and with what it was made.
/// `cpus`: the CPUs the cases are pinned to (--cpus), recorded as "cpus" ("0-7", or null).
nlohmann::json sweep_header(std::vector<SweepGrid> const& grids, Shard shard, std::vector<std::string> const& command,
                            std::vector<unsigned> const& cpus = {});

/// What makes two files parts of one sweep: its grids and the CPUs its
/// cases are pinned to (a file from before --cpus: none).
nlohmann::json sweep_identity(nlohmann::json const& header);

/// A sweep file read back: its header and the case lines, keyed.
struct SweepFile {
    nlohmann::json header;
    std::vector<nlohmann::json> cases;
    std::vector<std::string> keys;   ///< case_key of each case line
    std::vector<std::size_t> lines;  ///< the line number of each case line (the header is line 1)
    std::uint64_t good_bytes = 0;    ///< length up to the last complete line
    bool truncated = false;          ///< the last line was cut off (an interrupted write)
    bool repeated = false;           ///< a case line repeated an earlier one, byte for byte (read once)
    std::vector<std::string> notes;  ///< what was left out and why, for stderr ("FILE: line N ...")
};
/// Throws UsageError naming the file and the line when it is not a sweep
/// file (no header, another schema version, a malformed line before the
/// last, two different results for one case). A cut-off last line and a
/// line that repeats an earlier one are left out, each with a note.
SweepFile read_sweep_file(std::string const& path);

/// Two files (or two lines) with different results for one run: the same
/// case measured twice. merge and --resume refuse it; report shows such
/// files as before and after.
struct ConflictingResults : UsageError {
    using UsageError::UsageError;
};

/// Cases taken once each, by case_key, wherever they come from (one sweep
/// file, the files merge joins, the files a report reads): the first line
/// of a key is taken; the same line again is a repeat, noted; other results
/// for it are refused, naming both places. The lines offered must stay
/// where they are while it is in use (it compares with the first).
class OnceEach {
public:
    /// `advice`: what the refusal tells the user to do.
    explicit OnceEach(std::string advice) : advice_{std::move(advice)} {}

    /// True for the first line of `key`. `here` names this line in
    /// messages; `label`, how a later line names it (default: `here`);
    /// `describe()` says which case it is, when there is something to say.
    template <class Describe>
    bool take(std::string const& key, nlohmann::json const& line, Describe const& describe, std::string const& here,
              std::string const& label = {}) {
        auto const [first, fresh] = first_.try_emplace(key, label.empty() ? here : label, &line);
        if (fresh) return true;
        auto const& [earlier, before] = first->second;
        if (*before != line) {
            throw ConflictingResults{here + " and " + earlier + " hold different results for one case (" + describe() + "); " + advice_};
        }
        notes_.push_back(here + " repeats " + earlier + " (" + describe() + "); counted once");
        return false;
    }

    /// The repeats, one line each ("FILE: line N repeats ...").
    std::vector<std::string> const& notes() const noexcept { return notes_; }

private:
    std::string advice_;
    std::map<std::string, std::pair<std::string, nlohmann::json const*>> first_;  // key -> label, the first line
    std::vector<std::string> notes_;
};

/// A case, for people: "worker-pool jobs=300 work=10 tbb repetition 1".
std::string describe_case(std::string_view scenario, nlohmann::json const& params, std::string_view model, nlohmann::json const& repetition);
/// A case line's case, described.
std::string describe_case(nlohmann::json const& line);

/// The cases of a sweep file that are no result: ended other than ok, or ok
/// with failed items (not verified); each described with why.
std::vector<std::string> failed_cases(SweepFile const& file);

/// The line of one finished case.
nlohmann::json case_line(SweepCase const& c, CaseOutcome const& outcome);

struct SweepOptions {
    std::string path;
    bool resume = false;
    bool progress = true;
    std::chrono::seconds case_timeout{600};
    bool record_latency = true;
    std::vector<unsigned> cpus = {};  ///< --cpus (src/kit/cpus.hpp): the cases pinned to these CPUs
};

struct SweepRun {
    std::size_t failed = 0;      ///< cases that ended other than ok, this session
    bool interrupted = false;    ///< stopped by Ctrl-C: the case in flight was dropped, the file is valid
    SweepFile written;           ///< the header and the case lines written in this session
};

/// Runs the shard's cases not yet in the file. Throws UsageError for a file
/// that exists without --resume, or holds another sweep. `-` (standard
/// output), a FIFO or a device receive the sweep as a stream (no --resume).
SweepRun run_sweep(std::vector<SweepGrid> const& grids, Shard shard, SweepOptions const& options,
                      std::vector<std::string> const& command);

/// Merges sweep files of the same grids (shards, or runs resumed on other
/// machines) into `out`, written whole or not at all; a case in several
/// files is kept once (the first). Returns the number of cases.
std::size_t merge_sweeps(std::vector<std::string> const& inputs, std::string const& out, bool allow_partial = false);

/// A built-in preset: a TOML grid file of src/runner/presets/, compiled in
/// (embed.py) and read by the same code as `--grid`.
struct PresetFile {
    std::string_view name;  ///< "workshop-pipeline"
    std::string_view path;  ///< "src/runner/presets/workshop-pipeline.toml"
    std::string_view text;
};
std::span<PresetFile const> preset_files();

/// The grids of preset `name`: "workshop" (every step's, through its
/// `include`) and one per workshop step ("workshop-numbers"...; small),
/// "quick" (every scenario at its defaults, 3 runs: `meson test
/// --benchmark`), "server" (large, threads up to twice the machine's
/// cores) and "calibration" (each model beside its peer); docs/sweeps.md
/// and docs/workshop/README.md have their measured durations. `cores`
/// stands for the machine's hardware threads. UsageError for another name.
/// A preset may name peers that are not built here: a sweep that runs it
/// refuses them (sweep_command), reading it does not.
std::vector<SweepGrid> preset(std::string_view name, std::vector<Scenario const*> const& scenarios,
                              unsigned cores = hardware_threads());

/// Every preset's name: workshop, its steps in its order, then the others.
std::vector<std::string> preset_names();
/// The same for help and errors: "workshop, workshop-numbers, ..., quick or server".
std::string preset_list();

/// The grids of a TOML sweep file (docs/sweeps.md): a table per scenario
/// (`[[scenario]]` for several grids of one scenario, `["*"]` for every
/// scenario), whose keys are parameters (a number, a text with a list or
/// range, or an array) plus `models`, `repeat` and `warmup`; a top-level
/// `include` names presets whose grids come first. In a text value,
/// `cores` and `Ncores` stand for `cores` (the machine's hardware threads)
/// and N times that. Grids come in the file's order. Throws UsageError
/// naming the file, the line and the problem.
std::vector<SweepGrid> grids_from_toml(std::string const& path, std::vector<Scenario const*> const& scenarios,
                                       unsigned cores = hardware_threads());
/// The same from a text, `source` naming it in messages.
std::vector<SweepGrid> grids_from_toml_text(std::string_view text, std::string const& source,
                                            std::vector<Scenario const*> const& scenarios, unsigned cores);

}  // namespace conclab
