#include "app/list_command.hpp"

#include "app/options.hpp"
#include "scenarios/registry.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/model.hpp"
#include "src/results/table.hpp"
#include "src/runner/peer.hpp"
#include "src/runner/sweep.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace conclab::cli {
namespace {

// `conclab list --json`: the same for programs: scenarios with their parameters, models, variants, peers, presets.
nlohmann::json list_json() {
    auto scenarios_json = nlohmann::json::array();
    for (auto const* s : scenarios()) {
        auto params = nlohmann::json::array();
        for (auto const& p : s->params) {
            nlohmann::json param{{"name", p.name}, {"flag", flag(p)}, {"help", p.help}, {"used_by", p.models}};
            if (p.is_text()) {
                param["type"] = "text";
                param["default"] = std::get<std::string>(p.fallback);
                param["choices"] = p.choices;
            } else {
                param["type"] = "integer";
                param["default"] = std::get<std::uint64_t>(p.fallback);
                param["min"] = p.min;
                param["max"] = p.max;
            }
            params.push_back(std::move(param));
        }
        auto models = nlohmann::json::array();
        for (auto const& id : models_of(*s)) {
            if (!is_peer(id.base)) models.push_back(id.token());
        }
        scenarios_json.push_back({{"name", s->name}, {"summary", s->summary}, {"unit", s->unit}, {"parameters", params}, {"models", models}});
    }
    auto models = nlohmann::json::array();
    for (auto const& model : all_models) models.push_back({{"token", token(model)}, {"description", describe(model)}});
    auto variants_json = nlohmann::json::array();
    for (auto const& variant : variants()) {
        variants_json.push_back({{"token", variant.id.token()}, {"scenarios", variant.scenarios}, {"changes", variant.changes}});
    }
    auto peers = nlohmann::json::array();
    for (auto const& peer : all_peers) {
        auto const path = peer_executable(peer);
        peers.push_back({{"token", token(peer)}, {"counterpart", token(counterpart(peer))}, {"description", describe(peer)},
                         {"built", path.has_value()}, {"path", path ? nlohmann::json(*path) : nlohmann::json(nullptr)}});
    }
    return {{"scenarios", scenarios_json}, {"models", models}, {"variants", variants_json}, {"peers", peers}, {"presets", preset_names()}};
}

// printf into a string
template <class... Args>
std::string format(char const* pattern, Args... args) {
    auto const size = std::snprintf(nullptr, 0, pattern, args...);
    std::string text(static_cast<std::size_t>(std::max(size, 0)), '\0');
    std::snprintf(text.data(), text.size() + 1, pattern, args...);
    return text;
}

}  // namespace

void add_list_command(CLI::App& app, ListCli& cli) {
    cli.command = app.add_subcommand("list", "show scenarios, their parameters, and the models");
    cli.command->add_flag("--json", cli.json,
                          "the same as JSON: scenarios with their parameters (type, default, range or choices), models, variants, peers, presets");
}

int list_command(ListCli const& cli) {
    if (cli.json) {
        std::cout << list_json().dump(1) << std::endl;
        return 0;
    }
    auto const width = colour::terminal_width(stdout);  // 0: not a terminal, lines left whole
    std::string out;
    out += format("Scenarios (conclab run <scenario> [options]):\n");
    for (auto const* s : scenarios()) {
        out += format("\n  %s\n%s\n", s->name.c_str(), wrap("    " + s->summary, width, "").c_str());
        for (auto const& p : s->params) {
            std::string accepts = "range " + std::to_string(p.min) + ".." + std::to_string(p.max);
            if (p.is_text()) {
                accepts = p.choices.empty() ? "text" : "one of ";
                for (std::size_t c = 0; c < p.choices.size(); ++c) accepts += (c == 0 ? "" : "|") + p.choices[c];
            }
            auto const fallback = to_text(p.fallback);
            out += format("    %-17s default %-8s %s\n%s\n%s\n", flag(p).c_str(), fallback.empty() ? "(none)" : fallback.c_str(), accepts.c_str(),
                        wrap(std::string(22, ' ') + p.help, width, "").c_str(),
                        wrap(std::string(22, ' ') + "used by: " + p.models, width, "").c_str());
        }
    }
    out += format("\nModels (--models, comma-separated; default: all four):\n");
    for (auto const& model : all_models) {
        auto const name = std::string{token(model)};
        out += format("%s\n", wrap("  " + name + std::string(12 - name.size(), ' ') + std::string{describe(model)}, width, std::string(12, ' ')).c_str());
    }
    out += format("\nVariants (--models fibers,fibers/guard-pages: a model with one thing changed, measured as a model of its own):\n");
    // the tokens in one column however long (coroutines/beast-streams), what each changes wrapped beside it
    std::size_t longest = 0;
    for (auto const& variant : variants()) longest = std::max(longest, variant.id.token().size());
    for (auto const& variant : variants()) {
        std::string where = variant.scenarios.size() == scenarios().size() ? "every scenario" : "";
        for (auto const& name : variant.scenarios) {
            if (variant.scenarios.size() != scenarios().size()) where += (where.empty() ? "" : ", ") + name;
        }
        auto const token_text = variant.id.token();
        auto const line = "  " + token_text + std::string(longest - token_text.size() + 2, ' ') + "(" + where + ") " + variant.changes;
        out += format("%s\n", wrap(line, width, std::string(longest + 2, ' ')).c_str());
    }
    out += format("\nPeers (--models fibers,go: the real Go and Rust programs the models stand for; docs/calibration.md):\n");
    bool any_peer = false;
    for (auto const& peer : all_peers) {
        if (auto const path = peer_executable(peer)) {
            out += format("  %-13s vs %-10s %s\n                           %s\n", std::string{token(peer)}.c_str(),
                        std::string{token(counterpart(peer))}.c_str(), std::string{describe(peer)}.c_str(), path->c_str());
            any_peer = true;
        }
    }
    if (!any_peer) out += format("  none built here: ./setup.sh peers builds %s from Debian's packages\n", peer_list().c_str());
    out += format("\nRun options: --repeat R (default 5), --warmup W (default 1), --json FILE, --csv FILE, --md FILE, --wide,\n"
                "             --case-timeout SECONDS (default 600), --quiet, --no-latency. Details: docs/methodology.md.\n"
                "Any command: --color never|auto|always (auto: on a terminal, unless NO_COLOR is set).\n"
                "\nconclab serve: the url-fetch target server (conclab serve --help).\n");
    std::fputs(wrap(out, width).c_str(), stdout);  // every line within the terminal, continuations under their own indent
    return 0;
}


}  // namespace conclab::cli
