// splitmix64: one step of a tiny, well-mixed 64-bit generator. The core
// uses it for seeded schedules; the scenario contract names it `mix`
// (docs/contract.md) and defines every answer with it.
#pragma once

#include <cstdint>

namespace conclab {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

}  // namespace conclab
