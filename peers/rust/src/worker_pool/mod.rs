//! worker-pool: a producer sends jobs through a channel to W workers; each
//! computes its job, may wait, and sends the result to a collector that sums
//! them. tokio.rs, rayon.rs and threads.rs are the three Rust ways.

mod rayon;
mod threads;
mod tokio;

use crate::contract::job_result;
use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

pub struct Params {
    pub jobs: u64,
    pub workers: u64,
    pub work: u64,
    pub buffer: usize,
    pub wait: Duration,
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

/// The job itself, the same in every model: the contract's compute.
pub fn perform(job: Job, work: u64) -> Done {
    Done { index: job.index, result: job_result(job.index, work), enqueued: job.enqueued }
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let p = Params {
        jobs: r.uint("jobs"),
        workers: r.uint("workers"),
        work: r.uint("work"),
        buffer: r.uint("buffer") as usize,
        wait: Duration::from_micros(r.uint("wait_us")),
    };
    let (mut m, tasks) = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            (measure(r, p.jobs, |latencies| runtime.block_on(self::tokio::run(&p, latencies)))?, p.workers)
        }
        Model::Rayon => {
            let pool = r.rayon_pool();
            (measure(r, p.jobs, |latencies| pool.install(|| self::rayon::run(&p, latencies)))?, r.threads() as u64)
        }
        Model::Threads => (measure(r, p.jobs, |latencies| self::threads::run(&p, latencies))?, p.workers),
    };
    m.insert("tasks".into(), json!(tasks));
    Ok(m)
}
