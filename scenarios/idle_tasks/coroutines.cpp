// idle-tasks in the coroutines model (async/await): a coroutine per task,
// each asleep on the runtime's timers. A suspended coroutine is its frame
// on the heap plus a 16-byte timer entry; no stack, and no thread is held.
// Written natively: Tokio: `for i in 0..n { set.spawn(async move { tokio::time::sleep(wait).await; mix(i) }); }`
#include "scenarios/idle_tasks/idle_tasks.hpp"

#include "models/coroutines/runtime.hpp"

namespace conclab::idle_tasks {
namespace {
using models::coroutines::Task;
using models::coroutines::Runtime;
using models::coroutines::sleep_until;

// [task] waits its time on the model's timer, then reports once
Task<void> task(std::uint64_t i, Tally& tally, Params const& p) {
    auto const due = tally.enter(p);
    co_await sleep_until(due);
    tally.leave(i, due);
}

// [launcher] the main task: starts every task; the runtime waits for them all
Task<void> launcher(Runtime& rt, Tally& tally, Params const& p) {
    for (std::uint64_t i = 0; i < p.tasks; ++i) rt.spawn(task(i, tally, p));
    tally.launched();
    co_return;
}
}  // namespace

// [run]
std::uint64_t run(Runtime& rt, Params const& p, Tally& tally) {
    rt.block_on([&] { return launcher(rt, tally, p); });
    return tally.checksum();
}

}  // namespace conclab::idle_tasks
