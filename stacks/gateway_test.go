package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/albgateway"
	"github.com/mlops-retail/retail-api-edge/components/gatewayapi"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/internal/ownership/ownershiptest"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

const (
	gatewayType   = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
	httpRouteType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
	crdType       = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
)

func gatewayStack(kv ...string) map[string]string {
	return stacks.With(append([]string{stacks.K("exposure"), "gateway", stacks.K("app"), `{"image": "example.com/retail-api:1"}`}, kv...)...)
}

// Option C's cleanup order, as dependencies (pulumi destroy deletes in reverse): routes, then the
// Gateway, then the controller, then its role; the CRDs last, after everything of their kinds.
func TestOptionCWiring(t *testing.T) {
	p := planOf(t, gatewayStack())
	one := onlyOne(t, p)
	gw, rel, svc, dep := one(gatewayType), one(typetoken.HelmRelease), one("kubernetes:core/v1:Service"), one("kubernetes:apps/v1:Deployment")
	route := one(httpRouteType)
	crds := p.Find(crdType)
	if len(crds) != len(gatewayapi.Names()) || len(crds) < 9 {
		t.Fatalf("%d CRDs, want the %d of the standard channel", len(crds), len(gatewayapi.Names()))
	}
	for _, c := range crds {
		if !slices.Contains(rel.Dependencies, c.URN) {
			t.Errorf("the controller must start after CRD %s (it turns Gateway support on only if it finds them at start)", c.Name)
		}
		// Directly, not only through the release: a stack leaving Option C keeps the release.
		for _, r := range []plan.Resource{gw, route, one("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")} {
			if !slices.Contains(r.Dependencies, c.URN) {
				t.Errorf("%s must depend on CRD %s itself, or destroy may delete the CRD first", r.Name, c.Name)
			}
		}
		if c.Value("metadata", "annotations", ownership.Annotation) != "retail-api-edge/test" {
			t.Errorf("CRD %s lacks the stack's marker", c.Name)
		}
	}
	edges := []struct {
		name     string
		from, to plan.Resource
	}{
		{"route after its Gateway", route, gw},
		{"Gateway after the controller", gw, rel},
		{"Gateway after the app Service", gw, svc},
		{"controller after its role", rel, one(typetoken.Role)},
		{"Service after the controller's webhook", svc, rel},
		{"pods after the Gateway (readiness gates)", dep, gw},
		{"pods after the namespace label", dep, one("kubernetes:core/v1:NamespacePatch")},
		{"configuration objects after the controller (their finalizers)", one("kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration"), rel},
		{"GatewayClass after the controller", one("kubernetes:gateway.networking.k8s.io/v1:GatewayClass"), rel},
	}
	for _, e := range edges {
		if !slices.Contains(e.from.Dependencies, e.to.URN) {
			t.Errorf("%s: %s must depend on %s", e.name, e.from.Name, e.to.Name)
		}
	}
	values := rel.Value("values", "podAnnotations").(map[string]any)
	if values["retail-api-edge.mlops.io/gateway-api"] != gatewayapi.BundleVersion {
		t.Errorf("the controller's pods must carry the CRDs' release, so they restart after the CRDs: %v", values)
	}
	if svc.Value("spec", "type") != "ClusterIP" || len(p.Find("kubernetes:networking.k8s.io/v1:Ingress")) != 0 {
		t.Error("Option C bills one load balancer: a ClusterIP Service and no Ingress")
	}
	if p.Outputs["exposure"].Value != "gateway" || p.Outputs["url"].Value != "http://k8s-mlops-retail-api-example.us-east-1.elb.amazonaws.com" ||
		p.Outputs["gatewayName"].Value != "retail-api" {
		t.Errorf("outputs: %v", p.Outputs)
	}
}

// Option B stacks' controller pods carry no Gateway API release: their pod template, and so the
// running controller, do not change.
func TestOptionBControllerUnchanged(t *testing.T) {
	p := planOf(t, stacks.With(stacks.K("exposure"), "ingress"))
	pods := onlyOne(t, p)(typetoken.HelmRelease).Value("values", "podAnnotations").(map[string]any)
	if _, ok := pods["retail-api-edge.mlops.io/gateway-api"]; ok || len(p.Find(crdType)) != 0 {
		t.Errorf("Option B: pod annotations %v, %d CRDs", pods, len(p.Find(crdType)))
	}
}

// With gateway.installCrds false no CRD is registered, and the Gateway waits for the release.
func TestOptionCWithTheClustersCRDs(t *testing.T) {
	p := planOf(t, gatewayStack(stacks.K("gateway"), `{"installCrds": false}`))
	if n := len(p.Find(crdType)); n != 0 {
		t.Errorf("%d CRDs registered with installCrds false", n)
	}
	one := onlyOne(t, p)
	if !slices.Contains(one(gatewayType).Dependencies, one(typetoken.HelmRelease).URN) {
		t.Error("the Gateway must depend on the controller release")
	}
}

// The gateway stack file: every edge feature reaches the Gateway's configuration, and the Gateway
// waits for what it names.
func TestGatewayStackEdge(t *testing.T) {
	p := stackPlan(t, "gateway")
	one := onlyOne(t, p)
	gw, lb := one(gatewayType), one("kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration")
	for _, typ := range []string{typetoken.CertificateValidation, typetoken.WebACL, typetoken.BucketPolicy} {
		if !slices.Contains(lb.Dependencies, one(typ).URN) || !slices.Contains(gw.Dependencies, one(typ).URN) {
			t.Errorf("the Gateway and its configuration must wait for the %s", typ)
		}
	}
	if lb.Value("spec", "listenerConfigurations", "0", "defaultCertificate") != p.Outputs["certificateArn"].Value ||
		lb.Value("spec", "wafV2", "webACL") != p.Outputs["webAclArn"].Value {
		t.Errorf("configuration: %v", lb.Inputs)
	}
	for _, r := range p.Find(typetoken.Record) {
		if !strings.HasPrefix(r.Name, stacks.AppName+"-validation") && !slices.Contains(r.Dependencies, gw.URN) {
			t.Errorf("alias record %s must depend on the Gateway", r.Name)
		}
	}
	if p.Outputs["url"].Value != "https://retail-api-gw.example.com" {
		t.Errorf("url = %v", p.Outputs["url"].Value)
	}
}

// Configuration Option C cannot serve is refused before anything is registered, naming the key.
func TestOptionCValidation(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		key  string
		want string
	}{
		{"on Auto Mode", gatewayStack(stacks.K("cluster"), `{"autoMode": true}`), stacks.K("exposure"), "Auto Mode"},
		{"redirect placeholders", gatewayStack(stacks.K("routing"), `{"rules": [{"path": "/old", "redirect": {"path": "/new#{path}"}}]}`),
			stacks.K("routing.rules") + "[0].redirect", "placeholders"},
		{"a later rule the Gateway would try first", gatewayStack(stacks.K("routing"),
			`{"rules": [{"path": "/", "backends": [{"service": "retail-api-svc", "port": 80}]}, `+
				`{"path": "/docs", "fixedResponse": {"statusCode": 404}}]}`), stacks.K("routing.rules") + "[1]", "move it above"},
		{"the Ingress's name does nothing", gatewayStack(stacks.K("ingress"), `{"name": "x"}`), stacks.K("ingress.name"), "ingress"},
		{"gateway settings do nothing on Option B", stacks.With(stacks.K("exposure"), "ingress", stacks.K("gateway"), `{"installCrds": false}`),
			stacks.K("gateway.installCrds"), "gateway"},
		{"bad Gateway name", gatewayStack(stacks.K("gateway"), `{"name": "Retail_API"}`), stacks.K("gateway.name"), "Gateway name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stacks.Decode("test", tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want a refusal naming %s (%q), got %v", tt.key, tt.want, err)
			}
		})
	}
	// Rules in an order the Gateway keeps pass: the more specific first, or ones that never overlap.
	ok := gatewayStack(stacks.K("routing"), `{"rules": [{"path": "/docs", "sourceRanges": ["203.0.113.0/24"], `+
		`"backends": [{"service": "retail-api-svc", "port": 80}]}, {"path": "/docs", "fixedResponse": {"statusCode": 404}}, `+
		`{"path": "/predict", "backends": [{"service": "retail-api-svc", "port": 80}]}, {"path": "/", "backends": [{"service": "retail-api-svc", "port": 80}]}]}`)
	if _, err := stacks.Decode("test", ok); err != nil {
		t.Errorf("rules in precedence order refused: %v", err)
	}
}

// The preview's CRD check: a stack that installs them finds none it did not; one that uses the
// cluster's finds them at v1.6.0 or later.
func TestGatewayCRDPrecheck(t *testing.T) {
	crds := func(m ownership.Metadata) ownershiptest.Cluster {
		c := ownershiptest.Cluster{}
		for _, n := range gatewayapi.Names() {
			c["CustomResourceDefinition /"+n] = m
		}
		return c
	}
	version := func(v, owner string) ownership.Metadata {
		m := ownership.Metadata{Annotations: map[string]string{gatewayapi.BundleVersionAnnotation: v}}
		if owner != "" {
			m.Annotations[ownership.Annotation] = owner
		}
		return m
	}
	existing := gatewayStack(stacks.K("gateway"), `{"installCrds": false}`)
	tests := []struct {
		name    string
		raw     map[string]string
		cluster ownershiptest.Cluster
		want    []string
	}{
		{"nothing there: installed", gatewayStack(), ownershiptest.Cluster{}, nil},
		{"ours, on the next run", gatewayStack(), crds(version("v1.6.3", "retail-api-edge/test")), nil},
		{"someone else's", gatewayStack(), crds(version("v1.5.1", "")),
			[]string{"already has them", "gateways.gateway.networking.k8s.io (v1.5.1, installed outside any stack)", "retail-api-edge:gateway.installCrds false"}},
		{"another stack's", gatewayStack(), crds(version("v1.6.3", "retail-api-edge/prod")), []string{"stack prod"}},
		{"the cluster's, recent", existing, crds(version("v1.6.1", "")), nil},
		{"the cluster's, too old", existing, crds(version("v1.2.0", "")), []string{"older than v1.6.0", "httproutes.gateway.networking.k8s.io (v1.2.0)"}},
		{"the cluster has none", existing, ownershiptest.Cluster{}, []string{"has no", "retail-api-edge:gateway.installCrds true"}},
		{"another stack's Gateway", gatewayStack(), ownershiptest.Cluster{"Gateway mlops/retail-api": markedBy("prod")},
			[]string{"Gateway mlops/retail-api", "retail-api-edge:gateway.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planWith(tt.raw, tt.cluster)
			ownershiptest.Refusal(t, err, tt.want)
		})
	}
}

// The GatewayClass is cluster-wide: each stack names its own.
func TestGatewayClassPerStack(t *testing.T) {
	p := planOf(t, gatewayStack())
	if got := onlyOne(t, p)("kubernetes:gateway.networking.k8s.io/v1:GatewayClass").Value("metadata", "name"); got != "retail-api-edge-test" {
		t.Errorf("GatewayClass %v, want retail-api-edge-test", got)
	}
	if albgateway.ControllerName != "gateway.k8s.aws/alb" {
		t.Error("the controller's ALB GatewayClass controllerName is gateway.k8s.aws/alb")
	}
}

// Every Gateway API and controller object Option C creates (the redirect route, each host's
// route, the rule and target group configurations) is read in preview: marked by another stack,
// each one stops the plan, naming it.
func TestGatewayObjectsPrechecked(t *testing.T) {
	st, err := stackconfig.Load("..", "gateway", exampleStacks["gateway"])
	if err != nil {
		t.Fatal(err)
	}
	st.Config[stacks.K("routing")] = `{"rules": [{"path": "/docs", "host": "retail-api-gw.example.com", "sourceRanges": ["203.0.113.0/24"], ` +
		`"backends": [{"service": "retail-api-svc", "port": 80}]}, {"path": "/", "backends": [{"service": "retail-api-svc", "port": 80}]}]}`
	p, err := stackplan.Plan(st)
	if err != nil {
		t.Fatal(err)
	}
	var objects []string
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:gateway.") {
			continue
		}
		ns, _ := r.Value("metadata", "namespace").(string)
		objects = append(objects, r.Type[strings.LastIndex(r.Type, ":")+1:]+" "+ns+"/"+r.Value("metadata", "name").(string))
	}
	if len(objects) < 8 {
		t.Fatalf("%d objects (%v): the stack lost its redirect route, host route or configurations", len(objects), objects)
	}
	for _, o := range objects {
		t.Run(o, func(t *testing.T) {
			_, err := stackplan.PlanWith(st, stackplan.Options{Cluster: ownershiptest.Cluster{o: markedBy("prod")}.Open})
			ownershiptest.Refusal(t, err, []string{o, "stack \"prod\""})
		})
	}
}
