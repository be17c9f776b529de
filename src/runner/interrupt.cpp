#include "src/runner/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace conclab {
namespace {

std::atomic<int> received{0};

constexpr int termination_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU};

extern "C" void on_signal(int signal) {
    int expected = 0;
    if (!received.compare_exchange_strong(expected, signal)) {
        // the second one: the user means it
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action{};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocking wait returns EINTR and looks at the flag.
    // SA_ONSTACK: on a thread with an alternate signal stack (a fiber
    // scheduler's) the frame goes there, never onto a small fiber stack.
    action.sa_flags = SA_ONSTACK;
    for (int const signal : termination_signals) sigaction(signal, &action, nullptr);
    // `conclab run ... | head -1`: the table's write fails with EPIPE; the JSON file is still written
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
}

bool interrupted() noexcept { return received.load(std::memory_order_relaxed) != 0; }

int exit_interrupted() noexcept {
    int const signal = received.load(std::memory_order_relaxed);
    return 128 + (signal != 0 ? signal : SIGINT);
}

}  // namespace conclab
