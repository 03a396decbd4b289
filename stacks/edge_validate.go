package stacks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mlops-retail/retail-api-edge/components/waf"
)

var (
	dnsNameRe    = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	ruleGroupRe  = regexp.MustCompile(`^AWSManagedRules[A-Za-z0-9]+$`)
	bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
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
		v.check(ruleGroupRe.MatchString(g), key, "%q is not an AWS managed rule group name like AWSManagedRulesCommonRuleSet", g)
		v.check(!slices.Contains(w.ManagedRuleGroups[:i], g), key, "%q is listed twice", g)
	}
	if w.Enabled {
		name := WebACLName(stack)
		v.check(wafNameRe.MatchString(name), k("waf.enabled"),
			"the web ACL is named after the stack, %q, which WAF rejects (letters, digits, _ and -, at most 128): use a stack name without other characters", name)
	}
}

func (a *AccessLogsConfig) validate(v *validator) {
	v.check(a.Bucket == "" || (bucketNameRe.MatchString(a.Bucket) && !strings.Contains(a.Bucket, "..")), k("accessLogs.bucket"),
		"%q is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)", a.Bucket)
	v.check(len(a.Prefix) <= maxLogPrefix && logPrefixRe.MatchString(a.Prefix) && !strings.Contains(a.Prefix, "AWSLogs"), k("accessLogs.prefix"),
		"must be a key prefix of at most %d letters, digits and !_.'()-/ (no * or spaces), without leading or trailing / and without \"AWSLogs\" (the ALB adds it), got %q",
		maxLogPrefix, a.Prefix)
	v.check(a.RetentionDays >= 1 && a.RetentionDays <= maxRetentionDays, k("accessLogs.retentionDays"),
		"must be between 1 and %d, got %d", maxRetentionDays, a.RetentionDays)
}

// maxAlarmMinutes keeps the unhealthy alarm's evaluation within a day (CloudWatch's limit for
// one-minute periods).
const maxAlarmMinutes = 1440

func (a *AlarmsConfig) validate(v *validator) {
	v.check(a.UnhealthyMinutes >= 1 && a.UnhealthyMinutes <= maxAlarmMinutes, k("alarms.unhealthyMinutes"),
		"must be between 1 and %d minutes, got %d", maxAlarmMinutes, a.UnhealthyMinutes)
	v.check(a.ErrorRatePercent >= 1 && a.ErrorRatePercent <= 100, k("alarms.errorRatePercent"),
		"must be a percentage between 1 and 100, got %d", a.ErrorRatePercent)
}
