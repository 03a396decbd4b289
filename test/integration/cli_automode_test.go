//go:build integration

package integration

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// autoModeClass is the IngressClass (and IngressClassParams) the prod stack makes on Auto Mode:
// one per stack, named after the project and the stack.
const autoModeClass = "retail-api-edge-prod"

// autoMode runs the repository's prod and demo stacks, unchanged but for deletion protection, on an EKS Auto Mode cluster: DescribeCluster says so (the AWS stand-in),
// the cluster serves IngressClassParams (a stand-in CRD) and its load balancing serves its own
// classes (the Kubernetes stand-in). Prod detects it and installs no controller and no IAM: its
// Ingress gets a class of its own whose parameters carry the certificate, the log bucket and the
// tags; destroy removes the Ingress, the class and its parameters in that order (the stand-in
// keeps an ALB whose class went first, as Auto Mode cannot clean it up then). Demo's Service gets
// Auto Mode's NLB class.
func (c *cliWorld) autoMode(t *testing.T) {
	c.onAutoMode(t)
	c.stackInit(t, "prod") // no test chart: nothing may install the controller
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	preview := c.pulumi(t, "preview", "--stack", "prod")
	if !strings.Contains(preview, "runs Auto Mode's load balancing") {
		t.Errorf("prod's preview on Auto Mode does not warn that its controller settings do nothing:\n%s", preview)
	}
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	alb := c.onlyLive(t, "alb")
	if alb.Owner != "auto-mode" {
		t.Errorf("the ALB was made by %s, want Auto Mode", alb.Owner)
	}
	c.assertAutoModeProd(t, alb.Hostname)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertNoAutoModeClass(t)
	c.assertOnlyLogBucketKept(t)

	c.stackInit(t, "demo")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	nlb := c.onlyLive(t, "nlb")
	svc := c.appService(t)
	if svc.Spec.LoadBalancerClass == nil || *svc.Spec.LoadBalancerClass != servicelb.AutoModeClass || nlb.Owner != "auto-mode" {
		t.Errorf("demo's Service on Auto Mode: class %v, NLB by %s; want %s, by Auto Mode", svc.Spec.LoadBalancerClass, nlb.Owner, servicelb.AutoModeClass)
	}
	if v, ok := svc.Annotations[servicelb.TypeAnnotation]; ok {
		t.Errorf("demo's Service keeps %s=%q, which Auto Mode does not support", servicelb.TypeAnnotation, v)
	}
	if got := c.output(t, "demo", "loadBalancerHostname"); got != nlb.Hostname {
		t.Errorf("loadBalancerHostname = %q, want Auto Mode's NLB %s", got, nlb.Hostname)
	}
	c.pulumi(t, "destroy", "--yes", "--stack", "demo")
	c.assertNothingLeft(t)
	c.assertNoAWS(t)
}

// onAutoMode makes the cluster an Auto Mode one for the rest of the test.
func (c *cliWorld) onAutoMode(t *testing.T) {
	t.Helper()
	remove, err := harness.InstallCRD(c.ctx, c.world.standIn.Dynamic, "testdata/automode/ingressclassparams-crd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	auto := c.aws
	cl := auto.Clusters[clusterName]
	cl.AutoMode = true
	auto.Clusters = map[string]awsstandin.Cluster{clusterName: cl}
	c.useWorld(t, auto)
	c.world.standIn.SetAutoMode(true)
	t.Cleanup(func() { c.world.standIn.SetAutoMode(false) })
}

// assertAutoModeProd checks that prod on Auto Mode made no controller and no IAM, and that the
// class's parameters carry what the Ingress carries on the controller.
func (c *cliWorld) assertAutoModeProd(t *testing.T, albHostname string) {
	t.Helper()
	l := c.ledger(t)
	for _, o := range l.Live() {
		if strings.HasPrefix(o.Type, "aws:iam/") {
			t.Errorf("prod on Auto Mode made %s %s; it needs no controller role", o.Type, o.ID)
		}
	}
	c.assertNoOptionBController(t)
	cert, acl, bucket := l.find(t, typetoken.Certificate), l.find(t, "aws:wafv2/webAcl:WebAcl"), l.find(t, typetoken.Bucket)

	params, err := c.world.standIn.Dynamic.Resource(harness.IngressClassParamsResource).Get(c.ctx, autoModeClass, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the IngressClassParams: %v", err)
	}
	spec, _, _ := unstructured.NestedMap(params.Object, "spec")
	attrs := keyValueMap(spec["loadBalancerAttributes"])
	if spec["scheme"] != "internet-facing" || fmt.Sprint(spec["certificateARNs"]) != fmt.Sprint([]any{cert.ID}) ||
		attrs["access_logs.s3.bucket"] != bucket.ID || attrs["access_logs.s3.enabled"] != "true" ||
		keyValueMap(spec["tags"])["environment"] != "prod" {
		t.Errorf("IngressClassParams %s spec %v: want internet-facing, certificate %s, access logs to %s, the stack's tags", autoModeClass, spec, cert.ID, bucket.ID)
	}
	class, err := c.k8s.NetworkingV1().IngressClasses().Get(c.ctx, autoModeClass, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the IngressClass: %v", err)
	}
	if p := class.Spec.Parameters; class.Spec.Controller != albingress.AutoModeController || p == nil || p.Name != autoModeClass || p.Kind != "IngressClassParams" {
		t.Errorf("IngressClass %s: controller %s, parameters %+v", autoModeClass, class.Spec.Controller, p)
	}
	ing, err := c.k8s.NetworkingV1().Ingresses(namespace).Get(c.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != autoModeClass {
		t.Errorf("the Ingress's class is %v, want %s", ing.Spec.IngressClassName, autoModeClass)
	}
	a := ing.Annotations
	for _, moved := range []string{"certificate-arn", "scheme", "load-balancer-attributes", "tags"} {
		if v, ok := a[albingress.Prefix+moved]; ok {
			t.Errorf("the Ingress sets %s=%q, which the IngressClassParams carries on Auto Mode", moved, v)
		}
	}
	if a[albingress.Prefix+"wafv2-acl-arn"] != acl.Props["arn"] || a[albingress.Prefix+"target-type"] != "ip" {
		t.Errorf("the Ingress must keep the web ACL %v and target type ip: %v", acl.Props["arn"], a)
	}
	alias := l.findWhere(t, "aws:route53/record:Record", func(o awsstandin.Object) bool { return o.Props["type"] == "A" })
	if target := alias.Props["aliases"].([]any)[0].(map[string]any)["name"]; target != albHostname {
		t.Errorf("alias record points at %v, want Auto Mode's ALB %s", target, albHostname)
	}
	if svc := c.appService(t); svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("the Service behind the ALB is %s, want ClusterIP", svc.Spec.Type)
	}
}

// assertNoOptionBController checks that nothing of the controller was installed.
func (c *cliWorld) assertNoOptionBController(t *testing.T) {
	t.Helper()
	if _, err := c.k8s.AppsV1().Deployments(controllerNS).Get(c.ctx, controllerName, metav1.GetOptions{}); exists(t, err) {
		t.Error("the controller was installed on Auto Mode")
	}
	if _, err := c.k8s.CoreV1().ServiceAccounts(controllerNS).Get(c.ctx, controllerSA, metav1.GetOptions{}); exists(t, err) {
		t.Error("the controller's service account was created on Auto Mode")
	}
}

// assertNoAutoModeClass checks that destroy removed the stack's IngressClass and its parameters.
func (c *cliWorld) assertNoAutoModeClass(t *testing.T) {
	t.Helper()
	if _, err := c.k8s.NetworkingV1().IngressClasses().Get(c.ctx, autoModeClass, metav1.GetOptions{}); exists(t, err) {
		t.Error("the IngressClass is still there")
	}
	if _, err := c.world.standIn.Dynamic.Resource(harness.IngressClassParamsResource).Get(c.ctx, autoModeClass, metav1.GetOptions{}); exists(t, err) {
		t.Error("the IngressClassParams is still there")
	}
}

// keyValueMap reads an IngressClassParams {key, value} list.
func keyValueMap(v any) map[string]string {
	out := map[string]string{}
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out[fmt.Sprint(m["key"])] = fmt.Sprint(m["value"])
		}
	}
	return out
}
