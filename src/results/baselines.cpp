#include "src/results/baselines.hpp"

#include "src/kit/params.hpp"
#include "src/kit/suggest.hpp"
#include "src/results/provenance.hpp"
#include "src/runner/output_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace conclab {
namespace {

namespace fs = std::filesystem;

std::string from_environment(char const* name) {
    char const* value = std::getenv(name);
    return value != nullptr ? std::string{value} : std::string{};
}

std::string read_whole(std::string const& path) {
    std::ifstream in{path, std::ios::binary};
    if (!in) throw UsageError{path + ": cannot be read"};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string baseline_directory() {
    if (auto const chosen = from_environment("CONCLAB_BASELINES"); !chosen.empty()) return chosen;
    if (auto const data = from_environment("XDG_DATA_HOME"); !data.empty()) return (fs::path{data} / "conclab" / "baselines").string();
    if (auto const home = from_environment("HOME"); !home.empty()) {
        return (fs::path{home} / ".local" / "share" / "conclab" / "baselines").string();
    }
    throw UsageError{"no directory for baselines: set CONCLAB_BASELINES (or XDG_DATA_HOME, or HOME)"};
}

void check_baseline_name(std::string const& name, std::string const& flag) {
    bool const allowed = !name.empty() && name.size() <= 64 && name.front() != '.' && name.front() != '-' &&
                         std::all_of(name.begin(), name.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                                    c == '_' || c == '-';
                         });
    if (!allowed) {
        throw UsageError{flag + " '" + name + "': a baseline's name is 1 to 64 letters, digits, '.', '_' or '-', not starting with "
                         "'.' or '-' (e.g. main, before-fix, v1.2)"};
    }
}

std::vector<std::string> baseline_names() {
    std::vector<std::string> names;
    std::error_code error;
    for (fs::directory_iterator it{baseline_directory(), error}, end; !error && it != end; it.increment(error)) {
        auto const& path = it->path();
        if (!it->is_regular_file(error) || path.filename().string().front() == '.') continue;
        if (path.extension() == ".json" || path.extension() == ".jsonl") names.push_back(path.stem().string());
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string baseline_file(std::string const& name, std::string const& flag) {
    check_baseline_name(name, flag);
    auto const directory = fs::path{baseline_directory()};
    for (char const* extension : {".json", ".jsonl"}) {
        auto const path = directory / (name + extension);
        if (fs::is_regular_file(path)) return path.string();
    }
    auto const names = baseline_names();
    std::string known;
    for (auto const& n : names) known += (known.empty() ? "" : ", ") + n;
    throw UsageError{flag + " " + name + ": no such baseline in " + directory.string() + did_you_mean(name, names) +
                     (names.empty() ? "; none saved yet: run or sweep with --save-baseline NAME saves one"
                                    : "; saved: " + known)};
}

std::string save_baseline_content(std::string const& name, std::string const& content, bool sweep) {
    check_baseline_name(name, "--save-baseline");
    auto const directory = fs::path{baseline_directory()};
    std::error_code error;
    fs::create_directories(directory, error);
    if (error || !fs::is_directory(directory)) {
        throw std::runtime_error{"baseline " + name + ": the directory " + directory.string() + " cannot be made (" +
                                 (error ? error.message() : "a file is there") + ")"};
    }
    auto const path = directory / (name + (sweep ? ".jsonl" : ".json"));
    write_output(path.string(), content);  // whole or not at all (a temporary file renamed over it)
    // one file per name: a run saved where a sweep was (or back) replaces it
    fs::remove(directory / (name + (sweep ? ".json" : ".jsonl")), error);
    return path.string();
}

std::string save_baseline(std::string const& name, std::string const& source) {
    check_baseline_name(name, "--save-baseline");
    auto const head = file_header(source);
    if (!head.is_object()) throw UsageError{source + ": not a conclab results or sweep file; nothing saved as baseline " + name};
    return save_baseline_content(name, read_whole(source), head.value("schema", "") == "conclab-sweep");
}

void delete_baseline(std::string const& name) {
    auto const path = baseline_file(name, "baselines delete");
    std::error_code error;
    if (!fs::remove(path, error)) throw UsageError{"baselines delete " + name + ": " + path + " cannot be removed (" + error.message() + ")"};
}

}  // namespace conclab
