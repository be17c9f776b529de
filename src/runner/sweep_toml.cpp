// TOML sweep files, read with toml++ (kept to this one file: its header is heavy).
#include "src/runner/sweep.hpp"

#include "src/runner/peer.hpp"

#include <toml++/toml.h>

#include <algorithm>

namespace conclab {
namespace {

std::string where(std::string const& path, toml::source_region const& region) {
    return path + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

// A TOML value as the text the command line would take for it.
std::string as_text(toml::node const& node, std::string const& at) {
    if (auto const* n = node.as_integer()) {
        if (n->get() < 0) throw UsageError{at + ": a negative number"};
        return std::to_string(n->get());
    }
    if (auto const* t = node.as_string()) return t->get();
    if (auto const* b = node.as_boolean()) return b->get() ? "on" : "off";
    throw UsageError{at + ": expected a whole number, a text or an array of them"};
}

}  // namespace

std::vector<SweepGrid> grids_from_toml(std::string const& path, std::vector<Scenario const*> const& scenarios) {
    toml::table document;
    try {
        document = toml::parse_file(path);
    } catch (toml::parse_error const& e) {
        throw UsageError{where(path, e.source()) + ": " + std::string{e.description()} + " (a TOML sweep file: docs/sweeps.md)"};
    }
    std::vector<SweepGrid> grids;
    for (auto const& [name, node] : document) {
        std::string const scenario_name{name.str()};
        auto const at = where(path, node.source());
        auto const found = std::find_if(scenarios.begin(), scenarios.end(), [&](auto const* s) { return s->name == scenario_name; });
        if (found == scenarios.end()) {
            std::string known;
            for (auto const* s : scenarios) known += (known.empty() ? "" : ", ") + s->name;
            throw UsageError{at + ": [" + scenario_name + "] is not a scenario; expected tables named " + known};
        }
        auto const* table = node.as_table();
        if (table == nullptr) throw UsageError{at + ": " + scenario_name + " must be a table ([" + scenario_name + "])"};
        auto const& scenario = **found;
        SweepGrid grid{.scenario = &scenario, .axes = {}, .base = defaults(scenario.params),
                       .models = {all_models.begin(), all_models.end()}, .repeat = 3, .warmup = 1};
        for (auto const& [key_name, value] : *table) {
            std::string key{key_name.str()};
            std::replace(key.begin(), key.end(), '-', '_');
            auto const value_at = where(path, value.source());
            if (key == "models") {
                std::vector<ModelId> models;
                auto const add = [&](std::string const& token) {
                    auto const model = parse_model_id(token);
                    if (!model || !scenario.runs(*model)) {
                        throw UsageError{value_at + ": " + scenario_name + " has no model '" + token + "' (conclab list shows models and variants)"};
                    }
                    if (auto const why = peer_unavailable(model->base); is_peer(model->base) && !why.empty()) throw UsageError{value_at + ": " + why};
                    if (std::find(models.begin(), models.end(), *model) != models.end()) {
                        throw UsageError{value_at + ": model " + token + " is given twice; give each model once"};
                    }
                    models.push_back(*model);
                };
                if (auto const* list = value.as_array()) {
                    for (auto const& item : *list) add(as_text(item, value_at));
                } else {
                    add(as_text(value, value_at));
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
                for (auto const& p : scenario.params) known += ", " + p.name;
                throw UsageError{value_at + ": " + scenario_name + " has no parameter '" + key + "'; expected one of " + known};
            }
            std::vector<ParamValue> values;
            try {
                if (auto const* list = value.as_array()) {
                    for (auto const& item : *list) values.push_back(parse_param(*spec, as_text(item, value_at)));
                } else {
                    values = parse_values(*spec, as_text(value, value_at));
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
        grids.push_back(std::move(grid));
    }
    if (grids.empty()) throw UsageError{path + ": no scenario table (e.g. [worker-pool]); a TOML sweep file: docs/sweeps.md"};
    return grids;
}

}  // namespace conclab
