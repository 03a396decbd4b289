package verify

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Route is one routing rule checked from outside: a GET of Path (with Host as the Host header
// when set) must get what the rule does for this client. A source-restricted rule is checked as
// seen from here, where the caller expects the rule the request falls through to.
type Route struct {
	Check string
	Path  string
	Host  string
	// Forward: a backend answers (no 5xx: the ALB's 502/503/504 mean no healthy backend).
	Forward bool
	// Status is the exact status expected (a fixed response, a redirect, the ALB's 404).
	Status int
	// Location, with a redirect, is what its Location header must contain.
	Location string
}

// routes checks each route against base, never following redirects (a redirect is the answer).
func routes(ctx context.Context, c *http.Client, base string, rs []Route) []Result {
	noFollow := *c
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var out []Result
	for _, r := range rs {
		out = append(out, route(ctx, &noFollow, base, r))
	}
	return out
}

func route(ctx context.Context, c *http.Client, base string, r Route) Result {
	u := base + r.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Result{r.Check, false, err.Error()}
	}
	if r.Host != "" {
		req.Host = r.Host
	}
	resp, err := c.Do(req)
	if err != nil {
		return Result{r.Check, false, err.Error()}
	}
	_ = resp.Body.Close()
	got := fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode)
	switch {
	case r.Forward:
		return Result{r.Check, resp.StatusCode < 500, got}
	case r.Location != "":
		loc := resp.Header.Get("Location")
		return Result{r.Check, resp.StatusCode == r.Status && strings.Contains(loc, r.Location), got + " to " + loc}
	}
	return Result{r.Check, resp.StatusCode == r.Status, fmt.Sprintf("%s (want %d)", got, r.Status)}
}
