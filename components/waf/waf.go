// Package waf protects the ALB with a regional WAFv2 web ACL: a per-client-IP rate limit and AWS
// managed rule groups, with CloudWatch metrics and sampled requests on. The ACL is attached by the
// Ingress's `wafv2-acl-arn` annotation, never by a separate association resource, which the
// controller would revert on its next reconcile.
//
// Inputs (Args): name, rate limit, managed rule groups, whether large bodies only count.
// Outputs: Arn.
// Creates: `aws:wafv2/webAcl:WebAcl`.
package waf

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:waf:WebACL"

// Args configure the ACL.
type Args struct {
	// Name is the ACL's name and its metrics' prefix.
	Name              string
	RateLimit         int
	ManagedRuleGroups []string
	// CountLargeBodies lets bodies over 8 KB through the Common rule set (counted, not blocked).
	CountLargeBodies bool
}

// WebACL is the component.
type WebACL struct {
	pulumi.ResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
	// Ready is what a load balancer using the ACL waits for: the web ACL itself.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil || a.Name == "":
		return errors.New("waf: Name is required")
	case a.RateLimit < MinRateLimit || a.RateLimit > MaxRateLimit:
		return fmt.Errorf("waf: RateLimit must be %d-%d, got %d", MinRateLimit, MaxRateLimit, a.RateLimit)
	}
	return nil
}

// NewWebACL registers the web ACL. Pass the AWS provider in opts; the ACL inherits it.
func NewWebACL(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*WebACL, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	w := &WebACL{}
	if err := ctx.RegisterComponentResource(TypeToken, name, w, opts...); err != nil {
		return nil, err
	}
	acl, err := wafv2.NewWebAcl(ctx, name+"-acl", &wafv2.WebAclArgs{
		Name:          pulumi.String(args.Name),
		Description:   pulumi.String("Rate limit and AWS managed rules for " + args.Name),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules(args.Name, args.RateLimit, args.ManagedRuleGroups, args.CountLargeBodies),
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(args.Name),
			SampledRequestsEnabled:   pulumi.Bool(true),
		},
	}, pulumi.Parent(w))
	if err != nil {
		return nil, err
	}
	w.Arn, w.Ready = acl.Arn, []pulumi.Resource{acl}
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"arn": w.Arn})
}
