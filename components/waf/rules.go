package waf

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Rate limits WAF accepts for a rate-based rule (requests per evaluation window, per client IP).
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
	// WindowSeconds is the evaluation window of the rate limit.
	WindowSeconds = 300
)

// DefaultManagedRuleGroups are AWS's baseline groups: OWASP-style common rules, known bad inputs
// (Log4j, etc.) and the Amazon IP reputation list.
var DefaultManagedRuleGroups = []string{
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesAmazonIpReputationList",
}

// Rules are the ACL's rules in the provider's shape: the rate limit first (priority 0, blocks),
// then each managed group in order (priorities 1..n, their own actions apply).
func Rules(metricPrefix string, rateLimit int, groups []string) pulumi.MapArray {
	rules := pulumi.MapArray{pulumi.Map{
		"name":     pulumi.String("rate-limit-per-ip"),
		"priority": pulumi.Int(0),
		"action":   pulumi.Map{"block": pulumi.Map{}},
		"statement": pulumi.Map{"rateBasedStatement": pulumi.Map{
			"limit":               pulumi.Int(rateLimit),
			"aggregateKeyType":    pulumi.String("IP"),
			"evaluationWindowSec": pulumi.Int(WindowSeconds),
		}},
		"visibilityConfig": visibility(metricPrefix + "-rate-limit"),
	}}
	for i, g := range groups {
		rules = append(rules, pulumi.Map{
			"name":           pulumi.String(g),
			"priority":       pulumi.Int(i + 1),
			"overrideAction": pulumi.Map{"none": pulumi.Map{}},
			"statement": pulumi.Map{"managedRuleGroupStatement": pulumi.Map{
				"name":       pulumi.String(g),
				"vendorName": pulumi.String("AWS"),
			}},
			"visibilityConfig": visibility(metricPrefix + "-" + g),
		})
	}
	return rules
}

// visibility turns on CloudWatch metrics and sampled requests, so blocks can be investigated.
func visibility(metric string) pulumi.Map {
	return pulumi.Map{
		"cloudwatchMetricsEnabled": pulumi.Bool(true),
		"metricName":               pulumi.String(metric),
		"sampledRequestsEnabled":   pulumi.Bool(true),
	}
}
