// Where results come from: the machine, the build and the conclab commit
// of every file (of every part of a merged sweep), and what differs among
// them. `compare` and `report` say it at the top: a ratio between two
// machines or two builds is theirs, not the change's.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace conclab {

/// The first object of a results or sweep file: a sweep file's header, or
/// a results file whole. Null when it cannot be read as either.
nlohmann::json file_header(std::string const& path);

struct Provenance {
    std::string where;    ///< the file, and for a part of a merged sweep which one: "all.jsonl (shard 2/8)"
    std::string machine;  ///< "Intel(R) Xeon(R) CPU @ 2.20GHz, 2 logical CPUs, x86_64"
    std::string build;    ///< "release, g++ 12.2.0, -std=c++20 -O3 -DNDEBUG"; "" when not recorded
    std::string commit;   ///< conclab's commit as built ("e1fd4299cf5f", "-dirty" when the tree had changes)
};

/// The provenance of a file: one entry, or one per part of a merged sweep.
std::vector<Provenance> provenance_of(std::string const& path);
/// The same from its header as file_header read it (`path` names it).
std::vector<Provenance> provenance_of(std::string const& path, nlohmann::json const& head);

struct ProvenanceDifferences {
    bool machines = false;  ///< CPU model, logical or usable CPUs, or architecture differ
    bool builds = false;    ///< build type, compiler or flags differ (files without recorded flags are not held against)
    bool commits = false;
    std::vector<std::string> lines;  ///< one per aspect that differs, each value with where it is from
};

/// What differs among `sources` (from one set of files, or two sides).
ProvenanceDifferences differences(std::vector<Provenance> const& sources);

}  // namespace conclab
