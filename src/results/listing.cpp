#include "src/results/listing.hpp"
#include "src/results/table.hpp"

#include <algorithm>

namespace conclab::listing {
namespace {

constexpr std::string_view separator = " │ ";
constexpr std::size_t separator_width = 3;
constexpr std::size_t narrowest_column = 20;

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

std::vector<Row> rows(std::vector<Column> const& columns) {
    std::vector<std::vector<Section>> files;
    for (auto const& column : columns) files.push_back(split(column.text));
    std::vector<Row> out;
    for (auto const& role : role_order(files)) {
        Row row{.role = role, .cells = std::vector<std::vector<std::string>>(columns.size())};
        bool any = false;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            for (auto const& section : files[c]) {
                if (section.role != role) continue;
                row.cells[c].insert(row.cells[c].end(), section.lines.begin(), section.lines.end());
                any = true;
            }
        }
        if (any) out.push_back(std::move(row));
    }
    return out;
}

std::string side_by_side(std::vector<Column> const& columns, std::size_t width) {
    if (columns.empty()) return {};
    width = std::max(width, narrowest(columns.size()));
    auto const n = columns.size();
    auto const column_width = (width - (n - 1) * separator_width) / n;
    std::string out;
    auto const row = [&](std::vector<std::vector<std::string>> const& cells) {
        std::size_t height = 0;
        for (auto const& cell : cells) height = std::max(height, cell.size());
        for (std::size_t i = 0; i < height; ++i) {
            std::string line;
            for (std::size_t c = 0; c < n; ++c) {
                if (c > 0) line += separator;
                line += padded(i < cells[c].size() ? cells[c][i] : std::string{}, column_width);
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line + "\n";
        }
    };
    std::vector<std::vector<std::string>> titles;
    for (auto const& column : columns) titles.push_back(wrap(column.title, column_width));
    row(titles);
    for (auto const& r : rows(columns)) {
        std::vector<std::vector<std::string>> cells(n);
        for (std::size_t c = 0; c < n; ++c) {
            for (auto const& line : r.cells[c]) {
                for (auto& piece : wrap(line, column_width)) cells[c].push_back(std::move(piece));
            }
        }
        std::string rule = r.role.empty() ? "── head " : "── [" + r.role + "] ";
        auto const shown = display_width(rule);
        for (std::size_t i = shown; i < width; ++i) rule += "─";
        out += rule + "\n";
        row(cells);
    }
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
        for (auto const& cell : r.cells) {
            out += "<td valign=\"top\"><pre>";
            for (std::size_t i = 0; i < cell.size(); ++i) {
                if (i > 0) out += "\n";
                // no blank line inside: in Markdown a blank line would end the HTML block
                out += cell[i].find_first_not_of(' ') == std::string::npos ? std::string{"&nbsp;"} : escape_html(cell[i]);
            }
            out += "</pre></td>";
        }
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace conclab::listing
