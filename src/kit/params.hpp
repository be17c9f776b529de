// Scenario parameters: a whole number with a range, or a text (free, or one
// of a list of choices), each with a default and a meaning. The specs are
// the one source of truth for the CLI, `conclab list`, validation and the
// JSON output.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace conclab {

/// A bad parameter or flag: reported once, exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A number, or a text for text parameters.
using ParamValue = std::variant<std::uint64_t, std::string>;

struct ParamSpec {
    std::string name;         ///< as in JSON ("wait_us"); the flag is flag(spec)
    ParamValue fallback;      ///< the default; its type is the parameter's type
    std::uint64_t min = 0;    ///< numbers only
    std::uint64_t max = 0;    ///< numbers only
    std::string help;         ///< what it means, one line
    std::string models;       ///< which models use it ("all" or a list)
    std::vector<std::string> choices;  ///< texts only: the allowed values (empty: any text)
    std::string below_min = {};        ///< numbers only: why `min` is the least (e.g. what the machine needs)

    bool is_text() const noexcept { return std::holds_alternative<std::string>(fallback); }
};

using ParamValues = std::map<std::string, ParamValue>;

/// The command-line flag of a parameter: "--wait-us" for "wait_us".
std::string flag(ParamSpec const& spec);

/// The spec's defaults as values.
ParamValues defaults(std::vector<ParamSpec> const& specs);

/// Parses "text" for `spec`; throws UsageError naming the flag, what it
/// expects (range or choices) and what was given.
ParamValue parse_param(ParamSpec const& spec, std::string_view text);

/// A flag that is not a scenario parameter, checked by the same rules:
/// a whole number from min to max, or UsageError naming the flag.
std::uint64_t parse_number(std::string const& flag, std::string const& text, std::uint64_t min, std::uint64_t max);

/// A number parameter's value; throws std::out_of_range if it is not there,
/// std::bad_variant_access if it is a text.
std::uint64_t get(ParamValues const& values, std::string const& name);
/// A text parameter's value.
std::string const& get_text(ParamValues const& values, std::string const& name);

/// "1000" or "on": a value as it is written on the command line.
std::string to_text(ParamValue const& value);

/// "jobs=1000 workers=8 ..." in spec order.
std::string format_params(std::vector<ParamSpec> const& specs, ParamValues const& values);

}  // namespace conclab
