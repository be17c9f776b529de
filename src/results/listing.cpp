#include "src/results/listing.hpp"
#include "src/results/table.hpp"

#include "src/kit/colour.hpp"

#include <algorithm>
#include <set>

namespace conclab::listing {
namespace {

constexpr std::string_view separator = " │ ";
constexpr std::size_t separator_width = 3;
constexpr std::size_t narrowest_column = 20;
constexpr std::size_t roomy_column = 32;  // narrower than this, the columns are shown in groups
constexpr std::size_t gutter_width = 2;   // "+ " marks a line where the models differ

// "// [role] ..." -> "role"; anything else -> nothing
bool role_of(std::string_view line, std::string& role) {
    auto const start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) return false;
    line.remove_prefix(start);
    if (!line.starts_with("// [")) return false;
    auto const close = line.find(']');
    if (close == std::string_view::npos || close == 4) return false;
    auto const name = line.substr(4, close - 4);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_-") != std::string_view::npos) return false;
    role = std::string{name};
    return true;
}

std::string expand_tabs(std::string_view line) {
    std::string out;
    for (char c : line) {
        if (c == '\t') {
            out.append(4 - out.size() % 4, ' ');
        } else {
            out += c;
        }
    }
    return out;
}

// The first `count` code points of `text`, in bytes.
std::size_t bytes_of(std::string_view text, std::size_t count) noexcept {
    std::size_t at = 0, seen = 0;
    while (at < text.size()) {
        if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) {
            if (seen == count) break;
            ++seen;
        }
        ++at;
    }
    return at;
}

// A line cut into pieces of at most `width` code points (an empty line is
// one empty piece): at the last space that leaves at least half a piece,
// else mid-word; the pieces after the first are indented 4 more than the line.
std::vector<std::string> wrap(std::string const& line, std::size_t width) {
    std::vector<std::string> pieces;
    auto const indent = std::min(line.find_first_not_of(' '), line.size()) + 4;
    std::string_view rest{line};
    std::string prefix;
    do {
        auto const room = width > prefix.size() ? width - prefix.size() : 1;
        auto take = bytes_of(rest, room);
        if (take < rest.size()) {
            auto const space = rest.substr(0, take + 1).rfind(' ');
            if (space != std::string_view::npos && space >= take / 2) take = space + 1;
        }
        auto piece = prefix + std::string{rest.substr(0, take)};
        while (!piece.empty() && piece.back() == ' ') piece.pop_back();
        pieces.push_back(std::move(piece));
        rest.remove_prefix(take);
        if (indent < width / 2) prefix.assign(indent, ' ');
    } while (!rest.empty());
    return pieces;
}

std::string padded(std::string const& text, std::size_t width) {
    auto const shown = display_width(text);
    return shown >= width ? text : text + std::string(width - shown, ' ');
}

}  // namespace

std::vector<Section> split(std::string_view text) {
    std::vector<Section> sections(1);
    while (!text.empty()) {
        auto const end = text.find('\n');
        auto const line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (std::string role; role_of(line, role)) sections.push_back({std::move(role), {}});
        sections.back().lines.push_back(expand_tabs(line));
    }
    // the head: the file's opening comment, what it says of the model (its includes, namespaces and usings are left out)
    auto& head = sections.front().lines;
    auto const comment_end = std::find_if(head.begin(), head.end(), [](std::string const& line) { return !line.starts_with("//"); });
    head.erase(comment_end, head.end());
    for (auto& section : sections) {
        while (!section.lines.empty() && section.lines.back().find_first_not_of(' ') == std::string::npos) section.lines.pop_back();
    }
    if (sections.front().lines.empty()) sections.erase(sections.begin());
    return sections;
}

std::vector<std::string> role_order(std::vector<std::vector<Section>> const& files) {
    std::vector<std::string> order{""};
    for (auto const& file : files) {
        auto after = order.begin();  // the position of this file's previous role
        for (auto const& section : file) {
            auto const found = std::find(order.begin(), order.end(), section.role);
            after = found != order.end() ? found : order.insert(after + 1, section.role);
        }
    }
    return order;
}

std::size_t narrowest(std::size_t count) noexcept {
    return count == 0 ? 0 : count * narrowest_column + (count - 1) * separator_width;
}

namespace {

std::string trimmed(std::string const& line) {
    auto const first = line.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    auto const last = line.find_last_not_of(' ');
    return line.substr(first, last - first + 1);
}

// a line that says something of its own: not blank, not a comment, not brackets and semicolons alone
bool is_code(std::string const& text) {
    return !text.empty() && !text.starts_with("//") && text.find_first_not_of("{}();, ") != std::string::npos;
}

// "fibers: scenarios/worker_pool/fibers.cpp" -> "fibers", then the path in pieces that fit, broken after a slash
std::vector<std::string> title_lines(std::string const& title, std::size_t width) {
    auto const colon = title.find(": ");
    if (colon == std::string::npos) return wrap(title, width);
    std::vector<std::string> lines = wrap(title.substr(0, colon), width);
    std::string_view path{title};
    path.remove_prefix(colon + 2);
    std::string current;
    while (!path.empty()) {
        auto const slash = path.find('/');
        auto const part = path.substr(0, slash == std::string_view::npos ? path.size() : slash + 1);
        if (!current.empty() && display_width(current) + display_width(part) > width) {
            lines.push_back(std::move(current));
            current.clear();
        }
        current += part;
        path.remove_prefix(part.size());
    }
    if (!current.empty()) {
        for (auto& piece : wrap(current, width)) lines.push_back(std::move(piece));  // a name longer than the column: cut
    }
    return lines;
}

}  // namespace

std::vector<Row> rows(std::vector<Column> const& columns) {
    std::vector<std::vector<Section>> files;
    for (auto const& column : columns) files.push_back(split(column.text));
    std::vector<Row> out;
    for (auto const& role : role_order(files)) {
        Row row{.role = role, .cells = std::vector<std::vector<std::string>>(columns.size()), .differs = {}};
        bool any = false;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            for (auto const& section : files[c]) {
                if (section.role != role) continue;
                row.cells[c].insert(row.cells[c].end(), section.lines.begin(), section.lines.end());
                any = true;
            }
        }
        if (!any) continue;
        // a line of code the other files' same role lacks: where the models differ
        std::vector<std::set<std::string>> texts(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            for (auto const& line : row.cells[c]) texts[c].insert(trimmed(line));
        }
        row.differs.resize(columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            for (auto const& line : row.cells[c]) {
                auto const text = trimmed(line);
                bool differs = false;
                if (is_code(text) && columns.size() > 1) {
                    for (std::size_t other = 0; other < columns.size(); ++other) {
                        if (other != c && texts[other].count(text) == 0) differs = true;
                    }
                }
                row.differs[c].push_back(differs);
            }
        }
        out.push_back(std::move(row));
    }
    return out;
}

std::string side_by_side(std::vector<Column> const& columns, std::size_t width, bool colour) {
    if (columns.empty()) return {};
    width = std::max(width, narrowest(columns.size()));
    auto const all_rows = rows(columns);
    // how many side by side: all, else half (four as two pairs), else one at a time, columns at least 32 wide
    auto const fits = [&](std::size_t count) { return (width - (count - 1) * separator_width) / count >= roomy_column; };
    std::size_t per_group = columns.size();
    if (!fits(per_group)) per_group = fits((columns.size() + 1) / 2) ? (columns.size() + 1) / 2 : 1;
    std::string out;
    for (std::size_t first = 0; first < columns.size(); first += per_group) {
        auto const last = std::min(first + per_group, columns.size());
        auto const n = last - first;
        auto const column_width = (width - (n - 1) * separator_width) / n;
        auto const text_width = column_width - gutter_width;  // "+ " or "  " before each line
        if (per_group < columns.size()) {
            std::string names;
            for (auto c = first; c < last; ++c) {
                auto const& title = columns[c].title;
                names += (names.empty() ? "" : c + 1 == last ? " and " : ", ") + title.substr(0, title.find(':'));
            }
            std::string heading = "══ " + names + " (" + std::to_string(first + 1) + (n > 1 ? "-" + std::to_string(last) : std::string{}) +
                                  " of " + std::to_string(columns.size()) + ") ";
            for (auto i = display_width(heading); i < width; ++i) heading += "═";
            out += (first > 0 ? "\n" : "") + heading + "\n";
        }
        auto const row = [&](std::vector<std::vector<std::pair<std::string, bool>>> const& cells) {
            std::size_t height = 0;
            for (auto const& cell : cells) height = std::max(height, cell.size());
            for (std::size_t i = 0; i < height; ++i) {
                std::string line;
                for (std::size_t c = 0; c < n; ++c) {
                    if (c > 0) line += separator;
                    bool const marked = i < cells[c].size() && cells[c][i].second;
                    auto const text = i < cells[c].size() ? cells[c][i].first : std::string{};
                    line += (marked ? colour::paint("+", colour::Style::yellow, colour) : std::string{" "}) + " " + padded(text, text_width);
                }
                while (!line.empty() && line.back() == ' ') line.pop_back();
                out += line + "\n";
            }
        };
        std::vector<std::vector<std::pair<std::string, bool>>> titles;
        for (auto c = first; c < last; ++c) {
            titles.emplace_back();
            for (auto& piece : title_lines(columns[c].title, text_width)) titles.back().emplace_back(std::move(piece), false);
        }
        row(titles);
        for (auto const& r : all_rows) {
            std::vector<std::vector<std::pair<std::string, bool>>> cells(n);
            for (auto c = first; c < last; ++c) {
                for (std::size_t i = 0; i < r.cells[c].size(); ++i) {
                    for (auto& piece : wrap(r.cells[c][i], text_width)) cells[c - first].emplace_back(std::move(piece), r.differs[c][i]);
                }
            }
            std::string rule = r.role.empty() ? "── head " : "── [" + r.role + "] ";
            auto const shown = display_width(rule);
            for (std::size_t i = shown; i < width; ++i) rule += "─";
            out += rule + "\n";
            row(cells);
        }
    }
    if (columns.size() > 1) out += "\n" + conclab::wrap("+ code that not every other model has in that role: where the models differ", width) + "\n";
    return out;
}

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char const c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string html_table(std::vector<Column> const& columns) {
    if (columns.empty()) return {};
    std::string out = "<table class=\"listing\">\n<tr>";
    for (auto const& column : columns) out += "<th>" + escape_html(column.title) + "</th>";
    out += "</tr>\n";
    for (auto const& r : rows(columns)) {
        out += "<tr><td colspan=\"" + std::to_string(columns.size()) + "\"><b>" +
               (r.role.empty() ? std::string{"head"} : "[" + escape_html(r.role) + "]") + "</b></td></tr>\n<tr>";
        for (std::size_t c = 0; c < r.cells.size(); ++c) {
            auto const& cell = r.cells[c];
            out += "<td valign=\"top\"><pre>";
            for (std::size_t i = 0; i < cell.size(); ++i) {
                if (i > 0) out += "\n";
                // no blank line inside: in Markdown a blank line would end the HTML block
                auto const text = cell[i].find_first_not_of(' ') == std::string::npos ? std::string{"&nbsp;"} : escape_html(cell[i]);
                out += r.differs[c][i] ? "<mark>" + text + "</mark>" : text;  // where the models differ
            }
            out += "</pre></td>";
        }
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace conclab::listing
