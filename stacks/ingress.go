package stacks

import (
	"context"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// ingressExposure is Option B: the AWS Load Balancer Controller, and an ALB Ingress in front of the
// ClusterIP app Service.
type ingressExposure struct{ cfg *Config }

func (ingressExposure) loadBalancer() lbkind.Kind { return lbkind.ALB }

// runsLoadBalancer: the ALB is the Ingress's, whoever owns the Service.
func (ingressExposure) runsLoadBalancer() bool { return true }

// needsAWS: the controller's IAM role, unless it is given or another stack's controller is used.
func (i ingressExposure) needsAWS() bool {
	c := i.cfg.Controller
	return c.Install && c.RoleArn == ""
}

func (i ingressExposure) needsOIDC() bool { return i.needsAWS() }

// validate checks that, when the cluster is reached by kubeconfig, Option B is given what an EKS
// lookup would have provided: the VPC for the controller and a role for it to assume.
func (i ingressExposure) validate(v *validator) {
	c := i.cfg
	if c.Cluster.Kubeconfig == "" || !c.Controller.Install {
		return
	}
	v.check(c.Cluster.VpcID != "", k("cluster.vpcId"),
		"is required with cluster.kubeconfig and Option B: the controller needs the cluster's VPC ID")
	v.check(c.Controller.RoleArn != "", k("controller.roleArn"),
		"is required with cluster.kubeconfig and Option B: without an EKS lookup there is no OIDC provider to make a role for")
	v.check(!c.Cluster.CreateOIDCProvider, k("cluster.createOidcProvider"),
		"needs the EKS lookup, which cluster.kubeconfig replaces")
}

// check: a stack that installs the controller finds none it did not install; one that relies on
// another's finds it, serving the class its Ingress names.
func (i ingressExposure) check(ctx context.Context, r ownership.Reader) error {
	if i.cfg.Controller.Install {
		return ownership.CheckInstall(ctx, r, i.cfg.owner(), installedController(i.cfg))
	}
	return ownership.CheckController(ctx, r, reliedOnController(i.cfg))
}

// register installs the controller, then the ClusterIP app Service, the ALB Ingress in front of it
// and (with app.image) the API. The Ingress depends on the controller release, and the release on
// its role, policy attachment and service account, so `pulumi destroy` removes them in the
// reverse order: the controller is still running when the Ingress goes, and deletes the ALB and
// the Ingress finalizer. The Service and the pods wait for the release too: the controller's
// webhook rejects Service creation (failurePolicy Fail) until it answers, and pods created before
// it runs get no readiness gate.
func (i ingressExposure) register(ctx *pulumi.Context, cl *cluster.Cluster, aws pulumi.ProviderResource, e *edge) (*endpoint, error) {
	cfg := i.cfg
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
		Settings: ingressSettings(cfg, e), Protect: cfg.Ingress.DeletionProtection,
		Annotations: cfg.ownerMarker(), ControllerElsewhere: !cfg.Controller.Install,
		DependsOn: slices.Concat(ctrl.ready, e.ready),
	}
	ing, err := albingress.NewIngress(ctx, AppName, args, pulumi.Provider(cl.Provider))
	if err != nil {
		return nil, err
	}
	if err := deployApp(ctx, cfg, cl, slices.Concat(ctrl.ready, ing.Ready)); err != nil {
		return nil, err
	}
	out := pulumi.Map{"albHostname": ing.Hostname, "controllerRoleArn": ctrl.roleArn}
	return &endpoint{hostname: ing.Hostname, port: 80, object: "ingress " + cfg.Ingress.Name, outputs: out}, nil
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
	roleName, policyPrefix := cfg.controllerNames()
	ctrl, err := lbcontroller.NewController(ctx, "lb-controller", &lbcontroller.Args{
		ClusterName: cfg.Cluster.Name, Region: cfg.Region, Partition: partition(cfg.Region), VpcID: cl.VpcID,
		OIDCProviderArn: cl.OIDCProviderArn, OIDCIssuer: cl.OIDCIssuer, RoleArn: c.RoleArn,
		RoleName: roleName, PolicyNamePrefix: policyPrefix, PermissionsBoundary: cfg.IAM.PermissionsBoundary,
		Namespace: c.Namespace, ServiceAccount: c.ServiceAccount,
		Chart: c.Chart, ChartVersion: c.ChartVersion, Repository: c.Repository,
		Replicas: c.Replicas, DefaultSSLPolicy: c.DefaultSSLPolicy,
		Annotations: cfg.ownerMarker(),
	}, providers(aws, cl.Provider))
	if err != nil {
		return controller{}, err
	}
	return controller{ready: ctrl.Ready, roleArn: ctrl.RoleArn}, nil
}

// ingressSettings are the ALB's settings, with the edge features e registered.
func ingressSettings(cfg *Config, e *edge) albingress.Settings {
	i := cfg.Ingress
	return albingress.Settings{
		HealthCheck:        healthCheck(cfg),
		SuccessCodes:       i.SuccessCodes,
		Tags:               cfg.Tags,
		LoadBalancerName:   i.LoadBalancerName,
		DeletionProtection: i.DeletionProtection,
		IdleTimeoutSeconds: i.IdleTimeoutSeconds,
		InboundCIDRs:       cfg.Service.SourceRanges,
		DualStack:          cfg.Domain.IPv6,
		TLS:                e.tls,
		WAF:                e.waf,
		AccessLogs:         e.logs,
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
