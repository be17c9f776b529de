#include "src/output_file.hpp"

#include "src/machine.hpp"
#include "src/params.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace conclab {
namespace {

namespace fs = std::filesystem;

struct Followed {
    std::string path;
    bool through_proc = false;  ///< a link into /proc or /dev/fd: what it names is not a path to rename over
};

// Follows `path`'s symlinks one at a time, as the kernel would.
Followed follow_links(std::string path, std::string const& flag) {
    for (int hop = 0; hop < 40; ++hop) {
        if (path.starts_with("/proc/") || path.starts_with("/dev/fd/")) return {path, true};
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return {path, false};
        char target[PATH_MAX];
        auto const length = ::readlink(path.c_str(), target, sizeof target - 1);
        if (length < 0) return {path, false};
        std::string next{target, static_cast<std::size_t>(length)};
        if (next.empty() || next.front() != '/') next = (fs::path{path}.parent_path() / next).string();  // relative to the link
        path = std::move(next);
    }
    throw UsageError{flag + " " + path + ": too many levels of symbolic links"};
}

bool same_file(struct stat const& a, struct stat const& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

void write_all(int fd, std::string const& content, std::string const& where) {
    std::size_t done = 0;
    while (done < content.size()) {
        auto const n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error{"cannot write " + where + ": " + std::strerror(n < 0 ? errno : EIO)};
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

OutputTarget resolve_output(std::string const& path, std::string const& flag) {
    using Kind = OutputTarget::Kind;
    if (path.empty()) throw UsageError{flag + " expects a file name, or - for standard output; got an empty value"};
    if (path == "-") return {Kind::standard_output, path, {}};
    struct stat st{};
    bool const exists = ::stat(path.c_str(), &st) == 0;
    struct stat out{};
    if (exists && ::fstat(STDOUT_FILENO, &out) == 0 && same_file(st, out)) return {Kind::standard_output, path, {}};
    if (exists && S_ISDIR(st.st_mode)) throw UsageError{flag + " " + path + " is a directory; expected a file name"};
    auto const followed = follow_links(path, flag);
    if ((exists && !S_ISREG(st.st_mode)) || followed.through_proc) {
        if (!exists) throw UsageError{flag + " " + path + " leads to " + followed.path + ", which does not exist"};
        if (::access(path.c_str(), W_OK) != 0) throw UsageError{flag + " " + path + " is not writable"};
        return {Kind::stream, path, {}};
    }
    fs::path const real{followed.path};
    auto const dir = real.has_parent_path() ? real.parent_path() : fs::path{"."};
    std::error_code ec;
    auto const via = followed.path == path ? std::string{} : " (the target of its symbolic link)";
    if (!fs::is_directory(dir, ec)) throw UsageError{flag + " " + path + ": directory " + dir.string() + via + " does not exist"};
    if (::access(dir.c_str(), W_OK) != 0) throw UsageError{flag + " " + path + ": directory " + dir.string() + via + " is not writable"};
    if (exists && ::access(real.c_str(), W_OK) != 0) throw UsageError{flag + " " + path + " is not writable"};
    return {Kind::file, path, real.string()};
}

void check_writable(std::string const& path, std::string const& flag) {
    auto const target = resolve_output(path, flag);
    if (target.kind != OutputTarget::Kind::file) return;
    // access() lets root "write" where no file can be made (sysfs, a read-only bind mount seen through a
    // writable parent...): a file is made and removed in the directory, so a run cannot end unable to write
    fs::path const real{target.real};
    auto const dir = real.has_parent_path() ? real.parent_path() : fs::path{"."};
    auto const probe = (dir / ("." + real.filename().string() + ".conclab-check-" + std::to_string(::getpid()))).string();
    int const fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw UsageError{flag + " " + path + ": cannot create a file in " + dir.string() + " (" + std::strerror(errno) + ")"};
    ::close(fd);
    ::unlink(probe.c_str());
}

std::string keep_elsewhere(std::string const& content, std::string const& stem, std::string const& extension) {
    char const* tmpdir = std::getenv("TMPDIR");
    fs::path const dir = tmpdir != nullptr && *tmpdir != '\0' ? fs::path{tmpdir} : fs::path{"/tmp"};
    auto const path = (dir / (stem + "-" + utc_now() + "-" + std::to_string(::getpid()) + extension)).string();
    write_output(path, content);
    return path;
}

bool is_standard_output(std::string const& path) {
    try {
        return resolve_output(path, "").kind == OutputTarget::Kind::standard_output;
    } catch (UsageError const&) {
        return false;
    }
}

void write_output(std::string const& path, std::string const& content) {
    OutputTarget target;
    try {
        target = resolve_output(path, "output");
    } catch (UsageError const& e) {
        throw std::runtime_error{e.what()};
    }
    switch (target.kind) {
    case OutputTarget::Kind::standard_output:
        std::fflush(stdout);
        write_all(STDOUT_FILENO, content, "standard output");
        return;
    case OutputTarget::Kind::stream: {
        // Through, never replaced: a device or FIFO is written as it is; a
        // regular file behind a /proc link (a redirected stderr) is appended to.
        int const fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error{"cannot open " + path + ": " + std::strerror(errno)};
        try {
            write_all(fd, content, path);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
        return;
    }
    case OutputTarget::Kind::file:
        break;
    }
    // Beside the real target, so the rename stays within one file system and
    // the symlinks that lead to it stay links.
    std::string const temporary = target.real + ".partial";
    int const fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw std::runtime_error{"cannot write " + temporary + ": " + std::strerror(errno)};
    try {
        write_all(fd, content, temporary);
        if (::fdatasync(fd) != 0) throw std::runtime_error{"cannot write " + temporary + ": " + std::strerror(errno)};
    } catch (...) {
        ::close(fd);
        std::remove(temporary.c_str());
        throw;
    }
    ::close(fd);
    if (std::rename(temporary.c_str(), target.real.c_str()) != 0) {
        auto const reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw std::runtime_error{"cannot rename " + temporary + " to " + target.real + ": " + reason};
    }
}

int open_for_append(OutputTarget const& target, std::string const& flag) {
    if (target.kind == OutputTarget::Kind::standard_output) return STDOUT_FILENO;
    int const fd = target.kind == OutputTarget::Kind::stream
                       ? ::open(target.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)
                       : ::open(target.real.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw UsageError{flag + " " + target.path + ": cannot be written (" + std::strerror(errno) + ")"};
    return fd;
}

}  // namespace conclab
