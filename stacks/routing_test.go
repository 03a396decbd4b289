package stacks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// routing is Option B with the given rules (JSON), TLS on for retail-api.example.com.
func routing(rules string) map[string]string {
	return stacks.With(stacks.K("exposure"), "ingress", stacks.K("routing"), `{"rules": `+rules+`}`,
		stacks.K("tls"), `{"enabled": true}`, stacks.K("domain"), `{"name": "retail-api.example.com", "zoneName": "example.com"}`)
}

const fwd = `"backends": [{"service": "retail-api-svc", "port": 80}]`

// TestRoutingInvalid: what AWS, the controller or the API server would refuse, and rules that can
// never match, fail before anything is registered, each naming its key.
func TestRoutingInvalid(t *testing.T) {
	r0 := stacks.K("routing.rules[0]")
	r1 := stacks.K("routing.rules[1]")
	tests := []struct {
		name, rules, key, hint string
	}{
		{"no action", `[{"path": "/"}]`, r0, "exactly one of backends, fixedResponse and redirect"},
		{"two actions", `[{"path": "/", ` + fwd + `, "redirect": {"path": "/x"}}]`, r0, "exactly one of"},
		{"relative path", `[{"path": "predict", ` + fwd + `}]`, r0 + ".path", "must start with /"},
		{"wildcard path", `[{"path": "/predict/*", ` + fwd + `}]`, r0 + ".path", "wildcard"},
		{"path type", `[{"path": "/a", "pathType": "ImplementationSpecific", ` + fwd + `}]`, r0 + ".pathType", "Prefix or Exact"},
		{"unknown key in a rule", `[{"path": "/a", "backend": []}]`, r0 + ".backend", `did you mean "backends"`},
		{"weight as a string", `[{"path": "/a", "backends": [{"service": "a", "port": 80, "weight": "10"}, {"service": "b", "port": 80, "weight": 1}]}]`,
			r0 + ".backends[0].weight", "must be a whole number"},
		{"weight over 999", `[{"path": "/a", "backends": [{"service": "a", "port": 80, "weight": 1000}, {"service": "b", "port": 80, "weight": 1}]}]`,
			r0 + ".backends[0].weight", "0-999"},
		{"weight missing with two", `[{"path": "/a", "backends": [{"service": "a", "port": 80, "weight": 5}, {"service": "b", "port": 80}]}]`,
			r0 + ".backends[1].weight", "required with several backends"},
		{"weight with one", `[{"path": "/a", "backends": [{"service": "a", "port": 80, "weight": 5}]}]`, r0 + ".backends[0].weight", "only with several"},
		{"every weight 0", `[{"path": "/a", "backends": [{"service": "a", "port": 80, "weight": 0}, {"service": "b", "port": 80, "weight": 0}]}]`,
			r0 + ".backends", "every weight 0"},
		{"six target groups", `[{"path": "/a", "backends": [` + strings.Repeat(`{"service": "a", "port": 80, "weight": 1},`, 5) +
			`{"service": "a", "port": 81, "weight": 1}]}]`, r0 + ".backends", "1 to 5"},
		{"other namespace", `[{"path": "/a", "backends": [{"service": "team/svc", "port": 80}]}]`, r0 + ".backends[0].service", "cannot route across namespaces"},
		{"bad Service name", `[{"path": "/a", "backends": [{"service": "Retail_API", "port": 80}]}]`, r0 + ".backends[0].service", "not a valid Kubernetes Service name"},
		{"app Service on another port", `[{"path": "/a", "backends": [{"service": "retail-api-svc", "port": 8080}]}]`, r0 + ".backends[0].port", "serves port 80"},
		{"stickiness over a week", `[{"path": "/a", ` + fwd + `, "stickySeconds": 604801}]`, r0 + ".stickySeconds", "1-604800"},
		{"stickiness on a redirect", `[{"path": "/a", "redirect": {"path": "/b"}, "stickySeconds": 60}]`, r0 + ".stickySeconds", "backends only"},
		{"fixed response 302", `[{"path": "/a", "fixedResponse": {"statusCode": 302}}]`, r0 + ".fixedResponse.statusCode", "200-299 or 400-599"},
		{"fixed response content type", `[{"path": "/a", "fixedResponse": {"statusCode": 404, "contentType": "text/xml"}}]`, r0 + ".fixedResponse.contentType", "text/plain"},
		{"fixed response body over 1 KB", `[{"path": "/a", "fixedResponse": {"statusCode": 404, "body": "` + strings.Repeat("x", 1025) + `"}}]`,
			r0 + ".fixedResponse.body", "at most 1024"},
		{"redirect 307", `[{"path": "/a", "redirect": {"path": "/b", "statusCode": 307}}]`, r0 + ".redirect.statusCode", "301 or 302"},
		{"redirect to itself", `[{"path": "/a", "redirect": {}}]`, r0 + ".redirect", "redirects to itself"},
		{"redirect path with a space", `[{"path": "/a", "redirect": {"path": "/b c"}}]`, r0 + ".redirect.path", "is not a URL path"},
		{"redirect host not a DNS name", `[{"path": "/a", "redirect": {"host": "bad_host.example.com"}}]`, r0 + ".redirect.host", "is not a DNS host name"},
		{"redirect query with a control character", `[{"path": "/a", "redirect": {"query": "a=1\u0007"}}]`, r0 + ".redirect.query", "RFC 3986 query characters"},
		{"five source ranges with an Exact path", `[{"path": "/a", "pathType": "Exact", ` + fwd + `, "sourceRanges": ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"]}]`,
			r0, "needs 6 condition values"},
		{"too many condition values", `[{"path": "/a", "host": "retail-api.example.com", ` + fwd + `, "sourceRanges": ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"]}]`,
			r0, "at most 5"},
		{"source range with host bits", `[{"path": "/a", ` + fwd + `, "sourceRanges": ["203.0.113.7/24"]}]`, r0 + ".sourceRanges[0]", "host bits"},
		{"host outside the certificate", `[{"path": "/a", "host": "api.other.com", ` + fwd + `}]`, r0 + ".host", "not one of the certificate's names"},
		{"IP as host", `[{"path": "/a", "host": "203.0.113.7", ` + fwd + `}]`, r0 + ".host", "is an IP address"},
		{"the same match twice", `[{"path": "/a", ` + fwd + `}, {"path": "/a", "fixedResponse": {"statusCode": 404}}]`, r1, "matches exactly what an earlier rule"},
		{"shadowed by a prefix", `[{"path": "/", ` + fwd + `}, {"path": "/docs", "fixedResponse": {"statusCode": 404}}]`, r1, "can never match"},
		{"shadowed by a parent path", `[{"path": "/api", ` + fwd + `}, {"path": "/api/v2", "pathType": "Exact", "fixedResponse": {"statusCode": 404}}]`, r1, "can never match"},
		{"shadowed by a wildcard host", `[{"path": "/a", "host": "*.example.com", ` + fwd + `}, {"path": "/a/b", "host": "retail-api.example.com", "fixedResponse": {"statusCode": 404}}]`, r1, "can never match"},
		{"shadowed by a wider source range", `[{"path": "/docs", "sourceRanges": ["203.0.113.0/24"], ` + fwd + `}, {"path": "/docs", "sourceRanges": ["203.0.113.128/25"], "fixedResponse": {"statusCode": 404}}]`, r1, "can never match"},
		{"shadowed by any host", `[{"path": "/a", ` + fwd + `}, {"path": "/a/b", "host": "retail-api.example.com", "fixedResponse": {"statusCode": 404}}]`, r1, "can never match"},
		{"101 rules", `[` + strings.TrimSuffix(strings.Repeat(`{"path": "/a", `+fwd+`},`, 101), ",") + `]`, stacks.K("routing.rules"), "at most 100 besides its default rules"},
	}
	for _, tt := range tests {
		_, err := stacks.Decode("test", routing(tt.rules))
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		found := false
		for _, line := range strings.Split(err.Error(), "\n") {
			line = strings.TrimPrefix(strings.TrimSpace(line), "- ")
			line = strings.TrimPrefix(line, "invalid configuration: ")
			if strings.HasPrefix(line, tt.key+": ") && strings.Contains(line, tt.hint) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want %s: ...%s..., got %v", tt.name, tt.key, tt.hint, err)
		}
	}
}

// TestRoutingValid: what must stay allowed, the rules that look alike but are not shadowed.
func TestRoutingValid(t *testing.T) {
	for name, rules := range map[string]string{
		"source-restricted then open":  `[{"path": "/docs", "sourceRanges": ["203.0.113.0/24"], ` + fwd + `}, {"path": "/docs", "fixedResponse": {"statusCode": 404}}]`,
		"host then any host":           `[{"path": "/a", "host": "retail-api.example.com", ` + fwd + `}, {"path": "/a", "fixedResponse": {"statusCode": 404}}]`,
		"exact then prefix":            `[{"path": "/a", "pathType": "Exact", ` + fwd + `}, {"path": "/a", "fixedResponse": {"statusCode": 404}}]`,
		"sibling prefix":               `[{"path": "/api", ` + fwd + `}, {"path": "/apiv2", "fixedResponse": {"statusCode": 404}}]`,
		"canary at 0/100":              `[{"path": "/a", "backends": [{"service": "retail-api-svc", "port": 80, "weight": 0}, {"service": "v2", "port": 80, "weight": 100}]}]`,
		"narrower range first":         `[{"path": "/docs", "sourceRanges": ["203.0.113.128/25"], ` + fwd + `}, {"path": "/docs", "sourceRanges": ["203.0.113.0/24"], "fixedResponse": {"statusCode": 404}}]`,
		"redirect reusing the request": `[{"path": "/old", "redirect": {"host": "#{host}", "path": "/v2/#{path}", "query": "#{query}&v=2"}}]`,
		"redirect to another host":     `[{"path": "/old", "redirect": {"host": "New.Example.com", "path": "/predict", "query": "a=1&b=%20"}}]`,
	} {
		if _, err := stacks.Decode("test", routing(rules)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The routing block is layer 7: Option A refuses it, naming the key.
func TestRoutingNeedsOptionB(t *testing.T) {
	st, err := stackconfig.Load("..", "demo", "")
	if err != nil {
		t.Fatal(err)
	}
	st.Config[stacks.K("routing")] = `{"rules": [{"path": "/", ` + fwd + `}]}`
	_, err = stackplan.Plan(st)
	want := stacks.K("routing.rules") + ": applies to the ALB only"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("demo with a routing block: want %q, got %v", want, err)
	}
}

// The example stack's plan: its Ingress holds the rules in config order, each naming its action.
func TestCanaryExamplePlan(t *testing.T) {
	p := stackPlan(t, "canary")
	ing := p.Find("kubernetes:networking.k8s.io/v1:Ingress")[0]
	var rules []struct {
		Host string
		HTTP struct {
			Paths []struct {
				Path    string
				Backend struct{ Service struct{ Name string } }
			}
		} `json:"http"`
	}
	b, _ := json.Marshal(ing.Value("spec", "rules"))
	if err := json.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range rules {
		path := r.HTTP.Paths[0]
		paths = append(paths, path.Path)
		if ing.Value("metadata", "annotations", "alb.ingress.kubernetes.io/actions."+path.Backend.Service.Name) == nil {
			t.Errorf("rule %s names action %q, which no annotation defines", path.Path, path.Backend.Service.Name)
		}
	}
	if got := strings.Join(paths, " "); got != "/predict /docs /docs /old /" {
		t.Errorf("Ingress rules in order %q, want the config's order", got)
	}
	st, err := stackconfig.Load("..", "canary", exampleStacks["canary"])
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := stacks.Decode("canary", st.Config)
	if err != nil {
		t.Fatal(err)
	}
	if got := stacks.CostOf(cfg).ListenerRules; got != len(rules) {
		t.Errorf("edgectl cost counts %d rules, the Ingress has %d", got, len(rules))
	}
	if rules[0].Host != "retail-api.example.com" {
		t.Errorf("the canary rule's host: %q", rules[0].Host)
	}
}
