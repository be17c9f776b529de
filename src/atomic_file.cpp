#include "src/atomic_file.hpp"

#include "src/params.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace conclab {

void check_writable(std::string const& path, std::string const& flag) {
    namespace fs = std::filesystem;
    fs::path const target{path};
    if (path.empty()) throw UsageError{flag + " expects a file name"};
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw UsageError{flag + " " + path + " is a directory; expected a file name"};
    auto const dir = target.has_parent_path() ? target.parent_path() : fs::path{"."};
    if (!fs::is_directory(dir, ec)) throw UsageError{flag + " " + path + ": directory " + dir.string() + " does not exist"};
    if (access(dir.c_str(), W_OK) != 0) throw UsageError{flag + " " + path + ": directory " + dir.string() + " is not writable"};
}

void write_file_atomically(std::string const& path, std::string const& content) {
    std::string const temporary = path + ".partial";
    {
        std::ofstream out{temporary, std::ios::binary | std::ios::trunc};
        out << content;
        out.flush();
        if (!out) {
            std::remove(temporary.c_str());
            throw std::runtime_error{"cannot write " + temporary + ": " + std::strerror(errno)};
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        auto const reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw std::runtime_error{"cannot rename " + temporary + " to " + path + ": " + reason};
    }
}

}  // namespace conclab
