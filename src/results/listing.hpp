// The models' files of a scenario side by side (`conclab show`): each file
// split at its role tags (`// [worker] ...`), the roles lined up across the
// files, each column wrapped to fit the width.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conclab::listing {

/// A part of a model file: from a line `// [role] ...` to the next such
/// line. The role "" is the file's head: its opening comment (what the
/// model's version of the scenario is; includes and usings left out).
struct Section {
    std::string role;
    std::vector<std::string> lines;  ///< tabs expanded, trailing blank lines dropped
};

/// The file's sections in the file's order.
std::vector<Section> split(std::string_view text);

/// The roles of several files in one order that keeps each file's own
/// order where the files agree ("" first): a role first seen in a later
/// file goes after the role that precedes it there.
std::vector<std::string> role_order(std::vector<std::vector<Section>> const& files);

struct Column {
    std::string title;      ///< the model, and the file's path
    std::string_view text;  ///< the file
};

/// The narrowest width that shows `count` columns (20 characters each).
std::size_t narrowest(std::size_t count) noexcept;

/// The columns side by side in `width` characters (at least narrowest()):
/// the titles (the model, then its path broken at its slashes), then for
/// every role a rule `-- [role] ----` across the width and each file's
/// section of that role in its column, long lines wrapped under their own
/// indent; a file without that role shows an empty column there. Each
/// line has a gutter: `+` marks a line of code that not every other file's
/// section of that role has, where the models differ (yellow when
/// `colour`). Where the columns would be narrower than 32 characters they
/// are shown in groups (four as two pairs, one under the other), each
/// group headed by its models; a column at a time where even two do not fit.
std::string side_by_side(std::vector<Column> const& columns, std::size_t width, bool colour = false);

/// A role and each column's lines of it (none where a file lacks the role),
/// in role_order; `differs` marks, per line, code that is not in every
/// other column's lines of the role (comments, blank lines and lines of
/// brackets alone are never marked).
struct Row {
    std::string role;
    std::vector<std::vector<std::string>> cells;
    std::vector<std::vector<bool>> differs;
};
std::vector<Row> rows(std::vector<Column> const& columns);

/// The same as an HTML table (a head row, then per role a row naming it and
/// a row of <pre> cells), escaped; with no blank line in it, so Markdown
/// (docs/workshop) takes it whole, and the report embeds it as it is.
std::string html_table(std::vector<Column> const& columns);

std::string escape_html(std::string_view text);


}  // namespace conclab::listing
