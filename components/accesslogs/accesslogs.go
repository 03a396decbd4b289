// Package accesslogs keeps the ALB's access logs in S3: a private bucket (public access blocked,
// bucket-owner-enforced ownership, SSE-S3, since ALBs cannot write SSE-KMS), expiring after a
// retention period, with a policy that lets only ELB log delivery write, and only over TLS.
// Or it uses a bucket the user already has, untouched.
//
// Inputs (Args): existing bucket (optional), prefix, retention days, whether destroy empties it.
// Outputs: BucketName, Ready (what the ALB must wait for: the bucket policy).
// Creates: `aws:s3/bucketV2:BucketV2` and its public access block, ownership controls, encryption,
// lifecycle and policy.
package accesslogs

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/awsres"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:accesslogs:Bucket"

// Args configure the log bucket.
type Args struct {
	// ExistingBucket is used as is when set (its policy must already allow log delivery).
	ExistingBucket string
	Prefix         string
	RetentionDays  int
	// EmptyOnDestroy lets `pulumi destroy` delete the bucket with its logs in it.
	EmptyOnDestroy bool

	Partition, Region, AccountID string
	AwsProvider                  pulumi.ProviderResource
}

// Bucket is the component.
type Bucket struct {
	pulumi.ResourceState

	BucketName pulumi.StringOutput `pulumi:"bucketName"`
	// Ready is empty for an existing bucket, else the bucket policy: ALB log delivery fails with
	// "Access Denied for bucket" until it exists.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil || a.Prefix == "" || a.AwsProvider == nil:
		return errors.New("accesslogs: Prefix and AwsProvider are required")
	case a.ExistingBucket == "" && (a.RetentionDays < 1 || a.AccountID == "" || a.Region == ""):
		return errors.New("accesslogs: a new bucket needs RetentionDays, AccountID and Region")
	}
	return nil
}

// NewBucket registers the log bucket and its settings, or adopts an existing bucket by name.
func NewBucket(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Bucket, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	b := &Bucket{}
	if err := ctx.RegisterComponentResource(TypeToken, name, b, opts...); err != nil {
		return nil, err
	}
	if args.ExistingBucket != "" {
		b.BucketName = pulumi.String(args.ExistingBucket).ToStringOutput()
		return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"bucketName": b.BucketName})
	}
	if err := b.create(ctx, name, args); err != nil {
		return nil, err
	}
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"bucketName": b.BucketName})
}

func (b *Bucket) create(ctx *pulumi.Context, name string, args *Args) error {
	elbAccount, err := awsres.LookupELBServiceAccountArn(ctx, args.Region, pulumi.Provider(args.AwsProvider), pulumi.Parent(b))
	if err != nil {
		return err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(b), pulumi.Provider(args.AwsProvider)}
	bucket, err := awsres.NewBucket(ctx, name+"-bucket", &awsres.BucketArgs{
		BucketPrefix: pulumi.String(name + "-"),
		ForceDestroy: pulumi.Bool(args.EmptyOnDestroy),
	}, child...)
	if err != nil {
		return err
	}
	settings := []struct {
		suffix, token string
		fields        pulumi.Map
	}{
		{"public-access-block", awsres.PublicAccessBlockToken, pulumi.Map{
			"blockPublicAcls": pulumi.Bool(true), "blockPublicPolicy": pulumi.Bool(true),
			"ignorePublicAcls": pulumi.Bool(true), "restrictPublicBuckets": pulumi.Bool(true),
		}},
		{"ownership", awsres.OwnershipControlsToken, pulumi.Map{
			"rule": pulumi.Map{"objectOwnership": pulumi.String("BucketOwnerEnforced")},
		}},
		{"encryption", awsres.EncryptionToken, pulumi.Map{"rules": pulumi.MapArray{pulumi.Map{
			"applyServerSideEncryptionByDefault": pulumi.Map{"sseAlgorithm": pulumi.String("AES256")},
		}}}},
		{"lifecycle", awsres.LifecycleToken, pulumi.Map{"rules": pulumi.MapArray{pulumi.Map{
			"id":                             pulumi.String("expire-access-logs"),
			"status":                         pulumi.String("Enabled"),
			"filter":                         pulumi.Map{"prefix": pulumi.String(args.Prefix + "/")},
			"expiration":                     pulumi.Map{"days": pulumi.Int(args.RetentionDays)},
			"abortIncompleteMultipartUpload": pulumi.Map{"daysAfterInitiation": pulumi.Int(1)},
		}}}},
	}
	var before []pulumi.Resource
	for _, s := range settings {
		r, err := awsres.NewBucketSetting(ctx, s.token, name+"-"+s.suffix,
			&awsres.BucketSettingArgs{Bucket: bucket.Bucket, Fields: s.fields}, child...)
		if err != nil {
			return err
		}
		before = append(before, r)
	}
	policy := bucket.Bucket.ApplyT(func(name string) string {
		return BucketPolicy(args.Partition, name, args.Prefix, args.AccountID, elbAccount)
	}).(pulumi.StringOutput)
	// The policy goes last: with public access blocked first, it can never be briefly public.
	pol, err := awsres.NewBucketSetting(ctx, awsres.BucketPolicyToken, name+"-policy",
		&awsres.BucketSettingArgs{Bucket: bucket.Bucket, Fields: pulumi.Map{"policy": policy}},
		append(child, pulumi.DependsOn(before))...)
	if err != nil {
		return err
	}
	b.BucketName, b.Ready = bucket.Bucket, []pulumi.Resource{pol}
	return nil
}
