#include "src/results/provenance.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace conclab {
namespace {

std::string text_of(nlohmann::json const& object, char const* key) {
    if (!object.is_object() || !object.contains(key)) return {};
    auto const& value = object.at(key);
    return value.is_string() ? value.get<std::string>() : value.is_null() ? std::string{} : value.dump();
}

std::string describe_machine(nlohmann::json const& machine) {
    if (!machine.is_object()) return "not recorded";
    auto out = text_of(machine, "cpu_model");
    if (out.empty()) out = "unknown CPU";
    auto const logical = text_of(machine, "logical_cpus");
    auto const usable = text_of(machine, "usable_cpus");
    if (!logical.empty()) out += ", " + logical + " logical CPUs";
    if (!usable.empty() && usable != "0" && usable != logical) out += " (" + usable + " usable)";
    if (auto const arch = text_of(machine, "arch"); !arch.empty()) out += ", " + arch;
    return out;
}

std::string describe_build(nlohmann::json const& build) {
    if (!build.is_object()) return {};
    auto out = text_of(build, "build_type");
    if (auto const compiler = text_of(build, "compiler"); !compiler.empty()) out += ", " + compiler;
    auto const flags = text_of(build, "cxx_flags");
    if (flags.empty()) return {};  // files from before the flags were recorded: not known, so not held against another
    return out + ", " + flags;
}

// `cpus`: the CPUs the cases were pinned to (--cpus), part of the machine they ran on.
Provenance make(std::string where, nlohmann::json const& machine, nlohmann::json const& build, std::string const& cpus) {
    auto described = describe_machine(machine);
    if (!cpus.empty()) described += ", cases pinned to CPUs " + cpus;
    return {std::move(where), std::move(described), describe_build(build), text_of(build, "git_commit")};
}

// A merged sweep's parts (merged_from, which may nest), each with its machine;
// its build is the part's own where merge recorded it, else the header's.
void add_parts(std::string const& path, nlohmann::json const& parts, nlohmann::json const& build, std::string const& cpus,
               std::vector<Provenance>& out) {
    for (auto const& part : parts) {
        auto const& own_build = part.contains("conclab") ? part.at("conclab") : build;
        if (part.value("shard", std::string{}) == "merged" && part.contains("merged_from")) {
            add_parts(path, part.at("merged_from"), own_build, cpus, out);
            continue;
        }
        out.push_back(make(path + " (shard " + part.value("shard", std::string{"?"}) + ")",
                           part.contains("machine") ? part.at("machine") : nlohmann::json{}, own_build, cpus));
    }
}

}  // namespace

nlohmann::json file_header(std::string const& path) {
    std::ifstream file{path};
    std::string first;
    std::getline(file, first);
    auto head = nlohmann::json::parse(first, nullptr, false);
    if (head.is_discarded() || !head.is_object() || head.value("schema", "") != "conclab-sweep") {
        std::stringstream all;
        file.clear();
        file.seekg(0);
        all << file.rdbuf();
        head = nlohmann::json::parse(all.str(), nullptr, false);
    }
    return head.is_discarded() || !head.is_object() ? nlohmann::json{} : head;
}

std::vector<Provenance> provenance_of(std::string const& path) { return provenance_of(path, file_header(path)); }

std::vector<Provenance> provenance_of(std::string const& path, nlohmann::json const& head) {
    auto const build = head.is_object() && head.contains("conclab") ? head.at("conclab") : nlohmann::json{};
    auto const cpus = text_of(head, "cpus");  // one sweep's parts share it (merge refuses others)
    std::vector<Provenance> out;
    if (head.is_object() && head.value("shard", std::string{}) == "merged" && head.contains("merged_from")) {
        add_parts(path, head.at("merged_from"), build, cpus, out);
    }
    if (out.empty()) out.push_back(make(path, head.is_object() && head.contains("machine") ? head.at("machine") : nlohmann::json{}, build, cpus));
    return out;
}

ProvenanceDifferences differences(std::vector<Provenance> const& sources) {
    ProvenanceDifferences out;
    auto const aspect = [&](char const* name, std::string Provenance::*field, bool& flag) {
        std::map<std::string, std::vector<std::string>> where;  // value -> the sources that have it
        std::vector<std::string> order;
        for (auto const& source : sources) {
            auto const& value = source.*field;
            if (value.empty()) continue;
            if (where.count(value) == 0) order.push_back(value);
            where[value].push_back(source.where);
        }
        if (where.size() < 2) return;
        flag = true;
        std::string line = std::string{name} + " differ: ";
        for (std::size_t i = 0; i < order.size(); ++i) {
            auto const& files = where[order[i]];
            line += (i == 0 ? "" : "; ") + order[i] + " (" + files.front() +
                    (files.size() > 1 ? " and " + std::to_string(files.size() - 1) + " more" : "") + ")";
        }
        out.lines.push_back(std::move(line));
    };
    aspect("machines", &Provenance::machine, out.machines);
    aspect("builds", &Provenance::build, out.builds);
    aspect("conclab commits", &Provenance::commit, out.commits);
    return out;
}

}  // namespace conclab
