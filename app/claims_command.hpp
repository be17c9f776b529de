// `conclab claims FILE... [--json]`: the debate's claims (GC tails, 2 KB
// goroutines...) answered from a workshop sweep (docs/workshop/08-claims.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::cli {

struct ClaimsCli {
    CLI::App* command = nullptr;
    std::vector<std::string> files;
    bool json = false;
};

void add_claims_command(CLI::App& app, ClaimsCli& cli);
int claims_command(ClaimsCli const& cli);

}  // namespace conclab::cli
