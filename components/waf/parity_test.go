//go:build sdkparity

// Parity with the pulumi-aws SDK for the web ACL, whose nested rule blocks are the most intricate
// inputs this program sends by token. Run with scripts/sdkparity.
package waf

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/awsres"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

func sdkVisibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(metric), SampledRequestsEnabled: pulumi.Bool(true)}
}

func TestWebACLParityWithSDK(t *testing.T) {
	acl := func(f func(ctx *pulumi.Context) error) plan.Resource {
		p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, f(ctx) })
		if err != nil {
			t.Fatal(err)
		}
		return p.Find(awsres.WebACLToken)[0]
	}
	ours := acl(func(ctx *pulumi.Context) error {
		aws, err := awsres.NewProvider(ctx, "aws", "us-east-1", nil)
		if err != nil {
			return err
		}
		_, err = NewWebACL(ctx, "api", &Args{Name: "edge", RateLimit: 500, ManagedRuleGroups: []string{"AWSManagedRulesCommonRuleSet"}, AwsProvider: aws})
		return err
	})
	sdk := acl(func(ctx *pulumi.Context) error {
		_, err := wafv2.NewWebAcl(ctx, "api-acl", &wafv2.WebAclArgs{
			Name: pulumi.String("edge"), Description: pulumi.String("Rate limit and AWS managed rules for edge"),
			Scope: pulumi.String("REGIONAL"), DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
			VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String("edge"), SampledRequestsEnabled: pulumi.Bool(true)},
			Rules: wafv2.WebAclRuleArray{
				wafv2.WebAclRuleArgs{
					Name: pulumi.String("rate-limit-per-ip"), Priority: pulumi.Int(0),
					Action: &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{}},
					Statement: wafv2.WebAclRuleStatementArgs{RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
						Limit: pulumi.Int(500), AggregateKeyType: pulumi.String("IP"), EvaluationWindowSec: pulumi.Int(300),
					}},
					VisibilityConfig: sdkVisibility("edge-rate-limit"),
				},
				wafv2.WebAclRuleArgs{
					Name: pulumi.String("AWSManagedRulesCommonRuleSet"), Priority: pulumi.Int(1),
					OverrideAction: &wafv2.WebAclRuleOverrideActionArgs{None: &wafv2.WebAclRuleOverrideActionNoneArgs{}},
					Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
						Name: pulumi.String("AWSManagedRulesCommonRuleSet"), VendorName: pulumi.String("AWS"),
					}},
					VisibilityConfig: sdkVisibility("edge-AWSManagedRulesCommonRuleSet"),
				},
			},
		})
		return err
	})
	if ours.Version != sdk.Version || !reflect.DeepEqual(plan.PlainMap(ours.Inputs), plan.PlainMap(sdk.Inputs)) {
		t.Errorf("ours:\n %s %v\nSDK:\n %s %v", ours.Version, plan.PlainMap(ours.Inputs), sdk.Version, plan.PlainMap(sdk.Inputs))
	}
}
