// cache-service: every model answers every request exactly once with the
// contract's response, keeps the cache whole and counts its updates, over
// a table of parameter sets; the contract's key draws have the stated
// distribution; the cache's own checks catch what they are for.
// meson registers this binary once per model (suite = the model's token).
#include "scenarios/cache_service/cache_service.hpp"
#include "scenarios/registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace conclab::cache_service {
namespace {

using contract::KeyDistribution;

Params base() {
    return Params{.entries = 5'000, .keys = 5'000, .value_bytes = 64, .response_bytes = 1024, .requests = 3'000, .update_percent = 20,
                  .key_dist = KeyDistribution::zipf, .key_seed = 1, .shards = 16, .workers = 4, .threads = 2,
                  .arrivals = {50'000, false, 0}, .record_latency = true};
}

struct Case {
    std::string name;
    Params params;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    out.push_back({"zipf", base()});
    auto p = base();
    p.key_dist = KeyDistribution::uniform;
    out.push_back({"uniform", p});
    p = base();
    p.keys = 50'000;  // nine in ten keys are not cached: loads and evictions
    out.push_back({"misses_evict", p});
    p = base();
    p.update_percent = 100;
    out.push_back({"updates_only", p});
    p = base();
    p.update_percent = 0;
    p.shards = 1;
    out.push_back({"reads_one_shard", p});
    p = base();
    p.entries = p.keys = 1;
    p.shards = 1;
    p.requests = 200;
    out.push_back({"one_record", p});
    p = base();
    p.value_bytes = 8;
    p.response_bytes = 16;
    out.push_back({"smallest_response", p});
    p = base();
    p.arrivals = {50'000, true, 3};
    out.push_back({"poisson", p});
    p = base();
    p.threads = 1;
    p.workers = 1;
    out.push_back({"one_thread", p});
    p = base();
    p.threads = 8;
    p.workers = 32;
    out.push_back({"more_threads_than_cores", p});
    p = base();
    p.record_latency = false;
    out.push_back({"no_latency_recording", p});
    return out;
}

class CacheService : public testing::TestWithParam<std::tuple<Model, Case>> {};

TEST_P(CacheService, AnswersEveryRequestOnceWithTheContractsResponses) {
    auto const& [model, c] = GetParam();
    auto const& p = c.params;
    CaseMetrics m;
    ASSERT_NO_THROW(m = run_model<Spec>(model, p, /*warmup=*/1));
    EXPECT_EQ(m.checksum, reference(p, p.requests, p.key_seed).checksum);
    EXPECT_EQ(m.expected_checksum, m.checksum);
    EXPECT_EQ(m.items, p.requests);
    EXPECT_EQ(m.latency_count, p.record_latency ? p.requests : 0);
    EXPECT_EQ(m.rate_requested, p.arrivals.rate);
    // open loop: the last request is due (requests - 1) / rate after the start
    if (!p.arrivals.poisson) {
        EXPECT_GE(m.wall_s, static_cast<double>(p.requests - 1) / p.arrivals.rate);
    }
    // the timeline: 100 ms windows up to the last completion, each the worst latency in it (kept even without the histogram)
    ASSERT_FALSE(m.latency_timeline_us.empty());
    EXPECT_EQ(m.timeline_window_s, 0.1);
    EXPECT_LE(m.latency_timeline_us.size(), static_cast<std::size_t>(m.wall_s / 0.1) + 1);
    double worst = 0;
    for (double us : m.latency_timeline_us) worst = std::isnan(us) ? worst : std::max(worst, us);
    if (p.record_latency) {
        EXPECT_NEAR(worst, m.latency_max_us, m.latency_max_us * 0.01) << "the worst window holds the worst latency";
    }
    EXPECT_EQ(extra_value(m, "cached_bytes"), static_cast<double>(p.entries * (16 + p.value_bytes)));
    EXPECT_TRUE(std::isfinite(extra_value(m, "rss_per_cached_byte")));
    EXPECT_EQ(extra_value(m, "cache_misses") > 0, p.keys > p.entries) << "misses only where the key space is larger";
    // every response is allocated (where the heap is counted: not under sanitizers)
    if (!std::isnan(m.heap_allocations)) {
        EXPECT_GE(m.heap_allocations, static_cast<double>(p.requests));
    }
}

INSTANTIATE_TEST_SUITE_P(Models, CacheService, testing::Combine(testing::ValuesIn(all_models), testing::ValuesIn(cases())),
                         [](auto const& info) {
                             return std::string{token(std::get<0>(info.param))} + "__" + std::get<1>(info.param).name;
                         });

// --- the contract's draws ------------------------------------------------------------------------------

TEST(Draws, ZipfHasRankOneTwiceAsOftenAsRankTwoAndTenTimesRankTen) {
    std::map<std::uint64_t, double> seen;
    constexpr std::uint64_t draws = 400'000, keys = 1'000'000;
    for (std::uint64_t i = 0; i < draws; ++i) ++seen[contract::cache_request(i, 1, keys, 20, KeyDistribution::zipf).key];
    // P(rank q) = 1 / (q H_keys): about 6.95% for rank 1 (key 0) with a million keys
    double harmonic = 0;
    for (std::uint64_t q = 1; q <= keys; ++q) harmonic += 1.0 / static_cast<double>(q);
    EXPECT_NEAR(seen[0] / draws, 1 / harmonic, 0.003);
    EXPECT_NEAR(seen[0] / seen[1], 2.0, 0.1);
    EXPECT_NEAR(seen[0] / seen[9], 10.0, 1.0);
    // the top 1% of keys take log(10^4)/log(10^6) ~ 2/3 of the requests
    double top = 0;
    for (auto const& [key, n] : seen) top += key < keys / 100 ? n : 0;
    EXPECT_NEAR(top / draws, 0.67, 0.02);
}

TEST(Draws, StayInTheKeySpaceAndUpdateAtTheRateAsked) {
    for (auto const distribution : {KeyDistribution::zipf, KeyDistribution::uniform}) {
        for (std::uint64_t const keys : {1ULL, 2ULL, 3ULL, 1000ULL, 1ULL << 40}) {
            std::uint64_t updates = 0, highest = 0;
            for (std::uint64_t i = 0; i < 20'000; ++i) {
                auto const r = contract::cache_request(i, 9, keys, 30, distribution);
                ASSERT_LT(r.key, keys);
                highest = std::max(highest, r.key);
                updates += r.update ? 1 : 0;
            }
            EXPECT_NEAR(static_cast<double>(updates) / 20'000, 0.30, 0.015);
            if (keys <= 1000) {
                EXPECT_EQ(highest, keys - 1) << "every key can be drawn";
            }
        }
    }
    // uniform: the middle of the key space as often as the start
    std::uint64_t low = 0;
    for (std::uint64_t i = 0; i < 20'000; ++i) low += contract::cache_request(i, 9, 1000, 0, KeyDistribution::uniform).key < 500 ? 1 : 0;
    EXPECT_NEAR(static_cast<double>(low) / 20'000, 0.5, 0.02);
}

TEST(Draws, AreTheSameEveryTimeAndDifferBySeed) {
    EXPECT_EQ(contract::cache_request(5, 1, 1000, 20, KeyDistribution::zipf), contract::cache_request(5, 1, 1000, 20, KeyDistribution::zipf));
    int differ = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        differ += contract::cache_request(i, 1, 1'000'000, 20, KeyDistribution::uniform) !=
                  contract::cache_request(i, 2, 1'000'000, 20, KeyDistribution::uniform);
    }
    EXPECT_GT(differ, 95);
}

TEST(Response, RepeatsTheRecordAndItsChecksumIsFnvOverWords) {
    std::uint64_t words[4];
    contract::record_words(3, words);
    EXPECT_EQ(words[0], 3U);
    EXPECT_EQ(words[1], contract::mix(3));
    EXPECT_EQ(words[2], contract::mix(contract::mix(3)));
    // a response of 7 words over a record of 3: r0 r1 r2 r0 r1 r2 r0
    std::uint64_t const response[] = {words[0], words[1], words[2], words[0], words[1], words[2], words[0]};
    EXPECT_EQ(contract::response_checksum(3, 2, 7), contract::fnv1a_words(response));
}

// --- the cache and the ledger catch what they are for -------------------------------------------------

TEST(Cache, IsWholeAfterFillAndCountsUpdatesAndEvictions) {
    auto p = base();
    p.entries = 100;
    p.keys = 1'000;
    p.shards = 7;
    Cache cache{p};
    EXPECT_EQ(cache.problems(0), "");
    std::uint64_t record[1 + 8];
    cache.serve({.key = 5, .update = true}, record);
    cache.serve({.key = 500, .update = true}, record);  // a miss: loaded, the shard's oldest evicted
    EXPECT_EQ(record[0], 500U);
    EXPECT_EQ(record[1], contract::mix(500));
    EXPECT_EQ(cache.misses(), 1U);
    EXPECT_EQ(cache.problems(2), "");
    EXPECT_NE(cache.problems(3), "") << "an update that never reached the cache";
    EXPECT_NE(cache.problems(1), "") << "one too many";
    // the least recently used goes first: fill shard 0 (keys 0, 7, 14, ...) with misses until key 0's turn
    for (std::uint64_t key = 700; key < 700 + 7 * 20; key += 7) cache.serve({.key = key, .update = false}, record);
    EXPECT_EQ(cache.problems(2), "") << "evicted records' updates are kept aside";
}

TEST(Measure, RejectsADuplicatedOrMissingAnswerAndAWrongChecksum) {
    auto p = base();
    p.requests = 50;
    p.entries = p.keys = 100;
    p.shards = 4;
    EXPECT_NE(reference(p, 50, p.key_seed).checksum, reference(p, 50, warmup_seed(p)).checksum) << "a warm-up draws other keys";
    auto const twice = [&p](Cache& cache, Ledger& ledger) {
        auto network = ledger.arrivals([&](Request const& r) {
            serve(cache, ledger, r, p);
            if (r.index == 3) serve(cache, ledger, r, p);
        });
        network.join();
        return ledger.checksum();
    };
    EXPECT_THROW(measure(p, 0, twice), WrongAnswer);
    auto const lost = [&p](Cache& cache, Ledger& ledger) {
        auto network = ledger.arrivals([&](Request const& r) {
            if (r.index != 7) serve(cache, ledger, r, p);
        });
        network.join();
        return ledger.checksum();
    };
    EXPECT_THROW(measure(p, 0, lost), WrongAnswer);
    auto const wrong_key = [&p](Cache& cache, Ledger& ledger) {
        auto network = ledger.arrivals([&](Request r) {
            r.ask.key = (r.ask.key + 1) % p.keys;
            serve(cache, ledger, r, p);
        });
        network.join();
        return ledger.checksum();
    };
    EXPECT_THROW(measure(p, 0, wrong_key), WrongAnswer);
    auto const right = [&p](Cache& cache, Ledger& ledger) {
        auto network = ledger.arrivals([&](Request const& r) { serve(cache, ledger, r, p); });
        network.join();
        return ledger.checksum();
    };
    EXPECT_NO_THROW(measure(p, 1, right));
}

// --- what the runner refuses before anything runs ----------------------------------------------------

TEST(Validate, RefusesShapesThatCannotBeServed) {
    auto const scenario = Spec::describe();
    auto const refused = [&](ParamValues changes) {
        auto values = defaults(scenario.params);
        for (auto const& [name, value] : changes) values[name] = value;
        Model const models[] = {Model::fibers};
        return scenario.validate(values, std::span<Model const>{models});
    };
    EXPECT_EQ(refused({}), "");
    EXPECT_NE(refused({{"value_bytes", 60ULL}}).find("multiple of 8"), std::string::npos);
    EXPECT_NE(refused({{"response_bytes", 64ULL}}).find("cannot hold a record"), std::string::npos);
    EXPECT_NE(refused({{"keys", 10ULL}}).find("fewer than --entries"), std::string::npos);
    EXPECT_NE(refused({{"entries", 10ULL}, {"shards", 64ULL}}).find("--shards"), std::string::npos);
    EXPECT_NE(refused({{"entries", 2'000'000'000ULL}}).find("MiB"), std::string::npos);
    EXPECT_NE(refused({{"requests", 20'000'000ULL}, {"rate", 1ULL}}).find("more than an hour"), std::string::npos);
}

}  // namespace
}  // namespace conclab::cache_service
