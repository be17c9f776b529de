#include "src/runner/child.hpp"

#include "src/kit/process.hpp"
#include "src/runner/case_json.hpp"
#include "src/runner/interrupt.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conclab {

std::string_view to_string(CaseOutcome::Status status) noexcept {
    switch (status) {
        case CaseOutcome::Status::ok: return "ok";
        case CaseOutcome::Status::wrong_answer: return "wrong_answer";
        case CaseOutcome::Status::error: return "error";
        case CaseOutcome::Status::crashed: return "crashed";
        case CaseOutcome::Status::timeout: return "timeout";
        case CaseOutcome::Status::interrupted: return "interrupted";
    }
    return "error";
}

ChildReply run_child(std::vector<std::string> const& argv, std::chrono::seconds timeout, std::vector<unsigned> const& cpus) {
    ChildReply result;
    CaseOutcome& outcome = result.failure;
    Spawned child;
    try {
        child = spawn_process(argv, Output::pipe, cpus);
    } catch (std::exception const& e) {
        outcome.message = e.what();
        return result;
    }
    pid_t const pid = child.pid;
    // the child's exit as a descriptor to poll (Linux 5.3); without it, a short sleep between checks
    int const pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));

    std::string output;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    bool stopped = false;
    bool too_large = false;
    bool eof = false;
    int status = 0;
    rusage usage{};
    bool reaped = false;
    for (;;) {
        if (interrupted()) {
            stopped = true;
            break;
        }
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        auto const wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 100));
        if (eof) {
            // its output closed, the child may still run: the deadline and Ctrl-C hold until it has exited
            pid_t const done = wait4(pid, &status, WNOHANG, &usage);
            if (done == pid) {
                reaped = true;
                break;
            }
            if (done < 0 && errno != EINTR) break;
            pollfd fd{pidfd, POLLIN, 0};
            if (pidfd >= 0) {
                poll(&fd, 1, wait_ms);
            } else {
                usleep(static_cast<useconds_t>(std::min(wait_ms, 5)) * 1000);
            }
            continue;
        }
        pollfd fd{child.output, POLLIN, 0};
        int const ready = poll(&fd, 1, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        char buffer[4096];
        ssize_t const n = read(child.output, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            eof = true;
            continue;
        }
        if (output.size() + static_cast<std::size_t>(n) > max_case_output) {
            too_large = true;  // a flood would take the runner's memory, and every finished run with it
            break;
        }
        output.append(buffer, static_cast<std::size_t>(n));
    }
    close(child.output);
    if (pidfd >= 0) close(pidfd);
    if (!reaped) {
        if (timed_out || stopped || too_large || !eof) kill(pid, SIGKILL);
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
    }
    result.peak_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;  // whole life, as the kernel counted it

    if (too_large) {
        outcome.message = "output too large: the case process wrote more than " + std::to_string(max_case_output >> 20) +
                          " MiB to standard output; it was killed";
        return result;
    }
    if (stopped) {
        outcome.status = CaseOutcome::Status::interrupted;
        outcome.message = "interrupted: the case was stopped";
        return result;
    }
    if (timed_out) {
        outcome.status = CaseOutcome::Status::timeout;
        outcome.message = "no result after " + std::to_string(timeout.count()) + " s; the case was killed (see --case-timeout)";
        return result;
    }
    if (WIFSIGNALED(status)) {
        outcome.status = CaseOutcome::Status::crashed;
        outcome.message = std::string{"the case process died of signal "} + strsignal(WTERMSIG(status));
        return result;
    }
    auto const line_start = output.rfind('\n', output.size() >= 2 ? output.size() - 2 : 0);
    auto const last_line = output.substr(line_start == std::string::npos ? 0 : line_start + 1);
    auto reply = parse_bounded(last_line);
    if (reply.is_discarded() || !reply.is_object() || !reply.contains("status")) {
        outcome.message = "the case process (exit code " + std::to_string(WEXITSTATUS(status)) + ") wrote no result";
        return result;
    }
    result.reply = last_line;
    return result;
}

CaseOutcome run_in_child(std::string const& executable, CaseRequest const& request, std::chrono::seconds timeout) {
    auto const child = run_child({executable, "__case", request_to_json(request).dump()}, timeout, request.options.cpus);
    if (child.reply.empty()) return child.failure;
    try {
        return outcome_from_json(parse_bounded(child.reply));
    } catch (nlohmann::json::exception const& e) {
        CaseOutcome outcome;
        outcome.message = std::string{"the case process wrote a malformed result: "} + e.what();
        return outcome;
    }
}

}  // namespace conclab
