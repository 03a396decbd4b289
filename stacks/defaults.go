package stacks

import (
	"slices"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/waf"
)

// modernTLSPolicy is AWS's recommended ELB policy (TLS 1.3 and 1.2, post-quantum key exchange): the
// default for the ALB's HTTPS listener and for the controller's own default.
const modernTLSPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

// Defaults is the one place where default values live; docs/configuration.md lists them.
func Defaults() Config {
	return Config{
		Exposure: ExposeService,
		Cluster: ClusterConfig{
			Name:              "mlops-retail-cluster",
			KubernetesVersion: defaultKubernetesVersion,
			InstanceType:      "t3.medium",
			DesiredNodes:      2,
			MinNodes:          2,
			MaxNodes:          3,
		},
		App: AppConfig{
			Namespace:      "mlops",
			ServiceName:    "retail-api-svc",
			Port:           80,
			TargetPort:     8000,
			HealthPath:     "/health",
			Replicas:       2,
			DeploymentName: "retail-api",
		},
		Service: ServiceConfig{LoadBalancer: "nlb"},
		Controller: ControllerConfig{
			Install:          true,
			Chart:            lbcontroller.ChartName,
			ChartVersion:     "3.5.0",
			Repository:       "https://aws.github.io/eks-charts",
			Namespace:        "kube-system",
			ServiceAccount:   "aws-load-balancer-controller",
			Replicas:         2,
			PolicyVersion:    lbcontroller.PolicyVersion,
			DefaultSSLPolicy: modernTLSPolicy,
		},
		Ingress: IngressConfig{
			Name:               "retail-api",
			SuccessCodes:       "200",
			IdleTimeoutSeconds: 60,
		},
		Domain:     DomainConfig{Alias: true},
		TLS:        TLSConfig{SSLPolicy: modernTLSPolicy},
		WAF:        WAFConfig{RateLimit: 2000, LargeBodies: "count"},
		AccessLogs: AccessLogsConfig{Prefix: "retail-api", RetentionDays: 30, EmptyOnDestroy: true},
		Alarms:     AlarmsConfig{UnhealthyMinutes: 3, MinHealthyTargets: 1, ErrorRatePercent: 5},
		Health: HealthCheckConfig{
			IntervalSeconds:    15,
			TimeoutSeconds:     5,
			HealthyThreshold:   2,
			UnhealthyThreshold: 2,
		},
	}
}

// defaultCollections fills the maps and lists a stack did not set: they cannot be decoded over, so
// Defaults leaves them empty.
func (c *Config) defaultCollections() {
	if c.App.Selector == nil {
		c.App.Selector = defaultSelector()
	}
	if c.WAF.ManagedRuleGroups == nil {
		c.WAF.ManagedRuleGroups = defaultManagedRuleGroups()
	}
}

// defaultSelector is applied when app.selector is not set (a map cannot be decoded over).
func defaultSelector() map[string]string { return map[string]string{"app": "retail-api"} }

// defaultManagedRuleGroups apply when waf.managedRuleGroups is not set (a list cannot be decoded over).
func defaultManagedRuleGroups() []string { return slices.Clone(waf.DefaultManagedRuleGroups) }

// defaultTags go on every AWS resource; `tags` entries are added to them, and may override.
func defaultTags(stack string) map[string]string {
	return map[string]string{"project": Project, "stack": stack, "managed-by": "pulumi"}
}
