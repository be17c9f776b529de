// The fixed definitions of docs/contract.md that every model
// (and every outside program written to the contract) shares bit for bit.
#pragma once

#include "src/kit/splitmix.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace conclab::contract {

/// The splitmix64 step. mix(0) = 0xE220A8397B1DCDAF, mix(1) = 0x910A2DEC89025CC1.
constexpr std::uint64_t mix(std::uint64_t x) noexcept { return splitmix64(x); }

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

/// url-fetch: the body of item i, S bytes: the little-endian bytes of
/// x1 = mix(i), x2 = mix(x1), ... concatenated and cut to S bytes, made a
/// piece at a time: each fill() goes on where the last one ended, so every
/// piece but the last must be a multiple of 8 bytes (a server sends bodies
/// so, without holding them whole).
class ItemBodyStream {
public:
    constexpr explicit ItemBodyStream(std::uint64_t index) noexcept : x_{index} {}
    constexpr void fill(std::span<unsigned char> out) noexcept {
        for (std::size_t at = 0; at < out.size(); at += 8) {
            x_ = mix(x_);
            for (std::size_t byte = 0; byte < 8 && at + byte < out.size(); ++byte) {
                out[at + byte] = static_cast<unsigned char>(x_ >> (8 * byte));
            }
        }
    }

private:
    std::uint64_t x_;
};

/// The body of item i whole, into out[0, size).
constexpr void item_body(std::uint64_t index, std::span<unsigned char> out) noexcept { ItemBodyStream{index}.fill(out); }

/// FNV-1a 64 of item i's S-byte body, computed without materializing it:
/// what a client expects, so a run is verified without trusting the server.
constexpr std::uint64_t item_checksum(std::uint64_t index, std::uint64_t size) noexcept {
    std::uint64_t hash = fnv1a_offset_basis;
    std::uint64_t x = index;
    for (std::uint64_t at = 0; at < size; at += 8) {
        x = mix(x);
        for (std::uint64_t byte = 0; byte < 8 && at + byte < size; ++byte) {
            hash = (hash ^ static_cast<unsigned char>(x >> (8 * byte))) * fnv1a_prime;
        }
    }
    return hash;
}

}  // namespace conclab::contract
