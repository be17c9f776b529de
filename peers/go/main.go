// conclab's Go peer: the six scenarios in Go, the way a Go programmer
// writes them (goroutines, channels, sync, net/http; the standard library
// only), to conclab's contract (docs/contract.md). It speaks the protocol of
// a conclab case (docs/calibration.md): `conclab-peer-go __case REQUEST`
// runs the request's warm-up runs and one measured run, each checked
// exactly-once, and prints one JSON line with what it measured. The runner
// checks the answer against the contract itself.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
)

// Request is the case request conclab sends (src/case_json.cpp).
type Request struct {
	Scenario      string         `json:"scenario"`
	Model         string         `json:"model"`
	Params        map[string]any `json:"params"`
	Warmup        int            `json:"warmup"`
	RecordLatency bool           `json:"record_latency"`
}

func (r *Request) Uint(name string) uint64 {
	v, ok := r.Params[name].(float64)
	if !ok {
		panic(wrongRequest(fmt.Sprintf("parameter %s missing or not a number", name)))
	}
	return uint64(v)
}

func (r *Request) Text(name string) string {
	v, ok := r.Params[name].(string)
	if !ok {
		panic(wrongRequest(fmt.Sprintf("parameter %s missing or not a text", name)))
	}
	return v
}

type wrongRequest string

// WrongAnswer: a run that did not do every item exactly once.
type WrongAnswer string

// Run is one verified run of a scenario; Measured is the measured one.
type scenario func(r *Request) (map[string]any, error)

var scenarios = map[string]scenario{
	"worker-pool":   workerPool,
	"url-fetch":     urlFetch,
	"task-tree":     taskTree,
	"idle-tasks":    idleTasks,
	"pipeline":      pipeline,
	"cache-service": cacheService,
}

func reply(v map[string]any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Printf("conclab-peer-go (%s)\n", runtime.Version())
		return
	}
	if len(os.Args) != 3 || os.Args[1] != "__case" {
		fmt.Fprintln(os.Stderr, "usage: conclab-peer-go __case REQUEST_JSON (started by conclab; see docs/calibration.md)")
		os.Exit(2)
	}
	var r Request
	if err := json.Unmarshal([]byte(os.Args[2]), &r); err != nil {
		reply(map[string]any{"status": "error", "error": "malformed case request: " + err.Error()})
		return
	}
	run, ok := scenarios[r.Scenario]
	if !ok || r.Model != "go" {
		reply(map[string]any{"status": "error", "error": "the Go peer has no scenario " + r.Scenario + " for model " + r.Model})
		return
	}
	if threads, ok := r.Params["threads"].(float64); ok && threads >= 1 {
		runtime.GOMAXPROCS(int(threads))
	}
	defer func() {
		if p := recover(); p != nil {
			if w, ok := p.(wrongRequest); ok {
				reply(map[string]any{"status": "error", "error": string(w)})
				return
			}
			panic(p)
		}
	}()
	metrics, err := run(&r)
	switch e := err.(type) {
	case nil:
		reply(map[string]any{"status": "ok", "metrics": metrics})
	case WrongAnswer:
		reply(map[string]any{"status": "wrong_answer", "error": string(e)})
	default:
		reply(map[string]any{"status": "error", "error": err.Error()})
	}
}

func (w WrongAnswer) Error() string { return string(w) }

// measure does r.Warmup runs and one measured run of once; each must
// return nil (every item exactly once) before the next starts. What prepare
// makes for a run (its ledger, say) is made before the clock starts, as
// conclab's harness does for its models.
func measure[S any](r *Request, items uint64, prepare func() S, once func(s S, h *Histogram) (uint64, error)) (map[string]any, error) {
	for i := 0; i < r.Warmup; i++ {
		if _, err := once(prepare(), &Histogram{}); err != nil {
			return nil, err
		}
	}
	var latencies *Histogram
	if r.RecordLatency || r.Scenario == "idle-tasks" { // idle-tasks' latency is its wake-up lateness: always
		latencies = &Histogram{}
	}
	m := map[string]any{}
	state := prepare()
	stopwatch := startStopwatch()
	checksum, err := once(state, latencies)
	stopwatch.Stop(items, m)
	if err != nil {
		return nil, err
	}
	m["checksum"] = fmt.Sprintf("0x%016X", checksum)
	if latencies != nil {
		m["latency_histogram"] = latencies.JSON()
	}
	return m, nil
}

// Ledger books each item once; Problems says what went wrong.
type Ledger []uint32

// ledgerOf makes a ledger of n items for each run.
func ledgerOf(n uint64) func() Ledger { return func() Ledger { return make(Ledger, n) } }

// nothing: a run that needs nothing made before the clock.
func nothing() struct{} { return struct{}{} }

func (l Ledger) Problems(what string) error {
	missing, repeated := 0, 0
	for i := range l {
		if l[i] == 0 {
			missing++
		} else if l[i] > 1 {
			repeated++
		}
	}
	if missing == 0 && repeated == 0 {
		return nil
	}
	return WrongAnswer(fmt.Sprintf("%d %s(s) never done, %d done more than once", missing, what, repeated))
}
