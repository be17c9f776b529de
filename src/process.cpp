#include "src/process.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace conclab {

Spawned spawn_process(std::vector<std::string> argv, Output output) {
    if (argv.empty()) throw std::invalid_argument{"spawn_process: no program"};
    int out[2] = {-1, -1};
    if (output == Output::pipe && pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error{std::string{"pipe: "} + std::strerror(errno)};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (output == Output::pipe) posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    if (output == Output::discard) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    Spawned spawned;
    int const error = posix_spawnp(&spawned.pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (output == Output::pipe) ::close(out[1]);
    if (error != 0) {
        if (output == Output::pipe) ::close(out[0]);
        throw std::runtime_error{"cannot start " + argv[0] + ": " + std::strerror(error)};
    }
    spawned.output = out[0];
    return spawned;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace conclab
