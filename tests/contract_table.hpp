// The reference table of docs/contract.md as the tests read it: the rows
// "| `expression` | `value` |", expression -> value as written.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace conclab::testing_support {

inline std::map<std::string, std::string> contract_table(std::string const& path) {
    std::ifstream page{path};
    std::map<std::string, std::string> rows;
    std::string line;
    while (std::getline(page, line)) {
        if (!line.starts_with("| `")) continue;
        std::vector<std::string> cells;
        std::size_t at = 0;
        while ((at = line.find('`', at)) != std::string::npos) {
            auto const end = line.find('`', at + 1);
            if (end == std::string::npos) break;
            cells.push_back(line.substr(at + 1, end - at - 1));
            at = end + 1;
        }
        if (cells.size() == 2 && line.find("` | `") != std::string::npos) rows[cells[0]] = cells[1];
    }
    return rows;
}

}  // namespace conclab::testing_support
