package ownership

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// objects is a cluster's objects by "Kind ns/name": the stand-in for the API server in these
// decision tests (the real one answers in the integration scenarios).
type objects map[string]Metadata

func (o objects) Metadata(_ context.Context, kind Kind, ns, name string) (Metadata, bool, error) {
	if kind == "Broken" {
		return Metadata{}, false, errors.New("connection refused")
	}
	m, ok := o[string(kind)+" "+ns+"/"+name]
	return m, ok, nil
}

func owned(owner string) Metadata { return Metadata{Annotations: map[string]string{Annotation: owner}} }

func TestCheck(t *testing.T) {
	svc := Object{Kind: Service, Namespace: "mlops", Name: "retail-api-svc", WayOut: func(o string) string { return "hand it over from " + o }}
	const me, demo = "retail-api-edge/prod", "retail-api-edge/demo"
	tests := []struct {
		name    string
		cluster objects
		obj     Object
		want    []string // substrings of the error; none: no error
	}{
		{"absent: created", objects{}, svc, nil},
		{"unmarked (kubectl apply): adopted", objects{"Service mlops/retail-api-svc": {}}, svc, nil},
		{"ours", objects{"Service mlops/retail-api-svc": owned(me)}, svc, nil},
		{"another stack's: refused, naming both and the way out",
			objects{"Service mlops/retail-api-svc": owned(demo)}, svc,
			[]string{`Service mlops/retail-api-svc belongs to stack "retail-api-edge/demo"`, `this is stack "retail-api-edge/prod"`,
				"nothing was changed", "hand it over from retail-api-edge/demo"}},
		{"handed over by us to the stack that now owns it",
			objects{"Service mlops/retail-api-svc": owned(demo)}, withHandedTo(svc, demo), nil},
		{"handed to one stack, owned by a third", objects{"Service mlops/retail-api-svc": owned("retail-api-edge/staging")},
			withHandedTo(svc, demo), []string{"staging"}},
		{"unreadable", objects{}, Object{Kind: "Broken", Namespace: "a", Name: "b"}, []string{"connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(context.Background(), tt.cluster, me, []Object{tt.obj})
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected refusal: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want a refusal")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func withHandedTo(o Object, to string) Object {
	o.HandedTo = to
	return o
}

func TestCheckController(t *testing.T) {
	want := Controller{Namespace: "kube-system", Deployment: "aws-load-balancer-controller", Chart: "aws-load-balancer-controller",
		MinVersion: "3.5.0", ServiceAccount: "aws-load-balancer-controller", Fix: "install it first"}
	withRole := want
	withRole.RoleArn = "arn:aws:iam::123456789012:role/lbc"
	deploy := func(chart string) Metadata { return Metadata{Labels: map[string]string{ChartLabel: chart}} }
	const dep, sa = "Deployment kube-system/aws-load-balancer-controller", "ServiceAccount kube-system/aws-load-balancer-controller"
	tests := []struct {
		name    string
		cluster objects
		c       Controller
		want    string // substring of the error; "": no error
	}{
		{"missing", objects{}, want, "there is no Deployment kube-system/aws-load-balancer-controller"},
		{"same version", objects{dep: deploy("aws-load-balancer-controller-3.5.0")}, want, ""},
		{"newer", objects{dep: deploy("aws-load-balancer-controller-3.10.1")}, want, ""},
		{"older", objects{dep: deploy("aws-load-balancer-controller-1.13.2")}, want, "needs aws-load-balancer-controller 3.5.0 or later"},
		{"not from the chart", objects{dep: {}}, want, "install it first"},
		{"expected role", objects{dep: deploy("aws-load-balancer-controller-3.5.0"),
			sa: {Annotations: map[string]string{RoleAnnotation: withRole.RoleArn}}}, withRole, ""},
		{"other role", objects{dep: deploy("aws-load-balancer-controller-3.5.0"),
			sa: {Annotations: map[string]string{RoleAnnotation: "arn:aws:iam::123456789012:role/other"}}}, withRole, `runs as role "arn:aws:iam::123456789012:role/other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckController(context.Background(), tt.cluster, tt.c)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
