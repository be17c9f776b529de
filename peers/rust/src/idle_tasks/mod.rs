//! idle-tasks: `tasks` tasks each wait `wait_ms` from their own start on the
//! model's timer, then add mix(i) to a shared sum. tokio.rs, rayon.rs and
//! threads.rs are the three Rust ways.

mod rayon;
mod threads;
mod tokio;

use crate::contract::mix;
use crate::measure::Histogram;
use crate::{measure, Failure, Model, Request};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one run's tasks share: the sum, who woke, how many were alive at
/// once, and each task's wake-up lateness.
pub struct Tally {
    wait: Duration,
    sum: AtomicU64,
    woken: AtomicU64,
    alive: AtomicU64,
    peak: AtomicU64,
    started: Instant,
    launched: Mutex<Option<Instant>>,
    pub latencies: Histogram,
}

impl Tally {
    fn new(wait: Duration) -> Arc<Tally> {
        Arc::new(Tally {
            wait,
            sum: AtomicU64::new(0),
            woken: AtomicU64::new(0),
            alive: AtomicU64::new(0),
            peak: AtomicU64::new(0),
            started: Instant::now(),
            launched: Mutex::new(None),
            latencies: Histogram::new(),
        })
    }
    /// A task starts: when its wait is over.
    pub fn enter(&self) -> Instant {
        let alive = self.alive.fetch_add(1, Relaxed) + 1;
        self.peak.fetch_max(alive, Relaxed);
        Instant::now() + self.wait
    }
    /// A task wakes, once.
    pub fn leave(&self, index: u64, due: Instant) {
        self.latencies.record(Instant::now().saturating_duration_since(due));
        self.sum.fetch_add(mix(index), Relaxed);
        self.woken.fetch_add(1, Relaxed);
        self.alive.fetch_sub(1, Relaxed);
    }
    /// Every task has been started.
    pub fn launched(&self) {
        *self.launched.lock().unwrap() = Some(Instant::now());
    }
    pub fn woken(&self) -> u64 {
        self.woken.load(Relaxed)
    }
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let (tasks, wait) = (r.uint("tasks"), Duration::from_millis(r.uint("wait_ms")));
    let mut last: Option<Arc<Tally>> = None;
    let mut once = |tally: Arc<Tally>, latencies: Option<&Histogram>, run: &dyn Fn(&Arc<Tally>)| {
        run(&tally);
        if let Some(h) = latencies {
            h.add(&tally.latencies);
        }
        let woken = tally.woken();
        let sum = tally.sum.load(Relaxed);
        last = Some(tally);
        if woken != tasks {
            return Err(Failure::WrongAnswer(format!("{woken} task(s) woke, {tasks} were launched")));
        }
        Ok(sum)
    };
    let mut m = match r.model {
        Model::Tokio => {
            let runtime = r.tokio_runtime();
            measure(r, tasks, || Tally::new(wait), |t, h| once(t, h, &|tally| runtime.block_on(self::tokio::launcher(tasks, tally))))?
        }
        Model::Rayon => {
            let pool = Arc::new(r.rayon_pool());
            measure(r, tasks, || Tally::new(wait), |t, h| once(t, h, &|tally| self::rayon::launcher(&pool, tasks, tally)))?
        }
        Model::Threads => measure(r, tasks, || Tally::new(wait), |t, h| once(t, h, &|tally| self::threads::launcher(tasks, tally)))?,
    };
    let tally = last.expect("a measured run");
    let peak = tally.peak.load(Relaxed);
    let launched = tally.launched.lock().unwrap().unwrap_or(tally.started);
    m.insert("spawn_s".into(), json!(launched.duration_since(tally.started).as_secs_f64()));
    m.insert("peak_alive".into(), json!(peak));
    m.insert("tasks".into(), json!(peak));
    Ok(m)
}
