package loadtest

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/valyala/fasthttp"
)

// closedLoop sends o.Requests requests from o.Concurrency workers, each waiting for its response
// before the next, like `ab -k -n N -c C`. It uses fasthttp's client: no goroutine or allocation
// per request, which is what lets it keep up with ab on a small machine (docs/operations.md, "Load test").
func closedLoop(ctx context.Context, o Options, progress func(done int64), results chan<- vegeta.Result) (*recorder, time.Duration) {
	client := &fasthttp.Client{
		Name:            "edgectl-loadtest",
		MaxConnsPerHost: o.Concurrency,
		ReadTimeout:     o.Timeout,
		WriteTimeout:    o.Timeout,
	}
	var next, done atomic.Int64
	var stop atomic.Bool
	watch := context.AfterFunc(ctx, func() { stop.Store(true) })
	defer watch()

	recorders := make([]*recorder, o.Concurrency)
	var wg sync.WaitGroup
	progress(0) // the bar shows from the start, then every 100 ms
	start := time.Now()
	for w := range recorders {
		recorders[w] = newRecorder(o.Timeout)
		wg.Go(func() {
			work(client, o, recorders[w], &next, &done, &stop, results)
		})
	}
	ticker := time.NewTicker(100 * time.Millisecond)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for running := true; running; {
		select {
		case <-ticker.C:
			progress(done.Load())
		case <-finished:
			running = false
		}
	}
	ticker.Stop()
	elapsed := time.Since(start)
	progress(done.Load())
	total := recorders[0]
	for _, r := range recorders[1:] {
		total.merge(r)
	}
	return total, elapsed
}

// work is one worker's loop: take the next request number, send it, record it.
func work(client *fasthttp.Client, o Options, rec *recorder, next, done *atomic.Int64, stop *atomic.Bool, results chan<- vegeta.Result) {
	// One prepared request per URL, reused: the URLs are sent in turn, by request number.
	reqs := make([]*fasthttp.Request, len(o.URLs))
	for i, u := range o.URLs {
		reqs[i] = &fasthttp.Request{}
		reqs[i].SetRequestURI(u)
		reqs[i].Header.SetMethod(http.MethodGet)
	}
	resp := &fasthttp.Response{}
	for !stop.Load() {
		i := next.Add(1) - 1
		if i >= int64(o.Requests) {
			return
		}
		sent := time.Now()
		err := client.DoTimeout(reqs[i%int64(len(reqs))], resp, o.Timeout)
		latency := time.Since(sent)
		code := 0
		if err == nil {
			code = resp.StatusCode()
		}
		rec.add(latency, code, err)
		done.Add(1)
		if results != nil {
			results <- result(reqs[i%int64(len(reqs))], sent, latency, code, err)
		}
		resp.Reset()
	}
}

// result is the request as vegeta's plot reads it (only built when a plot is asked for).
func result(req *fasthttp.Request, sent time.Time, latency time.Duration, code int, err error) vegeta.Result {
	r := vegeta.Result{Attack: "loadtest", Timestamp: sent, Latency: latency, Code: uint16(code), //nolint:gosec // HTTP codes fit
		Method: http.MethodGet, URL: string(req.URI().FullURI())}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}
