//go:build integration

package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// outageAlarm makes every pod of the API fail its readiness (as when /health fails everywhere) and
// checks that the alarms the stack created, evaluated the way CloudWatch evaluates them (the AWS
// stand-in), raise the outage; and that they are quiet again once the pods recover.
func (c *cliWorld) outageAlarm(t *testing.T, alb harness.LoadBalancer) {
	t.Helper()
	if got := c.alarmStates(t, alb); slices.Contains(slices.Collect(maps.Values(got)), "ALARM") {
		t.Fatalf("alarms with every pod ready: %v", got)
	}
	c.setPodsReady(t, false)
	t.Cleanup(func() { c.reportPodsReady(t, true) }) // for the next scenarios, even if this one fails
	got := c.alarmStates(t, alb)
	if got["healthy-targets"] != "ALARM" {
		t.Errorf("every pod unready, the target group empty: alarms %v, want healthy-targets in ALARM", got)
	}
	c.setPodsReady(t, true)
	if got := c.alarmStates(t, alb); got["healthy-targets"] != "OK" {
		t.Errorf("after the pods recover: alarms %v", got)
	}
}

// alarmStates evaluates every alarm in AWS against what the ALB reports now.
func (c *cliWorld) alarmStates(t *testing.T, alb harness.LoadBalancer) map[string]string {
	t.Helper()
	// The ALB stand-in reports what CloudWatch would for the targets the controller registers.
	m, err := c.world.standIn.ALBMetrics(c.ctx, alb, types.NamespacedName{Namespace: namespace, Name: serviceName})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, o := range c.ledger(t).Live() {
		if o.Type != typetoken.MetricAlarm {
			continue
		}
		state, err := awsstandin.AlarmState(o.Props, m)
		if err != nil {
			t.Fatalf("%s: %v", o.ID, err)
		}
		name := strings.TrimPrefix(resourceName(o.URN), "retail-api-")
		states[name] = state
	}
	if len(states) == 0 {
		t.Fatal("the stack has no alarms in AWS")
	}
	return states
}

// readyEndpoints counts the app Service's ready endpoints, as the endpoint slice controller reports them.
func (c *cliWorld) readyEndpoints(t *testing.T) int {
	t.Helper()
	n, err := c.world.standIn.ReadyEndpoints(c.ctx, types.NamespacedName{Namespace: namespace, Name: serviceName})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// setPodsReady reports the app's pods ready or not, and waits until the endpoint slices say so.
func (c *cliWorld) setPodsReady(t *testing.T, ready bool) {
	t.Helper()
	n := c.reportPodsReady(t, ready)
	eventually(t, time.Minute, func() error {
		if got := c.readyEndpoints(t); (got > 0) != ready || (ready && got != n) {
			return fmt.Errorf("%d of %d endpoints ready, want ready=%v", got, n, ready)
		}
		return nil
	})
}

// reportPodsReady sets the app's pods' readiness as a kubelet would report it, and returns how
// many there are.
func (c *cliWorld) reportPodsReady(t *testing.T, ready bool) int {
	t.Helper()
	return len(reportReady(c.ctx, t, c.k8s, namespace, map[string]string{"app": "retail-api"}, ready))
}

// reportReady sets the readiness of the pods in ns that match selector as a kubelet would report
// it (the simulated one leaves running pods' status alone), and returns them.
func reportReady(ctx context.Context, t *testing.T, client kubernetes.Interface, ns string, selector map[string]string, ready bool) []corev1.Pod {
	t.Helper()
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(selector).String()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		for j := range p.Status.Conditions {
			if typ := p.Status.Conditions[j].Type; typ == corev1.PodReady || typ == corev1.ContainersReady {
				p.Status.Conditions[j].Status = status
			}
		}
		for j := range p.Status.ContainerStatuses {
			p.Status.ContainerStatuses[j].Ready = ready
		}
		if _, err := client.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return pods.Items
}

// wafOff turns the web ACL off: the Ingress must say "none" (absent, the controller keeps the ACL
// attached), the controller detaches it, and only then can the ACL be deleted.
func (c *cliWorld) wafOff(t *testing.T, acl awsstandin.Object) {
	t.Helper()
	// waf.rateLimit was changed above; with the ACL off it would do nothing, which is refused.
	c.pulumi(t, "config", "rm", "--stack", "prod", "--path", "retail-api-edge:waf.rateLimit")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:waf.enabled", "false")
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	ing, err := c.k8s.NetworkingV1().Ingresses(namespace).Get(c.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ing.Annotations[albingress.Prefix+"wafv2-acl-arn"]; got != albingress.NoWebACL {
		t.Errorf("with WAF off the Ingress says wafv2-acl-arn %q, want %q", got, albingress.NoWebACL)
	}
	for _, o := range c.ledger(t).Live() {
		if o.Type == acl.Type {
			t.Errorf("the web ACL %s is still there", o.ID)
		}
	}
}

// logBucketTypes are what a log bucket that destroy may not empty keeps (accessLogs.emptyOnDestroy
// false, as in Pulumi.prod.yaml): the bucket with all of its settings.
var logBucketTypes = map[string]int{
	typetoken.Bucket: 1, typetoken.PublicAccessBlock: 1, typetoken.OwnershipControls: 1, typetoken.Encryption: 1,
	typetoken.Lifecycle: 1, typetoken.BucketPolicy: 1,
}

// assertOnlyLogBucketKept checks that after prod's destroy AWS holds the log bucket whole and
// nothing else, then removes it as its owner would (`aws s3 rb --force`).
func (c *cliWorld) assertOnlyLogBucketKept(t *testing.T) {
	t.Helper()
	c.forgetRetained(t, logBucketTypes)
}

// forgetRetained checks that exactly the objects of want (type -> count) are live in AWS, kept by
// retainOnDelete, removes them from the stand-in as a person deleting them by hand would, and
// checks that nothing else is left.
func (c *cliWorld) forgetRetained(t *testing.T, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	for _, o := range c.ledger(t).Live() {
		got[o.Type]++
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("want %d %s kept, got %d (live: %v)", n, typ, got[typ], got)
		}
	}
	if _, err := awsstandin.Forget(c.standIn, func(o awsstandin.Object) bool { return want[o.Type] > 0 }); err != nil {
		t.Fatal(err)
	}
	c.assertNoAWS(t)
}

// twoStacks runs prod (the controller) and demo (its own Service, NLB, then classic) on one
// cluster and takes them down in both orders: the controller installed by prod must not take
// demo's new Service (the chart's Service mutator would give it the controller's class; the test
// chart registers it as the real one does and the harness serves it), so prod's destroy leaves
// demo's load balancer working, and demo's leaves prod's.
func (c *cliWorld) twoStacks(t *testing.T) {
	const demoSvc = "retail-api-demo-svc"
	for _, round := range []struct {
		name       string
		lb         lbkind.Kind
		prodFirst  bool
		demoConfig []string
	}{
		{"prod destroyed first", "nlb", true, nil},
		{"demo destroyed first", "classic", false, []string{"retail-api-edge:service.loadBalancer", "classic"}},
	} {
		t.Run(round.name, func(t *testing.T) {
			c.stackInit(t, "prod")
			c.localChart(t, "prod")
			c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
			c.pulumi(t, "up", "--yes", "--stack", "prod")
			alb := c.onlyLive(t, "alb")
			c.stackInit(t, "demo")
			c.pulumi(t, "config", "set", "--stack", "demo", "--path", "retail-api-edge:app.serviceName", demoSvc)
			if len(round.demoConfig) == 2 {
				c.pulumi(t, "config", "set", "--stack", "demo", "--path", round.demoConfig[0], round.demoConfig[1])
			}
			c.pulumi(t, "up", "--yes", "--stack", "demo")
			demo := c.liveOf(t, "service "+namespace+"/"+demoSvc)
			svc, err := c.k8s.CoreV1().Services(namespace).Get(c.ctx, demoSvc, metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if svc.Spec.LoadBalancerClass != nil || demo.Owner != "cloud-provider" || demo.Kind != round.lb {
				t.Fatalf("demo's Service created after prod's controller: class %v, load balancer %s by %s; want a %s by the cloud provider",
					svc.Spec.LoadBalancerClass, demo.Kind, demo.Owner, round.lb)
			}
			first, second, survivor := "prod", "demo", demo
			if !round.prodFirst {
				first, second, survivor = "demo", "prod", alb
			}
			c.pulumi(t, "destroy", "--yes", "--stack", first)
			if !c.deleted(survivor).IsZero() {
				t.Errorf("destroying %s took the other stack's load balancer %s", first, survivor.Hostname)
			}
			c.pulumi(t, "destroy", "--yes", "--stack", second)
			c.assertNothingLeft(t)
			if _, err := c.k8s.CoreV1().Services(namespace).Get(c.ctx, demoSvc, metav1.GetOptions{}); exists(t, err) {
				t.Error("demo's Service is still there")
			}
			c.assertOnlyLogBucketKept(t)
		})
	}
}

// liveOf is the live load balancer of an object ("service ns/name").
func (c *cliWorld) liveOf(t *testing.T, object string) harness.LoadBalancer {
	t.Helper()
	for _, lb := range c.world.standIn.Ledger.Live() {
		if lb.Object == object {
			return lb
		}
	}
	t.Fatalf("no live load balancer for %s: %+v", object, c.world.standIn.Ledger.Live())
	return harness.LoadBalancer{}
}

// foreignController installs a controller the way eksctl or another team would (a Helm-labelled
// Deployment without this project's marker, and its IngressClass): prod's preview must stop on it,
// naming both and the setting to use it, and change nothing.
func (c *cliWorld) foreignController(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	labels := map[string]string{"app.kubernetes.io/name": controllerName, "helm.sh/chart": "aws-load-balancer-controller-2.7.1"}
	helm := map[string]string{"meta.helm.sh/release-name": "aws-load-balancer-controller", "meta.helm.sh/release-namespace": controllerNS}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: controllerName, Namespace: controllerNS, Labels: labels, Annotations: helm},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(0)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": controllerName}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app.kubernetes.io/name": controllerName}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "controller", Image: "public.ecr.aws/eks/aws-load-balancer-controller:v2.7.1"}}},
			},
		},
	}
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: albingress.ClassName, Labels: labels, Annotations: helm},
		Spec: networkingv1.IngressClassSpec{Controller: "ingress.k8s.aws/alb"}}
	if _, err := c.k8s.AppsV1().Deployments(controllerNS).Create(c.ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.k8s.NetworkingV1().IngressClasses().Create(c.ctx, class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_ = c.k8s.AppsV1().Deployments(controllerNS).Delete(ctx, controllerName, metav1.DeleteOptions{})
		_ = c.k8s.NetworkingV1().IngressClasses().Delete(ctx, albingress.ClassName, metav1.DeleteOptions{})
	})
	ops := len(c.ledger(t).Ops)
	_, err := c.cli.Run(c.cliCtx(t), "preview", "--stack", "prod")
	for _, want := range []string{"already has one it did not install", "Deployment kube-system/aws-load-balancer-controller (chart aws-load-balancer-controller-2.7.1",
		"IngressClass alb", "pulumi config set --path retail-api-edge:controller.install false"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("prod's preview must stop on the controller it did not install, saying %q; got %v", want, err)
		}
	}
	c.assertRefusedPreview(t, ops)
}

// assertRefusedPreview checks that a refused preview changed nothing: no AWS operation since ops
// were counted, no controller service account.
func (c *cliWorld) assertRefusedPreview(t *testing.T, ops int) {
	t.Helper()
	if got := len(c.ledger(t).Ops); got != ops {
		t.Errorf("the refused preview made %d AWS changes", got-ops)
	}
	if _, err := c.k8s.CoreV1().ServiceAccounts(controllerNS).Get(c.ctx, controllerSA, metav1.GetOptions{}); exists(t, err) {
		t.Error("the refused preview created the controller's service account")
	}
}

// resourceName is the last part of a URN.
func resourceName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// untaggedSubnets takes the load balancer tag off one of the cluster's two public subnets: prod's
// preview must stop before anything is registered, naming the zone it found, the subnet it skipped
// and the command that fixes it, and change nothing.
func (c *cliWorld) untaggedSubnets(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	broken := c.aws
	broken.Subnets = maps.Clone(c.aws.Subnets)
	s := broken.Subnets["subnet-0integration0000b"]
	s.Tags = map[string]string{"kubernetes.io/role/elb": "0"}
	broken.Subnets["subnet-0integration0000b"] = s
	c.useWorld(t, broken)
	ops := len(c.ledger(t).Ops)
	_, err := c.cli.Run(c.cliCtx(t), "preview", "--stack", "prod")
	for _, want := range []string{"in 1 availability zone(s) [us-east-1a: subnet-0integration0000a]",
		`subnet-0integration0000b (kubernetes.io/role/elb="0"`, "aws ec2 create-tags"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("prod's preview must stop on the untagged subnet, saying %q; got %v", want, err)
		}
	}
	c.assertRefusedPreview(t, ops)
}
