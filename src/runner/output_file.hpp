// Output files that never damage anything: `-` is standard output; a
// character device, a FIFO or a link into /proc (/dev/stdout) is written
// through, as it is; a regular file, reached directly or through symlinks,
// is written to a new temporary name beside its real target (O_EXCL, so
// nothing planted there is followed) and renamed over it, so it appears
// whole or not at all and the symlinks stay. Nothing but a regular file is
// ever replaced; a symlink another user planted in a shared directory is not
// followed; no new name is made under /dev.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace conclab {

/// Where an output path leads.
struct OutputTarget {
    enum class Kind {
        standard_output,  ///< "-", or a path that is this process's standard output
        stream,           ///< a device, FIFO, socket or /proc link: opened and written as it is
        file,             ///< a regular file or a new one: written whole through a temporary file
    };
    Kind kind = Kind::file;
    std::string path;  ///< as given
    std::string real;  ///< file: the path of the real target, symlinks resolved (it may not exist yet)
};

/// Resolves `path` and checks it can be written (missing directory, a
/// directory of that name, no permission); throws UsageError naming `flag`,
/// before any case runs.
OutputTarget resolve_output(std::string const& path, std::string const& flag);

/// resolve_output, for its check alone, and for a file: that one can be
/// created in its directory (made and removed; root passes access() where
/// nothing can be created, in /sys for one). Throws UsageError.
void check_writable(std::string const& path, std::string const& flag);

/// Writes `content` to a new file in $TMPDIR (or /tmp), named
/// STEM-<UTC time>-<pid>EXTENSION, and returns its path: where results go
/// when their own file cannot be written after all. Throws
/// std::runtime_error if that fails too.
std::string keep_elsewhere(std::string const& content, std::string const& stem, std::string const& extension);

/// True for "-" and for paths that lead to this process's standard output.
bool is_standard_output(std::string const& path);

/// Writes `content` to `path` as resolve_output describes; throws
/// std::runtime_error if it cannot (no partial file is left looking whole).
void write_output(std::string const& path, std::string const& content);

/// Writes all of `content` to `fd` (EINTR retried); throws
/// std::runtime_error naming `where` when it cannot.
void write_all(int fd, std::string const& content, std::string const& where);

/// A new file beside `real` (same directory, so a rename stays on one file
/// system), named `.NAME.partial-XXXXXX` with O_EXCL (mkostemp: no name
/// that exists, a planted link among them, is opened), opened with `flags`
/// and `mode` less the umask; its path goes to `temporary`. Throws
/// std::runtime_error.
int create_temporary_beside(std::string const& real, std::string& temporary, int flags, mode_t mode);

/// Refuses (UsageError) two outputs that name one file, directly or through
/// symbolic or hard links: (flag, path) pairs; empty paths are left out.
void check_distinct(std::vector<std::pair<std::string, std::string>> const& outputs);

/// Opens the regular file at `real` (a resolved path) with `flags`, never
/// through a symbolic link (O_NOFOLLOW); throws UsageError naming `what`.
int open_regular_file(std::string const& real, int flags, std::string const& what);

/// Takes an exclusive lock (flock) on the open file `fd`, held until the
/// descriptor is closed or the process ends, however it ends. When another
/// process holds it, throws UsageError at once naming `path` and the
/// holder's pid (from /proc/locks).
void lock_or_refuse(int fd, std::string const& path);

/// An open descriptor to append to a stream or file target (sweep files);
/// standard output is fd 1 and not closed by the caller. Throws UsageError.
int open_for_append(OutputTarget const& target, std::string const& flag);

}  // namespace conclab
