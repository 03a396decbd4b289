package stacks_test

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

const boundary = "arn:aws:iam::123456789012:policy/retail-api-edge-boundary"

// optionB is a stack that creates the controller's IRSA role.
func optionB(kv ...string) map[string]string {
	return stacks.With(append([]string{stacks.K("exposure"), "ingress"}, kv...)...)
}

// TestIAMSettingsAreChecked: each problem is reported against the key that fixes it.
func TestIAMSettingsAreChecked(t *testing.T) {
	tests := []struct {
		name  string
		stack string
		raw   map[string]string
		key   string // "" when the configuration is valid
		hint  string
	}{
		{"required boundary missing for the controller role", "s",
			optionB(stacks.K("iam"), `{"requirePermissionsBoundary": true}`), stacks.K("iam.permissionsBoundary"), "controller.install makes this stack create an IAM role"},
		{"required boundary given", "s",
			optionB(stacks.K("iam"), `{"requirePermissionsBoundary": true, "permissionsBoundary": "`+boundary+`"}`), "", ""},
		{"required boundary and no role (Option A)", "s", stacks.With(stacks.K("iam"), `{"requirePermissionsBoundary": true}`), "", ""},
		{"required boundary and a given controller role", "s",
			optionB(stacks.K("iam"), `{"requirePermissionsBoundary": true}`, stacks.K("controller"), `{"roleArn": "arn:aws:iam::123456789012:role/lbc"}`), "", ""},
		{"boundary is not a policy ARN", "s", optionB(stacks.K("iam"), `{"permissionsBoundary": "retail-api-edge-boundary"}`),
			stacks.K("iam.permissionsBoundary"), "is not a managed policy ARN"},
		{"boundary names a role", "s", optionB(stacks.K("iam"), `{"permissionsBoundary": "arn:aws:iam::123456789012:role/x"}`),
			stacks.K("iam.permissionsBoundary"), "is not a managed policy ARN"},
		{"boundary in another partition", "s", optionB(stacks.K("iam"), `{"permissionsBoundary": "arn:aws-cn:iam::123456789012:policy/b"}`),
			stacks.K("iam.permissionsBoundary"), "is in partition aws-cn"},
		{"boundary without a role is inert", "s", stacks.With(stacks.K("iam"), `{"permissionsBoundary": "`+boundary+`"}`),
			stacks.K("iam.permissionsBoundary"), "has no effect without"},
		{"pulumi-eks's own service role carries no boundary", "s",
			stacks.With(stacks.K("cluster"), `{"create": true}`, stacks.K("iam"), `{"requirePermissionsBoundary": true, "permissionsBoundary": "`+boundary+`"}`),
			stacks.K("cluster.create"), "pulumi-eks creates the cluster's service role"},
		{"controller role name over 64 characters", strings.Repeat("s", 40), optionB(), stacks.K("controller.install"), "at most 64"},
		{"node role name over 64 characters", strings.Repeat("n", 45), stacks.With(stacks.K("cluster"), `{"create": true}`), stacks.K("cluster.create"), "at most 64"},
		{"log bucket prefix over 37 characters", "sixteen-chars-xx", optionB(stacks.K("accessLogs"), `{"enabled": true}`),
			stacks.K("accessLogs.enabled"), "at most 37"},
		{"log bucket prefix in upper case", "Prod", optionB(stacks.K("accessLogs"), `{"enabled": true}`), stacks.K("accessLogs.enabled"), "lowercase"},
		{"an existing log bucket takes no derived name", "sixteen-chars-xx",
			optionB(stacks.K("accessLogs"), `{"enabled": true, "bucket": "my-logs"}`), "", ""},
		{"the stack tag is the deploy policies' scope", "s", stacks.With(stacks.K("tags"), `{"stack": "prod"}`), stacks.K("tags.stack"), "policies are scoped by"},
		{"the stack tag may repeat the stack's name", "s", stacks.With(stacks.K("tags"), `{"stack": "s"}`), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stacks.Decode(tt.stack, tt.raw)
			switch {
			case tt.key == "" && err != nil:
				t.Fatalf("want no error, got %v", err)
			case tt.key == "":
			case err == nil:
				t.Fatalf("want an error for %s, got none", tt.key)
			case !strings.Contains(err.Error(), tt.key+": ") || !strings.Contains(err.Error(), tt.hint):
				t.Fatalf("want an error for %s containing %q, got %v", tt.key, tt.hint, err)
			}
		})
	}
}

// TestEveryRoleCarriesTheBoundaryAndItsName: the roles and the policy the program creates have the
// documented names (what the deploy policies are scoped to) and the configured boundary.
func TestEveryRoleCarriesTheBoundaryAndItsName(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]string
		roles map[string]string // role resource name -> physical name
	}{
		{"Option B: the controller's role", optionB(stacks.K("iam"), `{"permissionsBoundary": "`+boundary+`"}`),
			map[string]string{"lb-controller-irsa-role": "retail-api-edge-test-lb-controller"}},
		{"a new cluster: the nodes' role", stacks.With(stacks.K("cluster"), `{"create": true}`, stacks.K("iam"), `{"permissionsBoundary": "`+boundary+`"}`),
			map[string]string{"cluster-node-role": "retail-api-edge-test-eks-node"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, tt.raw)
			roles := p.Find(typetoken.Role)
			if len(roles) != len(tt.roles) {
				t.Fatalf("want %d roles, got %d", len(tt.roles), len(roles))
			}
			for _, r := range roles {
				if got, want := r.Value("name"), tt.roles[r.Name]; got != want {
					t.Errorf("role %s: name %v, want %q", r.Name, got, want)
				}
				if got := r.Value("permissionsBoundary"); got != boundary {
					t.Errorf("role %s: permissions boundary %v, want %s", r.Name, got, boundary)
				}
			}
			for _, pol := range p.Find(typetoken.Policy) {
				if got := pol.Value("namePrefix"); got != "retail-api-edge-test-lb-controller-" {
					t.Errorf("policy %s: name prefix %v", pol.Name, got)
				}
			}
		})
	}
}
