package stacks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

func planErr(raw map[string]string, failing map[string]string) (*plan.Plan, error) {
	return stackplan.PlanWith(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: raw},
		stackplan.Options{FailingLookups: failing})
}

func invoked(p *plan.Plan, token string) bool {
	return slices.ContainsFunc(p.Invokes, func(i plan.Invoke) bool { return i.Token == token })
}

// logged says whether p logged, at severity, one message that says all of parts.
func logged(p *plan.Plan, severity string, parts ...string) bool {
	return slices.ContainsFunc(p.Logs, func(l plan.Log) bool {
		return l.Severity == severity && !slices.ContainsFunc(parts, func(s string) bool { return !strings.Contains(l.Message, s) })
	})
}

// TestControllerIdentities: both identities wire Option B so that destroy runs the cleanup
// runbook in reverse, and each asks the cluster only for what it needs.
func TestControllerIdentities(t *testing.T) {
	for _, identity := range []string{"irsa", "podIdentity"} {
		t.Run(identity, func(t *testing.T) {
			p := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("controller"), `{"identity": "`+identity+`"}`))
			one := onlyOne(t, p)
			rel, role, sa := one(typetoken.HelmRelease), one(typetoken.Role), one("kubernetes:core/v1:ServiceAccount")
			pod := identity == "podIdentity"
			for _, typ := range []string{typetoken.Role, typetoken.RolePolicyAttachment, "kubernetes:core/v1:ServiceAccount"} {
				if !slices.Contains(rel.Dependencies, one(typ).URN) {
					t.Errorf("the release must depend on the %s", typ)
				}
			}
			assoc := p.Find(typetoken.PodIdentityAssociation)
			if got := len(assoc) == 1; got != pod {
				t.Fatalf("Pod Identity association registered: %v, want %v", got, pod)
			}
			_, annotated := sa.Value("metadata", "annotations").(map[string]any)[lbcontroller.RoleArnAnnotation]
			trust, _ := role.Value("assumeRolePolicy").(string)
			checks := []struct {
				name      string
				got, want bool
			}{
				{"the cluster's OIDC provider is looked up", invoked(p, typetoken.GetOIDCProvider), !pod},
				{"the Pod Identity agent add-on is looked up", invoked(p, typetoken.GetAddon), pod},
				{"the service account carries eks.amazonaws.com/role-arn", annotated, !pod},
				{"the role trusts pods.eks.amazonaws.com", strings.Contains(trust, `"Service":"pods.eks.amazonaws.com"`), pod},
				{"the role trusts the OIDC provider", strings.Contains(trust, "AssumeRoleWithWebIdentity"), !pod},
				{"the role keeps its name", role.Value("name") == "retail-api-edge-test-lb-controller", true},
				{"a slow install points at the IRSA role", logged(p, "info", "rollout status deploy/aws-load-balancer-controller", "the IRSA role"), !pod},
				{"a slow install points at the association and the agent", logged(p, "info", "rollout status deploy/aws-load-balancer-controller",
					"EKS Pod Identity association for kube-system/aws-load-balancer-controller", "ds/eks-pod-identity-agent"), pod},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
				}
			}
			if !pod {
				return
			}
			a := assoc[0]
			if a.Value("namespace") != "kube-system" || a.Value("serviceAccount") != "aws-load-balancer-controller" ||
				a.Value("roleArn") != p.Outputs["controllerRoleArn"].Value || a.Value("clusterName") != "mlops-retail-cluster" {
				t.Errorf("association: %v", a.Inputs)
			}
			if !slices.Contains(rel.Dependencies, a.URN) || !slices.Contains(a.Dependencies, role.URN) {
				t.Error("destroy order must be release, association, role")
			}
		})
	}
}

// TestPodIdentityAgent: the configuration decides whether the agent is installed (the key, or a
// cluster the stack creates) or only checked; a lookup never decides.
func TestPodIdentityAgent(t *testing.T) {
	const missing = "reading EKS Add-On (mlops-retail-cluster:eks-pod-identity-agent): couldn't find resource"
	base := []string{stacks.K("exposure"), "ingress"}
	tests := []struct {
		name      string
		raw       map[string]string
		lookupErr string
		check     func(t *testing.T, p *plan.Plan)
		wantErr   []string
	}{
		{"existing cluster: checked", stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity"}`)...), "", func(t *testing.T, p *plan.Plan) {
			if len(p.Find(typetoken.EKSAddon)) != 0 || !invoked(p, typetoken.GetAddon) {
				t.Error("want a lookup of the add-on and no add-on")
			}
		}, nil},
		{"existing cluster without it: fails with both fixes", stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity"}`)...), missing, nil,
			[]string{"has no eks-pod-identity-agent add-on", "aws eks create-addon --cluster-name mlops-retail-cluster --addon-name eks-pod-identity-agent",
				"set " + stacks.K("controller.installPodIdentityAgent") + " true"}},
		{"installPodIdentityAgent: installed, not looked up",
			stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity", "installPodIdentityAgent": true}`)...), missing, func(t *testing.T, p *plan.Plan) {
				addons := p.Find(typetoken.EKSAddon)
				if len(addons) != 1 || addons[0].Value("addonName") != podidentity.AgentAddon || invoked(p, typetoken.GetAddon) {
					t.Fatalf("want the add-on installed and no lookup, got %v", addons)
				}
				if !slices.Contains(p.Find(typetoken.HelmRelease)[0].Dependencies, addons[0].URN) {
					t.Error("the release must wait for the agent")
				}
			}, nil},
		{"cluster.create: the cluster gets it",
			stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity"}`, stacks.K("cluster"), `{"create": true, "name": "c1"}`)...), "", func(t *testing.T, p *plan.Plan) {
				var agent *plan.Resource
				for _, a := range p.Find(typetoken.EKSAddon) {
					if a.Value("addonName") == podidentity.AgentAddon {
						agent = &a
					}
				}
				if agent == nil || !strings.Contains(agent.Parent, cluster.TypeToken) || invoked(p, typetoken.GetAddon) {
					t.Fatalf("want the cluster component's %s add-on and no lookup", podidentity.AgentAddon)
				}
				if !slices.Contains(p.Find(typetoken.PodIdentityAssociation)[0].Dependencies, agent.URN) {
					t.Error("the association must wait for the new cluster's agent")
				}
				if len(p.Find(typetoken.OIDCProvider)) != 0 {
					t.Error("no OIDC provider is needed")
				}
			}, nil},
		{"cluster.create with IRSA: no agent", stacks.With(append(base, stacks.K("cluster"), `{"create": true, "name": "c1"}`)...), "", func(t *testing.T, p *plan.Plan) {
			for _, a := range p.Find(typetoken.EKSAddon) {
				if a.Value("addonName") == podidentity.AgentAddon {
					t.Error("IRSA stacks get no Pod Identity agent")
				}
			}
		}, nil},
		{"given role: the association is made for it",
			stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity", "roleArn": "arn:aws:iam::123456789012:role/platform-lbc"}`)...), "", func(t *testing.T, p *plan.Plan) {
				if len(p.Find(typetoken.Role)) != 0 || len(p.Find(typetoken.Policy)) != 0 {
					t.Error("a given role means no role or policy")
				}
				if p.Find(typetoken.PodIdentityAssociation)[0].Value("roleArn") != "arn:aws:iam::123456789012:role/platform-lbc" {
					t.Error("the association must name the given role")
				}
			}, nil},
		{"kubeconfig: no OIDC provider needed, so no roleArn either",
			stacks.With(append(base, stacks.K("controller"), `{"identity": "podIdentity"}`, stacks.K("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0"}`)...), "",
			func(t *testing.T, p *plan.Plan) {
				if len(p.Find(typetoken.PodIdentityAssociation)) != 1 || invoked(p, typetoken.GetCluster) {
					t.Error("want the association without an EKS cluster lookup")
				}
			}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failing := map[string]string{}
			if tt.lookupErr != "" {
				failing[typetoken.GetAddon] = tt.lookupErr
			}
			p, err := planErr(tt.raw, failing)
			if tt.wantErr != nil {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("want an error saying %q, got %v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

// TestPodIdentityRefused: settings that cannot take effect are refused, naming the key.
func TestPodIdentityRefused(t *testing.T) {
	b := []string{stacks.K("exposure"), "ingress"}
	tests := []struct {
		name     string
		raw      map[string]string
		key, msg string
	}{
		{"unknown identity", stacks.With(append(b, stacks.K("controller"), `{"identity": "oidc"}`)...), stacks.K("controller.identity"), `must be one of ["irsa" "podIdentity"]`},
		{"the agent key with another stack's controller", stacks.With(append(b, stacks.K("controller"),
			`{"install": false, "identity": "podIdentity", "installPodIdentityAgent": true}`)...),
			stacks.K("controller.installPodIdentityAgent"), "has no effect without " + stacks.K("controller.install") + " true"},
		{"agent key with IRSA", stacks.With(append(b, stacks.K("controller"), `{"installPodIdentityAgent": true}`)...),
			stacks.K("controller.installPodIdentityAgent"), "has no effect without"},
		{"agent key with cluster.create", stacks.With(append(b, stacks.K("controller"), `{"identity": "podIdentity", "installPodIdentityAgent": true}`,
			stacks.K("cluster"), `{"create": true, "name": "c1"}`)...), stacks.K("controller.installPodIdentityAgent"), "the cluster gets the add-on anyway"},
		{"OIDC provider with Pod Identity", stacks.With(append(b, stacks.K("controller"), `{"identity": "podIdentity"}`, stacks.K("cluster"), `{"createOidcProvider": true}`)...),
			stacks.K("cluster.createOidcProvider"), stacks.K("controller.identity") + " irsa"},
		{"identity with Option A", stacks.With(stacks.K("controller"), `{"identity": "podIdentity"}`), stacks.K("controller.identity"), "has no effect without"},
		{"kubeconfig, IRSA, no role", stacks.With(append(b, stacks.K("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0"}`)...),
			stacks.K("controller.roleArn"), "controller.identity podIdentity needs none"},
		{"boundary required with Pod Identity", stacks.With(append(b, stacks.K("controller"), `{"identity": "podIdentity"}`, stacks.K("iam"), `{"requirePermissionsBoundary": true}`)...),
			stacks.K("iam.permissionsBoundary"), "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planErr(tt.raw, nil)
			if err == nil || !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("want %s refused with %q, got %v", tt.key, tt.msg, err)
			}
		})
	}
}

// prodWithPodIdentity is the prod stack file with the controller on Pod Identity.
func prodWithPodIdentity(t *testing.T, set map[string]any) *stackconfig.Stack {
	t.Helper()
	st := withCluster(t, "prod", set)
	block := map[string]any{}
	if err := json.Unmarshal([]byte(st.Config[stacks.K("controller")]), &block); err != nil {
		t.Fatal(err)
	}
	block["identity"] = "podIdentity"
	b, _ := json.Marshal(block)
	st.Config[stacks.K("controller")] = string(b)
	return st
}

// The agent check is preflight: a cluster without the add-on is refused before the certificate,
// web ACL, log bucket or IAM role are registered (an `up` then makes nothing), and an Auto Mode
// cluster (built-in agent, no add-on) is not looked up even when the stack installs the controller.
func TestPodIdentityAgentPreflight(t *testing.T) {
	const missing = "reading EKS Add-On (mlops-retail-cluster:eks-pod-identity-agent): couldn't find resource"
	failing := map[string]string{typetoken.GetAddon: missing}
	p, err := stackplan.PlanWith(prodWithPodIdentity(t, nil), stackplan.Options{FailingLookups: failing})
	if err == nil || !strings.Contains(err.Error(), "has no eks-pod-identity-agent add-on") {
		t.Fatalf("want the missing agent refused, got %v", err)
	}
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "pulumi:") && r.Type != cluster.TypeToken {
			t.Errorf("%s %s registered before the agent check refused the stack", r.Type, r.Name)
		}
	}

	p, err = stackplan.PlanWith(prodWithPodIdentity(t, map[string]any{"autoMode": false}),
		stackplan.Options{FailingLookups: failing, Answers: autoModeCluster})
	if err != nil {
		t.Fatalf("an Auto Mode cluster runs the agent itself: %v", err)
	}
	if invoked(p, typetoken.GetAddon) || len(p.Find(typetoken.PodIdentityAssociation)) != 1 {
		t.Error("want the association and no add-on lookup on an Auto Mode cluster")
	}
}
