#include "src/runner/output_file.hpp"

#include "src/kit/machine.hpp"
#include "src/kit/params.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace conclab {
namespace {

namespace fs = std::filesystem;

struct Followed {
    std::string path;
    bool through_proc = false;  ///< a link into /proc or /dev/fd: what it names is not a path to rename over
};

// A symbolic link another user planted in a shared directory (sticky and
// world-writable, as /tmp) is not followed: the kernel's protected_symlinks
// rule (a link there is followed only when its owner is the follower or the
// directory's owner), applied whatever the sysctl says.
void refuse_planted_link(std::string const& path, struct stat const& link, std::string const& flag) {
    auto const dir = fs::path{path}.has_parent_path() ? fs::path{path}.parent_path() : fs::path{"."};
    struct stat d{};
    if (::stat(dir.c_str(), &d) != 0) return;
    bool const shared = (d.st_mode & S_ISVTX) != 0 && (d.st_mode & S_IWOTH) != 0;
    if (!shared || link.st_uid == ::geteuid() || link.st_uid == d.st_uid) return;
    throw UsageError{flag + " " + path + " is a symbolic link owned by another user (uid " + std::to_string(link.st_uid) +
                     ") in the shared directory " + dir.string() + ": not followed; remove it or give another name"};
}

// Follows `path`'s symlinks one at a time, as the kernel would.
Followed follow_links(std::string path, std::string const& flag) {
    for (int hop = 0; hop < 40; ++hop) {
        if (path.starts_with("/proc/") || path.starts_with("/dev/fd/")) return {path, true};
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return {path, false};
        refuse_planted_link(path, st, flag);
        char target[PATH_MAX];
        auto const length = ::readlink(path.c_str(), target, sizeof target - 1);
        if (length < 0) return {path, false};
        std::string next{target, static_cast<std::size_t>(length)};
        if (next.empty() || next.front() != '/') next = (fs::path{path}.parent_path() / next).string();  // relative to the link
        path = std::move(next);
    }
    throw UsageError{flag + " " + path + ": too many levels of symbolic links"};
}

// The process's umask, read without changing it (umask() sets it, racing other threads' files).
mode_t current_umask() {
    if (std::FILE* status = std::fopen("/proc/self/status", "re"); status != nullptr) {
        char line[256];
        unsigned mask = 0;
        bool found = false;
        while (!found && std::fgets(line, sizeof line, status) != nullptr) found = std::sscanf(line, "Umask: %o", &mask) == 1;
        std::fclose(status);
        if (found) return static_cast<mode_t>(mask);
    }
    return 022;
}

bool same_file(struct stat const& a, struct stat const& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }


}  // namespace

void write_all(int fd, std::string const& content, std::string const& where) {
    std::size_t done = 0;
    while (done < content.size()) {
        auto const n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error{"cannot write " + where + ": " + std::strerror(n < 0 ? errno : EIO)};
        done += static_cast<std::size_t>(n);
    }
}

int create_temporary_beside(std::string const& real, std::string& temporary, int flags, mode_t mode) {
    fs::path const at{real};
    auto const dir = at.has_parent_path() ? at.parent_path() : fs::path{"."};
    temporary = (dir / ("." + at.filename().string() + ".partial-XXXXXX")).string();
    int const fd = ::mkostemp(temporary.data(), flags | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error{"cannot create a file in " + dir.string() + ": " + std::strerror(errno)};
    ::fchmod(fd, mode & ~current_umask());
    return fd;
}

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
        if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !(followed.through_proc && S_ISREG(st.st_mode))) {
            throw UsageError{flag + " " + path + " is " + (S_ISBLK(st.st_mode) ? "a block device" : "a socket or another special file") +
                             "; expected a file name, - for standard output, a character device (/dev/null) or a FIFO"};
        }
        if (::access(path.c_str(), W_OK) != 0) throw UsageError{flag + " " + path + " is not writable"};
        return {Kind::stream, path, {}};
    }
    fs::path const real{followed.path};
    auto const dir = real.has_parent_path() ? real.parent_path() : fs::path{"."};
    if (auto const d = dir.lexically_normal().string(); (d == "/dev" || d.starts_with("/dev/")) && !d.starts_with("/dev/shm")) {
        // devtmpfs takes new files from root: --json /dev/<no such device> made a regular file there
        throw UsageError{flag + " " + path + ": no such device; under /dev conclab writes only to character devices that exist"};
    }
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
    std::vector<fs::path> places{tmpdir != nullptr && *tmpdir != '\0' ? fs::path{tmpdir} : fs::path{"/tmp"}};
    std::error_code ec;
    if (auto const here = fs::current_path(ec); !ec && here != places.front()) places.push_back(here);
    std::string tried;
    for (auto const& dir : places) {
        // a new name that nobody can have planted: made with O_EXCL, never through a link
        auto name = (dir / (stem + "-" + utc_now() + "-" + std::to_string(::getpid()) + "-XXXXXX" + extension)).string();
        int const fd = ::mkostemps(name.data(), static_cast<int>(extension.size()), O_CLOEXEC);
        try {
            if (fd < 0) throw std::runtime_error{std::strerror(errno)};
            ::fchmod(fd, 0666 & ~current_umask());
            write_all(fd, content, name);
            if (::fdatasync(fd) != 0) throw std::runtime_error{std::strerror(errno)};
            ::close(fd);
            return name;
        } catch (std::runtime_error const& e) {
            if (fd >= 0) {
                ::close(fd);
                ::unlink(name.c_str());
            }
            tried += (tried.empty() ? "" : "; ") + dir.string() + ": " + e.what();
        }
    }
    throw std::runtime_error{"nor could they be kept elsewhere (" + tried + "); set TMPDIR to a writable directory"};
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
    // the symlinks that lead to it stay links. The temporary file is a new
    // name made with O_EXCL (a name planted there, a link to /etc/passwd, is
    // never opened), and only a regular file, or nothing, is replaced by it.
    std::string temporary;
    int const fd = create_temporary_beside(target.real, temporary, 0, 0666);
    try {
        write_all(fd, content, temporary);
        if (::fdatasync(fd) != 0) throw std::runtime_error{"cannot write " + temporary + ": " + std::strerror(errno)};
        struct stat now{};
        if (::lstat(target.real.c_str(), &now) == 0 && !S_ISREG(now.st_mode)) {
            throw std::runtime_error{target.real + " is no longer a regular file (" + (S_ISLNK(now.st_mode) ? "a symbolic link" : "not a file") +
                                     " now): not replaced"};
        }
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    ::close(fd);
    if (std::rename(temporary.c_str(), target.real.c_str()) != 0) {
        auto const reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw std::runtime_error{"cannot rename " + temporary + " to " + target.real + ": " + reason};
    }
}

void check_distinct(std::vector<std::pair<std::string, std::string>> const& outputs) {
    // the same file named twice (--json x --csv x, or through a link or a hard link): one would replace the other
    struct Seen {
        std::string flag;
        std::string path;
        std::string real;
        dev_t dev = 0;
        ino_t ino = 0;
        bool exists = false;
    };
    std::vector<Seen> seen;
    for (auto const& [flag, path] : outputs) {
        if (path.empty()) continue;
        auto const target = resolve_output(path, flag);
        if (target.kind != OutputTarget::Kind::file) continue;  // devices and FIFOs take every write; stdout is checked apart
        std::error_code ec;
        auto canonical = fs::weakly_canonical(target.real, ec);
        Seen s{flag, path, ec ? fs::path{target.real}.lexically_normal().string() : canonical.string()};
        struct stat st{};
        if (::stat(target.real.c_str(), &st) == 0) s = {flag, path, s.real, st.st_dev, st.st_ino, true};
        for (auto const& other : seen) {
            if (other.real == s.real || (other.exists && s.exists && other.dev == s.dev && other.ino == s.ino)) {
                throw UsageError{other.flag + " " + other.path + " and " + flag + " " + path +
                                 " name the same file; each output needs a file of its own"};
            }
        }
        seen.push_back(std::move(s));
    }
}

int open_regular_file(std::string const& real, int flags, std::string const& what) {
    // O_NOFOLLOW: the name resolved before must still be the file itself, not a link planted since
    int const fd = ::open(real.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        throw UsageError{what + " " + real + ": cannot be opened (" + (errno == ELOOP ? std::string{"it is a symbolic link now"}
                                                                                         : std::string{std::strerror(errno)}) + ")"};
    }
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw UsageError{what + " " + real + " is not a regular file"};
    }
    return fd;
}

namespace {

// The pid that holds a lock on the file (dev, ino), from /proc/locks; 0 when
// it cannot be told (a lock held on another node of a network file system).
pid_t lock_holder(struct stat const& file) {
    std::FILE* locks = std::fopen("/proc/locks", "re");
    if (locks == nullptr) return 0;
    char line[512];
    pid_t holder = 0;
    while (holder == 0 && std::fgets(line, sizeof line, locks) != nullptr) {
        if (std::strstr(line, "->") != nullptr) continue;  // a waiter, not a holder
        char kind[16], mode[16], access[16];
        long pid = 0;
        unsigned major_dev = 0, minor_dev = 0;
        unsigned long long ino = 0;
        if (std::sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu", kind, mode, access, &pid, &major_dev, &minor_dev, &ino) == 7 &&
            major_dev == major(file.st_dev) && minor_dev == minor(file.st_dev) && ino == file.st_ino && pid > 0) {
            holder = static_cast<pid_t>(pid);
        }
    }
    std::fclose(locks);
    return holder;
}

}  // namespace

void lock_or_refuse(int fd, std::string const& path) {
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) throw UsageError{path + ": cannot be locked (" + std::strerror(errno) + ")"};
        struct stat st{};
        pid_t const holder = ::fstat(fd, &st) == 0 ? lock_holder(st) : 0;
        throw UsageError{path + " is being written by another sweep (" +
                         (holder > 0 ? "pid " + std::to_string(holder) : std::string{"a process this machine cannot name: another node?"}) +
                         "); two writers would both run its missing cases. Wait for that one to end, or stop it, then --resume"};
    }
}

int open_for_append(OutputTarget const& target, std::string const& flag) {
    if (target.kind == OutputTarget::Kind::standard_output) return STDOUT_FILENO;
    int const fd = target.kind == OutputTarget::Kind::stream
                       ? ::open(target.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)
                       : ::open(target.real.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) throw UsageError{flag + " " + target.path + ": cannot be written (" + std::strerror(errno) + ")"};
    return fd;
}

}  // namespace conclab
