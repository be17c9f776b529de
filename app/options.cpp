#include "app/options.hpp"

#include "scenarios/registry.hpp"
#include "src/kit/colour.hpp"
#include "src/kit/cpus.hpp"
#include "src/kit/params.hpp"
#include "src/kit/suggest.hpp"
#include "src/kit/units.hpp"
#include "src/runner/peer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <span>
#include <string_view>

namespace conclab::cli {

void print_error(std::string const& message) {
    std::fprintf(stderr, "conclab: %s %s\n", colour::paint("error:", colour::Style::red, colour::on(stderr)).c_str(), message.c_str());
}

namespace {
std::string tokens_of(std::span<Model const> models) {
    std::string out;
    for (auto const& model : models) out += (out.empty() ? "" : ",") + std::string{token(model)};
    return out;
}
}  // namespace

std::string model_list() { return tokens_of(all_models); }

std::string peer_list() { return tokens_of(all_peers); }

std::vector<std::string> scenario_names() {
    std::vector<std::string> out;
    for (auto const* s : scenarios()) out.push_back(s->name);
    return out;
}

std::string scenario_list() {
    std::string out;
    for (auto const* s : scenarios()) out += (out.empty() ? "" : ", ") + s->name;
    return out;
}

std::vector<ModelId> models_of(Scenario const& scenario) {
    std::vector<ModelId> out;
    for (auto const& entry : scenario.models) out.push_back(entry.id);
    out.insert(out.end(), all_peers.begin(), all_peers.end());
    return out;
}

std::vector<ModelId> parse_models(std::string const& text, std::vector<ModelId> const& known) {
    std::vector<ModelId> models;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(',', start), text.size());
        auto const name = text.substr(start, end - start);
        auto const model = parse_model_id(name);
        if (model && model->is_variant() && std::find(known.begin(), known.end(), *model) == known.end()) {
            for (auto const& variant : variants()) {
                if (variant.id != *model) continue;
                std::string where;
                for (auto const& scenario : variant.scenarios) where += (where.empty() ? "" : ", ") + scenario;
                throw UsageError{"--models: " + name + " is a variant of " + where + " only (conclab list shows every variant)"};
            }
        }
        if (!model || std::find(known.begin(), known.end(), *model) == known.end()) {
            std::string variants;
            for (auto const& id : known) {
                if (id.is_variant()) variants += (variants.empty() ? "" : ", ") + id.token();
            }
            std::vector<std::string> tokens;
            for (auto const& id : known) tokens.push_back(id.token());
            throw UsageError{"--models: unknown model '" + name + "'" + did_you_mean(name, tokens) + "; expected a comma-separated list of " + model_list() +
                             (variants.empty() ? "" : ", the variants " + variants) + " or the peers " + peer_list() +
                             " (real Go and Rust, once built: docs/calibration.md)"};
        }
        if (auto const why = peer_unavailable(model->base); is_peer(model->base) && !why.empty()) throw UsageError{"--models: " + why};
        if (std::find(models.begin(), models.end(), *model) != models.end()) {
            throw UsageError{"--models: '" + name + "' is listed twice"};
        }
        models.push_back(*model);
        start = end + 1;
    }
    return models;
}

namespace {
constexpr char const* empty_value = "an empty value; give one, or leave it out for its default";
}  // namespace

void reject_empty_assignments(int argc, char const* const* argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::string_view const arg{argv[i]}; arg.starts_with("--") && arg.size() > 3 && arg.ends_with('=')) {
            throw UsageError{std::string{arg.substr(0, arg.size() - 1)} + ": " + empty_value};
        }
    }
}

void reject_empty_values(CLI::App const& app) {
    auto const takes_a_value = [](CLI::Option const* option) { return option->count() > 0 && option->get_expected_min() > 0; };
    for (auto const* option : app.get_options(takes_a_value)) {
        for (auto const& value : option->results()) {
            if (value.empty()) throw CLI::ValidationError{option->get_name(), empty_value};
        }
    }
    for (auto const* sub : app.get_subcommands([](CLI::App const* command) { return command->parsed(); })) reject_empty_values(*sub);
}

std::string explain_parse_error(CLI::ParseError const& error, CLI::App const& app, std::vector<std::string> const& args) {
    if (dynamic_cast<CLI::ExtrasError const*>(&error) == nullptr) return error.what();
    // the long flags of the command and of the commands above it (--help, --version)
    std::vector<std::string> flags;
    for (auto const* level = &app; level != nullptr; level = level->get_parent()) {
        for (auto const* option : level->get_options()) {
            for (auto const& name : option->get_lnames()) flags.push_back("--" + name);
        }
    }
    for (auto const& arg : args) {
        if (!arg.starts_with("--") || arg.size() == 2) continue;
        auto const name = arg.substr(0, arg.find('='));
        if (std::find(flags.begin(), flags.end(), name) == flags.end()) return "unknown option " + name + did_you_mean(name, flags);
    }
    return error.what();
}

std::string value_type(ParamSpec const& spec, bool several) {
    if (!spec.is_text()) return several ? "INT|LIST|RANGE" : "INT";
    if (spec.choices.empty()) return "TEXT";
    std::string choices;
    for (auto const& choice : spec.choices) choices += (choices.empty() ? "" : ",") + choice;
    return "{" + choices + "}" + (several ? "[,...]" : "");
}

std::string help_with_default(ParamSpec const& spec) {
    if (spec.help.find("(default") != std::string::npos) return spec.help;
    auto const fallback = to_text(spec.fallback);
    return spec.help + " (default " + (fallback.empty() ? "none" : fallback) + ")";
}

void add_case_flags(CLI::App* command, CaseFlags& flags, std::string const& repeat_help) {
    command->add_option("--models", flags.models, "comma-separated models, variants or built peers (default: all four: " + model_list() + "; peers: " + peer_list() + ")")
        ->type_name("LIST");
    command->add_option("--repeat", flags.repeat, repeat_help + ", each in its own process (default " + flags.repeat + ")")->type_name("INT");
    command->add_option("--warmup", flags.warmup, "unmeasured runs before each measured one, same process (default 1)")->type_name("INT");
    command->add_option("--case-timeout", flags.case_timeout, "seconds before a case is killed and counted as failed (default 600)")
        ->type_name("SECONDS");
    command->add_flag("--quiet", flags.quiet, "no progress on stderr");
    command->add_option("--cpus", flags.cpus,
                        "pin every case process (ours or a peer's) to these CPUs, e.g. 0-7 or 0,2,4-6; url-fetch's embedded server runs on "
                        "the others (default: not pinned; recorded in the results)")
        ->type_name("LIST");
    command->add_flag("--no-latency", flags.no_latency,
                      "record no per-item latency (to see what recording costs; latency columns stay empty)");
}

double parse_decimal(std::string const& flag, std::string const& text, double min, double max, char const* what) {
    char* end = nullptr;
    errno = 0;
    double const value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !(value >= min && value <= max)) {
        throw UsageError{flag + " expects " + what + " from " + printed("%g", min) + " to " + printed("%g", max) + ", got '" + text + "'"};
    }
    return value;
}

CaseSettings parse_case_flags(CaseFlags const& flags) {
    return {.repeat = static_cast<unsigned>(parse_number("--repeat", flags.repeat, 1, 1000)),
            .warmup = static_cast<unsigned>(parse_number("--warmup", flags.warmup, 0, 100)),
            .case_timeout = std::chrono::seconds{parse_number("--case-timeout", flags.case_timeout, 1, 86'400)},
            .progress = !flags.quiet,
            .record_latency = !flags.no_latency,
            .cpus = flags.cpus.empty() ? std::vector<unsigned>{} : cpus_for_cases(flags.cpus)};
}


}  // namespace conclab::cli
