package loadtest

import (
	"context"
	"errors"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// paced sends o.Rate requests per second for o.Duration with vegeta, which keeps the rate even
// when responses slow down (an open loop, like `artillery quick`'s arrivals).
func paced(ctx context.Context, o Options, progress func(done int64), results chan<- vegeta.Result) (*recorder, time.Duration) {
	targets := make([]vegeta.Target, len(o.URLs))
	for i, u := range o.URLs {
		targets[i] = vegeta.Target{Method: http.MethodGet, URL: u}
	}
	attacker := vegeta.NewAttacker(vegeta.Timeout(o.Timeout), vegeta.KeepAlive(true))
	rec := newRecorder(o.Timeout)
	start := time.Now()
	var last time.Time
	for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{Freq: o.Rate, Per: time.Second}, o.Duration, "loadtest") {
		var err error
		if res.Error != "" {
			err = errors.New(res.Error)
		}
		rec.add(res.Latency, int(res.Code), err)
		if end := res.End(); end.After(last) {
			last = end
		}
		progress(int64(rec.requests))
		if results != nil {
			results <- *res
		}
		if ctx.Err() != nil {
			attacker.Stop()
		}
	}
	if last.IsZero() {
		last = time.Now()
	}
	return rec, last.Sub(start)
}
