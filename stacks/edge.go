package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/accesslogs"
	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/certificate"
	"github.com/mlops-retail/retail-api-edge/components/dnsalias"
	"github.com/mlops-retail/retail-api-edge/components/waf"
)

// edge holds what the ALB refers to: the validated certificate, the web ACL and the log bucket.
// The Ingress depends on each (Ready), so the ALB never names something missing, and on destroy
// the ALB goes first.
type edge struct {
	zoneID string
	ready  []pulumi.Resource
	out    pulumi.Map
}

// newEdge creates the certificate, web ACL and log bucket the configuration asks for, and fills
// the Ingress arguments that refer to them.
func newEdge(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, ing *albingress.Args) (*edge, error) {
	e := &edge{out: pulumi.Map{}}
	if cfg.Domain.Name != "" {
		zone, err := route53.LookupZone(ctx, &route53.LookupZoneArgs{
			Name: pulumi.StringRef(cfg.Domain.ZoneName), PrivateZone: pulumi.BoolRef(false),
		}, pulumi.Provider(awsProvider))
		if err != nil {
			return nil, fmt.Errorf("looking up the public hosted zone %q (retail-api-edge:domain.zoneName): %w", cfg.Domain.ZoneName, err)
		}
		e.zoneID = zone.ZoneId
	}
	if cfg.TLS.Enabled {
		cert, err := certificate.NewCertificate(ctx, AppName, &certificate.Args{
			Domain: cfg.Domain.Name, AlternativeNames: cfg.Domain.AlternativeNames, ZoneID: e.zoneID, AwsProvider: awsProvider,
		})
		if err != nil {
			return nil, err
		}
		ing.CertificateArn, ing.Settings.TLS = cert.CertificateArn, &albingress.TLS{SSLPolicy: cfg.TLS.SSLPolicy}
		e.ready = append(e.ready, cert.Validation)
		e.out["certificateArn"] = cert.CertificateArn
	}
	if cfg.WAF.Enabled {
		acl, err := waf.NewWebACL(ctx, AppName, &waf.Args{
			Name: WebACLName(cfg.Stack), RateLimit: cfg.WAF.RateLimit,
			ManagedRuleGroups: cfg.WAF.ManagedRuleGroups, CountLargeBodies: cfg.WAF.LargeBodies == "count",
			AwsProvider: awsProvider,
		})
		if err != nil {
			return nil, err
		}
		ing.WebACLArn, ing.Settings.WAF = acl.Arn, true
		e.ready = append(e.ready, acl.ACL)
		e.out["webAclArn"] = acl.Arn
	}
	if cfg.AccessLogs.Enabled {
		if err := e.accessLogs(ctx, cfg, awsProvider, ing); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *edge) accessLogs(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, ing *albingress.Args) error {
	who, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	l := cfg.AccessLogs
	logs, err := accesslogs.NewBucket(ctx, AppName+"-alb-logs", &accesslogs.Args{
		ExistingBucket: l.Bucket, Prefix: l.Prefix, RetentionDays: l.RetentionDays, EmptyOnDestroy: l.EmptyOnDestroy,
		Partition: partition(cfg.Region), Region: cfg.Region, AccountID: who.AccountId, AwsProvider: awsProvider,
	})
	if err != nil {
		return err
	}
	ing.LogBucket, ing.Settings.AccessLogs = logs.BucketName, &albingress.AccessLogs{Prefix: l.Prefix}
	e.ready = append(e.ready, logs.Ready...)
	e.out["logBucket"] = logs.BucketName
	return nil
}

// alias points the domain at the ALB, once the Ingress reports its hostname.
func (e *edge) alias(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, albHostname pulumi.StringOutput) error {
	if cfg.Domain.Name == "" || !cfg.Domain.Alias {
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
		IPv6: cfg.Domain.IPv6, AwsProvider: awsProvider,
	})
	if err != nil {
		return err
	}
	e.out["domainFqdn"] = a.Fqdn
	return nil
}
