//! worker-pool in async Rust on Tokio: a task per worker; the workers share
//! the jobs channel's receiver behind an async mutex (Tokio's mpsc has one
//! receiver), as Tokio's documentation suggests. Tokio's channels need a
//! capacity of at least 1: --buffer 0 runs with 1.

use super::{perform, Done, Job, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex};

// [worker]
async fn worker(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, results: mpsc::Sender<Done>, work: u64, wait: std::time::Duration) {
    loop {
        let job = match jobs.lock().await.recv().await {
            Some(job) => job,
            None => break,
        };
        let done = perform(job, work);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        if results.send(done).await.is_err() {
            break;
        }
    }
}

// [run]
pub async fn run(p: &Params, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let ledger = Ledger::new(p.jobs);
    let (jobs_tx, jobs_rx) = mpsc::channel(p.buffer.max(1));
    let (results_tx, mut results_rx) = mpsc::channel(p.buffer.max(1));
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    for _ in 0..p.workers {
        tokio::spawn(worker(jobs_rx.clone(), results_tx.clone(), p.work, p.wait));
    }
    drop(results_tx);
    // [producer]
    let jobs = p.jobs;
    tokio::spawn(async move {
        for index in 0..jobs {
            if jobs_tx.send(Job { index, enqueued: Instant::now() }).await.is_err() {
                break;
            }
        }
    });
    // [collector]
    let mut sum = 0u64;
    while let Some(done) = results_rx.recv().await {
        sum = sum.wrapping_add(done.result);
        ledger.book(done.index);
        record(latencies, done.enqueued.elapsed());
    }
    ledger.problems("job").map(|_| sum)
}
