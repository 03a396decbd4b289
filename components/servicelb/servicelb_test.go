package servicelb

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
)

func args(lb *LoadBalancer) *Args {
	return &Args{
		Namespace: "mlops", Name: "retail-api-svc", Selector: map[string]string{"app": "retail-api"},
		Port: 80, TargetPort: 8000, LoadBalancer: lb, Labels: map[string]string{"team": "mlops"},
	}
}

func nlb() *LoadBalancer {
	return &LoadBalancer{Kind: lbkind.NLB, HealthCheck: healthcheck.HTTP{Path: "/health",
		IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2}}
}

func planService(t *testing.T, a *Args) (*plan.Plan, *AppService) {
	t.Helper()
	var svc *AppService
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		var err error
		svc, err = NewAppService(ctx, "retail-api", a, pulumi.Provider(k8s))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"hostname": svc.Hostname}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, svc
}

func TestLoadBalancerService(t *testing.T) {
	a := args(nlb())
	a.SourceRanges = []string{"203.0.113.0/24"}
	p, _ := planService(t, a)
	comps, svcs := p.Find(TypeToken), p.Find("kubernetes:core/v1:Service")
	if len(comps) != 1 || len(svcs) != 1 {
		t.Fatalf("want one component and one Service, got %d and %d", len(comps), len(svcs))
	}
	s := svcs[0]
	port := s.Value("spec", "ports").([]any)[0].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"child named from the component", s.Name, "retail-api-svc"},
		{"parented to the component", s.Parent, comps[0].URN},
		{"Kubernetes name", s.Value("metadata", "name"), "retail-api-svc"},
		{"namespace", s.Value("metadata", "namespace"), "mlops"},
		{"type", s.Value("spec", "type"), "LoadBalancer"},
		{"port", port["port"], float64(80)},
		{"targetPort", port["targetPort"], float64(8000)},
		{"protocol", port["protocol"], "TCP"},
		{"selector", s.Value("spec", "selector", "app"), "retail-api"},
		{"source ranges", s.Value("spec", "loadBalancerSourceRanges").([]any)[0], "203.0.113.0/24"},
		{"scheme", s.Value("metadata", "annotations", Prefix+"scheme"), "internet-facing"},
		{"health path", s.Value("metadata", "annotations", Prefix+"healthcheck-path"), "/health"},
		{"adopts an existing Service", s.Value("metadata", "annotations", patchForce), "true"},
		{"labels", s.Value("metadata", "labels", "team"), "mlops"},
		{"hostname output", p.Outputs["hostname"].Value, "retail-api-svc-example.elb.us-east-1.amazonaws.com"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestClusterIPServiceHasNoLoadBalancerAnnotations(t *testing.T) {
	p, _ := planService(t, args(nil))
	s := p.Find("kubernetes:core/v1:Service")[0]
	if s.Value("spec", "type") != "ClusterIP" {
		t.Errorf("type = %v, want ClusterIP", s.Value("spec", "type"))
	}
	for k := range s.Value("metadata", "annotations").(map[string]any) {
		if strings.HasPrefix(k, Prefix) {
			t.Errorf("ClusterIP Service must not carry %s", k)
		}
	}
	if p.Outputs["hostname"].Value != "" {
		t.Errorf("ClusterIP hostname = %v, want empty", p.Outputs["hostname"].Value)
	}
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	bad := []struct {
		name   string
		mutate func(*Args)
	}{
		{"no selector", func(a *Args) { a.Selector = nil }},
		{"port 0", func(a *Args) { a.Port = 0 }},
		{"target port too high", func(a *Args) { a.TargetPort = 70000 }},
		{"source ranges without LB", func(a *Args) { a.LoadBalancer = nil; a.SourceRanges = []string{"0.0.0.0/0"} }},
		{"unknown kind", func(a *Args) { a.LoadBalancer.Kind = lbkind.ALB }},
		{"classic on Auto Mode", func(a *Args) { a.LoadBalancer.Kind, a.LoadBalancer.AutoMode = lbkind.Classic, true }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			a := args(nlb())
			tt.mutate(a)
			p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
				_, err := NewAppService(ctx, "x", a)
				return nil, err
			})
			if err == nil {
				t.Fatal("want an error")
			}
			if len(p.Resources) != 0 {
				t.Errorf("registered %d resources before failing", len(p.Resources))
			}
		})
	}
}

// The in-tree provider refuses to change an existing load balancer's type, and the API server a
// load balancer class once set, so a Service whose kind or class changes is replaced, the old one
// first (its name is fixed); a ClusterIP Service registers neither, so switching to Option B, or a
// handed-over Service, updates in place.
func TestKindChangeReplaces(t *testing.T) {
	for _, tt := range []struct {
		name    string
		lb      *LoadBalancer
		replace bool
	}{
		{"NLB", nlb(), true},
		{"classic", &LoadBalancer{Kind: lbkind.Classic, HealthCheck: nlb().HealthCheck}, true},
		{"ClusterIP", nil, false},
	} {
		p, _ := planService(t, args(tt.lb))
		s := p.Find("kubernetes:core/v1:Service")[0]
		want := []string(nil)
		if tt.replace {
			want = []string{`metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]`, "spec.loadBalancerClass"}
		}
		if !slices.Equal(s.ReplaceOnChanges, want) || s.DeleteBeforeReplace != tt.replace {
			t.Errorf("%s: replaceOnChanges %q, deleteBeforeReplace %v; want %q, %v", tt.name, s.ReplaceOnChanges, s.DeleteBeforeReplace, want, tt.replace)
		}
	}
}

// On EKS Auto Mode the Service takes Auto Mode's class and only the annotations it reads
// (awsdocs/amazon-eks-user-guide latest/ug/automode/auto-configure-nlb.adoc); a classic ELB is
// refused before anything is registered.
func TestAutoMode(t *testing.T) {
	lb := nlb()
	lb.AutoMode = true
	p, _ := planService(t, args(lb))
	s := p.Find("kubernetes:core/v1:Service")[0]
	checks := []struct {
		name string
		ok   bool
	}{
		{"class eks.amazonaws.com/nlb", s.Value("spec", "loadBalancerClass") == AutoModeClass},
		{"no type annotation (spec.loadBalancerClass replaces it)", s.Value("metadata", "annotations", TypeAnnotation) == nil},
		{"no cross-zone flag", s.Value("metadata", "annotations", Prefix+"cross-zone-load-balancing-enabled") == nil},
		{"cross zone as an attribute", s.Value("metadata", "annotations", Prefix+"attributes") == "load_balancing.cross_zone.enabled=true"},
		{"internet-facing", s.Value("metadata", "annotations", Prefix+"scheme") == "internet-facing"},
		{"ip targets", s.Value("metadata", "annotations", Prefix+"nlb-target-type") == "ip"},
		{"HTTP health check on the path", s.Value("metadata", "annotations", Prefix+"healthcheck-path") == lb.HealthCheck.Path},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %v", c.name, s.Inputs)
		}
	}
	if p, _ := planService(t, args(nlb())); p.Find("kubernetes:core/v1:Service")[0].Value("spec", "loadBalancerClass") != nil {
		t.Error("a Service outside Auto Mode must leave its class to the cluster (the in-tree provider)")
	}
	classic := &LoadBalancer{Kind: lbkind.Classic, AutoMode: true, HealthCheck: nlb().HealthCheck}
	if err := args(classic).validate(); err == nil || !strings.Contains(err.Error(), "Auto Mode") {
		t.Errorf("a classic ELB on Auto Mode must be refused up front, got %v", err)
	}
}

// The load balancer's own rule, which stacks reports under its config keys: its errors name the
// field to fix first, then the other one that would fix it, as {Field}s (internal/fielderr).
func TestLoadBalancerValidate(t *testing.T) {
	for _, tt := range []struct {
		name     string
		kind     lbkind.Kind
		autoMode bool
		fields   []string // none: valid
	}{
		{"NLB", lbkind.NLB, false, nil},
		{"classic", lbkind.Classic, false, nil},
		{"NLB on Auto Mode", lbkind.NLB, true, nil},
		{"classic on Auto Mode: the kind, or Auto Mode", lbkind.Classic, true, []string{"Kind", "AutoMode"}},
		{"an ALB is no Service's", lbkind.ALB, false, []string{"Kind"}},
		{"an ALB on Auto Mode: one problem, the kind", lbkind.ALB, true, []string{"Kind"}},
	} {
		err := LoadBalancer{Kind: tt.kind, AutoMode: tt.autoMode}.Validate()
		if (err == nil) != (tt.fields == nil) {
			t.Errorf("%s: got %v, want an error naming %v", tt.name, err, tt.fields)
			continue
		}
		if got := fielderr.Fields(err); !slices.Equal(got, tt.fields) {
			t.Errorf("%s: names fields %v, want %v (%v)", tt.name, got, tt.fields, err)
		}
	}
}
