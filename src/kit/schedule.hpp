// Open-loop load: when each item of a run is due, on a fixed schedule that
// does not wait for the system under test (wrk2's approach). A late item's
// latency counts from when it was due, so a stall shows in the tail instead
// of silently slowing the load down (coordinated omission).
#pragma once

#include "src/kit/params.hpp"
#include "src/kit/stopwatch.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace conclab {

struct Arrivals {
    double rate = 0;          ///< items per second; 0: closed loop (as fast as items are taken)
    bool poisson = false;     ///< exponential gaps (seeded) instead of equal ones
    std::uint64_t seed = 0;

    bool open() const noexcept { return rate > 0; }
};

/// The due offsets of items 0 .. n-1 from the start of a run. Poisson
/// offsets are drawn once (8 bytes an item) before any clock starts: every
/// run and every model gets the same schedule.
class Schedule {
public:
    Schedule(Arrivals const& arrivals, std::uint64_t items);
    bool open() const noexcept { return arrivals_.open(); }
    Clock::duration offset(std::uint64_t index) const noexcept;

private:
    Arrivals arrivals_;
    std::vector<std::int64_t> offsets_ns_;  // Poisson only
};

/// One run's clock for its schedule: due(i) is when item i should start
/// (closed loop: now).
class Pacer {
public:
    explicit Pacer(Schedule const& schedule) noexcept : schedule_{schedule}, start_{Clock::now()} {}
    /// The run starts now (call it right before the run).
    void start() noexcept { start_ = Clock::now(); }
    bool open() const noexcept { return schedule_.open(); }
    Clock::time_point due(std::uint64_t index) const noexcept {
        return schedule_.open() ? start_ + schedule_.offset(index) : Clock::now();
    }

private:
    Schedule const& schedule_;
    Clock::time_point start_;
};

/// The parameters every scenario with a stream of items offers: rate,
/// arrival, arrival_seed.
std::vector<ParamSpec> open_loop_params();
Arrivals arrivals_from(ParamValues const& values);
/// Refuses schedules that cannot run: more than 20M items in open loop
/// (8 bytes each for Poisson), or more than an hour at the rate given.
std::string validate_open_loop(ParamValues const& values, std::uint64_t items);


/// Fills rate_requested, rate_achieved (items / wall) and saturated (1 when
/// the run achieved less than 90% of the rate asked for) of an open-loop
/// run; leaves them NaN for a closed-loop one.
void set_rates(Arrivals const& arrivals, CaseMetrics& metrics) noexcept;

}  // namespace conclab
