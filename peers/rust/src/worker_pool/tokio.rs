//! worker-pool in async Rust on Tokio: a task per worker, all receiving
//! from one jobs channel. Tokio's own mpsc has a single receiver (sharing
//! it needs an async mutex, which every worker then queues on: 85.6k
//! voluntary switches per 200k jobs measured); an async program that fans
//! work out to many tasks uses an MPMC channel, here the `async-channel`
//! crate (smol's, runtime-agnostic, Debian's librust-async-channel-dev).
//! Its bounded channels need a capacity of at least 1: --buffer 0 runs
//! with 1.

use super::{perform, Done, Job, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use std::sync::Arc;
use std::time::Instant;

// [worker]
async fn worker(jobs: async_channel::Receiver<Job>, results: async_channel::Sender<Done>, p: Arc<Params>) {
    while let Ok(job) = jobs.recv().await {
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
    let (jobs_tx, jobs_rx) = async_channel::bounded(p.buffer.max(1));
    let (results_tx, results_rx) = async_channel::bounded(p.buffer.max(1));
    let shared = Arc::new(p.clone());
    for _ in 0..p.workers {
        tokio::spawn(worker(jobs_rx.clone(), results_tx.clone(), shared.clone()));
    }
    drop(jobs_rx);
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
    while let Ok(done) = results_rx.recv().await {
        sum = sum.wrapping_add(done.result);
        ledger.book(done.index);
        record(latencies, done.enqueued.elapsed());
    }
    ledger.problems("job").map(|_| sum)
}
