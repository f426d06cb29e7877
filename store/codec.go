package store

import (
	"runtime"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/minqing/minqing/flows"
)

// Requests and timeline events are written with encoding/json and read with
// github.com/go-json-experiment/json (the proposal behind encoding/json/v2),
// which reads the same documents about twice as fast: a digest decodes a
// whole week of requests and their timelines. Both types hold only
// strings, numbers, booleans and RFC 3339 times, which the two read alike.

// decodeRequest reads a stored request.
func decodeRequest(data string, r *flows.Request) error {
	return jsonv2.Unmarshal([]byte(data), r)
}

// decodeEvent reads a stored timeline event.
func decodeEvent(data string, ev *flows.Event) error {
	return jsonv2.Unmarshal([]byte(data), ev)
}

// parallelFrom is the batch size from which decoding is spread over the
// processors.
const parallelFrom = 512

// forEach runs f(i) for every i in [0, n), on all processors when n is
// large, in contiguous chunks; it returns the error of the lowest chunk
// that failed.
func forEach(n int, f func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n/parallelFrom+1)
	if workers <= 1 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	chunk := (n + workers - 1) / workers
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if err := f(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
