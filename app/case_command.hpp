// `conclab __case REQUEST` (hidden): the child side of a case, which the
// runner starts in a process of its own; runs it and prints one JSON line.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace conclab::cli {

struct CaseCli {
    CLI::App* command = nullptr;
    std::string request;
};

void add_case_command(CLI::App& app, CaseCli& cli);
int case_command(CaseCli const& cli);

}  // namespace conclab::cli
