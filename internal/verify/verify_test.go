package verify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// api is a stand-in for the Retail API; health answers healthAfter failures with 503 first.
func api(healthAfter int32, healthCode int) http.Handler {
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= healthAfter {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(healthCode)
	})
	mux.HandleFunc("/docs", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>docs</html>")) })
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"prediction": 1}`)) })
	return mux
}

func options(u string) Options {
	return Options{BaseURL: u, HealthPath: "/health", Timeout: 400 * time.Millisecond, RetryEvery: 50 * time.Millisecond, HTTPPort: 80}
}

func byCheck(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.Check] = r
	}
	return m
}

func TestHTTP(t *testing.T) {
	tests := []struct {
		name        string
		healthAfter int32
		healthCode  int
		pass        bool
		detail      string
	}{
		{"healthy", 0, 200, true, "after 1 attempt"},
		{"comes up while we wait", 2, 200, true, "after 3 attempt(s)"},
		{"503 until the deadline", 0, 503, false, "HTTP 503 (gave up after 400ms)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(api(tt.healthAfter, tt.healthCode))
			defer srv.Close()
			var progress bytes.Buffer
			o := options(srv.URL)
			o.PredictBody, o.Progress = []byte(`{"store": 1}`), &progress
			rs, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			h := byCheck(rs)["health returns 200"]
			if h.OK != tt.pass || !strings.Contains(h.Detail, tt.detail) || Passed(rs) != tt.pass {
				t.Errorf("health: %+v", h)
			}
			if tt.healthAfter > 0 && !strings.Contains(progress.String(), "left (last: HTTP 503)") {
				t.Errorf("no countdown while waiting: %q", progress.String())
			}
			if !byCheck(rs)["docs answers"].OK || !byCheck(rs)["predict answers a sample"].OK {
				t.Errorf("docs/predict: %+v", rs)
			}
		})
	}
}

func TestHTTPS(t *testing.T) {
	for _, tt := range []struct {
		name      string
		minTLS    uint16
		redirect  bool
		pass      bool
		failCheck string
	}{
		{"modern TLS with redirect", tls.VersionTLS12, true, true, ""},
		{"TLS 1.0 accepted", tls.VersionTLS10, true, false, "TLS 1.2+ only"},
		{"no redirect", tls.VersionTLS12, false, false, "HTTP redirects to HTTPS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(api(0, 200))
			srv.TLS = &tls.Config{MinVersion: tt.minTLS} //nolint:gosec // the test offers old TLS on purpose
			srv.StartTLS()
			defer srv.Close()
			plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.redirect {
					http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusMovedPermanently)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer plain.Close()
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			o := options(srv.URL)
			o.RootCAs = roots
			pu, _ := url.Parse(plain.URL)
			o.HTTPPort, _ = strconv.Atoi(pu.Port())
			rs, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if Passed(rs) != tt.pass {
				t.Errorf("passed = %v, want %v: %+v", Passed(rs), tt.pass, rs)
			}
			if tt.failCheck != "" && byCheck(rs)[tt.failCheck].OK {
				t.Errorf("%s must fail: %+v", tt.failCheck, rs)
			}
			if c := byCheck(rs)["certificate valid for host"]; !c.OK || !strings.Contains(c.Detail, "expires in") {
				t.Errorf("certificate: %+v", c)
			}
		})
	}
}

func TestUntrustedCertificateFails(t *testing.T) {
	srv := httptest.NewTLSServer(api(0, 200))
	defer srv.Close()
	rs, err := Run(context.Background(), options(srv.URL)) // system roots do not know the test CA
	if err != nil {
		t.Fatal(err)
	}
	if byCheck(rs)["certificate valid for host"].OK || Passed(rs) {
		t.Errorf("an untrusted certificate must fail: %+v", rs)
	}
}

func TestBadURL(t *testing.T) {
	if _, err := Run(context.Background(), Options{BaseURL: "ftp://x"}); err == nil {
		t.Error("want an error for a non-HTTP URL")
	}
}
