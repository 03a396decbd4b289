package albingress

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
)

func weight(w int) *int { return &w }

func canary(v1, v2 int) Route {
	return Route{Host: "api.example.com", Path: "/predict", Forward: &Forward{StickySeconds: 300, Backends: []Backend{
		{Service: "retail-api-svc", Port: 80, Weight: weight(v1)}, {Service: "retail-api-v2-svc", Port: 80, Weight: weight(v2)},
	}}}
}

// TestRouteAnnotations checks each kind of rule against the controller's JSON (pkg/ingress/config_types.go).
func TestRouteAnnotations(t *testing.T) {
	office := Route{Path: "/docs", SourceRanges: []string{"203.0.113.0/24"}, Forward: &Forward{Backends: []Backend{{Service: "retail-api-svc", Port: 80}}}}
	tests := []struct {
		name       string
		route      Route
		action     string
		conditions string
	}{
		{"weighted canary with stickiness", canary(90, 10),
			`{"forwardConfig":{"targetGroupStickinessConfig":{"durationSeconds":300,"enabled":true},"targetGroups":[` +
				`{"serviceName":"retail-api-svc","servicePort":"80","weight":90},{"serviceName":"retail-api-v2-svc","servicePort":"80","weight":10}]},"type":"forward"}`, ""},
		{"source-restricted forward, no weight with one backend", office,
			`{"forwardConfig":{"targetGroups":[{"serviceName":"retail-api-svc","servicePort":"80"}]},"type":"forward"}`,
			`[{"field":"source-ip","sourceIPConfig":{"values":["203.0.113.0/24"]}}]`},
		{"fixed response", Route{Path: "/docs", FixedResponse: &FixedResponse{StatusCode: 404, ContentType: "text/plain", Body: "not found"}},
			`{"fixedResponseConfig":{"contentType":"text/plain","messageBody":"not found","statusCode":"404"},"type":"fixed-response"}`, ""},
		{"redirect keeps what it does not set", Route{Path: "/old", Redirect: &Redirect{Path: "/predict", StatusCode: 301}},
			`{"redirectConfig":{"path":"/predict","statusCode":"HTTP_301"},"type":"redirect"}`, ""},
	}
	for _, tt := range tests {
		got, err := routeAnnotations([]Route{tt.route})
		if err != nil {
			t.Fatal(err)
		}
		name := tt.route.Name()
		if a := got[Prefix+"actions."+name]; a != tt.action {
			t.Errorf("%s: actions.%s = %s\nwant %s", tt.name, name, a, tt.action)
		}
		if c := got[Prefix+"conditions."+name]; c != tt.conditions {
			t.Errorf("%s: conditions.%s = %q, want %q", tt.name, name, c, tt.conditions)
		}
		var v any
		if err := json.Unmarshal([]byte(got[Prefix+"actions."+name]), &v); err != nil {
			t.Errorf("%s: the action is not JSON: %v", tt.name, err)
		}
	}
}

// TestRouteNames: a name comes from what the rule matches, so a new weight or another position
// renames nothing, and every name is a DNS-1035 label that fits an annotation name.
func TestRouteNames(t *testing.T) {
	if canary(90, 10).Name() != canary(0, 100).Name() {
		t.Error("changing a weight changed the route's name")
	}
	exact := canary(90, 10)
	exact.Exact = true
	ranged := canary(90, 10)
	ranged.SourceRanges = []string{"10.0.0.0/8"}
	long := Route{Host: strings.Repeat("a", 60) + ".example.com", Path: "/" + strings.Repeat("b", 100)}
	names := map[string]bool{}
	for _, r := range []Route{canary(90, 10), exact, ranged, {Path: "/"}, long} {
		n := r.Name()
		if names[n] {
			t.Errorf("two different matches share the name %q", n)
		}
		names[n] = true
		if len("actions."+n) > 63 || !strings.HasPrefix(n, "rule-") || strings.Contains(n, "--") {
			t.Errorf("name %q is not a short DNS-1035 label", n)
		}
	}
}

func TestRoutesValidate(t *testing.T) {
	fwd := &Forward{Backends: []Backend{{Service: "s", Port: 80}}}
	tests := []struct {
		name   string
		routes []Route
		want   string
	}{
		{"no action", []Route{{Path: "/"}}, "exactly one of"},
		{"two actions", []Route{{Path: "/", Forward: fwd, FixedResponse: &FixedResponse{StatusCode: 404}}}, "exactly one of"},
		{"relative path", []Route{{Path: "predict", Forward: fwd}}, "must start with /"},
		{"same match twice", []Route{{Path: "/a", Forward: fwd}, {Path: "/a", Redirect: &Redirect{Path: "/b", StatusCode: 301}}}, "earlier route"},
	}
	for _, tt := range tests {
		err := ValidateRoutes(tt.routes)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

// TestIngressRoutes: the Ingress holds one rule per route in the routes' order (the ALB's
// priority order), each naming its action with port use-annotation.
func TestIngressRoutes(t *testing.T) {
	routes := []Route{canary(90, 10), {Path: "/docs", FixedResponse: &FixedResponse{StatusCode: 404, ContentType: "text/plain"}}}
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		_, err := NewIngress(ctx, "retail-api", &Args{
			Namespace: "mlops", Name: "retail-api", ServiceName: pulumi.String("retail-api-svc"), ServicePort: 80,
			Settings: settings(), ControllerElsewhere: true, Routes: routes,
		}, pulumi.Provider(k8s))
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	ing := p.Find("kubernetes:networking.k8s.io/v1:Ingress")[0]
	rules := ing.Value("spec", "rules").([]any)
	if len(rules) != len(routes) {
		t.Fatalf("%d Ingress rules, want %d: %v", len(rules), len(routes), rules)
	}
	for i, r := range routes {
		rule := rules[i].(map[string]any)
		path := rule["http"].(map[string]any)["paths"].([]any)[0].(map[string]any)
		svc := path["backend"].(map[string]any)["service"].(map[string]any)
		if svc["name"] != r.Name() || svc["port"].(map[string]any)["name"] != useAnnotation || path["path"] != r.Path {
			t.Errorf("rule %d: %v, want path %s to action %s", i, rule, r.Path, r.Name())
		}
		if (rule["host"] != nil) != (r.Host != "") {
			t.Errorf("rule %d: host %v, want %q", i, rule["host"], r.Host)
		}
		if ing.Value("metadata", "annotations", Prefix+"actions."+r.Name()) == nil {
			t.Errorf("rule %d: no actions.%s annotation", i, r.Name())
		}
	}
}
