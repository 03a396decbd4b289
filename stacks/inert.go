package stacks

import (
	"fmt"
	"reflect"
	"strings"
)

// inert are settings that do nothing unless another setting is on. A stack that sets one of them
// to anything but its default, in a combination where it does nothing, is refused, naming what
// would give it an effect: the user believes it does something. A value equal to the default asks
// for nothing, so a stack file may spell out defaults (Pulumi.demo.yaml's service.loadBalancer:
// nlb) and still switch exposure with one `pulumi config set`.
var inert = []struct {
	keys   []string
	active func(*Config) bool
	needs  func(*Config) string // what gives the keys an effect
}{
	{
		keys:   []string{"cluster.kubernetesVersion", "cluster.instanceType", "cluster.amiType", "cluster.desiredNodes", "cluster.minNodes", "cluster.maxNodes"},
		active: func(c *Config) bool { return c.Cluster.Create },
		needs:  func(*Config) string { return k("cluster.create") + " true (they size a new cluster)" },
	},
	{
		keys:   []string{"cluster.createOidcProvider"},
		active: func(c *Config) bool { return c.exposure().needsOIDC() },
		needs: func(*Config) string {
			return fmt.Sprintf("%s %s with %s true and no %s (only the controller role this stack makes trusts the provider)",
				k("exposure"), ExposeIngress, k("controller.install"), k("controller.roleArn"))
		},
	},
	{
		keys:   []string{"app.replicas", "app.deploymentName"},
		active: func(c *Config) bool { return c.App.Image != "" },
		needs:  func(*Config) string { return k("app.image") + " (they shape the Deployment this stack then makes)" },
	},
	{
		keys:   []string{"service.loadBalancer"},
		active: func(c *Config) bool { return c.Exposure == ExposeService },
		needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeService) },
	},
	{
		keys: []string{"controller.install", "controller.chart", "controller.chartVersion", "controller.repository",
			"controller.namespace", "controller.serviceAccount", "controller.replicas", "controller.roleArn",
			"controller.policyVersion", "controller.defaultSSLPolicy",
			"ingress.name", "ingress.loadBalancerName", "ingress.successCodes", "ingress.idleTimeoutSeconds", "ingress.deletionProtection"},
		active: func(c *Config) bool { return c.Exposure == ExposeIngress },
		needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeIngress) },
	},
	{
		keys:   []string{"controller.chart", "controller.repository", "controller.replicas", "controller.policyVersion", "controller.defaultSSLPolicy"},
		active: func(c *Config) bool { return c.Exposure != ExposeIngress || c.Controller.Install },
		needs: func(*Config) string {
			return k("controller.install") + " true (another stack's controller is used as it was installed)"
		},
	},
	{
		keys:   []string{"tls.sslPolicy"},
		active: func(c *Config) bool { return c.TLS.Enabled },
		needs:  func(*Config) string { return k("tls.enabled") + " true" },
	},
	{
		keys:   []string{"domain.alternativeNames"},
		active: func(c *Config) bool { return c.TLS.Enabled },
		needs:  func(*Config) string { return k("tls.enabled") + " true (only the certificate carries them)" },
	},
	{
		keys:   []string{"domain.alias"},
		active: func(c *Config) bool { return c.Domain.Name != "" },
		needs:  func(*Config) string { return k("domain.name") },
	},
	{
		keys:   []string{"waf.rateLimit", "waf.managedRuleGroups", "waf.largeBodies"},
		active: func(c *Config) bool { return c.WAF.Enabled },
		needs:  func(*Config) string { return k("waf.enabled") + " true" },
	},
	{
		keys:   []string{"accessLogs.bucket", "accessLogs.prefix", "accessLogs.retentionDays", "accessLogs.emptyOnDestroy"},
		active: func(c *Config) bool { return c.AccessLogs.Enabled },
		needs:  func(*Config) string { return k("accessLogs.enabled") + " true" },
	},
	{
		keys:   []string{"accessLogs.retentionDays", "accessLogs.emptyOnDestroy"},
		active: func(c *Config) bool { return c.AccessLogs.Bucket == "" },
		needs: func(*Config) string {
			return "a bucket this stack creates (remove " + k("accessLogs.bucket") + ": an existing bucket is used as it is)"
		},
	},
	{
		keys:   []string{"alarms.unhealthyMinutes", "alarms.minHealthyTargets", "alarms.errorRatePercent", "alarms.notify"},
		active: func(c *Config) bool { return c.Alarms.Enabled },
		needs:  func(*Config) string { return k("alarms.enabled") + " true" },
	},
	{
		keys:   []string{"alarms.errorRatePercent"},
		active: func(c *Config) bool { return !c.Alarms.Enabled || c.exposure().loadBalancer() != "nlb" },
		needs: func(*Config) string {
			return fmt.Sprintf("a load balancer that sees HTTP status codes (%s %s, or %s classic): an NLB passes TCP through",
				k("exposure"), ExposeIngress, k("service.loadBalancer"))
		},
	},
	{
		keys:   []string{"iam.permissionsBoundary"},
		active: func(c *Config) bool { return len(c.createsRoles()) > 0 },
		needs:  iamInertNeeds,
	},
}

// validateInert refuses every inert setting the stack changed from its default.
func (c *Config) validateInert(v *validator) {
	defaults := Defaults()
	defaults.defaultCollections()
	reported := map[string]bool{}
	for _, rule := range inert {
		if rule.active(c) {
			continue
		}
		for _, key := range rule.keys {
			if !c.set[key] || reported[key] || sameSetting(c, &defaults, key) {
				continue
			}
			reported[key] = true
			v.check(false, k(key), "has no effect without %s; set that, or remove this setting", rule.needs(c))
		}
	}
}

// sameSetting says whether a and b hold the same value at a "block.field" key.
func sameSetting(a, b *Config, key string) bool {
	return reflect.DeepEqual(setting(a, key).Interface(), setting(b, key).Interface())
}

// setting is the field at a "block.field" key, found by the JSON names Decode uses.
func setting(c *Config, key string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	for part := range strings.SplitSeq(key, ".") {
		v = fieldByJSONName(v, part)
	}
	return v
}

func fieldByJSONName(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return v.Field(i)
		}
	}
	panic(fmt.Sprintf("stacks: %s has no field %q", t, name)) // the inert table names a key Config lacks
}
