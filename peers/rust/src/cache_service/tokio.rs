//! cache-service on Tokio: a task per request, as a Tokio server spawns one
//! per request. The arrivals (the network) run on a thread of their own and
//! hand each request to the runtime with `Handle::spawn`.

use super::{arrivals, serve, Cache, Params, Run};
use std::sync::Arc;

// [run]
pub fn run(runtime: &tokio::runtime::Runtime, cache: &Arc<Cache>, run: &Arc<Run>, p: &Arc<Params>) {
    let handle = runtime.handle();
    std::thread::scope(|s| {
        // [arrivals] each request, when it is due, starts a task
        s.spawn(|| {
            arrivals(p, run, |a| {
                let (cache, run, p) = (cache.clone(), run.clone(), p.clone());
                // [request] one request, served in a task of its own
                handle.spawn(async move { serve(&cache, &run, &p, &a) });
            })
        });
    });
    run.wait_all();
}
