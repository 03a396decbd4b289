package stacks

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
)

// optionB installs the controller and the ALB Ingress in front of the (ClusterIP) app Service.
// The Ingress depends on the controller release, and the release on its role, policy attachment
// and service account, so `pulumi destroy` removes them in the reverse order: the controller is
// still running when the Ingress goes, and deletes the ALB and the Ingress finalizer.
func optionB(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, aws pulumi.ProviderResource,
	serviceName pulumi.StringInput,
) (hostname, roleArn pulumi.StringOutput, err error) {
	c := cfg.Controller
	ctrl, err := lbcontroller.NewController(ctx, "lb-controller", &lbcontroller.Args{
		ClusterName: cfg.Cluster.Name, Region: cfg.Region, Partition: partition(cfg.Region), VpcID: cl.VpcID,
		OIDCProviderArn: cl.OIDCProviderArn, OIDCIssuer: cl.OIDCIssuer,
		Namespace: c.Namespace, ServiceAccount: c.ServiceAccount,
		Chart: c.Chart, ChartVersion: c.ChartVersion, Repository: c.Repository,
		Replicas: c.Replicas, DefaultSSLPolicy: c.DefaultSSLPolicy,
		AwsProvider: aws, KubernetesProvider: cl.Provider,
	})
	if err != nil {
		return hostname, roleArn, err
	}
	ing, err := albingress.NewIngress(ctx, AppName, &albingress.Args{
		Namespace: cfg.App.Namespace, Name: cfg.Ingress.Name,
		ServiceName: serviceName, ServicePort: cfg.App.Port,
		Settings:  ingressSettings(cfg),
		DependsOn: []pulumi.Resource{ctrl.Release},
	}, pulumi.Provider(cl.Provider))
	if err != nil {
		return hostname, roleArn, err
	}
	return ing.Hostname, ctrl.RoleArn, nil
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
