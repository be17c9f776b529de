#include "src/kit/machine.hpp"

#include "src/kit/heap.hpp"

#include "conclab_config.hpp"
#include "conclab_git_commit.hpp"

#include <CLI/Version.hpp>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <oneapi/tbb/version.h>

#include <ctime>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace conclab {
namespace {

std::string first_line_value(char const* path, std::string const& key) {
    std::ifstream in{path};
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) == 0) {
            auto const colon = line.find(':');
            if (colon == std::string::npos) continue;
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            return value;
        }
    }
    return "unknown";
}

std::string read_line(char const* path) {
    std::ifstream in{path};
    std::string line;
    if (!std::getline(in, line)) return "unknown";
    return line;
}

std::string os_name() {
    auto name = first_line_value("/etc/os-release", "PRETTY_NAME");
    if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
    if (name == "unknown") {
        std::ifstream in{"/etc/os-release"};
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("PRETTY_NAME=", 0) == 0) {
                name = line.substr(12);
                if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
            }
        }
    }
    return name;
}

}  // namespace

nlohmann::json describe_machine() {
    utsname uts{};
    uname(&uts);
    cpu_set_t affinity;
    CPU_ZERO(&affinity);
    int usable = 0;
    if (sched_getaffinity(0, sizeof affinity, &affinity) == 0) usable = CPU_COUNT(&affinity);
    auto const pages = sysconf(_SC_PHYS_PAGES);
    auto const page_size = sysconf(_SC_PAGESIZE);
    return {
        {"cpu_model", first_line_value("/proc/cpuinfo", "model name")},
        {"logical_cpus", std::thread::hardware_concurrency()},
        {"usable_cpus", usable},
        {"memory_bytes", static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size)},
        {"cpufreq_governor", read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")},
        {"kernel", std::string{uts.sysname} + " " + uts.release},
        {"arch", uts.machine},
        {"os", os_name()},
        {"load_average_1m", read_line("/proc/loadavg")},
    };
}

unsigned hardware_threads() noexcept { return std::max(1U, std::thread::hardware_concurrency()); }

std::vector<std::string> proc_stat_fields(std::string const& stat_file) {
    std::ifstream file{stat_file};
    std::string text;
    std::getline(file, text);
    auto const close = text.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos || close + 2 > text.size()) return {};
    std::istringstream stream{text.substr(close + 2)};
    std::vector<std::string> fields;
    for (std::string field; stream >> field;) fields.push_back(field);
    return fields;
}

std::string utc_now() {
    std::time_t const now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

nlohmann::json describe_build() {
    return {
        {"version", CONCLAB_VERSION},
        {"git_commit", CONCLAB_GIT_COMMIT},
        {"build_type", CONCLAB_BUILD_TYPE},
        {"compiler", CONCLAB_COMPILER},
        {"cxx_flags", CONCLAB_CXX_FLAGS},
        {"heap_counting", heap_counts().has_value()},  // false in sanitizer builds: heap_* metrics are null
        {"libraries",
         {
             {"boost", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                           std::to_string(BOOST_VERSION % 100)},
             {"onetbb", std::string{TBB_VERSION_STRING} + " (runtime " + TBB_runtime_version() + ")"},
             {"boost_fiber", CONCLAB_BOOST_FIBER_ORIGIN},  // built from source with one change, or Debian's (models/fibers/boost)
             {"cli11", CLI11_VERSION},
             {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) +
                                   "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
             {"moodycamel_concurrentqueue", "as packaged (no version macro)"},
         }},
    };
}

}  // namespace conclab
