package stacks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/mod/semver"

	"github.com/mlops-retail/retail-api-edge/components/albgateway"
	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/gatewayapi"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// GatewayConfig is the `gateway` block: Option C's Gateway, its GatewayClass and the Gateway API
// CRDs. The ALB settings of the `ingress` block other than its name (`loadBalancerName`,
// `successCodes`, `idleTimeoutSeconds`, `deletionProtection`) apply to the Gateway's ALB too.
type GatewayConfig struct {
	// The Gateway object's name, in `app.namespace`; its LoadBalancerConfiguration, HTTPRoutes and
	// target group configurations are named from it.
	Name string `json:"name"`
	// The GatewayClass's name. GatewayClasses are cluster-wide: each stack needs its own.
	// Default: retail-api-edge-<stack>.
	ClassName string `json:"className"`
	// `true`: this stack installs the Gateway API's standard-channel CRDs, pinned at the release
	// the program embeds (v1.6.3), before the controller starts, and owns them: `pulumi destroy`
	// deletes them, and with them every Gateway API object in the cluster. The preview refuses
	// when the cluster already has them from someone else. `false`: use the CRDs that are there,
	// checked in preview (v1.6.0 or later, standard or experimental channel).
	InstallCRDs bool `json:"installCrds"`
}

func (g *GatewayConfig) setDefaults() { *g = GatewayConfig{Name: "retail-api", InstallCRDs: true} }

// complete names the GatewayClass after the stack, as the Auto Mode IngressClass is.
func (g *GatewayConfig) complete(c *Config) {
	if g.ClassName == "" {
		g.ClassName = autoModeClass(c.Stack)
	}
}

func (g *GatewayConfig) validate(_ *Config, v *validator) {
	v.kube(k("gateway.name"), "Gateway name", g.Name, objectName)
	if g.ClassName != "" {
		v.kube(k("gateway.className"), "GatewayClass name", g.ClassName, objectName)
	}
}

func (*GatewayConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"gateway.name", "gateway.className", "gateway.installCrds"},
		active: func(c *Config) bool { return c.Exposure == ExposeGateway },
		needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeGateway) },
	}}
}

// gatewayExposure is Option C: the AWS Load Balancer Controller (as in Option B) serving a
// Gateway API Gateway and its HTTPRoutes in front of the ClusterIP app Service. Its role, AWS
// needs and controller are Option B's.
type gatewayExposure struct{ ingressExposure }

// validate: Option B's needs, and what HTTPRoute cannot say. EKS Auto Mode's own Gateway API
// support is not used (its details were unconfirmed when this was written: FIELD-NOTES).
func (g gatewayExposure) validate(v *validator) {
	g.ingressExposure.validate(v)
	c := g.cfg
	v.check(!c.Cluster.autoModeOn(), k("exposure"), "%s is served by the AWS Load Balancer Controller, which this program does "+
		"not install on EKS Auto Mode: use %s %s there (Auto Mode's own ALBs), or set %s false", ExposeGateway, k("exposure"),
		ExposeIngress, k("cluster.autoMode"))
	for i, rule := range c.Routing.Rules {
		if rule.Redirect != nil {
			key := fmt.Sprintf("%s[%d].redirect", k("routing.rules"), i)
			r := rule.Redirect
			v.check(!strings.Contains(r.Host+r.Path+r.Query, "#{"), key,
				"uses #{...} placeholders, which the Gateway API's RequestRedirect does not take (an empty part keeps the request's)")
		}
	}
	c.Routing.validateGatewayOrder(v)
}

// objects: Option B's controller objects, and the Gateway, its class, the HTTPRoutes and the CRDs
// this stack installs.
func (g gatewayExposure) objects(autoMode bool) []ownership.Object {
	cfg := g.cfg
	ns := cfg.App.Namespace
	own := func(kind ownership.Kind, namespace, objName, key string) ownership.Object {
		return ownership.Object{Kind: kind, Namespace: namespace, Name: objName, WayOut: func(owner string) string {
			return fmt.Sprintf("Give this stack its own %s, or destroy stack %q's first.", k(key), stackOf(owner))
		}}
	}
	// Of the settings only TLS changes which objects exist (the HTTP listener's redirect route).
	var s albingress.Settings
	if cfg.TLS.Enabled {
		s.TLS = &albingress.TLS{}
	}
	var objects []ownership.Object
	for _, o := range g.gatewayArgs(s).Objects() {
		if o.Kind == string(ownership.GatewayClass) {
			objects = append(objects, own(ownership.GatewayClass, "", o.Name, "gateway.className"))
			continue
		}
		// Every other name starts with gateway.name (the routes, the controller's configurations).
		objects = append(objects, own(ownership.Kind(o.Kind), ns, o.Name, "gateway.name"))
	}
	for _, o := range g.ingressExposure.objects(autoMode) {
		if o.Kind != ownership.Ingress {
			objects = append(objects, o)
		}
	}
	return objects
}

// gatewayArgs are the Gateway component's args from the config and the ALB settings.
func (g gatewayExposure) gatewayArgs(s albingress.Settings) *albgateway.Args {
	cfg := g.cfg
	return &albgateway.Args{
		Namespace: cfg.App.Namespace, Name: cfg.Gateway.Name, ClassName: cfg.Gateway.ClassName,
		ServiceName: cfg.App.ServiceName, ServicePort: cfg.App.Port,
		Settings: s, Routes: cfg.Routing.routes(), Protect: cfg.Ingress.DeletionProtection,
		Annotations: cfg.ownerMarker(),
	}
}

// check: the controller as Option B checks it, then the CRDs.
func (g gatewayExposure) check(ctx context.Context, r ownership.Reader, autoMode bool) error {
	if err := g.ingressExposure.check(ctx, r, autoMode); err != nil {
		return err
	}
	return checkGatewayCRDs(ctx, r, g.cfg)
}

// checkGatewayCRDs: a stack that installs the CRDs finds none it did not install (creating them
// would fail, and destroying them would delete other teams' Gateways); one that uses the
// cluster's finds them at a release the controller serves. The release is the bundle-version
// annotation every CRD of the Gateway API carries (config/crd/standard/*.yaml).
func checkGatewayCRDs(ctx context.Context, r ownership.Reader, cfg *Config) error {
	var found, missing, old []string
	for _, name := range gatewayapi.Names() {
		m, exists, err := r.Metadata(ctx, ownership.CRD, "", name)
		if err != nil {
			return fmt.Errorf("reading CustomResourceDefinition %s: %w", name, err)
		}
		version := m.Annotations[gatewayapi.BundleVersionAnnotation]
		switch {
		case cfg.Gateway.InstallCRDs && exists && m.Annotations[ownership.Annotation] != cfg.owner():
			found = append(found, fmt.Sprintf("%s (%s, %s)", name, orUnknown(version), crdOwner(m)))
		case !cfg.Gateway.InstallCRDs && !exists:
			missing = append(missing, name)
		case !cfg.Gateway.InstallCRDs && (!semver.IsValid(version) || semver.Compare(version, gatewayapi.MinBundleVersion) < 0):
			old = append(old, fmt.Sprintf("%s (%s)", name, orUnknown(version)))
		}
	}
	var errs []error
	if len(found) > 0 {
		errs = append(errs, fmt.Errorf("this stack would install the Gateway API CRDs %s, and the cluster already has them: %s; "+
			"nothing was changed. To use them: `pulumi config set --path %s false` (the preview then checks they are %s or later)",
			gatewayapi.BundleVersion, strings.Join(found, "; "), k("gateway.installCrds"), gatewayapi.MinBundleVersion))
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("%s is false, and the cluster has no %s; install the Gateway API's standard channel "+
			"(%s or later) first, or set %s true to have this stack install %s", k("gateway.installCrds"),
			strings.Join(missing, ", "), gatewayapi.MinBundleVersion, k("gateway.installCrds"), gatewayapi.BundleVersion))
	}
	if len(old) > 0 {
		errs = append(errs, fmt.Errorf("the cluster's Gateway API CRDs are older than %s, which the AWS Load Balancer Controller %s "+
			"is built against: %s. Upgrade them (`kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/"+
			"releases/download/%s/standard-install.yaml`), then restart the controller", gatewayapi.MinBundleVersion,
			cfg.Controller.ChartVersion, strings.Join(old, "; "), gatewayapi.BundleVersion))
	}
	return errors.Join(errs...)
}

func orUnknown(version string) string {
	if version == "" {
		return "no " + gatewayapi.BundleVersionAnnotation
	}
	return version
}

// crdOwner says where CRDs came from: another stack, a Helm release (the controller's chart can
// install them too), or someone unknown.
func crdOwner(m ownership.Metadata) string {
	if owner := m.Annotations[ownership.Annotation]; owner != "" {
		return "stack " + stackOf(owner)
	}
	if release := m.Annotations[ownership.HelmReleaseName]; release != "" {
		return "Helm release " + release
	}
	return "installed outside any stack"
}

// register installs the CRDs (when this stack owns them), the controller after them, then the
// ClusterIP app Service, the Gateway with its configuration and routes, and the API. Destroy runs
// it backwards: routes and Gateway while the controller still runs (it deletes the ALB and
// removes the finalizers), then the controller, then the CRDs.
func (g gatewayExposure) register(ctx *pulumi.Context, cl *cluster.Cluster, aws pulumi.ProviderResource, e *edge) (*endpoint, error) {
	cfg := g.cfg
	if cl.AutoMode {
		return nil, fmt.Errorf("EKS cluster %q runs Auto Mode's load balancing, and %s %s needs the AWS Load Balancer Controller, "+
			"which this program does not install there: use %s %s, or set %s false to install the controller anyway",
			cfg.Cluster.Name, k("exposure"), ExposeGateway, k("exposure"), ExposeIngress, k("cluster.autoMode"))
	}
	var crds []pulumi.Resource
	if cfg.Gateway.InstallCRDs {
		c, err := gatewayapi.NewCRDs(ctx, "gateway-api", &gatewayapi.Args{Annotations: cfg.ownerMarker()}, pulumi.Provider(cl.Provider))
		if err != nil {
			return nil, err
		}
		crds = c.Ready
	}
	ctrl, err := newController(ctx, cfg, cl, aws, crds)
	if err != nil {
		return nil, err
	}
	svc, err := controllerAppService(ctx, cfg, cl, ctrl)
	if err != nil {
		return nil, err
	}
	args := g.gatewayArgs(ingressSettings(cfg, e))
	// The CRDs directly, not only through the release: when a stack leaves Option C the release
	// stays (updated, no longer after the CRDs), and a path through it would no longer hold the
	// CRDs until their objects are gone (found by cli-gateway: the CRDs' deletion hung on the
	// GatewayClass's finalizer).
	args.DependsOn = slices.Concat(crds, ctrl.ready, []pulumi.Resource{svc}, e.ready)
	gw, err := albgateway.NewGateway(ctx, AppName, args, pulumi.Provider(cl.Provider))
	if err != nil {
		return nil, err
	}
	if err := deployApp(ctx, cfg, cl, slices.Concat(ctrl.ready, gw.Ready)); err != nil {
		return nil, err
	}
	out := pulumi.Map{"albHostname": gw.Hostname, "gatewayName": pulumi.String(cfg.Gateway.Name), "controllerRoleArn": ctrl.roleArn}
	return &endpoint{hostname: gw.Hostname, port: 80, object: "gateway " + cfg.Gateway.Name, outputs: out}, nil
}
