package stacks_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// autoModeCluster is DescribeCluster's answer for a cluster whose load balancing is Auto Mode's
// (EKS API reference, ElasticLoadBalancing; pulumi-aws v6 eks.LookupCluster's
// kubernetesNetworkConfigs).
var autoModeCluster = map[string]map[string]any{typetoken.GetCluster: {
	"kubernetesNetworkConfigs": []any{map[string]any{"elasticLoadBalancings": []any{map[string]any{"enabled": true}}}},
	"computeConfigs":           []any{map[string]any{"enabled": true}},
}}

// withCluster is a stack file's configuration with keys set in its cluster block.
func withCluster(t *testing.T, stack string, set map[string]any, extra ...string) *stackconfig.Stack {
	t.Helper()
	st, err := stackconfig.Load("..", stack, "")
	if err != nil {
		t.Fatal(err)
	}
	block := map[string]any{}
	if raw := st.Config[stacks.K("cluster")]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &block); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range set {
		block[k] = v
	}
	b, _ := json.Marshal(block)
	st.Config[stacks.K("cluster")] = string(b)
	for i := 0; i+1 < len(extra); i += 2 {
		st.Config[extra[i]] = extra[i+1]
	}
	return st
}

// Prod on Auto Mode, said or detected: no controller, IAM or OIDC; its own IngressClass for Auto
// Mode's ALBs with the edge features in its parameters.
func TestProdOnAutoMode(t *testing.T) {
	for _, tt := range []struct {
		name    string
		st      *stackconfig.Stack
		answers map[string]map[string]any
	}{
		{"cluster.autoMode true", withCluster(t, "prod", map[string]any{"autoMode": true}), nil},
		{"detected from the cluster", withCluster(t, "prod", nil), autoModeCluster},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := stackplan.PlanWith(tt.st, stackplan.Options{Answers: tt.answers})
			if err != nil {
				t.Fatal(err)
			}
			classes := p.Find("kubernetes:networking.k8s.io/v1:IngressClass")
			params := p.Find("kubernetes:" + "eks.amazonaws.com/v1:IngressClassParams")
			ing := p.Find("kubernetes:networking.k8s.io/v1:Ingress")
			checks := []struct {
				name string
				ok   bool
			}{
				{"no Helm release", len(p.Find(typetoken.HelmRelease)) == 0},
				{"no slow-install hint (nothing installed)", !logged(p, "info", "deploy/aws-load-balancer-controller")},
				{"no IAM role or policy", len(p.Find(typetoken.Role)) == 0 && len(p.Find(typetoken.Policy)) == 0},
				{"no OIDC provider lookup", !invoked(p, typetoken.GetOIDCProvider)},
				{"one IngressClass for Auto Mode", len(classes) == 1 && classes[0].Value("spec", "controller") == "eks.amazonaws.com/alb"},
				{"its parameters, with the certificate (prod has TLS)", len(params) == 1 && params[0].Value("spec", "certificateARNs") != nil},
				{"the Ingress uses it", len(ing) == 1 && ing[0].Value("spec", "ingressClassName") == "retail-api-edge-prod"},
				{"WAF still attached by annotation", len(ing) == 1 && strings.HasPrefix(
					ing[0].Value("metadata", "annotations", "alb.ingress.kubernetes.io/wafv2-acl-arn").(string), "arn:aws:wafv2:")},
				{"no controller role output", p.Outputs["controllerRoleArn"].Value == nil},
			}
			for _, c := range checks {
				if !c.ok {
					t.Error(c.name)
				}
			}
		})
	}
}

// Option A on Auto Mode: the Service takes Auto Mode's NLB class; a classic ELB is refused by the
// Service component's own rule, whether Auto Mode is said (in validation, before anything is
// registered) or detected (before the Service is): one message, the same, under
// service.loadBalancer, with the fix.
func TestDemoOnAutoMode(t *testing.T) {
	p, err := stackplan.Plan(withCluster(t, "demo", map[string]any{"autoMode": true}))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Find("kubernetes:core/v1:Service")[0].Value("spec", "loadBalancerClass"); got != "eks.amazonaws.com/nlb" {
		t.Errorf("loadBalancerClass %v, want eks.amazonaws.com/nlb", got)
	}
	classic := stacks.K("service")
	msgs := map[string]string{}
	for _, tt := range []struct {
		name    string
		st      *stackconfig.Stack
		answers map[string]map[string]any
		before  string // what must not be registered when it fails ("": anything)
	}{
		{"said", withCluster(t, "demo", map[string]any{"autoMode": true}, classic, `{"loadBalancer": "classic"}`), nil, ""},
		{"detected", withCluster(t, "demo", nil, classic, `{"loadBalancer": "classic"}`), autoModeCluster, "kubernetes:core/v1:Service"},
	} {
		p, err := stackplan.PlanWith(tt.st, stackplan.Options{Answers: tt.answers})
		var ce *stacks.ConfigError
		if !errors.As(err, &ce) || ce.Key != stacks.K("service.loadBalancer") || !strings.Contains(ce.Msg, "NLBs only") ||
			!strings.Contains(ce.Msg, stacks.K("cluster.autoMode")+" to false") {
			t.Errorf("%s: a classic ELB on Auto Mode must be refused under service.loadBalancer with the fix, got %v", tt.name, err)
			continue
		}
		msgs[tt.name] = ce.Error()
		registered := p.Resources
		if tt.before != "" {
			registered = p.Find(tt.before)
		}
		if len(registered) > 0 {
			t.Errorf("%s: registered %d resources (%q) before refusing", tt.name, len(registered), tt.before)
		}
	}
	if msgs["said"] != msgs["detected"] {
		t.Errorf("one rule, one message: said %q, detected %q", msgs["said"], msgs["detected"])
	}
}

// On Auto Mode a load balancer that is neither kind is one problem, not one per rule.
func TestServiceLoadBalancerIsOneProblem(t *testing.T) {
	for _, lb := range []string{"classic", "alb"} {
		_, err := stacks.Decode("test", stacks.With(stacks.K("cluster"), `{"autoMode": true}`, stacks.K("service"), `{"loadBalancer": "`+lb+`"}`))
		var inv *stacks.InvalidConfig
		if !errors.As(err, &inv) || len(inv.Problems) != 1 || !strings.HasPrefix(inv.Problems[0].Error(), stacks.K("service.loadBalancer")+": ") {
			t.Errorf("%s: want one problem naming service.loadBalancer, got %v", lb, err)
		}
	}
}

// A cluster found to run Auto Mode's load balancing, with cluster.autoMode false: the stack
// installs the controller beside it, and says so in a warning (two controllers, each with its own
// load balancers); without the override, or on a cluster without Auto Mode, no such warning.
func TestAutoModeOverrideWarns(t *testing.T) {
	const twoControllers = "two controllers in one cluster"
	for _, tt := range []struct {
		name    string
		set     map[string]any
		answers map[string]map[string]any
		warned  bool
	}{
		{"Auto Mode cluster, overridden to false", map[string]any{"autoMode": false}, autoModeCluster, true},
		{"Auto Mode cluster, detected", nil, autoModeCluster, false},
		{"cluster without Auto Mode, false", map[string]any{"autoMode": false}, nil, false},
	} {
		p, err := stackplan.PlanWith(withCluster(t, "prod", tt.set), stackplan.Options{Answers: tt.answers})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		warnings := strings.Join(p.Warnings(), "\n")
		if got := strings.Contains(warnings, twoControllers); got != tt.warned {
			t.Errorf("%s: warned %v, want %v; warnings:\n%s", tt.name, got, tt.warned, warnings)
		}
		if tt.warned && !strings.Contains(warnings, `EKS cluster "mlops-retail-cluster"`) {
			t.Errorf("%s: the warning must name the cluster: %s", tt.name, warnings)
		}
		if got := len(p.Find(typetoken.HelmRelease)) == 1; got != !strings.Contains(tt.name, "detected") {
			t.Errorf("%s: controller installed %v", tt.name, got)
		}
	}
}

func TestAutoModeSettingsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		raw  map[string]string
		want string
	}{
		{"not with cluster.create", stacks.With(stacks.K("cluster"), `{"create": true, "autoMode": true}`), stacks.K("cluster.autoMode") + ": applies to an existing cluster"},
		{"controller settings do nothing on Auto Mode", stacks.With(stacks.K("exposure"), "ingress",
			stacks.K("cluster"), `{"autoMode": true}`, stacks.K("controller"), `{"replicas": 3}`),
			stacks.K("controller.replicas") + ": has no effect without " + stacks.K("cluster.autoMode") + " false"},
		{"a bool", stacks.With(stacks.K("cluster"), `{"autoMode": "yes"}`), stacks.K("cluster.autoMode") + ": must be true or false"},
	} {
		_, err := stacks.Decode("test", tt.raw)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: want %q, got %v", tt.name, tt.want, err)
		}
	}
	if _, err := stacks.Decode("test", stacks.With(stacks.K("exposure"), "ingress", stacks.K("cluster"), `{"autoMode": true}`)); err != nil {
		t.Errorf("Option B on Auto Mode must be valid: %v", err)
	}
}
