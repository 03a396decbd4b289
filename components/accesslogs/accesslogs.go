// Package accesslogs keeps the ALB's access logs in S3: a private bucket (public access blocked,
// bucket-owner-enforced ownership, SSE-S3, since ALBs cannot write SSE-KMS), expiring after a
// retention period, with a policy that lets only ELB log delivery write, and only over TLS.
// Or it uses a bucket the user already has, untouched.
//
// Inputs (Args): existing bucket (optional), prefix, retention days, whether destroy empties it
// (and deletes it; otherwise destroy leaves the bucket and its settings in place).
// Outputs: BucketName, Ready (what the ALB must wait for: the bucket policy).
// Creates: `aws:s3/bucketV2:BucketV2` and its public access block, ownership controls, encryption,
// lifecycle and policy.
package accesslogs

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:accesslogs:Bucket"

// Args configure the log bucket.
type Args struct {
	// ExistingBucket is used as is when set (its policy must already allow log delivery).
	ExistingBucket string
	// BucketPrefix starts the new bucket's name (S3 appends a unique suffix); empty: the
	// component's name and "-". Changing it replaces the bucket.
	BucketPrefix  string
	Prefix        string
	RetentionDays int
	// EmptyOnDestroy lets `pulumi destroy` delete the bucket with its logs in it; without it,
	// destroy leaves the bucket, with its logs and every setting, to the account.
	EmptyOnDestroy bool

	Partition, Region, AccountID string
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
	case a == nil || a.Prefix == "":
		return errors.New("accesslogs: Prefix is required")
	case a.ExistingBucket == "" && (a.RetentionDays < 1 || a.AccountID == "" || a.Region == ""):
		return errors.New("accesslogs: a new bucket needs RetentionDays, AccountID and Region")
	}
	return nil
}

// NewBucket registers the log bucket and its settings, or adopts an existing bucket by name. Pass
// the AWS provider in opts; the children and the lookups inherit it.
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
	elbAccount, err := b.elbAccount(ctx, args)
	if err != nil {
		return err
	}
	// A bucket that is not emptied cannot be deleted (BucketNotEmpty), and destroy would by then
	// have deleted its lifecycle, encryption and policy, leaving logs in an unmanaged bucket that
	// no longer expires them. Kept, it stays whole, and destroy succeeds.
	keep := !args.EmptyOnDestroy
	child := []pulumi.ResourceOption{pulumi.Parent(b), pulumi.RetainOnDelete(keep)}
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		BucketPrefix: pulumi.String(args.bucketPrefix(name)),
		ForceDestroy: pulumi.Bool(args.EmptyOnDestroy),
	}, child...)
	if err != nil {
		return err
	}
	before, err := settings(ctx, name, bucket.Bucket, args, child)
	if err != nil {
		return err
	}
	policy := bucket.Bucket.ApplyT(func(name string) string {
		return bucketPolicy(args.Partition, name, args.Prefix, args.AccountID, elbAccount)
	}).(pulumi.StringOutput)
	// The policy goes last: with public access blocked first, it can never be briefly public.
	pol, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{Bucket: bucket.Bucket, Policy: policy},
		append(child, pulumi.DependsOn(before))...)
	if err != nil {
		return err
	}
	b.BucketName, b.Ready = bucket.Bucket, []pulumi.Resource{pol}
	return nil
}

func (a *Args) bucketPrefix(name string) string {
	if a.BucketPrefix != "" {
		return a.BucketPrefix
	}
	return name + "-"
}

// elbAccount is the region's ELB log delivery account, or "" in a region opened since August 2022,
// which has none (the provider's lookup fails there) and delivers as logDeliveryService only.
func (b *Bucket) elbAccount(ctx *pulumi.Context, args *Args) (string, error) {
	if !hasELBAccount(args.Region) {
		return "", nil
	}
	region := args.Region
	// The invoke takes the component's AWS provider from its parent: the SDK merges the parent's
	// providers into an invoke's (pulumi/sdk/v3 go/pulumi/context.go, invokePackageRaw ->
	// mergeProviders, at v3.274.1).
	found, err := elb.GetServiceAccount(ctx, &elb.GetServiceAccountArgs{Region: &region}, pulumi.Parent(b))
	if err != nil {
		return "", fmt.Errorf("looking up the ELB log delivery account of %s: %w", region, err)
	}
	return found.Arn, nil
}

// settings are the bucket's own configuration resources: public access blocked, the bucket owner
// owning every object, SSE-S3, and expiry after the retention period.
func settings(ctx *pulumi.Context, name string, bucket pulumi.StringOutput, args *Args, opts []pulumi.ResourceOption) ([]pulumi.Resource, error) {
	block, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, err
	}
	owner, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket, Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...)
	if err != nil {
		return nil, err
	}
	sse, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	expiry, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-access-logs"),
			Status:     pulumi.String("Enabled"),
			Filter:     s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String(args.Prefix + "/")},
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(args.RetentionDays)},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{block, owner, sse, expiry}, nil
}
