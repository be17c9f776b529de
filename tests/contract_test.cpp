// The contract's reference values: if these fail, no result of conclab can
// be compared with a program outside it.
#include "scenarios/contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>
#include <string_view>

namespace conclab::contract {
namespace {

std::uint64_t fnv1a_of(std::string_view text) {
    return fnv1a({reinterpret_cast<unsigned char const*>(text.data()), text.size()});
}

TEST(Mix, MatchesTheContractsReferenceValues) {
    EXPECT_EQ(mix(0), 0xE220A8397B1DCDAFULL);
    EXPECT_EQ(mix(1), 0x910A2DEC89025CC1ULL);
}

TEST(Mix, WrapsAroundAtTwoToThe64) {
    // x + golden ratio overflows here; the contract says wrap-around.
    EXPECT_EQ(mix(0xFFFFFFFFFFFFFFFFULL), mix(0xFFFFFFFFFFFFFFFFULL));
    static_assert(mix(0) == 0xE220A8397B1DCDAFULL, "mix is usable at compile time");
}

TEST(JobResult, IsTheIndexItselfWithNoWork) {
    EXPECT_EQ(job_result(0, 0), 0U);
    EXPECT_EQ(job_result(12345, 0), 12345U);
}

TEST(JobResult, AppliesMixWorkTimes) {
    EXPECT_EQ(job_result(0, 1), 0xE220A8397B1DCDAFULL);
    EXPECT_EQ(job_result(1, 1), 0x910A2DEC89025CC1ULL);
    EXPECT_EQ(job_result(7, 3), mix(mix(mix(7))));
}

TEST(Fnv1a, MatchesPublishedTestVectors) {
    EXPECT_EQ(fnv1a_of(""), 0xCBF29CE484222325ULL);
    EXPECT_EQ(fnv1a_of("a"), 0xAF63DC4C8601EC8CULL);
    EXPECT_EQ(fnv1a_of("foobar"), 0x85944171F73967E8ULL);
}

TEST(ItemBody, IsTheLittleEndianMixStreamCutToSize) {
    std::vector<unsigned char> body(11);
    item_body(0, body);
    // mix(0) = 0xE220A8397B1DCDAF, little-endian first; then mix(mix(0)) cut to 3 bytes
    std::vector<unsigned char> const first{0xAF, 0xCD, 0x1D, 0x7B, 0x39, 0xA8, 0x20, 0xE2};
    EXPECT_TRUE(std::equal(first.begin(), first.end(), body.begin()));
    auto const second = mix(0xE220A8397B1DCDAFULL);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(body[8 + b], static_cast<unsigned char>(second >> (8 * b))) << b;
}

TEST(ItemChecksum, EqualsFnv1aOfTheBodyForEverySize) {
    for (std::uint64_t index : {0ULL, 1ULL, 123456789ULL}) {
        for (std::size_t size : {0U, 1U, 7U, 8U, 9U, 1000U, 4097U}) {
            std::vector<unsigned char> body(size);
            item_body(index, body);
            EXPECT_EQ(item_checksum(index, size), fnv1a(body)) << index << " " << size;
        }
    }
    EXPECT_EQ(item_checksum(42, 0), fnv1a_offset_basis);
}

}  // namespace
}  // namespace conclab::contract
