// The four models and their tokens. The token is the one name a model has
// everywhere: files, namespaces, meson suites, benchmarks, --models, JSON.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace conclab {

enum class Model { fibers, coroutines, tbb, threads };

inline constexpr std::array<Model, 4> all_models{Model::fibers, Model::coroutines, Model::tbb, Model::threads};

std::string_view token(Model model) noexcept;
/// One line: the style the model stands for and what it is built on.
std::string_view describe(Model model) noexcept;
std::optional<Model> parse_model(std::string_view token) noexcept;

}  // namespace conclab
