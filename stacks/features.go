package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/accesslogs"
	"github.com/mlops-retail/retail-api-edge/components/alarms"
	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/certificate"
	"github.com/mlops-retail/retail-api-edge/components/dnsalias"
	"github.com/mlops-retail/retail-api-edge/components/waf"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// feature is one edge feature, declared once: the key that turns it on, whether it calls AWS and
// whether it needs an ALB, how its block is validated, what it costs, and what it registers.
// NeedsAWS, the ALB-only check, `edgectl cost` and Deploy all read the features list; a new
// feature is one entry (and its component).
type feature struct {
	block    string              // its config block, e.g. "waf"
	target   func(c *Config) any // where the block decodes to
	key      string              // the key that turns it on, without the project prefix
	on       func(*Config) bool
	needsAWS bool
	needsALB bool
	validate func(*Config, *validator)
	cost     func(*Config, *cost.Stack)
	// before registers what the load balancer refers to (certificate, web ACL, log bucket).
	before func(ctx *pulumi.Context, c *Config, aws pulumi.ProviderResource, e *edge) error
	// after registers what refers to the load balancer, once it reports its hostname (DNS alias).
	after func(ctx *pulumi.Context, c *Config, aws pulumi.ProviderResource, e *edge, hostname pulumi.StringOutput) error
}

// features run in this order: the domain's hosted zone is looked up before the certificate needs it.
var features = []feature{
	{
		block: "domain", target: func(c *Config) any { return &c.Domain },
		key: "domain.name", on: func(c *Config) bool { return c.Domain.Name != "" }, needsAWS: true, needsALB: true,
		validate: func(c *Config, v *validator) { c.Domain.validate(v, c.TLS.Enabled) },
		cost:     func(_ *Config, s *cost.Stack) { s.HostedZone = true },
		before:   lookupZone, after: alias,
	},
	{
		block: "tls", target: func(c *Config) any { return &c.TLS },
		key: "tls.enabled", on: func(c *Config) bool { return c.TLS.Enabled }, needsAWS: true, needsALB: true,
		validate: func(c *Config, v *validator) { checkTLSPolicy(v, "tls.sslPolicy", c.TLS.SSLPolicy) },
		before:   newCertificate,
	},
	{
		block: "waf", target: func(c *Config) any { return &c.WAF },
		key: "waf.enabled", on: func(c *Config) bool { return c.WAF.Enabled }, needsAWS: true, needsALB: true,
		validate: func(c *Config, v *validator) { c.WAF.validate(v, c.Stack) },
		// The rate limit plus each managed rule group.
		cost:   func(c *Config, s *cost.Stack) { s.WAFRules = 1 + len(c.WAF.ManagedRuleGroups) },
		before: newWebACL,
	},
	{
		block: "accessLogs", target: func(c *Config) any { return &c.AccessLogs },
		key: "accessLogs.enabled", on: func(c *Config) bool { return c.AccessLogs.Enabled }, needsAWS: true, needsALB: true,
		validate: func(c *Config, v *validator) { c.AccessLogs.validate(v) },
		cost:     func(c *Config, s *cost.Stack) { s.AccessLogs, s.RetentionDays = true, c.AccessLogs.RetentionDays },
		before:   newLogBucket,
	},
	{
		block: "alarms", target: func(c *Config) any { return &c.Alarms },
		key: "alarms.enabled", on: func(c *Config) bool { return c.Alarms.Enabled }, needsAWS: true,
		validate: func(c *Config, v *validator) { c.Alarms.validate(v, c) },
		cost:     func(c *Config, s *cost.Stack) { s.AlarmMetrics = alarms.Metrics(c.exposure().loadBalancer()) },
		after:    newAlarms,
	},
}

// validateFeatures checks each feature's block, and that those needing an ALB are only on with one.
func (c *Config) validateFeatures(v *validator) {
	alb := c.exposure().loadBalancer() == lbkind.ALB
	for _, f := range features {
		v.check(alb || !f.needsALB || !f.on(c), k(f.key),
			"applies to the ALB only: set %s to %q, or remove it", k("exposure"), ExposeIngress)
		f.validate(c, v)
	}
}

// CostOf is what drives the stack's monthly cost: its load balancer, the features that are on, and
// a cluster it creates.
func CostOf(c *Config) cost.Stack {
	s := cost.Stack{LoadBalancer: c.exposure().loadBalancer()}
	if cl := c.Cluster; cl.Create {
		s.Cluster = &cost.Cluster{ExtendedSupport: inExtendedSupport(cl.KubernetesVersion), Nodes: cl.DesiredNodes, InstanceType: cl.InstanceType}
	}
	for _, f := range features {
		if f.cost != nil && f.on(c) {
			f.cost(c, &s)
		}
	}
	return s
}

// edge is what the features registered: the ALB features, each with its reference (nil when
// off), what the load balancer must wait for (ready: certificate validation, web ACL, log bucket
// policy; on destroy the ALB goes first), and their stack outputs.
type edge struct {
	zoneID string
	tls    *albingress.TLS
	waf    *albingress.WAF
	logs   *albingress.AccessLogs
	ready  []pulumi.Resource
	out    pulumi.Map
}

// newEdge registers every feature's resources that the load balancer will refer to.
func newEdge(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource) (*edge, error) {
	e := &edge{out: pulumi.Map{}}
	for _, f := range features {
		if f.before != nil && f.on(cfg) {
			if err := f.before(ctx, cfg, awsProvider, e); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// attach registers what refers to the load balancer once it has a hostname.
func (e *edge) attach(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, hostname pulumi.StringOutput) error {
	for _, f := range features {
		if f.after != nil && f.on(cfg) {
			if err := f.after(ctx, cfg, awsProvider, e, hostname); err != nil {
				return err
			}
		}
	}
	return nil
}

func lookupZone(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	zone, err := route53.LookupZone(ctx, &route53.LookupZoneArgs{
		Name: pulumi.StringRef(cfg.Domain.ZoneName), PrivateZone: pulumi.BoolRef(false),
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return fmt.Errorf("looking up the public hosted zone %q (%s): %w", cfg.Domain.ZoneName, k("domain.zoneName"), err)
	}
	e.zoneID = zone.ZoneId
	return nil
}

func newCertificate(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	cert, err := certificate.NewCertificate(ctx, AppName, &certificate.Args{
		Domain: cfg.Domain.Name, AlternativeNames: cfg.Domain.AlternativeNames, ZoneID: e.zoneID,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.tls = &albingress.TLS{CertificateArn: cert.CertificateArn, SSLPolicy: cfg.TLS.SSLPolicy}
	e.ready = append(e.ready, cert.Ready...)
	e.out["certificateArn"] = cert.CertificateArn
	return nil
}

func newWebACL(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	acl, err := waf.NewWebACL(ctx, AppName, &waf.Args{
		Name: WebACLName(cfg.Stack), RateLimit: cfg.WAF.RateLimit,
		ManagedRuleGroups: cfg.WAF.ManagedRuleGroups, CountLargeBodies: cfg.WAF.LargeBodies == "count",
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.waf = &albingress.WAF{WebACLArn: acl.Arn}
	e.ready = append(e.ready, acl.Ready...)
	e.out["webAclArn"] = acl.Arn
	return nil
}

func newLogBucket(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	who, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	l := cfg.AccessLogs
	logs, err := accesslogs.NewBucket(ctx, AppName+"-alb-logs", &accesslogs.Args{
		ExistingBucket: l.Bucket, BucketPrefix: cfg.logBucketPrefix(), Prefix: l.Prefix, RetentionDays: l.RetentionDays, EmptyOnDestroy: l.EmptyOnDestroy,
		Partition: partition(cfg.Region), Region: cfg.Region, AccountID: who.AccountId,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.logs = &albingress.AccessLogs{Bucket: logs.BucketName, Prefix: l.Prefix}
	e.ready = append(e.ready, logs.Ready...)
	e.out["logBucket"] = logs.BucketName
	return nil
}

// alias points the domain at the ALB, once the Ingress reports its hostname.
func alias(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge, albHostname pulumi.StringOutput) error {
	if !cfg.Domain.Alias {
		return nil
	}
	zone, err := lb.GetHostedZoneId(ctx, &lb.GetHostedZoneIdArgs{
		Region: pulumi.StringRef(cfg.Region), LoadBalancerType: pulumi.StringRef("application"),
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	a, err := dnsalias.NewAlias(ctx, AppName, &dnsalias.Args{
		ZoneID: e.zoneID, Name: cfg.Domain.Name, Target: albHostname, TargetZoneID: zone.Id,
		IPv6: cfg.Domain.IPv6,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.out["domainFqdn"] = a.Fqdn
	return nil
}

// newAlarms watches the load balancer once its Service or Ingress reports its hostname.
func newAlarms(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge, hostname pulumi.StringOutput) error {
	a, kind := cfg.Alarms, cfg.exposure().loadBalancer()
	al, err := alarms.NewAlarms(ctx, AppName, &alarms.Args{
		Hostname: hostname, Kind: kind, MinHealthyTargets: a.MinHealthyTargets,
		UnhealthyMinutes: a.UnhealthyMinutes, ErrorRatePercent: a.ErrorRatePercent, Notify: a.Notify,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.out["healthyAlarmArn"] = al.HealthyAlarmArn
	e.out["unhealthyAlarmArn"] = al.UnhealthyAlarmArn
	if alarms.WatchesErrorRate(kind) {
		e.out["errorRateAlarmArn"] = al.ErrorRateAlarmArn
	}
	if a.Notify {
		e.out["alarmTopicArn"] = al.TopicArn
	}
	return nil
}
