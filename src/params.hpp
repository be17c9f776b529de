// Scenario parameters: every parameter is an unsigned integer with a
// default, a range and a meaning. The specs are the one source of truth for
// the CLI, `conclab list`, validation and the JSON output.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

/// A bad parameter or flag: reported once, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ParamSpec {
    std::string name;         ///< as in JSON ("wait_us"); the flag is flag(spec)
    std::uint64_t fallback;   ///< the default
    std::uint64_t min;
    std::uint64_t max;
    std::string help;         ///< what it means, one line
    std::string models;       ///< which models use it ("all" or a list)
};

using ParamValues = std::map<std::string, std::uint64_t>;

/// The command-line flag of a parameter: "--wait-us" for "wait_us".
std::string flag(ParamSpec const& spec);

/// The spec's defaults as values.
ParamValues defaults(std::vector<ParamSpec> const& specs);

/// Parses "text" for `spec`; throws UsageError naming the flag, the range
/// and what was given.
std::uint64_t parse_param(ParamSpec const& spec, std::string_view text);

/// The parameter's value; throws std::out_of_range if it is not there.
std::uint64_t get(ParamValues const& values, std::string const& name);

/// "jobs=1000 workers=8 ..." in spec order.
std::string format_params(std::vector<ParamSpec> const& specs, ParamValues const& values);

}  // namespace conclab
