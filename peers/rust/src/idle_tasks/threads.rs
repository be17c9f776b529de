//! idle-tasks with OS threads: a scoped std::thread per task, each sleeping.

use super::Tally;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

// [task]
fn task(index: u64, tally: &Tally) {
    let due = tally.enter();
    thread::sleep(due.saturating_duration_since(Instant::now()));
    tally.leave(index, due);
}

// [launcher]
pub fn launcher(tasks: u64, tally: &Arc<Tally>) {
    thread::scope(|s| {
        for index in 0..tasks {
            s.spawn(move || task(index, tally));
        }
        tally.launched();
    });
}
