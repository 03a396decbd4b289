package loadtest

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds in an HDR histogram with 3 significant digits: every
// percentile is within 0.1% of the exact value, in fixed memory whatever the request count.
const (
	sigFigs     = 3
	maxDistinct = 100 // distinct error texts kept; more are counted, not listed
)

// recorder holds one worker's results. Workers never share one, so the hot path takes no lock;
// Run merges them at the end.
type recorder struct {
	latency  *hdrhistogram.Histogram
	codes    map[int]uint64
	errors   map[string]uint64
	requests uint64
	ok       uint64
}

func newRecorder(timeout time.Duration) *recorder {
	// Up to twice the timeout: a request that times out is still recorded at its real duration.
	highest := max(2*timeout, time.Minute).Microseconds()
	return &recorder{latency: hdrhistogram.New(1, highest, sigFigs), codes: map[int]uint64{}, errors: map[string]uint64{}}
}

// add records one request: its latency, its status code (0 when it failed) and its error.
func (r *recorder) add(latency time.Duration, code int, err error) {
	us := latency.Microseconds()
	if us < 1 {
		us = 1
	}
	if us > r.latency.HighestTrackableValue() {
		us = r.latency.HighestTrackableValue()
	}
	_ = r.latency.RecordValue(us) // in range by the clamps above
	r.requests++
	r.codes[code]++
	if err != nil {
		if _, seen := r.errors[err.Error()]; seen || len(r.errors) < maxDistinct {
			r.errors[err.Error()]++
		}
		return
	}
	if code >= 200 && code < 400 {
		r.ok++
	}
}

func (r *recorder) merge(o *recorder) {
	r.latency.Merge(o.latency)
	for c, n := range o.codes {
		r.codes[c] += n
	}
	for e, n := range o.errors {
		if _, seen := r.errors[e]; seen || len(r.errors) < maxDistinct {
			r.errors[e] += n
		}
	}
	r.requests += o.requests
	r.ok += o.ok
}

// report turns the merged results of a run that took elapsed into the Report.
func (r *recorder) report(elapsed time.Duration) *Report {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	h := r.latency
	rep := &Report{
		Requests: r.requests, Seconds: elapsed.Seconds(),
		LatencyMs: Latencies{
			Mean: h.Mean() / 1000, P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
			P95: ms(h.ValueAtQuantile(95)), P99: ms(h.ValueAtQuantile(99)), Max: ms(h.Max()),
		},
		LatencyPrecision: "HDR histogram, 3 significant digits (each value within 0.1%)",
		StatusCodes:      map[string]int{},
		Errors:           slices.Sorted(maps.Keys(r.errors)),
	}
	if r.requests > 0 && elapsed > 0 {
		rep.Rate = float64(r.requests) / elapsed.Seconds()
		rep.Throughput = float64(r.ok) / elapsed.Seconds()
		rep.Success = float64(r.ok) / float64(r.requests)
	}
	for c, n := range r.codes {
		rep.StatusCodes[strconv.Itoa(c)] = int(n)
	}
	return rep
}
