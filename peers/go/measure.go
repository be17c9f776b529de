// What a peer measures of its own measured run, the way conclab's
// Stopwatch does (src/stopwatch.hpp): wall clock, CPU and context switches
// (getrusage, all threads), the RSS before the run (freed memory handed back
// first) and its peak during it (VmHWM, reset through clear_refs), the OS
// threads, and the garbage collector's cycles and pauses. Latencies go into
// conclab's histogram layout (src/histogram.hpp), so the runner computes
// percentiles with the same code as for its own models.
package main

import (
	"math/bits"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Histogram: HdrHistogram's log-linear layout with 2048 sub-buckets, values
// in nanoseconds up to 2^42-1; bucket b >= 1 holds [2^(b+10), 2^(b+11)).
// Any goroutine records into it at once: atomic counters, no lock.
type Histogram struct {
	counts [33 * 1024]uint64
	min    uint64 // stored as ^min, so that the zero value means "none yet"
	max    uint64
	total  uint64
}

const histogramMax = 1<<42 - 1

func histogramIndex(v uint64) int {
	if v > histogramMax {
		v = histogramMax
	}
	bucket := bits.Len64(v|2047) - 11
	return bucket*1024 + int(v>>uint(bucket))
}

// Record on a nil histogram records nothing (a run without latencies).
func (h *Histogram) Record(d time.Duration) {
	if h == nil {
		return
	}
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	atomic.AddUint64(&h.counts[histogramIndex(v)], 1)
	atomic.AddUint64(&h.total, 1)
	for old := atomic.LoadUint64(&h.min); ^v > old && !atomic.CompareAndSwapUint64(&h.min, old, ^v); old = atomic.LoadUint64(&h.min) {
	}
	for old := atomic.LoadUint64(&h.max); v > old && !atomic.CompareAndSwapUint64(&h.max, old, v); old = atomic.LoadUint64(&h.max) {
	}
}

// JSON: the counters that are not zero, as [index, count] pairs.
func (h *Histogram) JSON() map[string]any {
	counts := [][2]uint64{}
	for i := range h.counts {
		if c := atomic.LoadUint64(&h.counts[i]); c > 0 {
			counts = append(counts, [2]uint64{uint64(i), c})
		}
	}
	return map[string]any{"layout": "hdr-2048-42", "min_ns": ^atomic.LoadUint64(&h.min), "max_ns": atomic.LoadUint64(&h.max),
		"counts": counts}
}

func procStatus(key string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key+":") {
			fields := strings.Fields(line[len(key)+1:])
			if len(fields) == 0 {
				return -1
			}
			v, _ := strconv.ParseFloat(fields[0], 64)
			if len(fields) > 1 && fields[1] == "kB" {
				v *= 1024
			}
			return v
		}
	}
	return -1
}

// processCPU is the user + system seconds of process pid (/proc/pid/stat), or -1.
func processCPU(pid uint64) float64 {
	if pid == 0 {
		return -1
	}
	data, err := os.ReadFile("/proc/" + strconv.FormatUint(pid, 10) + "/stat")
	if err != nil {
		return -1
	}
	text := string(data)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+2:])
	if len(fields) < 13 {
		return -1
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

// programStart: the collector's CPU share (MemStats.GCCPUFraction) is of
// the CPU available since the program started.
var programStart = time.Now()

// gcCPUSeconds is the CPU the collector had used by the end of its last
// cycle: GCCPUFraction, set when a cycle ends, is its share of GOMAXPROCS x
// the time from the program's start to then (LastGC) — assists, dedicated
// and fractional mark workers and the pauses; not the idle-time marking,
// which uses CPU nothing else wanted. Go 1.19 has no finer metric (1.20's
// /cpu/classes/gc). A cycle counts in the run it ends in.
func gcCPUSeconds(gc *runtime.MemStats) float64 {
	if gc.NumGC == 0 {
		return 0
	}
	since := time.Unix(0, int64(gc.LastGC)).Sub(programStart).Seconds()
	return gc.GCCPUFraction * float64(runtime.GOMAXPROCS(0)) * since
}

type Stopwatch struct {
	start    time.Time
	usage    syscall.Rusage
	baseline float64
	gc       runtime.MemStats
	gcCPU    float64
}

func startStopwatch() *Stopwatch {
	s := &Stopwatch{}
	debug.FreeOSMemory() // the garbage of the warm-up runs goes first, as malloc_trim does for C++
	s.baseline = procStatus("VmRSS")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // VmHWM := VmRSS
	runtime.ReadMemStats(&s.gc)
	syscall.Getrusage(syscall.RUSAGE_SELF, &s.usage)
	s.start = time.Now()
	s.gcCPU = gcCPUSeconds(&s.gc)
	return s
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// Stop fills the metrics of the measured run.
func (s *Stopwatch) Stop(items uint64, m map[string]any) {
	wall := time.Since(s.start).Seconds()
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	m["items"] = items
	m["wall_s"] = wall
	m["user_cpu_s"] = seconds(usage.Utime) - seconds(s.usage.Utime)
	m["sys_cpu_s"] = seconds(usage.Stime) - seconds(s.usage.Stime)
	m["voluntary_ctx_switches"] = usage.Nvcsw - s.usage.Nvcsw
	m["involuntary_ctx_switches"] = usage.Nivcsw - s.usage.Nivcsw
	m["os_threads"] = procStatus("Threads")
	m["rss_baseline_bytes"] = s.baseline
	m["rss_run_peak_bytes"] = procStatus("VmHWM")
	var gc runtime.MemStats
	runtime.ReadMemStats(&gc)
	cycles := gc.NumGC - s.gc.NumGC
	m["gc_cycles"] = cycles
	m["gc_pause_total_s"] = float64(gc.PauseTotalNs-s.gc.PauseTotalNs) / 1e9
	maxPause := uint64(0)
	for k := uint32(0); k < cycles && k < 256; k++ {
		if p := gc.PauseNs[(gc.NumGC-k+255)%256]; p > maxPause {
			maxPause = p
		}
	}
	m["gc_pause_max_us"] = float64(maxPause) / 1e3
	gcCPU := gcCPUSeconds(&gc) - s.gcCPU
	if gcCPU < 0 {
		gcCPU = 0
	}
	m["gc_cpu_s"] = gcCPU
	if cpu := m["user_cpu_s"].(float64) + m["sys_cpu_s"].(float64); cpu > 0 {
		m["gc_cpu_share"] = gcCPU / cpu
	}
	m["heap_allocated_bytes"] = gc.TotalAlloc - s.gc.TotalAlloc
	m["heap_allocations"] = gc.Mallocs - s.gc.Mallocs
}
