//go:build integration

package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/stacks"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// names are what the stacks under test call things. The Automation API worlds set none of them, so
// they are the program's defaults; the CLI scenarios run the repository's stack files, and
// stackInit stops a scenario whose stack file names them otherwise.
var names = stacks.Defaults()

var (
	clusterName  = names.Cluster.Name
	namespace    = names.App.Namespace
	serviceName  = names.App.ServiceName
	healthPath   = names.App.HealthPath
	ingressName  = names.Ingress.Name
	controllerNS = names.Controller.Namespace
	controllerSA = names.Controller.ServiceAccount
)

// controllerName is the controller Deployment's and PDB's: the chart names them after the release.
const controllerName = lbcontroller.ReleaseName

// What the world supplies: the platform team's controller role and the cluster's VPC.
const (
	roleArn = "arn:aws:iam::123456789012:role/platform-lbc"
	vpcID   = "vpc-0123456789abcdef0"
)

// namesOf are the names of cfg the scenarios look objects up by.
func namesOf(cfg *stacks.Config) []string {
	return []string{cfg.Cluster.Name, cfg.App.Namespace, cfg.App.ServiceName, cfg.App.HealthPath, cfg.Ingress.Name,
		cfg.Controller.Namespace, cfg.Controller.ServiceAccount}
}

// world is one running control plane with its simulated node, the cloud stand-in and the engine.
type world struct {
	ctx     context.Context
	cp      *harness.ControlPlane
	k8s     kubernetes.Interface
	standIn *harness.StandIn
	engine  *harness.Engine
	chart   string
	logs    io.Writer
}

// cluster is a running control plane with one simulated node, and where its output goes.
type cluster struct {
	ctx   context.Context
	cp    *harness.ControlPlane
	logs  io.Writer
	tools string
	dir   string
}

// startCluster starts the control plane and its node for t, stopped when t ends; without the
// tools (scripts/integration/run builds them) t is skipped.
func startCluster(t *testing.T) cluster {
	tools := os.Getenv("RETAIL_EDGE_TOOLS")
	if tools == "" {
		t.Skip("RETAIL_EDGE_TOOLS is not set: run scripts/integration/run, which builds the tools and sets it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "harness.log")
	if p := os.Getenv("RETAIL_EDGE_INTEGRATION_LOG"); p != "" {
		logPath = p
	}
	logs, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = logs.Close()
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", logPath, tail(logPath, 60))
		}
	})
	cp, err := harness.StartControlPlane(ctx, filepath.Join(tools, "bin"), dir, logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cp.Stop)
	kubelet, err := harness.NewKubelet(ctx, cp.Client, "node-1")
	if err != nil {
		t.Fatal(err)
	}
	go kubelet.Run(ctx)
	return cluster{ctx: ctx, cp: cp, logs: logs, tools: tools, dir: dir}
}

func newWorld(t *testing.T) *world {
	c := startCluster(t)
	ctx, cp, logs, tools, dir := c.ctx, c.cp, c.logs, c.tools, c.dir
	var err error
	standIn := harness.NewStandIn(cp.Client, types.NamespacedName{Namespace: controllerNS, Name: controllerName})
	if standIn.Dynamic, err = dynamic.NewForConfig(cp.Config); err != nil {
		t.Fatal(err)
	}
	if standIn.Mutator, err = harness.StartMutator(ctx); err != nil {
		t.Fatal(err)
	}
	standIn.Start(ctx)
	t.Cleanup(standIn.Stop)
	engine, err := harness.NewEngine(tools, dir, logs)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := filepath.Abs("testdata/lbc-chart")
	if err != nil {
		t.Fatal(err)
	}
	return &world{ctx: ctx, cp: cp, k8s: cp.Client, standIn: standIn, engine: engine, chart: chart, logs: logs}
}

// config is a stack's configuration: the AWS parts supplied, nothing that needs AWS switched on.
func (w *world) config(exposure string, extra ...string) map[string]string {
	raw := map[string]string{
		"aws:region":               "us-east-1",
		"retail-api-edge:exposure": exposure,
		"retail-api-edge:cluster": mustJSON(map[string]any{
			"kubeconfig": w.cp.Kubeconfig, "context": harness.ContextName, "vpcId": vpcID,
		}),
	}
	if exposure == "ingress" { // Option A refuses Option B's settings: they would do nothing
		raw["retail-api-edge:controller"] = mustJSON(map[string]any{"chart": w.chart, "repository": "", "roleArn": roleArn, "replicas": 2})
	}
	for i := 0; i+1 < len(extra); i += 2 {
		raw[extra[i]] = extra[i+1]
	}
	return raw
}

// kubectlApply creates the app as a user would have before this program existed: namespace,
// Deployment and a ClusterIP Service, with kubectl's last-applied annotation and field manager.
func (w *world) kubectlApply(t *testing.T) *corev1.Service {
	t.Helper()
	labels := map[string]string{"app": "retail-api"}
	create := metav1.CreateOptions{FieldManager: "kubectl-client-side-apply"}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := w.k8s.CoreV1().Namespaces().Create(w.ctx, ns, create); err != nil {
		t.Fatal(err)
	}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "retail-api", Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				// The container has the name the program gives it (app.deploymentName), so adopting
				// the Deployment changes fields kubectl's manager holds.
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: names.App.DeploymentName, Image: "retail-api:1.0", Ports: []corev1.ContainerPort{{ContainerPort: 8000}},
				}}},
			},
		},
	}
	if _, err := w.k8s.AppsV1().Deployments(namespace).Create(w.ctx, dep, create); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: serviceName, Namespace: namespace, Labels: labels},
		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8000)}},
		},
	}
	b, _ := json.Marshal(svc)
	svc.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": string(b)}
	svc, err := w.k8s.CoreV1().Services(namespace).Create(w.ctx, svc, create)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (w *world) service(t *testing.T) *corev1.Service {
	t.Helper()
	svc, err := w.k8s.CoreV1().Services(namespace).Get(w.ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// exists reports whether a Get found the object; errors other than not-found fail the test.
func exists(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return true
	}
	if !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return false
}

// eventually polls cond until it returns nil or the timeout passes, then fails with its error.
func eventually(t *testing.T, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// tail returns the last n lines of a file, for a failure report.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer func() { _ = f.Close() }()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
