// How a model's runtime is built for a case: one type for every model, so
// one harness can build any of them (scenarios/harness.hpp).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace conclab::models {

struct RuntimeOptions {
    unsigned threads = 1;         ///< OS threads of the runtime (fibers, coroutines, tbb; threads ignores it)
    std::size_t stack_bytes = 0;  ///< fibers: each fiber's stack; 0: the runtime's default
    std::string design = {};      ///< a runtime design variant by name ("guard-pages"); empty: the model's default design
};

/// For runtimes without design variants: a name they do not know is a bug
/// in the registry, said at once.
inline void expect_default_design(RuntimeOptions const& options, char const* model) {
    if (!options.design.empty()) {
        throw std::invalid_argument{std::string{model} + " runtime has no design '" + options.design + "'"};
    }
}

}  // namespace conclab::models
