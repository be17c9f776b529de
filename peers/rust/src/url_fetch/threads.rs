//! url-fetch with OS threads: a std::thread per connection (C of them),
//! each fetching the next item over its blocking keep-alive connection.

use super::{Book, Params};
use super::blocking_http::Connection;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::thread;
use std::time::Instant;

// [worker]
fn worker(p: &Params, book: &Book) {
    let mut connection = Connection::new(&p.target, p.timeout, p.keepalive);
    while let Some(i) = book.next() {
        let started = Instant::now();
        let fetched = connection.get(&p.path(i), p.size, || {
            book.connections.fetch_add(1, Relaxed);
        });
        book.book(i, started, fetched);
    }
}

// [run]
pub fn run(p: &Params, book: &Arc<Book>) {
    thread::scope(|s| {
        for _ in 0..p.workers() {
            s.spawn(|| worker(p, book));
        }
    });
}
