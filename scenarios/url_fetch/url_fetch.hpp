// url-fetch: fetch /item/0 .. /item/N-1 from a server that speaks the
// contract's HTTP API (docs/contract.md), at most C requests
// in flight, over HTTP/1.1 with keep-alive. Every body is checked against
// the contract's checksum; faults (refused connections, timeouts, non-200
// answers, short bodies) are counted by kind, never dropped. A run is
// correct when every item was requested exactly once and the model's sum of
// body checksums equals the reference sum over the items fetched.
// Full specification: scenarios/url_fetch/README.md.
#pragma once

#include "models/runtimes.hpp"
#include "scenarios/harness.hpp"
#include "scenarios/url_fetch/client.hpp"
#include "scenarios/url_fetch/target.hpp"
#include "src/kit/exactly_once.hpp"
#include "src/kit/histogram.hpp"
#include "src/kit/metrics.hpp"
#include "src/kit/model.hpp"
#include "src/kit/scenario.hpp"
#include "src/kit/schedule.hpp"
#include "src/kit/stopwatch.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>


namespace conclab::url_fetch {

struct Params {
    Endpoint target;                    ///< where the server is (resolved before the clock starts)
    std::uint64_t requests = 0;         ///< N: items 0 .. N-1
    std::uint64_t concurrency = 1;      ///< C: requests in flight (fibers, coroutines, threads)
    std::uint64_t size = 0;             ///< S: body bytes per item
    DelayConfig delay;                  ///< item i asks for delay_us = item_delay_us(delay, i)
    std::chrono::milliseconds timeout{5000};  ///< per request, connect to last body byte
    bool keepalive = true;              ///< false: a new connection per request
    unsigned threads = 1;               ///< T: OS threads of the fibers/coroutines/tbb runtime
    int server_pid = 0;                 ///< the embedded server's process, for its CPU; 0: unknown
    Arrivals arrivals{};                ///< open loop: requests due on a schedule; closed loop by default
    bool record_latency = true;         ///< false: no per-request latency (to measure what recording costs)
};

/// The reference: each item's body checksum, and where counting begins.
/// Computed once per case, before any clock starts.
class Reference {
public:
    explicit Reference(Params const& p);
    std::uint64_t checksum(std::uint64_t index) const noexcept { return checksums_[index]; }
    std::uint64_t items() const noexcept { return checksums_.size(); }

private:
    std::vector<std::uint64_t> checksums_;
};

/// Books every request's result: exactly-once, latency, faults by kind,
/// bytes, connections. record() may be called from many threads at once.
class Ledger {
public:
    Ledger(Reference const& reference, Schedule const& schedule, bool record_latency = true);
    Reference const& reference() const noexcept { return reference_; }
    /// The run starts now: due times count from here.
    void start() noexcept { pacer_.start(); }
    /// When request `index` is due: on the schedule (open loop), or now.
    Clock::time_point due(std::uint64_t index) const noexcept { return pacer_.due(index); }
    bool open_loop() const noexcept { return pacer_.open(); }
    /// Open loop: the item is not due yet (wait until `due`); a late one goes at once.
    bool early(Clock::time_point due) const noexcept { return pacer_.open() && due > Clock::now(); }
    /// Books one request; returns the body's checksum when it was fetched,
    /// 0 when it failed (the run's sum counts fetched bodies only).
    std::uint64_t record(Fetched const& fetched) noexcept;
    void connection_opened() noexcept { connections_.fetch_add(1, std::memory_order_relaxed); }

    /// Empty if every item was requested exactly once, else what went wrong.
    std::string problems() const;
    std::uint64_t faults(Fault kind) const noexcept { return faults_[static_cast<std::size_t>(kind)].load(); }
    std::uint64_t failed() const noexcept;  ///< requests that ended in a fault
    std::uint64_t fetched() const noexcept { return fetched_.load(); }
    std::uint64_t bytes() const noexcept { return bytes_.load(); }
    std::uint64_t connections() const noexcept { return connections_.load(); }
    /// The reference sum over the items fetched without a fault.
    std::uint64_t expected_checksum() const noexcept;
    /// "3 timeout (first: item 7: ...)" for each kind seen; empty when none.
    std::string fault_summary() const;
    LatencyRecorder const& latencies() const noexcept { return latencies_; }  ///< of the fetched items

private:
    Reference const& reference_;
    ExactlyOnce seen_;
    std::unique_ptr<std::atomic<std::uint8_t>[]> fault_of_;
    LatencyRecorder latencies_;
    Pacer pacer_;
    std::atomic<std::uint64_t> faults_[fault_kinds.size()]{};
    std::atomic<std::uint64_t> fetched_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> connections_{0};
    mutable std::mutex first_mutex_;
    std::string first_[fault_kinds.size()];  // the first fault's detail, per kind
};

/// The requests' indices, handed out once each (the models' "jobs").
class Feed {
public:
    explicit Feed(std::uint64_t requests) noexcept : requests_{requests} {}
    std::optional<std::uint64_t> next() noexcept {
        auto const index = next_.fetch_add(1, std::memory_order_relaxed);
        if (index >= requests_) return std::nullopt;
        return index;
    }

private:
    std::uint64_t requests_;
    std::atomic<std::uint64_t> next_{0};
};

/// What every request of a run with these parameters asks for.
RequestPlan request_plan(Params const& p) noexcept;

/// One request of the blocking models: fetches item `index`, due at `due`,
/// on `connection`, books it, returns what record() returns.
std::uint64_t fetch(BlockingConnection& connection, std::uint64_t index, Clock::time_point due, Params const& p, Ledger& ledger);

/// Tasks to start for C in flight: C, but no more than there are requests.
std::uint64_t workers(Params const& p) noexcept;

/// `warmup` unmeasured runs, then one measured run of `once`; every run is
/// verified (exactly-once and the checksum over the items fetched). Bodies
/// that fail their checksum throw WrongAnswer; other faults are counted in
/// the metrics.
CaseMetrics measure(Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once);

/// Each model file's one entry point (scenarios/url_fetch/<model>.cpp), by
/// runtime type: one run on the caller's runtime, the model's checksum.
std::uint64_t run(models::fibers::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Ledger& ledger);
std::uint64_t run(models::threads::Runtime& rt, Params const& p, Ledger& ledger);

/// Variants with a file of their own (scenarios/registry.cpp lists them).
namespace tbb_suspend {
inline constexpr harness::FileVariant variant{
    "suspend",
    "a task suspends while its socket is not ready (tbb::task::suspend, resumed by a poller thread) instead of "
    "blocking its thread: C requests in flight on T threads"};
std::uint64_t run(models::tbb::Runtime& rt, Params const& p, Ledger& ledger);
}  // namespace tbb_suspend
namespace coroutines_beast_streams {
inline constexpr harness::FileVariant variant{
    "beast-streams",
    "Beast's asynchronous operations on a tcp_stream (every completion posted through the reactor's queue, a "
    "timer re-armed per operation, a strand per task) instead of the task's own non-blocking socket calls "
    "that await readiness only when they would block"};
std::uint64_t run(models::coroutines::Runtime& rt, Params const& p, Ledger& ledger);
}  // namespace coroutines_beast_streams

/// What the harness needs of url-fetch (scenarios/harness.hpp).
struct Spec : harness::SpecFor<Params> {
    static constexpr char const* name = "url-fetch";
    static Scenario describe();
    static Params params_from(ParamValues const& values, CaseOptions const& options);
    static CaseMetrics measure(Model model, Params const& p, unsigned warmup, std::function<std::uint64_t(Ledger&)> const& once);
};

}  // namespace conclab::url_fetch
