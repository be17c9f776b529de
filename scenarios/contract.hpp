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

namespace conclab::contract {

// --- cache-service (docs/contract.md, "cache-service") ---------------------

/// FNV-1a 64 over 64-bit words (a word at a time, not a byte): the
/// checksum of a cache-service response.
constexpr std::uint64_t fnv1a_words(std::span<std::uint64_t const> words) noexcept {
    std::uint64_t hash = fnv1a_offset_basis;
    for (std::uint64_t word : words) hash = (hash ^ word) * fnv1a_prime;
    return hash;
}

/// Word j of the record of `key`: word 0 is the key, word j > 0 is
/// mix applied j times to the key (the words of item_body(key)).
/// record_words(key, out) writes words 0 .. out.size()-1.
constexpr void record_words(std::uint64_t key, std::span<std::uint64_t> out) noexcept {
    std::uint64_t x = key;
    for (std::size_t j = 0; j < out.size(); ++j) {
        out[j] = x;
        x = mix(x);
    }
    if (!out.empty()) out[0] = key;
}

enum class KeyDistribution { uniform, zipf };

/// Request i of a cache-service run: its key and whether it is an update.
struct CacheRequest {
    std::uint64_t key = 0;
    bool update = false;
    friend constexpr bool operator==(CacheRequest const&, CacheRequest const&) = default;
};

__extension__ using uint128 = unsigned __int128;  // GCC's and Clang's; Go's bits.Mul64, Rust's u128

/// The high 64 bits of a * b: a uniform draw in [0, n) from a uniform a.
constexpr std::uint64_t scaled(std::uint64_t a, std::uint64_t n) noexcept {
    return static_cast<std::uint64_t>((static_cast<uint128>(a) * n) >> 64);
}

/// Request i of a run with `keys` keys (>= 1), drawn from its own stream
/// s = mix(seed xor mix(i)), values r(n) = mix(s + n): update when
/// r(0) mod 100 < update_percent; the key uniform (scaled(r(1), keys)) or
/// Zipfian with exponent 1 over ranks 1..keys (P(rank) proportional to
/// 1/rank, key = rank - 1), drawn in integers only so that every language
/// draws the same keys: an octave o uniform among the bit width of keys,
/// a rank uniform in [2^o, 2^(o+1)), kept when it is at most keys and
/// r mod rank < 2^o (probability 2^o/rank), else drawn again from the
/// next three values.
constexpr CacheRequest cache_request(std::uint64_t index, std::uint64_t seed, std::uint64_t keys, std::uint64_t update_percent,
                                     KeyDistribution distribution) noexcept {
    std::uint64_t const stream = mix(seed ^ mix(index));
    auto const r = [stream](std::uint64_t n) { return mix(stream + n); };
    CacheRequest request{.key = 0, .update = r(0) % 100 < update_percent};
    if (keys <= 1) return request;
    if (distribution == KeyDistribution::uniform) {
        request.key = scaled(r(1), keys);
        return request;
    }
    std::uint64_t octaves = 0;
    for (std::uint64_t k = keys; k != 0; k >>= 1) ++octaves;
    for (std::uint64_t n = 1;; n += 3) {
        std::uint64_t const low = std::uint64_t{1} << (r(n) % octaves);
        std::uint64_t const rank = low + r(n + 1) % low;
        if (rank <= keys && r(n + 2) % rank < low) {
            request.key = rank - 1;
            return request;
        }
    }
}

/// The largest record value, in words (4 KiB).
inline constexpr std::uint64_t max_value_words = 512;

/// The checksum of the response to a request for `key`: FNV-1a over
/// response_words words, word j being word (j mod (1 + value_words)) of
/// the key's record (its key, then its value); value_words <= max_value_words.
inline std::uint64_t response_checksum(std::uint64_t key, std::uint64_t value_words, std::uint64_t response_words) {
    std::uint64_t record[1 + max_value_words];
    auto const size = static_cast<std::size_t>(1 + value_words);
    record_words(key, std::span{record, size});
    std::uint64_t hash = fnv1a_offset_basis;
    for (std::uint64_t j = 0; j < response_words; ++j) hash = (hash ^ record[j % size]) * fnv1a_prime;
    return hash;
}

/// What request i adds to a run's checksum: mix(checksum of its response xor i).
constexpr std::uint64_t response_term(std::uint64_t index, std::uint64_t response_checksum) noexcept {
    return mix(response_checksum ^ index);
}

}  // namespace conclab::contract
