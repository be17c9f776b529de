// Ctrl-C (SIGINT) and SIGTERM in the runner: the first one sets a flag that
// the case loop and the wait for a child watch, so the case in flight is
// stopped (its process killed), every finished result is kept in valid
// files, and conclab exits 130. A second signal ends the process at once.
#pragma once

namespace conclab {

/// Installs the handlers (once, in the runner's process).
void install_interrupt_handlers();

/// True once SIGINT or SIGTERM arrived.
bool interrupted() noexcept;

/// The exit code after an interruption: 128 + SIGINT.
inline constexpr int exit_interrupted = 130;

}  // namespace conclab
