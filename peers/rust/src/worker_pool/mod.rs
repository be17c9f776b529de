//! worker-pool: a producer sends jobs through a channel to W workers; each
//! computes its job, may wait, and sends the result to a collector that sums
//! them. tokio.rs, rayon.rs and threads.rs are the three Rust ways.

mod rayon;
mod threads;
mod tokio;

use crate::contract::job_result;
use crate::measure::Ledger;
use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Params {
    pub jobs: u64,
    pub workers: u64,
    pub work: u64,
    pub buffer: usize,
    pub wait: Duration,
    pub alloc_bytes: usize,
}

/// A job on its way to a worker.
pub struct Job {
    pub index: u64,
    pub enqueued: Instant,
}

/// A job's result on its way to the collector.
pub struct Done {
    pub index: u64,
    pub result: u64,
    pub enqueued: Instant,
}

/// The job itself, the same in every model: the contract's compute; with
/// `alloc_bytes` > 0 on a heap buffer of that size, a byte written on each
/// page, freed when the job ends (docs/contract.md).
pub fn perform(job: Job, p: &Params) -> Done {
    let done = Done { index: job.index, result: job_result(job.index, p.work), enqueued: job.enqueued };
    if p.alloc_bytes > 0 {
        let mut buffer = vec![0u8; p.alloc_bytes]; // zero-filled, as Go's make and C++'s make_unique<T[]> are
        for at in (0..p.alloc_bytes).step_by(4096) {
            // SAFETY: `at` is within the buffer; a volatile store the compiler must keep
            unsafe { std::ptr::write_volatile(buffer.as_mut_ptr().add(at), done.result as u8) };
        }
        drop(buffer);
    }
    done
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let p = Params {
        jobs: r.uint("jobs"),
        workers: r.uint("workers"),
        work: r.uint("work"),
        buffer: r.uint("buffer") as usize,
        wait: Duration::from_micros(r.uint("wait_us")),
        alloc_bytes: r.uint("alloc_bytes") as usize,
    };
    let (mut m, tasks) = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            (measure(r, p.jobs, || Ledger::new(p.jobs), |ledger, latencies| runtime.block_on(self::tokio::run(&p, &ledger, latencies)))?, p.workers)
        }
        Model::Rayon => {
            let pool = r.rayon_pool();
            (measure(r, p.jobs, || Ledger::new(p.jobs), |ledger, latencies| pool.install(|| self::rayon::run(&p, &ledger, latencies)))?, r.threads() as u64)
        }
        Model::Threads => (measure(r, p.jobs, || Ledger::new(p.jobs), |ledger, latencies| self::threads::run(&p, &ledger, latencies))?, p.workers),
    };
    m.insert("tasks".into(), json!(tasks));
    Ok(m)
}
