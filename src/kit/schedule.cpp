#include "src/kit/schedule.hpp"

#include "src/kit/splitmix.hpp"

#include <cmath>

namespace conclab {

Schedule::Schedule(Arrivals const& arrivals, std::uint64_t items) : arrivals_{arrivals} {
    if (!arrivals.open() || !arrivals.poisson) return;
    offsets_ns_.resize(items);
    double at_ns = 0;
    for (std::uint64_t i = 0; i < items; ++i) {
        offsets_ns_[i] = static_cast<std::int64_t>(at_ns);
        // the gap after item i: exponential with mean 1/rate, from the item's own stream
        double const u = (static_cast<double>(splitmix64(arrivals.seed ^ splitmix64(i)) >> 11) + 0.5) * 0x1.0p-53;
        at_ns += -std::log(u) / arrivals.rate * 1e9;
    }
}

Clock::duration Schedule::offset(std::uint64_t index) const noexcept {
    if (!arrivals_.open()) return Clock::duration::zero();
    if (arrivals_.poisson) return std::chrono::nanoseconds{offsets_ns_[index]};
    return std::chrono::nanoseconds{static_cast<std::int64_t>(static_cast<double>(index) / arrivals_.rate * 1e9)};
}

std::vector<ParamSpec> open_loop_params() {
    return {
        {"rate", 0ULL, 0, 100'000'000,
         "open loop: items started per second on a fixed schedule, latency counted from when each was due; 0: closed loop",
         "all", {}},
        {"arrival", std::string{"constant"}, 0, 0, "open loop: equal gaps, or Poisson arrivals (exponential gaps)", "all",
         {"constant", "poisson"}},
        {"arrival_seed", 0ULL, 0, UINT64_MAX, "open loop: seed of the Poisson gaps", "all", {}},
    };
}

Arrivals arrivals_from(ParamValues const& values) {
    return Arrivals{.rate = static_cast<double>(get(values, "rate")),
                    .poisson = get_text(values, "arrival") == "poisson",
                    .seed = get(values, "arrival_seed")};
}

std::string validate_open_loop(ParamValues const& values, std::uint64_t items) {
    auto const arrivals = arrivals_from(values);
    if (!arrivals.open()) return {};
    if (items > 20'000'000) {
        return "an open-loop run (--rate) of " + std::to_string(items) + " items: at most 20,000,000; fewer items, or no --rate";
    }
    if (static_cast<double>(items) / arrivals.rate > 3600) {
        return "--rate " + std::to_string(get(values, "rate")) + " with " + std::to_string(items) +
               " items is a run of more than an hour; a higher rate or fewer items";
    }
    return {};
}

void set_rates(Arrivals const& arrivals, CaseMetrics& metrics) noexcept {
    if (!arrivals.open()) return;
    metrics.rate_requested = arrivals.rate;
    metrics.rate_achieved = metrics.throughput_per_s;
    metrics.saturated = metrics.rate_achieved < 0.9 * arrivals.rate ? 1 : 0;
}

}  // namespace conclab
