// Colour on a terminal, the way the best command-line tools decide it:
// `--color auto` (the default) colours a stream only when it is a terminal,
// NO_COLOR (no-color.org: set and not empty) is not set, and TERM is not
// "dumb"; `--color always` colours even a pipe (an explicit flag overrides
// NO_COLOR, as the convention asks); `--color never` never does. What is
// coloured: "error:" and failures in red, warnings in yellow, verified runs
// in green, table headings in bold. The text is the same either way.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace conclab::colour {

enum class Mode { never, automatic, always };

/// "never", "auto" or "always"; anything else is a UsageError naming them.
Mode parse_mode(std::string_view text);

/// The decision for one stream, everything it depends on given
/// (`no_color`, `term`: the environment's values, nullptr when unset).
bool decide(Mode mode, bool is_terminal, char const* no_color, char const* term) noexcept;

/// The mode for this process (set once, from --color, by main).
void set_mode(Mode mode) noexcept;
/// Whether text written to `stream` (stdout or stderr) is coloured, under that mode.
bool on(std::FILE* stream) noexcept;

/// The columns of the terminal `stream` writes to; else $COLUMNS (1 to
/// 1000); else 0: not a terminal, no width to keep to (a pipe, a file).
std::size_t terminal_width(std::FILE* stream) noexcept;
/// The rule of terminal_width, its inputs given (the terminal's columns,
/// 0 when not a terminal; $COLUMNS, nullptr when unset): tested with
/// injected values.
std::size_t decide_width(std::size_t terminal_columns, char const* columns_variable) noexcept;

enum class Style { bold, red, green, yellow };

/// `text` wrapped in the style's escape codes when `enabled`, else `text` unchanged.
std::string paint(std::string_view text, Style style, bool enabled);

}  // namespace conclab::colour
