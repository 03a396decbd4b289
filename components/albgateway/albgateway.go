// Package albgateway exposes the app Service through an internet-facing ALB that the AWS Load
// Balancer Controller makes for a Kubernetes Gateway API Gateway (its docs/guide/gateway/ at
// v3.5.0): the same settings as the ALB Ingress, in the controller's own configuration objects.
//
// Inputs (Args): namespace, Gateway and GatewayClass names, the app Service and port, the ALB's
// Settings (as albingress takes them), Routes, and what the Gateway must wait for (the
// controller release, the Gateway API CRDs, the certificate validation, web ACL and log bucket
// policy).
// Outputs: Hostname (the ALB's DNS name, from the Gateway's status.addresses).
// Creates: `kubernetes:gateway.networking.k8s.io/v1:GatewayClass` (controllerName
// gateway.k8s.aws/alb), `kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration` (scheme, TLS
// listener, WAF, attributes, tags), a `kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration` per
// backend Service (ip targets, the health check), `kubernetes:gateway.networking.k8s.io/v1:Gateway`,
// `kubernetes:gateway.networking.k8s.io/v1:HTTPRoute`s (one per host the routes name, and with TLS
// the HTTP listener's redirect), a `kubernetes:gateway.k8s.aws/v1:ListenerRuleConfiguration` per
// route that needs what HTTPRoute cannot say (fixed responses, source ranges, stickiness, a
// redirect's query), and the namespace's readiness-gate label.
package albgateway

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/slowstep"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:albgateway:Gateway"

// The controller's Gateway API vocabulary at v3.5.0: the GatewayClass controllerName of its ALB
// support (docs/guide/gateway/gateway.md), its configuration API group, stored as v1
// (apis/gateway/v1/*_types.go, +kubebuilder:storageversion), and the finalizers it puts on what
// it serves (pkg/shared_constants/finalizers.go).
const (
	ControllerName = "gateway.k8s.aws/alb"
	ConfigGroup    = "gateway.k8s.aws"
	configAPI      = ConfigGroup + "/v1"
	GatewayAPI     = "gateway.networking.k8s.io/v1"

	GatewayFinalizer      = "gateway.k8s.aws/alb"
	ClassFinalizer        = "gateway.k8s.aws/gatewayclass"
	LBConfigFinalizer     = "gateway.k8s.aws/loadbalancerconfigurations"
	TGConfigFinalizer     = "gateway.k8s.aws/targetgroupconfigurations"
	RuleConfigFinalizer   = "gateway.k8s.aws/listenerruleconfigurations"
	lbConfigKind          = "LoadBalancerConfiguration"
	tgConfigKind          = "TargetGroupConfiguration"
	ruleConfigKind        = "ListenerRuleConfiguration"
	httpListener          = "http"
	httpsListener         = "https"
	hostnameStatusAddress = "{.status.addresses[0].value}"
)

// waitForAnnotation makes the Kubernetes provider wait, on create and update, until the JSONPath
// matches (pulumi-kubernetes provider pkg/metadata/overrides.go, ReadyCondition): a custom
// resource is otherwise ready at once, and the Gateway's address would be empty after `up`.
const waitForAnnotation = "pulumi.com/waitFor"

// provisioning bounds the wait for the ALB's address, and on delete the wait for the controller to
// remove the ALB and the Gateway's finalizer.
var provisioning = slowstep.Step{Timeout: "15m", Delete: "15m",
	Check: "check `kubectl -n <namespace> describe gateway <name>` (conditions Accepted and Programmed) and the controller's " +
		"log: public subnets tagged kubernetes.io/role/elb=1 in two zones, the controller's role, the certificate and web ACL " +
		"its LoadBalancerConfiguration names"}

// Args describe the Gateway.
type Args struct {
	Namespace string
	// Name is the Gateway's, and its LoadBalancerConfiguration's, HTTPRoutes' and target group
	// configurations' first part.
	Name string
	// ClassName is the GatewayClass's name (cluster-scoped: one per stack).
	ClassName string
	// ServiceName is the app Service (in Namespace) and ServicePort its port, for the default route.
	ServiceName string
	ServicePort int
	Settings    albingress.Settings
	// Routes are the listener rules (albingress.Route, the routing block); none sends / to the
	// Service.
	Routes []albingress.Route
	// Protect makes `pulumi destroy` refuse up front while the ALB has deletion protection on.
	Protect bool
	// Annotations go on every object (the stack's ownership marker, say).
	Annotations map[string]string
	// DependsOn holds what must exist before any of it and outlive it: the controller release
	// (which removes the finalizers), the CRDs, and the certificate validation, web ACL and log
	// bucket policy the ALB refers to.
	DependsOn []pulumi.Resource
}

// Gateway is the Gateway API exposure component.
type Gateway struct {
	pulumi.ResourceState

	Hostname pulumi.StringOutput `pulumi:"hostname"`
	// Ready is what the app's pods wait for to get their readiness gate: the namespace label and
	// the Gateway (the controller makes the ip TargetGroupBinding before it reports the address).
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a.Namespace == "" || a.Name == "" || a.ClassName == "" || a.ServiceName == "":
		return errors.New("albgateway: Namespace, Name, ClassName and ServiceName are required")
	case a.ServicePort < 1 || a.ServicePort > 65535:
		return errors.New("albgateway: ServicePort must be 1-65535")
	}
	if err := a.Settings.Validate(); err != nil {
		return fmt.Errorf("albgateway: %w", err)
	}
	if len(a.DependsOn) == 0 {
		return errors.New("albgateway: DependsOn must name the controller release or the CRDs (destroy order)")
	}
	return albingress.ValidateRoutes(a.Routes)
}

// NewGateway registers the Gateway and what it refers to. Pass the Kubernetes provider in opts.
// Destroy order is encoded in dependencies: HTTPRoutes go first, then the Gateway (the
// controller deletes the ALB and removes its finalizer), then the GatewayClass and the
// configuration objects (whose finalizers the controller removes once no Gateway or route uses
// them), and only then what DependsOn names (the controller, the CRDs).
func NewGateway(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Gateway, error) {
	if args == nil {
		return nil, errors.New("albgateway: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, err
	}
	g := &Gateway{}
	if err := ctx.RegisterComponentResource(TypeToken, name, g, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: args, parent: g}
	gate, err := corev1.NewNamespacePatch(ctx, name+"-readiness-gate", &corev1.NamespacePatchArgs{
		Metadata: metav1.ObjectMetaPatchArgs{
			Name:   pulumi.String(args.Namespace),
			Labels: pulumi.StringMap{albingress.ReadinessGateLabel: pulumi.String("enabled")},
		},
	}, pulumi.Parent(g))
	if err != nil {
		return nil, err
	}
	configs, err := b.configurations()
	if err != nil {
		return nil, err
	}
	gw, err := b.object("gateway", GatewayAPI, "Gateway", args.Name, b.gatewaySpec(), args.Protect, append(configs, gate)...)
	if err != nil {
		return nil, err
	}
	if err := provisioning.Announce(ctx, gw); err != nil {
		return nil, err
	}
	if err := b.routes(gw); err != nil {
		return nil, err
	}
	g.Hostname = gw.OtherFields.ApplyT(statusHostname).(pulumi.StringOutput)
	g.Ready = []pulumi.Resource{gate, gw}
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"hostname": g.Hostname})
}

// builder registers the component's children.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   *Args
	parent pulumi.Resource
}

// configurations registers the GatewayClass, the LoadBalancerConfiguration and the target group
// configurations, each after DependsOn.
func (b *builder) configurations() ([]pulumi.Resource, error) {
	a := b.args
	class, err := b.object("class", GatewayAPI, "GatewayClass", a.ClassName,
		map[string]any{"controllerName": ControllerName}, false)
	if err != nil {
		return nil, err
	}
	lb, err := b.object("lb-config", configAPI, lbConfigKind, a.Name, a.Settings.Resolve(a.lbConfigSpec), false)
	if err != nil {
		return nil, err
	}
	out := []pulumi.Resource{class, lb}
	for _, svc := range a.backendServices() {
		tg, err := b.object("tg-config-"+svc, configAPI, tgConfigKind, a.tgConfigName(svc), a.tgConfigSpec(svc), false)
		if err != nil {
			return nil, err
		}
		out = append(out, tg)
	}
	return out, nil
}

// object registers one Gateway API or controller object; cluster-scoped kinds (the
// GatewayClass) get no namespace. A Gateway waits for its address.
func (b *builder) object(suffix, apiVersion, kind, objName string, spec any, protect bool, after ...pulumi.Resource) (*apiextensions.CustomResource, error) {
	a := b.args
	annotations := maps.Clone(a.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[annotation.PatchForce] = "true"
	meta := metav1.ObjectMetaArgs{Name: pulumi.String(objName)}
	opts := []pulumi.ResourceOption{pulumi.Parent(b.parent), pulumi.DependsOn(slices.Concat(a.DependsOn, after)), pulumi.Protect(protect)}
	if kind != "GatewayClass" {
		meta.Namespace = pulumi.String(a.Namespace)
	}
	if kind == "Gateway" {
		annotations[waitForAnnotation] = "jsonpath=" + hostnameStatusAddress
		opts = append(opts, provisioning.Option())
	}
	meta.Annotations = pulumi.ToStringMap(annotations)
	return apiextensions.NewCustomResource(b.ctx, b.name+"-"+suffix, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(apiVersion),
		Kind:        pulumi.String(kind),
		Metadata:    meta,
		OtherFields: kubernetes.UntypedArgs{"spec": spec},
	}, opts...)
}

// statusHostname is the ALB's DNS name once the controller has made it: the controller writes
// one address of type Hostname (controllers/gateway/gateway_controller.go, updateGatewayStatusSuccess).
func statusHostname(fields map[string]any) string {
	st, _ := fields["status"].(map[string]any)
	addrs, _ := st["addresses"].([]any)
	if len(addrs) == 0 {
		return ""
	}
	first, _ := addrs[0].(map[string]any)
	host, _ := first["value"].(string)
	return host
}

// gatewaySpec has the HTTP listener, and the HTTPS one with TLS. Its certificate comes from the
// LoadBalancerConfiguration, matched by protocolPort HTTPS:443, which the controller tries before
// any other source (pkg/gateway/model/model_build_listener.go, buildCertificates: the
// configuration's defaultCertificate, then, in versions that have it, the listener's
// certificateRefs imported into ACM, then discovery by hostname), so the listener has no tls
// block; the CRD's CEL rules allow HTTPS without one. Routes of the Gateway's namespace only.
func (b *builder) gatewaySpec() map[string]any {
	a := b.args
	listener := func(name, protocol string, port int) map[string]any {
		return map[string]any{"name": name, "protocol": protocol, "port": port,
			"allowedRoutes": map[string]any{"namespaces": map[string]any{"from": "Same"}}}
	}
	listeners := []any{listener(httpListener, "HTTP", 80)}
	if a.Settings.TLS != nil {
		listeners = append(listeners, listener(httpsListener, "HTTPS", 443))
	}
	return map[string]any{
		"gatewayClassName": a.ClassName,
		"listeners":        listeners,
		"infrastructure": map[string]any{"parametersRef": map[string]any{
			"group": ConfigGroup, "kind": lbConfigKind, "name": a.Name,
		}},
	}
}

// backendServices are the Services the routes forward to, each once, in order of first use.
func (a *Args) backendServices() []string {
	var out []string
	for _, r := range a.routesOrDefault() {
		if r.Forward == nil {
			continue
		}
		for _, be := range r.Forward.Backends {
			if !slices.Contains(out, be.Service) {
				out = append(out, be.Service)
			}
		}
	}
	return out
}

// lbConfigSpec is the LoadBalancerConfiguration (apis/gateway/v1/loadbalancerconfig_types.go at
// v3.5.0). Everything is explicit: the controller's default scheme is internal. Leaving wafV2 out
// detaches a web ACL the controller attached before (pkg/gateway/model/addons, buildWAFv2, and
// the wafv2 association synthesizer), so turning WAF off needs no "none" as the Ingress does.
func (a *Args) lbConfigSpec(r albingress.Refs) map[string]any {
	s := a.Settings
	spec := s.LoadBalancerSpec(r)
	if s.LoadBalancerName != "" {
		spec["loadBalancerName"] = s.LoadBalancerName
	}
	if s.TLS != nil {
		spec["listenerConfigurations"] = []any{map[string]any{
			"protocolPort": "HTTPS:443", "defaultCertificate": r.CertificateArn, "sslPolicy": s.TLS.SSLPolicy,
		}}
	}
	if s.WAF != nil {
		spec["wafV2"] = map[string]any{"webACL": r.WebACLArn}
	}
	if len(s.InboundCIDRs) > 0 {
		spec["sourceRanges"] = s.InboundCIDRs
	}
	if len(s.Tags) > 0 {
		spec["tags"] = s.Tags
	}
	return spec
}

// tgConfigSpec is the TargetGroupConfiguration of one backend Service
// (apis/gateway/v1/targetgroupconfig_types.go at v3.5.0): ip targets (the controller's default is
// instance) and the health check, as the Ingress's annotations set them.
func (a *Args) tgConfigSpec(service string) map[string]any {
	hc := a.Settings.HealthCheck
	return map[string]any{
		"targetReference": map[string]any{"group": "", "kind": "Service", "name": service},
		"defaultConfiguration": map[string]any{
			"targetType": "ip",
			"protocol":   "HTTP",
			"healthCheckConfig": map[string]any{
				"healthCheckPath":         hc.Path,
				"healthCheckProtocol":     "HTTP",
				"healthCheckInterval":     hc.IntervalSeconds,
				"healthCheckTimeout":      hc.TimeoutSeconds,
				"healthyThresholdCount":   hc.HealthyThreshold,
				"unhealthyThresholdCount": hc.UnhealthyThreshold,
				"matcher":                 map[string]any{"httpCode": a.Settings.SuccessCodes},
			},
		},
	}
}
