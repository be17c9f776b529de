#include "scenarios/url_fetch/target.hpp"

#include "scenarios/contract.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace conclab::url_fetch {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) noexcept {
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A uniform double in [0, 1) from the n-th step of the item's own stream.
double uniform(std::uint64_t stream, std::uint64_t n) noexcept {
    return static_cast<double>(contract::mix(stream + n) >> 11) * 0x1.0p-53;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// RFC 9112 3.2.2: a server must accept the absolute form, "http://host:port/path?query",
// and read it as its origin form; the authority is not checked (one server, one origin).
std::string_view origin_form(std::string_view target) noexcept {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!starts_with_ignoring_case(target, scheme)) continue;
        auto const rest = target.substr(scheme.size());
        auto const path = rest.find_first_of("/?");
        if (path == std::string_view::npos || rest[path] == '?') return {};  // no path: nothing is served there
        return rest.substr(path);
    }
    return target;
}

}  // namespace

Request parse_target(std::string_view target) {
    target = origin_form(target);
    auto const question = target.find('?');
    auto const path = target.substr(0, question);
    auto const query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    if (path == "/health") {
        if (question != std::string_view::npos) return BadRequest{400, "/health takes no query"};
        return HealthRequest{};
    }
    constexpr std::string_view prefix = "/item/";
    if (!path.starts_with(prefix)) return BadRequest{404, "unknown path; expected /item/{i} or /health"};
    auto const index = parse_u64(path.substr(prefix.size()));
    if (!index) return BadRequest{400, "item number must be a decimal u64"};

    ItemRequest item{*index, std::nullopt, std::nullopt};
    if (question == std::string_view::npos) return item;
    std::string_view rest = query;
    while (true) {
        auto const amp = rest.find('&');
        auto const pair = rest.substr(0, amp);
        auto const eq = pair.find('=');
        if (eq == std::string_view::npos) return BadRequest{400, "query parameters are name=value"};
        auto const name = pair.substr(0, eq);
        auto const value = parse_u64(pair.substr(eq + 1));
        if (!value) return BadRequest{400, "query values must be decimal u64"};
        if (name == "size") {
            if (item.size) return BadRequest{400, "size given twice"};
            if (*value > max_item_size) return BadRequest{400, "size is larger than the server's limit (64 MiB)"};
            item.size = value;
        } else if (name == "delay_us") {
            if (item.delay_us) return BadRequest{400, "delay_us given twice"};
            if (*value > max_delay_us) return BadRequest{400, "delay_us is larger than the server's limit (60 s)"};
            item.delay_us = value;
        } else {
            return BadRequest{400, "unknown query parameter; expected size and delay_us"};
        }
        if (amp == std::string_view::npos) return item;
        rest = rest.substr(amp + 1);
    }
}

std::string item_target(std::uint64_t index, std::optional<std::uint64_t> size, std::optional<std::uint64_t> delay_us) {
    std::string target = "/item/" + std::to_string(index);
    char separator = '?';
    if (size) {
        target += separator + std::string{"size="} + std::to_string(*size);
        separator = '&';
    }
    if (delay_us) target += separator + std::string{"delay_us="} + std::to_string(*delay_us);
    return target;
}

std::optional<DelayConfig::Distribution> parse_distribution(std::string_view name) noexcept {
    using D = DelayConfig::Distribution;
    for (D d : {D::fixed, D::uniform, D::exp, D::lognormal}) {
        if (to_string(d) == name) return d;
    }
    return std::nullopt;
}

std::string_view to_string(DelayConfig::Distribution distribution) noexcept {
    switch (distribution) {
        case DelayConfig::Distribution::fixed: return "fixed";
        case DelayConfig::Distribution::uniform: return "uniform";
        case DelayConfig::Distribution::exp: return "exp";
        case DelayConfig::Distribution::lognormal: return "lognormal";
    }
    return "fixed";
}

std::uint64_t item_delay_us(DelayConfig const& config, std::uint64_t index) noexcept {
    auto const mean = static_cast<double>(config.mean_us);
    // Each item has its own stream, keyed by the seed and the item number.
    std::uint64_t const stream = contract::mix(config.seed ^ contract::mix(index));
    double delay = mean;
    switch (config.distribution) {
        case DelayConfig::Distribution::fixed: break;
        case DelayConfig::Distribution::uniform: delay = 2 * mean * uniform(stream, 0); break;
        case DelayConfig::Distribution::exp: delay = -mean * std::log1p(-uniform(stream, 0)); break;
        case DelayConfig::Distribution::lognormal: {
            // Box-Muller; sigma = 1, mu chosen so that E[delay] = mean
            double const u1 = 1.0 - uniform(stream, 0);  // (0, 1]
            double const z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * uniform(stream, 1));
            delay = mean > 0 ? std::exp(std::log(mean) - 0.5 + z) : 0;
            break;
        }
    }
    return static_cast<std::uint64_t>(std::clamp(std::llround(delay), 0LL, static_cast<long long>(max_delay_us)));
}

}  // namespace conclab::url_fetch
