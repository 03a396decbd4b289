package stacks

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/mlops-retail/retail-api-edge/components/alarms"
	"github.com/mlops-retail/retail-api-edge/components/waf"
)

var (
	dnsNameRe    = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	// logPrefixRe: S3's safe key characters, without * (a wildcard in the bucket policy's
	// resource) and without , = (the controller's attribute annotation is k=v,...).
	logPrefixRe = regexp.MustCompile(`^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$`)
	wafNameRe   = regexp.MustCompile(`^[\w-]{1,128}$`)
)

const (
	maxRetentionDays = 3650
	// maxLogPrefix leaves room, within S3's 1024-byte keys, for what the ALB appends.
	maxLogPrefix = 512
	// maxCommonName is ACM's limit on a certificate's first domain name (its subject CN).
	maxCommonName = 64
)

// WebACLName is the WAF web ACL's name: the project and the stack, so stacks never collide.
func WebACLName(stack string) string { return Project + "-" + stack }

func (d *DomainConfig) validate(v *validator, tls bool) {
	v.check(!tls || (d.Name != "" && d.ZoneName != ""), k("tls.enabled"),
		"needs retail-api-edge:domain.name and domain.zoneName (the certificate is validated through DNS)")
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
	names := append([]string{d.Name}, d.AlternativeNames...)
	for i, n := range names {
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

func (w *WAFConfig) validate(v *validator, stack string) {
	v.check(w.LargeBodies == "count" || w.LargeBodies == "block", k("waf.largeBodies"),
		"must be \"count\" (request bodies over 8 KB pass, counted in CloudWatch) or \"block\" (AWS's default for the Common rule set), got %q", w.LargeBodies)
	v.check(w.RateLimit >= waf.MinRateLimit && w.RateLimit <= waf.MaxRateLimit, k("waf.rateLimit"),
		"must be between %d and %d requests per 5 minutes per IP (WAF's limits), got %d", waf.MinRateLimit, waf.MaxRateLimit, w.RateLimit)
	for i, g := range w.ManagedRuleGroups {
		key := fmt.Sprintf("%s[%d]", k("waf.managedRuleGroups"), i)
		needsConfig, known := waf.ManagedGroups[g]
		v.check(known, key, "%q is not one of AWS's managed rule groups: %s", g, strings.Join(slices.Sorted(maps.Keys(waf.ManagedGroups)), ", "))
		v.check(!needsConfig, key, "%q works only with its own configuration (ManagedRuleGroupConfigs), which this "+
			"program does not set; leave it out, or add it to the web ACL outside this stack", g)
		v.check(!slices.Contains(w.ManagedRuleGroups[:i], g), key, "%q is listed twice", g)
	}
	if w.Enabled {
		name := WebACLName(stack)
		v.check(wafNameRe.MatchString(name), k("waf.enabled"),
			"the web ACL is named after the stack, %q, which WAF rejects (letters, digits, _ and -, at most 128): use a stack name without other characters", name)
	}
}

func (a *AccessLogsConfig) validate(v *validator) {
	if a.Bucket != "" {
		if why := bucketNameProblem(a.Bucket); why != "" {
			v.check(false, k("accessLogs.bucket"), "%q is not an S3 bucket name: %s", a.Bucket, why)
		}
	}
	v.check(len(a.Prefix) <= maxLogPrefix && logPrefixRe.MatchString(a.Prefix) && !strings.Contains(a.Prefix, "AWSLogs"), k("accessLogs.prefix"),
		"must be a key prefix of at most %d letters, digits and !_.'()-/ (no * or spaces), without leading or trailing / and without \"AWSLogs\" (the ALB adds it), got %q",
		maxLogPrefix, a.Prefix)
	v.check(a.RetentionDays >= 1 && a.RetentionDays <= maxRetentionDays, k("accessLogs.retentionDays"),
		"must be between 1 and %d, got %d", maxRetentionDays, a.RetentionDays)
}

func (a *AlarmsConfig) validate(v *validator, c *Config) {
	ep := c.exposure()
	most := alarms.MaxMinutes(ep.loadBalancer())
	v.check(a.UnhealthyMinutes >= 1 && a.UnhealthyMinutes <= most, k("alarms.unhealthyMinutes"),
		"must be between 1 and %d minutes for a %s load balancer (the most its alarms can evaluate), got %d",
		most, ep.loadBalancer(), a.UnhealthyMinutes)
	v.check(a.MinHealthyTargets >= 1 && a.MinHealthyTargets <= maxReplicas, k("alarms.minHealthyTargets"),
		"must be between 1 and %d, got %d", maxReplicas, a.MinHealthyTargets)
	v.check(a.ErrorRatePercent >= 1 && a.ErrorRatePercent <= 100, k("alarms.errorRatePercent"),
		"must be a percentage between 1 and 100, got %d", a.ErrorRatePercent)
	v.check(!a.Enabled || ep.runsLoadBalancer(), k("alarms.enabled"),
		"this stack hands its Service over to stack %q (%s) and runs no load balancer of its own: turn the alarms on in that stack",
		c.App.HandOverTo, k("app.handOverTo"))
}

// bucketNameProblem says why S3 would refuse a general purpose bucket name, or "" when it would
// not, by the full rules of the S3 user guide ("General purpose bucket naming rules",
// docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func bucketNameProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 63:
		return "it must be 3 to 63 characters long"
	case !bucketNameRe.MatchString(name):
		return "it may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "it must not have two dots in a row"
	case isIPv4(name):
		return "it must not look like an IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("it must not start with %q (reserved by S3)", p)
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return fmt.Sprintf("it must not end with %q (reserved by S3)", sfx)
		}
	}
	return ""
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}
