//! What a peer measures of its own measured run, the way conclab's Stopwatch
//! does (src/stopwatch.hpp): wall clock, CPU and context switches
//! (getrusage, all threads), the RSS before the run (freed heap handed back
//! first) and its peak during it (VmHWM, reset through clear_refs), the OS
//! threads. Latencies go into conclab's histogram layout (src/histogram.hpp)
//! so the runner computes percentiles with the same code as for its models.

use crate::Failure;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// HdrHistogram's log-linear layout, 2048 sub-buckets, nanoseconds up to
/// 2^42-1. Any thread records at once: atomic counters, no lock.
pub struct Histogram {
    counts: Vec<AtomicU64>,
    min: AtomicU64,
    max: AtomicU64,
}

const HISTOGRAM_MAX: u64 = (1 << 42) - 1;

fn histogram_index(v: u64) -> usize {
    let v = v.min(HISTOGRAM_MAX);
    let bucket = 64 - (v | 2047).leading_zeros() - 11;
    (bucket as usize) * 1024 + (v >> bucket) as usize
}

impl Histogram {
    pub fn new() -> Self {
        Histogram { counts: (0..33 * 1024).map(|_| AtomicU64::new(0)).collect(), min: AtomicU64::new(u64::MAX), max: AtomicU64::new(0) }
    }

    pub fn record(&self, latency: Duration) {
        let v = latency.as_nanos().min(u128::from(u64::MAX)) as u64;
        self.counts[histogram_index(v)].fetch_add(1, Relaxed);
        self.min.fetch_min(v, Relaxed);
        self.max.fetch_max(v, Relaxed);
    }

    /// Adds `other`'s counts to this one.
    pub fn add(&self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter().zip(&other.counts) {
            mine.fetch_add(theirs.load(Relaxed), Relaxed);
        }
        self.min.fetch_min(other.min.load(Relaxed), Relaxed);
        self.max.fetch_max(other.max.load(Relaxed), Relaxed);
    }

    /// The counters that are not zero, as [index, count] pairs.
    pub fn to_json(&self) -> Value {
        let counts: Vec<Value> = self
            .counts
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c.load(Relaxed) {
                0 => None,
                n => Some(json!([i, n])),
            })
            .collect();
        json!({"layout": "hdr-2048-42", "min_ns": self.min.load(Relaxed), "max_ns": self.max.load(Relaxed), "counts": counts})
    }
}

/// Records into an optional histogram (None: a run without latencies).
pub fn record(latencies: Option<&Histogram>, latency: Duration) {
    if let Some(h) = latencies {
        h.record(latency);
    }
}

/// Books each item once, from any thread.
pub struct Ledger(Vec<AtomicU32>);

impl Ledger {
    pub fn new(items: u64) -> Self {
        Ledger((0..items).map(|_| AtomicU32::new(0)).collect())
    }
    pub fn book(&self, index: u64) {
        self.0[index as usize].fetch_add(1, Relaxed);
    }
    pub fn problems(&self, what: &str) -> Result<(), Failure> {
        let missing = self.0.iter().filter(|n| n.load(Relaxed) == 0).count();
        let repeated = self.0.iter().filter(|n| n.load(Relaxed) > 1).count();
        if missing == 0 && repeated == 0 {
            return Ok(());
        }
        Err(Failure::WrongAnswer(format!("{missing} {what}(s) never done, {repeated} done more than once")))
    }
}

pub fn proc_status(key: &str) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))?;
    let mut fields = line[key.len() + 1..].split_whitespace();
    let value: f64 = fields.next()?.parse().ok()?;
    Some(if fields.next() == Some("kB") { value * 1024.0 } else { value })
}

/// User + system seconds of process `pid` so far (/proc/pid/stat), if known.
pub fn process_cpu(pid: u64) -> Option<f64> {
    if pid == 0 {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split_whitespace().collect();
    let ticks = |k: usize| fields.get(k).and_then(|f| f.parse::<f64>().ok());
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn usage() -> libc::rusage {
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}

fn seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

pub struct Stopwatch {
    start: Instant,
    usage: libc::rusage,
    baseline: Option<f64>,
}

impl Stopwatch {
    pub fn start() -> Self {
        // SAFETY: malloc_trim only hands free heap back to the system.
        unsafe { libc::malloc_trim(0) };
        let baseline = proc_status("VmRSS");
        let _ = std::fs::write("/proc/self/clear_refs", "5"); // VmHWM := VmRSS
        Stopwatch { usage: usage(), baseline, start: Instant::now() }
    }

    pub fn stop(self, items: u64, m: &mut Map<String, Value>) {
        let wall = self.start.elapsed().as_secs_f64();
        let now = usage();
        m.insert("items".into(), json!(items));
        m.insert("wall_s".into(), json!(wall));
        m.insert("user_cpu_s".into(), json!(seconds(now.ru_utime) - seconds(self.usage.ru_utime)));
        m.insert("sys_cpu_s".into(), json!(seconds(now.ru_stime) - seconds(self.usage.ru_stime)));
        m.insert("voluntary_ctx_switches".into(), json!(now.ru_nvcsw - self.usage.ru_nvcsw));
        m.insert("involuntary_ctx_switches".into(), json!(now.ru_nivcsw - self.usage.ru_nivcsw));
        m.insert("os_threads".into(), json!(proc_status("Threads")));
        m.insert("rss_baseline_bytes".into(), json!(self.baseline));
        m.insert("rss_run_peak_bytes".into(), json!(proc_status("VmHWM")));
    }
}
