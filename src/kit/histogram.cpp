#include "src/kit/histogram.hpp"

#include "src/kit/machine.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <sched.h>

namespace conclab {
namespace histogram_layout {

// Bucket b >= 1 holds [2^(b+10), 2^(b+11)) in 1024 steps of 2^b; bucket 0
// holds [0, 2048) exactly. Counter index = b * 1024 + (value >> b).
std::size_t index_of(std::uint64_t value) noexcept {
    value = std::min(value, max_value);
    unsigned const bucket = static_cast<unsigned>(std::bit_width(value | ((1ULL << sub_bucket_bits) - 1))) - sub_bucket_bits;
    return static_cast<std::size_t>(bucket * half_count + (value >> bucket));
}

std::uint64_t lowest_at(std::size_t index) noexcept {
    if (index < 2 * half_count) return index;
    std::uint64_t const bucket = index / half_count - 1;
    std::uint64_t const sub = index % half_count + half_count;
    return sub << bucket;
}

std::uint64_t highest_at(std::size_t index) noexcept {
    if (index < 2 * half_count) return index;
    std::uint64_t const bucket = index / half_count - 1;
    return lowest_at(index) + (1ULL << bucket) - 1;
}

}  // namespace histogram_layout

using namespace histogram_layout;

Histogram::Histogram() : counts_(counts_length) {}

void Histogram::record(std::uint64_t value, std::uint64_t times) noexcept {
    if (times == 0) return;
    counts_[index_of(value)] += times;
    total_ += times;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::add(Histogram const& other) noexcept {
    for (std::size_t i = 0; i < counts_length; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_length; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::clamp(highest_at(i), min_, max_);
    }
    return max_;
}

std::vector<std::pair<double, std::uint64_t>> Histogram::spectrum() const {
    std::vector<double> qs{0.0};
    double const resolution = total_ == 0 ? 1.0 : 1.0 / static_cast<double>(total_);
    for (double rest = 0.5; rest >= resolution / 2; rest /= 2) qs.push_back(1.0 - rest);
    for (double q : {0.9, 0.99, 0.999, 0.9999, 0.99999}) {
        if (1.0 - q >= resolution) qs.push_back(q);
    }
    std::sort(qs.begin(), qs.end());
    qs.erase(std::unique(qs.begin(), qs.end()), qs.end());
    std::vector<std::pair<double, std::uint64_t>> out;
    for (double q : qs) out.emplace_back(q * 100.0, q == 0.0 ? min() : percentile(q));
    out.emplace_back(100.0, max());
    return out;
}

LatencyRecorder::LatencyRecorder(bool enabled) : enabled_{enabled} {
    std::size_t const cpus = hardware_threads();
    std::size_t const shards = std::bit_ceil(cpus);
    shards_ = std::make_unique<Shard[]>(shards);
    shard_mask_ = shards - 1;
}

LatencyRecorder::~LatencyRecorder() {
    for (std::size_t s = 0; s <= shard_mask_; ++s) delete[] shards_[s].counts.load();
}

void LatencyRecorder::record(Clock::duration latency) noexcept {
    if (!enabled_) return;
    auto const value = static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::nanoseconds{latency}.count()));
    int const cpu = sched_getcpu();
    auto& shard = shards_[static_cast<std::size_t>(cpu < 0 ? 0 : cpu) & shard_mask_];
    auto* counts = shard.counts.load(std::memory_order_acquire);
    if (counts == nullptr) {
        auto* fresh = new (std::nothrow) std::atomic<std::uint64_t>[counts_length]();
        if (fresh == nullptr) return;  // out of memory: the value is lost, the count shows it
        if (shard.counts.compare_exchange_strong(counts, fresh, std::memory_order_acq_rel)) {
            counts = fresh;
        } else {
            delete[] fresh;  // another thread installed this shard first
        }
    }
    counts[index_of(value)].fetch_add(1, std::memory_order_relaxed);
    shard.total.fetch_add(1, std::memory_order_relaxed);
    for (auto low = shard.min.load(std::memory_order_relaxed);
         value < low && !shard.min.compare_exchange_weak(low, value, std::memory_order_relaxed);) {
    }
    for (auto high = shard.max.load(std::memory_order_relaxed);
         value > high && !shard.max.compare_exchange_weak(high, value, std::memory_order_relaxed);) {
    }
}

Histogram LatencyRecorder::merged() const {
    Histogram out;
    for (std::size_t s = 0; s <= shard_mask_; ++s) {
        auto const& shard = shards_[s];
        auto const* counts = shard.counts.load(std::memory_order_acquire);
        if (counts == nullptr) continue;
        for (std::size_t i = 0; i < counts_length; ++i) out.counts_[i] += counts[i].load(std::memory_order_relaxed);
        out.total_ += shard.total.load();
        out.min_ = std::min(out.min_, shard.min.load());
        out.max_ = std::max(out.max_, shard.max.load());
    }
    return out;
}

}  // namespace conclab
