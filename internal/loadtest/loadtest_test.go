package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func server(t *testing.T) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && n.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClosedLoop(t *testing.T) {
	srv := server(t)
	var bar, plotHTML bytes.Buffer
	r, err := Run(context.Background(), Options{
		URLs: []string{srv.URL + "/health", srv.URL + "/flaky"}, Requests: 200, Concurrency: 5,
		Timeout: 5 * time.Second, Progress: &bar, Plot: &plotHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	l := r.LatencyMs
	checks := []struct {
		name string
		ok   bool
	}{
		{"exactly -n requests", r.Requests == 200},
		{"status histogram adds up", r.StatusCodes["200"]+r.StatusCodes["503"] == 200},
		// Which requests complete first varies; about a quarter of the flaky path's half fail.
		{"the flaky path's 503s are counted", r.StatusCodes["503"] >= 15 && r.StatusCodes["503"] <= 35},
		{"success share", r.Success == float64(r.StatusCodes["200"])/200},
		{"percentiles ordered", 0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max},
		{"throughput counts successes only", r.Throughput > 0 && r.Throughput < r.Rate},
		{"progress bar drawn", strings.Contains(bar.String(), "requests")},
		{"HTML plot written", strings.Contains(plotHTML.String(), "<html")},
		{"text report", strings.Contains(r.Text(), "p99") && strings.Contains(r.Text(), fmt.Sprintf("503: %d", r.StatusCodes["503"]))},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
}

func TestConstantRate(t *testing.T) {
	srv := server(t)
	r, err := Run(context.Background(), Options{URLs: []string{srv.URL}, Rate: 50, Duration: time.Second, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests < 40 || r.Requests > 60 || r.StatusCodes["200"] != int(r.Requests) {
		t.Errorf("50 req/s for 1 s: %+v", r)
	}
}

func TestErrorsAreReported(t *testing.T) {
	srv := server(t)
	url := srv.URL
	srv.Close() // connection refused from now on
	r, err := Run(context.Background(), Options{URLs: []string{url}, Requests: 10, Concurrency: 2, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if r.Success != 0 || len(r.Errors) == 0 || r.StatusCodes["0"] != 10 {
		t.Errorf("refused connections must show as errors: %+v", r)
	}
}

func TestInvalidOptions(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no URL", Options{Requests: 1, Concurrency: 1, Timeout: s}, "at least one of URLs"},
		{"both shapes", Options{URLs: []string{"http://x"}, Requests: 1, Concurrency: 1, Rate: 1, Duration: s, Timeout: s}, "choose one shape"},
		{"c above n", Options{URLs: []string{"http://x"}, Requests: 1, Concurrency: 2, Timeout: s}, "Concurrency at most Requests"},
		{"not HTTP", Options{URLs: []string{"x"}, Requests: 1, Concurrency: 1, Timeout: s}, "not an http(s) URL"},
		{"rate, no duration", Options{URLs: []string{"http://x"}, Rate: 5, Timeout: s}, "Rate and Duration"},
		{"no timeout", Options{URLs: []string{"http://x"}, Requests: 1, Concurrency: 1}, "Timeout must"},
	} {
		if _, err := Run(context.Background(), tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an error containing %q, got %v", tc.name, tc.want, err)
		}
	}
}

// The percentiles come from an HDR histogram with 3 significant digits: on a known distribution
// each must be within 0.1% of the exact value, and its memory must not grow with the count.
func TestPercentilesWithinOneThousandth(t *testing.T) {
	r := newRecorder(time.Second)
	size := r.latency.ByteSize()
	for round := 0; round < 100; round++ {
		for us := 1; us <= 10000; us++ { // 1 µs .. 10 ms, uniform
			r.add(time.Duration(us)*time.Microsecond, 200, nil)
		}
	}
	rep := r.report(time.Second)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", rep.LatencyMs.P50, 5}, {"p90", rep.LatencyMs.P90, 9}, {"p95", rep.LatencyMs.P95, 9.5},
		{"p99", rep.LatencyMs.P99, 9.9}, {"max", rep.LatencyMs.Max, 10}, {"mean", rep.LatencyMs.Mean, 5.0005},
	} {
		if math.Abs(c.got-c.want) > c.want/1000 {
			t.Errorf("%s = %v ms, want %v ms within 0.1%%", c.name, c.got, c.want)
		}
	}
	if rep.Requests != 1_000_000 || rep.StatusCodes["200"] != 1_000_000 || rep.Success != 1 {
		t.Errorf("counts: %+v", rep)
	}
	if r.latency.ByteSize() != size {
		t.Errorf("the histogram grew from %d to %d bytes with the request count", size, r.latency.ByteSize())
	}
}

// Errors are kept as distinct texts, bounded, so a run of refused connections stays small.
func TestDistinctErrorsAreBounded(t *testing.T) {
	r := newRecorder(time.Second)
	for i := 0; i < 3*maxDistinct; i++ {
		r.add(time.Millisecond, 0, fmt.Errorf("dial 10.0.0.%d: refused", i))
	}
	r.add(time.Millisecond, 0, fmt.Errorf("dial 10.0.0.0: refused"))
	if len(r.errors) != maxDistinct || r.errors["dial 10.0.0.0: refused"] != 2 || r.codes[0] != 3*maxDistinct+1 {
		t.Errorf("want %d distinct errors with repeats counted, got %d", maxDistinct, len(r.errors))
	}
}

// BenchmarkClosedLoop is the hot path: one request through a worker, recorded, against a loopback
// server (whose cost is in the figure too, as in scripts/loadbench/run). Compare ns/op and
// allocs/op in review: a regression in the attack loop shows here first.
func BenchmarkClosedLoop(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	b.ReportAllocs()
	b.ResetTimer()
	r, err := Run(context.Background(), Options{URLs: []string{srv.URL}, Requests: max(b.N, 4), Concurrency: 4, Timeout: 5 * time.Second})
	if err != nil || r.Success != 1 {
		b.Fatalf("%v %+v", err, r)
	}
}

// BenchmarkRecord is the per-request bookkeeping alone.
func BenchmarkRecord(b *testing.B) {
	r := newRecorder(30 * time.Second)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.add(time.Duration(i%5000)*time.Microsecond, 200, nil)
	}
}
