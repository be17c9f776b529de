#include "src/kit/process.hpp"

#include "src/kit/cpus.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace conclab {
namespace {

// argv[0] as execvp would find it, looked up here: between fork and exec the
// child calls only what is safe there (no allocation, no PATH walk).
std::string find_program(std::string const& name) {
    if (name.find('/') != std::string::npos) return name;
    char const* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        auto const colon = dirs.find(':');
        std::string dir{dirs.substr(0, colon)};
        auto const candidate = (dir.empty() ? std::string{"."} : dir) + "/" + name;
        struct stat st{};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) break;
        dirs.remove_prefix(colon + 1);
    }
    return {};
}

// In the child, between fork and exec: async-signal-safe calls only. Writes
// errno to `report` when it cannot go on.
[[noreturn]] void become(char const* program, char* const* args, pid_t parent, Output output, int out_write, int report,
                         cpu_set_t const* cpus, std::size_t cpus_size) {
    // die with the runner, even when it is SIGKILLed: a case left behind would burn CPU under the next one
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the runner died before the line above
    // what the runner ignores or blocks is not the child's business
    struct sigaction plain{};
    plain.sa_handler = SIG_DFL;
    sigemptyset(&plain.sa_mask);
    for (int const signal : {SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(signal, &plain, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    bool ok = true;
    // pinned before exec: every thread the program starts inherits it (Go's and Tokio's start at once)
    if (cpus != nullptr) ok = ::sched_setaffinity(0, cpus_size, cpus) == 0;
    if (ok && output == Output::pipe) ok = ::dup2(out_write, STDOUT_FILENO) >= 0;
    if (ok && output == Output::discard) {
        int const null = ::open("/dev/null", O_WRONLY);
        ok = null >= 0 && ::dup2(null, STDOUT_FILENO) >= 0 && ::dup2(null, STDERR_FILENO) >= 0;
    }
    if (ok) ::execve(program, args, environ);
    int const error = errno;
    while (::write(report, &error, sizeof error) < 0 && errno == EINTR) {
    }
    ::_exit(127);
}

}  // namespace

Spawned spawn_process(std::vector<std::string> argv, Output output, std::vector<unsigned> const& cpus) {
    if (argv.empty()) throw std::invalid_argument{"spawn_process: no program"};
    auto const program = find_program(argv[0]);
    if (program.empty()) throw std::runtime_error{"cannot start " + argv[0] + ": not found on PATH"};
    CpuSet const set{cpus};  // made here, before any descriptor: between fork and exec nothing may allocate
    int out[2] = {-1, -1};
    if (output == Output::pipe && ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error{std::string{"pipe: "} + std::strerror(errno)};
    int report[2] = {-1, -1};  // the child's errno if exec fails; closed by a successful exec
    if (::pipe2(report, O_CLOEXEC) != 0) {
        auto const reason = std::strerror(errno);
        if (output == Output::pipe) ::close(out[0]), ::close(out[1]);
        throw std::runtime_error{std::string{"pipe: "} + reason};
    }
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    pid_t const parent = ::getpid();
    pid_t const pid = ::fork();
    if (pid == 0) become(program.c_str(), args.data(), parent, output, out[1], report[1], set.data(), set.size());
    int const fork_error = errno;
    ::close(report[1]);
    if (output == Output::pipe) ::close(out[1]);
    int exec_error = 0;
    if (pid > 0) {
        ssize_t n = 0;
        while ((n = ::read(report[0], &exec_error, sizeof exec_error)) < 0 && errno == EINTR) {
        }
        if (n != static_cast<ssize_t>(sizeof exec_error)) exec_error = 0;  // EOF: exec closed the pipe, the program runs
    }
    ::close(report[0]);
    if (pid < 0 || exec_error != 0) {
        if (pid > 0) wait_exit_code(pid);
        if (output == Output::pipe) ::close(out[0]);
        throw std::runtime_error{"cannot start " + argv[0] + ": " + std::strerror(pid < 0 ? fork_error : exec_error)};
    }
    return {pid, out[0]};
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string self_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

}  // namespace conclab
