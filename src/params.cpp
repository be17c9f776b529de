#include "src/params.hpp"

#include <charconv>

namespace conclab {

std::string flag(ParamSpec const& spec) {
    std::string out = "--" + spec.name;
    for (char& c : out) {
        if (c == '_') c = '-';
    }
    return out;
}

ParamValues defaults(std::vector<ParamSpec> const& specs) {
    ParamValues values;
    for (auto const& spec : specs) values[spec.name] = spec.fallback;
    return values;
}

std::uint64_t parse_param(ParamSpec const& spec, std::string_view text) {
    auto const expected = flag(spec) + " expects a whole number from " + std::to_string(spec.min) + " to " +
                          std::to_string(spec.max) + ", got '" + std::string{text} + "'";
    std::uint64_t value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) throw UsageError{expected};
    if (value < spec.min || value > spec.max) throw UsageError{expected};
    return value;
}

std::uint64_t get(ParamValues const& values, std::string const& name) { return values.at(name); }

std::string format_params(std::vector<ParamSpec> const& specs, ParamValues const& values) {
    std::string out;
    for (auto const& spec : specs) {
        if (!out.empty()) out += ' ';
        out += spec.name + '=' + std::to_string(values.at(spec.name));
    }
    return out;
}

}  // namespace conclab
