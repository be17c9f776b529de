// Go's sync.WaitGroup for OS threads is C++20's std::latch: count_down() is
// done(), wait() blocks the calling thread until the count reaches zero.
#pragma once

#include <cstdint>
#include <latch>

namespace conclab::models::threads {

class WaitGroup {
public:
    explicit WaitGroup(std::uint64_t count) : latch_{static_cast<std::ptrdiff_t>(count)} {}

    /// One expected task finished.
    void done() { latch_.count_down(); }
    /// Blocks the calling thread until every expected task finished.
    void wait() { latch_.wait(); }

private:
    std::latch latch_;
};

}  // namespace conclab::models::threads
