// The termination signals in the runner (Ctrl-C's SIGINT, SIGTERM, a closed
// terminal's SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM, SIGVTALRM, SIGPROF,
// SIGXCPU): the first one sets a flag that the case loop and the wait for a
// child watch, so the case in flight is stopped (its process killed), every
// finished result is kept in valid files, and conclab exits 128 + the
// signal's number. A second signal ends the process at once. SIGPIPE and
// SIGXFSZ are ignored: a closed pipe or a file-size limit is an error of
// the write that met it, not the end of the results.
#pragma once

namespace conclab {

/// Installs the handlers (once, in the runner's process).
void install_interrupt_handlers();

/// True once one of the signals above arrived.
bool interrupted() noexcept;

/// The exit code after an interruption: 128 + the signal's number (130 for
/// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
int exit_interrupted() noexcept;

}  // namespace conclab
