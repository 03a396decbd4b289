package doctor

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Option C's objects, read with the dynamic client (the Gateway API has no typed client here).
// The controller's vocabulary at v3.5.0: GatewayClass controllerName gateway.k8s.aws/alb
// (docs/guide/gateway/gateway.md); the GatewayClass condition Accepted
// (controllers/gateway/utils.go, updateGatewayClassAcceptedCondition) and the Gateway conditions
// Accepted and Programmed, with one status address of type Hostname once the ALB exists
// (controllers/gateway/gateway_controller.go, updateGatewayStatusSuccess/Failure).
var (
	gatewayClasses = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
	gatewaysGVR    = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
)

const gatewayController = "gateway.k8s.aws/alb"

func optionC(t Target) bool { return t.Gateway }

// ingressOnly are Option B's Ingress checks, which Option C replaces with its Gateway's.
func ingressOnly(t Target) bool { return t.Ingress && !t.Gateway }

func checkGatewayClass(ctx context.Context, d *diagnosis) Result {
	class, err := d.env.Kube.Dynamic.Resource(gatewayClasses).Get(ctx, d.GatewayClass, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("pulumi up (exposure: gateway creates it; the Gateway API CRDs must be installed: gateway.installCrds)",
			"GatewayClass %s does not exist", d.GatewayClass)
	}
	if err != nil {
		return kubeFailure(d, err, "reading GatewayClass "+d.GatewayClass)
	}
	controller, _, _ := unstructured.NestedString(class.Object, "spec", "controllerName")
	if controller != gatewayController {
		return fail("pulumi up (the program sets controllerName "+gatewayController+")",
			"GatewayClass %s belongs to %s, not the AWS Load Balancer Controller", d.GatewayClass, controller)
	}
	status, reason, message := condition(class, "Accepted")
	if status != "True" {
		return warn("check the controller check and its log: a controller started before the Gateway API CRDs existed serves no "+
			"Gateway (kubectl -n "+d.ControllerNamespace+" rollout restart deploy/aws-load-balancer-controller)",
			"GatewayClass %s (%s) is not Accepted: %s %s %s", d.GatewayClass, controller, orNone(status), reason, message)
	}
	return ok("GatewayClass %s (%s) Accepted", d.GatewayClass, controller)
}

func checkGatewayAddress(ctx context.Context, d *diagnosis) Result {
	gw, err := d.env.Kube.Dynamic.Resource(gatewaysGVR).Namespace(d.Namespace).Get(ctx, d.GatewayName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("pulumi up (exposure: gateway creates it)", "Gateway %s/%s does not exist", d.Namespace, d.GatewayName)
	}
	if err != nil {
		return kubeFailure(d, err, "reading Gateway "+d.Namespace+"/"+d.GatewayName)
	}
	meta := metav1.ObjectMeta{Namespace: gw.GetNamespace(), Name: gw.GetName(), DeletionTimestamp: gw.GetDeletionTimestamp(), Finalizers: gw.GetFinalizers()}
	if r, stuck := deletion(meta, "Gateway", time.Now()); stuck {
		return r
	}
	addrs, _, _ := unstructured.NestedSlice(gw.Object, "status", "addresses")
	for _, a := range addrs {
		if m, _ := a.(map[string]any); m != nil && m["value"] != nil && m["value"] != "" {
			d.found.hostname = fmt.Sprint(m["value"])
			return ok("the Gateway reports load balancer %s", d.found.hostname)
		}
	}
	status, reason, message := condition(gw, "Programmed")
	return fail("see the controller-log and subnets checks (untagged public subnets, missing controller permissions, a "+
		"certificate or web ACL its LoadBalancerConfiguration names that does not exist are the usual causes)",
		"the Gateway has no load balancer address; Programmed: %s %s %s", orNone(status), reason, message)
}

// condition is an object's status condition of type typ: its status, reason and message.
func condition(o *unstructured.Unstructured, typ string) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == typ {
			return fmt.Sprint(m["status"]), fmt.Sprint(m["reason"]), fmt.Sprint(m["message"])
		}
	}
	return "", "", ""
}

func orNone(status string) string {
	if status == "" {
		return "(no condition)"
	}
	return status
}
