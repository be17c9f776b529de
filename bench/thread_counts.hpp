// The OS-thread counts the microbenchmarks run at, read from the machine
// instead of fixed at the 1 and 2 of the machine they were written on: 1,
// then doubling, then every core (1, 2, 4, 8, 12 on 12 cores). `minimum`
// leaves out counts a benchmark cannot run at (a steal needs a second
// thread; on one core it still gets two, oversubscribed).
// CONCLAB_BENCH_THREADS=N caps the largest (a quick look on a big server).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace conclab::bench {

inline std::vector<int> thread_counts(unsigned cores, int minimum = 1) {
    int const most = std::max(static_cast<int>(cores), minimum);
    std::vector<int> counts;
    for (int t = 1; t < most; t *= 2) {
        if (t >= minimum) counts.push_back(t);
    }
    counts.push_back(most);
    return counts;
}

/// This machine's cores (or CONCLAB_BENCH_THREADS when set to a positive number).
inline unsigned machine_cores() {
    if (char const* cap = std::getenv("CONCLAB_BENCH_THREADS"); cap != nullptr) {
        try {
            if (int const n = std::stoi(cap); n > 0) return static_cast<unsigned>(n);
        } catch (std::exception const&) {
        }
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace conclab::bench
