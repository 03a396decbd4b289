package albgateway

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
)

const owner = "retail-api-edge.mlops.io/owner"

func settings() albingress.Settings {
	return albingress.Settings{HealthCheck: healthcheck.HTTP{Path: "/health", IntervalSeconds: 15, TimeoutSeconds: 5,
		HealthyThreshold: 2, UnhealthyThreshold: 3}, SuccessCodes: "200-299", IdleTimeoutSeconds: 60}
}

func allOn() albingress.Settings {
	s := settings()
	s.TLS = &albingress.TLS{CertificateArn: pulumi.String("arn:cert"), SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"}
	s.WAF = &albingress.WAF{WebACLArn: pulumi.String("arn:acl")}
	s.AccessLogs = &albingress.AccessLogs{Bucket: pulumi.String("logs-bucket"), Prefix: "api"}
	s.Tags = map[string]string{"stack": "gw"}
	s.LoadBalancerName = "retail-api-gw"
	s.InboundCIDRs = []string{"203.0.113.0/24"}
	return s
}

// run registers a Gateway after a stand-in release (what the stack passes as DependsOn).
func run(t *testing.T, args *Args) *plan.Plan {
	t.Helper()
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		release, err := pulumi.NewStackReference(ctx, "release-stand-in", nil)
		if err != nil {
			return nil, err
		}
		a := *args
		a.DependsOn = []pulumi.Resource{release}
		g, err := NewGateway(ctx, "retail-api", &a, pulumi.Provider(k8s))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"hostname": g.Hostname}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func baseArgs(s albingress.Settings) *Args {
	return &Args{Namespace: "mlops", Name: "retail-api", ClassName: "retail-api-edge-gw", ServiceName: "retail-api-svc",
		ServicePort: 80, Settings: s, Annotations: map[string]string{owner: "retail-api-edge/gw"}}
}

func one(t *testing.T, p *plan.Plan, typ string) plan.Resource {
	t.Helper()
	rs := p.Find(typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s, want 1", len(rs), typ)
	}
	return rs[0]
}

// Every edge feature lands where the controller reads it (apis/gateway/v1 at v3.5.0), the
// controller's internal/instance defaults are overridden, and every object is the component's
// child carrying the stack's marker.
func TestGatewayObjects(t *testing.T) {
	p := run(t, baseArgs(allOn()))
	class := one(t, p, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
	lb := one(t, p, "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration")
	tg := one(t, p, "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration")
	gw := one(t, p, "kubernetes:gateway.networking.k8s.io/v1:Gateway")
	comp := one(t, p, TypeToken)
	attrs := map[string]string{}
	for _, a := range lb.Value("spec", "loadBalancerAttributes").([]any) {
		kv := a.(map[string]any)
		attrs[kv["key"].(string)] = kv["value"].(string)
	}
	hc := func(k string) any { return tg.Value("spec", "defaultConfiguration", "healthCheckConfig", k) }
	listeners := gw.Value("spec", "listeners").([]any)
	checks := []struct {
		name string
		ok   bool
	}{
		{"class served by the controller's ALB support", class.Value("spec", "controllerName") == ControllerName},
		{"class is cluster-scoped", class.Value("metadata", "namespace") == nil},
		{"internet-facing (the controller's default is internal)", lb.Value("spec", "scheme") == "internet-facing"},
		{"HTTPS listener with the certificate and TLS policy", lb.Value("spec", "listenerConfigurations", "0", "protocolPort") == "HTTPS:443" &&
			lb.Value("spec", "listenerConfigurations", "0", "defaultCertificate") == "arn:cert" &&
			lb.Value("spec", "listenerConfigurations", "0", "sslPolicy") == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"},
		{"web ACL", lb.Value("spec", "wafV2", "webACL") == "arn:acl"},
		{"access logs", attrs["access_logs.s3.enabled"] == "true" && attrs["access_logs.s3.bucket"] == "logs-bucket" && attrs["access_logs.s3.prefix"] == "api"},
		{"deletion protection and idle timeout explicit", attrs["deletion_protection.enabled"] == "false" && attrs["idle_timeout.timeout_seconds"] == "60"},
		{"name, tags and source ranges", lb.Value("spec", "loadBalancerName") == "retail-api-gw" && lb.Value("spec", "tags", "stack") == "gw" &&
			lb.Value("spec", "sourceRanges", "0") == "203.0.113.0/24"},
		{"ip targets (the controller's default is instance)", tg.Value("spec", "defaultConfiguration", "targetType") == "ip"},
		{"target group for the app Service", tg.Value("spec", "targetReference", "name") == "retail-api-svc" &&
			tg.Value("spec", "targetReference", "kind") == "Service"},
		{"health check", hc("healthCheckPath") == "/health" && hc("healthCheckProtocol") == "HTTP" && hc("healthCheckInterval") == 15.0 &&
			hc("healthCheckTimeout") == 5.0 && hc("healthyThresholdCount") == 2.0 && hc("unhealthyThresholdCount") == 3.0 &&
			tg.Value("spec", "defaultConfiguration", "healthCheckConfig", "matcher", "httpCode") == "200-299"},
		{"Gateway names its class and configuration", gw.Value("spec", "gatewayClassName") == "retail-api-edge-gw" &&
			gw.Value("spec", "infrastructure", "parametersRef", "kind") == "LoadBalancerConfiguration" &&
			gw.Value("spec", "infrastructure", "parametersRef", "group") == ConfigGroup &&
			gw.Value("spec", "infrastructure", "parametersRef", "name") == lb.Value("metadata", "name")},
		{"HTTP and HTTPS listeners, no tls block (the CRD's CEL allows it; the certificate is the configuration's)",
			len(listeners) == 2 && gw.Value("spec", "listeners", "1", "protocol") == "HTTPS" && gw.Value("spec", "listeners", "1", "tls") == nil},
		{"up waits for the address", gw.Value("metadata", "annotations", waitForAnnotation) == "jsonpath={.status.addresses[0].value}"},
		{"destroy: Gateway before its class and configurations", slices.Contains(gw.Dependencies, class.URN) &&
			slices.Contains(gw.Dependencies, lb.URN) && slices.Contains(gw.Dependencies, tg.URN)},
		{"hostname from the status address", p.Outputs["hostname"].Value == "k8s-mlops-retail-api-example.us-east-1.elb.amazonaws.com"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s\nclass %v\nlb %v\ntg %v\ngw %v", c.name, class.Inputs, lb.Inputs, tg.Inputs, gw.Inputs)
		}
	}
	release := ""
	for _, r := range p.Resources {
		if r.Name == "release-stand-in" {
			release = r.URN
		}
	}
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:gateway") {
			continue
		}
		if r.Parent != comp.URN || r.Value("metadata", "annotations", owner) != "retail-api-edge/gw" {
			t.Errorf("%s %s: want a child of the component with the stack's marker", r.Type, r.Name)
		}
		if !slices.Contains(r.Dependencies, release) {
			t.Errorf("%s %s does not wait for the controller release: its finalizer would outlive the controller", r.Type, r.Name)
		}
	}
}

// WAF off leaves wafV2 out, which detaches a web ACL the controller attached (its addon state on
// the Gateway); HTTP only has one listener and the route on it, and no redirect.
func TestGatewayFeaturesOff(t *testing.T) {
	p := run(t, baseArgs(settings()))
	lb := one(t, p, "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration")
	gw := one(t, p, "kubernetes:gateway.networking.k8s.io/v1:Gateway")
	route := one(t, p, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
	for _, key := range []string{"wafV2", "listenerConfigurations", "loadBalancerName", "sourceRanges", "tags"} {
		if lb.Value("spec", key) != nil {
			t.Errorf("spec.%s = %v with its feature off", key, lb.Value("spec", key))
		}
	}
	if n := len(gw.Value("spec", "listeners").([]any)); n != 1 {
		t.Errorf("%d listeners without TLS, want 1", n)
	}
	if route.Value("spec", "parentRefs", "0", "sectionName") != "http" || route.Value("spec", "rules", "0", "backendRefs", "0", "name") != "retail-api-svc" {
		t.Errorf("default route: %v", route.Inputs)
	}
}

// With TLS the HTTP listener only redirects (301 to https), and the rules are on HTTPS; every
// route is deleted before its Gateway.
func TestGatewayRedirect(t *testing.T) {
	p := run(t, baseArgs(allOn()))
	gw := one(t, p, "kubernetes:gateway.networking.k8s.io/v1:Gateway")
	var redirect, main plan.Resource
	for _, r := range p.Find("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") {
		if !slices.Contains(r.Dependencies, gw.URN) {
			t.Errorf("HTTPRoute %s does not depend on the Gateway", r.Name)
		}
		if r.Value("spec", "parentRefs", "0", "sectionName") == "http" {
			redirect = r
		} else {
			main = r
		}
	}
	f := func(k string) any { return redirect.Value("spec", "rules", "0", "filters", "0", "requestRedirect", k) }
	if redirect.Value("spec", "rules", "0", "filters", "0", "type") != "RequestRedirect" || f("scheme") != "https" || f("statusCode") != 301.0 {
		t.Errorf("HTTP listener's route: %v", redirect.Inputs)
	}
	if main.Value("spec", "parentRefs", "0", "sectionName") != "https" || main.Value("spec", "rules", "0", "backendRefs") == nil {
		t.Errorf("HTTPS listener's route: %v", main.Inputs)
	}
}

func weight(w int) *int { return &w }

// everyRuleKind is a routing block with each kind of rule: weighted and sticky, source-restricted,
// fixed response, redirect with a query, and a host of its own.
func everyRuleKind() []albingress.Route {
	return []albingress.Route{
		{Path: "/predict", Forward: &albingress.Forward{StickySeconds: 300, Backends: []albingress.Backend{
			{Service: "retail-api-svc", Port: 80, Weight: weight(90)}, {Service: "retail-api-v2-svc", Port: 80, Weight: weight(10)}}}},
		{Path: "/docs", SourceRanges: []string{"203.0.113.0/24"}, Forward: &albingress.Forward{Backends: []albingress.Backend{{Service: "retail-api-svc", Port: 80}}}},
		{Path: "/docs", FixedResponse: &albingress.FixedResponse{StatusCode: 404, ContentType: "text/plain", Body: "not found"}},
		{Path: "/old", Exact: true, Redirect: &albingress.Redirect{Path: "/predict", Query: "v=1", StatusCode: 301}},
		{Host: "api.example.com", Path: "/", Forward: &albingress.Forward{Backends: []albingress.Backend{{Service: "retail-api-svc", Port: 80}}}},
	}
}

// The routing block as HTTPRoutes: one per host, rules in order, weights native, and what
// HTTPRoute cannot say in a ListenerRuleConfiguration the rule references.
func TestGatewayRoutes(t *testing.T) {
	a := baseArgs(settings())
	a.Routes = everyRuleKind()
	p := run(t, a)
	routes := p.Find("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
	configs := p.Find("kubernetes:gateway.k8s.aws/v1:ListenerRuleConfiguration")
	tgs := p.Find("kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration")
	if len(routes) != 2 || len(configs) != 4 || len(tgs) != 2 {
		t.Fatalf("%d routes, %d rule configurations, %d target group configurations; want 2 (one per host), 4, 2", len(routes), len(configs), len(tgs))
	}
	var anyHost, host plan.Resource
	for _, r := range routes {
		if r.Value("spec", "hostnames") == nil {
			anyHost = r
		} else {
			host = r
		}
	}
	rule := func(i int, path ...string) any {
		return anyHost.Value(append([]string{"spec", "rules", string(rune('0' + i))}, path...)...)
	}
	config := func(i int) plan.Resource {
		name := rule(i, "filters", lastFilter(anyHost, i), "extensionRef", "name")
		for _, c := range configs {
			if c.Value("metadata", "name") == name {
				if !slices.Contains(anyHost.Dependencies, c.URN) {
					t.Errorf("the route does not depend on %v: it would be deleted after it", name)
				}
				return c
			}
		}
		t.Fatalf("rule %d names rule configuration %v, which is not registered", i, name)
		return plan.Resource{}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"config order kept", rule(0, "matches", "0", "path", "value") == "/predict" && rule(3, "matches", "0", "path", "value") == "/old"},
		{"weights native", rule(0, "backendRefs", "0", "weight") == 90.0 && rule(0, "backendRefs", "1", "weight") == 10.0},
		{"no weight on a single backend", rule(1, "backendRefs", "0", "weight") == nil},
		{"stickiness in the rule's configuration", config(0).Value("spec", "actions", "0", "forwardConfig", "targetGroupStickinessConfig", "durationSeconds") == 300.0},
		{"source ranges as a source-ip condition", config(1).Value("spec", "conditions", "0", "field") == "source-ip" &&
			config(1).Value("spec", "conditions", "0", "sourceIPConfig", "values", "0") == "203.0.113.0/24"},
		{"fixed response without backends", rule(2, "backendRefs") == nil && config(2).Value("spec", "actions", "0", "type") == "fixed-response" &&
			config(2).Value("spec", "actions", "0", "fixedResponseConfig", "statusCode") == 404.0 &&
			config(2).Value("spec", "actions", "0", "fixedResponseConfig", "messageBody") == "not found"},
		{"redirect as RequestRedirect, its query in the configuration", rule(3, "filters", "0", "type") == "RequestRedirect" &&
			rule(3, "filters", "0", "requestRedirect", "path", "replaceFullPath") == "/predict" &&
			rule(3, "filters", "0", "requestRedirect", "statusCode") == 301.0 &&
			config(3).Value("spec", "actions", "0", "redirectConfig", "query") == "v=1"},
		{"Exact path", rule(3, "matches", "0", "path", "type") == "Exact"},
		{"a host's rules in its own route", host.Value("spec", "hostnames", "0") == "api.example.com"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s\nroute %v", c.name, anyHost.Inputs)
		}
	}
}

// lastFilter is the index of a rule's last filter (the ExtensionRef comes after a redirect).
func lastFilter(route plan.Resource, rule int) string {
	fs, _ := route.Value("spec", "rules", string(rune('0'+rule)), "filters").([]any)
	return string(rune('0' + len(fs) - 1))
}

// Args that would leave objects behind or render nothing useful are refused before registering.
func TestGatewayArgsRefused(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Args)
	}{
		{"no class", func(a *Args) { a.ClassName = "" }},
		{"TLS without certificate", func(a *Args) { a.Settings.TLS = &albingress.TLS{} }},
		{"long load balancer name", func(a *Args) { a.Settings.LoadBalancerName = strings.Repeat("a", 33) }},
		{"route without an action", func(a *Args) { a.Routes = []albingress.Route{{Path: "/x"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := baseArgs(settings())
			tt.edit(a)
			_, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
				_, err := NewGateway(ctx, "x", a, pulumi.Provider(k8s))
				return nil, err
			})
			if err == nil {
				t.Fatal("want it refused")
			}
		})
	}
	_, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		_, err := NewGateway(ctx, "x", baseArgs(settings()), pulumi.Provider(k8s))
		return nil, err
	})
	if err == nil || !strings.Contains(err.Error(), "DependsOn") {
		t.Errorf("a Gateway that waits for no controller can hang on its finalizer: want it refused, got %v", err)
	}
}

// Objects, which the preview's ownership check reads, names exactly what NewGateway registers:
// a rename in one and not the other would let another stack's object through.
func TestObjectsAreWhatIsRegistered(t *testing.T) {
	routed := baseArgs(allOn())
	routed.Routes = everyRuleKind()
	for name, a := range map[string]*Args{"default route, HTTP": baseArgs(settings()), "every rule kind, TLS": routed} {
		t.Run(name, func(t *testing.T) {
			var registered []Object
			for _, r := range run(t, a).Resources {
				if strings.HasPrefix(r.Type, "kubernetes:gateway.") {
					kind := r.Type[strings.LastIndex(r.Type, ":")+1:]
					registered = append(registered, Object{Kind: kind, Name: r.Value("metadata", "name").(string)})
				}
			}
			byKindName := func(x, y Object) int { return strings.Compare(x.Kind+"/"+x.Name, y.Kind+"/"+y.Name) }
			want := slices.SortedFunc(slices.Values(a.Objects()), byKindName)
			slices.SortFunc(registered, byKindName)
			if !slices.Equal(registered, want) {
				t.Errorf("registered %v\nObjects() %v", registered, want)
			}
			if len(want) < 4 {
				t.Errorf("only %d objects: the comparison proves little", len(want))
			}
		})
	}
}
