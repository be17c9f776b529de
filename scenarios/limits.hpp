// What every scenario refuses to start, so that a run measures the model
// and not the kernel's limits, swapping or an OOM kill.
#pragma once

#include "models/fibers/stack.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <sys/resource.h>
#include <unistd.h>

namespace conclab::limits {

/// The threads model starts one OS thread per task (worker, request in flight).
inline constexpr std::uint64_t max_os_threads = 10'000;

/// Every fiber gets the fibers runtime's default stack where the scenario
/// sets none (the runtime's own constant, not a copy).
inline constexpr std::uint64_t fiber_stack_bytes = models::fibers::default_stack_bytes;

inline std::uint64_t physical_memory_bytes() {
    return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

/// The files this process may open (RLIMIT_NOFILE; conclab's main raises
/// the soft limit to the hard one at start, as Go's runtime does).
inline std::uint64_t open_file_limit() {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return std::numeric_limits<std::uint64_t>::max();
    return files.rlim_cur;
}

/// Descriptors a process keeps beside one per connection: stdio, the
/// listener, epoll, eventfds and timers, the server's refusals at its limit.
inline constexpr std::uint64_t reserved_files = 128;

/// The sockets that fit under an open-file limit of `file_limit`.
inline constexpr std::uint64_t sockets_that_fit(std::uint64_t file_limit) noexcept {
    return file_limit > reserved_files ? file_limit - reserved_files : 0;
}

namespace detail {
inline std::string flag(std::string_view name) {
    std::string flag = "--" + std::string{name};
    for (char& c : flag) c = c == '_' ? '-' : c;
    return flag;
}
}  // namespace detail

/// Why `name`=`count` tasks are refused in the threads model (one OS thread
/// each), or "" when they fit.
inline std::string os_threads_refusal(std::string_view name, std::uint64_t count) {
    if (count <= max_os_threads) return {};
    return std::string{name} + "=" + std::to_string(count) + " would start that many OS threads in the threads model (at most " +
           std::to_string(max_os_threads) + "); lower " + detail::flag(name) + " or leave threads out of --models";
}

/// Why `name`=`count` fibers of `stack_bytes` each are refused (their
/// stacks alone would exceed `memory`, the machine's by default), or "".
inline std::string fiber_stacks_refusal(std::string_view name, std::uint64_t count, std::uint64_t stack_bytes,
                                        std::uint64_t memory = physical_memory_bytes()) {
    if (count * stack_bytes <= memory) return {};
    return std::string{name} + "=" + std::to_string(count) + " fibers need " + std::to_string((count * stack_bytes) >> 30) +
           " GiB of " + std::to_string(stack_bytes >> 10) + " KiB stacks, more than this machine's " + std::to_string(memory >> 30) +
           " GiB of memory; lower " + detail::flag(name) + " or leave fibers out of --models";
}

/// Why `count` tasks of `bytes_each` bytes, all alive at once, are refused
/// (more than `memory`, the machine's by default), or "". `what` says what
/// they are ("leaves=3000000 is a tree of 3333334 coroutines"); the message
/// says how many fit and which flag to lower.
inline std::string memory_refusal(std::string const& what, std::uint64_t count, std::uint64_t bytes_each, std::string_view flag_name,
                                  std::string_view model, std::uint64_t memory = physical_memory_bytes()) {
    if (bytes_each == 0 || count <= memory / bytes_each) return {};
    return what + " that need about " + std::to_string(count / ((std::uint64_t{1} << 30) / bytes_each)) + " GiB (about " +
           std::to_string(bytes_each) + " bytes each, all alive at once), more than this machine's " + std::to_string(memory >> 30) +
           " GiB of memory (" + std::to_string(memory / bytes_each) + " fit); lower " + detail::flag(flag_name) + " or leave " +
           std::string{model} + " out of --models";
}

/// Why `items` x `work` mix steps are refused (about 1 ns each on one core:
/// hours of CPU per run), or "".
inline std::string total_work_refusal(std::string_view items_name, std::uint64_t items, std::uint64_t work) {
    if (work == 0 || items <= 500'000'000'000ULL / work) return {};
    return std::string{items_name} + " x work = " + std::to_string(items) + " x " + std::to_string(work) +
           " is more than 5e11 mix steps (hours of CPU per run); lower " + detail::flag(items_name) + " or --work";
}

}  // namespace conclab::limits
