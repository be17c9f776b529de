#include "scenarios/url_fetch/fixture.hpp"

#include "scenarios/limits.hpp"
#include "scenarios/url_fetch/client.hpp"
#include "scenarios/url_fetch/serve.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "src/kit/cpus.hpp"
#include "src/kit/process.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conclab::url_fetch {
namespace {

constexpr auto start_timeout = std::chrono::seconds{10};
constexpr auto stop_timeout = std::chrono::seconds{5};
constexpr auto health_timeout = std::chrono::milliseconds{5000};

double seconds(timeval const& tv) noexcept { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6; }

// The first line a child writes on `fd`, within `timeout`; empty if none.
std::string first_line(int fd, std::chrono::seconds timeout) {
    std::string text;
    auto const deadline = Clock::now() + timeout;
    while (text.find('\n') == std::string::npos) {
        auto const left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return {};
        pollfd p{fd, POLLIN, 0};
        int const ready = ::poll(&p, 1, static_cast<int>(left));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return {};
        char buffer[512];
        ssize_t const n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return {};
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text.substr(0, text.find('\n'));
}

class EmbeddedServer final : public Fixture {
public:
    explicit EmbeddedServer(ParamValues const& values) : threads_{get(values, "server_threads")} {
        auto const executable = self_executable();
        // room for the run's connections and a few more (health checks), within what serve takes
        // (and within the open-file limit: validate made sure the run's own connections fit there)
        auto const connections = std::min({max_connections_limit, limits::sockets_that_fit(limits::open_file_limit()),
                                           std::max<std::uint64_t>(10'000, get(values, "concurrency") + 100)});
        ServeFlags flags;
        flags.port = "0";
        flags.threads = std::to_string(threads_);
        flags.size = std::to_string(get(values, "size"));
        flags.max_connections = std::to_string(connections);
        flags.quiet = true;
        flags.exit_with_parent = true;
        auto const args = serve_command_line(executable, flags);
        command_ = args;
        auto const server = spawn_process(args, Output::pipe);
        pid_ = server.pid;
        cpus_ = cpus_of_process(pid_);  // with --cpus, the CPUs the cases leave free (src/runner/case_loop.cpp)
        auto const line = first_line(server.output, start_timeout);
        ::close(server.output);  // it writes nothing more there
        constexpr std::string_view marker = "listening on ";
        auto const at = line.find(marker);
        if (at == std::string::npos) {
            stop();
            throw std::runtime_error{"the embedded server did not start within " + std::to_string(start_timeout.count()) +
                                     " s (its messages are above); try conclab serve --port 0 by hand"};
        }
        auto const url_start = at + marker.size();
        url_ = line.substr(url_start, line.find(' ', url_start) - url_start);
        auto const problem = health_problem(resolve_url(url_), health_timeout);
        if (!problem.empty()) {
            stop();
            throw std::runtime_error{"the embedded server at " + url_ + " does not answer: " + problem};
        }
    }

    ~EmbeddedServer() override { stop(); }

    ParamValues case_values() const override {
        return {{"target", url_}, {"server_pid", static_cast<std::uint64_t>(pid_)}};
    }

    void stop() override {
        if (pid_ <= 0 || stopped_) return;
        stopped_ = true;
        ::kill(pid_, SIGTERM);
        auto const deadline = Clock::now() + stop_timeout;
        int status = 0;
        rusage usage{};
        for (;;) {
            pid_t const done = ::wait4(pid_, &status, WNOHANG, &usage);
            if (done == pid_) break;
            if (done < 0 && errno != EINTR) return;
            if (Clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::wait4(pid_, &status, 0, &usage);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{5});
        }
        cpu_s_ = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    }

    nlohmann::json describe() const override {
        return {{"kind", "embedded"},   {"url", url_},         {"pid", pid_},
                {"threads", threads_},  {"command", command_}, {"cpu_s", cpu_s_ >= 0 ? nlohmann::json(cpu_s_) : nullptr},
                {"cpus", cpus_}};
    }

    std::string summary() const override {
        char cpu[32] = "?";
        if (cpu_s_ >= 0) std::snprintf(cpu, sizeof cpu, "%.2f", cpu_s_);
        return "target: embedded conclab serve at " + url_ + " (" + std::to_string(threads_) +
               " threads, on this machine: " +
               (cpus_.empty() || cpus_ == format_cpu_list(usable_cpus()) ? std::string{"it shares the cores"} : "CPUs " + cpus_ + ", beside the cases'") +
               "); its CPU over the whole run: " + cpu + " s";
    }

private:
    std::uint64_t threads_;
    std::vector<std::string> command_;
    pid_t pid_ = 0;
    bool stopped_ = false;
    std::string url_;
    std::string cpus_;
    double cpu_s_ = -1;
};

class ExternalTarget final : public Fixture {
public:
    explicit ExternalTarget(std::string url) : url_{std::move(url)} {
        Endpoint endpoint;
        try {
            endpoint = resolve_url(url_);
        } catch (std::invalid_argument const& e) {
            throw UsageError{e.what()};
        }
        if (auto const problem = health_problem(endpoint, health_timeout); !problem.empty()) {
            throw UsageError{"--target " + url_ + " is not usable: " + problem +
                             "; expected a server that speaks the contract (e.g. conclab serve --host 0.0.0.0 there)"};
        }
    }
    ParamValues case_values() const override { return {}; }
    void stop() override {}
    nlohmann::json describe() const override { return {{"kind", "external"}, {"url", url_}}; }
    std::string summary() const override {
        return "target: " + url_ + " (external: its CPU is not measured here; server s shows -)";
    }

private:
    std::string url_;
};

}  // namespace

std::unique_ptr<Fixture> setup_fixture(ParamValues const& values) {
    auto const& target = get_text(values, "target");
    if (target.empty()) return std::make_unique<EmbeddedServer>(values);
    return std::make_unique<ExternalTarget>(target);
}

}  // namespace conclab::url_fetch
