#include "src/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace conclab {
namespace {

std::atomic<bool> flag{false};

extern "C" void on_signal(int signal) {
    if (flag.exchange(true)) {
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
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() noexcept { return flag.load(std::memory_order_relaxed); }

}  // namespace conclab
