// The fetch target's HTTP API (docs/contract.md), as pure functions: what
// a request target means, and the delay each item gets. Shared by the
// server and the clients; no I/O here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace conclab::url_fetch {

/// GET /health
struct HealthRequest {};

/// GET /item/{i}?size={S}&delay_us={D}; absent parameters take the
/// server's configured values.
struct ItemRequest {
    std::uint64_t index = 0;
    std::optional<std::uint64_t> size;
    std::optional<std::uint64_t> delay_us;
};

/// Anything else: the status to answer (400 or 404) and a short reason.
struct BadRequest {
    unsigned status = 400;
    std::string reason;
};

using Request = std::variant<HealthRequest, ItemRequest, BadRequest>;

/// Parses a request target. Never throws: malformed input is a BadRequest.
/// Numbers are decimal u64 without sign, spaces or leading '+'; a query
/// parameter may appear once; unknown parameters are a 400. The absolute
/// form (`http://host:port/item/1`, RFC 9112 3.2.2) is read as its path.
Request parse_target(std::string_view target);

/// "/item/{i}" with the given query values, for clients.
std::string item_target(std::uint64_t index, std::optional<std::uint64_t> size, std::optional<std::uint64_t> delay_us);

/// How the server delays an item whose request names no delay_us.
struct DelayConfig {
    enum class Distribution { fixed, uniform, exp, lognormal };
    Distribution distribution = Distribution::fixed;
    std::uint64_t mean_us = 0;  ///< fixed: the delay; the others: their mean
    std::uint64_t seed = 0;
};

std::optional<DelayConfig::Distribution> parse_distribution(std::string_view name) noexcept;
std::string_view to_string(DelayConfig::Distribution distribution) noexcept;

/// Item i's delay: a pure function of (config, i), so every client and
/// every server with the same config sees the same delay for the same item.
/// uniform: on [0, 2 mean]; exp: exponential; lognormal: sigma 1, scaled so
/// its mean is `mean_us`. Capped at max_delay_us.
std::uint64_t item_delay_us(DelayConfig const& config, std::uint64_t index) noexcept;

inline constexpr std::uint64_t max_delay_us = 60'000'000;   // one minute
inline constexpr std::uint64_t max_item_size = 64ULL << 20;  // 64 MiB

}  // namespace conclab::url_fetch
