// Package plantest holds what component tests share: offline runs in one placeholder region, and
// the explicit providers (AWS in that region, Kubernetes) that stacks.Deploy hands components.
package plantest

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// Region is where component tests run: the explicit provider's region, and the one the plan's
// placeholder ARNs and hostnames name.
const Region = "us-east-1"

// Options are a component test's offline run: project "p", stack "s", Region, and no default
// providers, as in the stacks: a child or lookup that does not inherit its component's provider fails.
func Options() plan.Options {
	return plan.Options{Project: "p", Stack: "s", Region: Region,
		Config: map[string]string{"pulumi:disable-default-providers": `["*"]`}}
}

// Run plans run offline with Options.
func Run(run plan.Program) (*plan.Plan, error) { return plan.Run(Options(), run) }

// AWSProvider registers the explicit `aws` provider a component under test takes.
func AWSProvider(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
	return aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String(Region)})
}

// KubernetesProvider registers the explicit `kubernetes` provider a component under test takes.
func KubernetesProvider(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
	return kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
}

// RunWithAWS plans run offline, handing it the explicit AWS provider.
func RunWithAWS(run func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error)) (*plan.Plan, error) {
	return runWith(AWSProvider, run)
}

// RunWithKubernetes plans run offline, handing it the explicit Kubernetes provider.
func RunWithKubernetes(run func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error)) (*plan.Plan, error) {
	return runWith(KubernetesProvider, run)
}

func runWith(provider func(*pulumi.Context) (pulumi.ProviderResource, error),
	run func(*pulumi.Context, pulumi.ProviderResource) (pulumi.Map, error)) (*plan.Plan, error) {
	return Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		p, err := provider(ctx)
		if err != nil {
			return nil, err
		}
		return run(ctx, p)
	})
}
