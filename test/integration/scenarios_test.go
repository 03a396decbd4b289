//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// TestKubernetesHalf runs the program with the real engine, Kubernetes provider and API server,
// in order: each step starts from the state the previous one left, as a user's stack would.
func TestKubernetesHalf(t *testing.T) {
	w := newWorld(t)
	manual := w.kubectlApply(t)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"invalid config fails before anything is created", w.invalidConfig},
		{"Option A adopts the kubectl-applied Service", func(t *testing.T) { w.adopt(t, manual) }},
		{"a second up changes nothing", w.secondUpIsNoop},
		{"app.image adopts the kubectl-applied Deployment", w.adoptDeployment},
		{"switch to Option B", w.switchToB},
		{"switch back to Option A", w.switchToA},
		{"destroy of Option B never hangs", w.destroyB},
		{"stand-in outage during up converges", w.outageDuringUp},
		{"destroy of Option A leaves nothing", w.destroyA},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.FailNow() // later steps start from this one's state
		}
	}
}

const stackName = "it"

func (w *world) invalidConfig(t *testing.T) {
	before := w.service(t)
	st, err := w.engine.Stack(w.ctx, stackName, w.config("service", "retail-api-edge:app", `{"port": 70000}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Up(w.ctx)
	if err == nil || !strings.Contains(err.Error(), "retail-api-edge:app.port: must be a port between 1 and 65535") {
		t.Fatalf("up must fail naming the key, got %v", err)
	}
	if types := w.stackResourceTypes(t, st); len(types) > 0 {
		t.Errorf("nothing may be registered, got %v", types)
	}
	if after := w.service(t); after.ResourceVersion != before.ResourceVersion {
		t.Error("the Service was changed")
	}
	if lbs := w.standIn.Ledger.All(); len(lbs) > 0 {
		t.Errorf("load balancers created: %v", lbs)
	}
}

func (w *world) adopt(t *testing.T, manual *corev1.Service) {
	out := w.up(t, w.config("service"))
	svc := w.service(t)
	if svc.UID != manual.UID {
		t.Error("the Service was replaced instead of adopted")
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t.Errorf("type = %s", svc.Spec.Type)
	}
	for key, want := range map[string]string{
		servicelb.Prefix + "type": "nlb", servicelb.Prefix + "healthcheck-path": healthPath,
		servicelb.Prefix + "scheme": "internet-facing",
	} {
		if svc.Annotations[key] != want {
			t.Errorf("annotation %s = %q, want %q", key, svc.Annotations[key], want)
		}
	}
	lb := w.onlyLive(t, "nlb")
	if out["url"] != "http://"+lb.Hostname {
		t.Errorf("url output = %v, want the load balancer's http://%s", out["url"], lb.Hostname)
	}
	if !slices.Contains(svc.Finalizers, harness.CloudSvcFinalizer) {
		t.Errorf("finalizers = %v", svc.Finalizers)
	}
}

func (w *world) secondUpIsNoop(t *testing.T) {
	before := w.service(t).ResourceVersion
	w.upChangesNothing(t, w.stack(t, w.config("service")))
	if w.service(t).ResourceVersion != before {
		t.Error("the Service was written again")
	}
}

// adoptDeployment: with app.image the stack takes over the Deployment kubectl made (same object,
// new image) although kubectl's field manager holds the fields it changes: server-side apply would
// refuse with a conflict without patchForce.
func (w *world) adoptDeployment(t *testing.T) {
	deployments := w.k8s.AppsV1().Deployments(namespace)
	before, err := deployments.Get(w.ctx, names.App.DeploymentName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.up(t, w.config("service", "retail-api-edge:app", `{"image": "retail-api:1.1"}`))
	after, err := deployments.Get(w.ctx, names.App.DeploymentName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != before.UID {
		t.Error("the Deployment was replaced instead of adopted")
	}
	if c := after.Spec.Template.Spec.Containers; len(c) != 1 || c[0].Image != "retail-api:1.1" {
		t.Errorf("containers = %+v, want the one container at retail-api:1.1", c)
	}
	if after.Annotations[ownership.Annotation] != "retail-api-edge/"+stackName {
		t.Errorf("owner marker = %q", after.Annotations[ownership.Annotation])
	}
}

func (w *world) switchToB(t *testing.T) {
	nlb := w.onlyLive(t, "nlb")
	out := w.up(t, w.config("ingress"))
	alb := w.onlyLive(t, "alb")
	if out["url"] != "http://"+alb.Hostname || out["albHostname"] != alb.Hostname {
		t.Errorf("outputs url %v, albHostname %v; want the ALB %s", out["url"], out["albHostname"], alb.Hostname)
	}
	if svc := w.service(t); svc.Spec.Type != corev1.ServiceTypeClusterIP || len(svc.Status.LoadBalancer.Ingress) > 0 {
		t.Errorf("the Service must be ClusterIP behind the ALB, got %s %v", svc.Spec.Type, svc.Status.LoadBalancer)
	}
	if w.deleted(nlb).IsZero() {
		t.Error("the NLB was not deleted")
	}
	ing, err := w.k8s.NetworkingV1().Ingresses(namespace).Get(w.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ing.Annotations["alb.ingress.kubernetes.io/target-type"] != "ip" ||
		ing.Annotations["alb.ingress.kubernetes.io/healthcheck-path"] != healthPath {
		t.Errorf("Ingress annotations: %v", ing.Annotations)
	}
	sa, err := w.k8s.CoreV1().ServiceAccounts(controllerNS).Get(w.ctx, controllerSA, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sa.Annotations[lbcontroller.RoleArnAnnotation] != roleArn {
		t.Errorf("controller service account role = %q", sa.Annotations[lbcontroller.RoleArnAnnotation])
	}
	ns, err := w.k8s.CoreV1().Namespaces().Get(w.ctx, namespace, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ns.Labels[albingress.ReadinessGateLabel] != "enabled" {
		t.Errorf("namespace labels: %v", ns.Labels)
	}
	pdb, err := w.k8s.PolicyV1().PodDisruptionBudgets(controllerNS).Get(w.ctx, controllerName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the controller has no PodDisruptionBudget: %v", err)
	}
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
		t.Errorf("controller budget maxUnavailable = %v, want 1", pdb.Spec.MaxUnavailable)
	}
	dep, err := w.k8s.AppsV1().Deployments(controllerNS).Get(w.ctx, controllerName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := dep.Spec.Template.Spec.TopologySpreadConstraints; len(c) != 1 || c[0].TopologyKey != "topology.kubernetes.io/zone" {
		t.Errorf("controller pods are not spread across zones: %+v", c)
	}
}

func (w *world) switchToA(t *testing.T) {
	alb := w.onlyLive(t, "alb")
	out := w.up(t, w.config("service"))
	nlb := w.onlyLive(t, "nlb")
	if out["url"] != "http://"+nlb.Hostname {
		t.Errorf("url = %v, want the new NLB's", out["url"])
	}
	if w.deleted(alb).IsZero() {
		t.Error("the ALB was not deleted")
	}
	w.assertNoOptionB(t)
}

func (w *world) destroyB(t *testing.T) {
	w.up(t, w.config("ingress"))
	w.onlyLive(t, "alb")
	ctx := w.opCtx(t)
	start := time.Now()
	if _, err := w.stack(t, w.config("ingress")).Destroy(ctx); err != nil {
		t.Fatalf("destroy failed or hung (%s; finalizers: %s): %v", time.Since(start).Round(time.Second), w.finalizers(), err)
	}
	w.assertNothingLeft(t)
}

func (w *world) destroyA(t *testing.T) {
	w.up(t, w.config("service"))
	w.onlyLive(t, "nlb")
	if _, err := w.stack(t, w.config("service")).Destroy(w.opCtx(t)); err != nil {
		t.Fatalf("destroy: %v (finalizers: %s)", err, w.finalizers())
	}
	w.assertNothingLeft(t)
}

// outageDuringUp stops the stand-in once `up` has installed the controller and before the ALB
// exists, keeps it down while the Ingress waits for an address, then brings it back.
func (w *world) outageDuringUp(t *testing.T) {
	st := w.stack(t, w.config("ingress"))
	done := make(chan error, 1)
	go func() { _, err := st.Up(w.ctx); done <- err }()
	eventually(t, 3*time.Minute, func() error {
		_, err := w.k8s.AppsV1().Deployments(controllerNS).Get(w.ctx, controllerName, metav1.GetOptions{})
		return err
	})
	w.standIn.Stop()
	eventually(t, 3*time.Minute, func() error {
		_, err := w.k8s.NetworkingV1().Ingresses(namespace).Get(w.ctx, ingressName, metav1.GetOptions{})
		return err
	})
	select {
	case err := <-done:
		t.Fatalf("up finished while the cloud side was down: %v", err)
	case <-time.After(10 * time.Second):
	}
	w.standIn.Start(w.ctx)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("up did not converge after the outage: %v", err)
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("up did not finish after the stand-in came back")
	}
	w.onlyLive(t, "alb")
	w.upChangesNothing(t, st)
	ctx := w.opCtx(t)
	if _, err := st.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	w.assertNothingLeft(t)
}

// upChangesNothing runs `pulumi up` again and asserts it neither changes a resource nor makes a
// load balancer.
func (w *world) upChangesNothing(t *testing.T, st *harness.Stack) {
	t.Helper()
	n := len(w.standIn.Ledger.All())
	ctx := w.opCtx(t)
	res, err := st.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changes := *res.Summary.ResourceChanges; len(changes) != 1 || changes["same"] == 0 {
		t.Errorf("up changed something: %v", changes)
	}
	if len(w.standIn.Ledger.All()) != n {
		t.Error("a load balancer was created twice")
	}
}

// opTimeout bounds every up and destroy: each takes well under a minute here, so one that
// runs longer is waiting on something that will not happen, like a finalizer nobody removes.
const opTimeout = 3 * time.Minute

// opCtx bounds one up or destroy by opTimeout.
func (w *world) opCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(w.ctx, opTimeout)
	t.Cleanup(cancel)
	return ctx
}

// up runs `pulumi up` with raw and returns the stack outputs.
func (w *world) up(t *testing.T, raw map[string]string) map[string]any {
	t.Helper()
	ctx := w.opCtx(t)
	res, err := w.stack(t, raw).Up(ctx)
	if err != nil {
		t.Fatalf("up: %v\nfinalizers left: %s", err, w.finalizers())
	}
	out := map[string]any{}
	for k, v := range res.Outputs {
		out[k] = v.Value
	}
	return out
}

func (w *world) stack(t *testing.T, raw map[string]string) *harness.Stack {
	t.Helper()
	st, err := w.engine.Stack(w.ctx, stackName, raw)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// onlyLive asserts that exactly one load balancer is live, of the given kind, and returns it.
func (w *world) onlyLive(t *testing.T, kind lbkind.Kind) harness.LoadBalancer {
	t.Helper()
	live := w.standIn.Ledger.Live()
	if len(live) != 1 || live[0].Kind != kind {
		t.Fatalf("want exactly one live %s, got %+v", kind, live)
	}
	return live[0]
}

func (w *world) deleted(lb harness.LoadBalancer) time.Time {
	for _, l := range w.standIn.Ledger.All() {
		if l.Hostname == lb.Hostname {
			return l.Deleted
		}
	}
	return time.Time{}
}

// finalizers lists the finalizers still on the app's Service and Ingress, for failure messages.
func (w *world) finalizers() string {
	var out []string
	if svc, err := w.k8s.CoreV1().Services(namespace).Get(w.ctx, serviceName, metav1.GetOptions{}); err == nil {
		out = append(out, "service "+strings.Join(svc.Finalizers, ","))
	}
	if ing, err := w.k8s.NetworkingV1().Ingresses(namespace).Get(w.ctx, ingressName, metav1.GetOptions{}); err == nil {
		out = append(out, "ingress "+strings.Join(ing.Finalizers, ","))
	}
	return strings.Join(out, "; ")
}

// assertNoOptionB checks that nothing of Option B is left: controller and its release, service
// account, Ingress, namespace label.
func (w *world) assertNoOptionB(t *testing.T) {
	t.Helper()
	_, err := w.k8s.AppsV1().Deployments(controllerNS).Get(w.ctx, controllerName, metav1.GetOptions{})
	if exists(t, err) {
		t.Error("the controller Deployment is still there")
	}
	_, err = w.k8s.NetworkingV1().Ingresses(namespace).Get(w.ctx, ingressName, metav1.GetOptions{})
	if exists(t, err) {
		t.Error("the Ingress is still there")
	}
	ns, err := w.k8s.CoreV1().Namespaces().Get(w.ctx, namespace, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ns.Labels[albingress.ReadinessGateLabel]; ok {
		t.Errorf("the namespace keeps the readiness-gate label: %v", ns.Labels)
	}
	_, err = w.k8s.CoreV1().ServiceAccounts(controllerNS).Get(w.ctx, controllerSA, metav1.GetOptions{})
	if exists(t, err) {
		t.Error("the controller service account is still there")
	}
	secrets, err := w.k8s.CoreV1().Secrets(controllerNS).List(w.ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets.Items) > 0 {
		t.Errorf("Helm release records left: %d", len(secrets.Items))
	}
}

// assertNothingLeft checks that destroy removed everything the program made, and every load
// balancer with it.
func (w *world) assertNothingLeft(t *testing.T) {
	t.Helper()
	if live := w.standIn.Ledger.Live(); len(live) > 0 {
		t.Errorf("load balancers left behind: %v", live)
	}
	w.assertNoOptionB(t)
	_, err := w.k8s.CoreV1().Services(namespace).Get(w.ctx, serviceName, metav1.GetOptions{})
	if exists(t, err) {
		t.Error("the Service is still there")
	}
}

// stackResourceTypes lists the types in the stack's state, leaving out the stack itself.
func (w *world) stackResourceTypes(t *testing.T, st *harness.Stack) []string {
	t.Helper()
	dep, err := st.Export(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type string `json:"type"`
		} `json:"resources"`
	}
	if len(dep.Deployment) == 0 {
		return nil
	}
	if err := json.Unmarshal(dep.Deployment, &state); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range state.Resources {
		if r.Type != "pulumi:pulumi:Stack" {
			types = append(types, r.Type)
		}
	}
	return types
}
