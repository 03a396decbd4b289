//go:build integration

package integration

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/mlops-retail/retail-api-edge/internal/doctor/doctortest"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/stacks"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestDoctor")

// prodConfig is the prod stack file's configuration, which doctor reads too; the world is built
// with the names the scenarios use, so the file must use them as well.
func prodConfig(t *testing.T) *stacks.Config {
	t.Helper()
	st, err := stackconfig.Load("../..", "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := stacks.Decode("prod", st.Config)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := namesOf(cfg), namesOf(&names); !slices.Equal(got, want) {
		t.Fatalf("Pulumi.prod.yaml names %v; TestDoctor builds the defaults %v", got, want)
	}
	return cfg
}

// doctorWorld is a prod stack's cluster side, built as `pulumi up` and the controller leave it,
// on the real API server (its controllers keep EndpointSlices and Deployment status), with AWS
// stood in by doctortest's wire-protocol server and the zone's name servers by harness.StartDNS.
type doctorWorld struct {
	ctx     context.Context
	k8s     kubernetes.Interface
	cluster cluster
	cfg     *stacks.Config
	bin     string
	acct    *doctortest.Account
	awsURL  string
	dns     string
	podIPs  []string
	mu      sync.Mutex
	log     string // what the controller's pods log
	// stack selects the stack file doctor reads: nil is prod's.
	stack []string
}

// canary is the canary example's stack file: prod's names with a routing block.
var canary = []string{"--stack", "canary", "--config-file", "../../examples/Pulumi.canary.yaml"}

// TestDoctor runs `edgectl doctor --stack prod` against a healthy stack and the broken states
// the runbook's troubleshooting and the controller's users report most; each must name its cause
// and fix and exit non-zero. The healthy and the most common broken output are golden files.
func TestDoctor(t *testing.T) {
	d := newDoctorWorld(t)
	d.healthy(t)
	out := d.doctor(t, 0)
	golden(t, "healthy.txt", out)
	// Before the steps below, which leave the controller and the load balancer gone.
	t.Run("Option C: the Gateway in place of the Ingress", func(t *testing.T) { d.gateway(t) })

	steps := []struct {
		name    string
		breaks  func(t *testing.T)
		says    []string
		restore func(t *testing.T)
		golden  string
	}{
		{"readiness probe fails: no ready endpoint, an empty target group", d.probeFails, []string{
			"FAIL  endpoints", "0 ready, 2 not ready; not ready: retail-api-0 (Readiness probe failed: HTTP probe failed with statuscode: 500)",
			"fix: the readiness probe fails: kubectl -n mlops describe pod retail-api-0",
			"FAIL  targets", "no target registered",
		}, d.probePasses, "probe-fails.txt"},
		{"no controller", d.deleteController, []string{
			"FAIL  controller", "Deployment kube-system/aws-load-balancer-controller does not exist", "controller.install: true",
			"FAIL  webhook", "no ready endpoint (0 not ready)", "skip  controller-log   no controller pod to read the log of",
		}, d.createController, ""},
		{"controller pods not ready: the webhook has no endpoint", func(t *testing.T) { d.controllerReady(t, false) }, []string{
			"FAIL  controller", "0 of 2 available (pods waiting: running, not ready)",
			"FAIL  webhook", "has no ready endpoint", "no endpoints available for service", "nodes must accept TCP 9443",
		}, func(t *testing.T) { d.controllerReady(t, true) }, ""},
		{"canary: the new model's Service missing", func(*testing.T) { d.stack = canary }, []string{
			"FAIL  routed-services  retail-api-v2-svc does not exist", "take it out of routing.rules[].backends",
			"ok    endpoints", // the app's own Service is fine
		}, nil, ""},
		{"canary: the new model's Service has no ready pod", d.canaryService, []string{
			"FAIL  routed-services  retail-api-v2-svc: 0 ready, 0 not ready", "set its weight to 0",
		}, func(*testing.T) { d.stack = nil }, ""},
		{"Ingress without address: subnets untagged", d.subnetsUntagged, []string{
			"FAIL  ingress-address", "the Ingress has no load balancer address",
			"FAIL  events", "FailedBuildModel: Failed build model due to couldn't auto-discover subnets",
			"fix: tag public subnets in two zones kubernetes.io/role/elb=1",
			"warn  controller-log", "1 distinct errors in the last 500 log lines, latest: Reconciler error: couldn't auto-discover subnets",
			"skip  load-balancer", "needs ingress-address",
			// Without a load balancer the VPC comes from the controller's --aws-vpc-id.
			"FAIL  subnets", "0 subnets of " + doctortest.VPC + " with a route to an internet gateway (none is tagged kubernetes.io/role/elb), usable in 0 zones",
		}, nil, ""},
		{"Ingress without address: controller lacks a permission", d.accessDenied, []string{
			"FAIL  events", "FailedDeployModel: Failed deploy model due to AccessDenied",
			"fix: the controller's IAM role lacks the permission named: pulumi up restores the pinned policy",
			"ok    subnets",
		}, nil, ""},
		{"a destroy stuck on the Ingress's finalizer, the controller gone", d.stuckDestroy, []string{
			"warn  ingress-class", "Ingress mlops/retail-api is being deleted", "waiting on finalizers ingress.k8s.aws/resources",
			"delete the load balancer (edgectl audit lists it)",
			"FAIL  controller", "does not exist",
		}, nil, ""},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			s.breaks(t)
			out := d.doctor(t, 1)
			for _, want := range s.says {
				if !strings.Contains(out, want) {
					t.Errorf("doctor does not say %q:\n%s", want, out)
				}
			}
			if s.golden != "" {
				golden(t, s.golden, out)
			}
			if s.restore != nil {
				s.restore(t)
				d.doctor(t, 0)
			}
		}) {
			t.FailNow() // later steps start from this one's state
		}
	}
	t.Run("demo: Option A's NLB", func(t *testing.T) {
		d.optionA(t)
		out := d.run(t, 0, "--stack", "demo")
		for _, want := range []string{
			"ok    service          Service mlops/retail-api-svc: type LoadBalancer",
			"ok    service-address  the Service reports load balancer " + nlbDNS,
			"ok    load-balancer    network load balancer retail-api-svc-nlb is active",
			"ok    targets          retail-api-svc-tg: 1 of 1 healthy",
			"ok    health-check     retail-api-svc-tg: HTTP /health on traffic-port\n",
			"ok    security-groups  i-0node:31080 allowed by sg-0nodes from 10.0.0.0/16",
			"usable in 2 zones",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("doctor does not say %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "ingress") || strings.Contains(out, "controller") {
			t.Errorf("Option A has no Ingress or controller checks:\n%s", out)
		}
	})
}

func newDoctorWorld(t *testing.T) *doctorWorld {
	c := startCluster(t)
	d := &doctorWorld{ctx: c.ctx, k8s: c.cp.Client, cluster: c, cfg: prodConfig(t), log: `{"level":"info","msg":"version","version":"v3.5.0"}` + "\n"}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	d.bin = filepath.Join(t.TempDir(), "edgectl")
	build := exec.CommandContext(d.ctx, "go", "build", "-o", d.bin, "./cmd/edgectl")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building edgectl: %v\n%s", err, out)
	}
	d.serveLogs(t)
	return d
}

// doctor runs edgectl doctor on the prod stack file against this world, wants its exit code, and
// returns its output with the run's own addresses replaced by placeholders.
func (d *doctorWorld) doctor(t *testing.T, wantCode int) string {
	t.Helper()
	if d.stack != nil {
		return d.run(t, wantCode, d.stack...)
	}
	return d.run(t, wantCode, "--stack", "prod")
}

func (d *doctorWorld) run(t *testing.T, wantCode int, stack ...string) string {
	t.Helper()
	args := append([]string{"doctor", "--dir", "../.."}, stack...)
	cmd := exec.CommandContext(d.ctx, d.bin, append(args,
		"--kubeconfig", d.cluster.cp.Kubeconfig, "--context", "integration", "--endpoint-url", d.awsURL,
		"--dns-server", d.dns, "--timeout", "20s", "--max-attempts", "2")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=SECRET", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PROFILE=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out := normalize(stdout.String(), d.cluster.cp.Endpoint)
	if code != wantCode {
		t.Fatalf("edgectl doctor exited %d, want %d; stderr %s\n%s", code, wantCode, stderr.String(), out)
	}
	return out
}

var podIP = regexp.MustCompile(`10\.244\.\d+\.\d+`)

func normalize(out, apiServer string) string {
	out = strings.ReplaceAll(out, apiServer, "https://API-SERVER")
	return podIP.ReplaceAllString(out, "POD-IP")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "doctor", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("doctor's output differs from %s (run with -update to rewrite it, and review the diff):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// serveLogs answers the API server's log requests for the node as a kubelet's /containerLogs
// endpoint does: the node advertises it (a Hostname address, which the API server prefers, and
// the kubelet port) and every controller pod logs d.log.
func (d *doctorWorld) serveLogs(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/containerLogs/") {
			http.NotFound(w, r)
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		_, _ = fmt.Fprint(w, d.log)
	}))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	node, err := d.k8s.CoreV1().Nodes().Get(d.ctx, "node-1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = append([]corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "127.0.0.1"}}, node.Status.Addresses...)
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
	if _, err := d.k8s.CoreV1().Nodes().UpdateStatus(d.ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (d *doctorWorld) setLog(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = s
}

var (
	appLabels        = map[string]string{"app": "retail-api"}
	controllerLabels = map[string]string{"app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": controllerName}
)

// healthy builds what a `pulumi up` of prod and a working controller leave: the app's pods
// (with the readiness gate the controller injects), its Service, the controller and its webhook
// Service, the IngressClass, the Ingress with its address; and the account's side of them.
func (d *doctorWorld) healthy(t *testing.T) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace, Labels: map[string]string{"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}}}
	d.create(t, errOf(d.k8s.CoreV1().Namespaces().Create(d.ctx, ns, metav1.CreateOptions{})))
	for i := range 2 {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("retail-api-%d", i), Namespace: namespace, Labels: appLabels},
			Spec: corev1.PodSpec{
				Containers:     []corev1.Container{{Name: "retail-api", Image: "retail-api:1.0", Ports: []corev1.ContainerPort{{ContainerPort: 8000}}}},
				ReadinessGates: []corev1.PodReadinessGate{{ConditionType: "target-health.elbv2.k8s.aws/k8s-mlops-retailap-7f"}},
			},
		}
		d.create(t, errOf(d.k8s.CoreV1().Pods(namespace).Create(d.ctx, pod, metav1.CreateOptions{})))
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: serviceName, Namespace: namespace},
		Spec:       corev1.ServiceSpec{Selector: appLabels, Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8000)}}},
	}
	d.create(t, errOf(d.k8s.CoreV1().Services(namespace).Create(d.ctx, svc, metav1.CreateOptions{})))
	d.waitEndpoints(t, namespace, serviceName, 2)
	d.podIPs = d.ips(t)

	d.createController(t)
	webhook := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "aws-load-balancer-webhook-service", Namespace: controllerNS},
		Spec:       corev1.ServiceSpec{Selector: controllerLabels, Ports: []corev1.ServicePort{{Name: "webhook-server", Port: 443, TargetPort: intstr.FromInt32(9443)}}},
	}
	d.create(t, errOf(d.k8s.CoreV1().Services(controllerNS).Create(d.ctx, webhook, metav1.CreateOptions{})))
	d.waitEndpoints(t, controllerNS, webhook.Name, 2)

	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "alb"}, Spec: networkingv1.IngressClassSpec{Controller: "ingress.k8s.aws/alb"}}
	d.create(t, errOf(d.k8s.NetworkingV1().IngressClasses().Create(d.ctx, class, metav1.CreateOptions{})))
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: ingressName, Namespace: namespace, Annotations: map[string]string{
			"alb.ingress.kubernetes.io/certificate-arn": doctortest.CertARN,
		}},
		Spec: networkingv1.IngressSpec{IngressClassName: new("alb"), DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: serviceName, Port: networkingv1.ServiceBackendPort{Number: 80}},
		}},
	}
	d.create(t, errOf(d.k8s.NetworkingV1().Ingresses(namespace).Create(d.ctx, ing, metav1.CreateOptions{})))
	d.ingressAddress(t, doctortest.ALBDNS)

	d.acct = d.healthyAccount()
	d.awsURL = aws.ToString(d.acct.Serve(t).BaseEndpoint)
	var err error
	albIPs := []string{"198.51.100.7", "198.51.100.8"}
	if d.dns, err = harness.StartDNS(d.ctx, map[string][]string{d.cfg.Domain.Name: albIPs, doctortest.ALBDNS: albIPs}); err != nil {
		t.Fatal(err)
	}
}

func (d *doctorWorld) create(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// errOf is a call's error, for calls whose result is not needed.
func errOf[T any](_ T, err error) error { return err }

// createController creates the controller's Deployment as the chart renders it (name, labels,
// container, the --aws-vpc-id the program passes) and waits until it is available.
func (d *doctorWorld) createController(t *testing.T) {
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: controllerName, Namespace: controllerNS, Labels: controllerLabels},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: controllerLabels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: controllerLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "aws-load-balancer-controller", Image: "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",
					Args:  []string{"--cluster-name=" + clusterName, "--ingress-class=alb", "--aws-vpc-id=" + doctortest.VPC},
					Ports: []corev1.ContainerPort{{Name: "webhook-server", ContainerPort: 9443}},
				}}},
			},
		},
	}
	d.create(t, errOf(d.k8s.AppsV1().Deployments(controllerNS).Create(d.ctx, dep, metav1.CreateOptions{})))
	d.waitAvailable(t, 2)
}

func (d *doctorWorld) deleteController(t *testing.T) {
	if err := d.k8s.AppsV1().Deployments(controllerNS).Delete(d.ctx, controllerName, metav1.DeleteOptions{
		PropagationPolicy: new(metav1.DeletePropagationForeground),
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, func() error {
		_, err := d.k8s.AppsV1().Deployments(controllerNS).Get(d.ctx, controllerName, metav1.GetOptions{})
		if err == nil {
			return errors.New("the controller Deployment is still there")
		}
		return nil
	})
}

func (d *doctorWorld) waitAvailable(t *testing.T, n int32) {
	eventually(t, 2*time.Minute, func() error {
		dep, err := d.k8s.AppsV1().Deployments(controllerNS).Get(d.ctx, controllerName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if dep.Status.AvailableReplicas != n {
			return fmt.Errorf("%d of the controller's replicas available, want %d", dep.Status.AvailableReplicas, n)
		}
		return nil
	})
}

func (d *doctorWorld) waitEndpoints(t *testing.T, ns, svc string, ready int) {
	eventually(t, 2*time.Minute, func() error {
		slices, err := d.k8s.DiscoveryV1().EndpointSlices(ns).List(d.ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + svc})
		if err != nil {
			return err
		}
		n := 0
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready == nil || *e.Conditions.Ready {
					n++
				}
			}
		}
		if n != ready {
			return fmt.Errorf("%s/%s has %d ready endpoints, want %d", ns, svc, n, ready)
		}
		return nil
	})
}

func (d *doctorWorld) ips(t *testing.T) []string {
	pods, err := d.k8s.CoreV1().Pods(namespace).List(d.ctx, metav1.ListOptions{LabelSelector: "app=retail-api"})
	if err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, p := range pods.Items {
		ips = append(ips, p.Status.PodIP)
	}
	return ips
}

func (d *doctorWorld) ingressAddress(t *testing.T, hostname string) {
	ing, err := d.k8s.NetworkingV1().Ingresses(namespace).Get(d.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ing.Status.LoadBalancer.Ingress = nil
	if hostname != "" {
		ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: hostname}}
	}
	if _, err := d.k8s.NetworkingV1().Ingresses(namespace).UpdateStatus(d.ctx, ing, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// event records an event as its component does; later calls get later timestamps.
func (d *doctorWorld) event(t *testing.T, obj corev1.ObjectReference, typ, reason, message, component string) {
	d.mu.Lock()
	eventClock = eventClock.Add(time.Second)
	at := metav1.NewTime(eventClock)
	d.mu.Unlock()
	e := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: obj.Name + ".", Namespace: obj.Namespace},
		InvolvedObject: obj, Type: typ, Reason: reason, Message: message,
		Source: corev1.EventSource{Component: component}, FirstTimestamp: at, LastTimestamp: at, Count: 1,
	}
	if _, err := d.k8s.CoreV1().Events(obj.Namespace).Create(d.ctx, e, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

var eventClock = time.Now().Truncate(time.Second)

// probeFails: /health answers 500, the kubelet reports the pods not ready with the probe's
// events, and the controller deregisters them: the target group is empty.
func (d *doctorWorld) probeFails(t *testing.T) {
	for _, p := range reportReady(d.ctx, t, d.k8s, namespace, appLabels, false) {
		d.event(t, corev1.ObjectReference{Kind: "Pod", Namespace: namespace, Name: p.Name, UID: p.UID}, corev1.EventTypeWarning,
			"Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500", "kubelet")
	}
	d.waitEndpoints(t, namespace, serviceName, 0)
	d.acct.TargetGroups[0].Targets = nil
}

func (d *doctorWorld) probePasses(t *testing.T) {
	reportReady(d.ctx, t, d.k8s, namespace, appLabels, true)
	d.waitEndpoints(t, namespace, serviceName, 2)
	d.acct.TargetGroups = d.healthyAccount().TargetGroups
}

// healthyAccount is the account's side of the healthy stack.
func (d *doctorWorld) healthyAccount() *doctortest.Account {
	return doctortest.Healthy(d.cfg.Domain.Name, "retail-api-prod", 8000, d.podIPs...)
}

func (d *doctorWorld) controllerReady(t *testing.T, ready bool) {
	reportReady(d.ctx, t, d.k8s, controllerNS, controllerLabels, ready)
	want := 0
	if ready {
		want = 2
	}
	d.waitEndpoints(t, controllerNS, "aws-load-balancer-webhook-service", want)
	d.waitAvailable(t, int32(want))
}

func (d *doctorWorld) ingressRef(t *testing.T) corev1.ObjectReference {
	ing, err := d.k8s.NetworkingV1().Ingresses(namespace).Get(d.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return corev1.ObjectReference{Kind: "Ingress", Namespace: namespace, Name: ingressName, UID: ing.UID, APIVersion: "networking.k8s.io/v1"}
}

// subnetsUntagged: the VPC's public subnets lost their role tag; the controller cannot build the
// load balancer and says so in an event and its log. The messages are the controller's
// (pkg/networking/subnet_resolver.go; the event reasons of pkg/k8s/events.go).
func (d *doctorWorld) subnetsUntagged(t *testing.T) {
	const msg = "Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet. Evaluated 0 subnets: 0 are tagged for other clusters, and 0 have insufficient available IP addresses"
	d.ingressAddress(t, "")
	d.event(t, d.ingressRef(t), corev1.EventTypeWarning, "FailedBuildModel", msg, "ingress")
	d.setLog(`{"level":"info","msg":"version","version":"v3.5.0"}` + "\n" +
		`{"level":"error","ts":"2026-12-02T10:00:00Z","msg":"Reconciler error","controller":"ingress","object":{"name":"retail-api","namespace":"mlops"},"error":"couldn't auto-discover subnets: unable to resolve at least one subnet"}` + "\n")
	for i := range d.acct.Subnets {
		delete(d.acct.Subnets[i].Tags, doctortest.PublicSubnetTag)
	}
	d.acct.RouteTables = nil // nor any routed to the internet, which the controller would fall back to
	d.acct.LoadBalancers = d.acct.LoadBalancers[:1]
}

// accessDenied: the subnets are tagged again, but the controller's role cannot create the load
// balancer.
func (d *doctorWorld) accessDenied(t *testing.T) {
	const msg = "Failed deploy model due to AccessDenied: User: arn:aws:sts::123456789012:assumed-role/lb-controller-irsa-role/1 is not authorized to perform: elasticloadbalancing:CreateLoadBalancer"
	d.event(t, d.ingressRef(t), corev1.EventTypeWarning, "FailedDeployModel", msg, "ingress")
	d.acct.Subnets, d.acct.RouteTables = d.healthyAccount().Subnets, d.healthyAccount().RouteTables
}

// stuckDestroy: `pulumi destroy` deleted the Ingress, but the controller that holds its
// finalizer is gone, so the deletion waits forever.
func (d *doctorWorld) stuckDestroy(t *testing.T) {
	ing, err := d.k8s.NetworkingV1().Ingresses(namespace).Get(d.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ing.Finalizers = append(ing.Finalizers, "ingress.k8s.aws/resources")
	if _, err := d.k8s.NetworkingV1().Ingresses(namespace).Update(d.ctx, ing, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := d.k8s.NetworkingV1().Ingresses(namespace).Delete(d.ctx, ingressName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	d.deleteController(t)
}

const nlbDNS = "retail-api-svc-nlb-0123.elb.us-east-1.amazonaws.com"

// optionA is what the demo stack's `pulumi up` leaves: the Service of type LoadBalancer with the
// in-tree cloud provider's NLB (instance targets on the node port, no security groups), and the
// node's security group open to the VPC.
func (d *doctorWorld) optionA(t *testing.T) {
	svc, err := d.k8s.CoreV1().Services(namespace).Get(d.ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	svc.Spec.Ports[0].NodePort = 31080
	if svc, err = d.k8s.CoreV1().Services(namespace).Update(d.ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: nlbDNS}}
	if _, err := d.k8s.CoreV1().Services(namespace).UpdateStatus(d.ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	const nlb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/retail-api-svc-nlb/0123"
	d.acct.LoadBalancers = append(d.acct.LoadBalancers, doctortest.LoadBalancer{ARN: nlb, Name: "retail-api-svc-nlb", DNSName: nlbDNS,
		VpcID: doctortest.VPC, Type: "network", State: "active"})
	d.acct.TargetGroups = append(d.acct.TargetGroups, doctortest.TargetGroup{ARN: "arn:tg-nlb", Name: "retail-api-svc-tg", LoadBalancerARN: nlb,
		TargetType: "instance", Port: 31080, HealthCheckProtocol: "HTTP", HealthCheckPath: "/health", HealthCheckPort: "traffic-port",
		Targets: []doctortest.Target{{ID: "i-0node", Port: 31080, State: "healthy"}}})
	d.acct.Interfaces = append(d.acct.Interfaces, doctortest.Interface{ID: "eni-node", InstanceID: "i-0node", Groups: []string{doctortest.PodSG}})
	d.acct.SecurityGroups[0].Rules = append(d.acct.SecurityGroups[0].Rules,
		doctortest.Rule{Protocol: "tcp", FromPort: 30000, ToPort: 32767, FromCIDRs: []string{"10.0.0.0/16"}})
}

// canaryService: the canary's new model Service exists, but none of its pods is ready yet.
func (d *doctorWorld) canaryService(t *testing.T) {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "retail-api-v2-svc", Namespace: namespace},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "retail-api-v2"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8000)}}},
	}
	d.create(t, errOf(d.k8s.CoreV1().Services(namespace).Create(d.ctx, svc, metav1.CreateOptions{})))
}

// gateway diagnoses prod's world as Option C (`--exposure gateway`): the real Gateway API CRDs in
// the API server, the stack's GatewayClass accepted and its Gateway reporting the ALB the
// account has. Then the Gateway loses its address, as when the controller cannot program it.
func (d *doctorWorld) gateway(t *testing.T) {
	dyn, err := dynamic.NewForConfig(d.cluster.cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	remove, err := harness.InstallGatewayAPI(d.ctx, dyn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	class := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
		"metadata": map[string]any{"name": "retail-api-edge-prod"}, "spec": map[string]any{"controllerName": "gateway.k8s.aws/alb"}}}
	gw := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		"metadata": map[string]any{"name": "retail-api", "namespace": namespace},
		"spec": map[string]any{"gatewayClassName": "retail-api-edge-prod",
			"listeners": []any{map[string]any{"name": "http", "protocol": "HTTP", "port": 80}}}}}
	now := metav1.Now().UTC().Format(time.RFC3339)
	cond := func(typ, status, reason, message string) []any {
		return []any{map[string]any{"type": typ, "status": status, "reason": reason, "message": message, "lastTransitionTime": now, "observedGeneration": 1}}
	}
	withStatus := func(r schema.GroupVersionResource, o *unstructured.Unstructured, status map[string]any) {
		t.Helper()
		api := dyn.Resource(r).Namespace(o.GetNamespace())
		got, err := api.Get(d.ctx, o.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			got, err = api.Create(d.ctx, o, metav1.CreateOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		got.Object["status"] = status
		if _, err := api.UpdateStatus(d.ctx, got, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	withStatus(harness.GatewayClassResource, class, map[string]any{"conditions": cond("Accepted", "True", "Accepted", "Accepted")})
	withStatus(harness.GatewayResource, gw, map[string]any{"addresses": []any{map[string]any{"type": "Hostname", "value": doctortest.ALBDNS}},
		"conditions": cond("Programmed", "True", "Programmed", "arn:aws:elasticloadbalancing:example")})
	asC := []string{"--stack", "prod", "--exposure", "gateway"}
	out := d.run(t, 0, asC...)
	for _, want := range []string{"ok    gateway-class", "GatewayClass retail-api-edge-prod (gateway.k8s.aws/alb) Accepted",
		"ok    gateway-address", "the Gateway reports load balancer " + doctortest.ALBDNS, "ok    load-balancer", "ok    targets"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ingress-") {
		t.Errorf("Option C runs the Ingress's checks:\n%s", out)
	}
	withStatus(harness.GatewayResource, gw, map[string]any{"conditions": cond("Programmed", "False", "Invalid", "CertificateNotFound")})
	out = d.run(t, 1, asC...)
	for _, want := range []string{"FAIL  gateway-address", "Programmed: False Invalid CertificateNotFound", "skip  load-balancer"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not say %q:\n%s", want, out)
		}
	}
}
