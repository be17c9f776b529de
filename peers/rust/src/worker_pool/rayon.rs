//! worker-pool in Rayon: no channels; the jobs are a parallel iterator that
//! Rayon's pool splits and steals, and the sum is its reduction. A job's
//! latency counts from when a worker takes it.

use super::{perform, Job, Params};
use crate::Failure;
use crate::measure::{record, Histogram, Ledger};
use rayon::prelude::*;
use std::time::Instant;

// [run]
pub fn run(p: &Params, ledger: &Ledger, latencies: Option<&Histogram>) -> Result<u64, Failure> {
    let sum = (0..p.jobs)
        .into_par_iter()
        // [worker]
        .map(|index| {
            let done = perform(Job { index, enqueued: Instant::now() }, p);
            if !p.wait.is_zero() {
                std::thread::sleep(p.wait);
            }
            ledger.book(done.index);
            record(latencies, done.enqueued.elapsed());
            done.result
        })
        // [collector]
        .reduce(|| 0, u64::wrapping_add);
    ledger.problems("job").map(|_| sum)
}
