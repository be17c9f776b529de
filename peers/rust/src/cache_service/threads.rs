//! cache-service with OS threads: a pool of `workers` std::threads taking
//! requests from a bounded crossbeam channel (a server's backlog, 1024).
//! The arrivals (the network) put each request in it from a thread of
//! their own; a full channel makes them wait (the requests behind are late,
//! and their latency counts from when they were due).

use super::{arrivals, serve, Arrival, Cache, Params, Run};
use crossbeam_channel::bounded;
use std::sync::Arc;

const BACKLOG: usize = 1024;

// [run]
pub fn run(cache: &Arc<Cache>, run: &Arc<Run>, p: &Arc<Params>) {
    let (tx, rx) = bounded::<Arrival>(BACKLOG);
    std::thread::scope(|s| {
        // [request] requests, served one after another by a pool thread
        for _ in 0..p.workers {
            let rx = rx.clone();
            s.spawn(move || {
                for a in rx {
                    serve(cache, run, p, &a);
                }
            });
        }
        // [arrivals] each request, when it is due, goes into the channel
        s.spawn(move || arrivals(p, run, |a| tx.send(a).expect("the pool outlives the arrivals")));
    });
}
