//! pipeline: generate -> transform -> aggregate; transform turns item i
//! into the contract's job result, aggregate sums them. tokio.rs, rayon.rs
//! and threads.rs are the three Rust ways.

mod rayon;
mod threads;
mod tokio;

use crate::contract::job_result;
use crate::measure::Ledger;
use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::time::Instant;

pub struct Params {
    pub items: u64,
    pub work: u64,
    pub parallelism: u64,
    pub buffer: usize,
}

/// An item between stages; `generated` is when it entered the pipeline.
pub struct Item {
    pub index: u64,
    pub value: u64,
    pub generated: Instant,
}

impl Item {
    pub fn new(index: u64) -> Item {
        Item { index, value: index, generated: Instant::now() }
    }
    /// The transform stage: the contract's job result.
    pub fn transform(self, work: u64) -> Item {
        Item { value: job_result(self.index, work), ..self }
    }
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let p = Params {
        items: r.uint("items"),
        work: r.uint("work"),
        parallelism: r.uint("parallelism"),
        buffer: r.uint("buffer") as usize,
    };
    let (mut m, tasks) = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            (measure(r, p.items, || Ledger::new(p.items), |ledger, latencies| runtime.block_on(self::tokio::run(&p, &ledger, latencies)))?, p.parallelism + 2)
        }
        Model::Rayon => {
            let pool = r.rayon_pool();
            (measure(r, p.items, || Ledger::new(p.items), |ledger, latencies| pool.install(|| self::rayon::run(&p, &ledger, latencies)))?, r.threads() as u64)
        }
        Model::Threads => (measure(r, p.items, || Ledger::new(p.items), |ledger, latencies| self::threads::run(&p, &ledger, latencies))?, p.parallelism + 2),
    };
    m.insert("tasks".into(), json!(tasks));
    Ok(m)
}
