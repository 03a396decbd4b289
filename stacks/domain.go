package stacks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/dnsalias"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
)

// DomainConfig is the `domain` block: the API's public name in a Route53 hosted zone (Option B).
type DomainConfig struct {
	// The API's public name (the certificate's first name with TLS, at most 64 characters); it must
	// be inside `domain.zoneName`.
	Name string `json:"name"`
	// The public Route53 hosted zone `domain.name` is in, e.g. `example.com`.
	ZoneName string `json:"zoneName"`
	// Extra certificate names in the same zone, at most 9, e.g. `*.api.example.com`.
	AlternativeNames []string `json:"alternativeNames"`
	// Point `domain.name` at the ALB with a Route53 alias A record.
	Alias bool `json:"alias"`
	// Also an AAAA alias, and a dual-stack ALB (the subnets need IPv6 CIDRs).
	IPv6 bool `json:"ipv6"`
}

var dnsNameRe = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// maxCommonName is ACM's limit on a certificate's first domain name (its subject CN).
const maxCommonName = 64

func (d *DomainConfig) setDefaults() { *d = DomainConfig{Alias: true} }

func (d *DomainConfig) feature() feature {
	return feature{
		key: "domain.name", on: func(c *Config) bool { return c.Domain.Name != "" }, needsAWS: true, needsALB: true,
		cost:   func(_ *Config, s *cost.Stack) { s.HostedZone = true },
		before: lookupZone, after: alias,
	}
}

func (d *DomainConfig) validate(c *Config, v *validator) {
	tls := c.TLS.Enabled
	v.check(!tls || (d.Name != "" && d.ZoneName != ""), k("tls.enabled"),
		"needs %s and domain.zoneName (the certificate is validated through DNS)", k("domain.name"))
	if d.Name == "" {
		v.check(d.ZoneName == "" && len(d.AlternativeNames) == 0 && !d.IPv6, k("domain.name"),
			"is required when domain.zoneName, alternativeNames or ipv6 are set")
		return
	}
	zone := strings.TrimSuffix(strings.ToLower(d.ZoneName), ".")
	v.check(zone != "", k("domain.zoneName"), "is required with domain.name: the public Route53 hosted zone, e.g. example.com")
	v.check(zone == "" || (dnsNameRe.MatchString(zone) && !strings.HasPrefix(zone, "*.")), k("domain.zoneName"),
		"%q is not a hosted zone name like example.com", d.ZoneName)
	v.check(!tls || len(d.Name) <= maxCommonName, k("domain.name"),
		"is %d characters; ACM allows at most %d for a certificate's first name (put a shorter name first, the long one in alternativeNames)",
		len(d.Name), maxCommonName)
	v.check(len(d.AlternativeNames) <= 9, k("domain.alternativeNames"), "ACM allows 10 names per certificate, so at most 9 besides domain.name, got %d", len(d.AlternativeNames))
	for i, n := range d.certificateNames() {
		key := k("domain.name")
		if i > 0 {
			key = fmt.Sprintf("%s[%d]", k("domain.alternativeNames"), i-1)
		}
		if !dnsNameRe.MatchString(n) || len(n) > 253 {
			v.check(false, key, "%q is not a lower-case DNS name like api.example.com (at most 253 characters)", n)
			continue
		}
		v.check(zone == "" || n == zone || strings.HasSuffix(n, "."+zone), key,
			"%q is outside the hosted zone %q: the certificate and the alias can only be made inside it", n, zone)
	}
	v.check(!strings.HasPrefix(d.Name, "*."), k("domain.name"), "cannot be a wildcard (it is also the alias record); put *.%s in alternativeNames", zone)
}

func (*DomainConfig) inert() []inertRule {
	return []inertRule{
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
	}
}

// lookupZone finds the public hosted zone domain.name is in, before anything that needs it is
// registered.
func lookupZone(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	d := cfg.Domain
	zone, err := route53.LookupZone(ctx, &route53.LookupZoneArgs{
		Name: pulumi.StringRef(d.ZoneName), PrivateZone: pulumi.BoolRef(false),
	}, pulumi.Provider(awsProvider))
	switch {
	case err != nil && noZoneMatches(err):
		return keyErr(k("domain.zoneName"), "found no public Route53 hosted zone %q in this AWS account (a private zone of that "+
			"name does not count): %s go in it, and resolvers on the internet must see them. Create the public zone "+
			"(`aws route53 create-hosted-zone --name %s --caller-reference \"$(date +%%s)\"`, delegated from its parent), "+
			"or set %s to the public zone that holds %s %q",
			d.ZoneName, zoneRecords(cfg), d.ZoneName, k("domain.zoneName"), k("domain.name"), d.Name)
	case err != nil:
		return fmt.Errorf("looking up the public hosted zone %q (%s): %w", d.ZoneName, k("domain.zoneName"), err)
	}
	e.zoneID = zone.ZoneId
	return nil
}

// zoneRecords names the records the stack makes in the hosted zone.
func zoneRecords(cfg *Config) string {
	var out []string
	if cfg.TLS.Enabled {
		out = append(out, "the certificate's DNS validation records")
	}
	if cfg.Domain.Alias {
		out = append(out, fmt.Sprintf("the alias record %s", cfg.Domain.Name))
	}
	if len(out) == 0 {
		return "the records of " + cfg.Domain.Name
	}
	return strings.Join(out, " and ")
}

// noZoneMatches tells "no public zone of that name" from other failures: pulumi-aws's getZone
// (terraform-provider-aws internal/service/route53/zone_data_source.go) lists the hosted zones,
// keeps those with the name and the privacy asked for, and, when none is left, returns
// tfresource.SingularDataSourceFindError's "no matching Route 53 Hosted Zone found"
// (internal/tfresource/not_found_error.go). Several zones of the name fail otherwise ("multiple
// Route 53 Hosted Zones matched"), and stay wrapped.
func noZoneMatches(err error) bool {
	return strings.Contains(err.Error(), "no matching Route 53 Hosted Zone found")
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

// certificateNames are the names the certificate carries: domain.name first, then the alternatives.
func (d *DomainConfig) certificateNames() []string {
	return append([]string{d.Name}, d.AlternativeNames...)
}
