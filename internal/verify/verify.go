// Package verify checks a deployed Retail API from the outside, as the runbook does by hand:
// /health answers 200 (waiting while DNS and targets come up), /docs answers, /predict answers a
// sample request, and for HTTPS: the certificate is valid for the host, plain HTTP redirects to
// HTTPS, and nothing older than TLS 1.2 is accepted.
package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
)

// Options configure a verification run.
type Options struct {
	BaseURL    string
	HealthPath string
	// Timeout bounds the wait for /health; RetryEvery spaces the attempts.
	Timeout, RetryEvery time.Duration
	// PredictBody, when set, is POSTed to /predict as JSON.
	PredictBody []byte
	// RootCAs replaces the system roots (private CAs, tests).
	RootCAs *x509.CertPool
	// HTTPPort is where the HTTP-to-HTTPS redirect is checked (80).
	HTTPPort int
	// Progress receives a line per /health attempt (countdown); may be nil.
	Progress io.Writer
	// Routes are the stack's routing rules, each checked from here after /health.
	Routes []Route
}

// Result is one check.
type Result struct {
	Check  string
	OK     bool
	Detail string
}

// Run performs every check that applies and returns the results in order.
func Run(ctx context.Context, o Options) ([]Result, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fielderr.New(fmt.Sprintf("{BaseURL} must be an http:// or https:// URL, got %q", o.BaseURL))
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}},
	}
	results := []Result{waitHealthy(ctx, client, base.String()+o.HealthPath, o)}
	results = append(results, get(ctx, client, "docs answers", base.String()+"/docs"))
	if o.PredictBody != nil {
		results = append(results, predict(ctx, client, base.String()+"/predict", o.PredictBody))
	}
	results = append(results, routes(ctx, client, base.String(), o.Routes)...)
	if base.Scheme == "https" {
		results = append(results, certificate(base.Host, o.RootCAs), redirect(ctx, base, o.HTTPPort), oldTLSRefused(base.Host, o.RootCAs))
	}
	return results, nil
}

// Passed reports whether every check passed.
func Passed(rs []Result) bool {
	for _, r := range rs {
		if !r.OK {
			return false
		}
	}
	return true
}

func waitHealthy(ctx context.Context, c *http.Client, u string, o Options) Result {
	deadline := time.Now().Add(o.Timeout)
	for attempt := 1; ; attempt++ {
		status, err := status(ctx, c, http.MethodGet, u, nil)
		if err == nil && status == http.StatusOK {
			return Result{"health returns 200", true, fmt.Sprintf("%s after %d attempt(s)", u, attempt)}
		}
		last := fmt.Sprint(err)
		if err == nil {
			last = fmt.Sprintf("HTTP %d", status)
		}
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			return Result{"health returns 200", false, fmt.Sprintf("%s: %s (gave up after %s)", u, last, o.Timeout)}
		}
		if o.Progress != nil {
			// Progress is best effort: a closed terminal must not fail the check.
			_, _ = fmt.Fprintf(o.Progress, "waiting for %s: %s left (last: %s)\n", u, left.Round(time.Second), last)
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(o.RetryEvery, left)):
		}
	}
}

func status(ctx context.Context, c *http.Client, method, u string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func get(ctx context.Context, c *http.Client, check, u string) Result {
	code, err := status(ctx, c, http.MethodGet, u, nil)
	if err != nil {
		return Result{check, false, err.Error()}
	}
	return Result{check, code == http.StatusOK, fmt.Sprintf("%s: HTTP %d", u, code)}
}

func predict(ctx context.Context, c *http.Client, u string, body []byte) Result {
	code, err := status(ctx, c, http.MethodPost, u, body)
	if err != nil {
		return Result{"predict answers a sample", false, err.Error()}
	}
	return Result{"predict answers a sample", code >= 200 && code < 300, fmt.Sprintf("%s: HTTP %d", u, code)}
}

func hostPort(host, port string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(host, port)
}

// dialTLS makes a TLS handshake with host (port 443 unless it names one) within the given versions.
func dialTLS(host string, roots *x509.CertPool, minVersion, maxVersion uint16) (*tls.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", hostPort(host, "443"),
		&tls.Config{RootCAs: roots, MinVersion: minVersion, MaxVersion: maxVersion}) //nolint:gosec // oldTLSRefused probes old versions on purpose
}

func certificate(host string, roots *x509.CertPool) Result {
	conn, err := dialTLS(host, roots, tls.VersionTLS12, 0)
	if err != nil {
		return Result{"certificate valid for host", false, err.Error()}
	}
	defer func() { _ = conn.Close() }()
	leaf := conn.ConnectionState().PeerCertificates[0]
	days := int(time.Until(leaf.NotAfter).Hours() / 24)
	return Result{"certificate valid for host", true, fmt.Sprintf("%s, expires in %d days", strings.Join(leaf.DNSNames, ","), days)}
}

func redirect(ctx context.Context, base *url.URL, port int) Result {
	host := base.Hostname()
	u := fmt.Sprintf("http://%s/", net.JoinHostPort(host, fmt.Sprint(port)))
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Result{"HTTP redirects to HTTPS", false, err.Error()}
	}
	resp, err := c.Do(req)
	if err != nil {
		return Result{"HTTP redirects to HTTPS", false, err.Error()}
	}
	defer func() { _ = resp.Body.Close() }()
	loc := resp.Header.Get("Location")
	ok := resp.StatusCode >= 300 && resp.StatusCode < 400 && strings.HasPrefix(loc, "https://")
	return Result{"HTTP redirects to HTTPS", ok, fmt.Sprintf("%s: HTTP %d -> %q", u, resp.StatusCode, loc)}
}

// oldTLSRefused tries TLS 1.0 and 1.1 only; the handshake must fail.
func oldTLSRefused(host string, roots *x509.CertPool) Result {
	conn, err := dialTLS(host, roots, tls.VersionTLS10, tls.VersionTLS11)
	if err == nil {
		v := conn.ConnectionState().Version
		_ = conn.Close()
		return Result{"TLS 1.2+ only", false, fmt.Sprintf("accepted %s", tls.VersionName(v))}
	}
	var alert tls.AlertError
	if errors.As(err, &alert) || strings.Contains(err.Error(), "protocol version") {
		return Result{"TLS 1.2+ only", true, "TLS 1.0/1.1 refused"}
	}
	return Result{"TLS 1.2+ only", true, "TLS 1.0/1.1 refused: " + err.Error()}
}
