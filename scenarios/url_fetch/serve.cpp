#include "scenarios/url_fetch/serve.hpp"

#include "scenarios/limits.hpp"
#include "scenarios/url_fetch/server.hpp"
#include "scenarios/url_fetch/target.hpp"
#include "src/kit/machine.hpp"
#include "src/kit/params.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <sys/prctl.h>
#include <unistd.h>

namespace conclab::url_fetch {
namespace {

struct TextFlag {
    char const* name;
    std::string ServeFlags::*field;
    char const* help;
    char const* type;  ///< what --help shows the value as
};

// The one list of serve's flags with a value.
TextFlag const text_flags[] = {
    {"--host", &ServeFlags::host, "address to listen on (default 127.0.0.1: loopback only)", "ADDRESS"},
    {"--port", &ServeFlags::port, "port (default 8080; 0 = any free port, printed on the first line)", "PORT"},
    {"--threads", &ServeFlags::threads, "server threads (default: hardware concurrency)", "INT"},
    {"--size", &ServeFlags::size, "body size in bytes when a request names none (default 1024)", "INT"},
    {"--delay-us", &ServeFlags::delay_us, "fixed delay per item in microseconds (default 0)", "INT"},
    {"--delay-dist", &ServeFlags::delay_dist, "delay distribution: fixed, uniform, exp, lognormal", "{fixed,uniform,exp,lognormal}"},
    {"--delay-mean-us", &ServeFlags::delay_mean_us, "mean delay for --delay-dist, microseconds", "INT"},
    {"--delay-seed", &ServeFlags::delay_seed, "seed of the per-item delays (default 0)", "INT"},
    {"--max-connections", &ServeFlags::max_connections, "connections open at once (default 10000)", "INT"},
    {"--fail-every", &ServeFlags::fail_every, "fault on purpose: answer 500 to items i with (i+1) % K == 0", "INT"},
    {"--stall-every", &ServeFlags::stall_every,
     "fault on purpose: no answer to items i with (i+1) % K == 0 (the connection is dropped after 30 s)", "INT"},
    {"--truncate-every", &ServeFlags::truncate_every, "fault on purpose: send half the body of items i with (i+1) % K == 0, then close", "INT"},
    {"--corrupt-every", &ServeFlags::corrupt_every, "fault on purpose: flip the first body byte of items i with (i+1) % K == 0", "INT"},
    {"--fail-rate", &ServeFlags::fail_rate, "fault on purpose: answer 500 to each item with this probability", "P"},
    {"--stall-rate", &ServeFlags::stall_rate, "fault on purpose: no answer to each item with this probability", "P"},
    {"--reset-rate", &ServeFlags::reset_rate, "fault on purpose: reset the connection (RST) with this probability", "P"},
    {"--fault-seed", &ServeFlags::fault_seed, "seed of the per-item draws of the *-rate faults (default 0)", "INT"},
    {"--slow-body-us", &ServeFlags::slow_body_us, "send every body in 1 KiB pieces this many us apart", "INT"},
};

// A probability: a decimal from 0 to 1.
double parse_rate(std::string const& flag, std::string const& text) {
    char* end = nullptr;
    double const value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(value >= 0 && value <= 1)) {
        throw UsageError{flag + " expects a probability from 0 to 1 (e.g. 0.05), got '" + text + "'"};
    }
    return value;
}

ServerConfig config_of(ServeFlags const& flags) {
    ServerConfig config;
    config.host = flags.host;
    config.port = static_cast<std::uint16_t>(parse_number("--port", flags.port, 0, 65535));
    config.threads = flags.threads.empty() ? hardware_threads()
                                           : static_cast<unsigned>(parse_number("--threads", flags.threads, 1, 1024));
    config.size = parse_number("--size", flags.size, 0, max_item_size);
    config.max_connections = parse_number("--max-connections", flags.max_connections, 1, max_connections_limit);
    // a socket per connection: beyond the open-file limit accepts fail (and are retried with back-off)
    auto const files = limits::open_file_limit();
    if (auto const fit = limits::sockets_that_fit(files); config.max_connections > fit) {
        if (flags.max_connections != ServeFlags{}.max_connections || fit == 0) {
            throw UsageError{"--max-connections " + flags.max_connections + ": this process may open " + std::to_string(files) +
                             " files (ulimit -n), a socket per connection and " + std::to_string(limits::reserved_files) +
                             " for the server itself: at most " + std::to_string(fit) +
                             " fit; lower --max-connections or raise the limit"};
        }
        std::fprintf(stderr, "conclab serve: --max-connections lowered from its default %s to %llu: this process may open %llu files "
                             "(ulimit -n); raise the limit for more\n",
                     flags.max_connections.c_str(), static_cast<unsigned long long>(fit), static_cast<unsigned long long>(files));
        config.max_connections = fit;
    }
    if (!flags.delay_us.empty() && (!flags.delay_dist.empty() || !flags.delay_mean_us.empty())) {
        throw UsageError{"give either --delay-us D or --delay-dist with --delay-mean-us, not both"};
    }
    if (!flags.delay_us.empty()) {
        config.delay.mean_us = parse_number("--delay-us", flags.delay_us, 0, max_delay_us);
    } else if (!flags.delay_dist.empty()) {
        auto const distribution = parse_distribution(flags.delay_dist);
        if (!distribution) throw UsageError{"--delay-dist expects fixed, uniform, exp or lognormal, got '" + flags.delay_dist + "'"};
        if (flags.delay_mean_us.empty()) throw UsageError{"--delay-dist needs --delay-mean-us M"};
        config.delay.distribution = *distribution;
        config.delay.mean_us = parse_number("--delay-mean-us", flags.delay_mean_us, 0, max_delay_us);
    } else if (!flags.delay_mean_us.empty()) {
        throw UsageError{"--delay-mean-us goes with --delay-dist"};
    }
    config.delay.seed = parse_number("--delay-seed", flags.delay_seed, 0, UINT64_MAX);
    config.faults.fail_every = parse_number("--fail-every", flags.fail_every, 0, UINT64_MAX);
    config.faults.stall_every = parse_number("--stall-every", flags.stall_every, 0, UINT64_MAX);
    config.faults.truncate_every = parse_number("--truncate-every", flags.truncate_every, 0, UINT64_MAX);
    config.faults.corrupt_every = parse_number("--corrupt-every", flags.corrupt_every, 0, UINT64_MAX);
    config.faults.fail_rate = parse_rate("--fail-rate", flags.fail_rate);
    config.faults.stall_rate = parse_rate("--stall-rate", flags.stall_rate);
    config.faults.reset_rate = parse_rate("--reset-rate", flags.reset_rate);
    config.faults.seed = parse_number("--fault-seed", flags.fault_seed, 0, UINT64_MAX);
    config.faults.slow_body_us = parse_number("--slow-body-us", flags.slow_body_us, 0, 10'000'000);
    return config;
}

}  // namespace

void add_serve_flags(CLI::App* command, ServeFlags& flags) {
    for (auto const& flag : text_flags) command->add_option(flag.name, flags.*flag.field, flag.help)->type_name(flag.type);
    command->add_flag("--quiet", flags.quiet, "no counters on stderr at exit");
    command->add_flag("--exit-with-parent", flags.exit_with_parent, "stop when the parent process dies")->group("");
}

std::vector<std::string> serve_command_line(std::string const& executable, ServeFlags const& flags) {
    std::vector<std::string> args{executable, "serve"};
    ServeFlags const defaults;
    for (auto const& flag : text_flags) {
        if (flags.*flag.field != defaults.*flag.field) {
            args.emplace_back(flag.name);
            args.push_back(flags.*flag.field);
        }
    }
    if (flags.quiet) args.emplace_back("--quiet");
    if (flags.exit_with_parent) args.emplace_back("--exit-with-parent");
    return args;
}

int serve_command(ServeFlags const& flags) {
    auto const config = config_of(flags);
    if (flags.exit_with_parent) {
        // started by `conclab run`: do not outlive it, even if it is killed
        pid_t const parent = getppid();
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) return 0;
    }
    std::unique_ptr<Server> server;
    try {
        server = std::make_unique<Server>(config);
    } catch (std::invalid_argument const& e) {
        throw UsageError{e.what()};
    } catch (std::runtime_error const& e) {
        throw UsageError{e.what()};
    }
    server->start();
    // The first line names the address; the runner reads it to find a port chosen with --port 0. It is
    // printed once SIGINT and SIGTERM stop the server: a reader may interrupt it as soon as it has read it.
    server->serve_until_signal([&] {
        std::printf("conclab serve: listening on http://%s:%u (threads %u, size %llu, delay %s mean %llu us, seed %llu)\n",
                    config.host.c_str(), static_cast<unsigned>(server->port()), config.threads,
                    static_cast<unsigned long long>(config.size), std::string{to_string(config.delay.distribution)}.c_str(),
                    static_cast<unsigned long long>(config.delay.mean_us), static_cast<unsigned long long>(config.delay.seed));
        std::fflush(stdout);
    });
    auto const c = server->counters();
    if (!flags.quiet) {
        std::fprintf(stderr,
                     "conclab serve: stopped; %llu connections, %llu refused, %llu items served, %llu bad requests, %llu faults "
                     "on purpose, %llu failed accepts\n",
                     static_cast<unsigned long long>(c.connections_opened), static_cast<unsigned long long>(c.connections_refused),
                     static_cast<unsigned long long>(c.items_served), static_cast<unsigned long long>(c.bad_requests),
                     static_cast<unsigned long long>(c.faults), static_cast<unsigned long long>(c.accept_errors));
    }
    return 0;
}

}  // namespace conclab::url_fetch
