// The tbb model's runtime: a oneTBB task_arena of T threads (Rayon's thread
// pool). Work is expressed as parallel algorithms over data, scheduled by
// work stealing; there is no spawn/channel vocabulary on purpose.
#pragma once

#include "models/runtime_options.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <utility>

namespace conclab::models::tbb {

class Runtime {
public:
    /// An arena of `threads` slots, one of them for the calling thread.
    /// global_control lifts TBB's default cap (the core count) so that
    /// threads > cores really gets that many threads, as in the other models.
    explicit Runtime(unsigned threads)
        : limit_{oneapi::tbb::global_control::max_allowed_parallelism,
                 std::max<std::size_t>(threads, oneapi::tbb::this_task_arena::max_concurrency())},
          arena_{static_cast<int>(checked(threads))} {
        arena_.initialize();
    }
    explicit Runtime(RuntimeOptions const& options) : Runtime{(expect_default_design(options, "tbb"), options.threads)} {}

    unsigned threads() const { return static_cast<unsigned>(arena_.max_concurrency()); }

    /// Runs `body` inside the arena; parallel algorithms called from it use
    /// the arena's threads. Returns when body returns.
    template <class F>
    void block_on(F&& body) {
        arena_.execute(std::forward<F>(body));
    }

    /// Hands `task` (a task_group's deferred task: task_group::defer) to
    /// the arena from any thread, and returns at once: how a thread outside
    /// the arena (a network thread) gives it work. The task_group's wait()
    /// inside block_on waits for it.
    void enqueue(oneapi::tbb::task_handle&& task) { arena_.enqueue(std::move(task)); }

private:
    static unsigned checked(unsigned threads) {
        if (threads == 0) throw std::invalid_argument{"tbb runtime needs at least one thread"};
        return threads;
    }

    oneapi::tbb::global_control limit_;
    oneapi::tbb::task_arena arena_;
};

}  // namespace conclab::models::tbb
