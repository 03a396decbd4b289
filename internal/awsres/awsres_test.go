package awsres

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// TestRegistrationsMatchTheProvider pins what the engine receives: the pulumi-aws type token,
// the provider's property names and the plugin version, as the pulumi-aws SDK would send them.
func TestRegistrationsMatchTheProvider(t *testing.T) {
	p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		prov, err := NewProvider(ctx, "aws", "eu-west-1", map[string]string{"owner": "me"})
		if err != nil {
			return nil, err
		}
		_, err = NewTag(ctx, "tag", &TagArgs{
			ResourceID: pulumi.String("subnet-1"), Key: pulumi.String("k"), Value: pulumi.String("v"),
		}, pulumi.Provider(prov))
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token string
		path  []string
		want  any
	}{
		{"pulumi:providers:aws", []string{"region"}, "eu-west-1"},
		{"pulumi:providers:aws", []string{"defaultTags", "tags", "owner"}, "me"},
		{TagToken, []string{"resourceId"}, "subnet-1"},
		{TagToken, []string{"key"}, "k"},
		{TagToken, []string{"value"}, "v"},
	}
	for _, tt := range tests {
		rs := p.Find(tt.token)
		if len(rs) != 1 {
			t.Fatalf("want one %s, got %d", tt.token, len(rs))
		}
		if got := rs[0].Value(tt.path...); got != tt.want {
			t.Errorf("%s %v = %v, want %v", tt.token, tt.path, got, tt.want)
		}
		if rs[0].Version != Version {
			t.Errorf("%s asks for plugin %q, want %q", tt.token, rs[0].Version, Version)
		}
	}
	if tag := p.Find(TagToken)[0]; tag.Provider != p.Find("pulumi:providers:aws")[0].URN {
		t.Errorf("tag must use the explicit provider, got %q", tag.Provider)
	}
}

func TestLookupsSendProviderArguments(t *testing.T) {
	var got *EKSCluster
	_, err := plan.Run(plan.Options{Project: "p", Stack: "s", Region: "eu-west-1"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		var err error
		got, err = LookupEKSCluster(ctx, "c1")
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "c1" || got.OIDCIssuer() != plan.OIDCIssuer("eu-west-1") || got.CertificateAuthority() == "" || got.VpcConfig.VpcID != plan.VpcID {
		t.Errorf("lookup result not decoded: %+v", got)
	}
}
