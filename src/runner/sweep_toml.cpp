// TOML sweep files, read with toml++ (kept to this one file: its header is heavy).
#include "src/runner/sweep.hpp"

#include "src/kit/suggest.hpp"
#include "src/runner/peer.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace conclab {
namespace {

std::string where(std::string const& path, toml::source_region const& region) {
    return path + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

// "cores" and "Ncores" in a text value: the machine's hardware threads,
// and N times that ("1..2cores*2" is "1..4*2" on 2 hardware threads).
std::string with_cores(std::string const& text, unsigned cores) {
    constexpr std::string_view word = "cores";
    std::string out;
    std::size_t from = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, from)) {
        auto digits = at;  // the multiplier's digits just before the word, if any
        while (digits > from && std::isdigit(static_cast<unsigned char>(text[digits - 1]))) --digits;
        out.append(text, from, digits - from);
        std::uint64_t const times = digits < at ? std::stoull(text.substr(digits, at - digits)) : 1;
        out += std::to_string(times * cores);
        from = at + word.size();
    }
    return out + text.substr(from);
}

// A TOML value as the text the command line would take for it.
std::string as_text(toml::node const& node, std::string const& at, unsigned cores) {
    if (auto const* n = node.as_integer()) {
        if (n->get() < 0) throw UsageError{at + ": a negative number"};
        return std::to_string(n->get());
    }
    if (auto const* t = node.as_string()) return with_cores(t->get(), cores);
    if (auto const* b = node.as_boolean()) return b->get() ? "on" : "off";
    throw UsageError{at + ": expected a whole number, a text or an array of them"};
}

// One grid of `scenario` from its table.
// `check_peers`: a peer named in `models` must be built here (a user's file: said with its line); a
// preset's peers are checked when a sweep runs it (sweep_command), so that it can be read without them.
SweepGrid grid_from_table(toml::table const& table, Scenario const& scenario, std::string const& path, unsigned cores,
                          bool check_peers) {
    std::string const& scenario_name = scenario.name;
    SweepGrid grid{.scenario = &scenario, .axes = {}, .base = defaults(scenario.params),
                   .models = {all_models.begin(), all_models.end()}, .repeat = 3, .warmup = 1};
    for (auto const& [key_name, value] : table) {
        std::string key{key_name.str()};
        std::replace(key.begin(), key.end(), '-', '_');
        auto const value_at = where(path, value.source());
        if (key == "models") {
            std::vector<ModelId> models;
            auto const add = [&](std::string const& token) {
                auto const model = parse_model_id(token);
                if (!model || !scenario.runs(*model)) {
                    std::vector<std::string> tokens;
                    for (auto const& entry : scenario.models) tokens.push_back(entry.id.token());
                    for (auto const peer : all_peers) tokens.emplace_back(conclab::token(peer));
                    throw UsageError{value_at + ": " + scenario_name + " has no model '" + token + "'" + did_you_mean(token, tokens) +
                                     " (conclab list shows models and variants)"};
                }
                if (auto const why = peer_unavailable(model->base); check_peers && is_peer(model->base) && !why.empty()) {
                    throw UsageError{value_at + ": " + why};
                }
                if (std::find(models.begin(), models.end(), *model) != models.end()) {
                    throw UsageError{value_at + ": model " + token + " is given twice; give each model once"};
                }
                models.push_back(*model);
            };
            if (auto const* list = value.as_array()) {
                for (auto const& item : *list) add(as_text(item, value_at, cores));
            } else {
                add(as_text(value, value_at, cores));
            }
            if (models.empty()) throw UsageError{value_at + ": models is empty; give at least one model, or leave models out for all four"};
            grid.models = std::move(models);
            continue;
        }
        if (key == "repeat" || key == "warmup") {
            auto const* number = value.as_integer();
            if (number == nullptr || number->get() < (key == "repeat" ? 1 : 0) || number->get() > 1000) {
                throw UsageError{value_at + ": " + key + " expects a whole number" + (key == "repeat" ? " from 1" : "")};
            }
            (key == "repeat" ? grid.repeat : grid.warmup) = static_cast<unsigned>(number->get());
            continue;
        }
        auto const spec = std::find_if(scenario.params.begin(), scenario.params.end(), [&](auto const& p) { return p.name == key; });
        if (spec == scenario.params.end()) {
            std::string known = "models, repeat, warmup";
            std::vector<std::string> names{"models", "repeat", "warmup"};
            for (auto const& p : scenario.params) {
                known += ", " + p.name;
                names.push_back(p.name);
            }
            throw UsageError{value_at + ": " + scenario_name + " has no parameter '" + key + "'" + did_you_mean(key, names) +
                             "; expected one of " + known};
        }
        std::vector<ParamValue> values;
        try {
            if (auto const* list = value.as_array()) {
                for (auto const& item : *list) values.push_back(parse_param(*spec, as_text(item, value_at, cores)));
            } else {
                values = parse_values(*spec, as_text(value, value_at, cores));
            }
        } catch (UsageError const& e) {
            throw UsageError{value_at + ": " + e.what()};
        }
        if (values.empty()) throw UsageError{value_at + ": " + key + " has no value"};
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (std::find(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values[i]) != values.begin() + static_cast<std::ptrdiff_t>(i)) {
                throw UsageError{value_at + ": " + key + " has " + to_text(values[i]) + " twice; give each value once"};
            }
        }
        if (values.size() == 1) {
            grid.base[spec->name] = values.front();
        } else {
            grid.axes.push_back({spec->name, std::move(values)});
        }
    }
    // axes in the scenario's own order, as on the command line
    std::stable_sort(grid.axes.begin(), grid.axes.end(), [&](Axis const& a, Axis const& b) {
        auto const rank = [&](Axis const& axis) {
            return std::find_if(scenario.params.begin(), scenario.params.end(), [&](auto const& p) { return p.name == axis.name; }) -
                   scenario.params.begin();
        };
        return rank(a) < rank(b);
    });
    return grid;
}

// The preset file `name`, or nullptr.
PresetFile const* find_preset(std::string_view name) {
    for (auto const& file : preset_files()) {
        if (file.name == name) return &file;
    }
    return nullptr;
}

std::vector<SweepGrid> preset_grids(std::string_view name, std::vector<Scenario const*> const& scenarios, unsigned cores,
                                    int depth);

std::vector<SweepGrid> grids_from_text(std::string_view text, std::string const& path, std::vector<Scenario const*> const& scenarios,
                                       unsigned cores, int depth, bool check_peers) {
    toml::table document;
    try {
        document = toml::parse(text, path);
    } catch (toml::parse_error const& e) {
        throw UsageError{where(path, e.source()) + ": " + std::string{e.description()} + " (a TOML sweep file: docs/sweeps.md)"};
    }
    std::vector<SweepGrid> included;
    std::vector<std::pair<toml::source_position, SweepGrid>> grids;  // in the file's order, sorted below
    auto const scenario_named = [&](std::string const& name, std::string const& at) -> std::vector<Scenario const*> {
        if (name == "*") return scenarios;
        auto const found = std::find_if(scenarios.begin(), scenarios.end(), [&](auto const* s) { return s->name == name; });
        if (found == scenarios.end()) {
            std::string known;
            std::vector<std::string> names;
            for (auto const* s : scenarios) {
                known += (known.empty() ? "" : ", ") + s->name;
                names.push_back(s->name);
            }
            throw UsageError{at + ": [" + name + "] is not a scenario" + did_you_mean(name, names) + "; expected tables named " + known +
                             " (or \"*\", every scenario)"};
        }
        return {*found};
    };
    for (auto const& [key, node] : document) {
        std::string const name{key.str()};
        auto const at = where(path, node.source());
        if (name == "include") {
            auto const* list = node.as_array();
            if (list == nullptr) throw UsageError{at + ": include expects an array of preset names (" + preset_list() + ")"};
            if (depth > 4) throw UsageError{at + ": presets include each other too deeply"};
            for (auto const& item : *list) {
                auto const* preset_name = item.as_string();
                if (preset_name == nullptr) throw UsageError{at + ": include expects preset names (" + preset_list() + ")"};
                for (auto& g : preset_grids(preset_name->get(), scenarios, cores, depth + 1)) included.push_back(std::move(g));
            }
            continue;
        }
        auto const add = [&](toml::node const& table_node) {
            auto const* table = table_node.as_table();
            auto const table_at = where(path, table_node.source());
            if (table == nullptr) throw UsageError{table_at + ": " + name + " must be a table ([" + name + "] or [[" + name + "]])"};
            for (auto const* scenario : scenario_named(name, table_at)) {
                grids.emplace_back(table_node.source().begin, grid_from_table(*table, *scenario, path, cores, check_peers));
            }
        };
        if (auto const* array = node.as_array()) {
            for (auto const& item : *array) add(item);
        } else {
            add(node);
        }
    }
    // toml++ keeps a table's keys sorted: the grids go back to the file's order
    std::stable_sort(grids.begin(), grids.end(), [](auto const& a, auto const& b) {
        return a.first.line != b.first.line ? a.first.line < b.first.line : a.first.column < b.first.column;
    });
    for (auto& [position, grid] : grids) included.push_back(std::move(grid));
    if (included.empty()) throw UsageError{path + ": no scenario table (e.g. [worker-pool]); a TOML sweep file: docs/sweeps.md"};
    return included;
}

std::vector<SweepGrid> preset_grids(std::string_view name, std::vector<Scenario const*> const& scenarios, unsigned cores,
                                    int depth) {
    auto const* file = find_preset(name);
    if (file == nullptr) {
        throw UsageError{"--preset expects " + preset_list() + ", got '" + std::string{name} + "'" + did_you_mean(name, preset_names())};
    }
    return grids_from_text(file->text, std::string{file->path}, scenarios, cores, depth, false);
}

}  // namespace

std::vector<SweepGrid> grids_from_toml_text(std::string_view text, std::string const& source,
                                            std::vector<Scenario const*> const& scenarios, unsigned cores) {
    return grids_from_text(text, source, scenarios, cores, 0, true);
}

std::vector<SweepGrid> grids_from_toml(std::string const& path, std::vector<Scenario const*> const& scenarios, unsigned cores) {
    std::ifstream in{path, std::ios::binary};
    if (!in) throw UsageError{path + ": cannot be read (" + std::strerror(errno) + ")"};
    std::string const text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    return grids_from_text(text, path, scenarios, cores, 0, true);
}

std::vector<SweepGrid> preset(std::string_view name, std::vector<Scenario const*> const& scenarios, unsigned cores) {
    return preset_grids(name, scenarios, cores, 0);
}

std::vector<std::string> preset_names() {
    // workshop, then its steps in its order, then the others by name: read once per process
    static std::vector<std::string> const names = [] {
        std::vector<std::string> out{"workshop"};
        if (auto const* workshop = find_preset("workshop")) {
            auto const document = toml::parse(workshop->text, std::string{workshop->path});
            if (auto const* steps = document["include"].as_array()) {
                for (auto const& step : *steps) {
                    if (auto const* step_name = step.as_string()) out.push_back(step_name->get());
                }
            }
        }
        std::vector<std::string> others;
        for (auto const& file : preset_files()) {
            if (std::find(out.begin(), out.end(), file.name) == out.end()) others.emplace_back(file.name);
        }
        std::sort(others.begin(), others.end());
        out.insert(out.end(), others.begin(), others.end());
        return out;
    }();
    return names;
}

std::string preset_list() {
    auto const names = preset_names();
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return list;
}

}  // namespace conclab
