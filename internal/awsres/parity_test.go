//go:build sdkparity

// Parity with the pulumi-aws SDK: each registration here must send the engine exactly what the
// SDK's own constructor sends (token, inputs, plugin version). Behind a build tag because it
// compiles SDK packages this project avoids; run it with scripts/sdkparity.
package awsres

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

func registration(t *testing.T, f func(ctx *pulumi.Context) error) plan.Resource {
	t.Helper()
	p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return nil, f(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != 1 {
		t.Fatalf("want one registration, got %d", len(p.Resources))
	}
	return p.Resources[0]
}

func TestParityWithSDK(t *testing.T) {
	tests := []struct {
		name      string
		ours, sdk func(ctx *pulumi.Context) error
	}{
		{"role", func(ctx *pulumi.Context) error {
			_, err := NewRole(ctx, "r", &RoleArgs{AssumeRolePolicy: pulumi.String(`{"a":1}`), Description: pulumi.String("d")})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := iam.NewRole(ctx, "r", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{"a":1}`), Description: pulumi.String("d")})
			return err
		}},
		{"policy", func(ctx *pulumi.Context) error {
			_, err := NewPolicy(ctx, "r", &PolicyArgs{Policy: pulumi.String(`{}`), Description: pulumi.String("d")})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := iam.NewPolicy(ctx, "r", &iam.PolicyArgs{Policy: pulumi.String(`{}`), Description: pulumi.String("d")})
			return err
		}},
		{"attachment", func(ctx *pulumi.Context) error {
			_, err := NewRolePolicyAttachment(ctx, "r", &RolePolicyAttachmentArgs{Role: pulumi.String("role"), PolicyArn: pulumi.String("arn")})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := iam.NewRolePolicyAttachment(ctx, "r", &iam.RolePolicyAttachmentArgs{Role: pulumi.String("role"), PolicyArn: pulumi.String("arn")})
			return err
		}},
		{"oidc provider", func(ctx *pulumi.Context) error {
			_, err := NewOpenIDConnectProvider(ctx, "r", &OpenIDConnectProviderArgs{URL: pulumi.String("https://x"), ClientIDLists: pulumi.ToStringArray([]string{"sts.amazonaws.com"})})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := iam.NewOpenIdConnectProvider(ctx, "r", &iam.OpenIdConnectProviderArgs{Url: pulumi.String("https://x"), ClientIdLists: pulumi.ToStringArray([]string{"sts.amazonaws.com"})})
			return err
		}},
		{"certificate", func(ctx *pulumi.Context) error {
			_, err := NewCertificate(ctx, "r", &CertificateArgs{DomainName: pulumi.String("a.example.com"),
				SubjectAlternativeNames: pulumi.ToStringArray([]string{"b.example.com"}), ValidationMethod: pulumi.String("DNS"), KeyAlgorithm: pulumi.String("RSA_2048")})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := acm.NewCertificate(ctx, "r", &acm.CertificateArgs{DomainName: pulumi.String("a.example.com"),
				SubjectAlternativeNames: pulumi.ToStringArray([]string{"b.example.com"}), ValidationMethod: pulumi.String("DNS"), KeyAlgorithm: pulumi.String("RSA_2048")})
			return err
		}},
		{"certificate validation", func(ctx *pulumi.Context) error {
			_, err := NewCertificateValidation(ctx, "r", &CertificateValidationArgs{CertificateArn: pulumi.String("arn"), ValidationRecordFqdns: pulumi.ToStringArray([]string{"x."})})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := acm.NewCertificateValidation(ctx, "r", &acm.CertificateValidationArgs{CertificateArn: pulumi.String("arn"), ValidationRecordFqdns: pulumi.ToStringArray([]string{"x."})})
			return err
		}},
		{"alias record", func(ctx *pulumi.Context) error {
			_, err := NewRecord(ctx, "r", &RecordArgs{ZoneID: pulumi.String("Z1"), Name: pulumi.String("a.example.com"), Type: pulumi.String("A"),
				Aliases: pulumi.MapArray{pulumi.Map{"name": pulumi.String("alb"), "zoneId": pulumi.String("Z2"), "evaluateTargetHealth": pulumi.Bool(true)}}})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := route53.NewRecord(ctx, "r", &route53.RecordArgs{ZoneId: pulumi.String("Z1"), Name: pulumi.String("a.example.com"), Type: pulumi.String("A"),
				Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{Name: pulumi.String("alb"), ZoneId: pulumi.String("Z2"), EvaluateTargetHealth: pulumi.Bool(true)}}})
			return err
		}},
		{"validation record", func(ctx *pulumi.Context) error {
			_, err := NewRecord(ctx, "r", &RecordArgs{ZoneID: pulumi.String("Z1"), Name: pulumi.String("_x.a."), Type: pulumi.String("CNAME"),
				Records: pulumi.ToStringArray([]string{"_y."}), TTL: pulumi.Int(60), AllowOverwrite: pulumi.Bool(true)})
			return err
		}, func(ctx *pulumi.Context) error {
			_, err := route53.NewRecord(ctx, "r", &route53.RecordArgs{ZoneId: pulumi.String("Z1"), Name: pulumi.String("_x.a."), Type: pulumi.String("CNAME"),
				Records: pulumi.ToStringArray([]string{"_y."}), Ttl: pulumi.Int(60), AllowOverwrite: pulumi.Bool(true)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, sdk := registration(t, tt.ours), registration(t, tt.sdk)
			if ours.Type != sdk.Type || ours.Version != sdk.Version || !reflect.DeepEqual(plan.PlainMap(ours.Inputs), plan.PlainMap(sdk.Inputs)) {
				t.Errorf("ours:\n %s %s %v\nSDK:\n %s %s %v", ours.Type, ours.Version, plan.PlainMap(ours.Inputs),
					sdk.Type, sdk.Version, plan.PlainMap(sdk.Inputs))
			}
		})
	}
}
