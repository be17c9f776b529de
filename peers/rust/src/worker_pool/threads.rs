//! worker-pool with OS threads: a std::thread per worker, crossbeam-channel's
//! bounded channels between them (capacity 0 is a rendezvous).

use super::{perform, Done, Job, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use crossbeam_channel::bounded;
use std::thread;
use std::time::Instant;

// [run]
pub fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let (jobs_tx, jobs_rx) = bounded::<Job>(p.buffer);
    let (results_tx, results_rx) = bounded::<Done>(p.buffer);
    let mut sum = 0u64;
    thread::scope(|s| {
        // [worker]
        for _ in 0..p.workers {
            let (jobs_rx, results_tx) = (jobs_rx.clone(), results_tx.clone());
            s.spawn(move || {
                for job in jobs_rx {
                    let done = perform(job, p);
                    if !p.wait.is_zero() {
                        thread::sleep(p.wait);
                    }
                    results_tx.send(done).expect("the collector outlives the workers");
                }
            });
        }
        drop(results_tx);
        // [producer]
        s.spawn(move || {
            for index in 0..p.jobs {
                jobs_tx.send(Job { index, enqueued: Instant::now() }).expect("the workers outlive the producer");
            }
        });
        // [collector]
        for done in results_rx {
            sum = sum.wrapping_add(done.result);
            ledger.book(done.index);
            record(latencies, done.enqueued.elapsed());
        }
    });
    ledger.problems("job").map(|_| sum)
}
