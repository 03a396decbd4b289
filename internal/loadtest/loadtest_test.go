package loadtest

import (
	"bytes"
	"context"
	"fmt"
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
	for name, o := range map[string]Options{
		"no URL":       {Requests: 1, Concurrency: 1},
		"both shapes":  {URLs: []string{"http://x"}, Requests: 1, Concurrency: 1, Rate: 1, Duration: time.Second},
		"c above n":    {URLs: []string{"http://x"}, Requests: 1, Concurrency: 2},
		"not HTTP":     {URLs: []string{"x"}, Requests: 1, Concurrency: 1},
		"rate, no dur": {URLs: []string{"http://x"}, Rate: 5},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
