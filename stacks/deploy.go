package stacks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/workload"
	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// AppName names the components that carry the app (Service, workload). It is part of their URNs:
// changing it would replace them, so it is fixed.
const AppName = "retail-api"

// Deploy registers the resources for cfg and returns the stack outputs. open reads the cluster for
// the ownership checks; nil skips them (offline).
func Deploy(ctx *pulumi.Context, cfg *Config, open ClusterReader) (pulumi.Map, error) {
	var awsProvider pulumi.ProviderResource // stays nil when nothing needs AWS: no provider, no credentials
	if NeedsAWS(cfg) {
		p, err := aws.NewProvider(ctx, "aws", cfg.providerArgs())
		if err != nil {
			return nil, err
		}
		awsProvider = p
	}
	clArgs := clusterArgs(cfg)
	clArgs.Precheck = precheck(cfg, open)
	// Preflight runs where the cluster is read for real (pulumi preview and up), not offline.
	clArgs.CheckPublicSubnets = open != nil && cfg.exposure().loadBalancer() == lbkind.ALB
	cl, err := cluster.NewCluster(ctx, "cluster", clArgs, providers(awsProvider))
	if err != nil {
		return nil, fielderr.Name(err, clusterKeys)
	}
	if err := checkPodIdentityAgent(ctx, cfg, cl, awsProvider); err != nil {
		return nil, err
	}
	e, err := newEdge(ctx, cfg, awsProvider)
	if err != nil {
		return nil, err
	}
	ep, err := cfg.exposure().register(ctx, cl, awsProvider, e)
	if err != nil {
		return nil, err
	}
	if err := e.attach(ctx, cfg, awsProvider, ep.hostname); err != nil {
		return nil, err
	}
	out := outputs(cfg, cl.Name, ep)
	maps.Copy(out, ep.outputs)
	maps.Copy(out, e.out)
	return out, nil
}

// providers hands a component the providers it takes through its options (pulumi-awsx's and
// pulumi-eks's way), skipping the AWS one where the stack registers none.
func providers(ps ...pulumi.ProviderResource) pulumi.ResourceOption {
	return pulumi.Providers(slices.DeleteFunc(ps, func(p pulumi.ProviderResource) bool { return p == nil })...)
}

// NeedsAWS says whether the stack makes any AWS call. One that reaches its cluster by kubeconfig,
// and whose exposure and edge features make no AWS call (Option A, or Option B with the
// controller's role given), registers no AWS provider at all: its Kubernetes half runs without
// AWS credentials (the integration test does).
func NeedsAWS(cfg *Config) bool {
	if cfg.Cluster.Kubeconfig == "" || cfg.exposure().needsAWS() {
		return true
	}
	return slices.ContainsFunc(features, func(f feature) bool { return f.needsAWS && f.on(cfg) })
}

// deployApp deploys the API itself when app.image is set, after everything in deps.
func deployApp(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, deps []pulumi.Resource) error {
	if cfg.App.Image == "" {
		return nil
	}
	args := workloadArgs(cfg)
	args.DependsOn = deps
	_, err := workload.NewWorkload(ctx, AppName, args, pulumi.Provider(cl.AdoptProvider))
	return err
}

// clusterKeys name cluster.Args fields, which the component's errors may ask the user to set, as
// the config keys clusterArgs takes them from.
var clusterKeys = map[string]string{
	"CreateOIDCProvider": k("cluster.createOidcProvider"),
	"VpcID":              k("cluster.vpcId"),
	"PublicSubnetIDs":    k("cluster.publicSubnetIds"),
}

func clusterArgs(cfg *Config) *cluster.Args {
	c := cfg.Cluster
	return &cluster.Args{
		Name: c.Name, Region: cfg.Region, Create: c.Create,
		Kubeconfig: c.Kubeconfig, Context: c.Context, VpcID: c.VpcID,
		NeedOIDC: cfg.exposure().needsOIDC(), AutoMode: c.AutoMode,
		PodIdentityAgent:   c.Create && cfg.exposure().needsPodIdentityAgent(),
		CreateOIDCProvider: c.CreateOIDCProvider, Partition: partition(cfg.Region), Identity: cfg.AWS.identity(),
		New: cluster.NewClusterArgs{
			KubernetesVersion: c.KubernetesVersion, InstanceType: c.InstanceType, AMIType: c.amiType(),
			DesiredNodes: c.DesiredNodes, MinNodes: c.MinNodes, MaxNodes: c.MaxNodes,
			VpcID: c.VpcID, PublicSubnetIDs: c.PublicSubnetIDs, Tags: cfg.Tags,
			NodeRoleName: cfg.nodeRoleName(), PermissionsBoundary: cfg.IAM.PermissionsBoundary,
		},
	}
}

// amiType is the configured AMI, or Amazon Linux 2023 for the instance type's architecture.
func (c ClusterConfig) amiType() string {
	if c.AMIType != "" {
		return c.AMIType
	}
	return defaultAMIType(c.InstanceType)
}

func workloadArgs(cfg *Config) *workload.Args {
	a := cfg.App
	return &workload.Args{
		Namespace: a.Namespace, Name: a.DeploymentName, Labels: a.Selector, Image: a.Image,
		Replicas: a.Replicas, Port: a.TargetPort, HealthPath: a.HealthPath,
		Annotations: cfg.appMarker(), Retain: a.HandOverTo != "",
	}
}

// outputs are what a user needs after `pulumi up`: where the API is and how to check it. With a
// domain name (which only an ALB takes), the URLs use it.
func outputs(cfg *Config, clusterName pulumi.StringOutput, ep *endpoint) pulumi.Map {
	a, hostname := cfg.App, ep.hostname
	base := hostname.ApplyT(func(h string) string { return httpURL(h, ep.port) }).(pulumi.StringOutput)
	if d := cfg.Domain; d.Name != "" && (d.Alias || cfg.TLS.Enabled) {
		scheme := "http"
		if cfg.TLS.Enabled {
			scheme = "https"
		}
		base = pulumi.Sprintf("%s://%s", scheme, d.Name)
	}
	path := func(p string) pulumi.StringOutput { return pulumi.Sprintf("%s%s", base, p) }
	out := pulumi.Map{
		"exposure":             pulumi.String(string(cfg.Exposure)),
		"clusterName":          clusterName,
		"namespace":            pulumi.String(a.Namespace),
		"serviceName":          pulumi.String(a.ServiceName),
		"loadBalancerHostname": hostname,
		"url":                  base,
		"healthUrl":            path(a.HealthPath),
		"docsUrl":              path("/docs"),
		"predictUrl":           path("/predict"),
		"checkCommands": pulumi.StringArray{
			kubectlSetup(cfg, clusterName),
			pulumi.Sprintf("kubectl -n %s get %s -o wide", a.Namespace, ep.object),
			pulumi.Sprintf("kubectl -n %s get endpoints %s", a.Namespace, a.ServiceName),
			pulumi.Sprintf("curl -f %s", path(a.HealthPath)),
		},
	}
	if cfg.TLS.Enabled {
		out["httpsUrl"] = base
	}
	return out
}

// kubectlSetup is the command that points kubectl at the cluster.
func kubectlSetup(cfg *Config, clusterName pulumi.StringOutput) pulumi.StringOutput {
	c := cfg.Cluster
	switch {
	case c.Kubeconfig == "":
		return pulumi.Sprintf("aws eks update-kubeconfig --name %s --region %s", clusterName, cfg.Region)
	case cluster.InlineKubeconfig(c.Kubeconfig):
		return pulumi.String("# use the kubeconfig in retail-api-edge:cluster.kubeconfig").ToStringOutput()
	case c.Context != "":
		return pulumi.Sprintf("export KUBECONFIG=%s; kubectl config use-context %s", c.Kubeconfig, c.Context)
	}
	return pulumi.Sprintf("export KUBECONFIG=%s", c.Kubeconfig)
}

// httpURL is the load balancer's plain-HTTP base URL; the port is left out when it is 80.
func httpURL(host string, port int) string {
	if port == 80 {
		return "http://" + host
	}
	return fmt.Sprintf("http://%s:%d", host, port)
}
