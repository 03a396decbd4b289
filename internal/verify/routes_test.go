package verify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// alb stands in for an ALB with routing rules (a local server, not AWS): /predict forwards,
// /v2 has no healthy backend, /docs answers 404 to this client, /old redirects.
func alb() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/predict", func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "api.example.com" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusMethodNotAllowed) // a GET of /predict: the app answered
	})
	mux.HandleFunc("/v2", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	mux.HandleFunc("/docs", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/predict", http.StatusMovedPermanently)
	})
	return mux
}

func TestRoutes(t *testing.T) {
	srv := httptest.NewServer(alb())
	defer srv.Close()
	tests := []struct {
		route Route
		ok    bool
	}{
		{Route{Path: "/predict", Host: "api.example.com", Forward: true}, true},
		{Route{Path: "/v2", Forward: true}, false}, // 503: no healthy backend
		{Route{Path: "/docs", Status: 404}, true},
		{Route{Path: "/docs", Status: 200}, false},
		{Route{Path: "/old", Status: 301, Location: "/predict"}, true}, // not followed
		{Route{Path: "/old", Status: 301, Location: "/elsewhere"}, false},
		{Route{Path: "/old", Status: 302, Location: "/predict"}, false},
	}
	for _, tt := range tests {
		tt.route.Check = tt.route.Path
		got := routes(context.Background(), srv.Client(), srv.URL, []Route{tt.route})[0]
		if got.OK != tt.ok {
			t.Errorf("%+v: ok = %v (%s), want %v", tt.route, got.OK, got.Detail, tt.ok)
		}
	}
}
