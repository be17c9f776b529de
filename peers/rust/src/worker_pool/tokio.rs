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
async fn worker(jobs: Arc<Mutex<mpsc::Receiver<Job>>>, results: mpsc::Sender<Done>, p: Arc<Params>) {
    loop {
        let job = match jobs.lock().await.recv().await {
            Some(job) => job,
            None => break,
        };
        let done = perform(job, &p);
        if !p.wait.is_zero() {
            tokio::time::sleep(p.wait).await;
        }
        if results.send(done).await.is_err() {
            break;
        }
    }
}

// [run]
pub async fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let (jobs_tx, jobs_rx) = mpsc::channel(p.buffer.max(1));
    let (results_tx, mut results_rx) = mpsc::channel(p.buffer.max(1));
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let shared = Arc::new(p.clone());
    for _ in 0..p.workers {
        tokio::spawn(worker(jobs_rx.clone(), results_tx.clone(), shared.clone()));
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
