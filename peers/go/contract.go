// The contract (docs/contract.md): mix, the job result, the item bodies and
// their checksums, and the per-item server delays.
package main

import "math"

func mix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

func jobResult(i, work uint64) uint64 {
	r := i
	for k := uint64(0); k < work; k++ {
		r = mix(r)
	}
	return r
}

const fnvBasis, fnvPrime = 0xCBF29CE484222325, 0x100000001B3

// fnv1a is the body checksum of the bytes given.
func fnv1a(body []byte) uint64 {
	hash := uint64(fnvBasis)
	for _, b := range body {
		hash = (hash ^ uint64(b)) * fnvPrime
	}
	return hash
}

// itemChecksum is the checksum of item i's first size bytes, computed
// without the network.
func itemChecksum(i, size uint64) uint64 {
	hash := uint64(fnvBasis)
	x := i
	for done := uint64(0); done < size; done += 8 {
		x = mix(x)
		for b := uint64(0); b < 8 && done+b < size; b++ {
			hash = (hash ^ (x >> (8 * b) & 0xFF)) * fnvPrime
		}
	}
	return hash
}

const maxDelayUs = 60_000_000

// itemDelayUs is the delay a client asks the server for item i.
func itemDelayUs(dist string, mean, seed, i uint64) uint64 {
	stream := mix(seed ^ mix(i))
	u := func(n uint64) float64 { return float64(mix(stream+n)>>11) * (1.0 / (1 << 53)) }
	m := float64(mean)
	var d float64
	switch dist {
	case "uniform":
		d = 2 * m * u(0)
	case "exp":
		d = -m * math.Log1p(-u(0))
	case "lognormal":
		if mean > 0 {
			z := math.Sqrt(-2*math.Log(1-u(0))) * math.Cos(2*math.Pi*u(1))
			d = math.Exp(math.Log(m) - 0.5 + z)
		}
	default: // fixed
		d = m
	}
	d = math.Round(d)
	if d < 0 || math.IsNaN(d) {
		return 0
	}
	if d > maxDelayUs {
		return maxDelayUs
	}
	return uint64(d)
}
