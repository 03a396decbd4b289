//go:build integration

package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/mlops-retail/retail-api-edge/components/albgateway"
	"github.com/mlops-retail/retail-api-edge/components/gatewayapi"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// TestEmbeddedGatewayCRDs: the CRDs the program installs are the Gateway API module's standard
// channel, byte for byte as `go generate ./components/gatewayapi` writes them.
func TestEmbeddedGatewayCRDs(t *testing.T) {
	want, err := harness.GatewayAPICRDsJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../components/gatewayapi/standard-crds.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("components/gatewayapi/standard-crds.json differs from %s's config/crd/standard: run `go generate ./components/gatewayapi`",
			harness.GatewayAPIModule)
	}
}

// gateway runs Pulumi.gateway.yaml (Option C with every edge feature) on the real engine, with the
// Gateway API CRDs the program installs judged by the real API server. The controller's own CRDs
// (gateway.k8s.aws: LoadBalancerConfiguration, TargetGroupConfiguration, ListenerRuleConfiguration)
// are structural stand-ins (testdata/lbc-chart/crds/gateway-crds.yaml: the chart that ships them is
// not reachable here), and the controller is harness.GatewayController standing in for its Gateway
// reconciler against the AWS stand-in. Up; a no-op second up; a
// canary's weight change, one update of the HTTPRoute; a switch to Option B and back, each leaving
// one ALB and the same Service; destroy with nothing left in the cluster or AWS, the CRDs and the log bucket included.
func (c *cliWorld) gateway(t *testing.T) {
	c.exampleStack(t, "gateway")
	c.stackInit(t, "gateway")
	c.localChart(t, "gateway")
	dyn, err := dynamic.NewForConfig(c.cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	c.pulumi(t, "up", "--yes", "--stack", "gateway")
	alb := c.onlyLive(t, "alb")
	if !strings.HasPrefix(alb.Object, "gateway ") {
		t.Fatalf("the ALB is %s's, want the Gateway's", alb.Object)
	}
	c.assertGateway(t, dyn, alb.Hostname)
	svc := c.appService(t)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "gateway")

	// The real CRDs judge what a client writes: an HTTPRoute whose path does not start with / is refused.
	bad := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": albgateway.GatewayAPI, "kind": "HTTPRoute",
		"metadata": map[string]any{"name": "malformed", "namespace": namespace},
		"spec": map[string]any{"parentRefs": []any{map[string]any{"name": "retail-api"}},
			"rules": []any{map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "predict"}}}}}},
	}}
	if _, err := dyn.Resource(harness.HTTPRouteResource).Namespace(namespace).Create(c.ctx, bad, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("the API server took a malformed HTTPRoute (err %v): the program's CRDs are not the real ones", err)
	}

	c.canaryService(t)
	for _, kv := range canaryRules {
		c.pulumi(t, "config", "set", "--stack", "gateway", "--path", "retail-api-edge:"+kv[0], kv[1])
	}
	c.pulumi(t, "up", "--yes", "--stack", "gateway")
	if w := c.routeWeights(t, dyn); w != "90,10" {
		t.Errorf("/predict weights after up: %s, want 90,10", w)
	}
	c.pulumi(t, "config", "set", "--stack", "gateway", "--path", "retail-api-edge:routing.rules[0].backends[0].weight", "50")
	c.pulumi(t, "config", "set", "--stack", "gateway", "--path", "retail-api-edge:routing.rules[0].backends[1].weight", "50")
	diff := c.pulumi(t, "preview", "--diff", "--stack", "gateway")
	if changed := previewChanges(diff); strings.Join(changed, ",") != "~ kubernetes:gateway.networking.k8s.io/v1:HTTPRoute retail-api-route" {
		t.Errorf("moving the weights changes %v, want only an update of the HTTPRoute:\n%s", changed, diff)
	}
	c.pulumi(t, "up", "--yes", "--stack", "gateway")
	if w := c.routeWeights(t, dyn); w != "50,50" {
		t.Errorf("/predict weights after the move: %s, want 50,50", w)
	}
	if got := c.onlyLive(t, "alb"); got.Hostname != alb.Hostname {
		t.Errorf("moving the weights changed the ALB: %+v, was %+v", got, alb)
	}

	// To Option B: the Gateway's objects and the CRDs go, the Ingress's ALB comes, the Service stays.
	c.pulumi(t, "config", "rm", "--stack", "gateway", "retail-api-edge:gateway")
	ingressALB := c.switchExposure(t, "ingress", alb)
	c.assertNoGatewayAPI(t, dyn)
	// And back to Option C.
	c.switchExposure(t, "gateway", ingressALB)
	if again := c.appService(t); again.UID != svc.UID {
		t.Error("switching exposures replaced the app Service")
	}

	c.pulumi(t, "destroy", "--yes", "--stack", "gateway")
	c.assertNothingLeft(t)
	c.assertNoGatewayAPI(t, dyn)
	c.forgetRetained(t, nil) // the example stack empties its log bucket on destroy: nothing is kept
}

// assertGateway checks what up made: the CRDs with the stack's marker, the Gateway programmed
// with the ALB's address, its configuration naming the certificate, web ACL and log bucket, and
// the alias pointing at the Gateway's ALB.
func (c *cliWorld) assertGateway(t *testing.T, dyn dynamic.Interface, hostname string) {
	t.Helper()
	for _, name := range gatewayapi.Names() {
		crd, err := dyn.Resource(crdResource).Get(c.ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("CRD %s: %v", name, err)
		}
		if crd.GetAnnotations()[ownership.Annotation] != "retail-api-edge/gateway" ||
			crd.GetAnnotations()[gatewayapi.BundleVersionAnnotation] != gatewayapi.BundleVersion {
			t.Errorf("CRD %s annotations %v", name, crd.GetAnnotations())
		}
	}
	gw, err := dyn.Resource(harness.GatewayResource).Namespace(namespace).Get(c.ctx, "retail-api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if addrs, _, _ := unstructured.NestedSlice(gw.Object, "status", "addresses"); len(addrs) != 1 || addrs[0].(map[string]any)["value"] != hostname {
		t.Errorf("Gateway addresses %v, want %s", addrs, hostname)
	}
	if got := c.output(t, "gateway", "albHostname"); got != hostname {
		t.Errorf("albHostname = %q, want %s", got, hostname)
	}
	l := c.ledger(t)
	cert, acl, bucket := l.find(t, "aws:acm/certificate:Certificate"), l.find(t, "aws:wafv2/webAcl:WebAcl"), l.find(t, "aws:s3/bucketV2:BucketV2")
	cfg, err := dyn.Resource(harness.LBConfigResource).Namespace(namespace).Get(c.ctx, "retail-api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	listeners, _, _ := unstructured.NestedSlice(cfg.Object, "spec", "listenerConfigurations")
	webACL, _, _ := unstructured.NestedString(cfg.Object, "spec", "wafV2", "webACL")
	attrs, _, _ := unstructured.NestedSlice(cfg.Object, "spec", "loadBalancerAttributes")
	if len(listeners) != 1 || listeners[0].(map[string]any)["defaultCertificate"] != cert.ID || webACL != acl.Props["arn"] ||
		!strings.Contains(mustJSON(attrs), bucket.ID) {
		t.Errorf("the LoadBalancerConfiguration does not name certificate %s, web ACL %v and bucket %s: %v", cert.ID, acl.Props["arn"], bucket.ID, cfg.Object["spec"])
	}
	tg, err := dyn.Resource(harness.TGConfigResource).Namespace(namespace).Get(c.ctx, "retail-api-"+serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tt, _, _ := unstructured.NestedString(tg.Object, "spec", "defaultConfiguration", "targetType"); tt != "ip" {
		t.Errorf("target type %q, want ip", tt)
	}
	alias := l.findWhere(t, "aws:route53/record:Record", func(o awsstandin.Object) bool { return o.Props["type"] == "A" })
	if target := alias.Props["aliases"].([]any)[0].(map[string]any)["name"]; target != hostname {
		t.Errorf("alias record points at %v, want the Gateway's ALB %s", target, hostname)
	}
}

// routeWeights are the /predict rule's backend weights.
func (c *cliWorld) routeWeights(t *testing.T, dyn dynamic.Interface) string {
	t.Helper()
	route, err := dyn.Resource(harness.HTTPRouteResource).Namespace(namespace).Get(c.ctx, "retail-api", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	var weights []string
	for _, r := range rules {
		rule := r.(map[string]any)
		if !strings.Contains(mustJSON(rule["matches"]), `"/predict"`) {
			continue
		}
		for _, b := range rule["backendRefs"].([]any) {
			weights = append(weights, mustJSON(b.(map[string]any)["weight"]))
		}
	}
	return strings.Join(weights, ",")
}

// assertNoGatewayAPI: the Gateway, its class and the CRDs the stack installed are gone (the CRDs
// first: without them no object of their kinds can be left).
func (c *cliWorld) assertNoGatewayAPI(t *testing.T, dyn dynamic.Interface) {
	t.Helper()
	for _, res := range []schema.GroupVersionResource{harness.GatewayResource, harness.GatewayClassResource, harness.HTTPRouteResource} {
		list, err := dyn.Resource(res).List(c.ctx, metav1.ListOptions{})
		if err == nil && len(list.Items) > 0 {
			t.Errorf("%d %s left, e.g. %s", len(list.Items), res.Resource, list.Items[0].GetName())
		}
	}
	for _, name := range gatewayapi.Names() {
		if _, err := dyn.Resource(crdResource).Get(c.ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("CRD %s is still there (%v)", name, err)
		}
	}
}

// exampleStack puts examples/Pulumi.<stack>.yaml into the project copy as a stack file of its own,
// as docs/option-c.md tells a user to, until the scenario ends.
func (c *cliWorld) exampleStack(t *testing.T, stack string) {
	t.Helper()
	b, err := os.ReadFile("../../examples/Pulumi." + stack + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(c.cli.Dir, "Pulumi."+stack+".yaml")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(file) })
}

// switchExposure sets the gateway stack's exposure and runs up: one ALB is then live, the new
// exposure's, the one before it is deleted, and a second up is a no-op.
func (c *cliWorld) switchExposure(t *testing.T, exposure string, before harness.LoadBalancer) harness.LoadBalancer {
	t.Helper()
	c.pulumi(t, "config", "set", "--stack", "gateway", "retail-api-edge:exposure", exposure)
	c.pulumi(t, "up", "--yes", "--stack", "gateway")
	now := c.onlyLive(t, "alb")
	if !strings.HasPrefix(now.Object, exposure+" ") || c.deleted(before).IsZero() {
		t.Errorf("after the switch to %s: live %+v, the ALB before (%s) deleted at %v", exposure, now, before.Object, c.deleted(before))
	}
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "gateway")
	return now
}
