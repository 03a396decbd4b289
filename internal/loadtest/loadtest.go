// Package loadtest drives HTTP load with vegeta, in the two shapes the runbook uses: a closed loop
// (N requests from C concurrent workers, like `ab -n N -c C`) and a constant rate for a duration
// (like `artillery quick`), over one or more URLs in turn, and reports throughput, latency
// percentiles, status codes and errors.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/plot"
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
}

// Latencies are in milliseconds.
type Latencies struct {
	Mean, P50, P90, P95, P99, Max float64
}

func (o *Options) validate() error {
	closed, paced := o.Requests > 0 || o.Concurrency > 0, o.Rate > 0 || o.Duration > 0
	switch {
	case len(o.URLs) == 0:
		return errors.New("give at least one URL")
	case closed == paced:
		return errors.New("choose one shape: -n and -c (closed loop) or --rate and --duration (constant rate)")
	case closed && (o.Requests < 1 || o.Concurrency < 1 || o.Concurrency > o.Requests):
		return errors.New("-n and -c must be positive, with -c at most -n")
	case paced && (o.Rate < 1 || o.Duration <= 0):
		return errors.New("--rate and --duration must both be positive")
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
	targets := make([]vegeta.Target, len(o.URLs))
	for i, u := range o.URLs {
		targets[i] = vegeta.Target{Method: http.MethodGet, URL: u}
	}
	opts := []func(*vegeta.Attacker){vegeta.Timeout(o.Timeout), vegeta.KeepAlive(true)}
	pacer, total := vegeta.Pacer(vegeta.Rate{Freq: o.Rate, Per: time.Second}), o.Rate*int(o.Duration.Seconds())
	if o.Requests > 0 {
		// Rate 0 means as fast as the fixed pool of workers allows: a closed loop.
		pacer, total = vegeta.Rate{Freq: 0}, o.Requests
		c := uint64(o.Concurrency)
		opts = append(opts, vegeta.Workers(c), vegeta.MaxWorkers(c), vegeta.Connections(o.Concurrency))
	}
	attacker := vegeta.NewAttacker(opts...)
	bar := progress(o.Progress, total)
	var m vegeta.Metrics
	var p *plot.Plot
	if o.Plot != nil {
		p = plot.New(plot.Title("edgectl loadtest"), plot.Label(plot.ErrorLabeler))
	}
	n := 0
	for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), pacer, o.Duration, "loadtest") {
		if o.Requests > 0 && n >= o.Requests {
			continue // in flight when the closed loop reached -n: not counted
		}
		n++
		m.Add(res)
		if p != nil {
			if err := p.Add(res); err != nil {
				return nil, err
			}
		}
		_ = bar.Add(1)
		if (o.Requests > 0 && n == o.Requests) || ctx.Err() != nil {
			attacker.Stop()
		}
	}
	m.Close()
	_ = bar.Finish()
	if p != nil {
		p.Close()
		if _, err := p.WriteTo(o.Plot); err != nil {
			return nil, err
		}
	}
	return report(&m), ctx.Err()
}

func progress(w io.Writer, total int) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.DefaultSilent(int64(total))
	}
	return progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("req"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetDescription("requests"), progressbar.OptionClearOnFinish())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func report(m *vegeta.Metrics) *Report {
	l := m.Latencies
	errs := slices.Clone(m.Errors)
	if errs == nil {
		errs = []string{}
	}
	return &Report{
		Requests: m.Requests, Seconds: m.Duration.Seconds() + m.Wait.Seconds(),
		Throughput: m.Throughput, Rate: m.Rate, Success: m.Success,
		LatencyMs:   Latencies{Mean: ms(l.Mean), P50: ms(l.P50), P90: ms(l.P90), P95: ms(l.P95), P99: ms(l.P99), Max: ms(l.Max)},
		StatusCodes: maps.Clone(m.StatusCodes), Errors: errs,
	}
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
