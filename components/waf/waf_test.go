package waf

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func TestWebACL(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := plantest.AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		_, err = NewWebACL(ctx, "api", &Args{Name: "retail-api-edge-prod", RateLimit: 500, ManagedRuleGroups: DefaultManagedRuleGroups}, pulumi.Provider(aws))
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	acl := p.Find(typetoken.WebACL)[0]
	rules := acl.Value("rules").([]any)
	if acl.Value("scope") != "REGIONAL" || acl.Value("defaultAction", "allow") == nil {
		t.Errorf("a regional ACL that allows by default: %v", acl.Inputs)
	}
	if len(rules) != 1+len(DefaultManagedRuleGroups) {
		t.Fatalf("want the rate rule and %d managed groups, got %d rules", len(DefaultManagedRuleGroups), len(rules))
	}
	rate := rules[0].(map[string]any)
	rbs := rate["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)
	if rate["priority"] != float64(0) || rate["action"].(map[string]any)["block"] == nil ||
		rbs["limit"] != float64(500) || rbs["aggregateKeyType"] != "IP" {
		t.Errorf("rate rule: %v", rate)
	}
	seen := map[float64]bool{0: true}
	for i, g := range DefaultManagedRuleGroups {
		r := rules[i+1].(map[string]any)
		m := r["statement"].(map[string]any)["managedRuleGroupStatement"].(map[string]any)
		prio := r["priority"].(float64)
		if m["name"] != g || m["vendorName"] != "AWS" || seen[prio] || r["overrideAction"].(map[string]any)["none"] == nil {
			t.Errorf("managed group %s: %v", g, r)
		}
		seen[prio] = true
	}
	for _, r := range append(rules, map[string]any{"visibilityConfig": acl.Value("visibilityConfig")}) {
		v := r.(map[string]any)["visibilityConfig"].(map[string]any)
		if v["cloudwatchMetricsEnabled"] != true || v["sampledRequestsEnabled"] != true || v["metricName"] == "" {
			t.Errorf("metrics and sampled requests must be on: %v", v)
		}
	}
}

func TestRateLimitBounds(t *testing.T) {
	for _, limit := range []int{MinRateLimit - 1, MaxRateLimit + 1} {
		_, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
			aws, err := plantest.AWSProvider(ctx)
			if err != nil {
				return nil, err
			}
			_, err = NewWebACL(ctx, "w", &Args{Name: "w", RateLimit: limit}, pulumi.Provider(aws))
			return nil, err
		})
		if err == nil || !strings.Contains(err.Error(), "RateLimit") {
			t.Errorf("rate limit %d must be refused, got %v", limit, err)
		}
	}
}

// TestBaselineGroups pins the managed groups every ACL starts with unless configured otherwise.
func TestBaselineGroups(t *testing.T) {
	for _, g := range []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"} {
		if !slices.Contains(DefaultManagedRuleGroups, g) {
			t.Errorf("default managed rule groups lack %s", g)
		}
	}
}

// TestLargeBodies: with CountLargeBodies only the Common rule set's body-size rule is overridden
// to count, so POST /predict bodies over 8 KB pass; without it AWS's block stands.
func TestLargeBodies(t *testing.T) {
	for _, count := range []bool{true, false} {
		p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
			aws, err := plantest.AWSProvider(ctx)
			if err != nil {
				return nil, err
			}
			_, err = NewWebACL(ctx, "api", &Args{Name: "n", RateLimit: 500, ManagedRuleGroups: DefaultManagedRuleGroups,
				CountLargeBodies: count}, pulumi.Provider(aws))
			return nil, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Find(typetoken.WebACL)[0].Value("rules").([]any)[1:] {
			group := r.(map[string]any)["statement"].(map[string]any)["managedRuleGroupStatement"].(map[string]any)
			got := fmt.Sprint(group["ruleActionOverrides"])
			want := "<nil>"
			if count && group["name"] == commonRuleSet {
				want = "[map[actionToUse:map[count:map[]] name:SizeRestrictions_BODY]]"
			}
			if got != want {
				t.Errorf("count large bodies %v, group %v: overrides %s, want %s", count, group["name"], got, want)
			}
		}
	}
}
