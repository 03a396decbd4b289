package podidentity

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func planRole(t *testing.T, failing map[string]string, mutate func(*Args)) (*plan.Plan, error) {
	t.Helper()
	opts := plantest.Options()
	opts.FailingLookups = failing
	return plan.Run(opts, func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := plantest.AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		args := &Args{
			ClusterName: pulumi.String("c1"), AgentCluster: "c1", Namespace: "kube-system", ServiceAccount: "lbc",
			Policies: []Policy{{Key: "lbc-policy", Arn: pulumi.String("arn:aws:iam::123456789012:policy/p")}},
			RoleName: "r1", PermissionsBoundary: "arn:aws:iam::123456789012:policy/b",
		}
		if mutate != nil {
			mutate(args)
		}
		r, err := NewRole(ctx, "x", args, pulumi.Provider(aws))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"roleArn": r.RoleArn}, nil
	})
}

func mustPlan(t *testing.T, mutate func(*Args)) *plan.Plan {
	t.Helper()
	p, err := planRole(t, nil, mutate)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrustPolicy: EKS Pod Identity (pods.eks.amazonaws.com) may assume the role and tag the
// session, for the one service account only (EKS user guide, pod-id-role.adoc).
func TestTrustPolicy(t *testing.T) {
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    []string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(TrustPolicy("kube-system", "lbc")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("want one statement, got %+v", doc.Statement)
	}
	s := doc.Statement[0]
	want := map[string]string{"aws:RequestTag/kubernetes-namespace": "kube-system", "aws:RequestTag/kubernetes-service-account": "lbc"}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"effect", s.Effect, "Allow"},
		{"principal", s.Principal, map[string]any{"Service": "pods.eks.amazonaws.com"}},
		{"actions", s.Action, []string{"sts:AssumeRole", "sts:TagSession"}},
		{"conditions", s.Condition, map[string]map[string]string{"StringEquals": want}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRole(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Args)
		check  func(t *testing.T, p *plan.Plan)
	}{
		{"new role: trust, name, boundary, attachment, association", nil, func(t *testing.T, p *plan.Plan) {
			role, att, assoc := p.Find(typetoken.Role)[0], p.Find(typetoken.RolePolicyAttachment)[0], p.Find(typetoken.PodIdentityAssociation)[0]
			if role.Value("assumeRolePolicy") != TrustPolicy("kube-system", "lbc") || role.Value("name") != "r1" ||
				role.Value("permissionsBoundary") != "arn:aws:iam::123456789012:policy/b" {
				t.Errorf("role inputs: %v", role.Inputs)
			}
			if att.Name != "x-lbc-policy" || att.Value("role") != "r1" {
				t.Errorf("attachment %s: %v", att.Name, att.Inputs)
			}
			for path, want := range map[string]string{"clusterName": "c1", "namespace": "kube-system", "serviceAccount": "lbc",
				"roleArn": "arn:aws:iam::123456789012:role/r1"} {
				if got := assoc.Value(path); got != want {
					t.Errorf("association %s: got %v, want %v", path, got, want)
				}
			}
			if !slices.Contains(assoc.Dependencies, role.URN) {
				t.Errorf("the association must wait for (and be deleted before) the role: %v", assoc.Dependencies)
			}
		}},
		{"the agent is checked, not installed", nil, func(t *testing.T, p *plan.Plan) {
			if len(p.Find(typetoken.EKSAddon)) != 0 {
				t.Error("AgentCheck must install nothing")
			}
			if !slices.ContainsFunc(p.Invokes, func(i plan.Invoke) bool {
				return i.Token == typetoken.GetAddon && i.Args["addonName"] == AgentAddon && i.Args["clusterName"] == "c1"
			}) {
				t.Errorf("want a getAddon lookup of %s, got %v", AgentAddon, p.Invokes)
			}
		}},
		{"agent installed: the association waits for it", func(a *Args) { a.Agent = AgentInstall }, func(t *testing.T, p *plan.Plan) {
			addons := p.Find(typetoken.EKSAddon)
			if len(addons) != 1 || addons[0].Value("addonName") != AgentAddon || addons[0].Value("clusterName") != "c1" {
				t.Fatalf("want the %s add-on, got %v", AgentAddon, addons)
			}
			if !slices.Contains(p.Find(typetoken.PodIdentityAssociation)[0].Dependencies, addons[0].URN) {
				t.Error("the association must wait for the agent")
			}
			if slices.ContainsFunc(p.Invokes, func(i plan.Invoke) bool { return i.Token == typetoken.GetAddon }) {
				t.Error("an installed agent is not looked up")
			}
		}},
		{"agent provided: neither", func(a *Args) { a.Agent = AgentProvided; a.AgentCluster = "" }, func(t *testing.T, p *plan.Plan) {
			if len(p.Find(typetoken.EKSAddon)) != 0 || slices.ContainsFunc(p.Invokes, func(i plan.Invoke) bool { return i.Token == typetoken.GetAddon }) {
				t.Error("AgentProvided must neither install nor look up the agent")
			}
		}},
		{"given role: association only", func(a *Args) {
			a.RoleArn, a.Policies, a.RoleName, a.PermissionsBoundary = "arn:aws:iam::123456789012:role/platform", nil, "", ""
		}, func(t *testing.T, p *plan.Plan) {
			if len(p.Find(typetoken.Role)) != 0 || len(p.Find(typetoken.RolePolicyAttachment)) != 0 {
				t.Error("a given role must not be created")
			}
			if got := p.Find(typetoken.PodIdentityAssociation)[0].Value("roleArn"); got != "arn:aws:iam::123456789012:role/platform" {
				t.Errorf("association roleArn: got %v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, mustPlan(t, tt.mutate)) })
	}
}

// TestAgentMissing: a cluster without the add-on fails in preview with what was found, why it
// matters and both fixes; other lookup failures are not reported as "missing".
func TestAgentMissing(t *testing.T) {
	tests := []struct {
		name, lookupErr string
		want            []string
		missing         bool
	}{
		{"missing", "reading EKS Add-On (c1:eks-pod-identity-agent): couldn't find resource", []string{
			`EKS cluster "c1" has no eks-pod-identity-agent add-on`, "get no AWS credentials",
			"aws eks create-addon --cluster-name c1 --addon-name eks-pod-identity-agent", "set Agent"}, true},
		{"denied", "operation error EKS: DescribeAddon, https response error StatusCode: 403, api error AccessDeniedException",
			[]string{"AccessDeniedException", "eks:DescribeAddon"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planRole(t, map[string]string{typetoken.GetAddon: tt.lookupErr}, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := strings.Contains(err.Error(), "has no"); got != tt.missing {
				t.Errorf("reported as missing: %v, want %v: %v", got, tt.missing, err)
			}
			if got := fielderr.Fields(err); tt.missing && !slices.Equal(got, []string{"Agent"}) {
				t.Errorf("the fix names the fields %v, want [Agent] (the caller renames it)", got)
			}
		})
	}
}

func TestArgsRefused(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Args)
		want   string
	}{
		{"no cluster", func(a *Args) { a.ClusterName = nil }, "ClusterName"},
		{"no service account", func(a *Args) { a.ServiceAccount = "" }, "ServiceAccount"},
		{"given role and a policy", func(a *Args) { a.RoleArn = "arn:aws:iam::123456789012:role/x" }, "RoleArn is an existing role"},
		{"check without the cluster's name", func(a *Args) { a.AgentCluster = "" }, "AgentCluster"},
		{"duplicate policy key", func(a *Args) { a.Policies = append(a.Policies, a.Policies[0]) }, "own non-empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planRole(t, nil, tt.mutate)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error naming %q, got %v", tt.want, err)
			}
		})
	}
}
