package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/components/workload"
)

// AppName names the components that carry the app (Service, workload). It is part of their URNs:
// changing it would replace them, so it is fixed.
const AppName = "retail-api"

// Deploy registers the resources for cfg and returns the stack outputs. open reads the cluster for
// the ownership checks; nil skips them (offline).
func Deploy(ctx *pulumi.Context, cfg *Config, open ClusterReader) (pulumi.Map, error) {
	var awsProvider pulumi.ProviderResource // stays nil when nothing needs AWS: no provider, no credentials
	if NeedsAWS(cfg) {
		p, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
			Region:      pulumi.String(cfg.Region),
			DefaultTags: aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
		})
		if err != nil {
			return nil, err
		}
		awsProvider = p
	}
	clArgs := clusterArgs(cfg, awsProvider)
	clArgs.Precheck = precheck(cfg, open)
	cl, err := cluster.NewCluster(ctx, "cluster", clArgs)
	if err != nil {
		return nil, err
	}
	if cfg.Exposure == ExposeIngress {
		return optionB(ctx, cfg, cl, awsProvider)
	}
	svc, err := servicelb.NewAppService(ctx, AppName, serviceArgs(cfg), pulumi.Provider(cl.AdoptProvider))
	if err != nil {
		return nil, err
	}
	if err := deployApp(ctx, cfg, cl, nil); err != nil {
		return nil, err
	}
	return outputs(cfg, cl.Name, svc.Hostname), nil
}

// NeedsAWS says whether the stack makes any AWS call. One that reaches its cluster by kubeconfig,
// and in Option B brings the controller's role and uses no AWS edge feature, registers no AWS
// provider at all: its Kubernetes half runs without AWS credentials (the integration test does).
func NeedsAWS(cfg *Config) bool {
	if cfg.Cluster.Kubeconfig == "" {
		return true
	}
	if cfg.Exposure != ExposeIngress {
		return false
	}
	return controllerRole(cfg) || cfg.Domain.Name != "" || cfg.TLS.Enabled || cfg.WAF.Enabled || cfg.AccessLogs.Enabled
}

// controllerRole says whether the stack makes the controller's IAM role (Option B, installing the
// controller, no role given).
func controllerRole(cfg *Config) bool {
	return cfg.Exposure == ExposeIngress && cfg.Controller.Install && cfg.Controller.RoleArn == ""
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

func clusterArgs(cfg *Config, awsProvider pulumi.ProviderResource) *cluster.Args {
	c := cfg.Cluster
	return &cluster.Args{
		Name: c.Name, Region: cfg.Region, AwsProvider: awsProvider, Create: c.Create,
		Kubeconfig: c.Kubeconfig, Context: c.Context, VpcID: c.VpcID,
		NeedOIDC:           controllerRole(cfg),
		CreateOIDCProvider: c.CreateOIDCProvider, Partition: partition(cfg.Region),
		New: cluster.NewClusterArgs{
			KubernetesVersion: c.KubernetesVersion, InstanceType: c.InstanceType,
			DesiredNodes: c.DesiredNodes, MinNodes: c.MinNodes, MaxNodes: c.MaxNodes,
			VpcID: c.VpcID, PublicSubnetIDs: c.PublicSubnetIDs, Tags: cfg.Tags,
		},
	}
}

func workloadArgs(cfg *Config) *workload.Args {
	a := cfg.App
	return &workload.Args{
		Namespace: a.Namespace, Name: a.DeploymentName, Labels: a.Selector, Image: a.Image,
		Replicas: a.Replicas, Port: a.TargetPort, HealthPath: a.HealthPath,
		Annotations: cfg.appMarker(), Retain: a.HandOverTo != "",
	}
}

func serviceArgs(cfg *Config) *servicelb.Args {
	a := cfg.App
	args := &servicelb.Args{
		Namespace: a.Namespace, Name: a.ServiceName, Selector: a.Selector,
		Port: a.Port, TargetPort: a.TargetPort,
		Labels:      map[string]string{"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": Project},
		Annotations: cfg.appMarker(), Retain: a.HandOverTo != "",
	}
	if cfg.Exposure == ExposeService && a.HandOverTo == "" {
		args.SourceRanges = cfg.Service.SourceRanges
		args.LoadBalancer = &servicelb.LoadBalancer{
			Flavour:     servicelb.Flavour(cfg.Service.LoadBalancer),
			HealthCheck: healthCheck(cfg),
			Tags:        cfg.Tags,
		}
	}
	return args
}

func healthCheck(cfg *Config) servicelb.HealthCheck {
	h := cfg.Health
	return servicelb.HealthCheck{
		Path:            cfg.App.HealthPath,
		IntervalSeconds: h.IntervalSeconds, TimeoutSeconds: h.TimeoutSeconds,
		HealthyThreshold: h.HealthyThreshold, UnhealthyThreshold: h.UnhealthyThreshold,
	}
}

// outputs are what a user needs after `pulumi up`: where the API is and how to check it.
// hostname is the NLB's (Option A) or the ALB's (Option B, which listens on port 80).
func outputs(cfg *Config, clusterName, hostname pulumi.StringOutput) pulumi.Map {
	a := cfg.App
	port, object := a.Port, "svc "+a.ServiceName
	if cfg.Exposure == ExposeIngress {
		port, object = 80, "ingress "+cfg.Ingress.Name
	}
	base := hostname.ApplyT(func(h string) string { return httpURL(h, port) }).(pulumi.StringOutput)
	if d := cfg.Domain; cfg.Exposure == ExposeIngress && d.Name != "" && (d.Alias || cfg.TLS.Enabled) {
		scheme := "http"
		if cfg.TLS.Enabled {
			scheme = "https"
		}
		base = pulumi.Sprintf("%s://%s", scheme, d.Name)
	}
	path := func(p string) pulumi.StringOutput { return pulumi.Sprintf("%s%s", base, p) }
	return pulumi.Map{
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
			pulumi.Sprintf("kubectl -n %s get %s -o wide", a.Namespace, object),
			pulumi.Sprintf("kubectl -n %s get endpoints %s", a.Namespace, a.ServiceName),
			pulumi.Sprintf("curl -f %s", path(a.HealthPath)),
		},
	}
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
