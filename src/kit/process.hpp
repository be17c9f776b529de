// The one place conclab starts processes (fork and exec): case children, the
// embedded target server, the report's Python.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace conclab {

struct Spawned {
    pid_t pid = -1;
    int output = -1;  ///< the read end of the child's standard output, for Output::pipe; the caller closes it
};

enum class Output {
    inherit,  ///< the child writes to our stdout and stderr
    pipe,     ///< its stdout comes to us through Spawned::output; stderr is ours
    discard,  ///< its stdout and stderr go to /dev/null
};

/// Starts argv[0] with `argv` (searched on PATH when it has no slash). The
/// child dies with the thread that started it (PR_SET_PDEATHSIG, SIGKILL):
/// a runner killed even with SIGKILL leaves no case process behind. Start
/// children from the thread that waits for them (the main thread).
/// With `cpus`, the child runs on those CPUs only (set between fork and
/// exec, so every thread it starts inherits them; src/kit/cpus.hpp).
/// Throws std::runtime_error naming the program and why it could not start.
Spawned spawn_process(std::vector<std::string> argv, Output output, std::vector<unsigned> const& cpus = {});

/// Waits for `pid` to end (EINTR retried); its exit code, or -1 when it
/// died of a signal or could not be waited for.
int wait_exit_code(pid_t pid);

/// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace conclab
