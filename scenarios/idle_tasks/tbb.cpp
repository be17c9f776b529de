// idle-tasks in the tbb model (Rayon has no timer; neither has TBB): a task
// per task in a task_group, each suspended with oneTBB's resumable tasks
// until a timer thread resumes it (models/tbb/timer.hpp). Suspending frees
// the thread, but the task keeps a stack of its own, so the count is
// capped by vm.max_map_count (the runner says so before it starts).
// Written natively: Rayon has no timer (a sleeping task holds its thread); oneTBB's resumable tasks stand in for one
#include "scenarios/idle_tasks/idle_tasks.hpp"

#include "models/tbb/runtime.hpp"
#include "models/tbb/timer.hpp"

#include <oneapi/tbb/task_group.h>

namespace conclab::idle_tasks {
namespace {
using models::tbb::Runtime;
using models::tbb::Timer;

// [task] waits its time on the model's timer, then reports once
void task(std::uint64_t i, Timer& timer, Tally& tally, Params const& p) {
    auto const due = tally.enter(p);
    timer.sleep_until(due);
    tally.leave(i, due);
}

// [launcher] the main task: starts every task, then waits for them all
void launcher(Timer& timer, Tally& tally, Params const& p) {
    oneapi::tbb::task_group tasks;
    for (std::uint64_t i = 0; i < p.tasks; ++i) tasks.run([i, &timer, &tally, &p] { task(i, timer, tally, p); });
    tally.launched();
    tasks.wait();
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Tally& tally) {
    Timer timer;
    rt.block_on([&] { launcher(timer, tally, p); });
    return tally.checksum();
}

}  // namespace conclab::idle_tasks
