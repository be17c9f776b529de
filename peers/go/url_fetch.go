// url-fetch: C worker goroutines fetch items 0..N-1 with net/http's client
// (its connection pool keeps C connections alive), each body checked
// against the contract's checksum; faults are counted by kind.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

var faultKinds = []string{"connect", "timeout", "http_status", "short_body", "protocol", "checksum"}

// classify names the fault of a failed request or body read.
func classify(err error) string {
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "connect"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "short_body"
	}
	return "protocol"
}

func urlFetch(r *Request) (map[string]any, error) {
	target, requests, concurrency, size := r.Text("target"), r.Uint("requests"), r.Uint("concurrency"), r.Uint("size")
	dist, mean, seed := r.Text("delay_dist"), r.Uint("delay_us"), r.Uint("delay_seed")
	timeout, keepalive := time.Duration(r.Uint("timeout_ms"))*time.Millisecond, r.Text("keepalive") == "on"
	serverPid := uint64(0)
	if pid, ok := r.Params["server_pid"].(float64); ok {
		serverPid = uint64(pid)
	}
	workers := concurrency
	if requests < workers {
		workers = requests
	}
	expected := make([]uint64, requests)
	for i := range expected {
		expected[i] = itemChecksum(uint64(i), size)
	}
	var faults [6]uint64
	var failed []uint64
	var bytes, connections uint64
	type book struct {
		ledger   Ledger
		failedAt []uint8 // 1 + the fault's kind
	}
	prepare := func() book { return book{make(Ledger, requests), make([]uint8, requests)} }
	once := func(b book, latencies *Histogram) (uint64, error) {
		ledger, failedAt := b.ledger, b.failedAt
		faults, failed, bytes, connections = [6]uint64{}, nil, 0, 0
		dialer := &net.Dialer{}
		client := &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
					atomic.AddUint64(&connections, 1)
					return dialer.DialContext(ctx, network, address)
				},
				MaxIdleConns: int(workers), MaxIdleConnsPerHost: int(workers), DisableKeepAlives: !keepalive,
				DisableCompression: true,
			},
		}
		defer client.CloseIdleConnections()
		var next, sum uint64
		finished := make(chan struct{})
		// [worker]
		for w := uint64(0); w < workers; w++ {
			go func() {
				for {
					i := atomic.AddUint64(&next, 1) - 1
					if i >= requests {
						break
					}
					start := time.Now()
					url := fmt.Sprintf("%s/item/%d?size=%d&delay_us=%d", target, i, size, itemDelayUs(dist, mean, seed, i))
					checksum, n, fault := fetch(client, url, size)
					ledger[i]++
					atomic.AddUint64(&bytes, n)
					if fault == "" && checksum != expected[i] {
						fault = "checksum"
					}
					if fault != "" {
						for k, kind := range faultKinds {
							if kind == fault {
								failedAt[i] = uint8(k + 1)
								atomic.AddUint64(&faults[k], 1)
							}
						}
						continue
					}
					latencies.Record(time.Since(start))
					atomic.AddUint64(&sum, checksum)
				}
				finished <- struct{}{}
			}()
		}
		for w := uint64(0); w < workers; w++ {
			<-finished
		}
		for i, f := range failedAt {
			if f != 0 {
				failed = append(failed, uint64(i))
			}
		}
		return sum, ledger.Problems("request")
	}
	var serverBefore float64
	m, err := measure(r, requests, prepare, func(b book, h *Histogram) (uint64, error) {
		serverBefore = processCPU(serverPid)
		return once(b, h)
	})
	if m != nil {
		total := uint64(0)
		for k, kind := range faultKinds {
			m["errors_"+kind] = faults[k]
			total += faults[k]
		}
		m["errors"] = total
		m["failed_items"] = failed
		m["requests"] = requests
		m["body_bytes"] = bytes
		m["bytes_per_s"] = float64(bytes) / m["wall_s"].(float64)
		m["connections_opened"] = connections
		m["tasks"] = workers
		if after := processCPU(serverPid); serverBefore >= 0 && after >= 0 {
			m["server_cpu_s"] = after - serverBefore
		}
	}
	return m, err
}

// fetch: one GET; the body's checksum and length, or the fault's kind.
func fetch(client *http.Client, url string, size uint64) (uint64, uint64, string) {
	response, err := client.Get(url)
	if err != nil {
		return 0, 0, classify(err)
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		io.Copy(io.Discard, response.Body)
		return 0, 0, "http_status"
	}
	if response.ContentLength != int64(size) {
		return 0, 0, "protocol"
	}
	body, err := io.ReadAll(response.Body)
	if err != nil {
		return 0, uint64(len(body)), classify(err)
	}
	return fnv1a(body), uint64(len(body)), ""
}

