//! url-fetch in Rayon: the items are a parallel iterator; each pool thread
//! keeps one blocking keep-alive connection (for_each_init) and blocks on
//! it, so the requests in flight are the pool's threads, not C. Rayon is
//! built for CPU work; this is what it does with I/O.

use super::{Book, Params};
use super::blocking_http::Connection;
use rayon::prelude::*;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Instant;

// [run]
pub fn run(p: &Params, book: &Arc<Book>) {
    (0..p.requests).into_par_iter().for_each_init(
        || Connection::new(&p.target, p.timeout, p.keepalive),
        // [worker]
        |connection, i| {
            let started = Instant::now();
            let fetched = connection.get(&p.path(i), p.size, || {
                book.connections.fetch_add(1, Relaxed);
            });
            book.book(i, started, fetched);
        },
    );
}
