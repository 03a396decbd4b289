package awsres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Bucket is an S3 bucket.
type Bucket struct {
	pulumi.CustomResourceState

	Bucket pulumi.StringOutput `pulumi:"bucket"`
	Arn    pulumi.StringOutput `pulumi:"arn"`
}

// BucketArgs name the bucket (by prefix) and say whether destroy may delete its objects.
type BucketArgs struct {
	BucketPrefix pulumi.StringInput
	ForceDestroy pulumi.BoolInput
}

type bucketArgs struct {
	BucketPrefix string `pulumi:"bucketPrefix"`
	ForceDestroy bool   `pulumi:"forceDestroy"`
}

// ElementType maps BucketArgs onto `aws:s3/bucketV2:BucketV2` properties.
func (BucketArgs) ElementType() reflect.Type { return reflect.TypeOf((*bucketArgs)(nil)).Elem() }

// NewBucket registers `aws:s3/bucketV2:BucketV2`.
func NewBucket(ctx *pulumi.Context, name string, args *BucketArgs, opts ...pulumi.ResourceOption) (*Bucket, error) {
	var b Bucket
	return &b, register(ctx, BucketToken, name, args, &b, opts)
}

// BucketSetting is one of the bucket's separate configuration resources (public access block,
// ownership, encryption, lifecycle, policy): all of them name the bucket and add a few fields.
type BucketSetting struct {
	pulumi.CustomResourceState
}

// BucketSettingArgs are the bucket plus the setting's own provider-shaped fields.
type BucketSettingArgs struct {
	Bucket pulumi.StringInput
	// Fields are the setting's other properties, by their provider names.
	Fields pulumi.Map
}

// NewBucketSetting registers one bucket configuration resource of the given token.
func NewBucketSetting(ctx *pulumi.Context, token, name string, args *BucketSettingArgs,
	opts ...pulumi.ResourceOption,
) (*BucketSetting, error) {
	props := pulumi.Map{"bucket": args.Bucket}
	for k, v := range args.Fields {
		props[k] = v
	}
	var s BucketSetting
	return &s, register(ctx, token, name, props, &s, opts)
}
