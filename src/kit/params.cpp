#include "src/kit/params.hpp"

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

ParamValue parse_param(ParamSpec const& spec, std::string_view text) {
    if (spec.is_text()) {
        if (spec.choices.empty()) return std::string{text};
        std::string expected;
        for (auto const& choice : spec.choices) {
            if (choice == text) return choice;
            expected += (expected.empty() ? "" : ", ") + choice;
        }
        throw UsageError{flag(spec) + " expects one of " + expected + ", got '" + std::string{text} + "'"};
    }
    auto const expected = flag(spec) + " expects a whole number from " + std::to_string(spec.min) + " to " +
                          std::to_string(spec.max) + ", got '" + std::string{text} + "'";
    std::uint64_t value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) throw UsageError{expected};
    if (value < spec.min && !spec.below_min.empty()) throw UsageError{expected + ": " + spec.below_min};
    if (value < spec.min || value > spec.max) throw UsageError{expected};
    return value;
}

std::uint64_t parse_number(std::string const& flag, std::string const& text, std::uint64_t min, std::uint64_t max) {
    return std::get<std::uint64_t>(parse_param(ParamSpec{flag.substr(2), std::uint64_t{0}, min, max, "", "", {}}, text));
}

std::uint64_t get(ParamValues const& values, std::string const& name) { return std::get<std::uint64_t>(values.at(name)); }

std::string const& get_text(ParamValues const& values, std::string const& name) {
    return std::get<std::string>(values.at(name));
}

std::string to_text(ParamValue const& value) {
    if (auto const* number = std::get_if<std::uint64_t>(&value)) return std::to_string(*number);
    return std::get<std::string>(value);
}

std::string format_params(std::vector<ParamSpec> const& specs, ParamValues const& values) {
    std::string out;
    for (auto const& spec : specs) {
        if (!out.empty()) out += ' ';
        auto const text = to_text(values.at(spec.name));
        out += spec.name + '=' + (text.empty() ? "\"\"" : text);
    }
    return out;
}

}  // namespace conclab
