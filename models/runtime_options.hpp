// How a model's runtime is built for a case: one type for every model, so
// one harness can build any of them (scenarios/harness.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace conclab::models {

struct RuntimeOptions {
    unsigned threads = 1;         ///< OS threads of the runtime (fibers, coroutines, tbb; threads ignores it)
    std::size_t stack_bytes = 0;  ///< fibers: each fiber's stack; 0: the runtime's default
    std::string design = {};      ///< a runtime design variant by name ("guard-pages"); empty: the model's default design
};

/// A runtime design variant, declared once, beside the runtime that builds
/// it (each models/<model>/runtime.hpp has a `designs` table): the registry
/// offers it as "<model>/<token>" with `changes` as its description, and the
/// runtime reads RuntimeOptions::design against the same table.
template <class Design>
struct DesignVariant {
    Design design;
    std::string_view token;    ///< "shared-queue"
    std::string_view changes;  ///< what it changes, against the model's default design
};

/// The design `token` names in `designs`; Design::standard for "". A token
/// that is not there is a bug in the caller, said at once.
template <class Design, std::size_t N>
Design design_named(std::array<DesignVariant<Design>, N> const& designs, std::string_view token, char const* model) {
    if (token.empty()) return Design::standard;
    for (auto const& variant : designs) {
        if (variant.token == token) return variant.design;
    }
    throw std::invalid_argument{std::string{model} + " runtime has no design '" + std::string{token} + "'"};
}

/// For runtimes without design variants: a name they do not know is a bug
/// in the registry, said at once.
inline void expect_default_design(RuntimeOptions const& options, char const* model) {
    if (!options.design.empty()) {
        throw std::invalid_argument{std::string{model} + " runtime has no design '" + options.design + "'"};
    }
}

}  // namespace conclab::models
