// Output files appear whole or not at all: written beside the target, then
// renamed over it, so an interrupted run never leaves a file that looks
// complete.
#pragma once

#include <string>

namespace conclab {

/// Fails with UsageError if `path` cannot be written (missing directory, a
/// directory of that name, no permission), before any case runs.
void check_writable(std::string const& path, std::string const& flag);

/// Writes `content` to `path` atomically; throws std::runtime_error.
void write_file_atomically(std::string const& path, std::string const& content);

}  // namespace conclab
