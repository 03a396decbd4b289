// Package helmres installs a Helm chart as a `kubernetes:helm.sh/v3:Release`, registered by its
// type token instead of importing the pulumi-kubernetes `helm/v3` package. That package imports
// `yaml`, which imports all of Kubernetes' API groups: minutes of compiling, gigabytes of memory
// and a much larger binary for one resource type (docs/build-cost.md). The release itself still
// runs in the pulumi-kubernetes provider, exactly as with the SDK; sdk_test.go proves the engine
// receives the same registration from both.
package helmres

import (
	"reflect"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// Release is an installed chart.
type Release struct {
	pulumi.CustomResourceState
}

// ReleaseArgs are the release inputs this program sets.
type ReleaseArgs struct {
	Name      pulumi.StringInput
	Chart     pulumi.StringInput
	Version   pulumi.StringInput
	Namespace pulumi.StringInput
	// Repo is the chart repository URL; empty when Chart is a local path.
	Repo   pulumi.StringInput
	Values pulumi.MapInput
	// Timeout bounds the wait for every rendered resource to become ready, in seconds.
	Timeout       pulumi.IntInput
	CleanupOnFail pulumi.BoolInput
	MaxHistory    pulumi.IntInput
}

type releaseArgs struct {
	Name           *string           `pulumi:"name"`
	Chart          string            `pulumi:"chart"`
	Version        *string           `pulumi:"version"`
	Namespace      *string           `pulumi:"namespace"`
	RepositoryOpts map[string]string `pulumi:"repositoryOpts"`
	Values         map[string]any    `pulumi:"values"`
	Timeout        *int              `pulumi:"timeout"`
	CleanupOnFail  *bool             `pulumi:"cleanupOnFail"`
	MaxHistory     *int              `pulumi:"maxHistory"`
	Compat         *string           `pulumi:"compat"`
}

// releaseInputs is what is sent: ReleaseArgs with the repository URL nested as the provider expects.
type releaseInputs struct {
	Name           pulumi.StringInput
	Chart          pulumi.StringInput
	Version        pulumi.StringInput
	Namespace      pulumi.StringInput
	RepositoryOpts pulumi.StringMapInput
	Values         pulumi.MapInput
	Timeout        pulumi.IntInput
	CleanupOnFail  pulumi.BoolInput
	MaxHistory     pulumi.IntInput
	Compat         pulumi.StringInput
}

// ElementType maps the inputs onto the provider's property names.
func (releaseInputs) ElementType() reflect.Type { return reflect.TypeOf((*releaseArgs)(nil)).Elem() }

// NewRelease registers the Helm release. The provider waits until every resource of the chart is
// ready (Deployments available, webhooks serving) before the release counts as created.
func NewRelease(ctx *pulumi.Context, name string, args *ReleaseArgs, opts ...pulumi.ResourceOption) (*Release, error) {
	in := &releaseInputs{
		Name: args.Name, Chart: args.Chart, Version: args.Version, Namespace: args.Namespace,
		Values: args.Values, Timeout: args.Timeout, CleanupOnFail: args.CleanupOnFail, MaxHistory: args.MaxHistory,
		// A schema constant the SDK always sends.
		Compat: pulumi.String("true"),
	}
	if args.Repo != nil {
		in.RepositoryOpts = pulumi.StringMap{"repo": args.Repo}
	}
	var r Release
	// The SDK's own defaults: the plugin version of the pulumi-kubernetes module in go.mod.
	return &r, ctx.RegisterResource(typetoken.HelmRelease, name, in, &r, utilities.PkgResourceDefaultOpts(opts)...)
}
