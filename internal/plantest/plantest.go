// Package plantest holds what component tests share: an explicit AWS provider to hand components,
// as stacks.Deploy does, and an offline run that registers it first.
package plantest

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// AWSProvider registers the explicit `aws` provider a component under test takes.
func AWSProvider(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
	return aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("us-east-1")})
}

// RunWithAWS plans run offline (project "p", stack "s"), handing it the explicit AWS provider.
func RunWithAWS(run func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error)) (*plan.Plan, error) {
	return plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		return run(ctx, aws)
	})
}
