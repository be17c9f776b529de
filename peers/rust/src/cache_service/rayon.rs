//! cache-service on Rayon: Rayon has no tasks that wait for input, only
//! data-parallel work, so a stream is served in batches — the lesson: the
//! requests that arrived while a batch ran wait for it to end (its slowest
//! request), then go out together as the next batch.

use super::{pacing_thread, serve, sleep_until, Cache, Params, Run};
use rayon::prelude::*;
use std::sync::Arc;
use std::time::Instant;

// [run]
pub fn run(pool: &rayon::ThreadPool, cache: &Arc<Cache>, run: &Arc<Run>, p: &Arc<Params>) {
    pacing_thread();
    let mut next = 0;
    while next < run.requests() {
        // [arrivals] wait for the next request, then take every one due by now
        sleep_until(run.due(next));
        let now = Instant::now();
        let mut batch = Vec::new();
        while next < run.requests() && run.due(next) <= now {
            batch.push(run.arrival(next, p));
            next += 1;
        }
        // [request] the batch, served in parallel by the pool
        pool.install(|| batch.par_iter().for_each(|a| serve(cache, run, p, a)));
    }
}
