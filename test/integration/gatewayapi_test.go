//go:build integration

package integration

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// TestGatewayAPICRDs loads the real Gateway API CRDs (v1.6.x standard channel) into the real API
// server and shows that it judges HTTPRoutes by their schema and CEL rules: the ground the
// Gateway exposure's scenarios (issue 30) stand on.
func TestGatewayAPICRDs(t *testing.T) {
	c := startCluster(t)
	dyn, err := dynamic.NewForConfig(c.cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	remove, err := harness.InstallGatewayAPI(c.ctx, dyn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	routes := dyn.Resource(schema.GroupVersionResource{Group: gatewayv1.GroupName, Version: "v1", Resource: "httproutes"}).Namespace("default")
	route := func(name, path string) *unstructured.Unstructured {
		r := &gatewayv1.HTTPRoute{
			TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "HTTPRoute"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: gatewayv1.HTTPRouteSpec{
				CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "retail-api"}}},
				Rules: []gatewayv1.HTTPRouteRule{{
					Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
						Type: new(gatewayv1.PathMatchPathPrefix), Value: new(path),
					}}},
					BackendRefs: []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
						Name: "retail-api-svc", Port: new(gatewayv1.PortNumber(80)),
					}}}},
				}},
			},
		}
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(r)
		if err != nil {
			t.Fatal(err)
		}
		return &unstructured.Unstructured{Object: obj}
	}
	if _, err := routes.Create(c.ctx, route("valid", "/predict"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("a valid HTTPRoute was refused: %v", err)
	}
	_, err = routes.Create(c.ctx, route("malformed", "predict"), metav1.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "must be an absolute path and start with '/'") {
		t.Fatalf("an HTTPRoute whose path prefix lacks the leading / must be refused by the CRD's CEL rule, got %v", err)
	}
}
