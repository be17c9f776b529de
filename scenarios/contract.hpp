// The fixed definitions of ../shared/scenario-contract.md that every model
// (and every outside program written to the contract) shares bit for bit.
#pragma once

#include <cstdint>
#include <span>

namespace conclab::contract {

/// The splitmix64 step. mix(0) = 0xE220A8397B1DCDAF, mix(1) = 0x910A2DEC89025CC1.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// worker-pool job i with work factor k: r = i, then k times r = mix(r).
constexpr std::uint64_t job_result(std::uint64_t index, std::uint64_t work) noexcept {
    std::uint64_t r = index;
    for (std::uint64_t step = 0; step < work; ++step) r = mix(r);
    return r;
}

inline constexpr std::uint64_t fnv1a_offset_basis = 0xCBF29CE484222325ULL;
inline constexpr std::uint64_t fnv1a_prime = 0x100000001B3ULL;

/// FNV-1a 64 over bytes (the url-fetch body checksum).
constexpr std::uint64_t fnv1a(std::span<unsigned char const> bytes) noexcept {
    std::uint64_t hash = fnv1a_offset_basis;
    for (unsigned char byte : bytes) hash = (hash ^ byte) * fnv1a_prime;
    return hash;
}

}  // namespace conclab::contract
