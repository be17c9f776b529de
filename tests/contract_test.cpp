// The contract's reference values: if these fail, no result of conclab can
// be compared with a program outside it.
#include "scenarios/contract.hpp"
#include "scenarios/url_fetch/target.hpp"

#include "tests/contract_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

// docs/contract.md, the page outside implementations are written from,
// holds a table of reference values: each row must be what this code
// computes, and every value computed here must be on the page.
std::string hex(std::uint64_t value) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%016" PRIX64, value);
    return text;
}

std::string bytes_of(std::uint64_t index, std::size_t size) {
    std::vector<unsigned char> body(size);
    item_body(index, body);
    std::string out;
    for (unsigned char byte : body) {
        char text[4];
        std::snprintf(text, sizeof text, "%02x", byte);
        out += text;
    }
    return out;
}

std::string delay_of(url_fetch::DelayConfig::Distribution distribution, std::uint64_t index) {
    url_fetch::DelayConfig config;
    config.distribution = distribution;
    config.mean_us = 1000;
    config.seed = 0;
    return std::to_string(url_fetch::item_delay_us(config, index));
}

std::string request_of(std::uint64_t index, KeyDistribution distribution) {
    auto const r = cache_request(index, 1, 2'000'000, 20, distribution);
    return "key " + std::to_string(r.key) + (r.update ? ", update" : ", read");
}

// cache-service's answer at its defaults (or `requests` of them): the checksum, or the number of updates
std::string cache_service_answer(std::uint64_t requests, bool updates) {
    std::uint64_t sum = 0, updated = 0;
    for (std::uint64_t i = 0; i < requests; ++i) {
        auto const r = cache_request(i, 1, 2'000'000, 20, KeyDistribution::zipf);
        sum += response_term(i, response_checksum(r.key, 8, 512));
        updated += r.update ? 1 : 0;
    }
    return updates ? std::to_string(updated) : hex(sum);
}

std::map<std::string, std::function<std::string()>> const reference_values{
    {"mix(0)", [] { return hex(mix(0)); }},
    {"mix(1)", [] { return hex(mix(1)); }},
    {"mix(0xFFFFFFFFFFFFFFFF)", [] { return hex(mix(~0ULL)); }},
    {"job_result(7, 0)", [] { return std::to_string(job_result(7, 0)); }},
    {"job_result(1, 1)", [] { return hex(job_result(1, 1)); }},
    {"worker_pool_sum(jobs=10, work=0)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t i = 0; i < 10; ++i) sum += job_result(i, 0);
         return std::to_string(sum);
     }},
    {"worker_pool_sum(jobs=1000, work=1)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t i = 0; i < 1000; ++i) sum += job_result(i, 1);
         return hex(sum);
     }},
    {"worker_pool_sum(jobs=100000, work=100)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t i = 0; i < 100000; ++i) sum += job_result(i, 100);
         return hex(sum);
     }},
    {"task_tree_sum(leaves=1000000)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t leaf = 0; leaf < 1000000; ++leaf) sum += leaf;  // what the tree adds up, leaf by leaf
         return std::to_string(sum);
     }},
    {"idle_tasks_sum(tasks=10000)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t i = 0; i < 10000; ++i) sum += mix(i);
         return hex(sum);
     }},
    {"item_body(0, 16)", [] { return bytes_of(0, 16); }},
    {"item_body(1, 5)", [] { return bytes_of(1, 5); }},
    {"item_checksum(0, 0)", [] { return hex(item_checksum(0, 0)); }},
    {"item_checksum(0, 16)", [] { return hex(item_checksum(0, 16)); }},
    {"item_checksum(1, 5)", [] { return hex(item_checksum(1, 5)); }},
    {"item_checksum(0, 1024)", [] { return hex(item_checksum(0, 1024)); }},
    {"url_fetch_sum(requests=3000, size=1024)",
     [] {
         std::uint64_t sum = 0;
         for (std::uint64_t i = 0; i < 3000; ++i) sum += item_checksum(i, 1024);
         return hex(sum);
     }},
    {"item_delay_us(uniform, M=1000, seed=0, i=1)", [] { return delay_of(url_fetch::DelayConfig::Distribution::uniform, 1); }},
    {"item_delay_us(exp, M=1000, seed=0, i=1)", [] { return delay_of(url_fetch::DelayConfig::Distribution::exp, 1); }},
    {"item_delay_us(lognormal, M=1000, seed=0, i=1)",
     [] { return delay_of(url_fetch::DelayConfig::Distribution::lognormal, 1); }},
    {"cache_request(i=0, seed=1, keys=2000000, update_percent=20, zipf)", [] { return request_of(0, KeyDistribution::zipf); }},
    {"cache_request(i=1, seed=1, keys=2000000, update_percent=20, zipf)", [] { return request_of(1, KeyDistribution::zipf); }},
    {"cache_request(i=0, seed=1, keys=2000000, update_percent=20, uniform)", [] { return request_of(0, KeyDistribution::uniform); }},
    {"record_word(key=7, j=1)", [] {
         std::uint64_t words[2];
         record_words(7, words);
         return hex(words[1]);
     }},
    {"response_checksum(key=7, value_bytes=64, response_bytes=1024)", [] { return hex(response_checksum(7, 8, 128)); }},
    {"cache_service_sum(requests=200000)", [] { return cache_service_answer(200'000, false); }},
    {"cache_service_updates(requests=200000)", [] { return cache_service_answer(200'000, true); }},
};

// The rows "| `expression` | `value` |" of the page's reference table.
TEST(ContractPage, ItsReferenceValuesAreWhatTheCodeComputes) {
    char const* path = std::getenv("CONCLAB_CONTRACT_DOC");
    ASSERT_NE(path, nullptr) << "meson passes docs/contract.md as CONCLAB_CONTRACT_DOC";
    auto const rows = testing_support::contract_table(path);
    for (auto const& [expression, compute] : reference_values) {
        auto const row = rows.find(expression);
        ASSERT_NE(row, rows.end()) << expression << " is missing from " << path;
        EXPECT_EQ(row->second, compute()) << expression << " in " << path;
    }
    for (auto const& [expression, value] : rows) {
        if (expression.find('(') == std::string::npos) continue;  // other tables' rows (e.g. `fixed` | `M`)
        EXPECT_EQ(reference_values.count(expression), 1U) << path << " states " << expression << " = " << value
                                                          << ", which this test does not check";
    }
}

}  // namespace
}  // namespace conclab::contract
