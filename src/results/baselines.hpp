// Named baselines, as criterion keeps them: `run` and `sweep` save their
// results under a name (--save-baseline NAME), `compare` and `report` read
// them back by that name (--baseline NAME), so "before the change" needs no
// file kept by hand. A baseline is the results file itself, copied whole:
//   $CONCLAB_BASELINES/NAME.json (a run) or NAME.jsonl (a sweep), the
//   directory defaulting to $XDG_DATA_HOME/conclab/baselines, and to
//   ~/.local/share/conclab/baselines without XDG_DATA_HOME.
// Saving a name again replaces that baseline (whole, or not at all).
#pragma once

#include <string>
#include <vector>

namespace conclab {

/// The directory baselines are kept in (it may not exist yet). Throws
/// UsageError when neither $CONCLAB_BASELINES, $XDG_DATA_HOME nor $HOME is set.
std::string baseline_directory();

/// Throws UsageError unless `name` can name a baseline: 1 to 64 of
/// letters, digits, '.', '_' and '-', not starting with '.' or '-'.
void check_baseline_name(std::string const& name, std::string const& flag);

/// The saved baselines' names, sorted.
std::vector<std::string> baseline_names();

/// The file of baseline `name`; UsageError naming the directory and the
/// names there (with the closest one) when there is none.
std::string baseline_file(std::string const& name, std::string const& flag);

/// Saves the results or sweep file at `source` (read back whole: a results
/// file's JSON or a sweep file's lines) as baseline `name`, replacing one of
/// that name; the directory is made when missing. Returns the path written.
/// Throws UsageError (a bad name, a file that is no results) or
/// std::runtime_error (the directory cannot be written).
std::string save_baseline(std::string const& name, std::string const& source);

/// The same from results in memory: `content` a results file's JSON.
std::string save_baseline_content(std::string const& name, std::string const& content, bool sweep);

/// Removes baseline `name`; UsageError when there is none.
void delete_baseline(std::string const& name);

}  // namespace conclab
