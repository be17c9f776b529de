// The three forms of a run's results: a table for people, JSON (schema in
// docs/results-schema.md) and CSV (one row per case) for tools.
#pragma once

#include "src/runner/runner.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace conclab {

/// 2: "model" may name a variant ("fibers/guard-pages"); "base_model" is
/// the model it varies. Version 1 files (no variants) are still read.
inline constexpr int results_schema_version = 2;

/// How format_table lays the table out: aligned columns for a terminal, or a
/// Markdown pipe table (`run --md`) with each note a paragraph of its own.
enum class TableFormat { text, markdown };
struct TableStyle {
    TableFormat format = TableFormat::text;
    bool wide = false;    ///< every column (`run --wide`); else the most-read ones, about 100 characters
    bool colour = false;  ///< text only: bold headings, verified green or red, warnings yellow (src/kit/colour.hpp)
    /// text only: the terminal's columns (0: no limit). Without --wide the least-read columns are left out
    /// until the table fits (named in the note), and the lines above and below it are wrapped.
    std::size_t width = 0;
};
std::string format_table(RunResults const& results, TableStyle style = {});
nlohmann::json results_to_json(RunResults const& results);
std::string results_to_csv(RunResults const& results);

}  // namespace conclab
