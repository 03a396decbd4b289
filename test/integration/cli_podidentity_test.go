//go:build integration

package integration

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
)

// identityPodAnnotation is the controller pod template's annotation that rolls the pods onto Pod
// Identity credentials (docs/option-b.md, "Switching an existing stack from IRSA to Pod Identity").
const identityPodAnnotation = "retail-api-edge.mlops.io/controller-identity"

// podIdentity runs prod with `controller.identity: podIdentity`. Pulumi.prod.yaml sets neither
// controller.roleArn nor cluster.createOidcProvider (the world's OIDC provider was made outside the
// stack), so the switch is one `config set`, as docs/option-b.md says. First, on a cluster without
// the EKS Pod Identity Agent add-on, the preview stops, naming the add-on and the fix, and
// changes nothing; then an IRSA stack switches to Pod Identity on a cluster with the add-on,
// keeping its role, its controller and its ALB.
func (c *cliWorld) podIdentity(t *testing.T) {
	if !t.Run("no agent add-on: preview refuses", c.podIdentityWithoutAgent) {
		return
	}
	t.Run("irsa to podIdentity keeps the role, controller and ALB", c.irsaToPodIdentity)
}

func (c *cliWorld) podIdentityWithoutAgent(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:controller.identity", string(lbcontroller.IdentityPodIdentity))
	ops := len(c.ledger(t).Ops)
	_, err := c.cli.Run(c.cliCtx(t), "preview", "--stack", "prod")
	for _, want := range []string{`EKS cluster "` + clusterName + `" has no ` + podidentity.AgentAddon + " add-on",
		"aws eks create-addon --cluster-name " + clusterName + " --addon-name " + podidentity.AgentAddon,
		"retail-api-edge:controller.installPodIdentityAgent true"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("prod's preview must stop on the missing agent add-on, saying %q; got %v", want, err)
		}
	}
	c.assertRefusedPreview(t, ops)
}

func (c *cliWorld) irsaToPodIdentity(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	l := c.ledger(t)
	role, attachment := l.find(t, typetoken.Role), l.find(t, typetoken.RolePolicyAttachment)
	if got := c.controllerSA(t).Annotations[lbcontroller.RoleArnAnnotation]; got != role.Props["arn"] {
		t.Fatalf("under IRSA the controller's service account has role %q, want %v", got, role.Props["arn"])
	}
	dep := c.controllerDeployment(t)
	alb := c.onlyLive(t, "alb")

	c.withAddons(t, podidentity.AgentAddon)
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:controller.identity", string(lbcontroller.IdentityPodIdentity))
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	after := c.ledger(t)

	// The role is updated in place: same ID (its name), an update, no delete; trust now EKS Pod Identity.
	again := after.find(t, typetoken.Role)
	switchOps := after.Ops[len(l.Ops):]
	if again.ID != role.ID || !slices.Contains(switchOps, awsstandin.Op{Op: "update", Type: typetoken.Role, ID: role.ID}) ||
		slices.Contains(switchOps, awsstandin.Op{Op: "delete", Type: typetoken.Role, ID: role.ID}) {
		t.Errorf("the controller role %s was not updated in place: now %s, AWS calls %v", role.ID, again.ID, switchOps)
	}
	if got := trustedActions(t, again, podidentity.Service); !slices.Contains(got, "sts:AssumeRole") || !slices.Contains(got, "sts:TagSession") {
		t.Errorf("the role lets %s do %v, want sts:AssumeRole and sts:TagSession; trust %v", podidentity.Service, got, again.Props["assumeRolePolicy"])
	}
	if strings.Contains(asString(again.Props["assumeRolePolicy"]), "Federated") {
		t.Errorf("the role still trusts the OIDC provider: %v", again.Props["assumeRolePolicy"])
	}
	if got := after.find(t, typetoken.RolePolicyAttachment); got.ID != attachment.ID {
		t.Errorf("the policy attachment was replaced (%s, then %s): a new attachment of the same policy is detached with the old one", attachment.ID, got.ID)
	}
	assoc := after.find(t, typetoken.PodIdentityAssociation)
	want := map[string]any{"clusterName": clusterName, "namespace": controllerNS, "serviceAccount": controllerSA, "roleArn": again.Props["arn"]}
	for k, v := range want {
		if assoc.Props[k] != v {
			t.Errorf("association %s = %v, want %v", k, assoc.Props[k], v)
		}
	}
	if got, ok := c.controllerSA(t).Annotations[lbcontroller.RoleArnAnnotation]; ok {
		t.Errorf("under Pod Identity the controller's service account keeps %s %q", lbcontroller.RoleArnAnnotation, got)
	}
	if got := c.controllerDeployment(t); got.UID != dep.UID || got.Spec.Template.Annotations[identityPodAnnotation] != string(lbcontroller.IdentityPodIdentity) {
		t.Errorf("controller Deployment UID %s (was %s), pod template annotations %v: want the same Deployment, its pods rolled with %s: %s",
			got.UID, dep.UID, got.Spec.Template.Annotations, identityPodAnnotation, lbcontroller.IdentityPodIdentity)
	}
	if !c.deleted(alb).IsZero() {
		t.Error("switching the controller's identity took the ALB down")
	}
	c.onlyLive(t, "alb")

	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")
	if got := len(c.ledger(t).Ops); got != len(after.Ops) {
		t.Errorf("the second up made %d AWS calls that change something", got-len(after.Ops))
	}
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	// Only the log bucket is kept: the association and the role went with the stack.
	c.assertOnlyLogBucketKept(t)
}

// withAddons gives the world's cluster these EKS add-ons, installed outside any stack, for the
// rest of the test.
func (c *cliWorld) withAddons(t *testing.T, addons ...string) {
	t.Helper()
	w := c.aws
	w.Clusters = maps.Clone(c.aws.Clusters)
	cl := w.Clusters[clusterName]
	cl.Addons = addons
	w.Clusters[clusterName] = cl
	c.useWorld(t, w)
}

func (c *cliWorld) controllerDeployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	dep, err := c.k8s.AppsV1().Deployments(controllerNS).Get(c.ctx, controllerName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the controller Deployment: %v", err)
	}
	return dep
}

func (c *cliWorld) controllerSA(t *testing.T) *corev1.ServiceAccount {
	t.Helper()
	sa, err := c.k8s.CoreV1().ServiceAccounts(controllerNS).Get(c.ctx, controllerSA, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the controller's service account: %v", err)
	}
	return sa
}

// trustedActions are the actions the role's trust policy allows the service principal.
func trustedActions(t *testing.T, role awsstandin.Object, service string) []string {
	t.Helper()
	var doc struct {
		Statement []struct {
			Effect    string
			Principal struct{ Service any }
			Action    any
		}
	}
	if err := json.Unmarshal([]byte(asString(role.Props["assumeRolePolicy"])), &doc); err != nil {
		t.Fatalf("the role's trust policy: %v", err)
	}
	var actions []string
	for _, s := range doc.Statement {
		if s.Effect == "Allow" && slices.Contains(stringsOf(s.Principal.Service), service) {
			actions = append(actions, stringsOf(s.Action)...)
		}
	}
	return actions
}

// stringsOf is a policy element that is one string or a list of them.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
