// Latency histograms in HdrHistogram's log-linear layout: values (ns) are
// kept to 3 significant digits (relative error below 1/1024) from 1 ns to
// 2^42 ns (73 minutes) in constant memory, 34,816 counters.
//
// Histogram is the plain form (merging, percentiles, the spectrum).
// LatencyRecorder is what many threads record into at once: one shard per
// CPU (chosen with sched_getcpu), relaxed atomic increments, no locks; a
// shard's counters are allocated by the first value recorded on that CPU.
#pragma once

#include "src/kit/stopwatch.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace conclab {

namespace histogram_layout {
inline constexpr unsigned sub_bucket_bits = 11;                       // 2048 sub-buckets per bucket
inline constexpr std::uint64_t half_count = 1ULL << (sub_bucket_bits - 1);
inline constexpr std::uint64_t max_value = (1ULL << 42) - 1;          // larger values count as this
inline constexpr std::size_t counts_length = (42 - sub_bucket_bits + 2) * half_count;

/// The counter of `value` (clamped to max_value).
std::size_t index_of(std::uint64_t value) noexcept;
/// The smallest and the largest value that share counter `index`.
std::uint64_t lowest_at(std::size_t index) noexcept;
std::uint64_t highest_at(std::size_t index) noexcept;
}  // namespace histogram_layout

class Histogram {
public:
    Histogram();
    void record(std::uint64_t value, std::uint64_t times = 1) noexcept;
    void add(Histogram const& other) noexcept;

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }   ///< exact
    std::uint64_t max() const noexcept { return max_; }                      ///< exact
    /// Nearest rank: the smallest recorded value v (to the histogram's
    /// precision: the highest value sharing v's counter, at most max())
    /// with at least q of all values at or below it. q in [0, 1]; 0 when empty.
    std::uint64_t percentile(double q) const noexcept;
    /// (percentile in %, value) from 0 to 100: 50, 75, 87.5, ... halving
    /// the distance to 100 while a value is left to tell apart, plus 90,
    /// 99, 99.9, 99.99, 99.999 where there are enough values.
    std::vector<std::pair<double, std::uint64_t>> spectrum() const;

    std::vector<std::uint64_t>& counts() noexcept { return counts_; }

private:
    friend class LatencyRecorder;
    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

class LatencyRecorder {
public:
    /// `enabled` false: record() does nothing (runs without latency
    /// recording, to measure its overhead).
    explicit LatencyRecorder(bool enabled = true);
    ~LatencyRecorder();
    LatencyRecorder(LatencyRecorder const&) = delete;
    LatencyRecorder& operator=(LatencyRecorder const&) = delete;

    bool enabled() const noexcept { return enabled_; }
    /// Thread-safe, lock-free.
    void record(Clock::duration latency) noexcept;
    /// All shards added up; call when no thread records any more.
    Histogram merged() const;

private:
    struct alignas(64) Shard {
        std::atomic<std::atomic<std::uint64_t>*> counts{nullptr};
        std::atomic<std::uint64_t> total{0};
        std::atomic<std::uint64_t> min{UINT64_MAX};
        std::atomic<std::uint64_t> max{0};
    };
    bool enabled_;
    std::unique_ptr<Shard[]> shards_;
    std::size_t shard_mask_;
};

}  // namespace conclab
