// What every scenario refuses to start, so that a run measures the model
// and not the kernel's limits, swapping or an OOM kill.
#pragma once

#include <cstdint>

#include <unistd.h>

namespace conclab::limits {

/// The threads model starts one OS thread per task (worker, request in flight).
inline constexpr std::uint64_t max_os_threads = 10'000;

/// Every fiber gets Boost.Fiber's default stack.
inline constexpr std::uint64_t fiber_stack_bytes = 128 * 1024;

inline std::uint64_t physical_memory_bytes() {
    return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace conclab::limits
