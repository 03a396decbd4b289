// Package plantest holds what component tests share: an explicit AWS provider to hand components,
// as stacks.Deploy does.
package plantest

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AWSProvider registers the explicit `aws` provider a component under test takes.
func AWSProvider(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
	return aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("us-east-1")})
}
