//! conclab's Rust peers: the six scenarios in real Rust, each three ways —
//! `tokio` (async/await on Tokio's multi-threaded runtime), `rayon` (Rayon's
//! work-stealing pool) and `rust-threads` (std::thread + crossbeam-channel)
//! — written the way a Rust programmer would, to conclab's contract
//! (docs/contract.md). It speaks the protocol of a conclab case
//! (docs/calibration.md): `conclab-peer-rust __case REQUEST` runs the
//! request's warm-up runs and one measured run, each checked exactly-once,
//! and prints one JSON line with what it measured; the runner checks the
//! answer against the contract itself.

mod cache_service;
mod contract;
mod idle_tasks;
mod measure;
mod pipeline;
mod task_tree;
mod url_fetch;
mod worker_pool;

use measure::{Histogram, Stopwatch};
use serde_json::{json, Map, Value};

/// The case request conclab sends (src/case_json.cpp).
pub struct Request {
    pub scenario: String,
    pub model: Model,
    params: Map<String, Value>,
    warmup: u64,
    record_latency: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Tokio,
    Rayon,
    Threads,
}

impl Request {
    pub fn uint(&self, name: &str) -> u64 {
        self.params.get(name).and_then(Value::as_u64).unwrap_or_else(|| fail(&format!("parameter {name} missing or not a number")))
    }
    pub fn text(&self, name: &str) -> &str {
        self.params.get(name).and_then(Value::as_str).unwrap_or_else(|| fail(&format!("parameter {name} missing or not a text")))
    }
    pub fn threads(&self) -> usize {
        self.uint("threads").max(1) as usize
    }
    pub fn tokio_runtime(&self) -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread().worker_threads(self.threads()).enable_all().build().expect("a Tokio runtime")
    }
    pub fn rayon_pool(&self) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(self.threads()).build().expect("a Rayon pool")
    }
}

/// Why a case did not yield a result.
pub enum Failure {
    /// Not every item exactly once, or an answer the peer itself knows is wrong.
    WrongAnswer(String),
    Error(String),
}

fn reply(value: Value) {
    println!("{value}");
}

fn fail(message: &str) -> ! {
    reply(json!({"status": "error", "error": message}));
    std::process::exit(0);
}

/// `r.warmup` runs and one measured run of `once`, each verified by it
/// (Err: not every item exactly once). What `prepare` makes for a run (its
/// ledger, say) is made before the clock starts, as conclab's harness does.
pub fn measure<S>(
    r: &Request,
    items: u64,
    mut prepare: impl FnMut() -> S,
    mut once: impl FnMut(S, Option<&Histogram>) -> Result<u64, Failure>,
) -> Result<Map<String, Value>, Failure> {
    for _ in 0..r.warmup {
        once(prepare(), None)?;
    }
    // idle-tasks' latency is its wake-up lateness: always recorded
    let latencies = (r.record_latency || r.scenario == "idle-tasks").then(Histogram::new);
    let mut m = Map::new();
    let state = prepare();
    let stopwatch = Stopwatch::start();
    let checksum = once(state, latencies.as_ref());
    stopwatch.stop(items, &mut m);
    let checksum = checksum?;
    m.insert("checksum".into(), json!(format!("0x{checksum:016X}")));
    if let Some(h) = latencies {
        m.insert("latency_histogram".into(), h.to_json());
    }
    Ok(m)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "--version" {
        println!("conclab-peer-rust {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.len() != 3 || args[1] != "__case" {
        eprintln!("usage: conclab-peer-rust __case REQUEST_JSON (started by conclab; see docs/calibration.md)");
        std::process::exit(2);
    }
    let json: Value = serde_json::from_str(&args[2]).unwrap_or_else(|e| fail(&format!("malformed case request: {e}")));
    let model = match json["model"].as_str() {
        Some("tokio") => Model::Tokio,
        Some("rayon") => Model::Rayon,
        Some("rust-threads") => Model::Threads,
        other => fail(&format!("the Rust peer has no model {other:?}")),
    };
    let r = Request {
        scenario: json["scenario"].as_str().unwrap_or("").to_string(),
        model,
        params: json["params"].as_object().cloned().unwrap_or_default(),
        warmup: json["warmup"].as_u64().unwrap_or(1),
        record_latency: json["record_latency"].as_bool().unwrap_or(true),
    };
    let result = match r.scenario.as_str() {
        "worker-pool" => worker_pool::run(&r),
        "url-fetch" => url_fetch::run(&r),
        "task-tree" => task_tree::run(&r),
        "idle-tasks" => idle_tasks::run(&r),
        "pipeline" => pipeline::run(&r),
        "cache-service" => cache_service::run(&r),
        other => fail(&format!("the Rust peer has no scenario {other:?}")),
    };
    match result {
        Ok(metrics) => reply(json!({"status": "ok", "metrics": metrics})),
        Err(Failure::WrongAnswer(why)) => reply(json!({"status": "wrong_answer", "error": why})),
        Err(Failure::Error(why)) => reply(json!({"status": "error", "error": why})),
    }
}
