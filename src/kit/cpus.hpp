// CPU lists ("0-7", "0,2,4-6", as taskset and cpuset take them) and
// pinning: `--cpus LIST` runs a case's process (ours or a peer's) on those
// CPUs only, so a big server can measure 8 threads on 8 cores without the
// kernel spreading them; url-fetch's embedded server then runs on the
// other CPUs. The CPUs this process may use are read from the platform
// (sched_getaffinity), never assumed.
#pragma once

#include <sched.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

/// A kernel CPU mask (cpu_set_t, sized for the CPUs given) made from a
/// list, for sched_setaffinity: made before a fork, since nothing may
/// allocate between fork and exec. Empty (data() null) for an empty list.
class CpuSet {
public:
    explicit CpuSet(std::vector<unsigned> const& cpus);
    ~CpuSet();
    CpuSet(CpuSet const&) = delete;
    CpuSet& operator=(CpuSet const&) = delete;
    cpu_set_t const* data() const noexcept { return set_; }
    std::size_t size() const noexcept { return size_; }

private:
    cpu_set_t* set_ = nullptr;
    std::size_t size_ = 0;
};

/// The CPUs this process may run on, in order (its affinity mask).
std::vector<unsigned> usable_cpus();

/// "0-3,8,10-11" -> {0, 1, 2, 3, 8, 10, 11}; UsageError naming `flag` for
/// anything else (an empty list, a CPU twice, a range backwards, a number
/// past 4095).
std::vector<unsigned> parse_cpu_list(std::string_view text, std::string const& flag = "--cpus");

/// {0, 1, 2, 3, 8} -> "0-3,8".
std::string format_cpu_list(std::vector<unsigned> const& cpus);

/// `text` parsed and checked against `usable` (injected in tests): a CPU
/// this process may not use is refused, with the ones it may (UsageError).
std::vector<unsigned> cpus_for_cases(std::string_view text, std::vector<unsigned> const& usable = usable_cpus());

/// `usable` less `pinned`: where the rest of the runner's work goes (the
/// embedded server). Empty when the cases have every usable CPU.
std::vector<unsigned> other_cpus(std::vector<unsigned> const& pinned, std::vector<unsigned> const& usable = usable_cpus());

/// The CPUs process `pid` may run on, as the kernel lists them
/// (/proc/PID/status, Cpus_allowed_list: "0-3,8"); empty when unreadable.
std::string cpus_of_process(int pid);

/// Sets the calling thread's affinity to `cpus` (nothing when empty);
/// false when the kernel refuses. For the runner's own threads.
bool pin_this_thread(std::vector<unsigned> const& cpus);

}  // namespace conclab
