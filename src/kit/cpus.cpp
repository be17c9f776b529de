#include "src/kit/cpus.hpp"

#include "src/kit/params.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <new>
#include <set>

#include <sched.h>

namespace conclab {
namespace {

constexpr unsigned most_cpus = 4096;  // CPU_SETSIZE is 1024; the kernel takes larger masks, dynamically sized

}  // namespace

CpuSet::CpuSet(std::vector<unsigned> const& cpus) {
    if (cpus.empty()) return;
    auto const count = *std::max_element(cpus.begin(), cpus.end()) + 1;
    set_ = CPU_ALLOC(count);
    if (set_ == nullptr) throw std::bad_alloc{};
    size_ = CPU_ALLOC_SIZE(count);
    CPU_ZERO_S(size_, set_);
    for (auto const cpu : cpus) CPU_SET_S(cpu, size_, set_);
}

CpuSet::~CpuSet() {
    if (set_ != nullptr) CPU_FREE(set_);
}

std::vector<unsigned> usable_cpus() {
    std::vector<unsigned> out;
    cpu_set_t* set = CPU_ALLOC(most_cpus);
    auto const size = CPU_ALLOC_SIZE(most_cpus);
    if (set != nullptr && sched_getaffinity(0, size, set) == 0) {
        for (unsigned cpu = 0; cpu < most_cpus; ++cpu) {
            if (CPU_ISSET_S(cpu, size, set)) out.push_back(cpu);
        }
    }
    if (set != nullptr) CPU_FREE(set);
    return out;
}

std::vector<unsigned> parse_cpu_list(std::string_view text, std::string const& flag) {
    auto const bad = [&](std::string const& why) {
        return UsageError{flag + " '" + std::string{text} + "': " + why + "; expected a CPU list such as 0-7 or 0,2,4-6"};
    };
    auto const number = [&](std::string_view part) {
        unsigned value = 0;
        auto const [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || error != std::errc{} || end != part.data() + part.size()) throw bad("'" + std::string{part} + "' is no CPU number");
        if (value >= most_cpus) throw bad("CPU " + std::string{part} + " is past " + std::to_string(most_cpus - 1));
        return value;
    };
    if (text.empty()) throw bad("no CPU given");
    std::vector<unsigned> out;
    std::set<unsigned> seen;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto const end = std::min(text.find(',', start), text.size());
        auto const part = text.substr(start, end - start);
        auto const dash = part.find('-');
        unsigned const from = number(part.substr(0, dash));
        unsigned const to = dash == std::string_view::npos ? from : number(part.substr(dash + 1));
        if (to < from) throw bad("the range " + std::string{part} + " runs backwards");
        for (unsigned cpu = from; cpu <= to; ++cpu) {
            if (!seen.insert(cpu).second) throw bad("CPU " + std::to_string(cpu) + " is listed twice");
            out.push_back(cpu);
        }
        start = end + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string format_cpu_list(std::vector<unsigned> const& cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + std::to_string(cpus[i]) + (j > i ? "-" + std::to_string(cpus[j]) : "");
        i = j + 1;
    }
    return out;
}

std::vector<unsigned> cpus_for_cases(std::string_view text, std::vector<unsigned> const& usable) {
    auto const cpus = parse_cpu_list(text);
    std::vector<unsigned> missing;
    for (auto const cpu : cpus) {
        if (!std::binary_search(usable.begin(), usable.end(), cpu)) missing.push_back(cpu);
    }
    if (!missing.empty()) {
        throw UsageError{"--cpus " + std::string{text} + ": CPU(s) " + format_cpu_list(missing) + " cannot be used here; this process may run on " +
                         format_cpu_list(usable)};
    }
    return cpus;
}

std::vector<unsigned> other_cpus(std::vector<unsigned> const& pinned, std::vector<unsigned> const& usable) {
    std::vector<unsigned> out;
    for (auto const cpu : usable) {
        if (!std::binary_search(pinned.begin(), pinned.end(), cpu)) out.push_back(cpu);
    }
    return pinned.empty() ? std::vector<unsigned>{} : out;
}

std::string cpus_of_process(int pid) {
    std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
    constexpr std::string_view key = "Cpus_allowed_list:";
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(key, 0) != 0) continue;
        auto const start = line.find_first_not_of(" \t", key.size());
        return start == std::string::npos ? std::string{} : line.substr(start);
    }
    return {};
}

bool pin_this_thread(std::vector<unsigned> const& cpus) {
    if (cpus.empty()) return true;
    CpuSet const set{cpus};
    return sched_setaffinity(0, set.size(), set.data()) == 0;
}

}  // namespace conclab
