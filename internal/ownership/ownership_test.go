package ownership_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/internal/ownership/ownershiptest"
)

// unreachable is a cluster that cannot be read.
type unreachable struct{}

func (unreachable) Metadata(context.Context, ownership.Kind, string, string) (ownership.Metadata, bool, error) {
	return ownership.Metadata{}, false, errors.New("connection refused")
}

func TestCheck(t *testing.T) {
	svc := ownership.Object{Kind: ownership.Service, Namespace: "mlops", Name: "retail-api-svc", WayOut: func(o string) string { return "hand it over from " + o }}
	const me, demo = "retail-api-edge/prod", "retail-api-edge/demo"
	tests := []struct {
		name    string
		cluster ownership.Reader
		obj     ownership.Object
		want    []string // substrings of the error; none: no error
	}{
		{"absent: created", ownershiptest.Cluster{}, svc, nil},
		{"unmarked (kubectl apply): adopted", ownershiptest.Cluster{"Service mlops/retail-api-svc": {}}, svc, nil},
		{"ours", ownershiptest.Cluster{"Service mlops/retail-api-svc": ownershiptest.Owned(me)}, svc, nil},
		{"another stack's: refused, naming both and the way out",
			ownershiptest.Cluster{"Service mlops/retail-api-svc": ownershiptest.Owned(demo)}, svc,
			[]string{`Service mlops/retail-api-svc belongs to stack "retail-api-edge/demo"`, `this is stack "retail-api-edge/prod"`,
				"nothing was changed", "hand it over from retail-api-edge/demo"}},
		{"handed over by us to the stack that now owns it",
			ownershiptest.Cluster{"Service mlops/retail-api-svc": ownershiptest.Owned(demo)}, withHandedTo(svc, demo), nil},
		{"handed to one stack, owned by a third", ownershiptest.Cluster{"Service mlops/retail-api-svc": ownershiptest.Owned("retail-api-edge/staging")},
			withHandedTo(svc, demo), []string{"staging"}},
		{"unreadable", unreachable{}, svc, []string{"connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ownershiptest.Refusal(t, ownership.Check(context.Background(), tt.cluster, me, []ownership.Object{tt.obj}), tt.want)
		})
	}
}

func withHandedTo(o ownership.Object, to string) ownership.Object {
	o.HandedTo = to
	return o
}

func TestCheckController(t *testing.T) {
	want := ownership.Controller{Namespace: "kube-system", Deployment: "aws-load-balancer-controller", Chart: "aws-load-balancer-controller",
		MinVersion: "3.5.0", ServiceAccount: "aws-load-balancer-controller", Fix: "install it first"}
	withRole := want
	withRole.RoleArn = "arn:aws:iam::123456789012:role/lbc"
	deploy := func(chart string) ownership.Metadata {
		return ownership.Metadata{Labels: map[string]string{ownership.ChartLabel: chart}}
	}
	const dep, sa = "Deployment kube-system/aws-load-balancer-controller", "ServiceAccount kube-system/aws-load-balancer-controller"
	tests := []struct {
		name    string
		cluster ownership.Reader
		c       ownership.Controller
		want    string // substring of the error; "": no error
	}{
		{"missing", ownershiptest.Cluster{}, want, "there is no Deployment kube-system/aws-load-balancer-controller"},
		{"same version", ownershiptest.Cluster{dep: deploy("aws-load-balancer-controller-3.5.0")}, want, ""},
		{"newer", ownershiptest.Cluster{dep: deploy("aws-load-balancer-controller-3.10.1")}, want, ""},
		{"older", ownershiptest.Cluster{dep: deploy("aws-load-balancer-controller-1.13.2")}, want, "needs aws-load-balancer-controller 3.5.0 or later"},
		{"not from the chart", ownershiptest.Cluster{dep: {}}, want, "install it first"},
		{"expected role", ownershiptest.Cluster{dep: deploy("aws-load-balancer-controller-3.5.0"),
			sa: {Annotations: map[string]string{ownership.RoleAnnotation: withRole.RoleArn}}}, withRole, ""},
		{"other role", ownershiptest.Cluster{dep: deploy("aws-load-balancer-controller-3.5.0"),
			sa: {Annotations: map[string]string{ownership.RoleAnnotation: "arn:aws:iam::123456789012:role/other"}}}, withRole, `runs as role "arn:aws:iam::123456789012:role/other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ownership.CheckController(context.Background(), tt.cluster, tt.c)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// TestCheckInstall: a stack about to install the controller refuses, naming each, the objects of an
// installation it did not make; its own (marked Deployment, release-annotated class and webhooks)
// and another stack's (Check's to refuse) pass.
func TestCheckInstall(t *testing.T) {
	const me = "retail-api-edge/prod"
	in := ownership.Install{Namespace: "kube-system", Deployment: "aws-load-balancer-controller",
		ServiceAccount: "aws-load-balancer-controller", Release: "aws-load-balancer-controller",
		IngressClass: "alb", Webhooks: "aws-load-balancer-webhook", Fix: "set controller.install false"}
	const (
		dep   = "Deployment kube-system/aws-load-balancer-controller"
		sa    = "ServiceAccount kube-system/aws-load-balancer-controller"
		class = "IngressClass /alb"
		mwh   = "MutatingWebhookConfiguration /aws-load-balancer-webhook"
		vwh   = "ValidatingWebhookConfiguration /aws-load-balancer-webhook"
	)
	helm := func(release, ns string) ownership.Metadata {
		return ownership.Metadata{Annotations: map[string]string{ownership.HelmReleaseName: release, ownership.HelmReleaseNamespace: ns},
			Labels: map[string]string{ownership.ChartLabel: "aws-load-balancer-controller-2.7.1"}, Controller: ownership.ControllerClass}
	}
	ours := ownershiptest.Owned(me)
	theirs := helm("aws-load-balancer-controller", "kube-system")
	autoMode := ownership.Metadata{Controller: ownership.AutoModeClass}
	tests := []struct {
		name    string
		cluster ownershiptest.Cluster
		want    []string
	}{
		{"empty cluster", ownershiptest.Cluster{}, nil},
		{"our own installation", ownershiptest.Cluster{dep: ours, sa: ours, class: theirs, mwh: theirs, vwh: theirs}, nil},
		{"another stack's (Check names it)", ownershiptest.Cluster{dep: ownershiptest.Owned("retail-api-edge/demo")}, nil},
		{"eksctl's or another team's Helm release", ownershiptest.Cluster{dep: theirs, sa: {}, class: theirs, mwh: theirs, vwh: theirs},
			[]string{dep + " (chart aws-load-balancer-controller-2.7.1, Helm release aws-load-balancer-controller in kube-system)",
				sa + " (no Helm release or owner marker)", "IngressClass alb (controller ingress.k8s.aws/alb",
				"MutatingWebhookConfiguration aws-load-balancer-webhook", "ValidatingWebhookConfiguration aws-load-balancer-webhook",
				"nothing was changed", "set controller.install false"}},
		{"EKS Auto Mode's class", ownershiptest.Cluster{class: autoMode}, []string{"IngressClass alb", "EKS Auto Mode"}},
		{"webhooks left by an uninstalled controller", ownershiptest.Cluster{mwh: helm("old", "kube-system")},
			[]string{"MutatingWebhookConfiguration aws-load-balancer-webhook (chart aws-load-balancer-controller-2.7.1, Helm release old in kube-system)"}},
		{"our Deployment, someone else's class", ownershiptest.Cluster{dep: ours, class: helm("other", "platform")},
			[]string{"IngressClass alb", "Helm release other in platform"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ownershiptest.Refusal(t, ownership.CheckInstall(context.Background(), tt.cluster, me, in), tt.want)
		})
	}
	if err := ownership.CheckInstall(context.Background(), unreachable{}, me, in); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("an unreadable cluster must fail the check, got %v", err)
	}
}

// TestCheckControllerClass: a controller the stack relies on must serve the class the Ingress names.
func TestCheckControllerClass(t *testing.T) {
	c := ownership.Controller{Namespace: "kube-system", Deployment: "aws-load-balancer-controller", Chart: "aws-load-balancer-controller",
		MinVersion: "3.5.0", IngressClass: "alb", Fix: "install it first"}
	dep := ownership.Metadata{Labels: map[string]string{ownership.ChartLabel: "aws-load-balancer-controller-3.5.0"}}
	for _, tt := range []struct {
		name  string
		class *ownership.Metadata
		want  []string
	}{
		{"served", &ownership.Metadata{Controller: ownership.ControllerClass}, nil},
		{"no class", nil, []string{"serves no IngressClass alb", "install it first"}},
		{"Auto Mode's class", &ownership.Metadata{Controller: ownership.AutoModeClass}, []string{"served by eks.amazonaws.com/alb", "EKS Auto Mode"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cluster := ownershiptest.Cluster{"Deployment kube-system/aws-load-balancer-controller": dep}
			if tt.class != nil {
				cluster["IngressClass /alb"] = *tt.class
			}
			ownershiptest.Refusal(t, ownership.CheckController(context.Background(), cluster, c), tt.want)
		})
	}
}
