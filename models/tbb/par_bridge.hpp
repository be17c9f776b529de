// Rayon's `par_bridge` for the tbb model: a sequential source (a generator
// of items 0..count-1) shared by the arena's threads, each taking one item
// at a time under a lock and running `body` on it
// (rayon/src/iter/par_bridge.rs: a Mutex around the iterator, one job per
// thread of the pool).
//
// oneTBB has no such bridge. Its own ways to feed a sequence to the pool
// cost more per item: parallel_pipeline passes each item through tokens
// and filter queues (half Rayon's items/s on pipeline's defaults), and
// parallel_for_each over an input iterator reads blocks of 4 from one
// task, so an item waits for the 3 before it (p99 4x Rayon's). Here an item
// is taken when a thread is free for it and runs at once.
#pragma once

#include <oneapi/tbb/task_group.h>
#include <oneapi/tbb/task_arena.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <type_traits>

namespace conclab::models::tbb {

/// Runs `body(make(i))` for i in 0..count-1 on the current arena's threads:
/// `make` is called one item at a time, in order (Rayon:
/// `(0..count).map(make).par_bridge().for_each(body)`), by whichever
/// thread is free, and its item runs there at once. Returns when every item
/// is done; rethrows the first exception.
template <class Make, class Body>
void par_bridge(std::uint64_t count, Make const& make, Body const& body) {
    using Item = std::invoke_result_t<Make const&, std::uint64_t>;
    std::mutex source;
    std::uint64_t next = 0;  // guarded by source
    auto take = [&]() -> std::optional<Item> {
        std::lock_guard lock{source};
        if (next == count) return std::nullopt;
        return make(next++);
    };
    oneapi::tbb::task_group jobs;
    auto const parts = oneapi::tbb::this_task_arena::max_concurrency();
    for (int i = 0; i < parts; ++i) {
        jobs.run([&] {
            while (auto item = take()) body(*item);
        });
    }
    jobs.wait();
}

}  // namespace conclab::models::tbb
