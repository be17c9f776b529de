// worker-pool: a producer sends jobs through a channel to W worker
// goroutines; each computes its job, may sleep, and sends the result to the
// collector, which sums them.
package main

import (
	"runtime"
	"time"
)

type job struct {
	index    uint64
	enqueued time.Time
}

type done struct {
	index, result uint64
	enqueued      time.Time
}

// perform is the job; with alloc > 0 it works on a heap buffer of that
// many bytes, writing the first byte of each page, and leaves it to the
// garbage collector (docs/contract.md).
func perform(j job, work, alloc uint64) done {
	d := done{j.index, jobResult(j.index, work), j.enqueued}
	if alloc > 0 {
		buffer := make([]byte, alloc)
		for at := uint64(0); at < alloc; at += 4096 {
			buffer[at] = byte(d.result)
		}
		runtime.KeepAlive(buffer)
	}
	return d
}

func workerPool(r *Request) (map[string]any, error) {
	jobs, workers, work := r.Uint("jobs"), r.Uint("workers"), r.Uint("work")
	buffer, wait := r.Uint("buffer"), time.Duration(r.Uint("wait_us"))*time.Microsecond
	alloc := r.Uint("alloc_bytes")
	once := func(ledger Ledger, latencies *Histogram) (uint64, error) {
		queue := make(chan job, buffer)
		results := make(chan done, buffer)
		// [producer]
		go func() {
			for i := uint64(0); i < jobs; i++ {
				queue <- job{i, time.Now()}
			}
			close(queue)
		}()
		// [worker]
		finished := make(chan struct{})
		for w := uint64(0); w < workers; w++ {
			go func() {
				for j := range queue {
					d := perform(j, work, alloc)
					if wait > 0 {
						time.Sleep(wait)
					}
					results <- d
				}
				finished <- struct{}{}
			}()
		}
		go func() {
			for w := uint64(0); w < workers; w++ {
				<-finished
			}
			close(results)
		}()
		// [collector]
		var sum uint64
		for d := range results {
			sum += d.result
			ledger[d.index]++
			latencies.Record(time.Since(d.enqueued))
		}
		return sum, ledger.Problems("job")
	}
	m, err := measure(r, jobs, ledgerOf(jobs), once)
	if m != nil {
		m["tasks"] = workers
	}
	return m, err
}
