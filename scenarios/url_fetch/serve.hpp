// `conclab serve`, the url-fetch target server as a command: its flags,
// declared once in one table for the command line and for the runner's
// fixture, which starts this same command (fixture.cpp).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace conclab::url_fetch {

/// The flags as given (checked by serve_command).
struct ServeFlags {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    std::string threads;  ///< empty: the hardware concurrency
    std::string size = "1024";
    std::string delay_us;
    std::string delay_dist;
    std::string delay_mean_us;
    std::string delay_seed = "0";
    std::string max_connections = "10000";
    std::string fail_every = "0";
    std::string stall_every = "0";
    std::string truncate_every = "0";
    std::string corrupt_every = "0";
    std::string fail_rate = "0";
    std::string stall_rate = "0";
    std::string reset_rate = "0";
    std::string fault_seed = "0";
    std::string slow_body_us = "0";
    bool quiet = false;
    bool exit_with_parent = false;  ///< started by the runner: stop when it dies
};

/// Registers every flag on `command`.
void add_serve_flags(CLI::App* command, ServeFlags& flags);

/// `executable serve` with every flag of `flags` that differs from its
/// default: what the fixture starts.
std::vector<std::string> serve_command_line(std::string const& executable, ServeFlags const& flags);

/// Checks the flags (UsageError, exit 2), serves until SIGINT or SIGTERM.
/// The first line on stdout names the address ("listening on http://...").
int serve_command(ServeFlags const& flags);

}  // namespace conclab::url_fetch
