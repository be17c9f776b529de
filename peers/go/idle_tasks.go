// idle-tasks: a goroutine per task; each sleeps its wait, then adds mix(i)
// to a shared sum.
package main

import (
	"sync"
	"sync/atomic"
	"time"
)

func idleTasks(r *Request) (map[string]any, error) {
	tasks, wait := r.Uint("tasks"), time.Duration(r.Uint("wait_ms"))*time.Millisecond
	var spawn time.Duration
	var peak int64
	once := func(_ struct{}, latencies *Histogram) (uint64, error) {
		var sum, woken uint64
		var alive, mostAlive int64
		var wg sync.WaitGroup
		started := time.Now()
		wg.Add(int(tasks))
		// [launcher]
		for i := uint64(0); i < tasks; i++ {
			// [task]
			go func(i uint64) {
				defer wg.Done()
				now := atomic.AddInt64(&alive, 1)
				for old := atomic.LoadInt64(&mostAlive); now > old && !atomic.CompareAndSwapInt64(&mostAlive, old, now); old = atomic.LoadInt64(&mostAlive) {
				}
				due := time.Now().Add(wait)
				time.Sleep(time.Until(due))
				latencies.Record(time.Since(due))
				atomic.AddUint64(&sum, mix(i))
				atomic.AddUint64(&woken, 1)
				atomic.AddInt64(&alive, -1)
			}(i)
		}
		spawn = time.Since(started)
		wg.Wait()
		peak = mostAlive
		if woken != tasks {
			return sum, WrongAnswer("not every task woke once")
		}
		return sum, nil
	}
	m, err := measure(r, tasks, nothing, once)
	if m != nil {
		m["tasks"] = peak
		m["spawn_s"] = spawn.Seconds()
		m["peak_alive"] = peak
		if allocated, ok := m["heap_allocated_bytes"].(uint64); ok {
			m["heap_bytes_per_task"] = float64(allocated) / float64(tasks)
		}
	}
	return m, err
}
