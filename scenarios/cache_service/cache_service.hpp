// cache-service: the debate's headline case (Discord's Read States). A
// service holds a cache of `entries` small records, each reached through
// pointers (a hash map and an LRU list per shard), filled before anything
// is timed: a live heap of hundreds of MB. Requests arrive open loop at
// --rate, each a read or an update of a key drawn from the contract's
// distribution; each is served the model's own way (a fiber, a task, a TBB
// task, a pool thread) and allocates its response, whose checksum the run
// adds up. Latency is completion minus the scheduled arrival, and the worst
// latency of every 100 ms window is kept: a collector's pause is a spike
// in that timeline. Full specification: scenarios/cache_service/README.md.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/contract.hpp"
#include "scenarios/harness.hpp"
#include "src/kit/exactly_once.hpp"
#include "src/kit/histogram.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"
#include "src/kit/schedule.hpp"
#include "src/kit/stopwatch.hpp"
#include "src/kit/timeline.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>

namespace conclab::cache_service {

struct Params {
    std::uint64_t entries = 0;         ///< records cached, filled before the clock
    std::uint64_t keys = 0;            ///< key space (>= entries; more: misses load and evict)
    std::uint64_t value_bytes = 0;     ///< each record's value (a multiple of 8)
    std::uint64_t response_bytes = 0;  ///< each response (a multiple of 8, at least a record)
    std::uint64_t requests = 0;        ///< per measured run
    std::uint64_t update_percent = 0;  ///< share of requests that update their record
    contract::KeyDistribution key_dist = contract::KeyDistribution::zipf;
    std::uint64_t key_seed = 0;
    std::uint64_t shards = 1;          ///< the cache's shards, each a lock, a map and an LRU list
    std::uint64_t workers = 1;         ///< threads model: the pool's threads
    unsigned threads = 1;              ///< T: OS threads of the fibers/coroutines/tbb runtime
    Arrivals arrivals{};               ///< when requests are due (always open loop)
    bool record_latency = true;

    std::uint64_t value_words() const noexcept { return value_bytes / 8; }
    std::uint64_t response_words() const noexcept { return response_bytes / 8; }
    /// The bytes of live data the cache holds: each record's key, version and value.
    std::uint64_t cached_bytes() const noexcept { return entries * (16 + value_bytes); }
};

/// A request on its way to be served: its number, what it asks, when it was due.
struct Request {
    std::uint64_t index = 0;
    contract::CacheRequest ask{};
    Clock::time_point due{};
};

/// The threads model's queue in front of its pool (a server's backlog).
inline constexpr std::size_t backlog = 1024;

/// The cache: `shards` shards, key k in shard k mod shards, each a mutex
/// (held for a lookup and a copy, never across a wait: a plain mutex in
/// every model, as Go's sync.Mutex and Tokio's advice for std's Mutex),
/// a hash map of records and their LRU list. Filled with keys 0 ..
/// entries-1 when made. The same structure in every model: what differs
/// is how requests reach it.
class Cache {
public:
    explicit Cache(Params const& p);
    ~Cache();
    Cache(Cache const&) = delete;
    Cache& operator=(Cache const&) = delete;

    /// Request `ask` against the cache: the record is found (or, missing,
    /// loaded and the least recently used one evicted), made the most
    /// recent, on an update given a newly allocated value (the same words:
    /// docs/contract.md), and its words (key, then value) copied to `record`.
    void serve(contract::CacheRequest ask, std::span<std::uint64_t> record);

    /// Empty when the cache is whole (every shard's map and list agree, at
    /// most its capacity) and holds exactly `updates` updates since it was
    /// filled; else what is wrong.
    std::string problems(std::uint64_t updates) const;
    std::uint64_t misses() const;

private:
    struct Entry;
    struct Shard;
    std::uint64_t value_words_;
    std::unique_ptr<Shard[]> shards_;
    std::size_t shard_count_;
};

/// Books a run's requests: each exactly once, its latency (completion -
/// due) into the histogram and the timeline, its response into the
/// checksum; and paces the arrivals.
class Ledger {
public:
    /// A run of `requests` requests drawn with `key_seed` (the measured
    /// run: the parameters'; a warm-up: warmup_seed(), other keys).
    Ledger(Params const& p, std::uint64_t requests, Schedule const& schedule, std::uint64_t key_seed);
    std::uint64_t requests() const noexcept { return seen_.items(); }
    void start() noexcept;

    /// Runs the arrivals on a thread of their own (the service's network,
    /// the same in every model): sleeps on the OS clock until each request
    /// is due and calls hand_over(request); a late one goes at once. Then,
    /// once every request is handed over, calls after_last() (closing a
    /// queue, releasing a group).
    template <class HandOver, class AfterLast = void (*)()>
    std::jthread arrivals(HandOver hand_over, AfterLast after_last = [] {}) {
        return std::jthread{[this, hand_over = std::move(hand_over), after_last = std::move(after_last)]() mutable {
            pacing_thread();
            for (std::uint64_t i = 0; i < requests(); ++i) hand_over(arrival(i));
            after_last();
        }};
    }

    /// Request i's response was complete: books it.
    void record(Request const& request, std::uint64_t response_checksum) noexcept;
    std::uint64_t checksum() const noexcept { return checksum_.load(std::memory_order_relaxed); }
    std::string problems() const { return seen_.problems("request", "answered"); }
    LatencyRecorder const& latencies() const noexcept { return latencies_; }
    LatencyTimeline const& timeline() const noexcept { return timeline_; }

private:
    static void pacing_thread() noexcept;
    Request arrival(std::uint64_t index) const noexcept;

    Params const& p_;
    std::uint64_t key_seed_;
    ExactlyOnce seen_;
    LatencyRecorder latencies_;
    LatencyTimeline timeline_;
    Pacer pacer_;
    std::atomic<std::uint64_t> checksum_{0};
};

/// Serves one request, the same in every model: allocates its response
/// (response_bytes), has the cache fill in the record, renders the rest
/// (the record's words again and again), checksums it and books it.
void serve(Cache& cache, Ledger& ledger, Request const& request, Params const& p);

/// The reference answer of a run of `requests` requests drawn with
/// `key_seed`, and how many of them update.
struct Reference {
    std::uint64_t checksum = 0;
    std::uint64_t updates = 0;
};
Reference reference(Params const& p, std::uint64_t requests, std::uint64_t key_seed);
/// A warm-up run's key seed, mix(key_seed): other requests than the
/// measured run's, so that it does not find its keys already cached.
std::uint64_t warmup_seed(Params const& p) noexcept;

/// Fills the cache (before any clock), then `warmup` unmeasured runs of a
/// second's requests each and one measured run of `requests`, all on the
/// same cache; every run is verified (checksum, exactly-once, the cache's
/// update count) and a wrong one throws WrongAnswer.
CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Cache&, Ledger&)> const& once);

/// Each model file's one entry point (scenarios/cache_service/<model>.cpp):
/// serves one run's requests on the caller's runtime; the run's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Cache& cache, Ledger& ledger);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Cache& cache, Ledger& ledger);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Cache& cache, Ledger& ledger);
std::uint64_t run(models::threads::Runtime& rt, Params const& p, Cache& cache, Ledger& ledger);

/// What the harness needs of cache-service (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "cache-service";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Cache&, Ledger&)> const& once);
};

}  // namespace conclab::cache_service
