package waf

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Rate limits WAF accepts for a rate-based rule (requests per evaluation window, per client IP).
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
	// windowSeconds is the evaluation window of the rate limit.
	windowSeconds = 300
)

// commonRuleSet is AWS's OWASP-style group. Its SizeRestrictions_BODY rule blocks request bodies
// over 8 KB (the most WAF inspects behind an ALB), which a realistic POST /predict exceeds.
const (
	commonRuleSet   = "AWSManagedRulesCommonRuleSet"
	bodySizeRule    = "SizeRestrictions_BODY"
	bodyInspectedKB = 8
)

// ManagedGroups are AWS's managed rule groups (vendor AWS), from the WAF developer guide's "AWS
// Managed Rules rule groups list" (docs.aws.amazon.com/waf/latest/developerguide/
// aws-managed-rule-groups-list.html), each marked true when it works only with its own
// ManagedRuleGroupConfigs, which this package does not set: Bot Control's inspection level, ATP's
// and ACFP's login and registration pages, Anti-DDoS's client-side action.
var ManagedGroups = map[string]bool{
	commonRuleSet:                           false,
	"AWSManagedRulesAdminProtectionRuleSet": false,
	"AWSManagedRulesKnownBadInputsRuleSet":  false,
	"AWSManagedRulesSQLiRuleSet":            false,
	"AWSManagedRulesLinuxRuleSet":           false,
	"AWSManagedRulesUnixRuleSet":            false,
	"AWSManagedRulesWindowsRuleSet":         false,
	"AWSManagedRulesPHPRuleSet":             false,
	"AWSManagedRulesWordPressRuleSet":       false,
	"AWSManagedRulesAmazonIpReputationList": false,
	"AWSManagedRulesAnonymousIpList":        false,
	"AWSManagedRulesBotControlRuleSet":      true,
	"AWSManagedRulesATPRuleSet":             true,
	"AWSManagedRulesACFPRuleSet":            true,
	"AWSManagedRulesAntiDDoSRuleSet":        true,
}

// DefaultManagedRuleGroups are AWS's baseline groups: OWASP-style common rules, known bad inputs
// (Log4j, etc.) and the Amazon IP reputation list.
var DefaultManagedRuleGroups = []string{
	commonRuleSet,
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesAmazonIpReputationList",
}

// rules are the ACL's rules: the rate limit first (priority 0, blocks), then each managed group in
// order (priorities 1..n, their own actions apply). With countLargeBodies the Common rule set's
// body-size rule only counts (metrics and sampled requests still show it) instead of blocking.
func rules(metricPrefix string, rateLimit int, groups []string, countLargeBodies bool) wafv2.WebAclRuleArray {
	rules := wafv2.WebAclRuleArray{wafv2.WebAclRuleArgs{
		Name:     pulumi.String("rate-limit-per-ip"),
		Priority: pulumi.Int(0),
		Action:   wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
		Statement: wafv2.WebAclRuleStatementArgs{RateBasedStatement: wafv2.WebAclRuleStatementRateBasedStatementArgs{
			Limit:               pulumi.Int(rateLimit),
			AggregateKeyType:    pulumi.String("IP"),
			EvaluationWindowSec: pulumi.Int(windowSeconds),
		}},
		VisibilityConfig: ruleVisibility(metricPrefix + "-rate-limit"),
	}}
	for i, g := range groups {
		rules = append(rules, wafv2.WebAclRuleArgs{
			Name:           pulumi.String(g),
			Priority:       pulumi.Int(i + 1),
			OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
			Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
				Name:                pulumi.String(g),
				VendorName:          pulumi.String("AWS"),
				RuleActionOverrides: overrides(g, countLargeBodies),
			}},
			VisibilityConfig: ruleVisibility(metricPrefix + "-" + g),
		})
	}
	return rules
}

// overrides turns the body-size rule of the Common rule set into a count.
func overrides(group string, countLargeBodies bool) wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray {
	if group != commonRuleSet || !countLargeBodies {
		return nil
	}
	return wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray{
		wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
			Name: pulumi.String(bodySizeRule),
			ActionToUse: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
				Count: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
			},
		},
	}
}

// ruleVisibility turns on CloudWatch metrics and sampled requests for one rule, so blocks can be
// investigated.
func ruleVisibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true),
		MetricName:               pulumi.String(metric),
		SampledRequestsEnabled:   pulumi.Bool(true),
	}
}
