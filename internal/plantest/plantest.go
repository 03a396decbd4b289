// Package plantest holds what component tests share: offline runs in one placeholder region, and
// the explicit AWS provider (in that region) that stacks.Deploy hands components.
package plantest

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// Region is where component tests run: the explicit provider's region, and the one the plan's
// placeholder ARNs and hostnames name.
const Region = "us-east-1"

// Options are a component test's offline run: project "p", stack "s", Region.
func Options() plan.Options { return plan.Options{Project: "p", Stack: "s", Region: Region} }

// Run plans run offline with Options.
func Run(run plan.Program) (*plan.Plan, error) { return plan.Run(Options(), run) }

// AWSProvider registers the explicit `aws` provider a component under test takes.
func AWSProvider(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
	return aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(Region)})
}

// RunWithAWS plans run offline, handing it the explicit AWS provider.
func RunWithAWS(run func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error)) (*plan.Plan, error) {
	return Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		return run(ctx, aws)
	})
}
