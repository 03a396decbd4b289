package stacks

import (
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
)

// optionB installs the controller, then the ClusterIP app Service, the ALB Ingress in front of it
// and (with app.image) the API. The Ingress depends on the controller release, and the release on
// its role, policy attachment and service account, so `pulumi destroy` removes them in the
// reverse order: the controller is still running when the Ingress goes, and deletes the ALB and
// the Ingress finalizer. The Service and the pods wait for the release too: the controller's
// webhook rejects Service creation (failurePolicy Fail) until it answers, and pods created before
// it runs get no readiness gate.
func optionB(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, aws pulumi.ProviderResource) (pulumi.Map, error) {
	ctrl, err := newController(ctx, cfg, cl, aws)
	if err != nil {
		return nil, err
	}
	sa := serviceArgs(cfg)
	sa.DependsOn = ctrl.ready
	svc, err := servicelb.NewAppService(ctx, AppName, sa, pulumi.Provider(cl.AdoptProvider))
	if err != nil {
		return nil, err
	}
	args := &albingress.Args{
		Namespace: cfg.App.Namespace, Name: cfg.Ingress.Name,
		ServiceName: svc.ServiceName, ServicePort: cfg.App.Port,
		Settings: ingressSettings(cfg), Protect: cfg.Ingress.DeletionProtection,
		Annotations: cfg.ownerMarker(), ControllerElsewhere: !cfg.Controller.Install,
	}
	e, err := newEdge(ctx, cfg, aws, args)
	if err != nil {
		return nil, err
	}
	args.DependsOn = slices.Concat(ctrl.ready, e.ready)
	ing, err := albingress.NewIngress(ctx, AppName, args, pulumi.Provider(cl.Provider))
	if err != nil {
		return nil, err
	}
	if err := e.alias(ctx, cfg, aws, ing.Hostname); err != nil {
		return nil, err
	}
	if err := deployApp(ctx, cfg, cl, slices.Concat(ctrl.ready, []pulumi.Resource{ing.ReadinessGate})); err != nil {
		return nil, err
	}
	out := outputs(cfg, cl.Name, ing.Hostname)
	out["albHostname"] = ing.Hostname
	out["controllerRoleArn"] = ctrl.roleArn
	maps.Copy(out, e.out)
	if cfg.TLS.Enabled {
		out["httpsUrl"] = out["url"]
	}
	return out, nil
}

// controller is the load balancer controller as the rest of Option B sees it: what to wait for
// (the release this stack installs; nothing when it relies on another stack's, which precheck
// found in preview) and the role it runs as.
type controller struct {
	ready   []pulumi.Resource
	roleArn pulumi.StringOutput
}

func newController(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, aws pulumi.ProviderResource) (controller, error) {
	c := cfg.Controller
	if !c.Install {
		return controller{roleArn: pulumi.String(c.RoleArn).ToStringOutput()}, nil
	}
	ctrl, err := lbcontroller.NewController(ctx, "lb-controller", &lbcontroller.Args{
		ClusterName: cfg.Cluster.Name, Region: cfg.Region, Partition: partition(cfg.Region), VpcID: cl.VpcID,
		OIDCProviderArn: cl.OIDCProviderArn, OIDCIssuer: cl.OIDCIssuer, RoleArn: c.RoleArn,
		Namespace: c.Namespace, ServiceAccount: c.ServiceAccount,
		Chart: c.Chart, ChartVersion: c.ChartVersion, Repository: c.Repository,
		Replicas: c.Replicas, DefaultSSLPolicy: c.DefaultSSLPolicy,
		AwsProvider: aws, KubernetesProvider: cl.Provider, Annotations: cfg.ownerMarker(),
	})
	if err != nil {
		return controller{}, err
	}
	return controller{ready: []pulumi.Resource{ctrl.Release}, roleArn: ctrl.RoleArn}, nil
}

func ingressSettings(cfg *Config) albingress.Settings {
	h, i := cfg.Health, cfg.Ingress
	return albingress.Settings{
		HealthCheck: albingress.HealthCheck{
			Path: cfg.App.HealthPath, IntervalSeconds: h.IntervalSeconds, TimeoutSeconds: h.TimeoutSeconds,
			HealthyThreshold: h.HealthyThreshold, UnhealthyThreshold: h.UnhealthyThreshold, SuccessCodes: i.SuccessCodes,
		},
		Tags:               cfg.Tags,
		LoadBalancerName:   i.LoadBalancerName,
		DeletionProtection: i.DeletionProtection,
		IdleTimeoutSeconds: i.IdleTimeoutSeconds,
		InboundCIDRs:       cfg.Service.SourceRanges,
		DualStack:          cfg.Domain.IPv6,
	}
}

// partition is the AWS partition of a region, for ARNs.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
