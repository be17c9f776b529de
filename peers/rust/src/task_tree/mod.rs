//! task-tree: the skynet tree. A task per node; a parent spawns a task per
//! child and sums what they return. tokio.rs, rayon.rs and threads.rs are
//! the three Rust ways.

mod rayon;
mod threads;
mod tokio;

use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Leaves `first` .. `first + count` of the tree.
#[derive(Clone, Copy)]
pub struct Span {
    pub first: u64,
    pub count: u64,
}

impl Span {
    pub fn leaf(&self) -> bool {
        self.count == 1
    }
    /// How many children a task over this span spawns.
    pub fn children(&self, fanout: u64) -> u64 {
        fanout.min(self.count)
    }
    /// Child k of n.
    pub fn child(&self, k: u64, n: u64) -> Span {
        let (lo, hi) = (self.count * k / n, self.count * (k + 1) / n);
        Span { first: self.first + lo, count: hi - lo }
    }
}

/// The tree's tasks, leaves included; subtrees of one size are alike.
fn task_count(span: Span, fanout: u64, memo: &mut HashMap<u64, u64>) -> u64 {
    if span.leaf() {
        return 1;
    }
    if let Some(&count) = memo.get(&span.count) {
        return count;
    }
    let n = span.children(fanout);
    let count = 1 + (0..n).map(|k| task_count(span.child(k, n), fanout, memo)).sum::<u64>();
    memo.insert(span.count, count);
    count
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let (leaves, fanout) = (r.uint("leaves"), r.uint("fanout"));
    let root = Span { first: 0, count: leaves };
    let tasks = task_count(root, fanout, &mut HashMap::new());
    let mut m = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            measure(r, tasks, || (), |(), _| Ok(runtime.block_on(self::tokio::node(root, fanout))))?
        }
        Model::Rayon => {
            let pool = r.rayon_pool();
            measure(r, tasks, || (), |(), _| Ok(pool.install(|| self::rayon::node(root, fanout))))?
        }
        Model::Threads => measure(r, tasks, || (), |(), _| self::threads::node(root, fanout))?,
    };
    let wall = m["wall_s"].as_f64().unwrap_or(0.0);
    m.insert("tasks".into(), json!(tasks));
    m.insert("leaves".into(), json!(leaves));
    m.insert("ns_per_task".into(), json!(wall * 1e9 / tasks as f64));
    Ok(m)
}
