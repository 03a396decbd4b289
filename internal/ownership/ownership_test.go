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
