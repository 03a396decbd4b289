//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
)

const canaryService = "retail-api-v2-svc"

// canaryRules are the `pulumi config set --path` steps of docs/canary.md's first step: /predict
// split 90/10 between the app's Service and the new model's, and / to the app's.
var canaryRules = [][2]string{
	{"routing.rules[0].path", "/predict"},
	{"routing.rules[0].backends[0].service", serviceName},
	{"routing.rules[0].backends[0].port", "80"},
	{"routing.rules[0].backends[0].weight", "90"},
	{"routing.rules[0].backends[1].service", canaryService},
	{"routing.rules[0].backends[1].port", "80"},
	{"routing.rules[0].backends[1].weight", "10"},
	{"routing.rules[0].stickySeconds", "300"},
	{"routing.rules[1].path", "/"},
	{"routing.rules[1].backends[0].service", serviceName},
	{"routing.rules[1].backends[0].port", "80"},
}

// canary runs prod with docs/canary.md's commands: its preview refuses while the new model's
// Service is missing (naming the rule, nothing created); with the Service there, `up` renders the
// weighted rule; moving the weights to 50/50 is one update of the Ingress in the real preview, the
// same Ingress and the same ALB afterwards; a second up is a no-op.
func (c *cliWorld) canary(t *testing.T) {
	docs, err := os.ReadFile("../../docs/canary.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range canaryRules {
		if cmd := fmt.Sprintf("pulumi config set --path 'retail-api-edge:%s' %s", kv[0], kv[1]); !strings.Contains(string(docs), cmd) {
			t.Errorf("docs/canary.md's first step lacks %q, which this scenario runs", cmd)
		}
	}
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	for _, kv := range canaryRules {
		c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:"+kv[0], kv[1])
	}
	ops := len(c.ledger(t).Ops)
	_, err = c.cli.Run(c.cliCtx(t), "preview", "--stack", "prod")
	want := "retail-api-edge:routing.rules[0].backends[1] routes to Service mlops/" + canaryService + ", which does not exist"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("prod's preview must stop on the missing canary Service, saying %q; got %v", want, err)
	}
	c.assertRefusedPreview(t, ops)

	c.canaryService(t)
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	alb := c.onlyLive(t, "alb")
	before := c.ingress(t)
	action := c.predictAction(t, before)
	if !strings.Contains(action, `"serviceName":"retail-api-v2-svc","servicePort":"80","weight":10`) ||
		!strings.Contains(action, `"durationSeconds":300`) {
		t.Errorf("the /predict action after up: %s", action)
	}

	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:routing.rules[0].backends[0].weight", "50")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:routing.rules[0].backends[1].weight", "50")
	diff := c.pulumi(t, "preview", "--diff", "--stack", "prod")
	if changed := previewChanges(diff); strings.Join(changed, ",") != "~ kubernetes:networking.k8s.io/v1:Ingress retail-api-ingress" {
		t.Errorf("moving the weights changes %v, want only an update of the Ingress:\n%s", changed, diff)
	}
	if props := changedProperties(t, c.pulumi(t, "preview", "--json", "--diff", "--stack", "prod"), "retail-api-ingress"); len(props) != 1 ||
		!strings.Contains(props[0], "alb.ingress.kubernetes.io/actions.rule-predict-") {
		t.Errorf("moving the weights changes the Ingress's %v, want only the /predict action annotation", props)
	}
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	after := c.ingress(t)
	if after.UID != before.UID {
		t.Error("moving the weights replaced the Ingress")
	}
	if got := c.onlyLive(t, "alb"); got.Hostname != alb.Hostname || !c.deleted(alb).IsZero() {
		t.Errorf("moving the weights changed the ALB: %+v, was %+v", got, alb)
	}
	if a := c.predictAction(t, after); !strings.Contains(a, `"weight":50}`) || strings.Contains(a, `"weight":90`) {
		t.Errorf("the /predict action after the move: %s", a)
	}
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")

	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertOnlyLogBucketKept(t)
}

// canaryService is the new model's Service, applied outside the stack as a team would; removed
// when the scenario ends.
func (c *cliWorld) canaryService(t *testing.T) {
	t.Helper()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: canaryService, Namespace: namespace},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "retail-api-v2"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8000)}}},
	}
	if _, err := c.k8s.CoreV1().Services(namespace).Create(c.ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.k8s.CoreV1().Services(namespace).Delete(c.ctx, canaryService, metav1.DeleteOptions{}) })
}

func (c *cliWorld) ingress(t *testing.T) metav1.ObjectMeta {
	t.Helper()
	ing, err := c.k8s.NetworkingV1().Ingresses(namespace).Get(c.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ing.ObjectMeta
}

// predictAction is the action annotation of the /predict rule, which its name says.
func (c *cliWorld) predictAction(t *testing.T, ing metav1.ObjectMeta) string {
	t.Helper()
	for k, v := range ing.Annotations {
		if strings.HasPrefix(k, albingress.Prefix+"actions.rule-predict-") {
			return v
		}
	}
	t.Fatalf("no /predict action among %v", ing.Annotations)
	return ""
}

// changedProperties are the input paths `pulumi preview --json --diff` reports changed for the
// resource named name (its step's detailedDiff, as the Kubernetes provider computes it).
func changedProperties(t *testing.T, previewJSON, name string) []string {
	t.Helper()
	var out struct {
		Steps []struct {
			Op           string         `json:"op"`
			URN          string         `json:"urn"`
			DetailedDiff map[string]any `json:"detailedDiff"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(previewJSON), &out); err != nil {
		t.Fatalf("pulumi preview --json: %v\n%s", err, previewJSON)
	}
	var props []string
	for _, s := range out.Steps {
		if strings.HasSuffix(s.URN, "::"+name) {
			props = append(props, slices.Sorted(maps.Keys(s.DetailedDiff))...)
		}
	}
	return props
}
