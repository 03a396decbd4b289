// Package awsres registers the few pulumi-aws resources and lookups this program uses, by the
// provider's own type tokens and property names, instead of importing the pulumi-aws Go SDK.
//
// Why: the SDK registers every type of an imported package at init, so importing even `iam` and
// `wafv2` costs minutes of compiling and gigabytes of memory on every `pulumi up` (README,
// "Build cost"). The engine and the pulumi-aws plugin see exactly what the SDK would send:
// same token, same input names, same plugin version. Tests in this package pin the tokens.
package awsres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the pulumi-aws provider plugin these registrations target; it matches the SDK
// module pinned in go.mod (tools.go), which is what `pulumi plugin install` resolves.
const Version = "6.83.4"

// Provider is an explicit `aws` provider: one region and the tags every AWS resource gets.
type Provider struct {
	pulumi.ProviderResourceState
}

// ProviderArgs configures the explicit AWS provider.
type ProviderArgs struct {
	Region pulumi.StringInput
	// DefaultTags holds {"tags": {...}}, the provider's defaultTags block.
	DefaultTags pulumi.StringMapMapInput
}

type providerArgs struct {
	Region      string                       `pulumi:"region"`
	DefaultTags map[string]map[string]string `pulumi:"defaultTags"`
}

// ElementType tells the SDK which plain struct (and so which property names) ProviderArgs maps to.
func (ProviderArgs) ElementType() reflect.Type { return reflect.TypeOf((*providerArgs)(nil)).Elem() }

// NewProvider registers `pulumi:providers:aws` with the given region and default tags.
func NewProvider(ctx *pulumi.Context, name, region string, tags map[string]string,
	opts ...pulumi.ResourceOption,
) (*Provider, error) {
	args := &ProviderArgs{
		Region:      pulumi.String(region),
		DefaultTags: pulumi.StringMapMap{"tags": pulumi.ToStringMap(tags)},
	}
	var p Provider
	err := ctx.RegisterResource("pulumi:providers:aws", name, args, &p, withVersion(opts)...)
	return &p, err
}

func withVersion(opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
}

func withInvokeVersion(opts []pulumi.InvokeOption) []pulumi.InvokeOption {
	return append([]pulumi.InvokeOption{pulumi.Version(Version)}, opts...)
}
