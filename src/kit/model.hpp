// The four models and their tokens. The token is the one name a model has
// everywhere: files, namespaces, meson suites, benchmarks, --models, JSON.
// A variant of a model changes one thing about it and is named
// "<model>/<variant>" ("fibers/guard-pages"); the registry lists them.
// The peers are the real languages' programs each model stands for (Go,
// Tokio, Rayon, std::thread + crossbeam: peers/, src/runner/peer.hpp); they run
// like a model, in a process of their own, when they are built.
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace conclab {

enum class Model { fibers, coroutines, tbb, threads, go, tokio, rayon, rust_threads };

/// conclab's own models (C++).
inline constexpr std::array<Model, 4> all_models{Model::fibers, Model::coroutines, Model::tbb, Model::threads};
/// The real-language peers, in the order of their counterparts.
inline constexpr std::array<Model, 4> all_peers{Model::go, Model::tokio, Model::rayon, Model::rust_threads};

constexpr bool is_peer(Model model) noexcept { return model >= Model::go; }
/// A model's real-language peer, or a peer's C++ model: fibers <-> go,
/// coroutines <-> tokio, tbb <-> rayon, threads <-> rust-threads.
constexpr Model counterpart(Model model) noexcept {
    auto const index = static_cast<int>(model);
    return static_cast<Model>(index < 4 ? index + 4 : index - 4);
}
/// The model whose resource limits a run of `model` is held to: a
/// rust-threads task is an OS thread as in threads; the others' own.
constexpr Model held_to_limits_of(Model model) noexcept { return model == Model::rust_threads ? Model::threads : model; }

std::string_view token(Model model) noexcept;
/// One line: the style the model stands for and what it is built on.
std::string_view describe(Model model) noexcept;
std::optional<Model> parse_model(std::string_view token) noexcept;

/// A model as it is run and reported: one of the four, or a variant of one.
struct ModelId {
    Model base = Model::fibers;
    std::string variant;  ///< empty for the model itself

    ModelId() = default;
    ModelId(Model model, std::string name = {}) : base{model}, variant{std::move(name)} {}  // NOLINT: a Model is a ModelId

    /// "fibers", or "fibers/guard-pages".
    std::string token() const;
    bool is_variant() const noexcept { return !variant.empty(); }
    bool operator==(ModelId const&) const = default;
    std::strong_ordering operator<=>(ModelId const&) const = default;
};

/// The token of a model or variant: the one name it has everywhere.
inline std::string token(ModelId const& model) { return model.token(); }

/// "<model>" or "<model>/<variant>" with a known model and a variant name
/// of lower-case letters, digits and dashes; whether that variant exists is
/// the registry's to say.
std::optional<ModelId> parse_model_id(std::string_view token) noexcept;

}  // namespace conclab
