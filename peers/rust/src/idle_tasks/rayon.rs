//! idle-tasks in Rayon. Rayon has no timer, and a Rayon task that sleeps
//! holds its thread; so, as a Rayon programmer would, a task hands its
//! continuation to a timer thread that spawns it back into the pool when
//! it is due (tbb's Timer does the same for conclab's tbb model).

use super::Tally;
use rayon::ThreadPool;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Instant;

/// Continuations by due time: (due, task index).
#[derive(Default)]
struct Timer {
    due: Mutex<(BinaryHeap<Reverse<(Instant, u64)>>, u64)>, // and how many are still to fire
    changed: Condvar,
}

impl Timer {
    fn at(&self, due: Instant, index: u64) {
        self.due.lock().unwrap().0.push(Reverse((due, index)));
        self.changed.notify_one();
    }

    /// Spawns each continuation into `pool` when it is due, `count` of them.
    fn run(&self, count: u64, pool: &ThreadPool, tally: &Arc<Tally>, finished: &Arc<(Mutex<u64>, Condvar)>) {
        let mut state = self.due.lock().unwrap();
        state.1 = count;
        while state.1 > 0 {
            match state.0.peek().copied() {
                Some(Reverse((due, index))) if due <= Instant::now() => {
                    state.0.pop();
                    state.1 -= 1;
                    let (tally, finished) = (tally.clone(), finished.clone());
                    // [wake] the second half of the task, back on the pool
                    pool.spawn(move || {
                        tally.leave(index, due);
                        let (count, all) = &*finished;
                        *count.lock().unwrap() += 1;
                        all.notify_one();
                    });
                }
                Some(Reverse((due, _))) => state = self.changed.wait_timeout(state, due.saturating_duration_since(Instant::now())).unwrap().0,
                None => state = self.changed.wait(state).unwrap(),
            }
        }
    }
}

// [launcher]
pub fn launcher(pool: &Arc<ThreadPool>, tasks: u64, tally: &Arc<Tally>) {
    let timer = Timer::default();
    let finished = Arc::new((Mutex::new(0u64), Condvar::new()));
    thread::scope(|s| {
        s.spawn(|| timer.run(tasks, pool, tally, &finished));
        // [task] the first half of each task: it starts, and asks to be woken
        pool.scope(|scope| {
            for index in 0..tasks {
                let (timer, tally) = (&timer, tally);
                scope.spawn(move |_| timer.at(tally.enter(), index));
            }
        });
        tally.launched();
    });
    let (count, all) = &*finished;
    let mut done = count.lock().unwrap();
    while *done < tasks {
        done = all.wait(done).unwrap();
    }
}
