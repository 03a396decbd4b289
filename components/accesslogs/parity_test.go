//go:build sdkparity

// Parity with the pulumi-aws SDK for the log bucket and its settings, which awsres registers
// with provider-shaped fields. Run with scripts/sdkparity.
package accesslogs

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/awsres"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

func TestBucketParityWithSDK(t *testing.T) {
	run := func(f func(ctx *pulumi.Context) error) *plan.Plan {
		p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, f(ctx) })
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ours := run(func(ctx *pulumi.Context) error {
		aws, err := awsres.NewProvider(ctx, "aws", "us-east-1", nil)
		if err != nil {
			return err
		}
		_, err = NewBucket(ctx, "logs", &Args{Prefix: "retail-api", RetentionDays: 30, EmptyOnDestroy: true,
			Partition: "aws", Region: "us-east-1", AccountID: "123456789012", AwsProvider: aws})
		return err
	})
	sdk := run(func(ctx *pulumi.Context) error {
		b, err := s3.NewBucketV2(ctx, "logs-bucket", &s3.BucketV2Args{BucketPrefix: pulumi.String("logs-"), ForceDestroy: pulumi.Bool(true)})
		if err != nil {
			return err
		}
		if _, err := s3.NewBucketPublicAccessBlock(ctx, "pab", &s3.BucketPublicAccessBlockArgs{Bucket: b.Bucket,
			BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true), IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true)}); err != nil {
			return err
		}
		if _, err := s3.NewBucketOwnershipControls(ctx, "own", &s3.BucketOwnershipControlsArgs{Bucket: b.Bucket,
			Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")}}); err != nil {
			return err
		}
		if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, "sse", &s3.BucketServerSideEncryptionConfigurationV2Args{Bucket: b.Bucket,
			Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
				ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")},
			}}}); err != nil {
			return err
		}
		if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, "life", &s3.BucketLifecycleConfigurationV2Args{Bucket: b.Bucket,
			Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
				Id: pulumi.String("expire-access-logs"), Status: pulumi.String("Enabled"),
				Filter:                         &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("retail-api/")},
				Expiration:                     &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(30)},
				AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{DaysAfterInitiation: pulumi.Int(1)},
			}}}); err != nil {
			return err
		}
		_, err = s3.NewBucketPolicy(ctx, "policy", &s3.BucketPolicyArgs{Bucket: b.Bucket,
			Policy: pulumi.String(BucketPolicy("aws", "logs-example", "retail-api", "123456789012", plan.ELBAccountArn))})
		return err
	})
	for _, token := range []string{awsres.BucketToken, awsres.PublicAccessBlockToken, awsres.OwnershipControlsToken,
		awsres.EncryptionToken, awsres.LifecycleToken, awsres.BucketPolicyToken} {
		o, s := ours.Find(token), sdk.Find(token)
		if len(o) != 1 || len(s) != 1 {
			t.Fatalf("%s: %d ours, %d SDK", token, len(o), len(s))
		}
		if o[0].Version != s[0].Version || !reflect.DeepEqual(plan.PlainMap(o[0].Inputs), plan.PlainMap(s[0].Inputs)) {
			t.Errorf("%s differs:\n ours %v\n SDK  %v", token, plan.PlainMap(o[0].Inputs), plan.PlainMap(s[0].Inputs))
		}
	}
}
