//! url-fetch: fetch items 0..N-1 from the contract's HTTP server, C requests
//! in flight, every body checked against the contract's checksum and every
//! fault counted by kind. tokio.rs (hyper's client), rayon.rs and threads.rs
//! (a blocking HTTP/1.1 connection, blocking_http.rs) are the Rust ways.

mod blocking_http;
mod rayon;
mod threads;
mod tokio;

use crate::contract::{item_checksum, item_delay_us};
use crate::measure::{process_cpu, Histogram, Ledger};
use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    Connect,
    Timeout,
    HttpStatus,
    ShortBody,
    Protocol,
    Checksum,
}

const FAULTS: [(Fault, &str); 6] = [
    (Fault::Connect, "connect"),
    (Fault::Timeout, "timeout"),
    (Fault::HttpStatus, "http_status"),
    (Fault::ShortBody, "short_body"),
    (Fault::Protocol, "protocol"),
    (Fault::Checksum, "checksum"),
];

pub struct Params {
    pub target: String, // http://host:port
    pub requests: u64,
    pub concurrency: u64,
    pub size: u64,
    delay_dist: String,
    delay_us: u64,
    delay_seed: u64,
    pub timeout: Duration,
    pub keepalive: bool,
}

impl Params {
    /// The path of item i, with the contract's delay for it.
    pub fn path(&self, i: u64) -> String {
        format!("/item/{i}?size={}&delay_us={}", self.size, item_delay_us(&self.delay_dist, self.delay_us, self.delay_seed, i))
    }
    /// Tasks to start: C, but no more than there are requests.
    pub fn workers(&self) -> u64 {
        self.concurrency.min(self.requests)
    }
}

/// Books every request: exactly once, the body checksums, faults by kind.
pub struct Book {
    ledger: Ledger,
    expected: Arc<Vec<u64>>,
    next: AtomicU64,
    sum: AtomicU64,
    faults: [AtomicU64; 6],
    failed: Mutex<Vec<u64>>,
    bytes: AtomicU64,
    pub connections: AtomicU64,
    latencies: Histogram,
}

impl Book {
    fn new(expected: &Arc<Vec<u64>>) -> Book {
        Book {
            ledger: Ledger::new(expected.len() as u64),
            expected: expected.clone(),
            next: AtomicU64::new(0),
            sum: AtomicU64::new(0),
            faults: Default::default(),
            failed: Mutex::new(Vec::new()),
            bytes: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            latencies: Histogram::new(),
        }
    }
    /// The next item to fetch, each handed out once.
    pub fn next(&self) -> Option<u64> {
        let i = self.next.fetch_add(1, Relaxed);
        (i < self.expected.len() as u64).then(|| i)
    }
    /// Books item i, started at `started`: its body's (checksum, bytes), or its fault.
    pub fn book(&self, i: u64, started: Instant, fetched: Result<(u64, u64), Fault>) {
        self.ledger.book(i);
        let fault = match fetched {
            Ok((checksum, bytes)) => {
                self.bytes.fetch_add(bytes, Relaxed);
                if checksum == self.expected[i as usize] {
                    self.sum.fetch_add(checksum, Relaxed);
                    self.latencies.record(started.elapsed());
                    return;
                }
                Fault::Checksum
            }
            Err(fault) => fault,
        };
        let kind = FAULTS.iter().position(|(f, _)| *f == fault).expect("a known fault");
        self.faults[kind].fetch_add(1, Relaxed);
        self.failed.lock().unwrap().push(i);
    }
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let p = Arc::new(Params {
        target: r.text("target").trim_end_matches('/').to_string(),
        requests: r.uint("requests"),
        concurrency: r.uint("concurrency"),
        size: r.uint("size"),
        delay_dist: r.text("delay_dist").to_string(),
        delay_us: r.uint("delay_us"),
        delay_seed: r.uint("delay_seed"),
        timeout: Duration::from_millis(r.uint("timeout_ms")),
        keepalive: r.text("keepalive") == "on",
    });
    let server_pid = r.params.get("server_pid").and_then(Value::as_u64).unwrap_or(0);
    let expected: Arc<Vec<u64>> = Arc::new((0..p.requests).map(|i| item_checksum(i, p.size)).collect());
    let mut last: Option<Arc<Book>> = None;
    let mut server_before = None;
    let prepare = || Arc::new(Book::new(&expected));
    let mut once = |book: Arc<Book>, latencies: Option<&Histogram>, run: &dyn Fn(&Arc<Book>)| {
        server_before = process_cpu(server_pid);
        run(&book);
        if let Some(h) = latencies {
            h.add(&book.latencies);
        }
        let sum = book.sum.load(Relaxed);
        let problems = book.ledger.problems("request");
        last = Some(book);
        problems.map(|_| sum)
    };
    let (mut m, tasks) = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            let run = |book, latencies: Option<&Histogram>| once(book, latencies, &|book| runtime.block_on(self::tokio::run(&p, book)));
            (measure(r, p.requests, prepare, run)?, p.workers())
        }
        Model::Rayon => {
            let pool = r.rayon_pool();
            let run = |book, latencies: Option<&Histogram>| once(book, latencies, &|book| pool.install(|| self::rayon::run(&p, book)));
            (measure(r, p.requests, prepare, run)?, r.threads() as u64)
        }
        Model::Threads => {
            let run = |book, latencies: Option<&Histogram>| once(book, latencies, &|book| self::threads::run(&p, book));
            (measure(r, p.requests, prepare, run)?, p.workers())
        }
    };
    let book = last.expect("a measured run");
    let mut errors = 0;
    for (kind, (_, name)) in FAULTS.iter().enumerate() {
        let count = book.faults[kind].load(Relaxed);
        errors += count;
        m.insert(format!("errors_{name}"), json!(count));
    }
    let wall = m["wall_s"].as_f64().unwrap_or(0.0);
    let bytes = book.bytes.load(Relaxed);
    let mut failed = book.failed.lock().unwrap().clone();
    failed.sort_unstable();
    m.insert("errors".into(), json!(errors));
    m.insert("failed_items".into(), json!(failed));
    m.insert("requests".into(), json!(p.requests));
    m.insert("body_bytes".into(), json!(bytes));
    m.insert("bytes_per_s".into(), json!(bytes as f64 / wall));
    m.insert("connections_opened".into(), json!(book.connections.load(Relaxed)));
    m.insert("tasks".into(), json!(tasks));
    if let (Some(before), Some(after)) = (server_before, process_cpu(server_pid)) {
        m.insert("server_cpu_s".into(), json!(after - before));
    }
    Ok(m)
}
