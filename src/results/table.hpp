// One table model for everything conclab prints as a table, and its three
// renderings: aligned text for a terminal (optionally coloured), a Markdown
// pipe table, and CSV for tools. A cell carries the text people read (in
// human units) and, for CSV, the plain value (no units, no exponent).
#pragma once

#include "src/kit/colour.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

struct TableCell {
    std::string text;                           ///< for people: "58.5k", "1.2 ms"
    std::optional<std::string> plain = {};      ///< for CSV: "58512.3"; none: the text
    std::optional<colour::Style> style = {};    ///< text rendering only, when coloured
};

struct TableColumn {
    std::string title;      ///< the heading people read: "p99 us"
    std::string key = {};   ///< CSV heading: "latency_p99_us"; empty: the title
    bool left = false;      ///< left-aligned (names), else right-aligned (numbers)
};

struct Table {
    std::vector<TableColumn> columns;
    std::vector<std::vector<TableCell>> rows;  ///< each as many cells as columns

    /// A row of plain texts.
    void add(std::vector<std::string> const& texts);
};

/// Characters as a terminal shows them: UTF-8 code points ("µs", "±" are
/// two each, not three and four bytes), escape codes (colour) none. Widths
/// of tables, listings and wrapped text.
std::size_t display_width(std::string_view text) noexcept;

/// Each line of `text` longer than `width` display columns broken at spaces
/// into lines of at most `width` (a word longer than that stays whole), the
/// continuation lines indented by `indent`; escape codes take no width.
/// `width` 0: `text` as it is.
std::string wrap(std::string_view text, std::size_t width, std::string_view indent = "  ");

/// The widest line of `text` in display columns (display_width).
std::size_t text_width(std::string_view text);

/// Aligned columns, two spaces apart, no trailing blanks; headings bold and
/// cells in their style when `colour` (escape codes never count as width).
std::string render_text(Table const& table, bool colour = false);
/// A pipe table, names left-aligned and numbers right-aligned; `|` escaped.
std::string render_markdown(Table const& table);
/// RFC 4180: a heading line of keys, then each row's plain values.
std::string render_csv(Table const& table);

/// A number for tools: an integer as such, else up to 6 decimals, never
/// an exponent; empty when not finite.
std::string plain_number(double value);

}  // namespace conclab
