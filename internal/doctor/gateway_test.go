package doctor

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

// client-go's fake dynamic client stands in for the API server here; TestDoctor's real one
// serves the Ingress and Service checks.
func gatewayEnv(objs ...*unstructured.Unstructured) *diagnosis {
	scheme := runtime.NewScheme()
	kinds := map[schema.GroupVersionResource]string{gatewayClasses: "GatewayClassList", gatewaysGVR: "GatewayList"}
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(scheme, kinds)
	for _, o := range objs {
		// Created through their resource: the fake's own guess from the kind makes "gatewaies".
		gvr := gatewaysGVR
		if o.GetKind() == "GatewayClass" {
			gvr = gatewayClasses
		}
		if _, err := client.Resource(gvr).Namespace(o.GetNamespace()).Create(context.Background(), o, metav1.CreateOptions{}); err != nil {
			panic(err)
		}
	}
	t := prodTarget()
	t.Gateway, t.GatewayName, t.GatewayClass = true, "retail-api", "retail-api-edge-gateway"
	return &diagnosis{Target: t, env: Env{Kube: &Kube{Dynamic: client}}, status: map[string]Status{}}
}

func object(kind, namespace, name string, fields map[string]any) *unstructured.Unstructured {
	o := map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": namespace}}
	for k, v := range fields {
		o[k] = v
	}
	return &unstructured.Unstructured{Object: o}
}

func conditions(typ, status, reason, message string) map[string]any {
	return map[string]any{"conditions": []any{map[string]any{"type": typ, "status": status, "reason": reason, "message": message}}}
}

func TestGatewayChecks(t *testing.T) {
	class := func(controller string, status map[string]any) *unstructured.Unstructured {
		return object("GatewayClass", "", "retail-api-edge-gateway", map[string]any{"spec": map[string]any{"controllerName": controller}, "status": status})
	}
	gw := func(status map[string]any) *unstructured.Unstructured {
		return object("Gateway", "mlops", "retail-api", map[string]any{"spec": map[string]any{}, "status": status})
	}
	addressed := map[string]any{"addresses": []any{map[string]any{"type": "Hostname", "value": "k8s-mlops-retailap-1.us-east-1.elb.amazonaws.com"}}}
	tests := []struct {
		name  string
		check func(context.Context, *diagnosis) Result
		objs  []*unstructured.Unstructured
		want  Status
		says  string
	}{
		{"class missing", checkGatewayClass, nil, Fail, "GatewayClass retail-api-edge-gateway does not exist"},
		{"someone else's class", checkGatewayClass, []*unstructured.Unstructured{class("istio.io/gateway-controller", nil)}, Fail, "istio.io"},
		{"class not accepted: the controller started before the CRDs", checkGatewayClass,
			[]*unstructured.Unstructured{class(gatewayController, nil)}, Warn, "rollout restart"},
		{"class accepted", checkGatewayClass, []*unstructured.Unstructured{class(gatewayController, conditions("Accepted", "True", "Accepted", ""))}, OK, "Accepted"},
		{"Gateway missing", checkGatewayAddress, nil, Fail, "Gateway mlops/retail-api does not exist"},
		{"Gateway without an address says why", checkGatewayAddress,
			[]*unstructured.Unstructured{gw(conditions("Programmed", "False", "Invalid", "CertificateNotFound"))}, Fail, "Programmed: False Invalid CertificateNotFound"},
		{"Gateway with its ALB", checkGatewayAddress, []*unstructured.Unstructured{gw(addressed)}, OK, "k8s-mlops-retailap-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := gatewayEnv(tt.objs...)
			r := tt.check(context.Background(), d)
			if r.Status != tt.want || !strings.Contains(r.Evidence+" "+r.Fix, tt.says) {
				t.Errorf("got %s %q / %q, want %s saying %q", r.Status, r.Evidence, r.Fix, tt.want, tt.says)
			}
		})
	}
	d := gatewayEnv(gw(addressed))
	checkGatewayAddress(context.Background(), d)
	if d.found.hostname != "k8s-mlops-retailap-1.us-east-1.elb.amazonaws.com" {
		t.Errorf("the AWS checks look the load balancer up by %q", d.found.hostname)
	}
}

// Option C runs the Gateway's checks instead of the Ingress's, and the AWS checks after them.
func TestGatewayCheckSet(t *testing.T) {
	tg := prodTarget()
	tg.Gateway = true
	var ids []string
	for _, c := range checks() {
		if c.applies == nil || c.applies(tg) {
			ids = append(ids, c.id)
		}
	}
	got := strings.Join(ids, " ")
	for _, want := range []string{"gateway-class", "gateway-address", "controller", "webhook", "load-balancer", "targets", "certificate", "waf"} {
		if !strings.Contains(got, want) {
			t.Errorf("Option C's checks %q lack %s", got, want)
		}
	}
	if strings.Contains(got, "ingress-") {
		t.Errorf("Option C runs the Ingress's checks: %s", got)
	}
}
