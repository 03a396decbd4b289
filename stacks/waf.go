package stacks

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/waf"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
)

// WAFConfig is the `waf` block: a WAFv2 web ACL in front of the ALB.
type WAFConfig struct {
	// A WAFv2 web ACL on the ALB, named `retail-api-edge-<stack>` (so the stack name may hold only
	// letters, digits, `_` and `-`). Turning it off makes the Ingress say `wafv2-acl-arn: none`,
	// so the controller detaches the ACL before it is deleted.
	Enabled bool `json:"enabled"`
	// The most requests one client IP may make in 5 minutes, 10 to 2,000,000,000 (WAF's
	// rate-based rule limits).
	RateLimit int `json:"rateLimit"`
	// AWS's managed rule groups, by name (a stack's list replaces the default whole). Those that
	// work only with their own configuration (Bot Control, ATP, ACFP, Anti-DDoS) are refused.
	ManagedRuleGroups []string `json:"managedRuleGroups"`
	// What the Common rule set does with request bodies over 8 KB: `count` (let them through,
	// counted in CloudWatch) or `block` (AWS's default).
	LargeBodies string `json:"largeBodies"`
}

var wafNameRe = regexp.MustCompile(`^[\w-]{1,128}$`)

// WebACLName is the WAF web ACL's name: the project and the stack, so stacks never collide.
func WebACLName(stack string) string { return Project + "-" + stack }

func (w *WAFConfig) setDefaults() { *w = WAFConfig{RateLimit: 2000, LargeBodies: "count"} }

func (w *WAFConfig) complete(*Config) {
	if w.ManagedRuleGroups == nil {
		w.ManagedRuleGroups = slices.Clone(waf.DefaultManagedRuleGroups)
	}
}

func (w *WAFConfig) feature() feature {
	return feature{
		key: "waf.enabled", on: func(c *Config) bool { return c.WAF.Enabled }, needsAWS: true, needsALB: true,
		// The rate limit plus each managed rule group.
		cost:   func(c *Config, s *cost.Stack) { s.WAFRules = 1 + len(c.WAF.ManagedRuleGroups) },
		before: newWebACL,
	}
}

func (w *WAFConfig) validate(c *Config, v *validator) {
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
		name := WebACLName(c.Stack)
		v.check(wafNameRe.MatchString(name), k("waf.enabled"),
			"the web ACL is named after the stack, %q, which WAF rejects (letters, digits, _ and -, at most 128): use a stack name without other characters", name)
	}
}

func (*WAFConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"waf.rateLimit", "waf.managedRuleGroups", "waf.largeBodies"},
		active: func(c *Config) bool { return c.WAF.Enabled },
		needs:  func(*Config) string { return k("waf.enabled") + " true" },
	}}
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
