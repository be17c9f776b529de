// cache-service's shared parts: the cache, the ledger and its arrivals, the
// serving of one request, the reference answer, the measurement of a case
// and the parameters the runner offers.
#include "scenarios/cache_service/cache_service.hpp"

#include "scenarios/common_params.hpp"
#include "scenarios/limits.hpp"
#include "src/kit/latency.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/prctl.h>
#include <time.h>

namespace conclab::cache_service {
namespace {

using contract::KeyDistribution;

constexpr std::uint64_t max_value_bytes = 8 * contract::max_value_words;

// The parameters, each declared once: its flag, default, range and meaning, and its member.
ParamTable<Params> const& params_table() {
    static ParamTable<Params> const table{
        param(&Params::entries, {"entries", 2'000'000ULL, 1, 2'000'000'000,
                                 "records in the cache, filled before the clock (each a map entry, an LRU link and a value of its own)", "all", {}}),
        param(&Params::keys, {"keys", 0ULL, 0, UINT64_MAX / 2,
                              "key space the requests draw from; 0: the entries (every request hits); more: misses load the record "
                              "and evict the least recently used", "all", {}}),
        param(&Params::value_bytes, {"value_bytes", 64ULL, 8, max_value_bytes, "each record's value, in bytes (a multiple of 8)", "all", {}}),
        param(&Params::response_bytes, {"response_bytes", 4096ULL, 8, 1ULL << 20,
                                        "each response, allocated per request: the record rendered again and again (a multiple of 8, "
                                        "at least value_bytes + 8)", "all", {}}),
        param(&Params::requests, {"requests", 200'000ULL, 1, 20'000'000, "requests in the measured run (a warm-up run serves a second's)", "all", {}}),
        param(&Params::update_percent, {"update_percent", 20ULL, 0, 100,
                                        "percent of requests that update their record (a new value replaces the old)", "all", {}}),
        param<Params>({"key_dist", std::string{"zipf"}, 0, 0, "how keys are drawn: Zipfian (exponent 1: a few keys are hot) or uniform",
                       "all", {"zipf", "uniform"}},
                      [](Params& p, ParamValue const& v) {
                          p.key_dist = std::get<std::string>(v) == "uniform" ? KeyDistribution::uniform : KeyDistribution::zipf;
                      }),
        param(&Params::key_seed, {"key_seed", 1ULL, 0, UINT64_MAX, "seed of the requests' keys and kinds (docs/contract.md)", "all", {}}),
        param(&Params::shards, {"shards", 64ULL, 1, 65'536, "the cache's shards: each a mutex, a hash map and an LRU list", "all", {}}),
        param(&Params::workers, {"workers", 16ULL, 1, 10'000, "threads model: the pool's OS threads serving requests", "threads, rust-threads", {}}),
        param(&Params::threads, runtime_threads_param()),
        open_loop_param(&Params::arrivals, 20'000),
        offered<Params>({"gogc", 100ULL, 0, 1'000'000,
                         "Go peer: GOGC, the heap growth (percent) that starts a collection; 0: off (GOGC=off)", "go", {}}),
        offered<Params>({"gomemlimit_mb", 0ULL, 0, 1ULL << 30, "Go peer: GOMEMLIMIT in MiB, the soft memory limit; 0: none", "go", {}}),
    };
    return table;
}

Params params_from(ParamValues const& v, CaseOptions const& options = {}) {
    auto p = read_params(params_table(), v);
    if (p.keys == 0) p.keys = p.entries;
    p.record_latency = options.record_latency;
    return p;
}

std::string validate(ParamValues const& values, std::span<Model const> models) {
    Params const p = params_from(values);
    if (p.value_bytes % 8 != 0) return "--value-bytes " + std::to_string(p.value_bytes) + " is not a multiple of 8 (records are 64-bit words)";
    if (p.response_bytes % 8 != 0) return "--response-bytes " + std::to_string(p.response_bytes) + " is not a multiple of 8";
    if (p.response_bytes < p.value_bytes + 8) {
        return "--response-bytes " + std::to_string(p.response_bytes) + " cannot hold a record (" + std::to_string(p.value_bytes + 8) +
               " bytes: its key and value); at least value_bytes + 8";
    }
    if (p.keys < p.entries) {
        return "--keys " + std::to_string(p.keys) + " is fewer than --entries " + std::to_string(p.entries) +
               ": the cache is filled with keys 0 .. entries-1; 0 (the entries) or more";
    }
    if (p.shards > p.entries) return "--shards " + std::to_string(p.shards) + " is more than --entries " + std::to_string(p.entries);
    // the records, their maps and links, and a collector's headroom (Go: twice the live heap at GOGC=100)
    if (auto const need = p.entries * (p.value_bytes + 128) * 3; need > limits::physical_memory_bytes() / 10 * 8) {
        return "--entries " + std::to_string(p.entries) + " of " + std::to_string(p.value_bytes) + "-byte values needs about " +
               std::to_string(need >> 20) + " MiB with a collector's headroom, more than 80% of this machine's " +
               std::to_string(limits::physical_memory_bytes() >> 20) + " MiB; fewer entries or smaller values";
    }
    for (Model model : models) {
        if (model == Model::threads) {
            if (auto problem = limits::os_threads_refusal("workers", p.workers); !problem.empty()) return problem;
        }
    }
    if (!p.arrivals.open()) return "cache-service is open loop: --rate must be at least 1 request per second";
    return validate_open_loop(values, p.requests);
}

// The requests a warm-up run serves: a second's, at most the measured run's.
std::uint64_t warmup_requests(Params const& p) {
    return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(p.arrivals.rate), 1, p.requests);
}

void sleep_until(Clock::time_point due) noexcept {
    // steady_clock is CLOCK_MONOTONIC: an absolute sleep, not one that drifts by its own lateness
    auto const ns = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count();
    timespec const at{.tv_sec = static_cast<time_t>(ns / 1'000'000'000), .tv_nsec = static_cast<long>(ns % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
}

}  // namespace

// --- the cache ------------------------------------------------------------------------------------------

struct Cache::Entry {
    std::uint64_t key = 0;
    std::uint64_t version = 0;   // updates since loaded
    Entry* newer = nullptr;      // LRU list: toward the most recently used
    Entry* older = nullptr;
    std::unique_ptr<std::uint64_t[]> value;  // value_words words, an allocation of its own
};

struct alignas(64) Cache::Shard {
    std::mutex lock;
    std::unordered_map<std::uint64_t, Entry> map;
    Entry* newest = nullptr;
    Entry* oldest = nullptr;
    std::size_t capacity = 0;
    std::uint64_t misses = 0;
    std::uint64_t evicted_versions = 0;

    void unlink(Entry& e) noexcept {
        (e.newer ? e.newer->older : newest) = e.older;
        (e.older ? e.older->newer : oldest) = e.newer;
        e.newer = e.older = nullptr;
    }
    void push_newest(Entry& e) noexcept {
        e.older = newest;
        e.newer = nullptr;
        (newest ? newest->newer : oldest) = &e;
        newest = &e;
    }
};

namespace {
// A record's value as the store would load it: words 1 .. value_words of the contract's record.
std::unique_ptr<std::uint64_t[]> load_value(std::uint64_t key, std::uint64_t value_words) {
    std::uint64_t record[1 + contract::max_value_words];
    contract::record_words(key, std::span{record, 1 + value_words});
    auto value = std::make_unique_for_overwrite<std::uint64_t[]>(value_words);
    std::copy_n(record + 1, value_words, value.get());
    return value;
}
}  // namespace

Cache::Cache(Params const& p) : value_words_{p.value_words()}, shards_{std::make_unique<Shard[]>(p.shards)}, shard_count_{p.shards} {
    for (std::size_t s = 0; s < shard_count_; ++s) {
        // key k lives in shard k mod shards: filling keys 0 .. entries-1 fills every shard to its capacity
        shards_[s].capacity = p.entries / shard_count_ + (s < p.entries % shard_count_ ? 1 : 0);
        shards_[s].map.reserve(shards_[s].capacity + 1);
    }
    for (std::uint64_t key = 0; key < p.entries; ++key) {
        auto& shard = shards_[key % shard_count_];
        auto& e = shard.map[key];
        e.key = key;
        e.value = load_value(key, value_words_);
        shard.push_newest(e);
    }
}

Cache::~Cache() = default;

void Cache::serve(contract::CacheRequest ask, std::span<std::uint64_t> record) {
    auto& shard = shards_[ask.key % shard_count_];
    // an update's new value is made before the lock is taken, the old one freed after it is let go
    auto value = ask.update ? load_value(ask.key, value_words_) : nullptr;
    std::lock_guard lock{shard.lock};
    auto [at, missed] = shard.map.try_emplace(ask.key);
    Entry& e = at->second;
    if (missed) {
        ++shard.misses;
        e.key = ask.key;
        e.value = load_value(ask.key, value_words_);
        if (shard.map.size() > shard.capacity) {
            Entry& victim = *shard.oldest;
            shard.evicted_versions += victim.version;
            shard.unlink(victim);
            shard.map.erase(victim.key);
        }
    } else {
        shard.unlink(e);
    }
    shard.push_newest(e);
    if (ask.update) {
        e.value.swap(value);
        ++e.version;
    }
    record[0] = e.key;
    std::copy_n(e.value.get(), value_words_, record.begin() + 1);
}

std::string Cache::problems(std::uint64_t updates) const {
    std::uint64_t versions = 0;
    for (std::size_t s = 0; s < shard_count_; ++s) {
        auto& shard = shards_[s];
        std::lock_guard lock{shard.lock};
        std::size_t linked = 0;
        Entry const* newer = nullptr;
        for (Entry const* e = shard.newest; e != nullptr; newer = e, e = e->older) {
            if (e->newer != newer || ++linked > shard.map.size() || e->key % shard_count_ != s) {
                return "shard " + std::to_string(s) + "'s LRU list is broken at key " + std::to_string(e->key);
            }
            versions += e->version;
        }
        if (newer != shard.oldest || linked != shard.map.size() || linked > shard.capacity) {
            return "shard " + std::to_string(s) + " links " + std::to_string(linked) + " records, maps " + std::to_string(shard.map.size()) +
                   ", may hold " + std::to_string(shard.capacity);
        }
        versions += shard.evicted_versions;
    }
    if (versions != updates) {
        return "the cache holds " + std::to_string(versions) + " updates; the requests asked for " + std::to_string(updates);
    }
    return {};
}

std::uint64_t Cache::misses() const {
    std::uint64_t misses = 0;
    for (std::size_t s = 0; s < shard_count_; ++s) {
        std::lock_guard lock{shards_[s].lock};
        misses += shards_[s].misses;
    }
    return misses;
}

// --- the ledger and the arrivals ------------------------------------------------------------------------

Ledger::Ledger(Params const& p, std::uint64_t requests, Schedule const& schedule, std::uint64_t key_seed)
    : p_{p},
      key_seed_{key_seed},
      seen_{requests},
      latencies_{p.record_latency},
      timeline_{std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(requests) / p.arrivals.rate))},
      pacer_{schedule} {}

void Ledger::start() noexcept {
    pacer_.start();
    timeline_.start(Clock::now());
}

void Ledger::pacing_thread() noexcept {
    // the kernel may otherwise wake a sleeper up to 50 us late (its default timer slack)
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

Request Ledger::arrival(std::uint64_t index) const noexcept {
    Request request{.index = index,
                    .ask = contract::cache_request(index, key_seed_, p_.keys, p_.update_percent, p_.key_dist),
                    .due = pacer_.due(index)};
    if (request.due > Clock::now()) sleep_until(request.due);
    return request;
}

void Ledger::record(Request const& request, std::uint64_t response_checksum) noexcept {
    auto const now = Clock::now();
    if (!seen_.book(request.index)) return;
    latencies_.record(now - request.due);
    timeline_.record(now, now - request.due);
    checksum_.fetch_add(contract::response_term(request.index, response_checksum), std::memory_order_relaxed);
}

void serve(Cache& cache, Ledger& ledger, Request const& request, Params const& p) {
    auto const words = p.response_words();
    auto const record = 1 + p.value_words();
    auto response = std::make_unique_for_overwrite<std::uint64_t[]>(words);  // what a service allocates per response
    cache.serve(request.ask, {response.get(), record});
    for (auto j = record; j < words; ++j) response[j] = response[j - record];  // rendered: the record again and again
    ledger.record(request, contract::fnv1a_words({response.get(), words}));
}

std::uint64_t warmup_seed(Params const& p) noexcept { return contract::mix(p.key_seed); }

Reference reference(Params const& p, std::uint64_t requests, std::uint64_t key_seed) {
    Reference out;
    for (std::uint64_t i = 0; i < requests; ++i) {
        auto const ask = contract::cache_request(i, key_seed, p.keys, p.update_percent, p.key_dist);
        out.checksum += contract::response_term(i, contract::response_checksum(ask.key, p.value_words(), p.response_words()));
        out.updates += ask.update ? 1 : 0;
    }
    return out;
}

// --- a case ---------------------------------------------------------------------------------------------

CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Cache&, Ledger&)> const& once) {
    malloc_trim(0);
    double const empty_rss = resident_bytes();  // the service before its cache
    Cache cache{p};
    std::uint64_t updates = 0;  // since the fill, over every run
    auto const verify = [&](std::uint64_t checksum, Ledger const& ledger, Reference const& expected) {
        if (auto problems = ledger.problems(); !problems.empty()) throw WrongAnswer{problems};
        if (checksum != expected.checksum) {
            throw WrongAnswer{"checksum " + hex64(checksum) + " differs from the reference " + hex64(expected.checksum)};
        }
        updates += expected.updates;
        if (auto problems = cache.problems(updates); !problems.empty()) throw WrongAnswer{problems};
    };
    auto const warm = warmup_requests(p);
    Schedule const warm_schedule{p.arrivals, warm};
    Reference const warm_expected = warmup > 0 ? reference(p, warm, warmup_seed(p)) : Reference{};
    for (unsigned i = 0; i < warmup; ++i) {
        Ledger ledger{p, warm, warm_schedule, warmup_seed(p)};
        ledger.start();
        verify(once(cache, ledger), ledger, warm_expected);
    }
    Reference const expected = reference(p, p.requests, p.key_seed);
    Schedule const schedule{p.arrivals, p.requests};
    Ledger ledger{p, p.requests, schedule, p.key_seed};  // allocated and zeroed before the clock starts
    auto const misses_before = cache.misses();
    CaseMetrics metrics;
    Stopwatch stopwatch;
    ledger.start();
    auto const checksum = once(cache, ledger);
    stopwatch.stop(p.requests, metrics);
    set_rates(p.arrivals, metrics);
    verify(checksum, ledger, expected);
    metrics.checksum = checksum;
    metrics.expected_checksum = expected.checksum;
    summarize_latencies(ledger.latencies().merged(), metrics);
    metrics.latency_timeline_us = ledger.timeline().worst_us();
    metrics.timeline_window_s = ledger.timeline().window_s();
    auto const cached = static_cast<double>(p.cached_bytes());
    metrics.extra["cached_bytes"] = cached;
    metrics.extra["cache_rss_bytes"] = metrics.rss_run_peak_bytes - empty_rss;
    metrics.extra["rss_per_cached_byte"] = (metrics.rss_run_peak_bytes - empty_rss) / cached;
    metrics.extra["cache_misses"] = static_cast<double>(cache.misses() - misses_before);
    return metrics;
}

Params Spec::params_from(ParamValues const& values, CaseOptions const& options) { return cache_service::params_from(values, options); }

CaseMetrics Spec::measure(Model, Params const& p, unsigned warmup, std::function<std::uint64_t(Cache&, Ledger&)> const& once) {
    return cache_service::measure(p, warmup, once);
}

Scenario Spec::describe() {
    Scenario s{
    .name = name,
    .summary = "a service holding a large cache (map + LRU) serves reads and updates arriving open loop; tails and spikes over time",
    .unit = "requests",
    .params = specs_of(params_table()),
    .metrics = {
        {"cached_bytes", "bytes", "", 1, false, false, false},
        {"cache_rss_bytes", "bytes", "", 1, false, false, true},
        {"rss_per_cached_byte", "ratio", "RSS/cached", 1, false, false, false},
        {"cache_misses", "count", "", 1, true, false, false},
    },
    .validate = validate,
    .setup = nullptr,
    .models = {},
    .reference = [](ParamValues const& values, std::span<std::uint64_t const>) {
        auto const p = cache_service::params_from(values);
        return reference(p, p.requests, p.key_seed).checksum;
    },
    .items = [](ParamValues const& values) { return cache_service::params_from(values).requests; },
    .small = {{"entries", 20'000ULL}, {"requests", 4'000ULL}, {"threads", 2ULL}, {"workers", 4ULL}},
    // the last request is due (requests - 1) / rate after the start
    .least_wall_s = [](ParamValues const& values) {
        auto const p = cache_service::params_from(values);
        return static_cast<double>(p.requests - 1) / p.arrivals.rate;
    },
    .peers_open_loop = true,
    };
    return s;
}

}  // namespace conclab::cache_service
