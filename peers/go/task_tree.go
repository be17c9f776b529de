// task-tree: skynet. A goroutine per node; each parent sums what its
// children send on a channel of its own.
package main

// [node]
func node(first, count, fanout uint64, out chan<- uint64) {
	if count == 1 {
		out <- first
		return
	}
	n := fanout
	if count < n {
		n = count
	}
	sums := make(chan uint64, n)
	for k := uint64(0); k < n; k++ {
		lo, hi := first+count*k/n, first+count*(k+1)/n
		go node(lo, hi-lo, fanout, sums)
	}
	var sum uint64
	for k := uint64(0); k < n; k++ {
		sum += <-sums
	}
	out <- sum
}

// taskCount: the tree's tasks, leaves included; subtrees of the same size
// are alike, so it is memoized by size.
func taskCount(leaves, fanout uint64, memo map[uint64]uint64) uint64 {
	if leaves == 1 {
		return 1
	}
	if count, ok := memo[leaves]; ok {
		return count
	}
	n := fanout
	if leaves < n {
		n = leaves
	}
	count := uint64(1)
	for k := uint64(0); k < n; k++ {
		count += taskCount(leaves*(k+1)/n-leaves*k/n, fanout, memo)
	}
	memo[leaves] = count
	return count
}

func taskTree(r *Request) (map[string]any, error) {
	leaves, fanout := r.Uint("leaves"), r.Uint("fanout")
	once := func(struct{}, *Histogram) (uint64, error) {
		root := make(chan uint64, 1)
		go node(0, leaves, fanout, root)
		return <-root, nil
	}
	tasks := taskCount(leaves, fanout, map[uint64]uint64{})
	m, err := measure(r, tasks, nothing, once)
	if m != nil {
		m["tasks"] = tasks
		m["leaves"] = leaves
		m["ns_per_task"] = m["wall_s"].(float64) * 1e9 / float64(tasks)
	}
	return m, err
}
