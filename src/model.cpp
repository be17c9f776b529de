#include "src/model.hpp"

namespace conclab {

std::string_view token(Model model) noexcept {
    switch (model) {
        case Model::fibers: return "fibers";
        case Model::coroutines: return "coroutines";
        case Model::tbb: return "tbb";
        case Model::threads: return "threads";
    }
    return "?";
}

std::string_view describe(Model model) noexcept {
    switch (model) {
        case Model::fibers: return "Go style: Boost.Fiber fibers + channels, M:N on --threads OS threads";
        case Model::coroutines: return "async/await (Tokio style): C++20 coroutines on Boost.Asio, --threads OS threads";
        case Model::tbb: return "Rayon style: oneTBB parallel algorithms, work stealing in an arena of --threads";
        case Model::threads: return "control group: one std::thread per worker, moodycamel queue";
    }
    return "?";
}

std::optional<Model> parse_model(std::string_view name) noexcept {
    for (Model model : all_models) {
        if (token(model) == name) return model;
    }
    return std::nullopt;
}

std::string ModelId::token() const {
    std::string out{conclab::token(base)};
    if (!variant.empty()) out += "/" + variant;
    return out;
}

std::optional<ModelId> parse_model_id(std::string_view text) noexcept {
    auto const slash = text.find('/');
    auto const model = parse_model(text.substr(0, slash));
    if (!model) return std::nullopt;
    if (slash == std::string_view::npos) return ModelId{*model};
    auto const name = text.substr(slash + 1);
    if (name.empty()) return std::nullopt;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
    }
    return ModelId{*model, std::string{name}};
}

}  // namespace conclab
