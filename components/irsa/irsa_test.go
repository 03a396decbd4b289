package irsa

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

const (
	providerArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
	issuer      = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
)

type trustDoc struct {
	Statement []struct {
		Effect    string
		Principal map[string]string
		Action    string
		Condition map[string]map[string]string
	}
}

func TestTrustPolicy(t *testing.T) {
	raw, err := trustPolicy(providerArn, issuer, "kube-system", "aws-load-balancer-controller")
	if err != nil {
		t.Fatal(err)
	}
	var doc trustDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("want exactly one statement, got %d", len(doc.Statement))
	}
	s := doc.Statement[0]
	eq := s.Condition["StringEquals"]
	tests := []struct {
		name      string
		got, want string
	}{
		{"effect", s.Effect, "Allow"},
		{"federated principal is the cluster's OIDC provider", s.Principal["Federated"], providerArn},
		{"web identity", s.Action, "sts:AssumeRoleWithWebIdentity"},
		{"subject is exactly one service account", eq["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"], "system:serviceaccount:kube-system:aws-load-balancer-controller"},
		{"audience is STS", eq["oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"], audience},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if len(eq) != 2 || len(s.Condition) != 1 {
		t.Errorf("want exactly the sub and aud StringEquals conditions, got %v", s.Condition)
	}
}

func TestTrustPolicyNeedsAnIssuer(t *testing.T) {
	if _, err := trustPolicy(providerArn, "", "ns", "sa"); err == nil {
		t.Fatal("a role without an issuer would trust nobody: want an error")
	}
}

func TestRoleComponent(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := plantest.AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		r, err := NewRole(ctx, "ctrl", &Args{
			OIDCProviderArn: pulumi.String(providerArn), OIDCIssuer: pulumi.String(issuer),
			Namespace: "kube-system", ServiceAccount: "sa",
			Policies: []Policy{{Key: "a", Arn: pulumi.String("arn:aws:iam::aws:policy/A")}, {Key: "b", Arn: pulumi.String("arn:aws:iam::aws:policy/B")}},
		}, pulumi.Provider(aws))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"arn": r.RoleArn}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	comp := p.Find(TypeToken)[0]
	roles := p.Find(typetoken.Role)
	atts := p.Find(typetoken.RolePolicyAttachment)
	if len(roles) != 1 || len(atts) != 2 {
		t.Fatalf("want one role and two attachments, got %d and %d", len(roles), len(atts))
	}
	role := roles[0]
	if role.Parent != comp.URN || role.Name != "ctrl-role" {
		t.Errorf("role must be a child named from the component: %s under %s", role.Name, role.Parent)
	}
	var policies []string
	for _, a := range atts {
		policies = append(policies, a.Value("policyArn").(string))
		if a.Parent != comp.URN || a.Value("role") != "ctrl-role-example" || !slices.Contains(a.Dependencies, role.URN) {
			t.Errorf("attachment %s must attach to the role and wait for it: %v", a.Name, a.Inputs)
		}
	}
	slices.Sort(policies)
	if !slices.Equal(policies, []string{"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"}) {
		t.Errorf("attached policies = %v", policies)
	}
	if p.Outputs["arn"].Value != "arn:aws:iam::123456789012:role/ctrl-role-example" {
		t.Errorf("role ARN output = %v", p.Outputs["arn"].Value)
	}
}
