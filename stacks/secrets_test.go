package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// TestSecretKeysStaySecret sets keys as `pulumi config set --secret` does and checks that their
// strings reach no resource input and no stack output in plain text, while they are still sent
// (as secrets) where the program uses them.
func TestSecretKeysStaySecret(t *testing.T) {
	const owner = "team-s3cr3t-owner"
	tests := []struct {
		name      string
		raw       map[string]string
		secretKey string
		secret    string
		// where is a resource type whose inputs must carry the secret (as a secret).
		where []string
		// inOutputs says whether some stack output carries the secret.
		inOutputs bool
	}{
		{"a tag value: provider default tags, load balancer annotations",
			stacks.With(stacks.K("tags"), `{"owner": "`+owner+`"}`), stacks.K("tags"), owner,
			[]string{typetoken.AWSProvider, "kubernetes:core/v1:Service"}, false},
		{"the ingress object: its name in the Ingress and the outputs",
			stacks.With(stacks.K("exposure"), "ingress", stacks.K("ingress"), `{"name": "private-edge"}`), stacks.K("ingress"), "private-edge",
			[]string{"kubernetes:networking.k8s.io/v1:Ingress"}, true},
		{"a domain: certificate, records, outputs",
			stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "hidden.example.com", "zoneName": "example.com"}`,
				stacks.K("tls"), `{"enabled": true}`), stacks.K("domain"), "hidden.example.com",
			[]string{typetoken.Certificate, typetoken.Record}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := stackplan.Plan(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: tt.raw, SecretKeys: []string{tt.secretKey}})
			if err != nil {
				t.Fatal(err)
			}
			carried := map[string]bool{}
			for _, r := range p.Resources {
				walk(resource.NewProperty(r.Inputs), false, func(s string, secret bool) {
					switch {
					case !strings.Contains(s, tt.secret):
					case !secret:
						t.Errorf("%s %s: input holds the secret in plain text: %q", r.Type, r.Name, s)
					default:
						carried[r.Type] = true
					}
				})
			}
			for _, typ := range tt.where {
				if !carried[typ] {
					t.Errorf("%s: want the secret sent as a secret, found none", typ)
				}
			}
			for _, r := range p.Find(typetoken.Record) {
				if !slices.Contains(r.AdditionalSecretOutputs, "fqdn") {
					t.Errorf("record %s: its fqdn derives from the secret name, want it secret; got %v", r.Name, r.AdditionalSecretOutputs)
				}
			}
			secretOutputs := 0
			for name, out := range p.Outputs {
				if !out.Secret && strings.Contains(plainText(out.Value), tt.secret) {
					t.Errorf("output %s holds the secret in plain text: %v", name, out.Value)
				}
				if out.Secret {
					secretOutputs++
				}
			}
			if got := secretOutputs > 0; got != tt.inOutputs {
				t.Errorf("secret outputs: %d, want some: %v", secretOutputs, tt.inOutputs)
			}
		})
	}
}

// walk calls f for every string in v, saying whether it sits inside a secret.
func walk(v resource.PropertyValue, secret bool, f func(s string, secret bool)) {
	switch {
	case v.IsSecret():
		walk(v.SecretValue().Element, true, f)
	case v.IsString():
		f(v.StringValue(), secret)
	case v.IsArray():
		for _, e := range v.ArrayValue() {
			walk(e, secret, f)
		}
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			walk(e, secret, f)
		}
	}
}

func plainText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return strings.Join(v, " ")
	}
	return ""
}

func TestSecretsOf(t *testing.T) {
	raw := map[string]string{
		stacks.K("cluster"): `{"kubeconfig": "/k", "name": "c", "create": false, "desiredNodes": 2}`,
		stacks.K("tags"):    `{"a": "x", "b": "x"}`,
		stacks.RegionKey:    "us-east-1",
	}
	got := stacks.SecretsOf(raw, []string{stacks.K("cluster"), stacks.K("tags"), stacks.RegionKey, stacks.K("missing")})
	want := []string{"/k", "c", "us-east-1", "x"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v (strings only, each once)", got, want)
	}
}

// TestSecretTagsKeepTagsAllSecret: AWS returns the provider's default tags in every tagged
// resource's tagsAll, an output no input of that resource holds, so the engine would store a
// secret tag there in plain text (the real-CLI scenario cli-secrets found it).
func TestSecretTagsKeepTagsAllSecret(t *testing.T) {
	raw := stacks.With(stacks.K("exposure"), "ingress", stacks.K("tags"), `{"owner": "team-s3cr3t-owner"}`, stacks.K("waf"), `{"enabled": true}`)
	for _, secretKeys := range [][]string{{stacks.K("tags")}, nil} {
		p, err := stackplan.Plan(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: raw, SecretKeys: secretKeys})
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range []string{typetoken.WebACL, typetoken.Role, typetoken.Policy, typetoken.RolePolicyAttachment} {
			for _, r := range p.Find(typ) {
				want := secretKeys != nil && typ != typetoken.RolePolicyAttachment // no tags on an attachment
				if got := slices.Contains(r.AdditionalSecretOutputs, "tagsAll"); got != want {
					t.Errorf("secret keys %v: %s %s tagsAll secret = %v, want %v", secretKeys, typ, r.Name, got, want)
				}
			}
		}
	}
}

// untaggedTypes take no tags in pulumi-aws, so they have no tagsAll to protect.
var untaggedTypes = []string{
	typetoken.RolePolicyAttachment, typetoken.CertificateValidation, typetoken.Record, typetoken.BucketPolicy,
	typetoken.PublicAccessBlock, typetoken.OwnershipControls, typetoken.Encryption, typetoken.Lifecycle, typetoken.Tag,
}

// Every AWS type the program registers is classified as tagged or untagged, so a new feature's
// resources cannot leave a secret tag in plain text in their tagsAll (cli-secrets found that
// when the alarms came without being added to TaggedTypes).
func TestEveryAWSTypeIsClassifiedForTags(t *testing.T) {
	plans := map[string]*plan.Plan{"demo": stackPlan(t, "demo"), "prod": stackPlan(t, "prod"),
		"a new cluster": planOf(t, stacks.With(stacks.K("cluster"), `{"create": true}`))}
	for file, p := range plans {
		for _, r := range p.Resources {
			if !strings.HasPrefix(r.Type, "aws:") {
				continue
			}
			if !slices.Contains(stacks.TaggedTypes, r.Type) && !slices.Contains(untaggedTypes, r.Type) {
				t.Errorf("%s: %s is in neither TaggedTypes (stacks/secrets.go) nor untaggedTypes", file, r.Type)
			}
		}
	}
}
