// idle-tasks in the fibers model (Go): a goroutine per task, each asleep on
// the fiber timer. A sleeping fiber is parked in the scheduler with its
// stack (`stack_kb`); its thread runs other fibers meanwhile.
// Written natively: Go: `for i := 0; i < n; i++ { wg.Add(1); go func(i uint64) { time.Sleep(wait); sum.Add(mix(i)); wg.Done() }(i) }`
#include "scenarios/idle_tasks/idle_tasks.hpp"

#include "models/fibers/runtime.hpp"

#include <boost/fiber/operations.hpp>

namespace conclab::idle_tasks {
namespace {
using models::fibers::Runtime;

// [task] waits its time on the model's timer, then reports once
void task(std::uint64_t i, Tally& tally, Params const& p) {
    auto const due = tally.enter(p);
    boost::this_fiber::sleep_until(due);
    tally.leave(i, due);
}

// [launcher] the main task: starts every task; the runtime waits for them all
void launcher(Runtime& rt, Tally& tally, Params const& p) {
    for (std::uint64_t i = 0; i < p.tasks; ++i) rt.spawn([i, &tally, &p] { task(i, tally, p); });
    tally.launched();
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Tally& tally) {
    rt.block_on([&] { launcher(rt, tally, p); });
    return tally.checksum();
}

}  // namespace conclab::idle_tasks
