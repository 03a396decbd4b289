package accesslogs

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func planBucket(t *testing.T, existing string) *plan.Plan {
	t.Helper()
	return planBucketEmptied(t, existing, true)
}

func planBucketEmptied(t *testing.T, existing string, empty bool) *plan.Plan {
	t.Helper()
	p, err := plantest.RunWithAWS(func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error) {
		b, err := NewBucket(ctx, "logs", &Args{ExistingBucket: existing, Prefix: "retail-api", RetentionDays: 30,
			EmptyOnDestroy: empty, Partition: "aws", Region: "us-east-1", AccountID: "123456789012"}, pulumi.Provider(aws))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"bucket": b.BucketName}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBucket(t *testing.T) {
	p := planBucket(t, "")
	one := func(token string) plan.Resource {
		rs := p.Find(token)
		if len(rs) != 1 {
			t.Fatalf("want one %s, got %d", token, len(rs))
		}
		return rs[0]
	}
	bucket := one(typetoken.Bucket)
	pab := one(typetoken.PublicAccessBlock)
	policy := one(typetoken.BucketPolicy)
	lifecycle := one(typetoken.Lifecycle).Value("rules").([]any)[0].(map[string]any)
	sse := one(typetoken.Encryption).Value("rules").([]any)[0].(map[string]any)
	checks := []struct {
		name string
		ok   bool
	}{
		{"emptied on destroy when asked", bucket.Value("forceDestroy") == true},
		{"all public access blocked", pab.Value("blockPublicAcls") == true && pab.Value("blockPublicPolicy") == true &&
			pab.Value("ignorePublicAcls") == true && pab.Value("restrictPublicBuckets") == true},
		{"bucket owner enforced", one(typetoken.OwnershipControls).Value("rule", "objectOwnership") == "BucketOwnerEnforced"},
		{"SSE-S3 (ALB logs cannot use KMS)", sse["applyServerSideEncryptionByDefault"].(map[string]any)["sseAlgorithm"] == "AES256"},
		{"expiry", lifecycle["expiration"].(map[string]any)["days"] == float64(30) && lifecycle["status"] == "Enabled"},
		{"policy after the public access block", slices.Contains(policy.Dependencies, pab.URN)},
		{"output is the bucket's name", p.Outputs["bucket"].Value == "logs-example"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s", c.name)
		}
	}
}

func TestBucketPolicy(t *testing.T) {
	var doc struct {
		Statement []struct {
			Sid, Effect string
			Principal   any
			Action      string
			Resource    any
			Condition   map[string]map[string]string
		}
	}
	raw := bucketPolicy("aws", "logs", "retail-api", "123456789012", "arn:aws:iam::111122223333:root")
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 3 {
		t.Fatalf("want 3 statements, got %d", len(doc.Statement))
	}
	elb, svc, deny := doc.Statement[0], doc.Statement[1], doc.Statement[2]
	logs := "arn:aws:s3:::logs/retail-api/AWSLogs/123456789012/*"
	if elb.Principal.(map[string]any)["AWS"] != "arn:aws:iam::111122223333:root" || elb.Resource != logs || elb.Action != "s3:PutObject" {
		t.Errorf("ELB account statement: %+v", elb)
	}
	if svc.Principal.(map[string]any)["Service"] != "logdelivery.elasticloadbalancing.amazonaws.com" || svc.Resource != logs {
		t.Errorf("log delivery statement: %+v", svc)
	}
	if deny.Effect != "Deny" || deny.Condition["Bool"]["aws:SecureTransport"] != "false" {
		t.Errorf("non-TLS access must be denied: %+v", deny)
	}
}

func TestExistingBucketIsLeftAlone(t *testing.T) {
	p := planBucket(t, "team-logs")
	if len(p.Find(typetoken.Bucket)) != 0 || len(p.Find(typetoken.BucketPolicy)) != 0 || p.Outputs["bucket"].Value != "team-logs" {
		t.Error("an existing bucket is used by name, with no resources made or changed")
	}
}

// TestLogDeliveryByRegion: regions opened before August 2022 deliver as the regional ELB account
// (looked up) and the log delivery service; newer ones, where the lookup has no answer, as the
// service only, and nothing looks the account up.
func TestLogDeliveryByRegion(t *testing.T) {
	tests := []struct {
		region  string
		account bool
	}{{"us-east-1", true}, {"eu-west-1", true}, {"ap-southeast-4", false}, {"eu-central-2", false}, {"il-central-1", false}}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			failing := map[string]string{}
			if !tt.account {
				failing[typetoken.GetELBServiceAccount] = "unknown region (" + tt.region + ")"
			}
			p, err := plan.Run(plan.Options{Project: "p", Stack: "s", Region: tt.region, FailingLookups: failing},
				func(ctx *pulumi.Context) (pulumi.Map, error) {
					aws, err := plantest.AWSProvider(ctx)
					if err != nil {
						return nil, err
					}
					_, err = NewBucket(ctx, "logs", &Args{Prefix: "retail-api", RetentionDays: 30, Partition: "aws",
						Region: tt.region, AccountID: "123456789012"}, pulumi.Provider(aws))
					return nil, err
				})
			if err != nil {
				t.Fatal(err)
			}
			var doc struct{ Statement []map[string]any }
			if err := json.Unmarshal([]byte(p.Find(typetoken.BucketPolicy)[0].Value("policy").(string)), &doc); err != nil {
				t.Fatal(err)
			}
			var principals []string
			for _, s := range doc.Statement {
				if s["Effect"] == "Allow" {
					principals = append(principals, fmt.Sprint(s["Principal"]))
				}
			}
			want := []string{"map[Service:" + logDeliveryService + "]"}
			if tt.account {
				want = append([]string{"map[AWS:" + plan.ELBAccountArn + "]"}, want...)
			}
			if !slices.Equal(principals, want) {
				t.Errorf("log writers %v, want %v", principals, want)
			}
		})
	}
}

// A bucket destroy may not empty is kept whole: S3 refuses to delete a bucket with logs in it, and
// deleting its settings first would leave the logs in an unmanaged bucket that no longer expires
// them. One destroy may empty goes with everything in it.
func TestBucketNotEmptiedIsKeptWhole(t *testing.T) {
	for _, empty := range []bool{true, false} {
		p := planBucketEmptied(t, "", empty)
		for _, r := range p.Resources {
			if r.Custom && r.Type != "pulumi:providers:aws" && r.RetainOnDelete == empty {
				t.Errorf("emptyOnDestroy %v: %s %s retainOnDelete = %v", empty, r.Type, r.Name, r.RetainOnDelete)
			}
		}
		if got := p.Find(typetoken.Bucket)[0].Value("forceDestroy"); got != empty {
			t.Errorf("emptyOnDestroy %v: forceDestroy = %v", empty, got)
		}
	}
}
