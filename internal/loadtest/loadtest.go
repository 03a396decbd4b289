// Package loadtest drives HTTP load in the two shapes the runbook uses: a closed loop (N requests
// from C concurrent workers, like `ab -k -n N -c C`, on fasthttp's client) and a constant rate for
// a duration (like `artillery quick`'s arrivals, on vegeta), over one or more URLs in turn, and
// reports throughput, latency percentiles (HDR histogram), status codes and errors.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
)

// Options choose the load. Set Requests and Concurrency for a closed loop, or Rate and Duration.
type Options struct {
	URLs        []string
	Requests    int
	Concurrency int
	Rate        int // requests per second
	Duration    time.Duration
	Timeout     time.Duration
	// Progress, when set, shows a live progress bar there.
	Progress io.Writer
	// Plot, when set, receives an HTML latency plot.
	Plot io.Writer
}

// Report is the outcome, in the units people read.
type Report struct {
	Requests    uint64         `json:"requests"`
	Seconds     float64        `json:"seconds"`
	Throughput  float64        `json:"throughput"` // successful requests per second
	Rate        float64        `json:"rate"`       // sent requests per second
	Success     float64        `json:"success"`    // share of 2xx/3xx
	LatencyMs   Latencies      `json:"latencyMs"`
	StatusCodes map[string]int `json:"statusCodes"`
	Errors      []string       `json:"errors"`
	// LatencyPrecision says how exact the percentiles are.
	LatencyPrecision string `json:"latencyPrecision"`
}

// Latencies are in milliseconds.
type Latencies struct {
	Mean, P50, P90, P95, P99, Max float64
}

func (o *Options) validate() error {
	closed, open := o.Requests > 0 || o.Concurrency > 0, o.Rate > 0 || o.Duration > 0
	switch {
	case len(o.URLs) == 0:
		return fielderr.New("give at least one of {URLs}")
	case closed == open:
		return fielderr.New("choose one shape: {Requests} and {Concurrency} (closed loop) or {Rate} and {Duration} (constant rate)")
	case closed && (o.Requests < 1 || o.Concurrency < 1 || o.Concurrency > o.Requests):
		return fielderr.New("{Requests} and {Concurrency} must be positive, with {Concurrency} at most {Requests}")
	case open && (o.Rate < 1 || o.Duration <= 0):
		return fielderr.New("{Rate} and {Duration} must both be positive")
	case o.Timeout <= 0:
		return fielderr.New("{Timeout} must be positive")
	}
	for _, u := range o.URLs {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return fmt.Errorf("%q is not an http(s) URL", u)
		}
	}
	return nil
}

// Run sends the load and returns the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	total := o.Requests
	if total == 0 {
		total = o.Rate * int(o.Duration.Seconds())
	}
	bar := progress(o.Progress, total)
	set := func(done int64) { _ = bar.Set64(done) }

	// The plot needs every result; it is fed through a channel only when asked for.
	var results chan vegeta.Result
	plotted := make(chan error, 1)
	if o.Plot != nil {
		results = make(chan vegeta.Result, 1024)
		go func() { plotted <- plotResults(results, o.Plot) }()
	}
	var rec *recorder
	var elapsed time.Duration
	if o.Requests > 0 {
		rec, elapsed = closedLoop(ctx, o, set, results)
	} else {
		rec, elapsed = paced(ctx, o, set, results)
	}
	_ = bar.Finish()
	if results != nil {
		close(results)
		if err := <-plotted; err != nil {
			return nil, err
		}
	}
	return rec.report(elapsed), ctx.Err()
}

func plotResults(results <-chan vegeta.Result, w io.Writer) error {
	p := plot.New(plot.Title("edgectl loadtest"), plot.Label(plot.ErrorLabeler))
	var err error
	for r := range results {
		if err == nil {
			err = p.Add(&r)
		}
	}
	if err != nil {
		return err
	}
	p.Close()
	_, err = p.WriteTo(w)
	return err
}

func progress(w io.Writer, total int) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.DefaultSilent(int64(total))
	}
	return progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("req"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetDescription("requests"), progressbar.OptionClearOnFinish())
}

// Text renders the report for a terminal.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Requests      %d in %.2fs (%.1f req/s sent)\n", r.Requests, r.Seconds, r.Rate)
	fmt.Fprintf(&b, "Throughput    %.1f successful req/s (%.2f%% success)\n", r.Throughput, 100*r.Success)
	l := r.LatencyMs
	fmt.Fprintf(&b, "Latency (ms)  mean %.2f  p50 %.2f  p90 %.2f  p95 %.2f  p99 %.2f  max %.2f\n", l.Mean, l.P50, l.P90, l.P95, l.P99, l.Max)
	b.WriteString("Status codes ")
	for _, code := range slices.Sorted(maps.Keys(r.StatusCodes)) {
		fmt.Fprintf(&b, " %s: %d", code, r.StatusCodes[code])
	}
	b.WriteString("\n")
	for _, e := range r.Errors {
		b.WriteString("Error         " + e + "\n")
	}
	return b.String()
}
