//! cache-service: a service holding a large cache — per shard a Mutex
//! around the `lru` crate's LruCache (a hash map and an intrusive list),
//! each record's value a Box of its own — filled before the clock.
//! Requests arrive open loop from a thread of their own; each is served
//! the model's way (tokio.rs, threads.rs, rayon.rs) and allocates its
//! response. docs/contract.md, "cache-service", has the draws.

mod rayon;
mod threads;
mod tokio;

use crate::contract::{mix, FNV_BASIS, FNV_PRIME};
use crate::measure::{proc_status, record, Histogram, Ledger, Stopwatch};
use crate::{Failure, Model, Request};
use lru::LruCache;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::{AcqRel, Relaxed}};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub struct Params {
    pub entries: u64,
    pub keys: u64,
    pub value_words: usize,
    pub response_words: usize,
    pub requests: u64,
    pub update_percent: u64,
    pub seed: u64,
    pub shards: u64,
    pub workers: u64,
    pub zipf: bool,
    pub rate: f64,
    pub poisson: bool,
    pub arrival_seed: u64,
}

// [cache] a record, and the shards that hold them
struct Record {
    version: u64,
    value: Box<[u64]>,
}

struct Shard {
    lru: LruCache<u64, Record>,
    misses: u64,
    evicted_versions: u64,
}

#[repr(align(64))] // a shard's lock on a cache line of its own
struct Padded(Mutex<Shard>);

pub struct Cache {
    shards: Vec<Padded>,
    value_words: usize,
}

/// The contract's record of `key`: the key, then mix applied 1, 2, ... times.
fn record_words(key: u64, out: &mut [u64]) {
    let mut x = key;
    for word in out.iter_mut() {
        *word = x;
        x = mix(x);
    }
}

fn load_value(key: u64, words: usize) -> Box<[u64]> {
    let mut record = vec![0u64; 1 + words];
    record_words(key, &mut record);
    record[1..].into()
}

impl Cache {
    fn new(p: &Params) -> Self {
        let shards = (0..p.shards)
            .map(|s| {
                let capacity = (p.entries / p.shards + u64::from(s < p.entries % p.shards)) as usize;
                Padded(Mutex::new(Shard { lru: LruCache::new(capacity), misses: 0, evicted_versions: 0 }))
            })
            .collect::<Vec<_>>();
        for key in 0..p.entries {
            let mut shard = shards[(key % p.shards) as usize].0.lock().unwrap();
            shard.lru.put(key, Record { version: 0, value: load_value(key, p.value_words) });
        }
        Cache { shards, value_words: p.value_words }
    }

    /// Finds (or loads, evicting the least recently used) the record of
    /// `key`, makes it the most recent, on an update gives it a new value,
    /// and copies it into `out`.
    pub fn serve(&self, key: u64, update: bool, out: &mut [u64]) {
        let value = update.then(|| load_value(key, self.value_words));
        let mut shard = self.shards[(key % self.shards.len() as u64) as usize].0.lock().unwrap();
        if !shard.lru.contains(&key) {
            shard.misses += 1;
            if shard.lru.len() == shard.lru.cap() {
                if let Some((_, victim)) = shard.lru.pop_lru() {
                    shard.evicted_versions += victim.version;
                }
            }
            shard.lru.put(key, Record { version: 0, value: load_value(key, self.value_words) });
        }
        let record = shard.lru.get_mut(&key).expect("just put");
        if let Some(value) = value {
            record.value = value;
            record.version += 1;
        }
        out[0] = key;
        out[1..].copy_from_slice(&record.value);
    }

    fn problems(&self, updates: u64) -> Result<(), Failure> {
        let mut versions = 0;
        for shard in &self.shards {
            let shard = shard.0.lock().unwrap();
            versions += shard.lru.iter().map(|(_, r)| r.version).sum::<u64>() + shard.evicted_versions;
        }
        if versions != updates {
            return Err(Failure::WrongAnswer(format!("the cache holds {versions} updates; the requests asked for {updates}")));
        }
        Ok(())
    }

    fn misses(&self) -> u64 {
        self.shards.iter().map(|s| s.0.lock().unwrap().misses).sum()
    }
}

// [contract] the requests' draws
fn cache_request(i: u64, seed: u64, p: &Params) -> (u64, bool) {
    let stream = mix(seed ^ mix(i));
    let r = |n: u64| mix(stream.wrapping_add(n));
    let update = r(0) % 100 < p.update_percent;
    if p.keys <= 1 {
        return (0, update);
    }
    if !p.zipf {
        return (((r(1) as u128 * p.keys as u128) >> 64) as u64, update);
    }
    let octaves = 64 - u64::from(p.keys.leading_zeros());
    let mut n = 1;
    loop {
        let low = 1u64 << (r(n) % octaves);
        let rank = low + r(n + 1) % low;
        if rank <= p.keys && r(n + 2) % rank < low {
            return (rank - 1, update);
        }
        n += 3;
    }
}

fn response_checksum(key: u64, p: &Params) -> u64 {
    let mut record = vec![0u64; 1 + p.value_words];
    record_words(key, &mut record);
    (0..p.response_words).fold(FNV_BASIS, |hash, j| (hash ^ record[j % record.len()]).wrapping_mul(FNV_PRIME))
}

/// A request on its way to be served.
pub struct Arrival {
    pub index: u64,
    pub key: u64,
    pub update: bool,
    pub due: Instant,
}

const WINDOW: Duration = Duration::from_millis(100);

/// One run's book-keeping: each request once, its latency (completion -
/// due), the worst latency of each 100 ms window, the responses' checksum.
pub struct Run {
    ledger: Ledger,
    latencies: Option<Histogram>,
    timeline: Vec<AtomicI64>,
    sum: AtomicU64,
    offsets: Vec<Duration>,
    start: Instant,
    seed: u64, // the measured run's key_seed; a warm-up's mix(key_seed): other keys
    left: AtomicU64,       // requests not answered yet: the last one wakes wait_all
    answered: Mutex<bool>, // only the last request and wait_all lock it
    all_answered: Condvar,
}

impl Run {
    fn new(p: &Params, n: u64, seed: u64, latencies: Option<Histogram>) -> Self {
        let expected = Duration::from_secs_f64(n as f64 / p.rate);
        let windows = ((2 * expected + Duration::from_secs(10)).as_nanos() / WINDOW.as_nanos()) as usize + 1;
        let mut at = 0.0f64;
        let offsets = (0..n)
            .map(|i| {
                if !p.poisson {
                    return Duration::from_nanos((i as f64 / p.rate * 1e9) as u64);
                }
                let offset = Duration::from_nanos(at as u64);
                let u = ((mix(p.arrival_seed ^ mix(i)) >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
                at += -u.ln() / p.rate * 1e9;
                offset
            })
            .collect();
        Run {
            ledger: Ledger::new(n),
            latencies,
            timeline: (0..windows).map(|_| AtomicI64::new(-1)).collect(),
            sum: AtomicU64::new(0),
            offsets,
            start: Instant::now(),
            seed,
            left: AtomicU64::new(n),
            answered: Mutex::new(false),
            all_answered: Condvar::new(),
        }
    }

    /// The same run, its schedule counting from now.
    fn started(self) -> Self {
        Run { start: Instant::now(), ..self }
    }

    pub fn requests(&self) -> u64 {
        self.offsets.len() as u64
    }

    /// When request i is due.
    pub fn due(&self, i: u64) -> Instant {
        self.start + self.offsets[i as usize]
    }

    /// Request i, handed over when it is due.
    pub fn arrival(&self, i: u64, p: &Params) -> Arrival {
        let (key, update) = cache_request(i, self.seed, p);
        Arrival { index: i, key, update, due: self.due(i) }
    }

    fn record(&self, a: &Arrival, checksum: u64) {
        let now = Instant::now();
        let latency = now - a.due;
        self.ledger.book(a.index);
        record(self.latencies.as_ref(), latency);
        let window = (((now - self.start).as_nanos() / WINDOW.as_nanos()) as usize).min(self.timeline.len() - 1);
        self.timeline[window].fetch_max(latency.as_nanos() as i64, Relaxed);
        self.sum.fetch_add(mix(checksum ^ a.index), Relaxed);
        if self.left.fetch_sub(1, AcqRel) == 1 {
            *self.answered.lock().unwrap() = true;
            self.all_answered.notify_all();
        }
    }

    /// Blocks until every request has been answered.
    pub fn wait_all(&self) {
        let mut answered = self.answered.lock().unwrap();
        while !*answered {
            answered = self.all_answered.wait(answered).unwrap();
        }
    }

    fn worst_us(&self) -> Value {
        let mut end = self.timeline.len();
        while end > 0 && self.timeline[end - 1].load(Relaxed) < 0 {
            end -= 1;
        }
        let worst: Vec<Value> = self.timeline[..end]
            .iter()
            .map(|w| match w.load(Relaxed) {
                ns if ns >= 0 => json!(ns as f64 / 1e3),
                _ => Value::Null,
            })
            .collect();
        json!({"window_s": WINDOW.as_secs_f64(), "worst_us": worst})
    }
}

/// The arrivals' thread: the kernel's default timer slack would wake it up to 50 us late.
pub fn pacing_thread() {
    // SAFETY: prctl(PR_SET_TIMERSLACK) changes only this thread's timer slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong, 0 as libc::c_ulong) };
}

/// Sleeps (on the OS clock) until `at`; returns at once when it is past.
pub fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
}

/// The arrivals, on the calling thread: each request when it is due.
pub fn arrivals(p: &Params, run: &Run, mut hand_over: impl FnMut(Arrival)) {
    pacing_thread();
    for i in 0..run.requests() {
        let arrival = run.arrival(i, p);
        sleep_until(arrival.due);
        hand_over(arrival);
    }
}

/// Serves one request: allocates its response, has the cache fill in the
/// record, renders the rest (the record again and again), books it.
pub fn serve(cache: &Cache, run: &Run, p: &Params, a: &Arrival) {
    let mut response = vec![0u64; p.response_words];
    let width = 1 + p.value_words;
    cache.serve(a.key, a.update, &mut response[..width]);
    for j in width..p.response_words {
        response[j] = response[j - width];
    }
    let checksum = response.iter().fold(FNV_BASIS, |hash, &w| (hash ^ w).wrapping_mul(FNV_PRIME));
    run.record(a, checksum);
}

pub fn run(r: &Request) -> Result<Map<String, Value>, Failure> {
    let mut p = Params {
        entries: r.uint("entries"),
        keys: r.uint("keys"),
        value_words: (r.uint("value_bytes") / 8) as usize,
        response_words: (r.uint("response_bytes") / 8) as usize,
        requests: r.uint("requests"),
        update_percent: r.uint("update_percent"),
        seed: r.uint("key_seed"),
        shards: r.uint("shards"),
        workers: r.uint("workers"),
        zipf: r.text("key_dist") == "zipf",
        rate: r.uint("rate") as f64,
        poisson: r.text("arrival") == "poisson",
        arrival_seed: r.uint("arrival_seed"),
    };
    if p.keys == 0 {
        p.keys = p.entries;
    }
    let p = Arc::new(p);
    // the model's way to serve one run; its runtime made once
    let tokio_rt = (r.model == Model::Tokio).then(|| r.tokio_runtime());
    let pool = (r.model == Model::Rayon).then(|| r.rayon_pool());
    let once = |cache: &Arc<Cache>, run: &Arc<Run>| match r.model {
        Model::Tokio => self::tokio::run(tokio_rt.as_ref().unwrap(), cache, run, &p),
        Model::Rayon => self::rayon::run(pool.as_ref().unwrap(), cache, run, &p),
        Model::Threads => self::threads::run(cache, run, &p),
    };
    let expected = |n: u64, seed: u64| {
        (0..n).fold((0u64, 0u64), |(sum, updates), i| {
            let (key, update) = cache_request(i, seed, &p);
            (sum.wrapping_add(mix(response_checksum(key, &p) ^ i)), updates + u64::from(update))
        })
    };
    // SAFETY: malloc_trim only hands free heap back to the system.
    unsafe { libc::malloc_trim(0) };
    let empty_rss = proc_status("VmRSS").unwrap_or(f64::NAN);
    let cache = Arc::new(Cache::new(&p));
    let mut updates = 0;
    let mut verify = |run: &Run, sum: u64| -> Result<(), Failure> {
        run.ledger.problems("request")?;
        let (want, asked) = expected(run.requests(), run.seed);
        if sum != want {
            return Err(Failure::WrongAnswer(format!("the responses' checksum 0x{sum:016X} differs from the contract's 0x{want:016X}")));
        }
        updates += asked;
        cache.problems(updates)
    };
    let warm = (p.rate as u64).clamp(1, p.requests);
    for _ in 0..r.warmup {
        let run = Arc::new(Run::new(&p, warm, mix(p.seed), None));
        once(&cache, &run);
        verify(&run, run.sum.load(Relaxed))?;
    }
    let run = Run::new(&p, p.requests, p.seed, r.record_latency.then(Histogram::new));
    let misses_before = cache.misses();
    let mut m = Map::new();
    let stopwatch = Stopwatch::start();
    let run = Arc::new(run.started());
    once(&cache, &run);
    stopwatch.stop(p.requests, &mut m);
    let sum = run.sum.load(Relaxed);
    verify(&run, sum)?;
    m.insert("checksum".into(), json!(format!("0x{sum:016X}")));
    if let Some(h) = &run.latencies {
        m.insert("latency_histogram".into(), h.to_json());
    }
    m.insert("latency_timeline".into(), run.worst_us());
    let cached = (p.entries * (16 + 8 * p.value_words as u64)) as f64;
    let peak = m.get("rss_run_peak_bytes").and_then(Value::as_f64).unwrap_or(f64::NAN);
    m.insert("cached_bytes".into(), json!(cached));
    m.insert("cache_rss_bytes".into(), json!(peak - empty_rss));
    m.insert("rss_per_cached_byte".into(), json!((peak - empty_rss) / cached));
    m.insert("cache_misses".into(), json!(cache.misses() - misses_before));
    Ok(m)
}
