package servicelb

import (
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

func TestAnnotations(t *testing.T) {
	hc := healthcheck.HTTP{Path: "/health", IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 3}
	tests := []struct {
		name    string
		lb      LoadBalancer
		key     string
		want    string // "" means the annotation must be absent
		present bool
	}{
		{"internet-facing, whichever controller", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "scheme", "internet-facing", true},
		{"HTTP health check", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-protocol", "HTTP", true},
		{"health check path", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-path", "/health", true},
		{"health check on the port traffic goes to", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-port", "traffic-port", true},
		{"health check interval", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-interval", "15", true},
		{"health check timeout", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-timeout", "5", true},
		{"healthy threshold", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-healthy-threshold", "2", true},
		{"unhealthy threshold", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "healthcheck-unhealthy-threshold", "3", true},
		{"cross-zone, in-tree spelling", LoadBalancer{Kind: lbkind.Classic, HealthCheck: hc}, "cross-zone-load-balancing-enabled", "true", true},
		{"cross-zone, controller spelling", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "attributes", "load_balancing.cross_zone.enabled=true", true},
		{"NLB type", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "type", "nlb", true},
		{"NLB targets pods by IP", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "nlb-target-type", "ip", true},
		{"classic has no type annotation", LoadBalancer{Kind: lbkind.Classic, HealthCheck: hc}, "type", "", false},
		{"classic has no NLB target type", LoadBalancer{Kind: lbkind.Classic, HealthCheck: hc}, "nlb-target-type", "", false},
		// In-tree buildListener: TCP unless the backend protocol is http, and a TCP listener has no HTTP codes.
		{"classic listens in HTTP (5xx metrics)", LoadBalancer{Kind: lbkind.Classic, HealthCheck: hc}, "backend-protocol", "http", true},
		{"NLB passes TCP through", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "backend-protocol", "", false},
		{"tags sorted k=v", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc, Tags: map[string]string{"b": "2", "a": "1"}}, "additional-resource-tags", "a=1,b=2", true},
		{"no tags, no annotation", LoadBalancer{Kind: lbkind.NLB, HealthCheck: hc}, "additional-resource-tags", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.lb.Annotations()[Prefix+tt.key]
			if ok != tt.present || got != tt.want {
				t.Errorf("%s%s = %q (present %v), want %q (present %v)", Prefix, tt.key, got, ok, tt.want, tt.present)
			}
		})
	}
}
