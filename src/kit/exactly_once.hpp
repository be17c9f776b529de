// The exactly-once check of a run's items, for the scenarios' ledgers: how
// many times each item was booked (from any thread), and what went wrong
// in words when an item was never booked, booked twice, or does not exist.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace conclab {

class ExactlyOnce {
public:
    explicit ExactlyOnce(std::uint64_t items);

    /// Books item `index`, from any thread; false (counted as a stray) when
    /// there is no such item.
    bool book(std::uint64_t index) noexcept {
        if (index >= items_) {
            strays_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        seen_[index].fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    /// Times item `index` was booked (after the run).
    std::uint32_t times(std::uint64_t index) const noexcept { return seen_[index].load(std::memory_order_relaxed); }
    std::uint64_t items() const noexcept { return items_; }

    /// Empty if every item was booked exactly once; else, e.g. with noun
    /// "job" and verb "done": "3 job(s) never done (first: job 7); 1 job(s)
    /// done more than once (first: job 2); 1 result(s) for jobs that do not exist".
    std::string problems(std::string_view noun, std::string_view verb) const;

private:
    std::uint64_t items_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> seen_;
    std::atomic<std::uint64_t> strays_{0};  // indices out of range
};

}  // namespace conclab
