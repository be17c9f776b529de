// Counts the process's C++ heap allocations: conclab replaces the global
// operator new/delete with ones that count into per-thread counters
// (relaxed atomics, one writer each; a thread's counts move to a global
// total when it exits) and then call malloc/free. Memory that comes from
// malloc directly (Boost.Fiber's stacks, C libraries) is not counted; it
// shows in the RSS figures. Sanitizer builds keep the sanitizer's own
// operator new, and have no counts.
#pragma once

#include <cstdint>
#include <optional>

namespace conclab {

struct HeapCounts {
    std::uint64_t allocations = 0;  ///< operator new calls (all forms)
    std::uint64_t bytes = 0;        ///< bytes asked for by them
};

/// Counts since the process started, over all threads; nullopt when the
/// counting operator new is not in this build.
std::optional<HeapCounts> heap_counts() noexcept;

}  // namespace conclab
