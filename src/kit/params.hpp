// Scenario parameters: a whole number with a range, or a text (free, or one
// of a list of choices), each with a default and a meaning. The specs are
// the one source of truth for the CLI, `conclab list`, validation and the
// JSON output.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
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

/// One row of a scenario's parameter table: the spec(s) the runner offers
/// (name, default, range, meaning) and where the value goes in the
/// scenario's typed Params, declared together once. A scenario's table
/// gives its `conclab list` rows, its flags and its parsing.
template <class P>
struct ParamField {
    std::vector<ParamSpec> specs;  ///< usually one; a group (open loop's) has several
    std::function<void(P&, ParamValues const&)> read;
};
template <class P>
using ParamTable = std::vector<ParamField<P>>;

/// A row whose value is stored in `member`: a whole number (of any width)
/// or a text.
template <class P, class M>
ParamField<P> param(M P::*member, ParamSpec spec) {
    std::string name = spec.name;
    return {{std::move(spec)}, [member, name](P& p, ParamValues const& values) {
                if constexpr (std::is_same_v<M, std::string>) {
                    p.*member = get_text(values, name);
                } else {
                    p.*member = static_cast<M>(get(values, name));
                }
            }};
}

/// A row whose value is converted on the way: set(params, value).
template <class P, class Set>
ParamField<P> param(ParamSpec spec, Set set) {
    std::string name = spec.name;
    return {{std::move(spec)}, [set, name](P& p, ParamValues const& values) { set(p, values.at(name)); }};
}

/// A row the runner offers that is not a member of Params (the scenario's
/// fixture reads it from the values).
template <class P>
ParamField<P> offered(ParamSpec spec) {
    return {{std::move(spec)}, [](P&, ParamValues const&) {}};
}

/// Every spec of a table, in its order.
template <class P>
std::vector<ParamSpec> specs_of(ParamTable<P> const& table) {
    std::vector<ParamSpec> out;
    for (auto const& field : table) out.insert(out.end(), field.specs.begin(), field.specs.end());
    return out;
}

/// The typed parameters of `values` (every spec of the table present:
/// the runner fills in the defaults).
template <class P>
P read_params(ParamTable<P> const& table, ParamValues const& values, P p = {}) {
    for (auto const& field : table) field.read(p, values);
    return p;
}

}  // namespace conclab
