// cache-service: a service holding a large cache — a map and an LRU list
// per shard, each record a struct of its own with its value in a slice:
// the pointer-dense live heap Go's collector must mark — filled before the
// clock. Requests arrive open loop; each is served in a goroutine of its
// own, as a Go server does, and allocates its response.
package main

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// [cache] a record and the shard that holds it
type record struct {
	key, version uint64
	newer, older *record // the LRU list: toward the most recently used, and away
	value        []uint64
}

type shard struct {
	mu                      sync.Mutex
	records                 map[uint64]*record
	newest, oldest          *record
	capacity                int
	misses, evictedVersions uint64
	_                       [64]byte // a shard's lock on a cache line of its own
}

func (s *shard) unlink(e *record) {
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		s.newest = e.older
	}
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		s.oldest = e.newer
	}
	e.newer, e.older = nil, nil
}

func (s *shard) pushNewest(e *record) {
	e.older, e.newer = s.newest, nil
	if s.newest != nil {
		s.newest.newer = e
	} else {
		s.oldest = e
	}
	s.newest = e
}

type cache struct {
	shards     []shard
	valueWords uint64
}

// recordWords is the contract's record of key: the key, then mix applied 1, 2, ... times.
func recordWords(key uint64, out []uint64) {
	x := key
	for j := range out {
		out[j] = x
		x = mix(x)
	}
}

func loadValue(key, words uint64) []uint64 {
	record := make([]uint64, 1+words)
	recordWords(key, record)
	return record[1:]
}

func newCache(entries, shards, valueWords uint64) *cache {
	c := &cache{shards: make([]shard, shards), valueWords: valueWords}
	for s := range c.shards {
		capacity := entries / shards
		if uint64(s) < entries%shards {
			capacity++
		}
		c.shards[s].capacity = int(capacity)
		c.shards[s].records = make(map[uint64]*record, capacity)
	}
	for key := uint64(0); key < entries; key++ {
		s := &c.shards[key%shards]
		e := &record{key: key, value: loadValue(key, valueWords)}
		s.records[key] = e
		s.pushNewest(e)
	}
	return c
}

// serve finds (or loads, evicting the least recently used) the record of
// key, makes it the most recent, on an update gives it a new value, and
// copies it into out.
func (c *cache) serve(key uint64, update bool, out []uint64) {
	var value []uint64
	if update {
		value = loadValue(key, c.valueWords)
	}
	s := &c.shards[key%uint64(len(c.shards))]
	s.mu.Lock()
	e, ok := s.records[key]
	if !ok {
		s.misses++
		e = &record{key: key, value: loadValue(key, c.valueWords)}
		s.records[key] = e
		if len(s.records) > s.capacity {
			victim := s.oldest
			s.evictedVersions += victim.version
			s.unlink(victim)
			delete(s.records, victim.key)
		}
	} else {
		s.unlink(e)
	}
	s.pushNewest(e)
	if update {
		e.value = value
		e.version++
	}
	out[0] = key
	copy(out[1:], e.value)
	s.mu.Unlock()
}

// problems checks the shards' lists against their maps and the updates held.
func (c *cache) problems(updates uint64) error {
	versions := uint64(0)
	for i := range c.shards {
		s := &c.shards[i]
		linked := 0
		var newer *record
		for e := s.newest; e != nil; newer, e = e, e.older {
			linked++
			if e.newer != newer || linked > len(s.records) {
				return WrongAnswer("a shard's LRU list is broken")
			}
			versions += e.version
		}
		if newer != s.oldest || linked != len(s.records) || linked > s.capacity {
			return WrongAnswer("a shard's list and map disagree")
		}
		versions += s.evictedVersions
	}
	if versions != updates {
		return WrongAnswer("the cache does not hold the updates asked for")
	}
	return nil
}

func (c *cache) missCount() uint64 {
	n := uint64(0)
	for i := range c.shards {
		c.shards[i].mu.Lock()
		n += c.shards[i].misses
		c.shards[i].mu.Unlock()
	}
	return n
}

// [contract] the requests' draws (docs/contract.md, "cache-service")
type cacheParams struct {
	entries, keys, valueWords, responseWords, requests, updatePercent, seed, shards uint64
	zipf                                                                            bool
	rate                                                                            float64
	poisson                                                                         bool
	arrivalSeed                                                                     uint64
}

func cacheRequest(i, seed uint64, p *cacheParams) (key uint64, update bool) {
	stream := mix(seed ^ mix(i))
	r := func(n uint64) uint64 { return mix(stream + n) }
	update = r(0)%100 < p.updatePercent
	if p.keys <= 1 {
		return 0, update
	}
	if !p.zipf {
		hi, _ := bits.Mul64(r(1), p.keys)
		return hi, update
	}
	octaves := uint64(bits.Len64(p.keys))
	for n := uint64(1); ; n += 3 {
		low := uint64(1) << (r(n) % octaves)
		rank := low + r(n+1)%low
		if rank <= p.keys && r(n+2)%rank < low {
			return rank - 1, update
		}
	}
}

func responseChecksum(key uint64, p *cacheParams) uint64 {
	record := make([]uint64, 1+p.valueWords)
	recordWords(key, record)
	hash := uint64(fnvBasis)
	for j := uint64(0); j < p.responseWords; j++ {
		hash = (hash ^ record[j%uint64(len(record))]) * fnvPrime
	}
	return hash
}

// offsets: when each request is due after the start (conclab's Schedule)
func offsets(p *cacheParams, n uint64) []time.Duration {
	out := make([]time.Duration, n)
	at := 0.0
	for i := uint64(0); i < n; i++ {
		if !p.poisson {
			out[i] = time.Duration(float64(i) / p.rate * 1e9)
			continue
		}
		out[i] = time.Duration(at)
		u := (float64(mix(p.arrivalSeed^mix(i))>>11) + 0.5) * (1.0 / (1 << 53))
		at += -math.Log(u) / p.rate * 1e9
	}
	return out
}

// [run] one run of n requests: each served in a goroutine of its own
type cacheRun struct {
	ledger    []uint32
	latencies *Histogram
	timeline  []int64 // the worst latency (ns) of each 100 ms window by completion; -1: none
	sum       uint64
	start     time.Time
	seed      uint64 // the measured run's key_seed; a warm-up's mix(key_seed): other keys
}

const window = 100 * time.Millisecond

func newCacheRun(p *cacheParams, n, seed uint64, latencies *Histogram) *cacheRun {
	expected := time.Duration(float64(n) / p.rate * 1e9)
	run := &cacheRun{ledger: make([]uint32, n), latencies: latencies, seed: seed, timeline: make([]int64, (2*expected+10*time.Second)/window+1)}
	for i := range run.timeline {
		run.timeline[i] = -1
	}
	return run
}

func (run *cacheRun) record(i uint64, due time.Time, checksum uint64) {
	now := time.Now()
	latency := now.Sub(due)
	atomic.AddUint32(&run.ledger[i], 1)
	run.latencies.Record(latency)
	w := int(now.Sub(run.start) / window)
	if w >= len(run.timeline) {
		w = len(run.timeline) - 1
	}
	for old := atomic.LoadInt64(&run.timeline[w]); int64(latency) > old && !atomic.CompareAndSwapInt64(&run.timeline[w], old, int64(latency)); old = atomic.LoadInt64(&run.timeline[w]) {
	}
	atomic.AddUint64(&run.sum, mix(checksum^i))
}

func (run *cacheRun) worstMicroseconds() []any {
	end := len(run.timeline)
	for end > 0 && run.timeline[end-1] < 0 {
		end--
	}
	out := make([]any, end)
	for i := 0; i < end; i++ {
		if run.timeline[i] >= 0 {
			out[i] = float64(run.timeline[i]) / 1e3
		}
	}
	return out
}

// serveRequest allocates the response, has the cache fill in the record, renders the rest and books it.
func serveRequest(c *cache, run *cacheRun, p *cacheParams, i uint64, key uint64, update bool, due time.Time) {
	response := make([]uint64, p.responseWords)
	width := 1 + p.valueWords
	c.serve(key, update, response[:width])
	for j := width; j < p.responseWords; j++ {
		response[j] = response[j-width]
	}
	hash := uint64(fnvBasis)
	for _, w := range response {
		hash = (hash ^ w) * fnvPrime
	}
	run.record(i, due, hash)
}

func (c *cache) run(p *cacheParams, run *cacheRun, n uint64) uint64 {
	due := offsets(p, n)
	var answered sync.WaitGroup
	answered.Add(int(n))
	run.start = time.Now()
	// [arrivals] a goroutine on an OS thread of its own paces the requests
	// with the OS's sleep (Go's timers wake at most once a millisecond when
	// the runtime is idle) and starts a goroutine for each as it is due
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		syscall.Syscall6(syscall.SYS_PRCTL, 29 /* PR_SET_TIMERSLACK */, 1, 0, 0, 0, 0)
		for i := uint64(0); i < n; i++ {
			key, update := cacheRequest(i, run.seed, p)
			at := run.start.Add(due[i])
			if d := time.Until(at); d > 0 {
				ts := syscall.NsecToTimespec(int64(d))
				syscall.Nanosleep(&ts, nil)
			}
			go func(i, key uint64, update bool, at time.Time) {
				serveRequest(c, run, p, i, key, update, at)
				answered.Done()
			}(i, key, update, at)
		}
	}()
	answered.Wait()
	return atomic.LoadUint64(&run.sum)
}

func cacheService(r *Request) (map[string]any, error) {
	p := &cacheParams{entries: r.Uint("entries"), keys: r.Uint("keys"), valueWords: r.Uint("value_bytes") / 8,
		responseWords: r.Uint("response_bytes") / 8, requests: r.Uint("requests"), updatePercent: r.Uint("update_percent"),
		seed: r.Uint("key_seed"), shards: r.Uint("shards"), zipf: r.Text("key_dist") == "zipf", rate: float64(r.Uint("rate")),
		poisson: r.Text("arrival") == "poisson", arrivalSeed: r.Uint("arrival_seed")}
	if p.keys == 0 {
		p.keys = p.entries
	}
	if gogc := int(r.Uint("gogc")); gogc > 0 {
		debug.SetGCPercent(gogc)
	} else {
		debug.SetGCPercent(-1)
	}
	if limit := r.Uint("gomemlimit_mb"); limit > 0 {
		debug.SetMemoryLimit(int64(limit) << 20)
	}
	expected := func(n, seed uint64) (sum, updates uint64) {
		for i := uint64(0); i < n; i++ {
			key, update := cacheRequest(i, seed, p)
			sum += mix(responseChecksum(key, p) ^ i)
			if update {
				updates++
			}
		}
		return sum, updates
	}
	debug.FreeOSMemory()
	emptyRSS := procStatus("VmRSS")
	c := newCache(p.entries, p.shards, p.valueWords)
	updates := uint64(0)
	verify := func(run *cacheRun, sum, n uint64) error {
		if err := Ledger(run.ledger).Problems("request"); err != nil {
			return err
		}
		want, asked := expected(n, run.seed)
		if sum != want {
			return WrongAnswer("the responses' checksum differs from the contract's")
		}
		updates += asked
		return c.problems(updates)
	}
	warm := uint64(p.rate)
	if warm > p.requests {
		warm = p.requests
	}
	if warm < 1 {
		warm = 1
	}
	for i := 0; i < r.Warmup; i++ {
		run := newCacheRun(p, warm, mix(p.seed), nil)
		if err := verify(run, c.run(p, run, warm), warm); err != nil {
			return nil, err
		}
	}
	var latencies *Histogram
	if r.RecordLatency {
		latencies = &Histogram{}
	}
	run := newCacheRun(p, p.requests, p.seed, latencies)
	missesBefore := c.missCount()
	m := map[string]any{}
	stopwatch := startStopwatch()
	sum := c.run(p, run, p.requests)
	stopwatch.Stop(p.requests, m)
	if err := verify(run, sum, p.requests); err != nil {
		return nil, err
	}
	m["checksum"] = fmt.Sprintf("0x%016X", sum)
	if latencies != nil {
		m["latency_histogram"] = latencies.JSON()
	}
	m["latency_timeline"] = map[string]any{"window_s": window.Seconds(), "worst_us": run.worstMicroseconds()}
	cached := float64(p.entries * (16 + 8*p.valueWords))
	peak, _ := m["rss_run_peak_bytes"].(float64)
	m["cached_bytes"] = cached
	m["cache_rss_bytes"] = peak - emptyRSS
	m["rss_per_cached_byte"] = (peak - emptyRSS) / cached
	m["cache_misses"] = c.missCount() - missesBefore
	runtime.KeepAlive(c)
	return m, nil
}
