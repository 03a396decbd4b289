package awsres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Tokens of the EC2 lookups and resources this program uses.
const (
	GetVpcToken     = "aws:ec2/getVpc:getVpc"
	GetSubnetsToken = "aws:ec2/getSubnets:getSubnets"
	TagToken        = "aws:ec2/tag:Tag"
)

// LookupDefaultVpcID returns the ID of the region's default VPC.
func LookupDefaultVpcID(ctx *pulumi.Context, opts ...pulumi.InvokeOption) (string, error) {
	var out struct {
		ID string `pulumi:"id"`
	}
	err := ctx.Invoke(GetVpcToken, map[string]any{"default": true}, &out, withInvokeVersion(opts)...)
	return out.ID, err
}

// LookupDefaultSubnetIDs returns the default (public, one per AZ) subnets of a VPC.
func LookupDefaultSubnetIDs(ctx *pulumi.Context, vpcID string, opts ...pulumi.InvokeOption) ([]string, error) {
	args := map[string]any{"filters": []map[string]any{
		{"name": "vpc-id", "values": []string{vpcID}},
		{"name": "default-for-az", "values": []string{"true"}},
	}}
	var out struct {
		IDs []string `pulumi:"ids"`
	}
	err := ctx.Invoke(GetSubnetsToken, args, &out, withInvokeVersion(opts)...)
	return out.IDs, err
}

// Tag is one tag on an EC2 resource this program does not own (e.g. a default subnet).
type Tag struct {
	pulumi.CustomResourceState
}

// TagArgs names the resource, key and value.
type TagArgs struct {
	ResourceID pulumi.StringInput
	Key        pulumi.StringInput
	Value      pulumi.StringInput
}

type tagArgs struct {
	ResourceID string `pulumi:"resourceId"`
	Key        string `pulumi:"key"`
	Value      string `pulumi:"value"`
}

// ElementType maps TagArgs onto `aws:ec2/tag:Tag` properties.
func (TagArgs) ElementType() reflect.Type { return reflect.TypeOf((*tagArgs)(nil)).Elem() }

// NewTag registers `aws:ec2/tag:Tag`.
func NewTag(ctx *pulumi.Context, name string, args *TagArgs, opts ...pulumi.ResourceOption) (*Tag, error) {
	var t Tag
	return &t, register(ctx, TagToken, name, args, &t, opts)
}
