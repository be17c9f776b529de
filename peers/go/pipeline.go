// pipeline: generate -> transform (P goroutines) -> aggregate, each stage a
// goroutine joined to the next by a buffered channel.
package main

import (
	"sync"
	"time"
)

type item struct {
	index, value uint64
	generated    time.Time
}

func pipeline(r *Request) (map[string]any, error) {
	items, work, parallelism, buffer := r.Uint("items"), r.Uint("work"), r.Uint("parallelism"), r.Uint("buffer")
	once := func(ledger Ledger, latencies *Histogram) (uint64, error) {
		generated := make(chan item, buffer)
		transformed := make(chan item, buffer)
		// [generate]
		go func() {
			for i := uint64(0); i < items; i++ {
				generated <- item{i, i, time.Now()}
			}
			close(generated)
		}()
		// [transform]
		var wg sync.WaitGroup
		wg.Add(int(parallelism))
		for t := uint64(0); t < parallelism; t++ {
			go func() {
				defer wg.Done()
				for it := range generated {
					it.value = jobResult(it.index, work)
					transformed <- it
				}
			}()
		}
		go func() {
			wg.Wait()
			close(transformed)
		}()
		// [aggregate]
		var sum uint64
		for it := range transformed {
			sum += it.value
			ledger[it.index]++
			latencies.Record(time.Since(it.generated))
		}
		return sum, ledger.Problems("item")
	}
	m, err := measure(r, items, ledgerOf(items), once)
	if m != nil {
		m["tasks"] = parallelism + 2
	}
	return m, err
}
