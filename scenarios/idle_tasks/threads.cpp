// idle-tasks in the threads model: an OS thread per task, each asleep in
// the kernel (a blocking sleep). A sleeping thread keeps its kernel task
// and its stack (8 MiB reserved, a few pages touched); capped at 10,000.
// Written natively: Rust std: `for i in 0..n { handles.push(thread::spawn(move || { thread::sleep(wait); mix(i) })) }`
#include "scenarios/idle_tasks/idle_tasks.hpp"

#include "models/threads/runtime.hpp"

#include <thread>

namespace conclab::idle_tasks {
namespace {
using models::threads::Runtime;

// [task] waits its time on the model's timer, then reports once
void task(std::uint64_t i, Tally& tally, Params const& p) {
    auto const due = tally.enter(p);
    std::this_thread::sleep_until(due);
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
