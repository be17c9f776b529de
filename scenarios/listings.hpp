// Each scenario's model files as text, compiled into the binary
// (scenarios/embed_listings.py), for `conclab show` and the workshop's
// listings: what is shown is always the code that was built.
#pragma once

#include <span>
#include <string_view>

namespace conclab {

struct Listing {
    std::string_view scenario;  ///< "worker-pool"
    std::string_view model;     ///< "fibers", "coroutines", "tbb", "threads"
    std::string_view path;      ///< "scenarios/worker_pool/fibers.cpp"
    std::string_view text;
};

/// Every scenario's model files, scenario by scenario in the order of
/// scenarios/meson.build, the four models in their order within each.
std::span<Listing const> listings();

}  // namespace conclab
