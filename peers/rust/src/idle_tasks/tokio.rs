//! idle-tasks in async Rust on Tokio: tokio::spawn per task, each sleeping
//! on Tokio's timer; the launcher awaits their JoinHandles.

use super::Tally;
use std::sync::Arc;

// [task]
async fn task(index: u64, tally: Arc<Tally>) {
    let due = tally.enter();
    tokio::time::sleep_until(due.into()).await;
    tally.leave(index, due);
}

// [launcher]
pub async fn launcher(tasks: u64, tally: &Arc<Tally>) {
    let handles: Vec<_> = (0..tasks).map(|index| tokio::spawn(task(index, tally.clone()))).collect();
    tally.launched();
    for handle in handles {
        handle.await.expect("a task panicked");
    }
}
