#include "src/results/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace conclab {

void Table::add(std::vector<std::string> const& texts) {
    std::vector<TableCell> row;
    for (auto const& text : texts) row.push_back({.text = text});
    rows.push_back(std::move(row));
}

std::size_t display_width(std::string_view text) noexcept {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\033' && i + 1 < text.size() && text[i + 1] == '[') {  // an escape sequence (ESC [ ... letter) takes none
            i += 2;
            while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
            continue;
        }
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++width;
    }
    return width;
}

std::size_t text_width(std::string_view text) {
    std::size_t widest = 0, start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find('\n', start), text.size());
        widest = std::max(widest, display_width(text.substr(start, end - start)));
        start = end + 1;
    }
    return widest;
}

std::string wrap(std::string_view text, std::size_t width, std::string_view indent) {
    if (width == 0) return std::string{text};
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto const end = std::min(text.find('\n', start), text.size());
        auto const line = text.substr(start, end - start);
        if (display_width(line) <= width) {
            out += line;
        } else {
            // greedy: words onto the line while they fit; the continuation indented below the line's own indent
            auto const lead = std::min(line.find_first_not_of(' '), line.size());
            std::string const continuation = std::string(lead, ' ') + std::string{indent};
            std::string current(lead, ' ');
            std::size_t current_width = lead;
            bool empty = true;
            std::size_t i = lead;
            while (i < line.size()) {
                auto const space = std::min(line.find(' ', i), line.size());
                auto const word = line.substr(i, space - i);
                i = space + 1;
                if (word.empty()) {  // a run of spaces inside the line (aligned columns) is kept, never carried over a break
                    if (!empty) {
                        current += ' ';
                        ++current_width;
                    }
                    continue;
                }
                auto const word_width = display_width(word);
                if (!empty && current_width + 1 + word_width > width) {
                    while (!current.empty() && current.back() == ' ') current.pop_back();
                    out += current + "\n";
                    current = continuation;
                    current_width = display_width(continuation);
                    empty = true;
                }
                if (!empty) {
                    current += ' ';
                    ++current_width;
                }
                current += word;
                current_width += word_width;
                empty = false;
            }
            out += current;
        }
        if (end < text.size()) out += '\n';
        start = end + 1;
    }
    return out;
}

std::string render_text(Table const& table, bool colour) {
    auto const& columns = table.columns;
    std::vector<std::size_t> width(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        width[c] = display_width(columns[c].title);
        for (auto const& row : table.rows) width[c] = std::max(width[c], display_width(row[c].text));
    }
    // painted after padding, so escape codes never count as width
    auto const line = [&](auto const& text_of, auto const& style_of) {
        std::string out;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            std::string const text = text_of(c);
            std::string const pad(width[c] - display_width(text), ' ');
            auto const style = style_of(c);
            auto const painted = style ? colour::paint(text, *style, colour) : text;
            out += c == 0 ? "" : "  ";
            out += columns[c].left ? painted + pad : pad + painted;
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = line([&](std::size_t c) { return columns[c].title; },
                           [](std::size_t) { return std::optional<colour::Style>{colour::Style::bold}; });
    for (auto const& row : table.rows) {
        out += line([&](std::size_t c) { return row[c].text; }, [&](std::size_t c) { return row[c].style; });
    }
    return out;
}

namespace {
std::string markdown_cell(std::string const& text) {
    std::string out;
    for (char ch : text) {
        if (ch == '|') out += '\\';
        out += ch == '\n' ? ' ' : ch;  // a cell is one line
    }
    return out;
}

std::string csv_field(std::string const& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}
}  // namespace

std::string render_markdown(Table const& table) {
    std::string out = "|";
    for (auto const& column : table.columns) out += " " + markdown_cell(column.title) + " |";
    out += "\n|";
    for (auto const& column : table.columns) out += column.left ? " :--- |" : " ---: |";
    out += "\n";
    for (auto const& row : table.rows) {
        out += "|";
        for (auto const& cell : row) out += " " + markdown_cell(cell.text) + " |";
        out += "\n";
    }
    return out;
}

std::string render_csv(Table const& table) {
    std::string out;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        auto const& column = table.columns[c];
        out += (c == 0 ? "" : ",") + csv_field(column.key.empty() ? column.title : column.key);
    }
    out += "\r\n";
    for (auto const& row : table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) out += (c == 0 ? "" : ",") + csv_field(row[c].plain.value_or(row[c].text));
        out += "\r\n";
    }
    return out;
}

std::string plain_number(double value) {
    if (!std::isfinite(value)) return "";
    if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
        char text[32];
        std::snprintf(text, sizeof text, "%.0f", value);
        return text;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", value);
    std::string out = text;
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

}  // namespace conclab
