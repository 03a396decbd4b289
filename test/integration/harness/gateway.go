package harness

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/mlops-retail/retail-api-edge/components/albgateway"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// The Gateway API and controller resources the stand-in serves.
var (
	GatewayResource      = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"}
	GatewayClassResource = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"}
	HTTPRouteResource    = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
	LBConfigResource     = schema.GroupVersionResource{Group: albgateway.ConfigGroup, Version: "v1", Resource: "loadbalancerconfigurations"}
	TGConfigResource     = schema.GroupVersionResource{Group: albgateway.ConfigGroup, Version: "v1", Resource: "targetgroupconfigurations"}
	RuleConfigResource   = schema.GroupVersionResource{Group: albgateway.ConfigGroup, Version: "v1", Resource: "listenerruleconfigurations"}
)

// gateways plays the controller's Gateway support while the controller runs, as its
// controllers/gateway/ do at v3.5.0: a Gateway of a class whose controllerName is
// gateway.k8s.aws/alb gets the finalizer gateway.k8s.aws/alb, an ALB, and status.addresses
// [{type: Hostname, value: the ALB's DNS name}]; its web ACL is what its LoadBalancerConfiguration's
// wafV2 names (absent: detached). A deleted Gateway loses its ALB, then the finalizer. The
// GatewayClass and the configuration objects carry their finalizers too, removed only while the
// controller runs, and a class's and a LoadBalancerConfiguration's only once no Gateway uses them
// (pkg/shared_constants/finalizers.go and their reconcilers): deleting them after the controller,
// or before their Gateway, hangs as it does on a real cluster.
func (s *StandIn) gateways(ctx context.Context, running bool) {
	if s.Dynamic == nil || !running {
		return
	}
	gws, err := s.Dynamic.Resource(GatewayResource).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return // no Gateway API CRDs
	}
	classes := map[string]bool{} // served classes
	if list, err := s.Dynamic.Resource(GatewayClassResource).List(ctx, metav1.ListOptions{}); err == nil {
		for i := range list.Items {
			c := &list.Items[i]
			if name, _, _ := unstructured.NestedString(c.Object, "spec", "controllerName"); name == albgateway.ControllerName {
				classes[c.GetName()] = true
				s.configFinalizer(ctx, s.Dynamic.Resource(GatewayClassResource), c, albgateway.ClassFinalizer,
					slices.ContainsFunc(gws.Items, func(g unstructured.Unstructured) bool { return gatewayClass(&g) == c.GetName() }))
			}
		}
	}
	for i := range gws.Items {
		s.gateway(ctx, &gws.Items[i], classes)
	}
	s.configs(ctx, gws.Items)
}

func gatewayClass(g *unstructured.Unstructured) string {
	c, _, _ := unstructured.NestedString(g.Object, "spec", "gatewayClassName")
	return c
}

func (s *StandIn) gateway(ctx context.Context, g *unstructured.Unstructured, classes map[string]bool) {
	api := s.Dynamic.Resource(GatewayResource).Namespace(g.GetNamespace())
	if !classes[gatewayClass(g)] && !slices.Contains(g.GetFinalizers(), albgateway.GatewayFinalizer) {
		return
	}
	if g.GetDeletionTimestamp() == nil {
		if !slices.Contains(g.GetFinalizers(), albgateway.GatewayFinalizer) {
			g.SetFinalizers(append(g.GetFinalizers(), albgateway.GatewayFinalizer))
			if g, _ = update(ctx, updater(api), g); g == nil {
				return
			}
		}
		lb := s.Ledger.ensure(lbkind.ALB, "controller", "gateway "+g.GetNamespace()+"/"+g.GetName(), g.GetUID())
		s.reportACL(lb.Hostname, s.gatewayACL(ctx, g))
		addrs, _, _ := unstructured.NestedSlice(g.Object, "status", "addresses")
		want := []any{map[string]any{"type": "Hostname", "value": lb.Hostname}}
		if len(addrs) != 1 || addrs[0].(map[string]any)["value"] != lb.Hostname {
			_ = unstructured.SetNestedSlice(g.Object, want, "status", "addresses")
			_, _ = update(ctx, api.UpdateStatus, g)
		}
		return
	}
	if !slices.Contains(g.GetFinalizers(), albgateway.GatewayFinalizer) || !s.deleted(g.GetUID()) {
		return
	}
	if lb := s.Ledger.liveOf(g.GetUID()); lb != nil {
		s.reportACL(lb.Hostname, "")
	}
	s.Ledger.remove(g.GetUID())
	g.SetFinalizers(slices.DeleteFunc(g.GetFinalizers(), func(f string) bool { return f == albgateway.GatewayFinalizer }))
	_, _ = update(ctx, updater(api), g)
}

// gatewayACL is the web ACL the Gateway's LoadBalancerConfiguration names, "" for none.
func (s *StandIn) gatewayACL(ctx context.Context, g *unstructured.Unstructured) string {
	name, _, _ := unstructured.NestedString(g.Object, "spec", "infrastructure", "parametersRef", "name")
	if name == "" {
		return ""
	}
	cfg, err := s.Dynamic.Resource(LBConfigResource).Namespace(g.GetNamespace()).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	acl, _, _ := unstructured.NestedString(cfg.Object, "spec", "wafV2", "webACL")
	return acl
}

// configs keeps the finalizers of the controller's configuration objects: a
// LoadBalancerConfiguration's is removed only once no Gateway names it.
func (s *StandIn) configs(ctx context.Context, gws []unstructured.Unstructured) {
	for gvr, finalizer := range map[schema.GroupVersionResource]string{
		LBConfigResource: albgateway.LBConfigFinalizer, TGConfigResource: albgateway.TGConfigFinalizer, RuleConfigResource: albgateway.RuleConfigFinalizer,
	} {
		list, err := s.Dynamic.Resource(gvr).Namespace("").List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for i := range list.Items {
			c := &list.Items[i]
			inUse := gvr == LBConfigResource && slices.ContainsFunc(gws, func(g unstructured.Unstructured) bool {
				name, _, _ := unstructured.NestedString(g.Object, "spec", "infrastructure", "parametersRef", "name")
				return g.GetNamespace() == c.GetNamespace() && name == c.GetName()
			})
			s.configFinalizer(ctx, s.Dynamic.Resource(gvr).Namespace(c.GetNamespace()), c, finalizer, inUse)
		}
	}
}

// configFinalizer adds finalizer to a live object and removes it from a deleted one not in use.
func (s *StandIn) configFinalizer(ctx context.Context, api dynamic.ResourceInterface, o *unstructured.Unstructured, finalizer string, inUse bool) {
	has := slices.Contains(o.GetFinalizers(), finalizer)
	switch {
	case o.GetDeletionTimestamp() == nil && !has:
		o.SetFinalizers(append(o.GetFinalizers(), finalizer))
	case o.GetDeletionTimestamp() != nil && has && !inUse:
		o.SetFinalizers(slices.DeleteFunc(o.GetFinalizers(), func(f string) bool { return f == finalizer }))
	default:
		return
	}
	_, _ = update(ctx, updater(api), o)
}

// updater is a dynamic client's Update in the shape update takes.
func updater(api dynamic.ResourceInterface) func(context.Context, *unstructured.Unstructured, metav1.UpdateOptions) (*unstructured.Unstructured, error) {
	return func(ctx context.Context, o *unstructured.Unstructured, opts metav1.UpdateOptions) (*unstructured.Unstructured, error) {
		return api.Update(ctx, o, opts)
	}
}
