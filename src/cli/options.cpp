#include "src/cli/options.hpp"

#include "src/cli/registry.hpp"
#include "src/params.hpp"

#include <algorithm>

namespace conclab::cli {

std::string model_list() {
    std::string out;
    for (Model model : all_models) out += (out.empty() ? "" : ",") + std::string{token(model)};
    return out;
}

std::string scenario_list() {
    std::string out;
    for (auto const* s : scenarios()) out += (out.empty() ? "" : ", ") + s->name;
    return out;
}

std::vector<Model> parse_models(std::string const& text) {
    std::vector<Model> models;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(',', start), text.size());
        auto const name = text.substr(start, end - start);
        auto const model = parse_model(name);
        if (!model) throw UsageError{"--models: unknown model '" + name + "'; expected a comma-separated list of " + model_list()};
        if (std::find(models.begin(), models.end(), *model) != models.end()) {
            throw UsageError{"--models: '" + name + "' is listed twice"};
        }
        models.push_back(*model);
        start = end + 1;
    }
    return models;
}

std::uint64_t parse_number(std::string const& flag, std::string const& text, std::uint64_t min, std::uint64_t max) {
    return std::get<std::uint64_t>(parse_param(ParamSpec{flag.substr(2), std::uint64_t{0}, min, max, "", "", {}}, text));
}

}  // namespace conclab::cli
