package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/internal/ownership/ownershiptest"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

func markedBy(stack string) ownership.Metadata {
	return ownershiptest.Owned(ownership.Owner(stacks.Project, stack))
}

// planWith plans raw as stack "test" against the given cluster objects.
func planWith(raw map[string]string, cluster ownershiptest.Cluster) (*plan.Plan, error) {
	return stackplan.PlanWith(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: raw}, stackplan.Options{Cluster: cluster.Open})
}

const (
	appService = "Service mlops/retail-api-svc"
	lbcDeploy  = "Deployment kube-system/aws-load-balancer-controller"
	lbcSA      = "ServiceAccount kube-system/aws-load-balancer-controller"
	albClass   = "IngressClass /alb"
)

func TestOwnershipPrecheck(t *testing.T) {
	ingress := stacks.With(stacks.K("exposure"), "ingress")
	relying := stacks.With(stacks.K("exposure"), "ingress", stacks.K("controller"), `{"install": false}`)
	installed := ownership.Metadata{Labels: map[string]string{ownership.ChartLabel: "aws-load-balancer-controller-3.5.0"}}
	// What eksctl or another team's `helm install` leaves: no owner marker, Helm's annotations.
	helm := func(chart string) ownership.Metadata {
		return ownership.Metadata{Labels: map[string]string{ownership.ChartLabel: chart},
			Annotations: map[string]string{ownership.HelmReleaseName: "aws-load-balancer-controller", ownership.HelmReleaseNamespace: "kube-system"},
			Controller:  ownership.ControllerClass}
	}
	ourRelease := helm("aws-load-balancer-controller-3.5.0")
	ourDeploy := ourRelease
	ourDeploy.Annotations = map[string]string{ownership.Annotation: "retail-api-edge/test"}
	tests := []struct {
		name    string
		raw     map[string]string
		cluster ownershiptest.Cluster
		want    []string // substrings of the refusal; none: the plan goes through
	}{
		{"nothing there yet", stacks.With(), ownershiptest.Cluster{}, nil},
		{"the kubectl-applied Service (unmarked) is adopted", stacks.With(), ownershiptest.Cluster{appService: {}}, nil},
		{"our own Service", stacks.With(), ownershiptest.Cluster{appService: markedBy("test")}, nil},
		{"another stack's Service: refused with the handover", stacks.With(), ownershiptest.Cluster{appService: markedBy("demo")},
			[]string{`Service mlops/retail-api-svc belongs to stack "retail-api-edge/demo"`, `this is stack "retail-api-edge/test"`,
				`run on stack "demo": ` + "`pulumi config set --path retail-api-edge:app.handOverTo test`", "retail-api-edge:app.serviceName"}},
		{"handed over to this stack", stacks.With(), ownershiptest.Cluster{appService: markedBy("test")}, nil},
		{"Option B: another stack's Ingress", ingress, ownershiptest.Cluster{"Ingress mlops/retail-api": markedBy("demo")},
			[]string{"Ingress mlops/retail-api", "retail-api-edge:ingress.name"}},
		{"Option B: another stack's controller", ingress, ownershiptest.Cluster{lbcDeploy: markedBy("demo")},
			[]string{"Deployment kube-system/aws-load-balancer-controller", "`pulumi config set --path retail-api-edge:controller.install false`"}},
		{"relying on a controller that is not there", relying, ownershiptest.Cluster{},
			[]string{"does not install", "retail-api-edge:controller.install"}},
		{"relying on another stack's controller", relying, ownershiptest.Cluster{lbcDeploy: installed, albClass: {Controller: ownership.ControllerClass}}, nil},
		{"relying on a controller that serves no alb class", relying, ownershiptest.Cluster{lbcDeploy: installed},
			[]string{"serves no IngressClass alb"}},
		// A controller the stack did not install: found in preview, with the setting to use it.
		{"a controller eksctl or another team installed", ingress,
			ownershiptest.Cluster{lbcDeploy: helm("aws-load-balancer-controller-2.7.1"), lbcSA: {}, albClass: helm("aws-load-balancer-controller-2.7.1")},
			[]string{"already has one it did not install", "Deployment kube-system/aws-load-balancer-controller (chart aws-load-balancer-controller-2.7.1",
				"ServiceAccount kube-system/aws-load-balancer-controller", "IngressClass alb",
				"`pulumi config set --path retail-api-edge:controller.install false`", "chart aws-load-balancer-controller 3.5.0 or later"}},
		{"EKS Auto Mode's alb class", ingress, ownershiptest.Cluster{albClass: {Controller: ownership.AutoModeClass}},
			[]string{"IngressClass alb (controller eks.amazonaws.com/alb: EKS Auto Mode's own load balancing)"}},
		{"this stack's own controller, on its next run", ingress, ownershiptest.Cluster{lbcDeploy: ourDeploy, lbcSA: markedBy("test"),
			albClass: ourRelease, "MutatingWebhookConfiguration /aws-load-balancer-webhook": ourRelease}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planWith(tt.raw, tt.cluster)
			ownershiptest.Refusal(t, err, tt.want)
			if tt.want == nil {
				return
			}
			// The check runs as the cluster is read, before the stack registers anything else.
			for _, r := range p.Resources {
				if !strings.HasPrefix(r.Type, "pulumi:") && r.Type != cluster.TypeToken {
					t.Errorf("%s %s registered before the refusal", r.Type, r.Name)
				}
			}
		})
	}
}

// TestRelyingOnAControllersRole: with controller.install false and controller.roleArn, the preview
// checks the role where the identity keeps it: IRSA's service account annotation; under Pod
// Identity the service account has none (the role is in the association, which it cannot read),
// so an unannotated one passes.
func TestRelyingOnAControllersRole(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/platform-lbc"
	relying := func(identity string) map[string]string {
		return stacks.With(stacks.K("exposure"), "ingress",
			stacks.K("controller"), `{"install": false, "roleArn": "`+role+`", "identity": "`+identity+`"}`)
	}
	cluster := func(sa ownership.Metadata) ownershiptest.Cluster {
		return ownershiptest.Cluster{lbcSA: sa, albClass: {Controller: ownership.ControllerClass},
			lbcDeploy: {Labels: map[string]string{ownership.ChartLabel: "aws-load-balancer-controller-3.5.0"}}}
	}
	annotated := ownership.Metadata{Annotations: map[string]string{ownership.RoleAnnotation: role}}
	for _, tt := range []struct {
		name     string
		identity string
		sa       ownership.Metadata
		want     []string // substrings of the refusal; none: it passes
	}{
		{"IRSA, annotated with the role", "irsa", annotated, nil},
		{"IRSA, no annotation", "irsa", ownership.Metadata{}, []string{`runs as role ""`, role}},
		{"Pod Identity, no annotation (the role is in the association)", "podIdentity", ownership.Metadata{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planWith(relying(tt.identity), cluster(tt.sa))
			ownershiptest.Refusal(t, err, tt.want)
		})
	}
}

// TestOwnershipMarkers checks that every Kubernetes object the stack creates or adopts carries
// its marker: that is what the other stacks' prechecks read.
func TestOwnershipMarkers(t *testing.T) {
	const marker = "retail-api-edge.mlops.io/owner"
	p := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("app"), `{"image": "ghcr.io/mlops/retail-api:1.0"}`))
	one := onlyOne(t, p)
	checks := []struct {
		what string
		got  any
	}{
		{"Service", one("kubernetes:core/v1:Service").Value("metadata", "annotations", marker)},
		{"Ingress", one("kubernetes:networking.k8s.io/v1:Ingress").Value("metadata", "annotations", marker)},
		{"app Deployment", one("kubernetes:apps/v1:Deployment").Value("metadata", "annotations", marker)},
		{"controller service account", one("kubernetes:core/v1:ServiceAccount").Value("metadata", "annotations", marker)},
		{"controller Deployment (chart value)", one(typetoken.HelmRelease).Value("values", "deploymentAnnotations", marker)},
	}
	for _, c := range checks {
		if c.got != "retail-api-edge/test" {
			t.Errorf("%s marker = %v, want retail-api-edge/test", c.what, c.got)
		}
	}
	// The strict provider creates client-side; without force, the first apply that changes a
	// field conflicts with that create (the real-CLI scenario cli-prod found it).
	if got := one("kubernetes:networking.k8s.io/v1:Ingress").Value("metadata", "annotations", "pulumi.com/patchForce"); got != "true" {
		t.Errorf("the Ingress's patchForce = %v, want true", got)
	}
}

func TestHandOver(t *testing.T) {
	p := planOf(t, stacks.With(stacks.K("app"), `{"handOverTo": "prod", "image": "ghcr.io/mlops/retail-api:1.0"}`))
	one := onlyOne(t, p)
	svc, dep := one("kubernetes:core/v1:Service"), one("kubernetes:apps/v1:Deployment")
	if svc.Value("spec", "type") != "ClusterIP" {
		t.Errorf("a handed-over Service stops being a load balancer (its NLB goes), got type %v", svc.Value("spec", "type"))
	}
	for _, r := range []plan.Resource{svc, dep} {
		if got := r.Value("metadata", "annotations", ownership.Annotation); got != "retail-api-edge/prod" {
			t.Errorf("%s marker = %v, want the stack it is handed to", r.Type, got)
		}
		if !r.RetainOnDelete {
			t.Errorf("%s must be retained: destroying this stack must not delete what stack prod now owns", r.Type)
		}
	}
	if _, err := stacks.Decode("demo", stacks.With(stacks.K("app"), `{"handOverTo": "demo"}`)); err == nil || !strings.Contains(err.Error(), "app.handOverTo") {
		t.Errorf("handing over to itself must fail on app.handOverTo, got %v", err)
	}
}

// TestRelyingOnAnotherStacksController: with controller.install false the stack registers no part
// of the controller, and its Ingress waits for nothing of it.
func TestRelyingOnAnotherStacksController(t *testing.T) {
	p := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("controller"), `{"install": false}`))
	for _, typ := range []string{typetoken.HelmRelease, typetoken.Role, typetoken.Policy, typetoken.OIDCProvider, "kubernetes:core/v1:ServiceAccount"} {
		if got := p.Find(typ); len(got) > 0 {
			t.Errorf("registers %s, which the owning stack has", typ)
		}
	}
	ing := onlyOne(t, p)("kubernetes:networking.k8s.io/v1:Ingress")
	if slices.ContainsFunc(ing.Dependencies, func(urn string) bool { return strings.Contains(urn, "lb-controller") }) {
		t.Errorf("the Ingress depends on a controller it does not own: %v", ing.Dependencies)
	}
}

// TestRoutedServicesPrecheck: every Service a routing rule forwards to, other than the app's, is in
// the cluster with the port, and no other stack owns it; else preview refuses, naming the rule.
func TestRoutedServicesPrecheck(t *testing.T) {
	raw := stacks.With(stacks.K("exposure"), "ingress", stacks.K("routing"), `{"rules": [{"path": "/predict", "backends": [`+
		`{"service": "retail-api-svc", "port": 80, "weight": 90}, {"service": "retail-api-v2-svc", "port": 80, "weight": 10}]}]}`)
	const v2 = "Service mlops/retail-api-v2-svc"
	serving := func(ports ...int) ownership.Metadata { return ownership.Metadata{Ports: ports} }
	owned := serving(80)
	owned.Annotations = map[string]string{ownership.Annotation: "retail-api-edge/demo"}
	key := stacks.K("routing.rules[0].backends[1]")
	for _, tt := range []struct {
		name    string
		cluster ownershiptest.Cluster
		want    []string
	}{
		{"there with the port", ownershiptest.Cluster{v2: serving(80)}, nil},
		{"missing", ownershiptest.Cluster{}, []string{key, "retail-api-v2-svc", "does not exist"}},
		{"without the port", ownershiptest.Cluster{v2: serving(8080)}, []string{key, "port 80", "[8080]"}},
		{"another stack's", ownershiptest.Cluster{v2: owned}, []string{key, `belongs to stack "retail-api-edge/demo"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planWith(raw, tt.cluster)
			ownershiptest.Refusal(t, err, tt.want)
		})
	}
}
